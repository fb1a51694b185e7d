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
