//! What the station's "Sunday readiness" panel reads.

use crate::db::{Query, Result, Store};
use std::collections::BTreeMap;
use uuid::Uuid;

/// How many are checked in (and not yet out) at each of the sessions.
pub fn session_counts(store: &Store, session_ids: &[Uuid]) -> Result<BTreeMap<Uuid, i64>> {
    let ids = serde_json::to_string(&session_ids.iter().map(|id| id.to_string()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into());
    let rows: Vec<(String, i64)> = store.read(|conn| {
        conn.tuples(
            "SELECT class_session_id, COUNT(*) FROM attendance_record WHERE is_active = 1 AND check_in_at IS NOT NULL AND check_out_at IS NULL
             AND class_session_id IN (SELECT value FROM json_each(?1)) GROUP BY class_session_id",
            [ids],
        )
    })?;
    Ok(rows.into_iter().filter_map(|(id, n)| Some((Uuid::parse_str(&id).ok()?, n))).collect())
}

/// When people last came in from Planning Center on this laptop (the roster a station works
/// from offline), if ever.
pub fn last_roster_refresh(store: &Store) -> Result<Option<String>> {
    store.read(|conn| {
        conn.scalar(
            "SELECT MAX(completed_at) FROM planning_center_sync_log WHERE sync_direction = 'from_pc' AND sync_type = 'people' AND completed_at IS NOT NULL",
            [],
        )
    })
}
