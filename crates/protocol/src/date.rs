//! [`CalendarDate`]: a day without a time, such as an action item's `dueDate`.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ts_rs::TS;

/// A calendar day, serialised as an ISO 8601 date `"YYYY-MM-DD"`.
///
/// On input it also accepts a full ISO 8601 / RFC 3339 datetime, because Node clients send
/// `date.toISOString()` (`"2025-02-01T00:00:00.000Z"`); the day is the date part *as written*,
/// i.e. the calendar date in the datetime's own offset (the UTC date for a `Z` string), and the
/// time is dropped. A datetime without an offset (`"2025-02-01T09:30:00"`) is accepted the
/// same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, TS)]
#[ts(type = "string")]
pub struct CalendarDate(pub NaiveDate);

impl CalendarDate {
    /// The day `year-month-day`, or `None` if no such day exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, day).map(CalendarDate)
    }

    /// Parses a date or a datetime as described on the type.
    pub fn parse(s: &str) -> Option<Self> {
        if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Some(CalendarDate(date));
        }
        if let Ok(datetime) = DateTime::parse_from_rfc3339(s) {
            return Some(CalendarDate(datetime.date_naive()));
        }
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
            .ok()
            .map(|datetime| CalendarDate(datetime.date()))
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl Serialize for CalendarDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CalendarDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateVisitor;

        impl Visitor<'_> for DateVisitor {
            type Value = CalendarDate;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 8601 date \"YYYY-MM-DD\" or datetime")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<CalendarDate, E> {
                CalendarDate::parse(v)
                    .ok_or_else(|| E::custom("must be an ISO 8601 date \"YYYY-MM-DD\" or datetime"))
            }
        }

        deserializer.deserialize_str(DateVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decode(v: serde_json::Value) -> Result<CalendarDate, serde_json::Error> {
        serde_json::from_value(v)
    }

    #[test]
    fn date_and_datetime_inputs() {
        let day = CalendarDate::from_ymd(2025, 2, 1).unwrap();
        assert_eq!(decode(json!("2025-02-01")).unwrap(), day);
        assert_eq!(decode(json!("2025-02-01T00:00:00.000Z")).unwrap(), day);
        assert_eq!(decode(json!("2025-02-01T23:30:00+02:00")).unwrap(), day);
        assert_eq!(decode(json!("2025-02-01T09:30:00")).unwrap(), day);
        assert_eq!(serde_json::to_value(day).unwrap(), json!("2025-02-01"));
    }

    #[test]
    fn bad_dates() {
        for bad in [
            json!("2025-02-30"),
            json!("01/02/2025"),
            json!(""),
            json!(20250201),
        ] {
            assert!(decode(bad.clone()).is_err(), "{bad}");
        }
    }
}
