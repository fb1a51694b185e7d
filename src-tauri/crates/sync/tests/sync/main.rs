//! The sync engine against the fake Planning Center over loopback, with real SQLite files.

mod background_checks;
mod common;
mod conflicts;
mod crashes;
mod engine;
mod faults;
mod households;
mod merges;
mod offline_day;
mod workflow_cards;
