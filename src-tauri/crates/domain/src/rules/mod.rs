//! The office's rules, as pure functions over plain data. The store loads the data, asks these,
//! and writes what they decide in the same transaction.

pub mod capacity;
pub mod certification;
pub mod conflict;
pub mod prerequisites;
pub mod progress;
