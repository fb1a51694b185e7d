//! Reading the audit trail. Writing it is [`crate::WriteTx`]'s job.

use crate::row::read_row;
use crate::{Result, Store, StoreError};
use cct_domain::{Actor, Permission};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AuditEntry {
    pub id: String,
    pub table_name: String,
    pub record_id: String,
    pub action: String,
    #[serde(deserialize_with = "cct_domain::record::json_text::deserialize")]
    pub old_values: Option<Value>,
    #[serde(deserialize_with = "cct_domain::record::json_text::deserialize")]
    pub new_values: Option<Value>,
    pub reason: Option<String>,
    pub changed_by: Option<String>,
    pub changed_at: String,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub table_name: Option<String>,
    pub record_id: Option<String>,
    pub changed_by: Option<String>,
    pub limit: Option<u32>,
    pub offset: u32,
}

/// Newest first.
pub async fn query(store: &Store, actor: &Actor, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
    crate::actor::require(actor, Permission::AuditRead)?;
    let mut sql = String::from("SELECT * FROM audit_log WHERE 1 = 1");
    let mut binds = Vec::new();
    for (column, value) in [("table_name", &query.table_name), ("record_id", &query.record_id), ("changed_by", &query.changed_by)] {
        if let Some(value) = value {
            sql.push_str(&format!(" AND {column} = ?"));
            binds.push(value.clone());
        }
    }
    sql.push_str(" ORDER BY changed_at DESC, id DESC LIMIT ? OFFSET ?");
    let mut q = sqlx::query(&sql);
    for value in binds {
        q = q.bind(value);
    }
    let rows = q.bind(query.limit.unwrap_or(100).min(1000)).bind(query.offset).fetch_all(store.reader()).await?;
    rows.iter()
        .map(|row| {
            let map = read_row(row)?;
            serde_json::from_value(Value::Object(map)).map_err(|source| StoreError::CorruptRecord { table: "audit_log".into(), source })
        })
        .collect()
}
