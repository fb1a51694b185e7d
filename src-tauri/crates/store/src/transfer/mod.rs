//! CSV in and out: importing people and enrollments (previewed first, then committed in
//! batches), and exporting people, enrollments and attendance.

pub mod export;
pub mod import;

pub use export::{attendance_csv, export_enrollments, export_people};
pub use import::{import, ImportReport, Mode, RowOutcome, MAX_ROWS};

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use ts_rs::TS;

/// What makes a spreadsheet run a cell as a formula when it starts the cell (OWASP's list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as exported: a value a spreadsheet would run as a formula (a visitor named
/// `=HYPERLINK(…)`) gets a leading `'`, which spreadsheets show as text and never run.
pub(crate) fn defused(value: &str) -> Cow<'_, str> {
    if value.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// A cell as imported: the `'` an export put before a formula-like value comes off, so a file
/// exported and imported again holds what was entered (`+1 555 0100` stays a phone number).
pub(crate) fn restored(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => value,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CsvKind {
    People,
    Enrollments,
}

impl CsvKind {
    /// The columns an import understands; the first `required` of them must be present.
    pub(crate) fn columns(self) -> (&'static [&'static str], usize) {
        match self {
            CsvKind::People => (PEOPLE_IMPORT_COLUMNS, 2),
            CsvKind::Enrollments => (ENROLLMENT_IMPORT_COLUMNS, 1),
        }
    }
}

pub(crate) const PEOPLE_COLUMNS: &[&str] = &[
    "first_name",
    "last_name",
    "nickname",
    "email",
    "phone",
    "date_of_birth",
    "gender",
    "address1",
    "address2",
    "city",
    "state",
    "zip",
    "household_name",
];
/// An exported file carries each person's `id`, so importing it back updates them.
pub(crate) const PEOPLE_IMPORT_COLUMNS: &[&str] = &[
    "first_name",
    "last_name",
    "nickname",
    "email",
    "phone",
    "date_of_birth",
    "gender",
    "address1",
    "address2",
    "city",
    "state",
    "zip",
    "household_name",
    "id",
];
/// `course` is required; the person is named by `email` or `person_id`.
pub(crate) const ENROLLMENT_IMPORT_COLUMNS: &[&str] =
    &["course", "offering", "email", "person_id", "override_reason", "notes"];
