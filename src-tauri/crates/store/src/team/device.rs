//! This device's identity and its membership of a church's team.

use crate::db::{Query, Result, Store};
use cct_domain::{Actor, Permission};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct DeviceMembership {
    pub device_id: String,
    pub device_name: String,
    /// The hub's connection string without its password; none until the device joins.
    pub hub_url: Option<String>,
    pub church_id: Option<String>,
    pub campus_scope: Option<String>,
    pub pull_cursor: i64,
    pub joined_at: Option<String>,
    pub last_push_at: Option<String>,
    pub last_pull_at: Option<String>,
    pub last_error: Option<String>,
    /// Restored from a backup: the next pulls also bring back this device's own changes made
    /// after that backup, which it lost with the database it replaced.
    pub catch_up_own_changes: bool,
}

pub fn membership(store: &Store) -> Result<DeviceMembership> {
    store.read(|conn| {
        let found = conn.record(
            "team_device",
            "SELECT device_id, device_name, hub_url, church_id, campus_scope, pull_cursor, joined_at, last_push_at, last_pull_at, last_error, catch_up_own_changes
             FROM team_device",
            [],
        )?;
        // The schema makes the one row; a database without it was not made by this app.
        found.ok_or_else(|| crate::db::StoreError::Constraint("this database has no device row (team_device); it was not made by Church Course Tracker".into()))
    })
}

/// Records that this device joined (or created) a church's team. Who may do that is the hub's
/// to decide (an administrator, or a join code), so it is checked there.
pub fn record_joined(
    store: &Store,
    hub_url: &str,
    church_id: &str,
    device_name: &str,
    campus_scope: Option<&str>,
) -> Result<()> {
    store.write(&Actor::system(), |tx| {
        tx.conn().run(
            "UPDATE team_device SET hub_url = ?1, church_id = ?2, device_name = ?3, campus_scope = ?4, pull_cursor = 0, joined_at = ?5, last_error = NULL",
            rusqlite::params![hub_url, church_id, device_name, campus_scope, tx.now().to_rfc3339()],
        )?;
        Ok(())
    })
}

/// Forgets the hub (after this device was removed, or to leave the team). The change log
/// stays: if the device joins again, what it wrote meanwhile is still sent.
pub fn record_left(store: &Store, actor: &Actor) -> Result<()> {
    store.write(actor, |tx| {
        tx.require(Permission::SyncManage)?;
        tx.conn().run("UPDATE team_device SET hub_url = NULL, church_id = NULL, joined_at = NULL", [])?;
        Ok(())
    })
}

pub fn record_pushed_at(store: &Store) -> Result<()> {
    store.write(&Actor::system(), |tx| {
        tx.conn().run("UPDATE team_device SET last_push_at = ?1, last_error = NULL", [tx.now().to_rfc3339()])?;
        Ok(())
    })
}

pub fn record_error(store: &Store, message: Option<&str>) -> Result<()> {
    store.write(&Actor::system(), |tx| {
        tx.conn().run("UPDATE team_device SET last_error = ?1", [message])?;
        Ok(())
    })
}

/// Marks a database just restored from a backup (on the restore's own connection, before it
/// is opened as a store): in a team, its next pulls bring back its own changes made after the
/// backup. Changes it had not pushed when the backup was made keep their ids, so pushing them
/// again adds nothing at the hub if they reached it before.
pub(crate) fn mark_restored(conn: &rusqlite::Connection) -> Result<()> {
    conn.run("UPDATE team_device SET catch_up_own_changes = 1 WHERE hub_url IS NOT NULL", [])?;
    Ok(())
}

/// A pull reached the end of the hub's changes: a restored device has all its own back.
pub fn caught_up_own_changes(store: &Store) -> Result<()> {
    store.write(&Actor::system(), |tx| {
        tx.conn().run("UPDATE team_device SET catch_up_own_changes = 0 WHERE catch_up_own_changes", [])?;
        Ok(())
    })
}
