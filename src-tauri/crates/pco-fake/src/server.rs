//! The HTTP server: OAuth endpoints, then every API request through authentication, the rate
//! limiter and the injected faults, then the resource handlers.

use crate::api;
use crate::auth::{AuthFailure, AuthState, Identity};
use crate::errors::ApiError;
use crate::limits::{RateLimiter, Verdict};
use crate::{Faults, Shared, Stats};
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get, post};
use axum::Router;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub const JSON_API: &str = "application/vnd.api+json; charset=utf-8";
/// Offsets above this get the stricter limit, as on the real API.
const DEEP_OFFSET: usize = 30_000;
const EARLIEST_VERSION: &str = "2018-08-01";

pub fn json_api(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static(JSON_API))], body.to_string()).into_response()
}

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/oauth/authorize", get(authorize))
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
        .route("/{product}/v2", any(api_root))
        .route("/{product}/v2/{*rest}", any(api))
        .with_state(shared)
}

fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()).into_owned().collect()
}

async fn authorize(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let params: HashMap<String, String> = query_pairs(raw.as_deref()).into_iter().collect();
    let redirect = params.get("redirect_uri").cloned().unwrap_or_default();
    let state = params.get("state").cloned();
    let outcome = lock(&shared.auth).authorize(&params);
    let Ok(mut target) = url::Url::parse(&redirect) else {
        return (StatusCode::BAD_REQUEST, "redirect_uri is missing or malformed").into_response();
    };
    if let Err(e) = &outcome {
        if e.error == "invalid_redirect_uri" || e.error == "invalid_client" {
            // Never redirect to an unregistered address.
            return (StatusCode::BAD_REQUEST, format!("{}: {}", e.error, e.description)).into_response();
        }
    }
    {
        let mut query = target.query_pairs_mut();
        match &outcome {
            Ok(code) => query.append_pair("code", code),
            Err(e) => query.append_pair("error", e.error).append_pair("error_description", &e.description),
        };
        if let Some(state) = &state {
            query.append_pair("state", state);
        }
    }
    Redirect::to(target.as_str()).into_response()
}

fn form_or_json(headers: &HeaderMap, body: &[u8]) -> HashMap<String, String> {
    let is_json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    if is_json {
        let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        value
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        url::form_urlencoded::parse(body).into_owned().collect()
    }
}

async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let params = form_or_json(&headers, &body);
    let outcome = lock(&shared.auth).exchange(&params);
    match outcome {
        Ok(grant) => axum::Json(json!({
            "access_token": grant.access_token,
            "token_type": "bearer",
            "expires_in": grant.expires_in,
            "refresh_token": grant.refresh_token,
            "scope": grant.scope,
            "created_at": chrono::Utc::now().timestamp(),
        }))
        .into_response(),
        Err(e) => {
            let status = if e.error == "invalid_client" { StatusCode::UNAUTHORIZED } else { StatusCode::BAD_REQUEST };
            (status, axum::Json(json!({ "error": e.error, "error_description": e.description }))).into_response()
        }
    }
}

async fn revoke(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let params = form_or_json(&headers, &body);
    if let Some(token) = params.get("token") {
        lock(&shared.auth).revoke(token);
    }
    axum::Json(json!({})).into_response()
}

async fn api_root(
    state: State<Arc<Shared>>,
    Path(product): Path<String>,
    method: Method,
    headers: HeaderMap,
    raw: RawQuery,
    body: Bytes,
) -> Response {
    api(state, Path((product, String::new())), method, headers, raw, body).await
}

pub fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn api(
    State(shared): State<Arc<Shared>>,
    Path((product, rest)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let faults = lock(&shared.faults).clone();
    lock(&shared.stats).requests += 1;
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let identity = match lock(&shared.auth).authenticate(authorization) {
        Ok(identity) => identity,
        Err(failure) => {
            lock(&shared.stats).unauthorized += 1;
            let error = match failure {
                AuthFailure::Expired => ApiError::unauthorized("BABOON", "the access token has expired"),
                AuthFailure::Revoked => {
                    ApiError::unauthorized("CAPUCHIN", "the access token is invalid or was revoked")
                }
                AuthFailure::Missing => ApiError::unauthorized("CAPUCHIN", "authentication is required"),
            };
            return error.into_response();
        }
    };
    let query = query_pairs(raw.as_deref());
    let offset: usize = query.iter().find(|(k, _)| k == "offset").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let limit = if offset > DEEP_OFFSET { faults.deep_offset_limit } else { faults.rate_limit };
    let verdict = lock(&shared.limiter).check(&identity.key(), limit, faults.rate_period);
    let forced_429 = {
        let mut live = lock(&shared.faults);
        if live.burst_429 > 0 {
            live.burst_429 -= 1;
            true
        } else {
            false
        }
    };
    if !verdict.allowed || forced_429 {
        lock(&shared.stats).rate_limited += 1;
        return rate_limited(verdict, &faults);
    }
    let (drop_roll, error_roll, which_error) = {
        let mut dice = lock(&shared.dice);
        (dice.f64(), dice.f64(), dice.bool())
    };
    if drop_roll < faults.drop_rate {
        lock(&shared.stats).dropped += 1;
        return dropped_connection();
    }
    if error_roll < faults.error_rate {
        lock(&shared.stats).server_errors += 1;
        let status = if which_error { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::INTERNAL_SERVER_ERROR };
        return with_rate_headers(ApiError::new(status, "server_error", "injected failure").into_response(), verdict);
    }
    let version = headers.get("x-pco-api-version").and_then(|v| v.to_str().ok()).unwrap_or("LATEST").to_owned();
    if version != "LATEST" && version.as_str() < EARLIEST_VERSION {
        return with_rate_headers(
            ApiError::bad_request("unsupported_version_error", format!("version {version} is not supported"))
                .into_response(),
            verdict,
        );
    }
    let mut response = handle(&shared, &faults, &identity, &product, &rest, &method, &query, &body);
    response.headers_mut().insert("x-pco-api-processed-as-version", HeaderValue::from_static("2025-11-10"));
    with_rate_headers(response, verdict)
}

#[allow(clippy::too_many_arguments)]
fn handle(
    shared: &Shared,
    faults: &Faults,
    identity: &Identity,
    product: &str,
    rest: &str,
    method: &Method,
    query: &[(String, String)],
    body: &[u8],
) -> Response {
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        return json_api(
            StatusCode::OK,
            json!({ "data": { "type": "Organization", "id": "1", "attributes": { "name": "Fake Community Church" } } }),
        );
    }
    if let Identity::OAuth(token) = identity {
        let scopes = lock(&shared.auth).scope_of(token).unwrap_or("").to_owned();
        // Webhooks have no scope of their own: a token reaches them with any scope, and may
        // subscribe to the events of the products its scope covers (planningcenter/developers
        // issues 596 and 617, where a token of scope "people giving" got 422, not 403).
        if product == "webhooks" {
            if let Some(refusal) = event_outside_scope(&scopes, method, &segments, body) {
                return refusal.into_response();
            }
        } else {
            let needed = scope_of_product(product);
            if !scopes.split(' ').any(|s| s == needed) {
                return ApiError::new(StatusCode::FORBIDDEN, "PELICAN", format!("the token lacks the {needed} scope"))
                    .into_response();
            }
        }
    }
    if let ["lists", id, "run"] = segments.as_slice() {
        return run_list(shared, product, id, method);
    }
    if let ("webhooks", ["webhook_subscriptions", id, "rotate_secret"]) = (product, segments.as_slice()) {
        return rotate_secret(shared, id, method);
    }
    let base = lock(&shared.base_url).clone();
    let path = format!("/{product}/v2/{rest}");
    let mut data = lock(&shared.data);
    let target = match api::route(product, &segments, &data) {
        Ok(target) => target,
        Err(error) => return error.into_response(),
    };
    let result = match *method {
        Method::GET => match target.id {
            None => api::parse_params(target.collection, query).map(|params| {
                let mut list = api::list(&base, &path, &target, &params, &data, query);
                if target.collection.key == crate::webhooks::SUBSCRIPTIONS {
                    hide_secrets(&mut list);
                }
                let empty = list["data"].as_array().is_none_or(Vec::is_empty);
                if empty && faults.empty_lists_answer_no_content {
                    StatusCode::NO_CONTENT.into_response()
                } else {
                    json_api(StatusCode::OK, list)
                }
            }),
            Some(id) => match data.get(target.collection.key, id) {
                Some(record) => {
                    let includes: Vec<String> = query
                        .iter()
                        .filter(|(k, _)| k == "include")
                        .flat_map(|(_, v)| v.split(',').map(str::to_owned))
                        .collect();
                    Ok(json_api(StatusCode::OK, api::show(&base, record, &data, &includes)))
                }
                None => Err(ApiError::not_found(format!("{} {id} not found", target.collection.kind))),
            },
        },
        Method::POST | Method::PATCH | Method::DELETE => {
            if target.collection.key == "people/field_data" && faults.field_data_forbidden {
                Err(ApiError::forbidden("You do not have permission to edit fields on this tab"))
            } else {
                api::write(method, &target, body, &mut data, chrono::Utc::now()).map(|(status, id)| {
                    if target.collection.key == crate::webhooks::SUBSCRIPTIONS && *method == Method::POST {
                        if let Some(id) = id {
                            subscription_made(shared, &mut data, id);
                        }
                    }
                    match id.and_then(|id| data.get(target.collection.key, id)) {
                        Some(record) => json_api(status, api::show(&base, record, &data, &[])),
                        None => status.into_response(),
                    }
                })
            }
        }
        _ => Err(ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "method not allowed")),
    };
    if matches!(*method, Method::POST | Method::PATCH | Method::DELETE) && result.is_ok() {
        lock(&shared.stats).writes += 1;
    }
    result.unwrap_or_else(IntoResponse::into_response)
}

/// A new webhook subscription gets the secret its deliveries are signed with, and is active
/// unless it was made inactive; changes from now on are delivered to it.
fn subscription_made(shared: &Shared, data: &mut crate::data::Data, id: u64) {
    let secret = crate::webhooks::new_secret(&mut lock(&shared.dice));
    if let Some(subscription) = data.get_mut(crate::webhooks::SUBSCRIPTIONS, id) {
        subscription.attributes.insert("authenticity_secret".into(), Value::String(secret));
        subscription.attributes.entry("active").or_insert(Value::Bool(true));
    }
    crate::webhooks::start_watching(&mut lock(&shared.webhooks), data);
}

fn scope_of_product(product: &str) -> &str {
    match product {
        "check-ins" => "check_ins",
        other => other,
    }
}

/// A new subscription to an event of a product the token's scope does not cover is refused
/// with the real API's validation error.
fn event_outside_scope(scopes: &str, method: &Method, segments: &[&str], body: &[u8]) -> Option<ApiError> {
    if *method != Method::POST || segments != ["webhook_subscriptions"] {
        return None;
    }
    let document: Value = serde_json::from_slice(body).unwrap_or_default();
    let event = document.pointer("/data/attributes/name").and_then(Value::as_str).unwrap_or_default();
    let product = event.split('.').next().unwrap_or_default().replace('_', "-");
    if scopes.split(' ').any(|s| s == scope_of_product(&product)) {
        return None;
    }
    Some(ApiError::invalid_attribute(
        "base",
        format!("Event \"{event}\" is not available for subscription within current OAuth2 scope ({scopes})."),
    ))
}

/// A subscription's secret is shown when it is made and when it is read alone, not in the
/// list of subscriptions (as an integration verified against the real API reports).
fn hide_secrets(list: &mut Value) {
    for subscription in list["data"].as_array_mut().into_iter().flatten() {
        if let Some(attributes) = subscription["attributes"].as_object_mut() {
            attributes.remove("authenticity_secret");
        }
    }
}

/// `POST /webhooks/v2/webhook_subscriptions/{id}/rotate_secret`: a new secret signs the
/// subscription's deliveries from now on; the subscription comes back with it.
fn rotate_secret(shared: &Shared, id: &str, method: &Method) -> Response {
    if *method != Method::POST {
        return ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "a secret is rotated with POST")
            .into_response();
    }
    let secret = crate::webhooks::new_secret(&mut lock(&shared.dice));
    let base = lock(&shared.base_url).clone();
    let mut data = lock(&shared.data);
    let Some(id) = id.parse::<u64>().ok().filter(|id| data.get(crate::webhooks::SUBSCRIPTIONS, *id).is_some()) else {
        return ApiError::not_found(format!("WebhookSubscription {id} not found")).into_response();
    };
    if let Some(subscription) = data.get_mut(crate::webhooks::SUBSCRIPTIONS, id) {
        subscription.attributes.insert("authenticity_secret".into(), Value::String(secret));
    }
    lock(&shared.stats).writes += 1;
    match data.get(crate::webhooks::SUBSCRIPTIONS, id) {
        Some(record) => json_api(StatusCode::OK, api::show(&base, record, &data, &[])),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `POST /people/v2/lists/{id}/run` refreshes a list in the background and answers
/// `204 No Content` with no body, as the real API does (planningcenter/developers issue 380).
fn run_list(shared: &Shared, product: &str, id: &str, method: &Method) -> Response {
    if product != "people" || *method != Method::POST {
        return ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "a list is run with POST")
            .into_response();
    }
    let exists = id.parse::<u64>().ok().is_some_and(|id| lock(&shared.data).get("people/lists", id).is_some());
    if !exists {
        return ApiError::not_found(format!("List {id} not found")).into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}

fn with_rate_headers(mut response: Response, verdict: Verdict) -> Response {
    let headers = response.headers_mut();
    headers.insert("x-pco-api-request-rate-limit", HeaderValue::from(verdict.limit));
    headers.insert("x-pco-api-request-rate-count", HeaderValue::from(verdict.count));
    if let Ok(period) = HeaderValue::from_str(&format!("{} seconds", verdict.period.as_secs().max(1))) {
        headers.insert("x-pco-api-request-rate-period", period);
    }
    response
}

fn rate_limited(verdict: Verdict, faults: &Faults) -> Response {
    let body = json!({ "errors": [{ "code": "429", "detail": format!("Rate limit exceeded: {} of {} requests per {} seconds", verdict.count, verdict.limit, verdict.period.as_secs().max(1)) }] });
    let mut response = json_api(StatusCode::TOO_MANY_REQUESTS, body);
    match faults.retry_after_override {
        Some(None) => {}
        Some(Some(value)) => {
            if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        None => {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(verdict.retry_after.max(1)));
        }
    }
    with_rate_headers(response, verdict)
}

/// A response whose body fails after the headers, so the client sees the connection cut.
fn dropped_connection() -> Response {
    let stream = futures_util::stream::once(async {
        tokio::time::sleep(Duration::from_millis(5)).await;
        Err::<Bytes, std::io::Error>(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected drop"))
    });
    (StatusCode::OK, [(header::CONTENT_TYPE, HeaderValue::from_static(JSON_API))], Body::from_stream(stream))
        .into_response()
}

pub(crate) fn new_limiter() -> std::sync::Mutex<RateLimiter> {
    std::sync::Mutex::new(RateLimiter::default())
}

pub(crate) fn new_auth(config: &crate::FakeConfig) -> std::sync::Mutex<AuthState> {
    std::sync::Mutex::new(AuthState::new(
        config.personal_access_tokens.clone(),
        config.oauth_clients.clone(),
        config.access_token_lifetime,
    ))
}

pub(crate) fn new_stats() -> std::sync::Mutex<Stats> {
    std::sync::Mutex::new(Stats::default())
}
