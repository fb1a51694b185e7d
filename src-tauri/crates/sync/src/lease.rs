//! When a church's devices form a team, their outbox entries are shared, so more than one
//! device could send the same entry to Planning Center. The team hub leases each group of
//! entries to one device; the engine asks before it sends.

use std::future::Future;
use std::pin::Pin;

pub type LeaseFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send + 'a>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseDecision {
    /// This device sends the entries.
    Send,
    /// Another device is sending them now; leave them for a later run.
    Skip,
    /// Another device already sent them.
    AlreadySent,
}

pub trait OutboxLease: Send + Sync {
    fn claim<'a>(&'a self, entry_ids: &'a [String]) -> LeaseFuture<'a, LeaseDecision>;
    /// Settled for good here (sent, refused or failed): no other device should try them.
    fn complete<'a>(&'a self, entry_ids: &'a [String]) -> LeaseFuture<'a, ()>;
}
