//! The sync engine: local-first data reconciled with Planning Center.
//!
//! A run pulls people changed since the last cursor (applying them under the store's conflict
//! policy), pushes the outbox (coalesced per record; people matched before they are created;
//! creates stamped so a crash cannot repeat them), then refreshes households, campuses, field
//! definitions and Registrations signups, and now and then reconciles ids to find people
//! deleted in Planning Center. Each phase is logged in `planning_center_sync_log`. Runs never
//! overlap, report progress, and stop cleanly when cancelled.

mod engine;
mod error;
mod lease;
mod map;
mod pull;
mod push;
pub mod webhooks;

pub use engine::{CancelFlag, Phase, Progress, SyncEngine, SyncReport, SyncSettings};
pub use error::SyncError;
pub use lease::{LeaseDecision, LeaseFuture, OutboxLease};
pub use webhooks::WebhookReport;
