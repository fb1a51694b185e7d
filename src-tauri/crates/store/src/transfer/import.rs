//! CSV import and export of people and enrollments. An import is first previewed: every row is
//! applied inside one transaction that is then rolled back, so the preview reports exactly the
//! errors the real import would meet (validation, unknown courses, missing prerequisites). The
//! real import commits in batches, reports progress between them, and stops cleanly when
//! cancelled; re-importing the same file updates people matched by e-mail instead of
//! duplicating them.

use super::CsvKind;
use crate::db::{Query, Result, Store, StoreError, WriteTx};
use crate::office::enrollment::{self, EnrollRequest};
use crate::records;
use cct_domain::records::{Household, Person};
use cct_domain::ErrorReport;
use cct_domain::{Actor, Permission, ValidationError};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use ts_rs::TS;
use uuid::Uuid;

/// Rows per committed batch: small enough for steady progress, large enough to be quick.
const BATCH: usize = 200;
/// A preview lists every row's outcome; a file larger than this is refused up front.
pub const MAX_ROWS: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RowOutcome {
    /// The line in the file (the header is line 1).
    pub line: u64,
    /// Who or what the row is about, for the preview table.
    pub summary: String,
    /// `created`, `updated` or `enrolled` when it applies.
    pub action: Option<String>,
    pub error: Option<ErrorReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ImportReport {
    pub rows: Vec<RowOutcome>,
    pub applied: usize,
    pub failed: usize,
    /// Whether the rows that applied were kept (false for a preview).
    pub committed: bool,
    /// The import stopped early; batches before the stop are kept.
    pub cancelled: bool,
    /// Columns of the file this import does not use (shown so a typo is noticed).
    pub ignored_columns: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Preview,
    Commit,
}

struct Parsed {
    rows: Vec<(u64, HashMap<String, String>)>,
    ignored_columns: Vec<String>,
}

fn parse(kind: CsvKind, text: &str) -> Result<Parsed> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> =
        reader.headers().map_err(csv_error)?.iter().map(|h| h.trim().to_lowercase().replace(' ', "_")).collect();
    let (known, required) = kind.columns();
    if kind == CsvKind::People {
        for column in &known[..required] {
            if !headers.iter().any(|h| h == column) {
                return Err(ValidationError::new(
                    "file",
                    format!(
                        "the file has no \"{column}\" column; the first line must name the columns ({})",
                        known.join(", ")
                    ),
                )
                .into());
            }
        }
    } else if !headers.iter().any(|h| h == "course") || !headers.iter().any(|h| h == "email" || h == "person_id") {
        return Err(ValidationError::new(
            "file",
            "the file needs a \"course\" column and an \"email\" or \"person_id\" column",
        )
        .into());
    }
    let ignored_columns = headers.iter().filter(|h| !known.contains(&h.as_str())).cloned().collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let values = headers
            .iter()
            .cloned()
            .zip(record.iter().map(|cell| super::restored(cell).to_owned()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        rows.push((line, values));
        if rows.len() > MAX_ROWS {
            return Err(
                ValidationError::new("file", format!("the file has more than {MAX_ROWS} rows; split it")).into()
            );
        }
    }
    Ok(Parsed { rows, ignored_columns })
}

fn csv_error(error: csv::Error) -> StoreError {
    let line = error.position().map(|p| format!(" (line {})", p.line())).unwrap_or_default();
    ValidationError::new("file", format!("this is not a CSV file this app can read{line}: {error}")).into()
}

/// Previews or runs an import. `progress(done, total)` is called after each committed batch;
/// `cancel` is checked between batches.
pub fn import(
    store: &Store,
    actor: &Actor,
    kind: CsvKind,
    text: &str,
    mode: Mode,
    cancel: &AtomicBool,
    mut progress: impl FnMut(usize, usize),
) -> Result<ImportReport> {
    crate::office::people::require(
        actor,
        if kind == CsvKind::People { Permission::PeopleWrite } else { Permission::EnrollmentsWrite },
    )?;
    let Parsed { rows, ignored_columns } = parse(kind, text)?;
    let total = rows.len();
    let mut report = ImportReport {
        rows: Vec::with_capacity(total),
        applied: 0,
        failed: 0,
        committed: mode == Mode::Commit,
        cancelled: false,
        ignored_columns,
    };
    let batch_size = if mode == Mode::Preview { total.max(1) } else { BATCH };
    for batch in rows.chunks(batch_size) {
        if mode == Mode::Commit && cancel.load(Ordering::SeqCst) {
            report.cancelled = true;
            break;
        }
        let mut tx = store.begin_write(actor)?;
        for (line, values) in batch {
            let outcome = tx.savepoint(|tx| match kind {
                CsvKind::People => apply_person(tx, values),
                CsvKind::Enrollments => apply_enrollment(tx, values),
            });
            let (summary, action, error) = match outcome {
                Ok((summary, action)) => {
                    report.applied += 1;
                    (summary, Some(action.to_owned()), None)
                }
                Err(error) => {
                    report.failed += 1;
                    (summary_of(kind, values), None, Some(error.report()))
                }
            };
            report.rows.push(RowOutcome { line: *line, summary, action, error });
        }
        if mode == Mode::Commit {
            tx.commit()?;
            progress(report.rows.len(), total);
        }
        // A preview's transaction is dropped here, which rolls every row back.
    }
    Ok(report)
}

fn summary_of(kind: CsvKind, values: &HashMap<String, String>) -> String {
    let get = |k: &str| values.get(k).map(String::as_str).unwrap_or("");
    match kind {
        CsvKind::People => format!("{} {}", get("first_name"), get("last_name")).trim().to_owned(),
        CsvKind::Enrollments => {
            format!("{} → {}", if get("email").is_empty() { get("person_id") } else { get("email") }, get("course"))
        }
    }
}

fn apply_person(tx: &mut WriteTx<'_>, values: &HashMap<String, String>) -> Result<(String, &'static str)> {
    let get = |k: &str| values.get(k).cloned();
    let date_of_birth = match values.get("date_of_birth") {
        Some(text) => Some(parse_date("date_of_birth", text)?),
        None => None,
    };
    let household = match values.get("household_name") {
        Some(name) => Some(household_named(tx, name)?),
        None => None,
    };
    let existing = match (values.get("id"), values.get("email")) {
        (Some(id), _) => {
            let id = Uuid::parse_str(id).map_err(|_| {
                ValidationError::new("id", format!("\"{id}\" is not a person id; leave it empty for someone new"))
            })?;
            Some(records::get_in::<Person>(tx, id).map_err(|_| {
                ValidationError::new("id", format!("no person has id {id}; leave it empty for someone new"))
            })?)
        }
        (None, Some(email)) => person_with_email(tx, email)?,
        (None, None) => None,
    };
    let is_new = existing.is_none();
    let mut person = existing.unwrap_or_default();
    // Only what the file gives replaces what is stored: an empty cell never erases.
    person.first_name = get("first_name").unwrap_or(person.first_name);
    person.last_name = get("last_name").unwrap_or(person.last_name);
    person.nickname = get("nickname").or(person.nickname);
    person.email = get("email").or(person.email);
    person.phone = get("phone").or(person.phone);
    person.date_of_birth = date_of_birth.or(person.date_of_birth);
    person.gender = get("gender").or(person.gender);
    person.address1 = get("address1").or(person.address1);
    person.address2 = get("address2").or(person.address2);
    person.city = get("city").or(person.city);
    person.state = get("state").or(person.state);
    person.zip = get("zip").or(person.zip);
    if let Some(household) = household {
        person.household_id = Some(household.meta.id);
        person.household_name = Some(household.name);
    }
    let saved = if is_new { records::insert(tx, person)? } else { records::update(tx, person)? };
    Ok((saved.display_name(), if is_new { "created" } else { "updated" }))
}

fn apply_enrollment(tx: &mut WriteTx<'_>, values: &HashMap<String, String>) -> Result<(String, &'static str)> {
    let person = match (values.get("person_id"), values.get("email")) {
        (Some(id), _) => {
            let id = Uuid::parse_str(id)
                .map_err(|_| ValidationError::new("person_id", format!("\"{id}\" is not a person id")))?;
            records::get_in::<Person>(tx, id)
                .map_err(|_| ValidationError::new("person_id", format!("no person has id {id}")))?
        }
        (None, Some(email)) => person_with_email(tx, email)?
            .ok_or_else(|| ValidationError::new("email", format!("no one has the e-mail {email}")))?,
        (None, None) => return Err(ValidationError::new("email", "name the person by e-mail or person_id").into()),
    };
    let course_name = values.get("course").ok_or_else(|| ValidationError::new("course", "name the course"))?;
    let course_id = tx
        .conn()
        .id(
            "SELECT id FROM course WHERE lower(name) = lower(?1) AND is_active = 1 ORDER BY created_at LIMIT 1",
            [course_name],
        )?
        .ok_or_else(|| ValidationError::new("course", format!("no course is named \"{course_name}\"")))?;
    // The offering by name; none named enrolls in the course's next one.
    let offering_id = match values.get("offering") {
        Some(name) => Some(
            tx.conn()
                .id(
                    "SELECT id FROM course_offering WHERE course_id = ?1 AND lower(name) = lower(?2) AND is_active = 1
                     ORDER BY created_at LIMIT 1",
                    [course_id.to_string(), name.clone()],
                )?
                .ok_or_else(|| {
                    ValidationError::new("offering", format!("{course_name} has no offering named \"{name}\""))
                })?,
        ),
        None => None,
    };
    let request = EnrollRequest {
        people_id: person.meta.id,
        course_id,
        offering_id,
        notes: values.get("notes").cloned(),
        override_reason: values.get("override_reason").cloned(),
    };
    enrollment::enroll(tx, request)?;
    Ok((format!("{} → {course_name}", person.display_name()), "enrolled"))
}

fn parse_date(field: &'static str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%m/%d/%Y"))
        .map_err(|_| ValidationError::new(field, format!("\"{text}\" is not a date; write it as 2014-03-27")).into())
}

fn person_with_email(tx: &WriteTx<'_>, email: &str) -> Result<Option<Person>> {
    tx.conn().record(
        "people",
        "SELECT * FROM people WHERE lower(email) = lower(?1) AND is_active = 1 ORDER BY created_at LIMIT 1",
        [email],
    )
}

fn household_named(tx: &mut WriteTx<'_>, name: &str) -> Result<Household> {
    match tx
        .conn()
        .id("SELECT id FROM household WHERE name = ?1 AND is_active = 1 ORDER BY created_at LIMIT 1", [name])?
    {
        Some(id) => records::get_in(tx, id),
        None => records::insert(tx, Household { name: name.to_owned(), ..Default::default() }),
    }
}
