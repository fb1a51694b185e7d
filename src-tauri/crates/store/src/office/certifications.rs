//! Certifications: earned when every required course is completed, expiring `validity_months`
//! later, and listed by standing (current, expiring soon, expired) for the office.

use crate::db::{Query, Result, Store, WriteTx};
use crate::office::settings;
use crate::records;
use cct_domain::records::{CertificationProgress, CertificationStatus};
use cct_domain::rules::certification::{evaluate, standing, Standing};
use cct_domain::{Actor, Permission};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;
use uuid::Uuid;

/// Re-evaluates every certification for one person after their course completions changed.
pub fn refresh_for_person(tx: &mut WriteTx<'_>, people_id: Uuid) -> Result<Vec<CertificationProgress>> {
    let today = tx.now().date();
    let requirements = certification_requirements(tx)?;
    let completions: HashMap<Uuid, NaiveDate> = tx
        .conn()
        .tuples::<(String, String)>(
            "SELECT course_id, completion_date FROM course_enrollment
             WHERE people_id = ?1 AND is_active = 1 AND status = 'completed' AND completion_date IS NOT NULL",
            [people_id.to_string()],
        )?
        .into_iter()
        .filter_map(|(course, date)| Some((Uuid::parse_str(&course).ok()?, date.parse().ok()?)))
        .collect();
    let enrolled: Vec<Uuid> = tx.conn().ids(
        "SELECT course_id FROM course_enrollment WHERE people_id = ?1 AND is_active = 1 AND status <> 'dropped'",
        [people_id.to_string()],
    )?;

    let mut changed = Vec::new();
    for (certification_id, requirement) in requirements {
        let outcome = evaluate(&requirement.courses, &completions, requirement.validity_months, today);
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
        progress.meta.is_active = true;
        progress.status = outcome.status;
        progress.completed_date = outcome.completed_date;
        progress.expires_date = outcome.expires_date;
        if progress.status != CertificationStatus::InProgress && progress.certificate_number.is_none() {
            progress.certificate_number = Some(certificate_number(&progress));
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

/// What a certification asks for: the courses to complete, and how long it lasts.
struct Requirement {
    validity_months: Option<i64>,
    courses: Vec<Uuid>,
}

/// Each active certification's requirement.
fn certification_requirements(tx: &WriteTx<'_>) -> Result<HashMap<Uuid, Requirement>> {
    let rows: Vec<(String, Option<i64>, String)> = tx.conn().tuples(
        "SELECT c.id, c.validity_months, cc.course_id FROM certification c
         JOIN certification_course cc ON cc.certification_id = c.id AND cc.is_active = 1
         WHERE c.is_active = 1",
        [],
    )?;
    let mut map: HashMap<Uuid, Requirement> = HashMap::new();
    for (certification, validity_months, course) in rows {
        let (Ok(certification), Ok(course)) = (Uuid::parse_str(&certification), Uuid::parse_str(&course)) else {
            continue;
        };
        map.entry(certification)
            .or_insert_with(|| Requirement { validity_months, courses: Vec::new() })
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
fn certificate_number(progress: &CertificationProgress) -> String {
    let year = progress.completed_date.map(|d| d.format("%Y").to_string()).unwrap_or_default();
    let hex = progress.meta.id.simple().to_string().to_uppercase();
    format!("CCT-{year}-{}", &hex[hex.len() - 8..])
}
