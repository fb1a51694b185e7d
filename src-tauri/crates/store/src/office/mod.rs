//! The office's work: people and who may act, settings, prerequisites, enrolling, progress,
//! attendance, certifications, households, search, the audit trail, and the screens' views.

pub mod assessments;
pub mod attendance;
pub mod audit;
pub mod certifications;
pub mod editing;
pub mod enrollment;
pub mod households;
pub mod offerings;
pub mod outbox;
pub mod people;
pub mod prerequisites;
pub mod progress;
pub mod renewals;
pub mod search;
pub mod settings;
pub mod setup;
pub mod views;
