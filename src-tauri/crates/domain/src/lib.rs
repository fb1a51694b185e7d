//! Church Course Tracker's domain: record types, validation and the rules of a church office
//! (prerequisites, capacity, progress, certifications, permissions). Pure Rust, no I/O, so every
//! rule is tested fast and the store, the sync engine and the desktop shell share one definition.

pub mod error;
pub mod permissions;
pub mod record;
pub mod records;
pub mod rules;
pub mod time;
pub mod validate;

pub use error::{DomainError, ErrorCode, ErrorReport, ValidationError};
pub use permissions::{Actor, Permission, Resource};
pub use record::{Record, RecordMeta, Reference};
pub use time::Timestamp;

/// A new record id. UUID v7 sorts by creation time and is made on the device, so records
/// created offline on different laptops never collide.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
