//! Background checks read from Planning Center. Each person's current check becomes their
//! standing in one certification that Planning Center owns ("Background check (Planning
//! Center)"): cleared until the check's `expires_on`, expired after it, not held while a check
//! is pending or raised concerns. The office cannot edit that certification or the standings
//! in it (see `office::editing`), and nothing of them is sent back: Planning Center keeps them.
//! Check-in rules that ask those who serve for a certification can ask for this one.

use crate::db::{Query, Result, StoreError, WriteTx};
use crate::records;
use cct_domain::records::{Certification, CertificationProgress, CertificationSource, CertificationStatus};
use cct_domain::rules::certification::background_check_clears;
use cct_domain::Permission;
use chrono::NaiveDate;
use uuid::Uuid;

/// The name of the certification Planning Center's background checks are held under.
pub const BACKGROUND_CHECK: &str = "Background check (Planning Center)";

/// One background check as Planning Center lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteBackgroundCheck {
    pub planning_center_id: String,
    pub person_planning_center_id: String,
    pub status: String,
    /// Whether it is the person's latest check; earlier ones are history in Planning Center.
    pub current: bool,
    pub completed_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
}

/// What a check did here.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckApplied {
    /// Not the person's current check, or a person not here: nothing to do.
    Skipped,
    Unchanged,
    Changed(CertificationProgress),
}

/// The certification Planning Center's checks are held under, made the first time one arrives.
pub fn background_check_certification(tx: &mut WriteTx<'_>) -> Result<Uuid> {
    if let Some(id) =
        tx.conn().id("SELECT id FROM certification WHERE source = 'planning_center' ORDER BY created_at LIMIT 1", [])?
    {
        return Ok(id);
    }
    let taken = tx.conn().id("SELECT id FROM certification WHERE name = ?1", [BACKGROUND_CHECK])?;
    if taken.is_some() {
        return Err(StoreError::Conflict {
            field: "name",
            message: format!("a certification made here is already named \"{BACKGROUND_CHECK}\": rename it so Planning Center's background checks can be held under that name"),
        });
    }
    let certification = Certification {
        name: BACKGROUND_CHECK.into(),
        description: Some("Read from Planning Center's background checks at every sync; change them there.".into()),
        validity_months: None,
        source: CertificationSource::PlanningCenter,
        ..Default::default()
    };
    Ok(records::insert_derived(tx, certification)?.meta.id)
}

/// A person's standing from their current check, as of `today`.
fn standing(
    check: &RemoteBackgroundCheck,
    today: NaiveDate,
) -> (CertificationStatus, Option<NaiveDate>, Option<NaiveDate>) {
    if !background_check_clears(&check.status) {
        return (CertificationStatus::InProgress, None, None);
    }
    let completed = check.completed_on.unwrap_or(today);
    // A check that expires before it was completed is bad data; it is expired, not invalid.
    let completed = check.expires_on.map_or(completed, |expires| completed.min(expires));
    match check.expires_on {
        Some(expires) if expires < today => (CertificationStatus::Expired, Some(completed), Some(expires)),
        expires => (CertificationStatus::Completed, Some(completed), expires),
    }
}

/// Applies one background check read from Planning Center.
pub fn apply_background_check(tx: &mut WriteTx<'_>, check: &RemoteBackgroundCheck) -> Result<CheckApplied> {
    tx.require(Permission::SyncManage)?;
    tx.disable_outbox();
    if !check.current {
        return Ok(CheckApplied::Skipped);
    }
    let Some(people_id) = super::people::linked_person(tx, &check.person_planning_center_id)? else {
        return Ok(CheckApplied::Skipped);
    };
    let certification_id = background_check_certification(tx)?;
    let (status, completed_date, expires_date) = standing(check, tx.now().date());
    let existing: Option<CertificationProgress> = tx.conn().record(
        "certification_progress",
        "SELECT * FROM certification_progress WHERE people_id = ?1 AND certification_id = ?2",
        [people_id.to_string(), certification_id.to_string()],
    )?;
    let is_new = existing.is_none();
    let mut progress = existing.unwrap_or_else(|| CertificationProgress {
        people_id,
        certification_id,
        started_date: check.completed_on.unwrap_or(tx.now().date()),
        ..Default::default()
    });
    let before = progress.clone();
    progress.meta.is_active = true;
    progress.status = status;
    progress.completed_date = completed_date;
    progress.expires_date = expires_date;
    progress.started_date = progress.started_date.min(completed_date.unwrap_or(progress.started_date));
    progress.planning_center_id = Some(check.planning_center_id.clone());
    progress.planning_center_status = Some(check.status.clone());
    if !is_new && progress == before {
        return Ok(CheckApplied::Unchanged);
    }
    let saved = if is_new { records::insert_derived(tx, progress)? } else { records::update_derived(tx, progress)? };
    Ok(CheckApplied::Changed(saved))
}

/// Whether Planning Center owns a certification (so the office may not change it here).
pub(crate) fn owned_by_planning_center(conn: &rusqlite::Connection, certification_id: Uuid) -> Result<bool> {
    conn.scalar(
        "SELECT EXISTS (SELECT 1 FROM certification WHERE id = ?1 AND source = 'planning_center')",
        [certification_id.to_string()],
    )
}
