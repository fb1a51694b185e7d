//! The station's print queue. A check-in writes its labels here in its own transaction; a
//! worker prints them after it commits, each job on its own, retrying with a growing wait while
//! the printer does not answer. So check-in is never held up by a printer, a label is never lost
//! to one, and a label that printed is never printed again by the queue.

use super::CheckInResult;
use crate::db::{Query, Result, Store, StoreError, WriteTx};
use cct_domain::{Actor, Timestamp};
use cct_labels::{LabelContent, PrinterChoice};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

/// The first retry waits this long; each further one twice as long, up to [`LONGEST_WAIT_SECS`].
pub const FIRST_WAIT_SECS: i64 = 2;
/// A printer switched back on is found within this long.
pub const LONGEST_WAIT_SECS: i64 = 60;
/// The queue the station shows: today's jobs, the latest first, at most this many.
const SHOWN: i64 = 30;

/// A label waiting to print.
#[derive(Debug, Clone)]
pub struct QueuedLabel {
    pub id: Uuid,
    pub printer: PrinterChoice,
    pub content: LabelContent,
    pub attempts: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PrintJobView {
    pub id: Uuid,
    pub description: String,
    /// `waiting`, `printed` or `cancelled`.
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub made_at: String,
    pub printed_at: Option<String>,
}

/// What the station shows of its queue: "printer not answering: 3 labels waiting".
#[derive(Debug, Clone, Serialize, TS)]
pub struct PrintQueueView {
    pub waiting: i64,
    /// The last refusal of a job still waiting.
    pub last_error: Option<String>,
    pub jobs: Vec<PrintJobView>,
}

/// Queues one job per label, in the check-in's transaction.
pub fn enqueue(
    tx: &mut WriteTx<'_>,
    station: &str,
    printer: &PrinterChoice,
    labels: &[LabelContent],
) -> Result<Vec<Uuid>> {
    let printer_json = serde_json::to_string(printer).map_err(json_error)?;
    let now = tx.now().to_rfc3339();
    let mut ids = Vec::with_capacity(labels.len());
    for label in labels {
        let id = Uuid::now_v7();
        let content = serde_json::to_string(label).map_err(json_error)?;
        tx.conn().execute(
            "INSERT INTO print_job (id, station, made_at, description, printer, content, next_attempt_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?3)",
            rusqlite::params![id.to_string(), station, now, label.description(), printer_json, content],
        )?;
        ids.push(id);
    }
    Ok(ids)
}

fn json_error(error: serde_json::Error) -> StoreError {
    StoreError::CorruptRecord { table: "print_job".into(), source: error }
}

/// Labels whose time to print has come, oldest first.
pub fn due(store: &Store, now: Timestamp, limit: i64) -> Result<Vec<QueuedLabel>> {
    let rows: Vec<(String, String, Option<String>, i64)> = store.read(|conn| {
        conn.tuples(
            "SELECT id, printer, content, attempts FROM print_job
             WHERE state = 'waiting' AND next_attempt_at <= ?1 ORDER BY made_at, id LIMIT ?2",
            rusqlite::params![now.to_rfc3339(), limit],
        )
    })?;
    let mut due = Vec::new();
    for (id, printer, content, attempts) in rows {
        let (Ok(id), Ok(printer), Some(Ok(content))) = (
            Uuid::parse_str(&id),
            serde_json::from_str::<PrinterChoice>(&printer),
            content.as_deref().map(serde_json::from_str::<LabelContent>),
        ) else {
            // A job this release cannot read stays in the queue, shown, and is never printed.
            continue;
        };
        due.push(QueuedLabel { id, printer, content, attempts });
    }
    Ok(due)
}

/// When the next job falls due, if any is waiting.
pub fn next_due_at(store: &Store) -> Result<Option<Timestamp>> {
    let next: Option<String> =
        store.read(|conn| conn.scalar("SELECT min(next_attempt_at) FROM print_job WHERE state = 'waiting'", []))?;
    Ok(next.and_then(|at| Timestamp::parse(&at).ok()))
}

/// The printer took the job: its content (the code) is cleared, and it is never sent again.
pub fn mark_printed(store: &Store, id: Uuid, answer: &str) -> Result<()> {
    store.write(&Actor::system(), |tx| {
        let now = tx.now().to_rfc3339();
        tx.conn().execute(
            "UPDATE print_job SET state = 'printed', content = NULL, printed_at = ?2, answer = ?3, last_error = NULL,
                    attempts = attempts + 1
             WHERE id = ?1 AND state = 'waiting'",
            rusqlite::params![id.to_string(), now, answer],
        )?;
        Ok(())
    })
}

/// The printer did not take the job: it waits twice as long as last time (see
/// [`FIRST_WAIT_SECS`]) and says why.
pub fn mark_failed(store: &Store, id: Uuid, error: &str) -> Result<Timestamp> {
    store.write(&Actor::system(), |tx| {
        let attempts: i64 = tx.conn().scalar("SELECT attempts FROM print_job WHERE id = ?1", [id.to_string()])?;
        let wait = retry_wait_secs(attempts + 1);
        let next = Timestamp::from(tx.now().as_datetime() + chrono::Duration::seconds(wait));
        tx.conn().execute(
            "UPDATE print_job SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3
             WHERE id = ?1 AND state = 'waiting'",
            rusqlite::params![id.to_string(), error, next.to_rfc3339()],
        )?;
        Ok(next)
    })
}

/// The wait after the `attempts`-th failed try.
pub fn retry_wait_secs(attempts: i64) -> i64 {
    let doublings = attempts.clamp(1, 16) - 1;
    (FIRST_WAIT_SECS << doublings).min(LONGEST_WAIT_SECS)
}

/// A volunteer's *Print now*: the waiting jobs of this station are tried again at once.
pub fn retry_now(store: &Store, station: &str) -> Result<i64> {
    store.write(&Actor::system(), |tx| {
        let now = tx.now().to_rfc3339();
        Ok(tx.conn().execute(
            "UPDATE print_job SET next_attempt_at = ?2 WHERE station = ?1 AND state = 'waiting'",
            rusqlite::params![station, now],
        )? as i64)
    })
}

/// A volunteer's *Cancel*: a waiting job is dropped with its content (the family has left).
pub fn cancel(store: &Store, actor: &Actor, station: &str, id: Uuid) -> Result<()> {
    store.write(actor, |tx| {
        let changed = tx.conn().execute(
            "UPDATE print_job SET state = 'cancelled', content = NULL WHERE id = ?1 AND station = ?2 AND state = 'waiting'",
            rusqlite::params![id.to_string(), station],
        )?;
        if changed == 0 {
            return Err(StoreError::Conflict { field: "id", message: "that label is not waiting to print".into() });
        }
        Ok(())
    })
}

/// The station's queue today.
pub fn view(store: &Store, station: &str, today: &str) -> Result<PrintQueueView> {
    store.read(|conn| {
        let waiting: i64 =
            conn.scalar("SELECT count(*) FROM print_job WHERE station = ?1 AND state = 'waiting'", [station])?;
        let last_error: Option<String> = conn.scalar(
            "SELECT (SELECT last_error FROM print_job WHERE station = ?1 AND state = 'waiting'
                     AND last_error IS NOT NULL ORDER BY next_attempt_at DESC LIMIT 1)",
            [station],
        )?;
        type Row = (String, String, String, i64, Option<String>, String, Option<String>);
        let rows: Vec<Row> = conn.tuples(
            "SELECT id, description, state, attempts, last_error, made_at, printed_at FROM print_job
             WHERE station = ?1 AND (state = 'waiting' OR made_at >= ?2) ORDER BY made_at DESC, id DESC LIMIT ?3",
            rusqlite::params![station, today, SHOWN],
        )?;
        let jobs = rows
            .into_iter()
            .filter_map(|(id, description, state, attempts, last_error, made_at, printed_at)| {
                Some(PrintJobView {
                    id: Uuid::parse_str(&id).ok()?,
                    description,
                    state,
                    attempts,
                    last_error,
                    made_at,
                    printed_at,
                })
            })
            .collect();
        Ok(PrintQueueView { waiting, last_error, jobs })
    })
}

/// The labels of a check-in, as they print: a child's label for each child (their code, their
/// alerts and a mark for each kind of alert), a name tag for each adult, and the family's
/// guardian tag last.
pub fn contents_of(result: &CheckInResult, date: &str) -> Vec<LabelContent> {
    let mut contents: Vec<LabelContent> = result
        .labels
        .iter()
        .map(|label| match &label.security_code {
            Some(code) => LabelContent::Child {
                name: label.name.clone(),
                code: code.clone(),
                session: label.session.clone(),
                room: label.room.clone(),
                date: date.to_owned(),
                marks: marks_of(&label.alerts),
                alerts: label.alerts.clone(),
            },
            None => LabelContent::NameTag {
                name: label.name.clone(),
                session: label.session.clone(),
                date: date.to_owned(),
            },
        })
        .collect();
    if let Some(tag) = &result.guardian_tag {
        contents.push(LabelContent::Guardian {
            code: tag.security_code.clone(),
            children: tag.children.clone(),
            date: date.to_owned(),
        });
    }
    contents
}

/// "ALLERGY: peanuts" and "MEDICAL: asthma" give the marks ALLERGY and MEDICAL, once each.
fn marks_of(alerts: &[String]) -> Vec<String> {
    let mut marks: Vec<String> = Vec::new();
    for alert in alerts {
        let kind = alert.split_once(':').map(|(kind, _)| kind.trim().to_uppercase()).unwrap_or_default();
        if !kind.is_empty() && !marks.contains(&kind) {
            marks.push(kind);
        }
    }
    marks
}
