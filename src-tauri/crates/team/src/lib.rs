//! Team sync: a church's devices share their data through a PostgreSQL hub. Each device keeps
//! its own SQLite store and its change log (`cct_store::team`); this crate is the hub: its
//! schema (migrated by the app), membership with join codes, push and pull of changes, and the
//! leases that keep Planning Center writes to one device each.

pub mod address;
pub mod audit_trail;
pub mod compaction;
mod error;
pub mod exchange;
pub mod hub;
pub mod lease;
pub mod membership;
pub mod sign_in;
pub mod stations;
pub mod webhooks;

pub use address::HubAddress;
pub use error::{Result, TeamError};
pub use hub::{DeviceCredentials, Hub};
