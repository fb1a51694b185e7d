//! Roles and permissions. A role (seed table `role`) holds a JSON array of permission names;
//! a person's permissions are the union of their active roles'. Every store operation names
//! the permission it needs and checks it against the acting person, whatever the UI shows.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
pub enum Permission {
    #[serde(rename = "people.read")]
    PeopleRead,
    #[serde(rename = "people.write")]
    PeopleWrite,
    #[serde(rename = "campuses.read")]
    CampusesRead,
    #[serde(rename = "campuses.write")]
    CampusesWrite,
    #[serde(rename = "roles.read")]
    RolesRead,
    #[serde(rename = "roles.manage")]
    RolesManage,
    #[serde(rename = "courses.read")]
    CoursesRead,
    #[serde(rename = "courses.write")]
    CoursesWrite,
    #[serde(rename = "enrollments.read")]
    EnrollmentsRead,
    #[serde(rename = "enrollments.write")]
    EnrollmentsWrite,
    #[serde(rename = "enrollments.override_prerequisites")]
    OverridePrerequisites,
    #[serde(rename = "attendance.read")]
    AttendanceRead,
    #[serde(rename = "attendance.write")]
    AttendanceWrite,
    #[serde(rename = "certifications.read")]
    CertificationsRead,
    #[serde(rename = "certifications.write")]
    CertificationsWrite,
    #[serde(rename = "special_requirements.read")]
    SpecialRequirementsRead,
    #[serde(rename = "special_requirements.read_confidential")]
    SpecialRequirementsReadConfidential,
    #[serde(rename = "special_requirements.write")]
    SpecialRequirementsWrite,
    #[serde(rename = "audit.read")]
    AuditRead,
    #[serde(rename = "sync.manage")]
    SyncManage,
    #[serde(rename = "settings.manage")]
    SettingsManage,
    /// Carrying the church's people away in a file (CSV exports).
    #[serde(rename = "data.export")]
    DataExport,
    /// Staff decisions at check-in: releasing a child without their tag's code or to someone
    /// on their not-authorized list, a room past capacity, a label reprinted without the tag.
    #[serde(rename = "checkin.override")]
    CheckinOverride,
    /// The office's reports: attendance, visitors, course funnels, certifications, rooms. A
    /// report's list of people with contact details also needs `people.read`.
    #[serde(rename = "reports.read")]
    ReportsRead,
}

impl Permission {
    pub const ALL: [Permission; 24] = [
        Permission::PeopleRead,
        Permission::PeopleWrite,
        Permission::CampusesRead,
        Permission::CampusesWrite,
        Permission::RolesRead,
        Permission::RolesManage,
        Permission::CoursesRead,
        Permission::CoursesWrite,
        Permission::EnrollmentsRead,
        Permission::EnrollmentsWrite,
        Permission::OverridePrerequisites,
        Permission::AttendanceRead,
        Permission::AttendanceWrite,
        Permission::CertificationsRead,
        Permission::CertificationsWrite,
        Permission::SpecialRequirementsRead,
        Permission::SpecialRequirementsReadConfidential,
        Permission::SpecialRequirementsWrite,
        Permission::AuditRead,
        Permission::SyncManage,
        Permission::SettingsManage,
        Permission::DataExport,
        Permission::CheckinOverride,
        Permission::ReportsRead,
    ];

    /// The name stored in `role.permissions`, e.g. `people.write`.
    pub fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }

    pub fn from_name(name: &str) -> Option<Permission> {
        serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// What a table's rows belong to, for permission checks: reading needs the first permission,
/// writing the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    People,
    Campuses,
    Roles,
    Courses,
    Enrollments,
    Attendance,
    Certifications,
    SpecialRequirements,
}

impl Resource {
    pub fn read_permission(self) -> Permission {
        use Permission::*;
        match self {
            Resource::People => PeopleRead,
            Resource::Campuses => CampusesRead,
            Resource::Roles => RolesRead,
            Resource::Courses => CoursesRead,
            Resource::Enrollments => EnrollmentsRead,
            Resource::Attendance => AttendanceRead,
            Resource::Certifications => CertificationsRead,
            Resource::SpecialRequirements => SpecialRequirementsRead,
        }
    }

    pub fn write_permission(self) -> Permission {
        use Permission::*;
        match self {
            Resource::People => PeopleWrite,
            Resource::Campuses => CampusesWrite,
            Resource::Roles => RolesManage,
            Resource::Courses => CoursesWrite,
            Resource::Enrollments => EnrollmentsWrite,
            Resource::Attendance => AttendanceWrite,
            Resource::Certifications => CertificationsWrite,
            Resource::SpecialRequirements => SpecialRequirementsWrite,
        }
    }
}

/// The built-in roles, as the first migration seeds them. Offices may edit them; these are the
/// starting point and what the tests rely on.
pub mod builtin {
    use super::Permission::{self, *};

    pub const ADMIN: &str = "admin";
    pub const STAFF: &str = "staff";
    pub const MEMBER: &str = "member";
    pub const GUEST: &str = "guest";
    pub const CHECKIN_VOLUNTEER: &str = "checkin_volunteer";

    pub fn permissions(role: &str) -> Vec<Permission> {
        match role {
            ADMIN => Permission::ALL.to_vec(),
            STAFF => Permission::ALL
                .iter()
                .copied()
                .filter(|p| !matches!(p, RolesManage | SettingsManage | OverridePrerequisites))
                .collect(),
            MEMBER => vec![CoursesRead, CertificationsRead, CampusesRead],
            GUEST => vec![CoursesRead],
            CHECKIN_VOLUNTEER => vec![
                PeopleRead,
                CampusesRead,
                CoursesRead,
                EnrollmentsRead,
                AttendanceRead,
                AttendanceWrite,
                SpecialRequirementsRead,
            ],
            _ => Vec::new(),
        }
    }
}

/// Who is acting. `person_id` is recorded as `changed_by` in the audit log; the system actor
/// (migrations, demo loading, sync) has no person and every permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Actor {
    pub person_id: Option<Uuid>,
    pub display_name: String,
    pub permissions: BTreeSet<Permission>,
}

impl Actor {
    pub fn system() -> Self {
        Self { person_id: None, display_name: "system".into(), permissions: Permission::ALL.into_iter().collect() }
    }

    pub fn person(
        person_id: Uuid,
        display_name: impl Into<String>,
        permissions: impl IntoIterator<Item = Permission>,
    ) -> Self {
        Self {
            person_id: Some(person_id),
            display_name: display_name.into(),
            permissions: permissions.into_iter().collect(),
        }
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::from_name(&p.name()), Some(p), "{p:?}");
        }
        assert_eq!(Permission::PeopleWrite.name(), "people.write");
        assert_eq!(Permission::from_name("people.delete_everything"), None);
    }

    #[test]
    fn only_admins_may_override_prerequisites() {
        assert!(builtin::permissions(builtin::ADMIN).contains(&Permission::OverridePrerequisites));
        for role in [builtin::STAFF, builtin::MEMBER, builtin::GUEST, builtin::CHECKIN_VOLUNTEER] {
            assert!(!builtin::permissions(role).contains(&Permission::OverridePrerequisites), "{role}");
        }
    }

    #[test]
    fn checkin_volunteers_mark_attendance_but_edit_nothing_else() {
        let volunteer = builtin::permissions(builtin::CHECKIN_VOLUNTEER);
        assert!(volunteer.contains(&Permission::AttendanceWrite));
        assert!(volunteer.contains(&Permission::SpecialRequirementsRead));
        assert!(!volunteer.contains(&Permission::SpecialRequirementsReadConfidential));
        assert!(!volunteer.contains(&Permission::PeopleWrite));
        assert!(!volunteer.contains(&Permission::CoursesWrite));
    }

    #[test]
    fn guests_and_members_cannot_write() {
        for role in [builtin::MEMBER, builtin::GUEST] {
            let perms = builtin::permissions(role);
            assert!(perms.iter().all(|p| !p.name().ends_with(".write") && !p.name().ends_with(".manage")), "{role}");
        }
        assert!(builtin::permissions("unknown").is_empty());
    }
}
