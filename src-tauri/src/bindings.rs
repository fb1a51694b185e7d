//! The TypeScript types the UI uses (`ui/src/bindings.ts`), generated from the Rust types the
//! commands take and return, so the two sides cannot drift apart. A test fails when the file
//! is stale; `CCT_WRITE_BINDINGS=1 cargo test -p church-course-tracker bindings` rewrites it.

use ts_rs::TS;

macro_rules! declarations {
    ($($T:ty),* $(,)?) => {
        vec![$(format!("export {}", <$T as TS>::decl())),*]
    };
}

pub fn typescript() -> String {
    use cct_app::{planning_center, records, station, status, team, transfer};
    use cct_domain::records::*;
    use cct_store::checkin;
    use cct_store::office::{attendance, audit, certifications, enrollment, households, progress, settings, views};
    use cct_store::planning_center::{duplicates, outbox, people, runs};
    let declarations = declarations![
        // Records, as the store keeps them.
        cct_domain::Timestamp,
        cct_domain::RecordMeta,
        cct_domain::Permission,
        Person,
        PersonStatus,
        Household,
        PeopleCampus,
        PeopleRole,
        SpecialRequirement,
        PickupContact,
        RequirementType,
        Severity,
        Visibility,
        Campus,
        Role,
        Facility,
        Course,
        CoursePrerequisite,
        ContentType,
        CourseModule,
        Content,
        CourseRole,
        CourseRoleType,
        Assessment,
        ClassSession,
        SessionStatus,
        CourseEnrollment,
        EnrollmentStatus,
        RegistrationStatus,
        ContentCompletion,
        AssessmentAttempt,
        AttendanceRecord,
        AttendanceStatus,
        ReleaseMethod,
        Certification,
        CertificationCourse,
        CertificationProgress,
        CertificationStatus,
        CertificationSource,
        CertificationRecord,
        CourseOffering,
        OfferingPhase,
        Grading,
        // What every command answers with when it fails.
        cct_domain::ErrorReport,
        cct_domain::ErrorCode,
        // What the commands take and return.
        status::AppStatus,
        status::SignedIn,
        cct_app::session::SignInScreen,
        cct_store::access::RecentPerson,
        cct_store::access::Who,
        cct_store::access::Invitation,
        cct_store::access::InvitationPurpose,
        cct_store::office::setup::FirstAdministrator,
        cct_store::demo::DemoSummary,
        records::RecordKind,
        cct_store::ListQuery,
        cct_store::Page<()>,
        views::CourseDetail,
        cct_store::planning_center::caches::CachedEvent,
        views::ModuleOutline,
        views::EnrollmentLine,
        views::CourseRoleLine,
        views::PersonDetail,
        views::PersonEnrollment,
        households::HouseholdMove,
        enrollment::EnrollRequest,
        progress::CompletionInput,
        attendance::MarkAttendance,
        attendance::RosterLine,
        certifications::CertificationStanding,
        certifications::StandingFilter,
        certifications::HistoryLine,
        cct_store::office::offerings::OfferingSummary,
        cct_store::office::assessments::AttemptInput,
        cct_store::office::renewals::RenewalDue,
        cct_domain::rules::certification::Standing,
        settings::OfficeRules,
        settings::ChurchSetting,
        audit::AuditEntry,
        audit::AuditComputer,
        audit::AuditQuery,
        cct_store::transfer::CsvKind,
        cct_store::transfer::ImportReport,
        cct_store::transfer::RowOutcome,
        transfer::ImportProgress,
        checkin::FamilySearch,
        checkin::Family,
        checkin::FamilyMember,
        checkin::StationPerson,
        checkin::Presence,
        checkin::Pickup,
        checkin::PickupChild,
        checkin::PickupPerson,
        checkin::Collector,
        checkin::Released,
        checkin::RoomNow,
        checkin::RoomPerson,
        station::StaffApproval,
        checkin::Label,
        checkin::GuardianTag,
        checkin::CheckInResult,
        checkin::VisitorInput,
        checkin::VisitorOutcome,
        checkin::station::KioskStart,
        checkin::station::KioskView,
        checkin::station::StationLetterCheck,
        station::Readiness,
        station::SessionReadiness,
        // Label printing.
        cct_labels::LabelSize,
        cct_labels::PrinterChoice,
        cct_labels::PrinterConnection,
        cct_labels::PrinterAnswer,
        cct_labels::LabelLayout,
        cct_labels::layout::Item,
        cct_app::printing::PrinterTest,
        // Reports.
        cct_store::reports::ReportFilter,
        cct_store::reports::Count,
        cct_store::reports::attendance::AttendanceReport,
        cct_store::reports::attendance::Series,
        cct_store::reports::visitors::VisitorReport,
        cct_store::reports::visitors::VisitorWeek,
        cct_store::reports::visitors::Visitor,
        cct_store::reports::funnel::FunnelReport,
        cct_store::reports::funnel::CourseFunnel,
        cct_store::reports::certifications::CertificationReport,
        cct_store::reports::certifications::ServedWithout,
        cct_store::reports::rooms::RoomsReport,
        cct_store::reports::rooms::RoomSession,
        cct_app::reports::ReportKind,
        cct_labels::printer::OsPrinter,
        checkin::printing::PrintQueueView,
        checkin::printing::PrintJobView,
        cct_app::printing::StationPrinters,
        cct_app::printing::LabelSizeChoice,
        crate::updates::UpdateInfo,
        crate::updates::UpdateStatus,
        crate::updates::UpdateProgress,
        // Backups and recovery.
        cct_app::backups::BackupStatus,
        cct_app::backups::BackupSetup,
        cct_app::backups::LastBackup,
        cct_app::backups::Failure,
        cct_store::db::BackupProgress,
        cct_store::db::BackupContents,
        cct_store::db::Restored,
        // Team sync.
        team::TeamStatus,
        cct_store::team::device::DeviceMembership,
        cct_store::team::apply::WaitingChange,
        cct_store::team::fold::FoldMade,
        cct_team::membership::TeamDevice,
        cct_team::compaction::CompactionStatus,
        cct_team::compaction::Snapshot,
        cct_team::exchange::ExchangeReport,
        cct_team::exchange::ExchangeProgress,
        // Planning Center and sync.
        planning_center::PlanningCenterStatus,
        planning_center::FieldDefinition,
        planning_center::Workflow,
        planning_center::SignIn,
        planning_center::FieldTarget,
        runs::SyncRun,
        runs::Direction,
        outbox::OutboxProblem,
        people::SyncConflict,
        duplicates::PossibleDuplicate,
        cct_store::planning_center::mergers::AppliedMerger,
        cct_store::planning_center::runs::WebhookEventSummary,
        duplicates::DuplicateCandidate,
        duplicates::DuplicateStatus,
        duplicates::DuplicateResolution,
        cct_sync::Progress,
        cct_sync::Phase,
        cct_sync::SyncReport,
        cct_sync::webhooks::Subscribed,
    ];
    let mut text = String::from(
        "// Generated from the Rust types by src-tauri/src/bindings.rs. Do not edit; run\n\
         // `CCT_WRITE_BINDINGS=1 cargo test -p church-course-tracker bindings` after changing them.\n\n",
    );
    text.push_str("export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;\n\n");
    for declaration in declarations {
        // ts-rs writes i64 as `bigint`, but the IPC carries JSON numbers; every count and size
        // here stays far below 2^53.
        text.push_str(&declaration.replace("bigint", "number"));
        text.push_str("\n\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn bindings_match_the_rust_types() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings.ts");
        let generated = super::typescript();
        if std::env::var_os("CCT_WRITE_BINDINGS").is_some() {
            std::fs::write(&path, &generated).expect("write ui/src/bindings.ts");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "ui/src/bindings.ts is stale: run `CCT_WRITE_BINDINGS=1 cargo test -p church-course-tracker bindings`"
        );
    }
}
