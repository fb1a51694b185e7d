//! `cct-webhooks`: the small server a church with a team hub runs beside it, so Planning
//! Center's webhooks reach the church's computers, which have no public address of their own.
//!
//! For each POST it checks, in this order and before anything is parsed or stored:
//! - the body's size ([`ReceiverConfig::body_limit`]: 413 past it, before the body is read);
//! - the sender's rate (a token bucket per address: 429 past it, which Planning Center retries);
//! - `X-PCO-Webhooks-Authenticity`, the hex HMAC-SHA256 of the raw body keyed with one of the
//!   subscriptions' `authenticity_secret`s, compared in constant time: 401 when it is missing
//!   or matches none.
//!
//! Then it stores each event once in the hub's `planning_center_webhook_events`, keyed by the
//! event id (`X-PCO-Webhooks-Event-ID`), through `cct_receive_webhook`, the one thing its hub
//! role may do, and answers 200. A retry or a replay of a stored event is answered 200 and
//! changes nothing but the count of times it arrived. A hub out of reach is answered 503, so
//! Planning Center tries again later.

mod limits;
mod verify;

pub use verify::{sign, verify};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// Where Planning Center is told to send deliveries (after the TLS proxy in front).
pub const DELIVERY_PATH: &str = "/planning-center/webhooks";

#[derive(Clone)]
pub struct ReceiverConfig {
    /// Every active subscription's `authenticity_secret`. Never printed.
    pub secrets: Vec<String>,
    /// The largest body accepted, in bytes. A person's record with every detail is a few KiB.
    pub body_limit: usize,
    /// Requests one address may send at once, and per second after that.
    pub burst: u32,
    pub per_second: u32,
}

impl std::fmt::Debug for ReceiverConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiverConfig")
            .field("secrets", &format_args!("{} kept out of sight", self.secrets.len()))
            .field("body_limit", &self.body_limit)
            .field("burst", &self.burst)
            .field("per_second", &self.per_second)
            .finish()
    }
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        Self { secrets: Vec::new(), body_limit: 256 * 1024, burst: 120, per_second: 20 }
    }
}

struct Receiver {
    hub: PgPool,
    config: ReceiverConfig,
    senders: Mutex<limits::Senders>,
}

/// One event of a delivery, as it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedEvent {
    pub event_id: String,
    pub name: String,
    pub planning_center_id: Option<String>,
    pub payload: Value,
}

/// The events a verified body carries. Planning Center sends one per POST, its id in the
/// `X-PCO-Webhooks-Event-ID` header; a body with several keys each by its own id.
pub fn events_of(headers: &HeaderMap, body: &[u8]) -> Result<Vec<ReceivedEvent>, String> {
    let document: Value = serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let deliveries = document.get("data").and_then(Value::as_array).ok_or("the body has no data array")?;
    let header_id = headers
        .get("x-pco-webhooks-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 200);
    let mut events = Vec::new();
    for delivery in deliveries {
        let attributes = delivery.get("attributes").ok_or("a delivery has no attributes")?;
        let name = attributes.get("name").and_then(Value::as_str).filter(|n| !n.is_empty() && n.len() <= 200);
        let name = name.ok_or("a delivery has no event name")?.to_owned();
        let own_id = delivery.get("id").and_then(Value::as_str).filter(|id| !id.is_empty() && id.len() <= 200);
        let event_id = match (deliveries.len(), header_id, own_id) {
            (1, Some(id), _) | (_, _, Some(id)) => id.to_owned(),
            _ => return Err("a delivery has no event id".into()),
        };
        // The payload is the record's JSON:API document, as a string.
        let payload = match attributes.get("payload") {
            Some(Value::String(text)) => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone())),
            Some(other) => other.clone(),
            None => Value::Null,
        };
        let planning_center_id = payload.pointer("/data/id").and_then(|id| match id {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        });
        events.push(ReceivedEvent { event_id, name, planning_center_id, payload });
    }
    if events.is_empty() {
        return Err("the body holds no delivery".into());
    }
    Ok(events)
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(wait) = limits::admit(&receiver.senders, from.ip(), &receiver.config) {
        let mut response = refuse(StatusCode::TOO_MANY_REQUESTS, "too many requests");
        response.headers_mut().insert("retry-after", wait.into());
        return response;
    }
    let signature = headers.get("x-pco-webhooks-authenticity").and_then(|v| v.to_str().ok());
    if !signature.is_some_and(|s| verify(&receiver.config.secrets, &body, s)) {
        return refuse(StatusCode::UNAUTHORIZED, "the delivery is not signed by a subscription of this church");
    }
    let events = match events_of(&headers, &body) {
        Ok(events) => events,
        Err(problem) => return refuse(StatusCode::BAD_REQUEST, &problem),
    };
    let (mut stored, mut again) = (0, 0);
    for event in &events {
        match store(&receiver.hub, event).await {
            Ok(true) => stored += 1,
            Ok(false) => again += 1,
            Err(error) => {
                eprintln!("cct-webhooks: the hub did not store event {} ({}): {error}", event.event_id, event.name);
                return refuse(StatusCode::SERVICE_UNAVAILABLE, "the hub is out of reach; try again later");
            }
        }
    }
    eprintln!("cct-webhooks: {} stored, {} seen before ({})", stored, again, events[0].name);
    (StatusCode::OK, Json(json!({ "stored": stored, "seen_before": again }))).into_response()
}

/// True when the event is new to the hub.
pub async fn store(hub: &PgPool, event: &ReceivedEvent) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT cct_receive_webhook($1, $2, $3, $4)")
        .bind(&event.event_id)
        .bind(&event.name)
        .bind(&event.planning_center_id)
        .bind(&event.payload)
        .fetch_one(hub)
        .await
}

async fn health(State(receiver): State<Arc<Receiver>>) -> Response {
    match sqlx::query("SELECT 1").execute(&receiver.hub).await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(_) => refuse(StatusCode::SERVICE_UNAVAILABLE, "the hub is out of reach"),
    }
}

pub fn router(hub: PgPool, config: ReceiverConfig) -> Router {
    let limit = config.body_limit;
    let receiver = Arc::new(Receiver { hub, config, senders: Mutex::new(limits::Senders::default()) });
    Router::new()
        .route(DELIVERY_PATH, post(receive))
        .route("/health", get(health))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(receiver)
}

/// Serves until the listener fails or the future is dropped.
pub async fn serve(listener: tokio::net::TcpListener, hub: PgPool, config: ReceiverConfig) -> std::io::Result<()> {
    axum::serve(listener, router(hub, config).into_make_service_with_connect_info::<SocketAddr>()).await
}

/// Reads a secrets file: one `authenticity_secret` per line; blank lines and `#` comments are
/// skipped.
pub fn read_secrets(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_event_id_comes_from_the_header_and_the_payload_string_is_read() {
        let body = br#"{"data":[{"id":"delivery-1","type":"EventDelivery","attributes":{"name":"people.v2.events.person.updated","attempt":2,"payload":"{\"data\":{\"type\":\"Person\",\"id\":\"42\"}}"}}]}"#;
        let mut headers = HeaderMap::new();
        headers.insert("x-pco-webhooks-event-id", HeaderValue::from_static("evt-9"));
        let events = events_of(&headers, body).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event_id, "evt-9");
        assert_eq!(events[0].name, "people.v2.events.person.updated");
        assert_eq!(events[0].planning_center_id.as_deref(), Some("42"));
        assert_eq!(events[0].payload["data"]["type"], "Person");
        // Without the header, the delivery's own id.
        assert_eq!(events_of(&HeaderMap::new(), body).unwrap()[0].event_id, "delivery-1");
    }

    #[test]
    fn bodies_without_deliveries_are_refused_with_a_reason() {
        for body in [&b"not json"[..], br#"{"data":{}}"#, br#"{"data":[]}"#, br#"{"data":[{"attributes":{}}]}"#] {
            assert!(events_of(&HeaderMap::new(), body).is_err(), "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn secrets_files_skip_comments_and_blanks_and_the_config_never_prints_them() {
        let secrets = read_secrets("# person.updated\nabc123\n\n  def456  \n");
        assert_eq!(secrets, ["abc123", "def456"]);
        let config = ReceiverConfig { secrets, ..Default::default() };
        assert!(!format!("{config:?}").contains("abc123"));
    }
}
