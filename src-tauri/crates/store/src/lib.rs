//! The local SQLite store. One writer at a time (one writing connection, each write
//! transaction opened with `BEGIN IMMEDIATE`) beside a few readers, in WAL mode; check-in's
//! busiest work runs on connections of its own on the calling thread (`direct`). Every
//! write goes through a [`WriteTx`], which checks the actor's permissions and records the
//! audit row and, where Planning Center must learn of the change, the outbox row, all in the
//! same transaction as the change itself.

pub mod actor;
pub mod attendance;
pub mod audit;
pub mod certifications;
pub mod checkin;
pub mod kiosk;
mod connection;
mod direct;
pub mod csv_transfer;
pub mod demo;
pub mod enrollment;
pub mod households;
mod error;
mod lender;
pub mod office;
pub mod outbox;
pub mod planning_center;
pub mod pco_sync;
pub mod prerequisites;
pub mod progress;
pub mod records;
mod row;
pub mod search;
pub mod settings;
pub mod team;
mod tx;
pub mod views;

pub use connection::Store;
pub use error::{ErrorReport, Result, StoreError};
pub use records::{ListQuery, Page};
pub use tx::{AuditAction, WriteTx};
