//! The fake's in-memory data: records of every collection, indexed by parent, with a seeded
//! church of any size.

use crate::collections;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

/// The collection of household memberships: which person is in which household.
const MEMBERSHIPS: &str = "people/household_memberships";

#[derive(Debug, Clone)]
pub struct Record {
    pub id: u64,
    pub collection: &'static str,
    pub attributes: Map<String, Value>,
    pub parent: Option<u64>,
    /// Named relationships to records of other collections (to-one or to-many).
    pub relationships: BTreeMap<&'static str, (&'static str, Vec<u64>)>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Record {
    /// An attribute as the API shows it; timestamps and `id` are attributes too.
    pub fn attribute(&self, name: &str) -> Value {
        match name {
            "id" => Value::String(self.id.to_string()),
            "created_at" => Value::String(format_time(self.created_at)),
            "updated_at" => Value::String(format_time(self.updated_at)),
            _ => self.attributes.get(name).cloned().unwrap_or(Value::Null),
        }
    }
}

pub fn format_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[derive(Debug, Default)]
pub struct Data {
    records: HashMap<&'static str, BTreeMap<u64, Record>>,
    children: HashMap<(&'static str, u64), Vec<u64>>,
    next_id: u64,
}

impl Data {
    pub fn insert(
        &mut self,
        collection: &'static str,
        attributes: Map<String, Value>,
        parent: Option<u64>,
        at: DateTime<Utc>,
    ) -> u64 {
        self.next_id += 1;
        let id = self.next_id;
        let record = Record {
            id,
            collection,
            attributes,
            parent,
            relationships: BTreeMap::new(),
            created_at: at,
            updated_at: at,
        };
        if let Some(parent) = parent {
            self.children.entry((collection, parent)).or_default().push(id);
        }
        self.records.entry(collection).or_default().insert(id, record);
        id
    }

    pub fn relate(
        &mut self,
        collection: &'static str,
        id: u64,
        name: &'static str,
        target_collection: &'static str,
        targets: Vec<u64>,
    ) {
        if let Some(record) = self.records.get_mut(collection).and_then(|c| c.get_mut(&id)) {
            record.relationships.insert(name, (target_collection, targets));
        }
    }

    pub fn get(&self, collection: &str, id: u64) -> Option<&Record> {
        self.records.get(collection).and_then(|c| c.get(&id))
    }

    pub fn get_mut(&mut self, collection: &str, id: u64) -> Option<&mut Record> {
        self.records.get_mut(collection).and_then(|c| c.get_mut(&id))
    }

    pub fn remove(&mut self, collection: &'static str, id: u64) -> Option<Record> {
        let record = self.records.get_mut(collection)?.remove(&id)?;
        if let Some(parent) = record.parent {
            if let Some(siblings) = self.children.get_mut(&(collection, parent)) {
                siblings.retain(|c| *c != id);
            }
        }
        Some(record)
    }

    pub fn all(&self, collection: &str) -> impl Iterator<Item = &Record> {
        self.records.get(collection).into_iter().flat_map(|c| c.values())
    }

    pub fn children_of(&self, collection: &'static str, parent: u64) -> impl Iterator<Item = &Record> {
        self.children.get(&(collection, parent)).into_iter().flatten().filter_map(move |id| self.get(collection, *id))
    }

    pub fn count(&self, collection: &str) -> usize {
        self.records.get(collection).map_or(0, |c| c.len())
    }

    /// A church of `people` people in households, with e-mails, phones and addresses, two
    /// campuses, field definitions, a workflow, Registrations signups with attendees, and a
    /// Check-Ins event. Deterministic for a given seed. A tenth of the people share one
    /// `updated_at` (a bulk import), as real churches' data does, so clients must page through ties.
    pub fn generate(people: usize, seed: u64) -> Data {
        let mut data = Data::default();
        let mut rng = fastrand::Rng::with_seed(seed);
        let epoch = Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0).single().unwrap_or_default();
        let import_time = epoch + Duration::days(30);
        let first = [
            "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Grace", "Samuel",
            "Ruth", "Esther", "Caleb", "Naomi", "Luis", "Sofia", "Kwame", "Mei", "Hannah",
        ];
        let last = [
            "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Martinez", "Wilson",
            "Taylor", "Thomas", "Moore", "Lee", "Nguyen", "Okafor", "Clark", "Walker", "Young", "King",
        ];

        let campuses: Vec<u64> = ["Main Campus", "East Campus"]
            .iter()
            .map(|name| {
                data.insert(
                    "people/campuses",
                    obj(json!({"name": name, "city": "Springfield", "state": "IL"})),
                    None,
                    epoch,
                )
            })
            .collect();
        for (i, (name, kind)) in
            [("Course Completions", "text"), ("Certifications", "text"), ("Baptism Date", "date")].iter().enumerate()
        {
            data.insert(
                "people/field_definitions",
                obj(json!({"name": name, "data_type": kind, "sequence": i, "tab_id": "1", "deleted_at": null})),
                None,
                epoch,
            );
        }
        data.insert(
            "people/workflows",
            obj(json!({"name": "Course follow-up", "completed_card_count": 0, "ready_card_count": 0})),
            None,
            epoch,
        );

        let mut person_ids = Vec::with_capacity(people);
        while person_ids.len() < people {
            let surname = last[rng.usize(..last.len())];
            let at = epoch + Duration::minutes(rng.i64(0..60 * 24 * 700));
            let household = data.insert(
                "people/households",
                obj(json!({"name": format!("{surname} Household"), "member_count": 0})),
                None,
                at,
            );
            let size = 1 + rng.usize(..4);
            let mut members = Vec::new();
            for member in 0..size.min(people - person_ids.len()) {
                let n = person_ids.len();
                let given = first[rng.usize(..first.len())];
                let child = member >= 2;
                let updated =
                    if n % 10 == 0 { import_time } else { epoch + Duration::minutes(rng.i64(0..60 * 24 * 700)) };
                let birth_year = if child { 2012 + rng.i32(0..10) } else { 1950 + rng.i32(0..50) };
                let id = data.insert(
                    "people/people",
                    obj(json!({
                        "first_name": given, "last_name": surname, "nickname": null, "given_name": null, "middle_name": null,
                        "name": format!("{given} {surname}"),
                        "birthdate": format!("{birth_year}-{:02}-{:02}", 1 + rng.u32(0..12), 1 + rng.u32(0..28)),
                        "anniversary": null, "gender": if rng.bool() { "M" } else { "F" }, "grade": null, "child": child,
                        "membership": if child { "Child" } else { "Member" }, "status": "active", "inactivated_at": null,
                        "medical_notes": null, "remote_id": null, "site_administrator": false,
                    })),
                    None,
                    updated.min(at + Duration::days(400)),
                );
                if let Some(record) = data.get_mut("people/people", id) {
                    record.updated_at = updated;
                    record.created_at = record.created_at.min(updated);
                }
                data.relate("people/people", id, "households", "people/households", vec![household]);
                data.relate(
                    "people/people",
                    id,
                    "primary_campus",
                    "people/campuses",
                    vec![campuses[n % campuses.len()]],
                );
                if !child {
                    let email = format!("{}.{}{}@example.org", given.to_lowercase(), surname.to_lowercase(), n);
                    data.insert(
                        "people/emails",
                        obj(json!({"address": email, "location": "Home", "primary": true, "blocked": false})),
                        Some(id),
                        updated,
                    );
                    let phone = format!("(555) {:03}-{:04}", 200 + rng.u32(0..700), rng.u32(0..10_000));
                    data.insert(
                        "people/phone_numbers",
                        obj(json!({"number": phone, "carrier": null, "location": "Mobile", "primary": true})),
                        Some(id),
                        updated,
                    );
                    if member == 0 {
                        data.insert(
                            "people/addresses",
                            obj(json!({"street": format!("{} Main St", 100 + rng.u32(0..9000)), "city": "Springfield", "state": "IL", "zip": "62701", "location": "Home", "primary": true})),
                            Some(id),
                            updated,
                        );
                    }
                }
                members.push(id);
                person_ids.push(id);
            }
            if let Some(record) = data.get_mut("people/households", household) {
                record.attributes.insert("member_count".into(), json!(members.len()));
            }
            if let Some(&primary) = members.first() {
                data.relate("people/households", household, "primary_contact", "people/people", vec![primary]);
            }
        }

        for (i, name) in ["Alpha Course", "Membership Class", "Child Safety Training"].iter().enumerate() {
            let at = epoch + Duration::days(60 * i as i64);
            let signup = data.insert(
                "registrations/signups",
                obj(json!({"name": name, "description": format!("{name} registration"), "archived": false, "open_at": format_time(at), "close_at": null, "new_registration_url": format!("https://example.churchcenter.com/registrations/events/{}", i + 1)})),
                None,
                at,
            );
            data.insert("registrations/signup_times", obj(json!({"starts_at": format_time(at + Duration::days(14)), "ends_at": format_time(at + Duration::days(14) + Duration::hours(2)), "all_day": false})), Some(signup), at);
            for (n, person) in person_ids.iter().skip(i * 7).step_by(11).take(25).enumerate() {
                let waitlisted = n >= 20;
                let attendee = data.insert(
                    "registrations/attendees",
                    obj(json!({"active": !waitlisted, "canceled": false, "complete": true, "waitlisted": waitlisted, "waitlisted_at": if waitlisted { Value::String(format_time(at)) } else { Value::Null }, "person_id": person.to_string()})),
                    Some(signup),
                    at + Duration::hours(n as i64),
                );
                data.relate("registrations/attendees", attendee, "person", "people/people", vec![*person]);
            }
        }

        let event = data.insert(
            "check-ins/events",
            obj(json!({"name": "Sunday Kids", "frequency": "Weekly", "archived_at": null})),
            None,
            epoch,
        );
        let sunday = epoch + Duration::days(7);
        data.insert("check-ins/event_times", obj(json!({"starts_at": format_time(sunday), "shows_at": format_time(sunday - Duration::minutes(30)), "hides_at": format_time(sunday + Duration::hours(2))})), Some(event), epoch);
        for (n, person) in person_ids.iter().step_by(13).take(15).enumerate() {
            let code = format!(
                "{}{}{}{}",
                (b'A' + (n % 26) as u8) as char,
                n % 10,
                (b'K' + (n % 10) as u8) as char,
                (n * 7) % 10
            );
            let check_in = data.insert(
                "check-ins/check_ins",
                obj(json!({"first_name": "", "last_name": "", "security_code": code, "kind": "Regular", "medical_notes": null, "checked_out_at": null, "person_id": person.to_string()})),
                Some(event),
                sunday,
            );
            data.relate("check-ins/check_ins", check_in, "person", "people/people", vec![*person]);
        }
        let group =
            data.insert("groups/groups", obj(json!({"name": "Young Adults", "members_count": 12})), None, epoch);
        data.insert(
            "groups/events",
            obj(json!({"name": "Weekly meeting", "starts_at": format_time(sunday)})),
            Some(group),
            epoch,
        );
        data.insert(
            "people/lists",
            obj(json!({"name": "Children's ministry volunteers", "description": null, "total_people": 0})),
            None,
            epoch,
        );
        // Background checks for every seventh adult: most cleared, some with concerns, some
        // pending, and some cleared long ago and expired.
        let adults: Vec<u64> = person_ids
            .iter()
            .copied()
            .filter(|id| data.get("people/people", *id).is_some_and(|p| p.attribute("child") == false))
            .collect();
        for (n, person) in adults.iter().step_by(7).enumerate() {
            let completed = epoch + Duration::days(30 * (n as i64 % 20));
            let (status, years) = match n % 6 {
                0..=2 => ("report_clear", 3),
                3 => ("report_concerns", 3),
                4 => ("pending", 0),
                _ => ("manual_clear", 1),
            };
            let expires = (years > 0).then(|| (completed + Duration::days(365 * years)).format("%Y-%m-%d").to_string());
            data.add_background_check(*person, status, expires.as_deref(), completed);
        }
        // Each person's place in their household, as the API lists it (made last, so the ids
        // of everything above stay as they were before memberships were kept).
        for person in person_ids {
            for household in data.households_of(person) {
                let at = data.get("people/people", person).map_or(epoch, |p| p.updated_at);
                data.join_household(household, person, at);
            }
        }
        debug_assert!(collections::by_key("people/people").is_some());
        data
    }
}

impl Data {
    /// Records a new background check for a person, as a screening provider reports one to
    /// Planning Center: it becomes their current check, and earlier ones stop being current.
    pub fn add_background_check(
        &mut self,
        person: u64,
        status: &str,
        expires_on: Option<&str>,
        at: DateTime<Utc>,
    ) -> Option<u64> {
        self.get("people/people", person)?;
        let earlier: Vec<u64> = self.children_of("people/background_checks", person).map(|c| c.id).collect();
        for id in earlier {
            if let Some(check) = self.get_mut("people/background_checks", id) {
                check.attributes.insert("current".into(), json!(false));
                check.updated_at = at;
            }
        }
        Some(self.insert(
            "people/background_checks",
            obj(json!({
                "status": status, "expires_on": expires_on, "completed_at": format_time(at), "current": true,
                "note": "Screening report on file", "report_url": null, "status_updated_at": format_time(at),
            })),
            Some(person),
            at,
        ))
    }

    /// Merges two people as staff do in Planning Center: the person removed is deleted, their
    /// e-mails, phones, addresses and field data go to the person kept, their signups and
    /// check-ins name the person kept, and a `PersonMerger` records it. The kept person's
    /// `updated_at` moves to `at`, so an incremental pull sees them. `None` if either is
    /// missing or they are the same person.
    /// The households a person is in.
    pub fn households_of(&self, person: u64) -> Vec<u64> {
        self.get("people/people", person)
            .and_then(|p| p.relationships.get("households"))
            .map(|(_, ids)| ids.clone())
            .unwrap_or_default()
    }

    /// The membership that puts `person` in `household`, if there is one.
    pub fn membership(&self, household: u64, person: u64) -> Option<u64> {
        self.children_of(MEMBERSHIPS, household)
            .find(|m| m.relationships.get("person").is_some_and(|(_, p)| p.contains(&person)))
            .map(|m| m.id)
    }

    /// Puts a person in a household, with the membership that records it (as a household's
    /// creation or a new membership does); the membership's id. Joining twice is one membership.
    pub fn join_household(&mut self, household: u64, person: u64, at: DateTime<Utc>) -> u64 {
        if let Some(record) = self.get_mut("people/people", person) {
            let (_, ids) = record.relationships.entry("households").or_insert(("people/households", Vec::new()));
            if !ids.contains(&household) {
                ids.push(household);
                record.updated_at = at;
            }
        }
        if let Some(existing) = self.membership(household, person) {
            return existing;
        }
        let name = self.get("people/people", person).map_or(Value::Null, |p| p.attribute("name"));
        let membership =
            self.insert(MEMBERSHIPS, obj(json!({"person_name": name, "pending": false})), Some(household), at);
        self.relate(MEMBERSHIPS, membership, "person", "people/people", vec![person]);
        self.relate(MEMBERSHIPS, membership, "household", "people/households", vec![household]);
        self.count_members(household);
        membership
    }

    /// Ends a membership: the person is no longer in that household (`None` if there is no
    /// such membership in it).
    pub fn leave_household(&mut self, household: u64, membership: u64, at: DateTime<Utc>) -> Option<()> {
        if self.get(MEMBERSHIPS, membership)?.parent != Some(household) {
            return None;
        }
        let removed = self.remove(MEMBERSHIPS, membership)?;
        for person in removed.relationships.get("person").map(|(_, p)| p.clone()).unwrap_or_default() {
            if let Some(record) = self.get_mut("people/people", person) {
                if let Some((_, ids)) = record.relationships.get_mut("households") {
                    ids.retain(|h| *h != household);
                }
                record.updated_at = at;
            }
        }
        self.count_members(household);
        Some(())
    }

    fn count_members(&mut self, household: u64) {
        let members = self.children_of(MEMBERSHIPS, household).count();
        if let Some(record) = self.get_mut("people/households", household) {
            record.attributes.insert("member_count".into(), json!(members));
        }
    }

    pub fn merge_people(&mut self, keep: u64, remove: u64, at: DateTime<Utc>) -> Option<u64> {
        if keep == remove || self.get("people/people", keep).is_none() {
            return None;
        }
        let removed = self.remove("people/people", remove)?;
        for collection in [
            "people/emails",
            "people/phone_numbers",
            "people/addresses",
            "people/field_data",
            "people/background_checks",
        ] {
            let parts = self.children.remove(&(collection, remove)).unwrap_or_default();
            for id in &parts {
                if let Some(part) = self.get_mut(collection, *id) {
                    part.parent = Some(keep);
                    part.updated_at = at;
                }
            }
            self.children.entry((collection, keep)).or_default().extend(parts);
        }
        for collection in ["registrations/attendees", "check-ins/check_ins"] {
            let Some(records) = self.records.get_mut(collection) else { continue };
            for record in records.values_mut() {
                if let Some((_, targets)) = record.relationships.get_mut("person") {
                    if targets.contains(&remove) {
                        *targets = vec![keep];
                        record.attributes.insert("person_id".into(), json!(keep.to_string()));
                        record.updated_at = at;
                    }
                }
            }
        }
        let removed_households = removed.relationships.get("households").map(|(_, h)| h.clone()).unwrap_or_default();
        let kept_had_none = self.households_of(keep).is_empty();
        for household in removed_households {
            if let Some(membership) = self.membership(household, remove) {
                self.leave_household(household, membership, at);
            }
            if kept_had_none {
                self.join_household(household, keep, at);
            }
        }
        if let Some(kept) = self.get_mut("people/people", keep) {
            kept.updated_at = at;
        }
        let merger = self.insert(
            "people/person_mergers",
            obj(json!({"person_to_keep_id": keep.to_string(), "person_to_remove_id": remove.to_string()})),
            None,
            at,
        );
        Some(merger)
    }
}

pub fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
