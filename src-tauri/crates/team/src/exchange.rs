//! Sending this device's changes to the hub and bringing the others' here. Both go in batches
//! and both can be cut off anywhere: the hub keys changes by id, so a batch sent twice is kept
//! once, and a pulled batch commits with the cursor that follows it.

use crate::error::{hub_error, Result, TeamError};
use crate::hub::{verify_device, DeviceCredentials, Hub};
use cct_store::team::{apply, changes, device, Change, Hlc};
use cct_store::Store;
use serde::Serialize;
use sqlx::Row;
use ts_rs::TS;

/// Serialises pushes on the hub (see the hub's migration): its key for `pg_advisory_xact_lock`.
const PUSH_LOCK: i64 = 0x6363_745f_7075_7368; // "cct_push"

pub const DEFAULT_BATCH: u32 = 500;
/// A snapshot is merged in larger batches: a new computer has nothing to lose meanwhile, and
/// each batch's commit and clock reads are paid fewer times.
const SNAPSHOT_BATCH: u32 = 5_000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
pub struct ExchangeReport {
    pub pushed: u64,
    pub pulled: u64,
    /// Pulled changes that wait for a record they refer to, or clash with one made separately.
    pub waiting: u64,
    /// Pulled records that were the same thing as one here (the same person enrolled in the
    /// same course on two laptops offline), folded into it.
    pub folded: u64,
    /// Planning Center webhook events the hub's receiver stored, copied here to be acted on.
    pub webhook_events: u64,
    /// Audit rows of this computer sent to the church's audit trail.
    pub audit_rows_sent: u64,
    /// Audit rows of the other computers brought here.
    pub audit_rows_received: u64,
    /// The hub made a new snapshot of the church during this sync (see `compaction`).
    pub made_snapshot: bool,
    /// Changes the hub pruned from its log during this sync.
    pub pruned: u64,
}

/// How far a push or pull has got, for a progress bar.
#[derive(Debug, Clone, Copy, Serialize, TS)]
pub struct ExchangeProgress {
    pub phase: &'static str,
    pub done: u64,
    pub total: u64,
}

/// Sends every unsent change, `batch` at a time. Changes are marked sent only after the hub
/// committed them.
pub async fn push(
    store: &Store,
    hub: &Hub,
    credentials: &DeviceCredentials,
    batch: u32,
    progress: &(dyn Fn(ExchangeProgress) + Sync),
) -> Result<u64> {
    // The hub's clock is the one that counts: a computer running ahead sends nothing until its
    // clock is set right; changes it stamped while it ran ahead are stamped again now.
    let hub_now_ms: i64 = sqlx::query_scalar("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint")
        .fetch_one(hub.pool())
        .await
        .map_err(hub_error)?;
    let ahead_ms = cct_store::team::clock::now_ms() as i64 - hub_now_ms;
    if ahead_ms > cct_store::team::clock::MAX_AHEAD_MS as i64 {
        return Err(TeamError::ClockAhead { minutes: ahead_ms / 60_000 });
    }
    store.call(move |store| changes::restamp_beyond(store, Hlc::bound_at(hub_now_ms.max(0) as u64))).await?;
    let total = store.call(changes::unpushed_count).await? as u64;
    let mut pushed = 0;
    loop {
        let logged = store.call(move |store| changes::unpushed(store, batch)).await?;
        let Some(last) = logged.last().map(|l| l.seq) else { break };
        let batch_changes: Vec<&Change> = logged.iter().map(|l| &l.change).collect();
        send_batch(hub, credentials, &batch_changes, total.saturating_sub(pushed + logged.len() as u64)).await?;
        store.call(move |store| changes::mark_pushed(store, last)).await?;
        pushed += logged.len() as u64;
        progress(ExchangeProgress { phase: "push", done: pushed, total: total.max(pushed) });
    }
    if pushed == 0 {
        // Nothing to send: the hub still learns that this device is alive and up to date.
        let mut tx = hub.pool().begin().await.map_err(hub_error)?;
        verify_device(&mut tx, credentials).await?;
        note_contact(&mut tx, 0).await?;
        tx.commit().await.map_err(hub_error)?;
    }
    store.call(device::record_pushed_at).await?;
    Ok(pushed)
}

async fn send_batch(hub: &Hub, credentials: &DeviceCredentials, batch: &[&Change], still_unsent: u64) -> Result<()> {
    if let Some(foreign) = batch.iter().find(|c| c.device_id != credentials.device_id) {
        // Only a device's own changes are pushed from its log; anything else is a bug.
        return Err(TeamError::Store(cct_store::StoreError::Constraint(format!(
            "change {} was made by another device",
            foreign.id
        ))));
    }
    let mut tx = hub.pool().begin().await.map_err(hub_error)?;
    verify_device(&mut tx, credentials).await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(PUSH_LOCK).execute(&mut *tx).await.map_err(hub_error)?;
    let column = |f: fn(&Change) -> String| batch.iter().map(|c| f(c)).collect::<Vec<String>>();
    sqlx::query(
        "INSERT INTO hub_change (id, device_id, table_name, record_id, fields, deleted, hlc, campus_ids)
         SELECT id, $2, table_name, record_id, fields::jsonb, deleted, hlc, ARRAY(SELECT jsonb_array_elements_text(campus_ids::jsonb))
         FROM UNNEST($1::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::text[], $8::text[])
             AS batch(id, table_name, record_id, fields, deleted, hlc, campus_ids)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(column(|c| c.id.clone()))
    .bind(&credentials.device_id)
    .bind(column(|c| c.table_name.clone()))
    .bind(column(|c| c.record_id.clone()))
    .bind(column(|c| serde_json::Value::Object(c.fields.clone()).to_string()))
    .bind(batch.iter().map(|c| c.deleted).collect::<Vec<bool>>())
    .bind(column(|c| c.hlc.clone()))
    .bind(column(|c| serde_json::to_string(&c.campus_ids).unwrap_or_else(|_| "[]".into())))
    .execute(&mut *tx)
    .await
    .map_err(hub_error)?;
    for link in batch.iter().filter(|c| c.table_name == "people_campus") {
        tag_person_with_campus(&mut tx, link).await?;
    }
    note_contact(&mut tx, still_unsent).await?;
    tx.commit().await.map_err(hub_error)
}

/// The device's last contact, and how many changes it still holds unsent, for the Team screen.
/// (The hub knows the caller by its role.)
async fn note_contact(conn: &mut sqlx::PgConnection, unsent: u64) -> Result<()> {
    sqlx::query("SELECT cct_note_contact($1, NULL)")
        .bind(unsent as i64)
        .execute(&mut *conn)
        .await
        .map_err(hub_error)?;
    Ok(())
}

/// A person who joins a campus takes their history with them: their earlier changes, and
/// those of their own rows, are tagged with the campus, so that campus's laptops pull them
/// (unless they already passed them; see the README's limits).
async fn tag_person_with_campus(conn: &mut sqlx::PgConnection, link: &Change) -> Result<()> {
    let (Some(person), Some(campus)) =
        (link.fields.get("people_id").and_then(|v| v.as_str()), link.fields.get("campus_id").and_then(|v| v.as_str()))
    else {
        return Ok(());
    };
    // The hub checks the link is one this device sent (see `cct_tag_person_with_campus`).
    sqlx::query("SELECT cct_tag_person_with_campus($1, $2, $3)")
        .bind(person)
        .bind(campus)
        .bind(cct_store::team::PERSONAL_TABLES.to_vec())
        .execute(&mut *conn)
        .await
        .map_err(hub_error)?;
    Ok(())
}

/// Brings every change from the other devices (within this device's campus, if it has one)
/// that arrived at the hub since the last pull, `batch` at a time. Returns how many changes it
/// received, how many wait, and how many records it folded into others.
pub async fn pull(
    store: &Store,
    hub: &Hub,
    credentials: &DeviceCredentials,
    batch: u32,
    progress: &(dyn Fn(ExchangeProgress) + Sync),
) -> Result<(u64, u64, u64)> {
    let me = store.call(device::membership).await?;
    let mut cursor = me.pull_cursor;
    let (mut pulled, mut scanned, mut waiting, mut folded) = (0u64, 0u64, 0u64, 0u64);
    if let Some(from) =
        crate::compaction::start_from_snapshot(store, hub, credentials, cursor, batch.max(SNAPSHOT_BATCH), progress)
            .await?
    {
        cursor = from.through_seq;
        (pulled, waiting, folded) = (from.received, from.waiting, from.folded);
    }
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM hub_change WHERE seq > $1")
        .bind(cursor)
        .fetch_one(hub.pool())
        .await
        .map_err(hub_error)?;
    loop {
        let mut conn = hub.pool().acquire().await.map_err(hub_error)?;
        verify_device(&mut conn, credentials).await?;
        let window_end: Option<i64> = sqlx::query_scalar(
            "SELECT max(seq) FROM (SELECT seq FROM hub_change WHERE seq > $1 ORDER BY seq LIMIT $2) w",
        )
        .bind(cursor)
        .bind(batch as i64)
        .fetch_one(&mut *conn)
        .await
        .map_err(hub_error)?;
        let Some(window_end) = window_end else {
            if me.catch_up_own_changes {
                store.call(device::caught_up_own_changes).await?;
            }
            break;
        };
        let rows = sqlx::query(
            "SELECT id, device_id, table_name, record_id, fields::text, deleted, hlc, campus_ids FROM hub_change
             WHERE seq > $1 AND seq <= $2 AND (device_id <> $3 OR $5)
               AND ($4::text IS NULL OR cardinality(campus_ids) = 0 OR $4 = ANY(campus_ids))
             ORDER BY seq",
        )
        .bind(cursor)
        .bind(window_end)
        .bind(&credentials.device_id)
        .bind(&me.campus_scope)
        .bind(me.catch_up_own_changes)
        .fetch_all(&mut *conn)
        .await
        .map_err(hub_error)?;
        scanned += (window_end - cursor).max(0) as u64;
        let batch_changes = rows
            .iter()
            .map(change_from_row)
            .collect::<std::result::Result<Vec<Change>, sqlx::Error>>()
            .map_err(hub_error)?;
        let counts = store.call(move |store| apply::apply_batch(store, &batch_changes, window_end)).await?;
        pulled += counts.received;
        waiting = counts.waiting;
        folded += counts.folded;
        cursor = window_end;
        sqlx::query("SELECT cct_note_contact(NULL, $1)").bind(cursor).execute(&mut *conn).await.map_err(hub_error)?;
        progress(ExchangeProgress { phase: "pull", done: scanned.min(total as u64), total: total as u64 });
    }
    Ok((pulled, waiting, folded))
}

pub(crate) fn change_from_row(row: &sqlx::postgres::PgRow) -> std::result::Result<Change, sqlx::Error> {
    let fields: String = row.try_get(4)?;
    Ok(Change {
        id: row.try_get(0)?,
        device_id: row.try_get(1)?,
        table_name: row.try_get(2)?,
        record_id: row.try_get(3)?,
        fields: serde_json::from_str(&fields).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        deleted: row.try_get(5)?,
        hlc: row.try_get(6)?,
        campus_ids: row.try_get(7)?,
    })
}

/// Push, then pull: what this device wrote reaches the others, and theirs reaches it.
pub async fn sync(
    store: &Store,
    hub: &Hub,
    credentials: &DeviceCredentials,
    progress: &(dyn Fn(ExchangeProgress) + Sync),
) -> Result<ExchangeReport> {
    let result = async {
        // The audit rows go first: the push of a person's campus link tags their history at
        // the hub with the campus, and these rows are part of it.
        let audit_rows_sent = crate::audit_trail::push(store, hub, credentials, progress).await?;
        let pushed = push(store, hub, credentials, DEFAULT_BATCH, progress).await?;
        // Before the changes' pull, which ends a restored computer's catching up: its own
        // rows from after the backup come back here too.
        let audit_rows_received = crate::audit_trail::pull(store, hub, credentials, progress).await?;
        let (pulled, waiting, folded) = pull(store, hub, credentials, DEFAULT_BATCH, progress).await?;
        // After the pull: the people the credentials are for are here by then.
        crate::sign_in::exchange(store, hub, credentials).await?;
        let webhook_events = crate::webhooks::copy_new_events(store, hub).await? as u64;
        // Last: this computer's fetch just moved, which may let the log go further.
        progress(ExchangeProgress { phase: "compact", done: 0, total: 1 });
        let compacted = crate::compaction::compact(hub, credentials).await?;
        Ok(ExchangeReport {
            pushed,
            pulled,
            waiting,
            folded,
            webhook_events,
            audit_rows_sent,
            audit_rows_received,
            made_snapshot: compacted.made_snapshot,
            pruned: compacted.pruned,
        })
    }
    .await;
    let message = result.as_ref().err().map(|e: &TeamError| e.to_string());
    store.call(move |store| device::record_error(store, message.as_deref())).await?;
    result
}
