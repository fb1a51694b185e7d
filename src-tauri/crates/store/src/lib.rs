//! The local SQLite store, reached one way (rusqlite): one writing connection taken by one
//! [`WriteTx`] at a time beside a few readers, in WAL mode. Every write goes through a
//! [`WriteTx`], which checks the actor's permissions and records the audit row, the outbox
//! row where Planning Center must learn of the change, and the team's change, all in the same
//! transaction as the change itself.
//!
//! Grouped by what a reader looks for: `db` (connection, transaction, rows, migrations,
//! errors), `records` (generic create/read/update/list), `office`, `checkin`,
//! `planning_center`, `team`, `transfer`, and the `demo` church.

pub mod access;
pub mod checkin;
pub mod db;
pub mod demo;
pub mod office;
pub mod planning_center;
pub mod records;
pub mod reports;
pub mod team;
pub mod transfer;

pub use db::{AuditAction, DatabaseKey, Passphrase, Result, Store, StoreError, WriteTx};
pub use records::{ListQuery, Page};
