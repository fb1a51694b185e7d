//! Pushing the outbox. Per record, all pending entries become one request built from the
//! record as it is now. A new person is matched against Planning Center first (e-mail, phone,
//! name + birthdate) and held for a person to decide when anyone matches; otherwise they are
//! stamped (committed) and created with that stamp as `remote_id`, so a create cut off by a
//! crash is found on the next run instead of repeated. The remote id is recorded before
//! anything else is sent, and entries are acknowledged only once everything for the record
//! has reached Planning Center.

use crate::engine::{Context, Phase};
use crate::error::SyncError;
use crate::map::{self, digits};
use crate::LeaseDecision;
use cct_domain::Timestamp;
use cct_planning_center::resources::{EmailAttributes, Person as RemotePerson, PhoneNumberAttributes};
use cct_planning_center::PcoError;
use cct_store::office::settings;
use cct_store::planning_center::duplicates::{self, DuplicateCandidate, DuplicateStatus};
use cct_store::planning_center::outbox::{self, EntryOutcome, OutboxGroup};
use cct_store::planning_center::runs::RunCounts;
use cct_store::planning_center::{households, people, renewal_cards, summaries};
use std::collections::HashSet;
use uuid::Uuid;

pub async fn outbox(ctx: &Context<'_>) -> Result<RunCounts, SyncError> {
    let groups = ctx.store(outbox::pending_groups).await?;
    let total = groups.len() as u64;
    let mut counts = RunCounts::default();
    let mut statuses_done: HashSet<(Uuid, &'static str)> = HashSet::new();
    let mut campuses_done: HashSet<Uuid> = HashSet::new();
    for (done, group) in groups.iter().enumerate() {
        ctx.check_cancelled()?;
        counts.processed += 1;
        if let Some(lease) = &ctx.outbox_lease {
            match lease.claim(&group.entry_ids).await {
                Ok(LeaseDecision::Send) => {}
                Ok(LeaseDecision::Skip) => continue,
                Ok(LeaseDecision::AlreadySent) => {
                    settle(ctx, group, EntryOutcome::Sent, Some("sent by another device of the team".to_owned()))
                        .await?;
                    counts.successful += 1;
                    continue;
                }
                Err(message) => {
                    // Without the hub's word another device might send it too: keep it queued.
                    ctx.note_error(format!(
                        "the team hub could not be asked who sends {} {}: {message}",
                        group.table_name, group.record_id
                    ));
                    continue;
                }
            }
        }
        let outcome = match group.table_name.as_str() {
            "people" => push_person(ctx, group).await,
            "course_enrollment" | "certification_progress" => push_status(ctx, group, &mut statuses_done).await,
            "household" => push_household(ctx, group).await,
            "people_campus" => push_campus(ctx, group, &mut campuses_done).await,
            other => {
                Ok(Some((EntryOutcome::Skipped, Some(format!("{other} changes have no place in Planning Center")))))
            }
        };
        let (outcome, message) = match outcome {
            Ok(Some(result)) => result,
            Ok(None) => continue, // waiting on something else (a person not yet created)
            Err(SyncError::PlanningCenter(error)) => match classify(&error) {
                Some(outcome) => (outcome, Some(error.to_string())),
                None => {
                    // Signed out, network down, rate limited to the end: stop, keep the queue.
                    settle(ctx, group, EntryOutcome::Retry, Some(error.to_string())).await?;
                    return Err(SyncError::PlanningCenter(error));
                }
            },
            Err(other) => return Err(other),
        };
        settle(ctx, group, outcome, message.clone()).await?;
        if let (
            Some(lease),
            EntryOutcome::Sent | EntryOutcome::Skipped | EntryOutcome::Refused | EntryOutcome::Failed,
        ) = (&ctx.outbox_lease, outcome)
        {
            if let Err(message) = lease.complete(&group.entry_ids).await {
                ctx.note_error(format!(
                    "the team hub did not record that {} {} was sent: {message}",
                    group.table_name, group.record_id
                ));
            }
        }
        match outcome {
            EntryOutcome::Sent | EntryOutcome::Skipped | EntryOutcome::Held => counts.successful += 1,
            _ => {
                counts.failed += 1;
                ctx.note_error(format!("{} {}: {}", group.table_name, group.record_id, message.unwrap_or_default()));
            }
        }
        ctx.report(Phase::Push, done as u64 + 1, Some(total));
    }
    Ok(counts)
}

/// A refused or invalid write is recorded and the queue goes on; anything passing stops the run.
fn classify(error: &PcoError) -> Option<EntryOutcome> {
    match error {
        PcoError::Forbidden { .. } => Some(EntryOutcome::Refused),
        PcoError::Api { status, .. } if status.is_client_error() => Some(EntryOutcome::Failed),
        PcoError::Decode { .. } => Some(EntryOutcome::Failed),
        _ => None,
    }
}

async fn settle(
    ctx: &Context<'_>,
    group: &OutboxGroup,
    outcome: EntryOutcome,
    message: Option<String>,
) -> Result<(), SyncError> {
    let group = group.clone();
    ctx.write(move |tx| outbox::settle(tx, &group, outcome, message.as_deref())).await
}

type Outcome = Option<(EntryOutcome, Option<String>)>;

async fn push_person(ctx: &Context<'_>, group: &OutboxGroup) -> Result<Outcome, SyncError> {
    let record_id = group.record_id;
    let local = ctx.store(move |store| outbox::push_person(store, record_id)).await?;
    let person = &local.person;
    let mut remote_id = person.planning_center_id.clone();
    let mut just_created = false;

    if remote_id.is_none() {
        // Created before a crash? Our stamp finds them.
        if let Some(stamp) = local.remote_stamp {
            if let Some(found) = ctx.client.people_with_remote_id(stamp).await?.into_iter().next() {
                link(ctx, group.record_id, &found.id).await?;
                remote_id = Some(found.id);
            }
        }
    }
    if remote_id.is_none() {
        if !person.meta.is_active {
            return Ok(Some((EntryOutcome::Skipped, Some("removed before it ever reached Planning Center".into()))));
        }
        if local.duplicate_decision != Some(DuplicateStatus::CreateNew) {
            let candidates = matches(ctx, person).await?;
            if !candidates.is_empty() {
                let group = group.clone();
                ctx.write(move |tx| duplicates::hold_as_possible_duplicate(tx, &group, &candidates)).await?;
                return Ok(None);
            }
        }
        let stamp = ctx.store(move |store| people::stamp_for_create(store, record_id)).await?;
        let created = ctx.client.create_person(&map::person_attributes(person, Some(stamp))).await?;
        link(ctx, group.record_id, &created.id).await?;
        remote_id = Some(created.id);
        just_created = true;
        if local.duplicate_decision == Some(DuplicateStatus::CreateNew) {
            bring_in_candidates(ctx, group.record_id).await?;
        }
    }
    let Some(remote_id) = remote_id else { return Ok(None) };
    if !just_created {
        match ctx.client.update_person(&remote_id, &map::person_attributes(person, local.remote_stamp)).await {
            Ok(_) => {}
            Err(PcoError::Api { status, .. }) if status.as_u16() == 404 => {
                return Ok(Some((
                    EntryOutcome::Failed,
                    Some("this person was deleted or merged in Planning Center; link them again in Sync".into()),
                )));
            }
            Err(error) => return Err(error.into()),
        }
    }
    let remote = ctx.client.person(&remote_id).await?;
    ensure_contact(ctx, &remote, person).await?;
    // Moved here into a household Planning Center knows: join it there too. (A household new
    // here goes with its own entry, members and all.)
    if let Some(household) = person.household_id {
        let linked = ctx.store(move |store| households::planning_center_id_of(store, household)).await?;
        if let Some(linked) = linked.filter(|h| !remote.household_ids.contains(h)) {
            ctx.client.add_household_member(&linked, &remote_id).await?;
        }
    }
    Ok(Some((EntryOutcome::Sent, None)))
}

/// After "someone else" was chosen, the Planning Center people offered as matches come in as
/// people of their own (the pull skipped them while the decision was open).
async fn bring_in_candidates(ctx: &Context<'_>, person: Uuid) -> Result<(), SyncError> {
    for id in ctx.store(move |store| duplicates::duplicate_candidate_ids(store, person)).await? {
        let remote = match ctx.client.person(&id).await {
            Ok(remote) => remote,
            Err(PcoError::Api { status, .. }) if status.as_u16() == 404 => continue,
            Err(error) => return Err(error.into()),
        };
        let remote = map::remote_person(&remote, &Default::default());
        ctx.write(move |tx| people::apply_remote_person(tx, &remote)).await?;
    }
    Ok(())
}

async fn link(ctx: &Context<'_>, person: Uuid, remote_id: &str) -> Result<(), SyncError> {
    let remote_id = remote_id.to_owned();
    ctx.write(move |tx| people::link_person(tx, person, &remote_id)).await
}

/// Adds the local e-mail and phone when Planning Center lacks them: repeatable, never doubled.
async fn ensure_contact(
    ctx: &Context<'_>,
    remote: &RemotePerson,
    person: &cct_domain::records::Person,
) -> Result<(), SyncError> {
    if let Some(email) = person.email.as_deref().filter(|e| !e.is_empty()) {
        if !remote.emails.iter().any(|e| e.attributes.address.eq_ignore_ascii_case(email)) {
            let primary = remote.emails.is_empty();
            ctx.client
                .add_email(
                    &remote.id,
                    &EmailAttributes { address: email.to_owned(), location: Some("Home".into()), primary },
                )
                .await?;
        }
    }
    if let Some(phone) = person.phone.as_deref().filter(|p| !p.is_empty()) {
        let wanted = digits(phone);
        if !remote
            .phone_numbers
            .iter()
            .any(|p| digits(&p.attributes.number).ends_with(&wanted) || wanted.ends_with(&digits(&p.attributes.number)))
        {
            let primary = remote.phone_numbers.is_empty();
            ctx.client
                .add_phone_number(
                    &remote.id,
                    &PhoneNumberAttributes {
                        number: phone.to_owned(),
                        location: Some("Mobile".into()),
                        primary,
                        carrier: None,
                    },
                )
                .await?;
        }
    }
    Ok(())
}

/// People in Planning Center who may be this person: the same e-mail, the same phone, or the
/// same name and birthdate.
async fn matches(
    ctx: &Context<'_>,
    person: &cct_domain::records::Person,
) -> Result<Vec<DuplicateCandidate>, SyncError> {
    let mut found: Vec<DuplicateCandidate> = Vec::new();
    let mut add = |candidate: &RemotePerson, reason: &str| {
        if found.iter().any(|c| c.planning_center_id == candidate.id) {
            return;
        }
        let name = format!(
            "{} {}",
            candidate.attributes.first_name.clone().unwrap_or_default(),
            candidate.attributes.last_name.clone().unwrap_or_default()
        );
        found.push(DuplicateCandidate {
            planning_center_id: candidate.id.clone(),
            name: name.trim().to_owned(),
            email: candidate.primary_email().map(str::to_owned),
            phone: candidate.primary_phone().map(str::to_owned),
            birthdate: candidate.attributes.birthdate.clone(),
            reason: reason.to_owned(),
        });
    };
    if let Some(email) = person.email.as_deref().filter(|e| !e.is_empty()) {
        for candidate in ctx.client.search_people(email).await? {
            if candidate.emails.iter().any(|e| e.attributes.address.eq_ignore_ascii_case(email)) {
                add(&candidate, "same e-mail");
            }
        }
    }
    if let Some(phone) = person.phone.as_deref().map(digits).filter(|d| d.len() >= 7) {
        for candidate in ctx.client.search_people(&phone).await? {
            if candidate.phone_numbers.iter().any(|p| digits(&p.attributes.number) == phone) {
                add(&candidate, "same phone number");
            }
        }
    }
    if let Some(born) = person.date_of_birth {
        let name = format!("{} {}", person.first_name, person.last_name);
        for candidate in ctx.client.search_people(&name).await? {
            let same_name = candidate
                .attributes
                .first_name
                .as_deref()
                .is_some_and(|f| f.eq_ignore_ascii_case(&person.first_name))
                && candidate.attributes.last_name.as_deref().is_some_and(|l| l.eq_ignore_ascii_case(&person.last_name));
            if same_name && candidate.attributes.birthdate.as_deref() == Some(born.to_string().as_str()) {
                add(&candidate, "same name and birthdate");
            }
        }
    }
    Ok(found)
}

/// Course completions and certification status go to the Planning Center fields the office
/// mapped them to; one write per person per run, whatever number of changes led to it.
async fn push_status(
    ctx: &Context<'_>,
    group: &OutboxGroup,
    done: &mut HashSet<(Uuid, &'static str)>,
) -> Result<Outcome, SyncError> {
    let (table, record_id) = (group.table_name.clone(), group.record_id);
    let Some(owner) = ctx.store(move |store| summaries::owner_of(store, &table, record_id)).await? else {
        return Ok(Some((EntryOutcome::Skipped, Some("the record no longer exists".into()))));
    };
    let Some(remote_person) = ctx.store(move |store| summaries::planning_center_id_of(store, owner)).await? else {
        return Ok(None); // the person is not in Planning Center yet; their own entry comes first
    };
    let enrollment = group.table_name == "course_enrollment";
    let key = if enrollment { settings::PCO_COMPLETIONS_FIELD } else { settings::PCO_CERTIFICATIONS_FIELD };
    let field = ctx.store(move |store| settings::get::<String>(store, key)).await?;
    let workflow = if enrollment {
        ctx.store(|store| settings::get::<String>(store, settings::PCO_COMPLETIONS_WORKFLOW)).await?
    } else {
        None
    };
    if field.is_none() && workflow.is_none() {
        let what = if enrollment { "course completions" } else { "certifications" };
        return Ok(Some((
            EntryOutcome::Skipped,
            Some(format!("no Planning Center field is mapped for {what}; choose one in Sync settings")),
        )));
    }
    if let Some(field) = field {
        if done.insert((owner, key)) {
            let value = if enrollment {
                ctx.store(move |store| summaries::completions_summary(store, owner)).await?
            } else {
                ctx.store(move |store| summaries::certifications_summary(store, owner)).await?
            };
            ctx.client.upsert_field_datum(&remote_person, &field, &value).await?;
        }
    }
    if let Some(workflow) = workflow {
        card_for_completion(ctx, &workflow, &remote_person, group.record_id).await?;
    }
    Ok(Some((EntryOutcome::Sent, None)))
}

/// A campus assignment sends the person's primary campus as it is now (Planning Center has
/// one campus per person): the same value sent again after a crash is the same write, and a
/// person whose several assignments changed is written once per run.
async fn push_campus(ctx: &Context<'_>, group: &OutboxGroup, done: &mut HashSet<Uuid>) -> Result<Outcome, SyncError> {
    let record_id = group.record_id;
    let Some(owner) = ctx.store(move |store| summaries::owner_of(store, "people_campus", record_id)).await? else {
        return Ok(Some((EntryOutcome::Skipped, Some("the record no longer exists".into()))));
    };
    let Some(remote_person) = ctx.store(move |store| summaries::planning_center_id_of(store, owner)).await? else {
        return Ok(None); // the person is not in Planning Center yet; their own entry comes first
    };
    let Some(campus) = ctx.store(move |store| summaries::primary_campus_of(store, owner)).await? else {
        return Ok(Some((
            EntryOutcome::Skipped,
            Some("no primary campus here to send; Planning Center keeps the one it has".into()),
        )));
    };
    let Some(remote_campus) = campus.planning_center_id else {
        return Ok(Some((
            EntryOutcome::Skipped,
            Some(format!("{} is not a campus in Planning Center; add it there, sync, and assign again", campus.name)),
        )));
    };
    if done.insert(owner) {
        ctx.client.set_primary_campus(&remote_person, &remote_campus).await?;
    }
    Ok(Some((EntryOutcome::Sent, None)))
}

/// A household goes with its name, its members and its primary contact (see
/// `HouseholdForPush::primary_contact`). A household made in Planning Center by a push cut off
/// before it was linked here is found again through its primary contact's households (the same
/// name), so it is never made twice. Members added here are added there, and someone moved out
/// of it here is taken out of it there (see `take_out_who_left`), even when no one is left in
/// it or it was retired here: Planning Center keeps the household itself.
async fn push_household(ctx: &Context<'_>, group: &OutboxGroup) -> Result<Outcome, SyncError> {
    let record_id = group.record_id;
    let Some(local) = ctx.store(move |store| households::for_push(store, record_id)).await? else {
        return Ok(Some((EntryOutcome::Skipped, Some("the record no longer exists".into()))));
    };
    let entries = group.entry_ids.clone();
    let left = ctx.store(move |store| households::members_who_left(store, &entries)).await?;
    if local.is_active && local.members.iter().any(|m| m.planning_center_id.is_none()) {
        return Ok(None); // members reach Planning Center first, through their own entries
    }
    let contact = local.primary_contact().and_then(|c| c.planning_center_id.clone());
    let Some(contact) = contact.filter(|_| local.is_active) else {
        let taken_out = match &local.planning_center_id {
            Some(remote_id) => take_out_who_left(ctx, remote_id, &local, &left).await?,
            None => 0,
        };
        let (outcome, why) = match (taken_out, local.is_active) {
            (0, true) => (
                EntryOutcome::Skipped,
                "a household with no one in it has no place in Planning Center; add its people first",
            ),
            (0, false) => (EntryOutcome::Skipped, "retired here; Planning Center keeps its household"),
            _ => {
                (EntryOutcome::Sent, "the people who left it were taken out there; Planning Center keeps the household")
            }
        };
        return Ok(Some((outcome, Some(why.into()))));
    };
    let members: Vec<String> = local.members.iter().filter_map(|m| m.planning_center_id.clone()).collect();
    let mut remote_id = local.planning_center_id.clone();
    if remote_id.is_none() {
        for candidate in ctx.client.person(&contact).await?.household_ids {
            if ctx.client.household(&candidate).await?.attributes.name == local.name {
                link_household(ctx, record_id, &candidate).await?;
                remote_id = Some(candidate);
                break;
            }
        }
    }
    let Some(remote_id) = remote_id else {
        let created = ctx.client.create_household(&local.name, &contact, &members).await?;
        link_household(ctx, record_id, &created.id).await?;
        return Ok(Some((EntryOutcome::Sent, None)));
    };
    match ctx.client.update_household(&remote_id, &local.name, &contact).await {
        Ok(_) => {}
        Err(PcoError::Api { status, .. }) if status.as_u16() == 404 => {
            return Ok(Some((
                EntryOutcome::Failed,
                Some("this household was removed in Planning Center; its people are kept here".into()),
            )));
        }
        Err(error) => return Err(error.into()),
    }
    for member in &members {
        if !ctx.client.person(member).await?.household_ids.contains(&remote_id) {
            ctx.client.add_household_member(&remote_id, member).await?;
        }
    }
    // After the update, so the primary contact there is no longer someone taken out.
    take_out_who_left(ctx, &remote_id, &local, &left).await?;
    Ok(Some((EntryOutcome::Sent, None)))
}

/// Takes the people moved out of a household here out of it in Planning Center: each one's
/// membership there is found in the household's list and deleted. Someone back in it here by
/// now, or never in Planning Center, is left alone. Sent again (a crash before the entry was
/// marked sent), the list no longer holds them and nothing is deleted twice. How many left.
async fn take_out_who_left(
    ctx: &Context<'_>,
    remote_household: &str,
    local: &households::HouseholdForPush,
    left: &[Uuid],
) -> Result<usize, SyncError> {
    let mut leaving = Vec::new();
    for &person in left.iter().filter(|p| !local.members.iter().any(|m| m.people_id == **p)) {
        if let Some(remote) = ctx.store(move |store| summaries::planning_center_id_of(store, person)).await? {
            leaving.push(remote);
        }
    }
    if leaving.is_empty() {
        return Ok(0);
    }
    let memberships = match ctx.client.household_memberships(remote_household).await {
        Ok(memberships) => memberships,
        Err(PcoError::Api { status, .. }) if status.as_u16() == 404 => return Ok(0), // the household is gone there
        Err(error) => return Err(error.into()),
    };
    let mut taken_out = 0;
    for membership in memberships {
        if !leaving.contains(&membership.person_id) {
            continue;
        }
        match ctx.client.remove_household_member(remote_household, &membership.id).await {
            Ok(()) => taken_out += 1,
            Err(PcoError::Api { status, .. }) if status.as_u16() == 404 => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(taken_out)
}

async fn link_household(ctx: &Context<'_>, household: Uuid, remote_id: &str) -> Result<(), SyncError> {
    let remote_id = remote_id.to_owned();
    ctx.write(move |tx| households::link_household(tx, household, &remote_id)).await
}

/// Where the office maps a renewals workflow, each person whose certification is due for
/// renewal gets a card on it, once per expiry: the local record of cards made skips the ones
/// already made, and the note's mark finds a card made before a crash (or by the computer that
/// held the lease before this one) among the person's cards; in a team, the hub's lease lets one
/// computer make each card. A sync adds two requests for each
/// newly due person (their cards, and the new card) and none for the others.
pub async fn renewal_cards(ctx: &Context<'_>) -> Result<RunCounts, SyncError> {
    let mut counts = RunCounts::default();
    let Some(workflow) = ctx.store(|store| settings::get::<String>(store, settings::PCO_RENEWALS_WORKFLOW)).await?
    else {
        return Ok(counts);
    };
    let today = Timestamp::now().date();
    let chosen = workflow.clone();
    let cards = ctx.store(move |store| renewal_cards::cards_to_make(store, &chosen, today)).await?;
    for card in cards {
        ctx.check_cancelled()?;
        counts.processed += 1;
        // In a team, the hub lets one computer make each card: two syncing at the same moment
        // would each find no card and each make one.
        let lease_key =
            vec![format!("renewal card {} on workflow {workflow}: {}", card.planning_center_person_id, card.mark())];
        if let Some(lease) = &ctx.outbox_lease {
            match lease.claim(&lease_key).await {
                Ok(LeaseDecision::Send) => {}
                Ok(LeaseDecision::Skip) => continue, // being made by another computer now
                Ok(LeaseDecision::AlreadySent) => {
                    let chosen = workflow.clone();
                    ctx.write(move |tx| renewal_cards::card_made(tx, &card, &chosen)).await?;
                    continue;
                }
                Err(message) => {
                    ctx.note_error(format!("the team hub could not be asked who makes a renewal card: {message}"));
                    continue;
                }
            }
        }
        let existing = ctx.client.workflow_cards_of(&workflow, &card.planning_center_person_id).await?;
        let mark = card.mark();
        let made = existing
            .iter()
            .any(|c| c.attributes.get("note").and_then(|n| n.as_str()).is_some_and(|note| note.contains(&mark)));
        if !made {
            ctx.client.create_workflow_card(&workflow, &card.planning_center_person_id, Some(&card.note())).await?;
            counts.successful += 1;
        }
        let chosen = workflow.clone();
        ctx.write(move |tx| renewal_cards::card_made(tx, &card, &chosen)).await?;
        if let Some(lease) = &ctx.outbox_lease {
            if let Err(message) = lease.complete(&lease_key).await {
                ctx.note_error(format!("the team hub did not record that a renewal card was made: {message}"));
            }
        }
    }
    Ok(counts)
}

/// A completed course puts the person on the workflow the office chose, with one card per
/// enrollment. The card's note names the enrollment, so a card made by a push cut off before
/// it was recorded is found among the person's cards and not made again; an enrollment
/// reopened and completed again keeps its one card.
async fn card_for_completion(
    ctx: &Context<'_>,
    workflow: &str,
    remote_person: &str,
    enrollment: Uuid,
) -> Result<(), SyncError> {
    let Some(completion) = ctx.store(move |store| summaries::completion_of(store, enrollment)).await? else {
        return Ok(()); // not completed (reopened or dropped): no card
    };
    let mark = format!("enrollment {enrollment}");
    let cards = ctx.client.workflow_cards_of(workflow, remote_person).await?;
    let made = cards
        .iter()
        .any(|card| card.attributes.get("note").and_then(|n| n.as_str()).is_some_and(|note| note.contains(&mark)));
    if !made {
        let note = format!(
            "Completed {} on {} (Church Course Tracker, {mark})",
            completion.course,
            completion.completed_on.as_deref().unwrap_or("an unrecorded date")
        );
        ctx.client.create_workflow_card(workflow, remote_person, Some(&note)).await?;
    }
    Ok(())
}
