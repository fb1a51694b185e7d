//! The local side of syncing with Planning Center: the sync's log and cursors, people pulled
//! and applied under the conflict rule, possible duplicates, the outbox as the push sees it,
//! Registrations, the caches of events and registrations, and the summaries the push writes.

pub mod background_checks;
pub mod caches;
pub mod duplicates;
pub mod households;
pub mod mergers;
pub mod outbox;
pub mod people;
pub mod registrations;
pub mod renewal_cards;
pub mod runs;
pub mod summaries;
