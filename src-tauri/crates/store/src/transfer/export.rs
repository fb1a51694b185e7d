//! Exports to CSV: people and enrollments in the columns an import reads back, and attendance
//! for staff who enter it in Planning Center by hand.

use super::{defused, PEOPLE_COLUMNS};
use crate::db::{Query, Result, Store, StoreError};
use cct_domain::records::Person;
use cct_domain::{Actor, Permission, Timestamp};

/// Every active person, in the columns an import reads back (plus their id).
pub fn export_people(store: &Store, actor: &Actor) -> Result<String> {
    crate::office::people::require(actor, Permission::DataExport)?;
    crate::office::people::require(actor, Permission::PeopleRead)?;
    let people: Vec<Person> = store.read(|conn| {
        conn.records("people", "SELECT * FROM people WHERE is_active = 1 ORDER BY last_name, first_name", [])
    })?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["id"];
    header.extend_from_slice(PEOPLE_COLUMNS);
    out.write_record(&header).map_err(write_error)?;
    for person in people {
        let date = person.date_of_birth.map(|d| d.to_string());
        let cells = [
            Some(person.meta.id.to_string()),
            Some(person.first_name),
            Some(person.last_name),
            person.nickname,
            person.email,
            person.phone,
            date,
            person.gender,
            person.address1,
            person.address2,
            person.city,
            person.state,
            person.zip,
            person.household_name,
        ];
        out.write_record(cells.iter().map(|c| defused(c.as_deref().unwrap_or("")).into_owned()))
            .map_err(write_error)?;
    }
    finish(out)
}

/// Every active enrollment with its person, course and offering by name (a person who retook a
/// course has a row for each offering).
pub fn export_enrollments(store: &Store, actor: &Actor) -> Result<String> {
    crate::office::people::require(actor, Permission::DataExport)?;
    crate::office::people::require(actor, Permission::EnrollmentsRead)?;
    crate::office::people::require(actor, Permission::PeopleRead)?;
    let rows: Vec<EnrollmentExportRow> = store.read(|conn| {
        conn.records(
            "course_enrollment",
            "SELECT p.id AS person_id, p.first_name || ' ' || p.last_name AS person, p.email, c.name AS course,
                    o.name AS offering, e.status, e.registration_status,
                    e.progress_percentage, e.enrollment_date, e.completion_date, e.dependency_override_reason AS override_reason, e.notes
             FROM course_enrollment e JOIN people p ON p.id = e.people_id JOIN course c ON c.id = e.course_id
             LEFT JOIN course_offering o ON o.id = e.offering_id
             WHERE e.is_active = 1 ORDER BY c.name, p.last_name, p.first_name, e.enrollment_date",
            [],
        )
    })?;
    let mut out = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    out.write_record([
        "person_id",
        "person",
        "email",
        "course",
        "offering",
        "status",
        "registration_status",
        "progress_percentage",
        "enrollment_date",
        "completion_date",
        "override_reason",
        "notes",
    ])
    .map_err(write_error)?;
    for row in rows {
        let progress = row.progress_percentage.to_string();
        let cells = [
            Some(row.person_id.as_str()),
            Some(row.person.as_str()),
            row.email.as_deref(),
            Some(row.course.as_str()),
            row.offering.as_deref(),
            Some(row.status.as_str()),
            Some(row.registration_status.as_str()),
            Some(progress.as_str()),
            Some(row.enrollment_date.as_str()),
            row.completion_date.as_deref(),
            row.override_reason.as_deref(),
            row.notes.as_deref(),
        ];
        out.write_record(cells.iter().map(|c| defused(c.unwrap_or("")).into_owned())).map_err(write_error)?;
    }
    finish(out)
}

#[derive(Debug, serde::Deserialize)]
struct EnrollmentExportRow {
    person_id: String,
    person: String,
    email: Option<String>,
    course: String,
    offering: Option<String>,
    status: String,
    registration_status: String,
    progress_percentage: f64,
    enrollment_date: String,
    completion_date: Option<String>,
    override_reason: Option<String>,
    notes: Option<String>,
}

fn write_error(error: csv::Error) -> StoreError {
    StoreError::Constraint(format!("the CSV could not be written: {error}"))
}

fn finish(out: csv::Writer<Vec<u8>>) -> Result<String> {
    let bytes = out.into_inner().map_err(|e| StoreError::Constraint(format!("the CSV could not be written: {e}")))?;
    String::from_utf8(bytes).map_err(|e| StoreError::Constraint(format!("the CSV is not UTF-8: {e}")))
}

/// One line of the attendance export, as its statement names the columns.
#[derive(serde::Deserialize)]
struct AttendanceExportRow {
    course: String,
    session: String,
    starts_at: String,
    person: String,
    planning_center_id: Option<String>,
    status: String,
    check_in_at: Option<String>,
    check_out_at: Option<String>,
}

/// Attendance as CSV for staff who want to enter it in Planning Center by hand: Planning
/// Center's API cannot create check-ins or attendance, so this product is their record.
pub fn attendance_csv(store: &Store, actor: &Actor, from: Timestamp, to: Timestamp) -> Result<String> {
    crate::office::people::require(actor, Permission::DataExport)?;
    crate::office::people::require(actor, Permission::AttendanceRead)?;
    let rows: Vec<AttendanceExportRow> = store.read(|conn| {
        conn.records(
            "attendance_record",
            "SELECT c.name AS course, s.title AS session, s.starts_at, p.first_name || ' ' || p.last_name AS person,
                    p.planning_center_id, a.status, a.check_in_at, a.check_out_at
             FROM attendance_record a
             JOIN class_session s ON s.id = a.class_session_id
             JOIN course c ON c.id = s.course_id
             JOIN people p ON p.id = a.people_id
             WHERE a.is_active = 1 AND s.starts_at >= ?1 AND s.starts_at < ?2
             ORDER BY s.starts_at, c.name, p.last_name, p.first_name",
            [from.to_rfc3339(), to.to_rfc3339()],
        )
    })?;
    let mut csv = String::from(
        "course,session,session_starts_at,person,planning_center_person_id,status,checked_in_at,checked_out_at\r\n",
    );
    for row in rows {
        let fields = [
            row.course,
            row.session,
            row.starts_at,
            row.person,
            row.planning_center_id.unwrap_or_default(),
            row.status,
            row.check_in_at.unwrap_or_default(),
            row.check_out_at.unwrap_or_default(),
        ];
        csv.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        csv.push_str("\r\n");
    }
    Ok(csv)
}

/// RFC 4180 quoting, and a leading quote on values a spreadsheet would run as a formula.
pub(crate) fn csv_field(value: &str) -> String {
    let value = defused(value);
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.into_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(super::csv_field("plain"), "plain");
        assert_eq!(super::csv_field("Smith, Ann"), "\"Smith, Ann\"");
        assert_eq!(super::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(super::csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(super::csv_field("\tcmd"), "'\tcmd");
    }

    #[test]
    fn every_formula_start_is_defused_and_restored_as_entered() {
        for value in ["=1+2", "+1 555 0100", "-3", "@SUM(A1)", "\tx", "\rx", "plain", "'quoted", "O'Brien"] {
            let exported = super::super::defused(value);
            assert!(!exported.starts_with(['=', '+', '-', '@', '\t', '\r']), "{value:?}");
            assert_eq!(super::super::restored(&exported), value, "{value:?} round-trips");
        }
    }
}
