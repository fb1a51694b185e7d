//! Connections kept open and lent to one caller at a time.
//!
//! Not sqlx's pool: it pings every connection given back to it, on a task it spawns, before
//! anyone may have it again. On a 2-core machine that extra round trip to the connection's
//! worker thread costs more than the query it served (measured here: 350 µs for `SELECT 1`
//! through the pool, 55–110 µs on a held connection). SQLite connections to a local file have
//! nothing for a ping to find out, so the store lends its connections itself.

use crate::{Result, StoreError};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};

/// A connection on loan; given back when dropped.
pub type Lent = OwnedMappedMutexGuard<Option<SqliteConnection>, SqliteConnection>;

pub(crate) struct Lender {
    /// `None` once closed.
    slots: Vec<Arc<Mutex<Option<SqliteConnection>>>>,
    /// Where a caller who found every connection busy queues, spread round the slots.
    next_queue: AtomicUsize,
}

impl Lender {
    pub(crate) async fn open(options: &SqliteConnectOptions, count: usize) -> Result<Self> {
        let mut slots = Vec::with_capacity(count);
        for _ in 0..count.max(1) {
            slots.push(Arc::new(Mutex::new(Some(options.connect().await?))));
        }
        Ok(Self { slots, next_queue: AtomicUsize::new(0) })
    }

    /// A free connection if there is one, else the next to come free in turn.
    pub(crate) async fn lend(&self) -> Result<Lent> {
        for slot in &self.slots {
            if let Ok(guard) = slot.clone().try_lock_owned() {
                return open_connection(guard);
            }
        }
        let queue = self.next_queue.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        open_connection(self.slots[queue].clone().lock_owned().await)
    }

    /// Closes every connection once its current borrower is done; lending fails after.
    pub(crate) async fn close(&self) {
        for slot in &self.slots {
            if let Some(connection) = slot.lock().await.take() {
                // Closing checkpoints the WAL; a failure there leaves nothing to undo.
                let _ = connection.close().await;
            }
        }
    }
}

fn open_connection(guard: OwnedMutexGuard<Option<SqliteConnection>>) -> Result<Lent> {
    OwnedMutexGuard::try_map(guard, Option::as_mut).map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))
}
