//! What every stored record shares, and what the store needs to know about each record type.

use crate::permissions::{Actor, Resource};
use crate::time::Timestamp;
use crate::ValidationError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// The columns every record table has. The store sets the timestamps and the `*_by` columns;
/// what a caller puts there is overwritten.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RecordMeta {
    #[serde(default = "crate::new_id")]
    pub id: Uuid,
    #[serde(default = "active")]
    pub is_active: bool,
    #[serde(default = "Timestamp::now")]
    pub created_at: Timestamp,
    #[serde(default = "Timestamp::now")]
    pub updated_at: Timestamp,
    #[serde(default)]
    pub created_by: Option<Uuid>,
    #[serde(default)]
    pub updated_by: Option<Uuid>,
}

fn active() -> bool {
    true
}

impl Default for RecordMeta {
    fn default() -> Self {
        let now = Timestamp::now();
        Self {
            id: crate::new_id(),
            is_active: true,
            created_at: now,
            updated_at: now,
            created_by: None,
            updated_by: None,
        }
    }
}

/// A column that points at another table's row. The store checks each one before writing, so
/// an unknown id is reported by field name rather than as a bare foreign-key failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub field: &'static str,
    pub table: &'static str,
    pub id: Uuid,
    /// Whether the referenced row must be active (e.g. enrolling in an inactive course).
    pub must_be_active: bool,
}

impl Reference {
    pub fn to(field: &'static str, table: &'static str, id: Uuid) -> Self {
        Self { field, table, id, must_be_active: false }
    }

    pub fn to_active(field: &'static str, table: &'static str, id: Uuid) -> Self {
        Self { field, table, id, must_be_active: true }
    }

    pub fn optional(field: &'static str, table: &'static str, id: Option<Uuid>) -> Option<Self> {
        id.map(|id| Self::to(field, table, id))
    }
}

/// A record type with its own table. Its serde form is its row: field names are column names.
pub trait Record: Serialize + DeserializeOwned + Clone + Send + Sync + Unpin + 'static {
    /// The table, as in `migrations/`.
    const TABLE: &'static str;
    /// Which permissions guard it.
    const RESOURCE: Resource;
    /// Whether Planning Center must learn of writes (an outbox row goes with each).
    const PUSHED_TO_PLANNING_CENTER: bool = false;

    /// Whether an update from `old` to `new` changes what Planning Center receives of a record
    /// it is pushed, so that it is queued for it. By default every update does.
    fn update_reaches_planning_center(_old: &Self, _new: &Self) -> bool {
        Self::PUSHED_TO_PLANNING_CENTER
    }

    /// The record Planning Center must be told that this one left, when an update from `old`
    /// to `new` takes it out of a group Planning Center keeps members of (a person moved out
    /// of a household): its table and id. Only a move made here is sent, never an inference
    /// from who lives where, as Planning Center lets a child be in two households.
    fn left_group_in_planning_center(_old: &Self, _new: &Self) -> Option<(&'static str, Uuid)> {
        None
    }

    fn meta(&self) -> &RecordMeta;
    fn meta_mut(&mut self) -> &mut RecordMeta;

    fn id(&self) -> Uuid {
        self.meta().id
    }

    /// Fills what a record may leave out and the store must know, before it is validated and
    /// written (an enrollment that names no offering belongs to its course's first).
    fn complete(&mut self) {}

    /// Field-level checks; the first broken rule is returned.
    fn validate(&self) -> Result<(), ValidationError>;

    /// Columns that point at other rows.
    fn references(&self) -> Vec<Reference> {
        Vec::new()
    }

    /// An SQL condition that limits which rows this actor may read, when the resource's read
    /// permission alone is not enough. It must be a constant: it is pasted into the query.
    fn read_scope(_actor: &Actor) -> Option<&'static str> {
        None
    }
}

/// Implements the `meta` accessors for a record whose `RecordMeta` field is named `meta`.
#[macro_export]
macro_rules! record_meta {
    () => {
        fn meta(&self) -> &$crate::RecordMeta {
            &self.meta
        }
        fn meta_mut(&mut self) -> &mut $crate::RecordMeta {
            &mut self.meta
        }
    };
}

/// Serde helpers for columns that hold JSON text: the store reads them back as a string,
/// while callers see the value itself.
pub mod json_text {
    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>, T: DeserializeOwned>(deserializer: D) -> Result<T, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let value = match value {
            serde_json::Value::String(text) => serde_json::from_str(&text).map_err(serde::de::Error::custom)?,
            other => other,
        };
        T::deserialize(value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_text_accepts_text_and_values() {
        #[derive(serde::Deserialize)]
        struct Row {
            #[serde(deserialize_with = "super::json_text::deserialize")]
            tags: Vec<String>,
        }
        let from_text: Row = serde_json::from_str(r#"{"tags": "[\"a\",\"b\"]"}"#).unwrap();
        let from_value: Row = serde_json::from_str(r#"{"tags": ["a","b"]}"#).unwrap();
        assert_eq!(from_text.tags, from_value.tags);
        assert!(serde_json::from_str::<Row>(r#"{"tags": "not json"}"#).is_err());
    }
}
