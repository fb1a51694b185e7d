//! One timestamp format everywhere. Stored timestamps are compared as text by SQLite (ordering,
//! CHECK constraints), so they must all have the same shape: UTC with exactly six fractional
//! digits. chrono's default serialisation drops trailing zero digits, which breaks text order.

use chrono::{DateTime, NaiveDate, SecondsFormat, SubsecRound, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// In TypeScript, the RFC 3339 text it serialises to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ts_rs::TS)]
pub struct Timestamp(#[ts(type = "string")] DateTime<Utc>);

impl Timestamp {
    pub fn now() -> Self {
        Self::from(Utc::now())
    }

    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }

    pub fn date(&self) -> NaiveDate {
        self.0.date_naive()
    }

    /// Parses RFC 3339 with any offset; the result is UTC.
    pub fn parse(text: &str) -> Result<Self, chrono::ParseError> {
        DateTime::parse_from_rfc3339(text).map(|t| Self::from(t.with_timezone(&Utc)))
    }

    pub fn to_rfc3339(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Micros, true)
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(value: DateTime<Utc>) -> Self {
        Self(value.trunc_subsecs(6))
    }
}

/// Defaults to now, so a record built with `..Default::default()` gets a sensible time.
impl Default for Timestamp {
    fn default() -> Self {
        Timestamp::now()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse(&text).map_err(|e| serde::de::Error::custom(format!("invalid timestamp {text:?}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_one_shape_so_text_order_is_time_order() {
        let whole = Timestamp::parse("2026-01-01T10:00:00Z").unwrap();
        let half = Timestamp::parse("2026-01-01T10:00:00.5Z").unwrap();
        assert_eq!(whole.to_rfc3339(), "2026-01-01T10:00:00.000000Z");
        assert!(whole.to_rfc3339() < half.to_rfc3339());
    }

    #[test]
    fn offsets_are_converted_to_utc() {
        let t = Timestamp::parse("2026-03-01T09:30:00-05:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-01T14:30:00.000000Z");
    }

    #[test]
    fn round_trips_through_json() {
        let t = Timestamp::now();
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
    }
}
