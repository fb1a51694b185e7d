//! Webhook deliveries, as Planning Center sends them: when a person is created, updated or
//! destroyed, or two people are merged, every active subscription named for that event gets a
//! POST of `{"data":[{"type":"EventDelivery","attributes":{"name","attempt","payload"}}]}`,
//! `payload` being the record's JSON:API document as a string, signed with the subscription's
//! `authenticity_secret` in `X-PCO-Webhooks-Authenticity` (hex HMAC-SHA256 of the raw body).
//! A delivery that is not answered 2xx is retried up to 16 times with a growing wait; 410 Gone
//! deactivates the subscription. The real API waits minutes between retries; the fake's first
//! wait is [`crate::Faults::webhook_retry_base`], doubling each time.
//!
//! Changes are noticed by comparing the data with what was seen at the last look, so a change
//! made through the API and one made with [`crate::FakePco::with_data`] both send an event.

use crate::data::{Data, Record};
use crate::server::lock;
use crate::{api, Shared};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const SUBSCRIPTIONS: &str = "webhooks/webhook_subscriptions";
pub const PERSON_CREATED: &str = "people.v2.events.person.created";
pub const PERSON_UPDATED: &str = "people.v2.events.person.updated";
pub const PERSON_DESTROYED: &str = "people.v2.events.person.destroyed";
pub const PERSON_MERGER_CREATED: &str = "people.v2.events.person_merger.created";
const MAX_RETRIES: u32 = 16;
const LOOK_EVERY: Duration = Duration::from_millis(50);

/// One attempt at one delivery, as a test reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    pub event_id: String,
    pub name: String,
    pub attempt: u32,
    /// The receiver's status, or None when it could not be reached.
    pub status: Option<u16>,
}

#[derive(Debug, Clone)]
struct Pending {
    subscription: u64,
    url: String,
    secret: String,
    event_id: String,
    name: String,
    payload: String,
    attempt: u32,
    due: Instant,
}

#[derive(Debug, Default)]
pub struct WebhookState {
    /// What the last look saw: every person's `updated_at`, and every merge. None until a
    /// subscription is active, so a church without one is never scanned.
    seen: Option<Seen>,
    pending: Vec<Pending>,
    attempts: Vec<DeliveryAttempt>,
    next_event: u64,
}

#[derive(Debug, Default)]
struct Seen {
    people: HashMap<u64, DateTime<Utc>>,
    mergers: BTreeSet<u64>,
}

fn active_subscriptions(data: &Data) -> Vec<&Record> {
    data.all(SUBSCRIPTIONS).filter(|s| s.attribute("active") != Value::Bool(false)).collect()
}

fn look(data: &Data) -> Seen {
    Seen {
        people: data.all("people/people").map(|p| (p.id, p.updated_at)).collect(),
        mergers: data.all("people/person_mergers").map(|m| m.id).collect(),
    }
}

/// Called when a subscription is made, so a change right after it is not missed.
pub fn start_watching(state: &mut WebhookState, data: &Data) {
    if state.seen.is_none() {
        state.seen = Some(look(data));
    }
}

/// The secret a new subscription's deliveries are signed with.
pub fn new_secret(rng: &mut fastrand::Rng) -> String {
    (0..32).map(|_| format!("{:02x}", rng.u8(..))).collect()
}

pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// The events since the last look, each as (name, payload document).
fn changes(data: &Data, seen: &Seen, base: &str) -> Vec<(&'static str, Value)> {
    let mut events = Vec::new();
    for person in data.all("people/people") {
        let name = match seen.people.get(&person.id) {
            None => PERSON_CREATED,
            Some(at) if *at != person.updated_at => PERSON_UPDATED,
            Some(_) => continue,
        };
        events.push((name, api::show(base, person, data, &[])));
    }
    for id in seen.people.keys().filter(|id| data.get("people/people", **id).is_none()) {
        events.push((PERSON_DESTROYED, json!({ "data": { "type": "Person", "id": id.to_string() } })));
    }
    for merger in data.all("people/person_mergers").filter(|m| !seen.mergers.contains(&m.id)) {
        events.push((PERSON_MERGER_CREATED, api::show(base, merger, data, &[])));
    }
    events
}

/// Looks for changes and queues a delivery of each to every subscription named for it.
fn queue_changes(shared: &Shared) {
    let base = lock(&shared.base_url).clone();
    let data = lock(&shared.data);
    let mut state = lock(&shared.webhooks);
    let subscriptions = active_subscriptions(&data);
    if subscriptions.is_empty() {
        state.seen = None;
        return;
    }
    let Some(seen) = state.seen.as_ref() else {
        state.seen = Some(look(&data));
        return;
    };
    let events = changes(&data, seen, &base);
    if events.is_empty() {
        return;
    }
    let now = Instant::now();
    for (name, document) in events {
        state.next_event += 1;
        let event_id = format!("{:08x}-fake-{:012}", fastrand::u32(..), state.next_event);
        for subscription in subscriptions.iter().filter(|s| s.attribute("name") == name) {
            state.pending.push(Pending {
                subscription: subscription.id,
                url: subscription.attribute("url").as_str().unwrap_or_default().to_owned(),
                secret: subscription.attribute("authenticity_secret").as_str().unwrap_or_default().to_owned(),
                event_id: event_id.clone(),
                name: name.to_owned(),
                payload: document.to_string(),
                attempt: 1,
                due: now,
            });
        }
    }
    state.seen = Some(look(&data));
}

fn delivery_body(pending: &Pending) -> String {
    json!({ "data": [{
        "id": pending.event_id,
        "type": "EventDelivery",
        "attributes": { "name": pending.name, "attempt": pending.attempt, "payload": pending.payload },
        "relationships": { "organization": { "data": { "type": "Organization", "id": "1" } } },
    }] })
    .to_string()
}

async fn send(http: &reqwest::Client, pending: &Pending) -> Option<u16> {
    let body = delivery_body(pending);
    let response = http
        .post(&pending.url)
        .header("content-type", "application/json")
        .header("x-pco-webhooks-authenticity", sign(&pending.secret, body.as_bytes()))
        .header("x-pco-webhooks-event-id", &pending.event_id)
        .header("x-pco-webhooks-name", &pending.name)
        .header("x-pco-webhooks-event", &pending.name)
        .header("x-pco-webhooks-event-time", crate::data::format_time(Utc::now()))
        .body(body)
        .send()
        .await;
    response.ok().map(|r| r.status().as_u16())
}

/// Sends what is due, and reschedules or drops each by its answer.
async fn deliver_due(shared: &Shared, http: &reqwest::Client) {
    let now = Instant::now();
    let due: Vec<Pending> = {
        let mut state = lock(&shared.webhooks);
        let (due, later) = std::mem::take(&mut state.pending).into_iter().partition(|p| p.due <= now);
        state.pending = later;
        due
    };
    let retry_base = lock(&shared.faults).webhook_retry_base;
    for mut pending in due {
        let status = send(http, &pending).await;
        let mut state = lock(&shared.webhooks);
        state.attempts.push(DeliveryAttempt {
            event_id: pending.event_id.clone(),
            name: pending.name.clone(),
            attempt: pending.attempt,
            status,
        });
        match status {
            Some(200..=299) => {}
            Some(410) => {
                drop(state);
                if let Some(subscription) = lock(&shared.data).get_mut(SUBSCRIPTIONS, pending.subscription) {
                    subscription.attributes.insert("active".into(), Value::Bool(false));
                }
            }
            _ if pending.attempt > MAX_RETRIES => {}
            _ => {
                pending.due = Instant::now() + retry_base * 2u32.saturating_pow(pending.attempt - 1).min(1 << 12);
                pending.attempt += 1;
                state.pending.push(pending);
            }
        }
    }
}

/// Runs for the life of the fake.
pub async fn dispatch(shared: Arc<Shared>) {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
    loop {
        tokio::time::sleep(LOOK_EVERY).await;
        queue_changes(&shared);
        deliver_due(&shared, &http).await;
    }
}

pub fn attempts(state: &WebhookState) -> Vec<DeliveryAttempt> {
    state.attempts.clone()
}
