//! The database itself: the connection layer, the one transaction type, rows as JSON, the
//! statement shapes, the migrator and the errors. Everything else in the store reaches SQLite
//! through here.

pub mod backup;
mod connection;
pub mod encryption;
mod error;
pub mod migrate;
mod query;
pub mod rows;
mod schema;
mod tx;

pub use backup::{BackupContents, BackupMade, BackupProgress, Passphrase, Restored, RestoredBy};
pub use connection::{BeforeUpgrade, PendingUpgrade, Store};
pub use encryption::{DatabaseKey, FileKind};
pub use error::{MigrationError, Result, StoreError};
pub use query::{FromRow, Query};
pub use rows::JsonRow;
pub(crate) use schema::Schema;
pub(crate) use tx::USER_AGENT;
pub use tx::{AuditAction, WriteTx};
