//! The record types, one per table. Field names are column names.

mod certification;
mod courses;
mod learning;
mod offerings;
mod org;
mod people;

pub use certification::*;
pub use courses::*;
pub use learning::*;
pub use offerings::*;
pub use org::*;
pub use people::*;
