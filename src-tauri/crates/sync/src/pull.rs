//! Pulling from Planning Center: people by change feed (each page applied with its cursor in
//! one transaction), reference data, Registrations, and id reconciliation.

use crate::engine::{Context, Phase};
use crate::error::SyncError;
use crate::map;
use cct_domain::records::{Campus, RegistrationStatus};
use cct_domain::{Actor, Timestamp};
use cct_planning_center::endpoints::people_of;
use cct_planning_center::paging::{ChangeCursor, Paginator};
use cct_store::planning_center::{self as pc, CachedEvent, CachedRegistration, RunCounts, SyncCursor};
use cct_store::pco_sync::{self, Applied};
use cct_store::{records, ListQuery};
use std::collections::{HashMap, HashSet};

const PEOPLE: &str = "people";

pub async fn people(ctx: &Context<'_>) -> Result<RunCounts, SyncError> {
    let system = Actor::system();
    let saved = pc::cursor(ctx.store, &system, PEOPLE).await?;
    let position: ChangeCursor = saved.as_ref().and_then(|c| c.position.as_deref()).and_then(|p| serde_json::from_str(p).ok()).unwrap_or_default();
    let first_pull_done = saved.as_ref().and_then(|c| c.full_pull_completed_at);
    let mut feed = ctx.client.people_changes(position);
    let mut counts = RunCounts::default();
    let mut total = None;
    while let Some(page) = feed.next_page().await? {
        ctx.check_cancelled()?;
        total = total.or(page.meta.total_count);
        let households: HashMap<String, String> = page
            .included
            .iter()
            .filter(|r| r.kind == "Household")
            .map(|r| (r.id.clone(), r.attributes.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_owned()))
            .collect();
        let people = people_of(&page)?;
        let mut tx = ctx.store.begin_write(&system).await?;
        for person in &people {
            counts.processed += 1;
            match pco_sync::apply_remote_person(&mut tx, &map::remote_person(person, &households)).await {
                Ok(Applied::Inserted(_) | Applied::Updated { .. } | Applied::Unchanged(_) | Applied::HeldAsPossibleDuplicate(_)) => counts.successful += 1,
                Err(error) => {
                    counts.failed += 1;
                    ctx.note_error(format!("person {}: {error}", person.id));
                }
            }
        }
        let cursor = feed.cursor();
        let saved_position = SyncCursor {
            updated_since: cursor.since.as_deref().and_then(|t| Timestamp::parse(t).ok()),
            full_pull_completed_at: first_pull_done,
            last_reconciled_at: saved.as_ref().and_then(|c| c.last_reconciled_at),
            position: serde_json::to_string(cursor).ok(),
            ..SyncCursor::new(PEOPLE)
        };
        pc::save_cursor(&mut tx, saved_position).await?;
        tx.commit().await?;
        ctx.report(Phase::PullPeople, counts.processed as u64, total);
    }
    if first_pull_done.is_none() {
        let mut cursor = pc::cursor(ctx.store, &system, PEOPLE).await?.unwrap_or_else(|| SyncCursor::new(PEOPLE));
        cursor.full_pull_completed_at = Some(Timestamp::now());
        let mut tx = ctx.store.begin_write(&system).await?;
        pc::save_cursor(&mut tx, cursor).await?;
        tx.commit().await?;
    }
    Ok(counts)
}

/// Households, campuses and field definitions: small, read whole each run.
pub async fn reference_data(ctx: &Context<'_>) -> Result<RunCounts, SyncError> {
    let system = Actor::system();
    let mut counts = RunCounts::default();
    let households = ctx.client.households().await?;
    let campuses = ctx.client.campuses().await?;
    let definitions = ctx.client.field_definitions().await?;
    ctx.check_cancelled()?;
    let mut tx = ctx.store.begin_write(&system).await?;
    for household in &households {
        counts.processed += 1;
        pco_sync::upsert_household(&mut tx, &household.id, &household.attributes.name).await?;
        counts.successful += 1;
    }
    let local_campuses = records::list::<Campus>(ctx.store, &system, &ListQuery { include_inactive: true, limit: Some(1000), ..Default::default() }).await?.items;
    for campus in &campuses {
        counts.processed += 1;
        let linked = local_campuses.iter().find(|c| c.planning_center_location_id.as_deref() == Some(campus.id.as_str()));
        let same_name = local_campuses.iter().find(|c| c.name.eq_ignore_ascii_case(&campus.attributes.name) && c.planning_center_location_id.is_none());
        let address = [campus.attributes.street.clone(), campus.attributes.city.clone(), campus.attributes.state.clone()].into_iter().flatten().collect::<Vec<_>>().join(", ");
        match linked.or(same_name) {
            Some(local) => {
                let mut updated = local.clone();
                updated.planning_center_location_id = Some(campus.id.clone());
                updated.name = campus.attributes.name.clone();
                records::update(&mut tx, updated).await?;
            }
            None => {
                let new = Campus {
                    name: campus.attributes.name.clone(),
                    address: (!address.is_empty()).then_some(address),
                    planning_center_location_id: Some(campus.id.clone()),
                    time_zone: "UTC".into(),
                    ..Default::default()
                };
                records::insert(&mut tx, new).await?;
            }
        }
        counts.successful += 1;
    }
    let names: Vec<serde_json::Value> = definitions.iter().map(|d| serde_json::json!({ "id": d.id, "name": d.attributes.name, "data_type": d.attributes.data_type })).collect();
    cct_store::settings::set(&mut tx, cct_store::settings::PCO_FIELD_DEFINITIONS, &names).await?;
    counts.processed += definitions.len() as i64;
    counts.successful += definitions.len() as i64;
    tx.commit().await?;
    Ok(counts)
}

/// Registrations signups and attendees into the caches; attendees of a signup mapped to a
/// course become enrollments of people known here.
pub async fn registrations(ctx: &Context<'_>) -> Result<RunCounts, SyncError> {
    let system = Actor::system();
    let mut counts = RunCounts::default();
    for signup in ctx.client.signups().await? {
        ctx.check_cancelled()?;
        let course = pco_sync::course_for_signup(ctx.store, &signup.id).await?;
        let attendees = ctx.client.attendees(&signup.id).await?;
        let mut tx = ctx.store.begin_write(&system).await?;
        let registered = attendees.iter().filter(|(a, _)| a.attributes.active && !a.attributes.waitlisted && !a.attributes.canceled).count() as i64;
        pc::upsert_event(
            &mut tx,
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
                event_status: Some(if signup.attributes.archived == Some(true) { "archived" } else { "open" }.into()),
                course_id: course,
                last_synced_at: None,
                created_at: Timestamp::now(),
                updated_at: Timestamp::now(),
            },
        )
        .await?;
        for (attendee, person) in &attendees {
            counts.processed += 1;
            let status = if attendee.attributes.canceled {
                RegistrationStatus::Cancelled
            } else if attendee.attributes.waitlisted {
                RegistrationStatus::Waitlisted
            } else {
                RegistrationStatus::Registered
            };
            pc::upsert_registration(
                &mut tx,
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
            )
            .await?;
            if let (Some(course), Some(person)) = (course, person) {
                if let Some(local_person) = pco_sync::person_by_planning_center_id(ctx.store, person).await? {
                    pco_sync::apply_remote_registration(&mut tx, course, local_person, &attendee.id, status).await?;
                }
            }
            counts.successful += 1;
        }
        tx.commit().await?;
    }
    Ok(counts)
}

/// Deleted people never appear in lists and there is no feed of deletions, so every linked
/// person missing from a full id scan is marked inactive here.
pub async fn reconcile_people(ctx: &Context<'_>) -> Result<RunCounts, SyncError> {
    let system = Actor::system();
    let mut pages = Paginator::new(ctx.client.clone(), "/people/v2/people", vec![]);
    let mut ids = HashSet::new();
    while let Some(page) = pages.next_page().await? {
        ctx.check_cancelled()?;
        ids.extend(page.data.into_iter().map(|r| r.id));
        ctx.report(Phase::Reconcile, ids.len() as u64, page.meta.total_count);
    }
    let mut tx = ctx.store.begin_write(&system).await?;
    let deactivated = pco_sync::deactivate_missing_people(&mut tx, &ids).await?;
    let mut cursor = pc::cursor(ctx.store, &system, PEOPLE).await?.unwrap_or_else(|| SyncCursor::new(PEOPLE));
    cursor.last_reconciled_at = Some(Timestamp::now());
    pc::save_cursor(&mut tx, cursor).await?;
    tx.commit().await?;
    if deactivated > 0 {
        ctx.note_error(format!("{deactivated} people no longer in Planning Center were marked inactive here"));
    }
    Ok(RunCounts { processed: ids.len() as i64, successful: ids.len() as i64, failed: 0 })
}
