//! Certifications: earned when every required course is completed, expiring `validity_months`
//! later, renewed by completing a course again or the certification's refresher, with a
//! record of each earning, and listed by standing (current, expiring soon, expired).

use crate::db::{Query, Result, Store, WriteTx};
use crate::office::settings;
use crate::records;
use cct_domain::records::{CertificationProgress, CertificationRecord, CertificationStatus};
use cct_domain::rules::certification::{evaluate, renews, standing, Outcome, Standing};
use cct_domain::{Actor, Permission};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;
use uuid::Uuid;

/// Re-evaluates every certification for one person after their course completions changed.
/// Each time one is earned (first, or again by a retake or its refresher course) a record of
/// it is kept; the standing is the latest record's.
pub fn refresh_for_person(tx: &mut WriteTx<'_>, people_id: Uuid) -> Result<Vec<CertificationProgress>> {
    let today = tx.now().date();
    let requirements = certification_requirements(tx)?;
    let completions = latest_completions(tx, people_id)?;
    let completion_dates: HashMap<Uuid, NaiveDate> = completions.iter().map(|(c, (d, _))| (*c, *d)).collect();
    let enrolled: Vec<Uuid> = tx.conn().ids(
        "SELECT course_id FROM course_enrollment WHERE people_id = ?1 AND is_active = 1
         AND status NOT IN ('dropped', 'not_passed')",
        [people_id.to_string()],
    )?;

    let mut changed = Vec::new();
    for (certification_id, requirement) in requirements {
        let mut outcome = evaluate(&requirement.courses, &completion_dates, requirement.validity_months, today);
        let mut rests_on: Vec<Uuid> =
            requirement.courses.iter().filter_map(|c| completions.get(c).map(|(_, enrollment)| *enrollment)).collect();
        if let Some(refresher) = requirement.refresher_course_id {
            let renewed = evaluate(&[refresher], &completion_dates, requirement.validity_months, today);
            if renews(outcome, renewed) {
                outcome = renewed;
                rests_on = completions.get(&refresher).map(|(_, enrollment)| vec![*enrollment]).unwrap_or_default();
            }
        }
        let existing = find_progress(tx, people_id, certification_id)?;
        let started = requirement.courses.iter().any(|c| enrolled.contains(c));
        let (mut progress, is_new) = match existing {
            Some(progress) => (progress, false),
            None if started || outcome.status != CertificationStatus::InProgress => {
                (CertificationProgress { people_id, certification_id, started_date: today, ..Default::default() }, true)
            }
            None => continue,
        };
        let before = progress.clone();
        let latest = keep_history(tx, (people_id, certification_id), outcome, &rests_on)?;
        progress.meta.is_active = true;
        progress.status = outcome.status;
        progress.completed_date = outcome.completed_date;
        progress.expires_date = outcome.expires_date;
        if let Some(number) = latest.and_then(|record| record.certificate_number) {
            progress.certificate_number = Some(number);
        }
        if progress.status != CertificationStatus::InProgress && progress.certificate_number.is_none() {
            progress.certificate_number = Some(certificate_number(progress.completed_date, progress.meta.id));
        }
        if !is_new && progress == before {
            continue;
        }
        let saved =
            if is_new { records::insert_derived(tx, progress)? } else { records::update_derived(tx, progress)? };
        changed.push(saved);
    }
    Ok(changed)
}

/// Each course's latest completion by the person (a retake's, where they took it again), and
/// the enrollment that completed it.
fn latest_completions(tx: &WriteTx<'_>, people_id: Uuid) -> Result<HashMap<Uuid, (NaiveDate, Uuid)>> {
    let rows: Vec<(String, String, String)> = tx.conn().tuples(
        "SELECT course_id, completion_date, id FROM course_enrollment
         WHERE people_id = ?1 AND is_active = 1 AND status = 'completed' AND completion_date IS NOT NULL
         ORDER BY completion_date, id",
        [people_id.to_string()],
    )?;
    let mut latest = HashMap::new();
    for (course, date, enrollment) in rows {
        if let (Ok(course), Ok(date), Ok(enrollment)) =
            (Uuid::parse_str(&course), date.parse(), Uuid::parse_str(&enrollment))
        {
            latest.insert(course, (date, enrollment)); // ordered by date: the last one stays
        }
    }
    Ok(latest)
}

/// Brings a person's records of one certification in line with what they earned: a record for
/// the latest earning if it has none, and records that rested on completions since taken back
/// retired. Returns the latest record.
fn keep_history(
    tx: &mut WriteTx<'_>,
    (people_id, certification_id): (Uuid, Uuid),
    outcome: Outcome,
    rests_on: &[Uuid],
) -> Result<Option<CertificationRecord>> {
    let held = history_in(tx.conn(), people_id, certification_id)?;
    for record in &held {
        if record.meta.is_active && outcome.completed_date.is_none_or(|earned| record.earned_on > earned) {
            let mut retired = record.clone();
            retired.meta.is_active = false;
            records::update_derived(tx, retired)?;
        }
    }
    let Some(earned_on) = outcome.completed_date else { return Ok(None) };
    let course_enrollment_ids = serde_json::to_string(rests_on).unwrap_or_else(|_| "[]".into());
    if let Some(record) = held.iter().find(|r| r.earned_on == earned_on) {
        let mut record = record.clone();
        record.meta.is_active = true;
        record.expires_on = outcome.expires_date;
        return Ok(Some(records::update_derived(tx, record)?));
    }
    let renewal = held.iter().any(|r| r.meta.is_active && r.earned_on < earned_on);
    let mut record = CertificationRecord {
        people_id,
        certification_id,
        earned_on,
        expires_on: outcome.expires_date,
        course_enrollment_ids,
        renewal,
        ..Default::default()
    };
    record.certificate_number = Some(certificate_number(Some(earned_on), record.meta.id));
    Ok(Some(records::insert_derived(tx, record)?))
}

fn history_in(
    conn: &rusqlite::Connection,
    people_id: Uuid,
    certification_id: Uuid,
) -> Result<Vec<CertificationRecord>> {
    conn.rows(
        "SELECT * FROM certification_record WHERE people_id = ?1 AND certification_id = ?2 ORDER BY earned_on",
        [people_id.to_string(), certification_id.to_string()],
    )?
    .into_iter()
    .map(|row| crate::db::rows::from_row("certification_record", row))
    .collect()
}

/// One time a person earned a certification, for the office's history of it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct HistoryLine {
    pub record: CertificationRecord,
    pub certification_name: String,
    /// The courses (and their offerings) it rests on.
    pub completions: Vec<String>,
    /// The latest record: the one the standing comes from.
    pub is_latest: bool,
}

/// A person's certification records, the latest first, retired ones left out.
pub fn history(store: &Store, actor: &Actor, people_id: Uuid) -> Result<Vec<HistoryLine>> {
    crate::office::people::require(actor, Permission::CertificationsRead)?;
    store.read(|conn| {
        let rows = conn.rows(
            "SELECT r.*, c.name AS certification_name,
               (SELECT json_group_array(co.name || ' — ' || o.name || ' (' || e.completion_date || ')')
                FROM json_each(r.course_enrollment_ids) j
                JOIN course_enrollment e ON e.id = j.value
                JOIN course co ON co.id = e.course_id
                LEFT JOIN course_offering o ON o.id = e.offering_id) AS completions
             FROM certification_record r JOIN certification c ON c.id = r.certification_id
             WHERE r.people_id = ?1 AND r.is_active = 1
             ORDER BY c.name, r.earned_on DESC",
            [people_id.to_string()],
        )?;
        let mut lines: Vec<HistoryLine> = Vec::with_capacity(rows.len());
        for mut row in rows {
            let certification_name =
                row.remove("certification_name").and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            let completions = row
                .remove("completions")
                .and_then(|v| v.as_str().and_then(|t| serde_json::from_str::<Vec<Option<String>>>(t).ok()))
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .collect();
            let record: CertificationRecord = crate::db::rows::from_row("certification_record", row)?;
            let is_latest = lines.last().is_none_or(|l| l.record.certification_id != record.certification_id);
            lines.push(HistoryLine { record, certification_name, completions, is_latest });
        }
        Ok(lines)
    })
}

/// Marks certifications whose expiry date has passed as expired. Run at start-up and daily.
pub fn expire_lapsed(tx: &mut WriteTx<'_>) -> Result<usize> {
    tx.require(Permission::CertificationsWrite)?;
    let today = tx.now().date().to_string();
    let ids = tx.conn().ids(
        "SELECT id FROM certification_progress WHERE is_active = 1 AND status = 'completed' AND expires_date < ?1",
        [today],
    )?;
    for &id in &ids {
        let mut progress: CertificationProgress = records::get_in(tx, id)?;
        progress.status = CertificationStatus::Expired;
        records::update(tx, progress)?;
    }
    Ok(ids.len())
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CertificationStanding {
    pub progress: CertificationProgress,
    pub person_name: String,
    pub certification_name: String,
    #[serde(flatten)]
    pub standing: Standing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StandingFilter {
    All,
    ExpiringSoon,
    Expired,
}

/// Certifications by standing today, soonest expiry first. The "expiring soon" window is the
/// office's setting.
pub fn standings(
    store: &Store,
    actor: &Actor,
    filter: StandingFilter,
    today: NaiveDate,
) -> Result<Vec<CertificationStanding>> {
    crate::office::people::require(actor, Permission::CertificationsRead)?;
    let window = settings::office_rules(store)?.expiring_soon_days;
    let rows = store.read(|conn| {
        conn.rows(
            "SELECT cp.*, p.first_name || ' ' || p.last_name AS person_name, c.name AS certification_name
             FROM certification_progress cp
             JOIN people p ON p.id = cp.people_id
             JOIN certification c ON c.id = cp.certification_id
             WHERE cp.is_active = 1
             ORDER BY cp.expires_date IS NULL, cp.expires_date, p.last_name, p.first_name",
            [],
        )
    })?;
    let mut result = Vec::new();
    for mut map in rows {
        let name = |map: &mut crate::db::JsonRow, column: &str| {
            map.remove(column).and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
        };
        let person_name = name(&mut map, "person_name");
        let certification_name = name(&mut map, "certification_name");
        let progress: CertificationProgress = crate::db::rows::from_row("certification_progress", map)?;
        let standing = standing(progress.status, progress.expires_date, today, window);
        let keep = match filter {
            StandingFilter::All => true,
            StandingFilter::ExpiringSoon => matches!(standing, Standing::ExpiringSoon { .. }),
            StandingFilter::Expired => standing == Standing::Expired,
        };
        if keep {
            result.push(CertificationStanding { progress, person_name, certification_name, standing });
        }
    }
    Ok(result)
}

/// What a certification asks for: the courses to complete, how long it lasts, and the course
/// that renews it.
struct Requirement {
    validity_months: Option<i64>,
    courses: Vec<Uuid>,
    refresher_course_id: Option<Uuid>,
}

/// Each active certification's requirement.
fn certification_requirements(tx: &WriteTx<'_>) -> Result<HashMap<Uuid, Requirement>> {
    let rows: Vec<(String, Option<i64>, String, Option<String>)> = tx.conn().tuples(
        "SELECT c.id, c.validity_months, cc.course_id, c.refresher_course_id FROM certification c
         JOIN certification_course cc ON cc.certification_id = c.id AND cc.is_active = 1
         WHERE c.is_active = 1",
        [],
    )?;
    let mut map: HashMap<Uuid, Requirement> = HashMap::new();
    for (certification, validity_months, course, refresher) in rows {
        let (Ok(certification), Ok(course)) = (Uuid::parse_str(&certification), Uuid::parse_str(&course)) else {
            continue;
        };
        map.entry(certification)
            .or_insert_with(|| Requirement {
                validity_months,
                courses: Vec::new(),
                refresher_course_id: refresher.and_then(|r| Uuid::parse_str(&r).ok()),
            })
            .courses
            .push(course);
    }
    Ok(map)
}

fn find_progress(tx: &WriteTx<'_>, people_id: Uuid, certification_id: Uuid) -> Result<Option<CertificationProgress>> {
    tx.conn().record(
        "certification_progress",
        "SELECT * FROM certification_progress WHERE people_id = ?1 AND certification_id = ?2",
        [people_id.to_string(), certification_id.to_string()],
    )
}

/// `CCT-2026-4F3A9C21`: the year earned and the random tail of the record's UUID v7, unique per
/// device without a counter that offline laptops would have to share.
fn certificate_number(earned_on: Option<NaiveDate>, id: Uuid) -> String {
    let year = earned_on.map(|d| d.format("%Y").to_string()).unwrap_or_default();
    let hex = id.simple().to_string().to_uppercase();
    format!("CCT-{year}-{}", &hex[hex.len() - 8..])
}
