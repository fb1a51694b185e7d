//! The queue of changes bound for Planning Center. Rows are written by [`crate::WriteTx`] in the
//! same transaction as the change; the sync engine drains them.

use crate::db::{Query, Result, Store};

/// Changes still to reach Planning Center (sent next, being sent, or to be retried).
pub fn pending_count(store: &Store) -> Result<i64> {
    store.read(|conn| {
        conn.scalar("SELECT COUNT(*) FROM pco_outbox WHERE status IN ('pending', 'in_flight', 'failed')", [])
    })
}
