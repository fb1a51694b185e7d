//! Reading the audit trail. Writing it is [`crate::WriteTx`]'s job; [`record_event`] is for
//! actions on the database itself (a backup, its settings) that change no record.

use crate::db::{Query, Result, Store};
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
    /// The computer it was made on (the church's audit trail holds every computer's rows).
    #[serde(default)]
    pub device_id: Option<String>,
    /// That computer's name; `None` for a computer never named (one not in a team).
    #[serde(default)]
    pub device_name: Option<String>,
    /// Made on this computer.
    #[serde(default)]
    pub on_this_computer: bool,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct AuditQuery {
    pub table_name: Option<String>,
    pub record_id: Option<String>,
    pub changed_by: Option<String>,
    /// Only what was done on this computer (a device id of the team).
    pub device_id: Option<String>,
    /// Changes to this person's record or to records about them (their enrollments, roles,
    /// attendance, ...), by whoever made them.
    pub about_person: Option<String>,
    pub limit: Option<u32>,
    pub offset: u32,
}

/// Newest first.
pub fn query(store: &Store, actor: &Actor, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
    crate::office::people::require(actor, Permission::AuditRead)?;
    let mut sql = format!(
        "SELECT a.id, a.table_name, a.record_id, a.action, a.old_values, a.new_values, a.reason, a.changed_by,
                a.changed_at, a.ip_address, a.user_agent, {} AS changed_by_name, coalesce(a.device_id, me.device_id) AS device_id,
                coalesce(a.device_name, CASE WHEN coalesce(a.device_id, me.device_id) = me.device_id THEN nullif(me.device_name, '') END) AS device_name
         FROM audit_log a CROSS JOIN team_device me LEFT JOIN people p ON p.id = a.changed_by WHERE 1 = 1",
        crate::office::views::display_name_sql("p")
    );
    let mut binds: Vec<String> = Vec::new();
    for (column, value) in [
        ("a.table_name", &query.table_name),
        ("a.record_id", &query.record_id),
        ("a.changed_by", &query.changed_by),
        ("coalesce(a.device_id, me.device_id)", &query.device_id),
    ] {
        if let Some(value) = value {
            binds.push(value.clone());
            sql.push_str(&format!(" AND {column} = ?{}", binds.len()));
        }
    }
    if let Some(person) = &query.about_person {
        binds.push(person.clone());
        let n = binds.len();
        // An insert's new values hold every column; later changes to a row about the person
        // (or about one of their enrollments) are found through that row's id.
        sql.push_str(&format!(
            " AND (a.record_id = ?{n} OR a.record_id IN (SELECT record_id FROM audit_log WHERE action = 'insert' AND (
                 json_extract(new_values, '$.people_id') = ?{n}
                 OR json_extract(new_values, '$.course_enrollment_id') IN (SELECT id FROM course_enrollment WHERE people_id = ?{n}))))"
        ));
    }
    // Numbers, not text: written into the statement as they are.
    sql.push_str(&format!(
        " ORDER BY a.changed_at DESC, a.id DESC LIMIT {} OFFSET {}",
        query.limit.unwrap_or(100).min(1000),
        query.offset
    ));
    store.read(|conn| {
        let me: String = conn.scalar("SELECT device_id FROM team_device", [])?;
        let mut entries: Vec<AuditEntry> = conn.records("audit_log", &sql, rusqlite::params_from_iter(&binds))?;
        for entry in &mut entries {
            entry.on_this_computer = entry.device_id.as_deref() == Some(me.as_str());
        }
        Ok(entries)
    })
}

/// A computer the audit trail holds rows from, for filtering by it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
pub struct AuditComputer {
    pub device_id: String,
    pub device_name: Option<String>,
    #[serde(default)]
    pub on_this_computer: bool,
}

/// Every computer the audit trail holds rows from, this one first.
pub fn computers(store: &Store, actor: &Actor) -> Result<Vec<AuditComputer>> {
    crate::office::people::require(actor, Permission::AuditRead)?;
    store.read(|conn| {
        let me: String = conn.scalar("SELECT device_id FROM team_device", [])?;
        let mut found: Vec<AuditComputer> = conn.records(
            "audit_log",
            "SELECT coalesce(a.device_id, me.device_id) AS device_id,
                    coalesce(max(a.device_name), CASE WHEN coalesce(a.device_id, me.device_id) = me.device_id THEN nullif(me.device_name, '') END) AS device_name
             FROM audit_log a CROSS JOIN team_device me GROUP BY 1 ORDER BY 2",
            [],
        )?;
        for computer in &mut found {
            computer.on_this_computer = computer.device_id == me;
        }
        found.sort_by_key(|c| !c.on_this_computer);
        Ok(found)
    })
}

/// Notes in the audit trail an action that changes no record of the church (a backup made,
/// the backup folder chosen): who, when, and `detail` (never a secret).
pub fn record_event(store: &Store, actor: &Actor, subject: &str, what: &str, detail: &str) -> Result<()> {
    let mut values = crate::db::JsonRow::new();
    values.insert(what.to_owned(), Value::String(detail.to_owned()));
    store.write(actor, |tx| tx.audit_event(subject, what, &values))
}
