//! Store tests: real SQLite files in temporary directories.

mod access;
mod attendance_progress;
mod checkin;
mod common;
mod concurrency;
mod crud;
mod csv_import;
mod demo;
mod disk;
mod encryption;
mod enrollment;
mod errors;
mod grading;
mod mergers;
mod migrations;
mod offerings;
mod permissions;
mod planning_center;
mod printing;
mod progress;
mod reports;
mod reports_kept;
mod search;
mod team;
mod team_folds;
