//! Reading the audit trail. Writing it is [`crate::WriteTx`]'s job.

use crate::row::read_row;
use crate::{Result, Store, StoreError};
use cct_domain::{Actor, Permission};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
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
    /// Who made the change, by name (`None` for the system: demo loading, sync).
    #[serde(default)]
    pub changed_by_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct AuditQuery {
    pub table_name: Option<String>,
    pub record_id: Option<String>,
    pub changed_by: Option<String>,
    /// Changes to this person's record or to records about them (their enrollments, roles,
    /// attendance, ...), by whoever made them.
    pub about_person: Option<String>,
    pub limit: Option<u32>,
    pub offset: u32,
}

/// Newest first.
pub async fn query(store: &Store, actor: &Actor, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
    crate::actor::require(actor, Permission::AuditRead)?;
    let mut sql = format!(
        "SELECT a.*, {} AS changed_by_name FROM audit_log a LEFT JOIN people p ON p.id = a.changed_by WHERE 1 = 1",
        crate::views::display_name_sql("p")
    );
    let mut binds = Vec::new();
    for (column, value) in [("a.table_name", &query.table_name), ("a.record_id", &query.record_id), ("a.changed_by", &query.changed_by)] {
        if let Some(value) = value {
            sql.push_str(&format!(" AND {column} = ?"));
            binds.push(value.clone());
        }
    }
    if let Some(person) = &query.about_person {
        // An insert's new values hold every column; later changes to a row about the person
        // (or about one of their enrollments) are found through that row's id.
        sql.push_str(
            " AND (a.record_id = ? OR a.record_id IN (SELECT record_id FROM audit_log WHERE action = 'insert' AND (
                 json_extract(new_values, '$.people_id') = ?
                 OR json_extract(new_values, '$.course_enrollment_id') IN (SELECT id FROM course_enrollment WHERE people_id = ?))))",
        );
        binds.extend([person.clone(), person.clone(), person.clone()]);
    }
    sql.push_str(" ORDER BY a.changed_at DESC, a.id DESC LIMIT ? OFFSET ?");
    let mut q = sqlx::query(&sql);
    for value in binds {
        q = q.bind(value);
    }
    let rows = q.bind(query.limit.unwrap_or(100).min(1000)).bind(query.offset).fetch_all(&mut *store.reader().await?).await?;
    rows.iter()
        .map(|row| {
            let map = read_row(row)?;
            serde_json::from_value(Value::Object(map)).map_err(|source| StoreError::CorruptRecord { table: "audit_log".into(), source })
        })
        .collect()
}
