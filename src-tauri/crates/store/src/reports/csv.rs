//! Each report as a CSV table: the numbers beside its chart, one row per week, course, month or
//! session, quoted as RFC 4180 asks and with formulas defused (a course named `=HYPERLINK(…)`
//! stays text in a spreadsheet).

use super::attendance::AttendanceReport;
use super::certifications::CertificationReport;
use super::funnel::FunnelReport;
use super::rooms::RoomsReport;
use super::visitors::VisitorReport;
use crate::transfer::export::csv_field;

fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut csv = header.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(",");
    csv.push_str("\r\n");
    for row in rows {
        csv.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        csv.push_str("\r\n");
    }
    csv
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

fn optional<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// A week per row: the total, a year before, then a column per course.
pub fn attendance(report: &AttendanceReport) -> String {
    let mut header = vec!["week", "total", "a year before"];
    header.extend(report.by_course.iter().map(|s| s.name.as_str()));
    let rows = report.weeks.iter().enumerate().map(|(i, week)| {
        let mut row = vec![week.clone(), report.total[i].to_string(), report.year_before[i].to_string()];
        row.extend(report.by_course.iter().map(|s| s.counts[i].to_string()));
        row
    });
    table(&header, rows)
}

/// The weeks, then (for those allowed to read people) each visitor to follow up.
pub fn visitors(report: &VisitorReport) -> String {
    let mut csv = table(
        &["week", "first-time visitors", "came back within 4 weeks"],
        report.weeks.iter().map(|w| vec![w.week.clone(), w.first_timers.to_string(), w.came_back.to_string()]),
    );
    if report.follow_up_shown {
        csv.push_str("\r\n");
        csv.push_str(&table(
            &["name", "first visit", "came back", "phone", "email"],
            report.follow_up.iter().map(|v| {
                vec![
                    v.name.clone(),
                    v.first_visit.clone(),
                    yes_no(v.came_back),
                    optional(v.phone.clone()),
                    optional(v.email.clone()),
                ]
            }),
        ));
    }
    csv
}

pub fn funnel(report: &FunnelReport) -> String {
    table(
        &[
            "course",
            "enrolled",
            "started",
            "completed",
            "dropped",
            "median days to complete",
            "stalled at",
            "stalled there",
        ],
        report.courses.iter().map(|c| {
            vec![
                c.course.clone(),
                c.enrolled.to_string(),
                c.started.to_string(),
                c.completed.to_string(),
                c.dropped.to_string(),
                optional(c.median_days_to_complete),
                optional(c.stalled_at.as_ref().map(|s| s.label.clone())),
                optional(c.stalled_at.as_ref().map(|s| s.count)),
            ]
        }),
    )
}

pub fn certifications(report: &CertificationReport) -> String {
    let mut csv = table(
        &["month", "expiring"],
        report.expiring_by_month.iter().map(|m| vec![m.label.clone(), m.count.to_string()]),
    );
    csv.push_str("\r\n");
    csv.push_str(&table(
        &["certification", "expired"],
        report.expired_by_certification.iter().map(|c| vec![c.label.clone(), c.count.to_string()]),
    ));
    if !report.served_without_list.is_empty() {
        csv.push_str("\r\n");
        csv.push_str(&table(
            &["served without a valid certification", "session", "day", "certification"],
            report
                .served_without_list
                .iter()
                .map(|s| vec![s.name.clone(), s.session.clone(), s.day.clone(), optional(s.certification.clone())]),
        ));
    }
    csv
}

pub fn rooms(report: &RoomsReport) -> String {
    table(
        &[
            "session",
            "starts",
            "room",
            "capacity",
            "children",
            "adults serving",
            "children per adult",
            "over capacity",
            "ratio met",
            "released without code",
        ],
        report.sessions.iter().map(|s| {
            vec![
                s.session.clone(),
                s.starts_at.clone(),
                optional(s.room.clone()),
                optional(s.capacity),
                s.children.to_string(),
                s.adults.to_string(),
                optional(s.children_per_adult),
                yes_no(s.over_capacity),
                optional(s.ratio_met.map(yes_no)),
                s.released_without_code.to_string(),
            ]
        }),
    )
}
