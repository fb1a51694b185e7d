//! Renewals reach Planning Center as workflow cards: where the office maps a workflow, each
//! person whose certification is due for renewal (see `office::renewals`) gets one card on it,
//! made once for each expiry, so Planning Center's own reminders and follow-up reach them.

use crate::db::{Query, Result, Store, WriteTx};
use crate::office::renewals;
use cct_domain::{Actor, Permission};
use chrono::NaiveDate;
use uuid::Uuid;

/// A card to make: who, in Planning Center, and for what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenewalCard {
    pub people_id: Uuid,
    pub planning_center_person_id: String,
    pub certification_id: Uuid,
    pub certification_name: String,
    pub expires_on: NaiveDate,
    /// The course and offering that renew it, for the card's note.
    pub renewed_by: Option<String>,
}

impl RenewalCard {
    /// What the card's note says, ending with the mark that finds it again.
    pub fn note(&self) -> String {
        let renew = self.renewed_by.as_deref().map(|by| format!(" Renew it by completing {by}.")).unwrap_or_default();
        format!("{} expires on {}.{renew} ({})", self.certification_name, self.expires_on, self.mark())
    }

    /// Names the card in its note: a card with this mark was made for this expiry.
    pub fn mark(&self) -> String {
        format!("Church Course Tracker, renewal of {} expiring {}", self.certification_id, self.expires_on)
    }
}

/// The renewals due today whose person is in Planning Center and that have no card yet on
/// `workflow_id`.
pub fn cards_to_make(store: &Store, workflow_id: &str, today: NaiveDate) -> Result<Vec<RenewalCard>> {
    let due = renewals::due(store, &Actor::system(), today)?;
    let mut cards = Vec::new();
    for line in due {
        let Some(expires_on) = line.expires_on else { continue };
        let (remote, made): (Option<String>, bool) = store.read(|conn| {
            let remote = conn.optional::<String>(
                "SELECT planning_center_id FROM people WHERE id = ?1 AND planning_center_id IS NOT NULL",
                [line.people_id.to_string()],
            )?;
            let made = conn.scalar(
                "SELECT EXISTS (SELECT 1 FROM pco_renewal_card WHERE people_id = ?1 AND certification_id = ?2
                                AND expires_on = ?3 AND workflow_id = ?4)",
                [
                    line.people_id.to_string(),
                    line.certification_id.to_string(),
                    expires_on.to_string(),
                    workflow_id.into(),
                ],
            )?;
            Ok((remote, made))
        })?;
        let Some(planning_center_person_id) = remote.filter(|_| !made) else { continue };
        let renewed_by = line.renewal_course_name.map(|course| match &line.next_offering_name {
            Some(offering) => format!("{course} ({offering})"),
            None => course,
        });
        cards.push(RenewalCard {
            people_id: line.people_id,
            planning_center_person_id,
            certification_id: line.certification_id,
            certification_name: line.certification_name,
            expires_on,
            renewed_by,
        });
    }
    Ok(cards)
}

/// Keeps that the card for `card` is on `workflow_id` (made now, or found made before).
pub fn card_made(tx: &mut WriteTx<'_>, card: &RenewalCard, workflow_id: &str) -> Result<()> {
    tx.require(Permission::SyncManage)?;
    let now = tx.now().to_string();
    tx.conn().run(
        "INSERT OR IGNORE INTO pco_renewal_card (people_id, certification_id, expires_on, workflow_id, made_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        [
            card.people_id.to_string(),
            card.certification_id.to_string(),
            card.expires_on.to_string(),
            workflow_id.into(),
            now,
        ],
    )?;
    Ok(())
}
