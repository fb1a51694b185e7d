//! Pulling from Planning Center: people by change feed (each page applied with its cursor in
//! one transaction), reference data, Registrations, and id reconciliation.

use crate::engine::{Context, Phase};
use crate::error::SyncError;
use crate::map;
use cct_domain::records::{Campus, RegistrationStatus};
use cct_domain::{Actor, Timestamp};
use cct_planning_center::endpoints::{people_of, typed};
use cct_planning_center::paging::{ChangeCursor, Paginator};
use cct_planning_center::resources::{BackgroundCheckAttributes, PersonMergerAttributes};
use cct_store::office::settings;
use cct_store::planning_center::background_checks::{self, CheckApplied, RemoteBackgroundCheck};
use cct_store::planning_center::caches::{self, CachedEvent, CachedRegistration};
use cct_store::planning_center::mergers::{self, MergeOutcome, RemoteMerger};
use cct_store::planning_center::people::{self, Applied};
use cct_store::planning_center::registrations;
use cct_store::planning_center::runs::{self, RunCounts, SyncCursor};
use cct_store::{records, ListQuery};
use std::collections::HashSet;

const PEOPLE: &str = "people";
const PERSON_MERGERS: &str = "person_mergers";
const BACKGROUND_CHECKS: &str = "background_checks";

/// A saved reader position, or the start.
async fn saved_position(ctx: &Context<'_>, resource: &'static str) -> Result<ChangeCursor, SyncError> {
    let saved = ctx.store(move |store| runs::cursor(store, &Actor::system(), resource)).await?;
    Ok(saved.and_then(|c| c.position).and_then(|p| serde_json::from_str(&p).ok()).unwrap_or_default())
}

/// The position to save with a page, so a pull cut off resumes after it.
fn position_after(resource: &str, cursor: &ChangeCursor) -> SyncCursor {
    SyncCursor {
        updated_since: cursor.since.as_deref().and_then(|t| Timestamp::parse(t).ok()),
        position: serde_json::to_string(cursor).ok(),
        ..SyncCursor::new(resource)
    }
}

async fn people_cursor(ctx: &Context<'_>) -> Result<Option<SyncCursor>, SyncError> {
    ctx.store(|store| runs::cursor(store, &Actor::system(), PEOPLE)).await
}

pub async fn people(ctx: &Context<'_>) -> Result<RunCounts, SyncError> {
    let saved = people_cursor(ctx).await?;
    let position: ChangeCursor = saved
        .as_ref()
        .and_then(|c| c.position.as_deref())
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_default();
    let first_pull_done = saved.as_ref().and_then(|c| c.full_pull_completed_at);
    let last_reconciled_at = saved.as_ref().and_then(|c| c.last_reconciled_at);
    let mut feed = ctx.client.people_changes(position);
    let mut counts = RunCounts::default();
    let mut total = None;
    while let Some(page) = feed.next_page().await? {
        ctx.check_cancelled()?;
        total = total.or(page.meta.total_count);
        let households = map::household_names(&page.included);
        let pulled: Vec<(String, cct_store::planning_center::people::RemotePerson)> = people_of(&page)?
            .iter()
            .map(|person| (person.id.clone(), map::remote_person(person, &households)))
            .collect();
        let cursor = feed.cursor();
        let saved_position = SyncCursor {
            updated_since: cursor.since.as_deref().and_then(|t| Timestamp::parse(t).ok()),
            full_pull_completed_at: first_pull_done,
            last_reconciled_at,
            position: serde_json::to_string(cursor).ok(),
            ..SyncCursor::new(PEOPLE)
        };
        // The page and the cursor after it commit together: a pull cut off resumes here.
        let failures = ctx
            .write(move |tx| {
                let mut failures = Vec::new();
                for (id, person) in &pulled {
                    match people::apply_remote_person(tx, person) {
                        Ok(
                            Applied::Inserted(_)
                            | Applied::Updated { .. }
                            | Applied::Unchanged(_)
                            | Applied::HeldAsPossibleDuplicate(_),
                        ) => {}
                        Err(error) => failures.push(format!("person {id}: {error}")),
                    }
                }
                runs::save_cursor(tx, saved_position)?;
                Ok((pulled.len(), failures))
            })
            .await?;
        let (applied, failures) = failures;
        counts.processed += applied as i64;
        counts.failed += failures.len() as i64;
        counts.successful += (applied - failures.len()) as i64;
        failures.into_iter().for_each(|failure| ctx.note_error(failure));
        ctx.report(Phase::PullPeople, counts.processed as u64, total);
    }
    if first_pull_done.is_none() {
        let mut cursor = people_cursor(ctx).await?.unwrap_or_else(|| SyncCursor::new(PEOPLE));
        cursor.full_pull_completed_at = Some(Timestamp::now());
        ctx.write(move |tx| runs::save_cursor(tx, cursor).map(drop)).await?;
    }
    Ok(counts)
}

/// Person merges made in Planning Center since the last sync, each page applied with its
/// cursor in one transaction. Read after people, so the person kept is here with their latest
/// details, and before the push, so nothing is sent to a person who no longer exists.
pub async fn person_mergers(ctx: &Context<'_>) -> Result<RunCounts, SyncError> {
    let mut feed = ctx.client.person_mergers(saved_position(ctx, PERSON_MERGERS).await?);
    let mut counts = RunCounts::default();
    while let Some(page) = feed.next_page().await? {
        ctx.check_cancelled()?;
        let mut mergers = Vec::new();
        for merger in typed::<PersonMergerAttributes>(&page, "/people/v2/person_mergers")? {
            match (merger.attributes.keep_id(), merger.attributes.remove_id()) {
                (Some(keep), Some(remove)) => mergers.push(RemoteMerger {
                    planning_center_id: merger.id,
                    person_to_keep_id: keep,
                    person_to_remove_id: remove,
                    merged_at: merger.attributes.created_at.as_deref().and_then(|t| Timestamp::parse(t).ok()),
                }),
                _ => ctx.note_error(format!("person merge {}: Planning Center sent it without both people", merger.id)),
            }
        }
        let saved_position = position_after(PERSON_MERGERS, feed.cursor());
        let outcomes = ctx
            .write(move |tx| {
                let mut outcomes = Vec::new();
                for merger in &mergers {
                    outcomes.push(mergers::apply_person_merger(tx, merger)?);
                }
                runs::save_cursor(tx, saved_position)?;
                Ok(outcomes)
            })
            .await?;
        counts.processed += outcomes.len() as i64;
        counts.successful += outcomes
            .iter()
            .filter(|o| matches!(o, MergeOutcome::Merged { .. } | MergeOutcome::Relinked { .. }))
            .count() as i64;
    }
    Ok(counts)
}

/// Background checks changed since the last sync, each person's current one becoming their
/// standing in the certification Planning Center owns.
pub async fn background_checks(ctx: &Context<'_>) -> Result<RunCounts, SyncError> {
    let mut feed = ctx.client.background_check_changes(saved_position(ctx, BACKGROUND_CHECKS).await?);
    let mut counts = RunCounts::default();
    while let Some(page) = feed.next_page().await? {
        ctx.check_cancelled()?;
        let mut checks = Vec::new();
        for resource in &page.data {
            let person = resource.related("person").first().map(|p| p.id.clone());
            let attributes: BackgroundCheckAttributes = match resource.attributes() {
                Ok(attributes) => attributes,
                Err(error) => {
                    ctx.note_error(format!("background check {}: {error}", resource.id));
                    continue;
                }
            };
            let Some(person) = person else { continue };
            let date = |text: Option<&str>| {
                text.and_then(|t| chrono::NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok())
            };
            checks.push(RemoteBackgroundCheck {
                planning_center_id: resource.id.clone(),
                person_planning_center_id: person,
                status: attributes.status.unwrap_or_default(),
                current: attributes.current.unwrap_or(false),
                completed_on: date(attributes.completed_at.as_deref()),
                expires_on: date(attributes.expires_on.as_deref()),
            });
        }
        let saved_position = position_after(BACKGROUND_CHECKS, feed.cursor());
        let applied = ctx
            .write(move |tx| {
                let mut applied = Vec::new();
                for check in &checks {
                    applied.push(background_checks::apply_background_check(tx, check)?);
                }
                runs::save_cursor(tx, saved_position)?;
                Ok(applied)
            })
            .await?;
        counts.processed += applied.len() as i64;
        counts.successful += applied.iter().filter(|a| matches!(a, CheckApplied::Changed(_))).count() as i64;
    }
    Ok(counts)
}

/// Households, campuses and field definitions: small, read whole each run.
pub async fn reference_data(ctx: &Context<'_>) -> Result<RunCounts, SyncError> {
    let households = ctx.client.households().await?;
    let campuses = ctx.client.campuses().await?;
    let definitions = ctx.client.field_definitions().await?;
    let workflows = ctx.client.workflows().await?;
    ctx.check_cancelled()?;
    let local_campuses = ctx
        .store(|store| {
            Ok(records::list::<Campus>(
                store,
                &Actor::system(),
                &ListQuery { include_inactive: true, limit: Some(1000), ..Default::default() },
            )?
            .items)
        })
        .await?;
    let count = (households.len() + campuses.len() + definitions.len()) as i64;
    ctx.write(move |tx| {
        for household in &households {
            people::upsert_household(tx, &household.id, &household.attributes.name)?;
        }
        for campus in &campuses {
            let linked =
                local_campuses.iter().find(|c| c.planning_center_location_id.as_deref() == Some(campus.id.as_str()));
            let same_name = local_campuses.iter().find(|c| {
                c.name.eq_ignore_ascii_case(&campus.attributes.name) && c.planning_center_location_id.is_none()
            });
            let address =
                [campus.attributes.street.clone(), campus.attributes.city.clone(), campus.attributes.state.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", ");
            match linked.or(same_name) {
                Some(local) => {
                    let mut updated = local.clone();
                    updated.planning_center_location_id = Some(campus.id.clone());
                    updated.name = campus.attributes.name.clone();
                    records::update(tx, updated)?;
                }
                None => {
                    let new = Campus {
                        name: campus.attributes.name.clone(),
                        address: (!address.is_empty()).then_some(address),
                        planning_center_location_id: Some(campus.id.clone()),
                        time_zone: "UTC".into(),
                        ..Default::default()
                    };
                    records::insert(tx, new)?;
                }
            }
        }
        let names: Vec<serde_json::Value> = definitions
            .iter()
            .map(|d| serde_json::json!({ "id": d.id, "name": d.attributes.name, "data_type": d.attributes.data_type }))
            .collect();
        settings::set(tx, settings::PCO_FIELD_DEFINITIONS, &names)?;
        let workflows: Vec<serde_json::Value> =
            workflows.iter().map(|w| serde_json::json!({ "id": w.id, "name": w.attributes.name })).collect();
        settings::set(tx, settings::PCO_WORKFLOWS, &workflows)
    })
    .await?;
    Ok(RunCounts { processed: count, successful: count, failed: 0 })
}

/// Registrations signups and attendees into the caches; attendees of a signup mapped to a
/// course become enrollments of people known here.
pub async fn registrations(ctx: &Context<'_>) -> Result<RunCounts, SyncError> {
    let mut counts = RunCounts::default();
    for signup in ctx.client.signups().await? {
        ctx.check_cancelled()?;
        let signup_id = signup.id.clone();
        let mapping = ctx.store(move |store| registrations::offering_for_signup(store, &signup_id)).await?;
        let attendees = ctx.client.attendees(&signup.id).await?;
        counts.processed += attendees.len() as i64;
        counts.successful += attendees.len() as i64;
        ctx.write(move |tx| {
            let registered = attendees
                .iter()
                .filter(|(a, _)| a.attributes.active && !a.attributes.waitlisted && !a.attributes.canceled)
                .count() as i64;
            caches::upsert_event(
                tx,
                CachedEvent {
                    id: cct_domain::new_id(),
                    planning_center_event_id: signup.id.clone(),
                    event_name: signup.attributes.name.clone(),
                    event_description: signup.attributes.description.clone(),
                    start_date: signup.attributes.open_at.clone(),
                    end_date: signup.attributes.close_at.clone(),
                    max_capacity: None,
                    current_registrations_count: registered,
                    registration_deadline: signup.attributes.close_at.clone(),
                    event_status: Some(
                        if signup.attributes.archived == Some(true) { "archived" } else { "open" }.into(),
                    ),
                    course_id: mapping.map(|m| m.course_id),
                    last_synced_at: None,
                    created_at: Timestamp::now(),
                    updated_at: Timestamp::now(),
                },
            )?;
            for (attendee, person) in &attendees {
                let status = if attendee.attributes.canceled {
                    RegistrationStatus::Cancelled
                } else if attendee.attributes.waitlisted {
                    RegistrationStatus::Waitlisted
                } else {
                    RegistrationStatus::Registered
                };
                caches::upsert_registration(
                    tx,
                    CachedRegistration {
                        id: cct_domain::new_id(),
                        planning_center_registration_id: attendee.id.clone(),
                        planning_center_event_id: signup.id.clone(),
                        planning_center_person_id: person.clone(),
                        registration_status: status,
                        registration_date: attendee.attributes.created_at.clone(),
                        registration_notes: None,
                        custom_field_responses: None,
                        last_synced_at: None,
                        created_at: Timestamp::now(),
                        updated_at: Timestamp::now(),
                    },
                )?;
                if let (Some(mapping), Some(person)) = (mapping, person) {
                    if let Some(local_person) = people::linked_person(tx, person)? {
                        registrations::apply_remote_registration(tx, mapping, local_person, &attendee.id, status)?;
                    }
                }
            }
            Ok(())
        })
        .await?;
    }
    Ok(counts)
}

/// Deleted people never appear in lists and there is no feed of deletions, so every linked
/// person missing from a full id scan is marked inactive here.
pub async fn reconcile_people(ctx: &Context<'_>) -> Result<RunCounts, SyncError> {
    let mut pages = Paginator::new(ctx.client.clone(), "/people/v2/people", vec![]);
    let mut ids = HashSet::new();
    while let Some(page) = pages.next_page().await? {
        ctx.check_cancelled()?;
        ids.extend(page.data.into_iter().map(|r| r.id));
        ctx.report(Phase::Reconcile, ids.len() as u64, page.meta.total_count);
    }
    let scanned = ids.len() as i64;
    let mut cursor = people_cursor(ctx).await?.unwrap_or_else(|| SyncCursor::new(PEOPLE));
    cursor.last_reconciled_at = Some(Timestamp::now());
    let deactivated = ctx
        .write(move |tx| {
            let deactivated = people::deactivate_missing_people(tx, &ids)?;
            runs::save_cursor(tx, cursor)?;
            Ok(deactivated)
        })
        .await?;
    if deactivated > 0 {
        ctx.note_error(format!("{deactivated} people no longer in Planning Center were marked inactive here"));
    }
    Ok(RunCounts { processed: scanned, successful: scanned, failed: 0 })
}
