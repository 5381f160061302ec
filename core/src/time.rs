//! Conversions between domain timestamps and their storage form (epoch milliseconds).

use chrono::{DateTime, Utc};

/// Epoch milliseconds as stored in the database.
pub fn to_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// A stored timestamp back as a `DateTime`; out-of-range values clamp to the epoch.
pub fn from_millis(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or_default()
}
