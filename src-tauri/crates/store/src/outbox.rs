//! The queue of changes bound for Planning Center. Rows are written by [`crate::WriteTx`] in the
//! same transaction as the change; the sync engine drains them.

use crate::{Result, Store};

pub async fn pending_count(store: &Store) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM pco_outbox WHERE status IN ('pending', 'in_flight', 'failed')")
        .fetch_one(&mut *store.reader().await?)
        .await?)
}
