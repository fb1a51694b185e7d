//! Planning Center's error documents: `{"errors":[{"status","title","code","detail","source"?,"meta"?}]}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub source: Option<Value>,
    pub meta: Option<Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self { status, code, detail: detail.into(), source: None, meta: None }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", detail)
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn invalid_attribute(attribute: &str, detail: impl Into<String>) -> Self {
        let mut error = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_resource", detail);
        error.source = Some(json!({ "pointer": format!("/data/attributes/{attribute}") }));
        error
    }

    /// 401 with the hint the real API gives: BABOON for an expired token, CAPUCHIN for a
    /// revoked or unknown one.
    pub fn unauthorized(hint: &'static str, detail: impl Into<String>) -> Self {
        let mut error = Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail);
        error.meta = Some(json!({ "hint": hint }));
        error
    }

    pub fn document(&self) -> Value {
        let mut error = json!({
            "status": self.status.as_u16().to_string(),
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "code": self.code,
            "detail": self.detail,
        });
        if let Some(source) = &self.source {
            error["source"] = source.clone();
        }
        if let Some(meta) = &self.meta {
            error["meta"] = meta.clone();
        }
        json!({ "errors": [error] })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        crate::server::json_api(self.status, self.document())
    }
}
