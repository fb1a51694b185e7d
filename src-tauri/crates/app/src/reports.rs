//! The office's reports (see `cct_store::reports`): each checked against the signed-in person's
//! roles, limited to this computer's campus when it is campus-scoped, and worked out in this
//! computer's local days.

use crate::{App, Reply};
use cct_domain::{Actor, Permission};
use cct_store::office::people;
use cct_store::reports::attendance::{self, AttendanceReport};
use cct_store::reports::certifications::{self, CertificationReport};
use cct_store::reports::funnel::{self, FunnelReport};
use cct_store::reports::rooms::{self, RoomsReport};
use cct_store::reports::visitors::{self, VisitorReport};
use cct_store::reports::{self, csv, ReportFilter, ReportScope};
use cct_store::team::device;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Attendance,
    Visitors,
    Funnel,
    Certifications,
    Rooms,
}

impl ReportKind {
    fn file_stem(self) -> &'static str {
        match self {
            ReportKind::Attendance => "attendance-report",
            ReportKind::Visitors => "visitors-report",
            ReportKind::Funnel => "course-funnel-report",
            ReportKind::Certifications => "certifications-report",
            ReportKind::Rooms => "rooms-report",
        }
    }
}

impl App {
    /// Who asks, the filter checked (the campus forced to this computer's, if it has one) and
    /// today, in this computer's local time.
    fn report_scope(&self, filter: &ReportFilter) -> Reply<(Actor, ReportScope, NaiveDate)> {
        let actor = self.signed_in()?;
        reports::require(&actor)?;
        let campus_scope = device::membership(self.store())?.campus_scope;
        let now = chrono::Local::now();
        let offset_minutes = now.offset().local_minus_utc() / 60;
        let scope = ReportScope::new(filter, campus_scope.as_deref(), offset_minutes)?;
        Ok((actor, scope, now.date_naive()))
    }

    pub fn report_attendance(&self, filter: &ReportFilter) -> Reply<AttendanceReport> {
        let (actor, scope, today) = self.report_scope(filter)?;
        Ok(attendance::attendance_over_time(self.store(), &actor, &scope, today)?)
    }

    pub fn report_visitors(&self, filter: &ReportFilter) -> Reply<VisitorReport> {
        let (actor, scope, today) = self.report_scope(filter)?;
        Ok(visitors::first_time_visitors(self.store(), &actor, &scope, today)?)
    }

    pub fn report_funnel(&self, filter: &ReportFilter) -> Reply<FunnelReport> {
        let (actor, scope, today) = self.report_scope(filter)?;
        Ok(funnel::course_funnel(self.store(), &actor, &scope, today)?)
    }

    pub fn report_certifications(&self, filter: &ReportFilter) -> Reply<CertificationReport> {
        let (actor, scope, today) = self.report_scope(filter)?;
        Ok(certifications::certification_report(self.store(), &actor, &scope, today)?)
    }

    pub fn report_rooms(&self, filter: &ReportFilter) -> Reply<RoomsReport> {
        let (actor, scope, today) = self.report_scope(filter)?;
        Ok(rooms::rooms_report(self.store(), &actor, &scope, today)?)
    }

    /// A report's numbers as a CSV file in the first of `folders` that exists. Carrying the
    /// church's data away in a file needs `data.export` too.
    pub fn export_report_csv(&self, kind: ReportKind, filter: &ReportFilter, folders: &[PathBuf]) -> Reply<PathBuf> {
        let (actor, scope, today) = self.report_scope(filter)?;
        people::require(&actor, Permission::DataExport)?;
        let store = self.store();
        let text = match kind {
            ReportKind::Attendance => csv::attendance(&attendance::attendance_over_time(store, &actor, &scope, today)?),
            ReportKind::Visitors => csv::visitors(&visitors::first_time_visitors(store, &actor, &scope, today)?),
            ReportKind::Funnel => csv::funnel(&funnel::course_funnel(store, &actor, &scope, today)?),
            ReportKind::Certifications => {
                csv::certifications(&certifications::certification_report(store, &actor, &scope, today)?)
            }
            ReportKind::Rooms => csv::rooms(&rooms::rooms_report(store, &actor, &scope, today)?),
        };
        crate::transfer::save_csv(&text, kind.file_stem(), folders)
    }
}
