//! This device's identity and its membership of a church's team.

use crate::{Result, Store};
use cct_domain::{Actor, Permission};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq, sqlx::FromRow)]
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
}

pub async fn membership(store: &Store) -> Result<DeviceMembership> {
    Ok(sqlx::query_as(
        "SELECT device_id, device_name, hub_url, church_id, campus_scope, pull_cursor, joined_at, last_push_at, last_pull_at, last_error
         FROM team_device",
    )
    .fetch_one(&mut *store.reader().await?)
    .await?)
}

/// How many people this device holds: an empty one may join a team with a join code alone.
pub async fn people_count(store: &Store) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM people").fetch_one(&mut *store.reader().await?).await?)
}

pub(crate) async fn device_id(conn: &mut sqlx::SqliteConnection) -> Result<String> {
    Ok(sqlx::query_scalar("SELECT device_id FROM team_device").fetch_one(conn).await?)
}

/// Records that this device joined (or created) a church's team. Who may do that is the hub's
/// to decide (an administrator, or a join code), so it is checked there.
pub async fn record_joined(store: &Store, hub_url: &str, church_id: &str, device_name: &str, campus_scope: Option<&str>) -> Result<()> {
    let system = Actor::system();
    let mut tx = store.begin_write(&system).await?;
    sqlx::query(
        "UPDATE team_device SET hub_url = ?, church_id = ?, device_name = ?, campus_scope = ?, pull_cursor = 0, joined_at = ?, last_error = NULL",
    )
    .bind(hub_url)
    .bind(church_id)
    .bind(device_name)
    .bind(campus_scope)
    .bind(tx.now().to_rfc3339())
    .execute(tx.conn())
    .await?;
    tx.commit().await
}

/// Forgets the hub (after this device was removed, or to leave the team). The change log
/// stays: if the device joins again, what it wrote meanwhile is still sent.
pub async fn record_left(store: &Store, actor: &Actor) -> Result<()> {
    let mut tx = store.begin_write(actor).await?;
    tx.require(Permission::SyncManage)?;
    sqlx::query("UPDATE team_device SET hub_url = NULL, church_id = NULL, joined_at = NULL").execute(tx.conn()).await?;
    tx.commit().await
}

pub async fn record_pushed_at(store: &Store) -> Result<()> {
    let system = Actor::system();
    let mut tx = store.begin_write(&system).await?;
    sqlx::query("UPDATE team_device SET last_push_at = ?, last_error = NULL").bind(tx.now().to_rfc3339()).execute(tx.conn()).await?;
    tx.commit().await
}

pub async fn record_error(store: &Store, message: Option<&str>) -> Result<()> {
    let system = Actor::system();
    let mut tx = store.begin_write(&system).await?;
    sqlx::query("UPDATE team_device SET last_error = ?").bind(message).execute(tx.conn()).await?;
    tx.commit().await
}
