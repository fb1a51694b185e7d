//! Read models for the office's screens: a course with everything hanging off it, and a person
//! with theirs. Each part is read under its own permission, so a role that may see courses but
//! not enrollments gets the course without the roster.

use crate::db::{Query, Result, Store};
use crate::office::prerequisites;
use crate::records::{self, ListQuery};
use cct_domain::records::{
    AttendanceRecord, Campus, ClassSession, Content, ContentType, Course, CourseEnrollment, CourseModule,
    CourseOffering, CourseRole, Household, PeopleCampus, PeopleRole, Person, Role, SpecialRequirement,
};
use cct_domain::{Actor, Permission};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use ts_rs::TS;
use uuid::Uuid;

/// More rows than any one course or person has; the screens show them all.
const ALL: u32 = crate::records::MAX_PAGE;

#[derive(Debug, Clone, Serialize, TS)]
pub struct ModuleOutline {
    pub module: CourseModule,
    /// In `order_sequence`.
    pub lessons: Vec<Content>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct EnrollmentLine {
    pub enrollment: CourseEnrollment,
    pub person_name: String,
    pub completed_content_ids: Vec<Uuid>,
    /// Sessions of the enrollment's offering the person was marked absent from.
    pub absences: i64,
    /// Sessions of that offering they were present or late at.
    pub sessions_attended: i64,
    /// Absences reached the course's threshold (or the office's, 3 unless set).
    pub absence_warning: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CourseRoleLine {
    pub role: CourseRole,
    pub person_name: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CourseDetail {
    pub course: Course,
    pub prerequisites: Vec<Course>,
    pub modules: Vec<ModuleOutline>,
    /// Content that belongs to no module, in `order_sequence`.
    pub unassigned_content: Vec<Content>,
    pub content_types: Vec<ContentType>,
    /// Empty unless the actor may read enrollments.
    pub enrollments: Vec<EnrollmentLine>,
    pub course_roles: Vec<CourseRoleLine>,
    pub sessions: Vec<ClassSession>,
    /// Its offerings, earliest first (the first offering, made with the course, among them).
    pub offerings: Vec<CourseOffering>,
}

pub fn course_detail(store: &Store, actor: &Actor, course_id: Uuid) -> Result<CourseDetail> {
    let course = records::get::<Course>(store, actor, course_id)?;
    let prerequisites = prerequisites::of_course(store, actor, course_id)?;
    let of_course =
        || ListQuery::default().filter("course_id", course_id.to_string()).order_by("order_sequence").page(ALL, 0);
    let module_list = records::list::<CourseModule>(store, actor, &of_course())?.items;
    let mut content = records::list::<Content>(store, actor, &of_course())?.items;
    let modules = module_list
        .into_iter()
        .map(|module| {
            let (lessons, rest): (Vec<Content>, Vec<Content>) =
                content.drain(..).partition(|c| c.module_id == Some(module.meta.id));
            content = rest;
            ModuleOutline { module, lessons }
        })
        .collect();
    let content_types =
        records::list::<ContentType>(store, actor, &ListQuery::default().order_by("name").page(ALL, 0))?.items;
    let sessions = records::list::<ClassSession>(
        store,
        actor,
        &ListQuery::default().filter("course_id", course_id.to_string()).order_by("starts_at").page(ALL, 0),
    )?
    .items;

    let offerings = records::list::<CourseOffering>(
        store,
        actor,
        &ListQuery::default().filter("course_id", course_id.to_string()).order_by("starts_on").page(ALL, 0),
    )?
    .items;

    let (enrollments, course_roles) = if actor.can(Permission::EnrollmentsRead) && actor.can(Permission::PeopleRead) {
        (enrollment_lines(store, actor, &course)?, course_role_lines(store, actor, course_id)?)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(CourseDetail {
        course,
        prerequisites,
        modules,
        unassigned_content: content,
        content_types,
        enrollments,
        course_roles,
        sessions,
        offerings,
    })
}

fn enrollment_lines(store: &Store, actor: &Actor, course: &Course) -> Result<Vec<EnrollmentLine>> {
    let course_id = course.meta.id;
    let threshold = match course.absence_warning_threshold {
        Some(n) => n,
        None => crate::office::settings::office_rules(store)?.absence_warning_threshold,
    };
    let enrollments = records::list::<CourseEnrollment>(
        store,
        actor,
        &ListQuery::default().filter("course_id", course_id.to_string()).order_by("enrollment_date").page(ALL, 0),
    )?
    .items;
    let names = person_names(store, enrollments.iter().map(|e| e.people_id))?;
    let mut completed: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let rows: Vec<(String, String)> = store.read(|conn| {
        conn.tuples(
            "SELECT cc.course_enrollment_id, cc.content_id FROM content_completion cc
             JOIN course_enrollment e ON e.id = cc.course_enrollment_id
             WHERE e.course_id = ?1 AND cc.is_active = 1",
            [course_id.to_string()],
        )
    })?;
    for (enrollment, content) in rows {
        if let (Ok(enrollment), Ok(content)) = (Uuid::parse_str(&enrollment), Uuid::parse_str(&content)) {
            completed.entry(enrollment).or_default().push(content);
        }
    }
    // Per person and offering: a retake counts its own offering's sessions.
    let mut absences: HashMap<(String, String), i64> = HashMap::new();
    let mut attended: HashMap<(String, String), i64> = HashMap::new();
    let counts: Vec<(String, String, String, i64)> = store.read(|conn| {
        conn.tuples(
            "SELECT a.people_id, coalesce(s.offering_id, s.course_id), a.status, COUNT(*)
             FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
             WHERE s.course_id = ?1 AND a.is_active = 1 AND s.is_active = 1 GROUP BY 1, 2, 3",
            [course_id.to_string()],
        )
    })?;
    for (person, offering, status, n) in counts {
        match status.as_str() {
            "absent" => *absences.entry((person, offering)).or_default() += n,
            "present" | "late" => *attended.entry((person, offering)).or_default() += n,
            _ => {}
        }
    }
    Ok(enrollments
        .into_iter()
        .map(|enrollment| {
            let key =
                (enrollment.people_id.to_string(), crate::office::enrollment::offering_of(&enrollment).to_string());
            let absent = absences.get(&key).copied().unwrap_or(0);
            EnrollmentLine {
                person_name: names.get(&enrollment.people_id).cloned().unwrap_or_default(),
                completed_content_ids: completed.remove(&enrollment.meta.id).unwrap_or_default(),
                absences: absent,
                sessions_attended: attended.get(&key).copied().unwrap_or(0),
                absence_warning: absent >= threshold.max(1),
                enrollment,
            }
        })
        .collect())
}

fn course_role_lines(store: &Store, actor: &Actor, course_id: Uuid) -> Result<Vec<CourseRoleLine>> {
    let roles = records::list::<CourseRole>(
        store,
        actor,
        &ListQuery::default().filter("course_id", course_id.to_string()).order_by("role_type").page(ALL, 0),
    )?
    .items;
    let names = person_names(store, roles.iter().map(|r| r.people_id))?;
    Ok(roles
        .into_iter()
        .map(|role| CourseRoleLine { person_name: names.get(&role.people_id).cloned().unwrap_or_default(), role })
        .collect())
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PersonEnrollment {
    pub enrollment: CourseEnrollment,
    pub course_name: String,
    /// Which running of the course: a person who retook it has one line for each.
    pub offering_name: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PersonDetail {
    pub person: Person,
    pub household: Option<Household>,
    /// The other active members of the household.
    pub household_members: Vec<Person>,
    pub campuses: Vec<(PeopleCampus, Campus)>,
    /// Empty unless the actor may read roles.
    pub roles: Vec<(PeopleRole, Role)>,
    /// Only those the actor may see (confidential ones need their own permission).
    pub special_requirements: Vec<SpecialRequirement>,
    pub enrollments: Vec<PersonEnrollment>,
    pub attendance: Vec<AttendanceRecord>,
    /// Whether they have a password on the church's computers; told only to those who invite
    /// people to sign in (`None` for everyone else).
    pub has_password: Option<bool>,
}

pub fn person_detail(store: &Store, actor: &Actor, people_id: Uuid) -> Result<PersonDetail> {
    let person = records::get::<Person>(store, actor, people_id)?;
    let by_person = || ListQuery::default().filter("people_id", people_id.to_string()).page(ALL, 0);
    let (household, household_members) = match person.household_id {
        Some(household_id) => {
            let household = records::get::<Household>(store, actor, household_id)?;
            let members = records::list::<Person>(
                store,
                actor,
                &ListQuery::default()
                    .filter("household_id", household_id.to_string())
                    .order_by("first_name")
                    .page(ALL, 0),
            )?
            .items
            .into_iter()
            .filter(|p| p.meta.id != people_id)
            .collect();
            (Some(household), members)
        }
        None => (None, Vec::new()),
    };

    let mut campuses = Vec::new();
    if actor.can(Permission::CampusesRead) {
        for link in records::list::<PeopleCampus>(store, actor, &by_person())?.items {
            let campus = records::get::<Campus>(store, actor, link.campus_id)?;
            campuses.push((link, campus));
        }
    }
    let mut roles = Vec::new();
    if actor.can(Permission::RolesRead) {
        for link in records::list::<PeopleRole>(store, actor, &by_person())?.items {
            let role = records::get::<Role>(store, actor, link.role_id)?;
            roles.push((link, role));
        }
    }
    let special_requirements = if actor.can(Permission::SpecialRequirementsRead) {
        records::list::<SpecialRequirement>(store, actor, &by_person())?.items
    } else {
        Vec::new()
    };
    let mut enrollments = Vec::new();
    if actor.can(Permission::EnrollmentsRead) && actor.can(Permission::CoursesRead) {
        let list = records::list::<CourseEnrollment>(store, actor, &by_person().order_by("enrollment_date"))?.items;
        let names = course_names(store, list.iter().map(|e| e.course_id))?;
        let offerings = names_of(
            store,
            "SELECT id, name FROM course_offering",
            list.iter().map(crate::office::enrollment::offering_of),
        )?;
        enrollments = list
            .into_iter()
            .map(|enrollment| PersonEnrollment {
                course_name: names.get(&enrollment.course_id).cloned().unwrap_or_default(),
                offering_name: offerings
                    .get(&crate::office::enrollment::offering_of(&enrollment))
                    .cloned()
                    .unwrap_or_default(),
                enrollment,
            })
            .collect();
    }
    let attendance = if actor.can(Permission::AttendanceRead) {
        records::list::<AttendanceRecord>(store, actor, &by_person().order_by("created_at"))?.items
    } else {
        Vec::new()
    };
    Ok(PersonDetail {
        person,
        household,
        household_members,
        campuses,
        roles,
        special_requirements,
        enrollments,
        attendance,
        has_password: match actor.can(Permission::RolesManage) {
            true => Some(crate::access::has_password(store, people_id)?),
            false => None,
        },
    })
}

/// `Person::display_name` in SQL, for the row `alias` names.
pub(crate) fn display_name_sql(alias: &str) -> String {
    format!("COALESCE(NULLIF(TRIM({alias}.nickname), ''), {alias}.first_name) || ' ' || {alias}.last_name")
}

/// Display names ("nickname or first name" + last name) for a set of people, in one query.
pub(crate) fn person_names(store: &Store, ids: impl Iterator<Item = Uuid>) -> Result<HashMap<Uuid, String>> {
    names_of(store, &format!("SELECT id, {} FROM people", display_name_sql("people")), ids)
}

fn course_names(store: &Store, ids: impl Iterator<Item = Uuid>) -> Result<HashMap<Uuid, String>> {
    names_of(store, "SELECT id, name FROM course", ids)
}

fn names_of(store: &Store, select: &str, ids: impl Iterator<Item = Uuid>) -> Result<HashMap<Uuid, String>> {
    let ids: HashSet<String> = ids.map(|id| id.to_string()).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let json = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
    let rows: Vec<(String, String)> =
        store.read(|conn| conn.tuples(&format!("{select} WHERE id IN (SELECT value FROM json_each(?1))"), [json]))?;
    Ok(rows.into_iter().filter_map(|(id, name)| Some((Uuid::parse_str(&id).ok()?, name))).collect())
}
