//! The merge rule, free of storage: per field, the last writer wins by hybrid logical clock,
//! with the device id breaking ties; a deleted record stays deleted. The winner of a field is
//! the greatest version among the changes that wrote it, and a record is deleted if any change
//! deleted it, so the outcome depends only on which changes were seen, never on their order.

use super::clock::version;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The soft-delete column every replicated table has.
pub const ACTIVE_FIELD: &str = "is_active";

/// One write of one record, as devices exchange it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub id: String,
    pub table_name: String,
    pub record_id: String,
    pub fields: Map<String, Value>,
    pub deleted: bool,
    pub hlc: String,
    pub device_id: String,
    /// The campuses the record belonged to when written; empty for church-wide data.
    pub campus_ids: Vec<String>,
}

impl Change {
    pub fn version(&self) -> String {
        version(&self.hlc, &self.device_id)
    }
}

/// The version that last won each field of a record, and whether it was deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldVersions {
    pub by_field: BTreeMap<String, String>,
    pub deleted: bool,
}

impl FieldVersions {
    /// Reads the versions as `team_record_clock.clocks` keeps them. Two forms are read, even
    /// side by side in one object: `{"<version>": ["field", ...]}`, which the merge writes
    /// (a record's fields mostly share a version, kept once instead of once a field), and
    /// `{"field": "<version>"}`, which local writes add (see the trigger that logs them) and
    /// earlier releases wrote. A field named twice holds the later version: a field's version
    /// only ever moves forward.
    pub fn from_stored(clocks: &str, deleted: bool) -> Result<Self, serde_json::Error> {
        let stored: Map<String, Value> = serde_json::from_str(clocks)?;
        let mut by_field: BTreeMap<String, String> = BTreeMap::new();
        let mut hold = |field: &str, version: &str| {
            let later = by_field.get(field).is_none_or(|held| version > held.as_str());
            if later {
                by_field.insert(field.to_owned(), version.to_owned());
            }
        };
        for (key, value) in &stored {
            match value {
                Value::String(version) => hold(key, version),
                Value::Array(fields) => fields.iter().filter_map(Value::as_str).for_each(|field| hold(field, key)),
                _ => {}
            }
        }
        Ok(FieldVersions { by_field, deleted })
    }

    /// The versions as `team_record_clock.clocks` keeps them: each version once, with its fields.
    pub fn stored_clocks(&self) -> String {
        let mut fields_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (field, version) in &self.by_field {
            fields_of.entry(version.as_str()).or_default().push(field.as_str());
        }
        serde_json::to_string(&fields_of).unwrap_or_else(|_| "{}".into())
    }

    /// Takes in `change` and returns the fields it wins, to be written to the record.
    /// `is_active` is also returned when the change deletes the record.
    pub fn absorb(&mut self, change: &Change) -> Vec<String> {
        let incoming = change.version();
        let mut won = Vec::new();
        for field in change.fields.keys() {
            let wins = self.by_field.get(field).is_none_or(|held| incoming > *held);
            if wins {
                self.by_field.insert(field.clone(), incoming.clone());
                won.push(field.clone());
            }
        }
        if change.deleted && !self.deleted {
            self.deleted = true;
            if !won.iter().any(|f| f == ACTIVE_FIELD) {
                won.push(ACTIVE_FIELD.to_owned());
            }
        }
        won
    }
}

/// The value a won field takes: a deleted record's `is_active` is false whatever was written.
pub fn value_to_write(versions: &FieldVersions, field: &str, written: Option<&Value>) -> Value {
    if versions.deleted && field == ACTIVE_FIELD {
        return Value::Bool(false);
    }
    written.cloned().unwrap_or(Value::Null)
}

/// A record merged in memory: the reference the stored merge is checked against.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergedRecord {
    pub versions: FieldVersions,
    pub values: BTreeMap<String, Value>,
}

impl MergedRecord {
    pub fn absorb(&mut self, change: &Change) {
        for field in self.versions.absorb(change) {
            let value = value_to_write(&self.versions, &field, change.fields.get(&field));
            self.values.insert(field, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    const FIELDS: [&str; 4] = ["first_name", "last_name", "notes", ACTIVE_FIELD];

    fn change(
        n: usize,
        record: u8,
        device: u8,
        wall: u64,
        counter: u32,
        fields: Vec<(usize, i64)>,
        deleted: bool,
    ) -> Change {
        let mut map = Map::new();
        for (field, value) in fields {
            let name = FIELDS[field % FIELDS.len()];
            let value = if name == ACTIVE_FIELD { Value::Bool(value % 2 == 0) } else { Value::from(value) };
            map.insert(name.to_owned(), value);
        }
        Change {
            id: format!("c{n}"),
            table_name: "people".into(),
            record_id: format!("r{record}"),
            fields: map,
            deleted,
            hlc: super::super::clock::Hlc { wall_ms: wall, counter }.to_string(),
            device_id: format!("device-{device}"),
            campus_ids: vec![],
        }
    }

    fn changes() -> impl Strategy<Value = Vec<Change>> {
        // Few records, devices and clock values, so writes collide on fields and even on clocks.
        let one = (
            0u8..3,
            0u8..3,
            0u64..4,
            0u32..3,
            prop::collection::vec((0usize..4, 0i64..5), 1..4),
            prop::bool::weighted(0.1),
        );
        prop::collection::vec(one, 1..40).prop_map(|items| {
            // A device's clock never gives two writes the same time; other devices' may.
            let mut seen = std::collections::HashSet::new();
            items
                .into_iter()
                .filter(|(_, d, w, c, _, _)| seen.insert((*d, *w, *c)))
                .enumerate()
                .map(|(n, (r, d, w, c, f, del))| change(n, r, d, w, c, f, del))
                .collect()
        })
    }

    fn merge_all(changes: &[Change]) -> BTreeMap<String, MergedRecord> {
        let mut records: BTreeMap<String, MergedRecord> = BTreeMap::new();
        for change in changes {
            records.entry(change.record_id.clone()).or_default().absorb(change);
        }
        records
    }

    #[test]
    fn stored_versions_keep_each_version_once_and_read_both_forms() {
        let mut versions = FieldVersions::default();
        for field in ["first_name", "last_name", "email"] {
            versions.by_field.insert(field.into(), "1796400000000.000000@a".into());
        }
        versions.by_field.insert("nickname".into(), "1796400000001.000000@b".into());
        let stored = versions.stored_clocks();
        assert_eq!(stored.matches("1796400000000.000000@a").count(), 1, "{stored}");
        assert_eq!(FieldVersions::from_stored(&stored, false).unwrap(), versions);

        // A local write adds `field: version` beside the grouped form; the later one holds.
        let mixed = r#"{"1796400000000.000000@a": ["email", "first_name"], "email": "1796400000002.000000@c", "first_name": "1796300000000.000000@z"}"#;
        let read = FieldVersions::from_stored(mixed, true).unwrap();
        assert_eq!(read.by_field["email"], "1796400000002.000000@c");
        assert_eq!(read.by_field["first_name"], "1796400000000.000000@a");
        assert!(read.deleted);
        assert!(FieldVersions::from_stored("not json", false).is_err());
    }

    proptest! {
        #[test]
        fn any_order_of_the_same_changes_merges_to_the_same_records(
            (original, shuffled) in changes().prop_flat_map(|c| { let s = Just(c.clone()).prop_shuffle(); (Just(c), s) }),
            repeats in prop::collection::vec(any::<prop::sample::Index>(), 0..5),
        ) {
            // Deliveries may repeat: a device that crashed after pushing sends again.
            let mut delivered = shuffled.clone();
            for index in repeats {
                delivered.push(index.get(&shuffled).clone());
            }
            prop_assert_eq!(merge_all(&original), merge_all(&delivered));
        }

        #[test]
        fn a_deleted_record_stays_deleted(mut changes in changes(), at in any::<prop::sample::Index>()) {
            let victim = at.get(&changes).record_id.clone();
            let position = at.index(changes.len());
            let mut delete = change(999, 0, 0, 0, 0, vec![], true);
            delete.record_id = victim.clone();
            changes.insert(position, delete);
            let merged = merge_all(&changes);
            prop_assert_eq!(merged[&victim].values.get(ACTIVE_FIELD), Some(&Value::Bool(false)));
        }

        #[test]
        fn each_field_holds_the_value_of_its_latest_writer(changes in changes()) {
            let merged = merge_all(&changes);
            for (record_id, record) in &merged {
                for (field, value) in &record.values {
                    if field == ACTIVE_FIELD && record.versions.deleted { continue; }
                    let latest = changes.iter()
                        .filter(|c| &c.record_id == record_id && c.fields.contains_key(field))
                        .max_by_key(|c| c.version())
                        .expect("a merged field was written by some change");
                    prop_assert_eq!(Some(value), latest.fields.get(field));
                }
            }
        }
    }
}
