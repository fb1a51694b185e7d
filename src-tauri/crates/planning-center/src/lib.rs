//! A Planning Center API client for Church Course Tracker: JSON:API documents, paging (a
//! `links.next` stream and an `updated_at` change feed), a header-driven pace under the rate
//! limit, bounded retries with backoff and jitter, and personal-access-token or OAuth (PKCE,
//! rotating refresh tokens kept in a [`TokenStore`]) authentication. No tauri dependency.

pub mod auth;
mod client;
pub mod endpoints;
pub mod error;
pub mod jsonapi;
pub mod pacing;
pub mod paging;
pub mod resources;

pub use auth::{
    authorization_request, AuthorizationRequest, Credentials, MemoryTokenStore, OAuthApp, OAuthTokens, TokenStore,
};
pub use client::{Client, ClientConfig, ClientStats, RetryPolicy, API_VERSION, PRODUCTION_URL};
pub use error::{PcoError, Result};
pub use paging::{ChangeCursor, ChangeFeed, Paginator};
