//! Calendar periods of the leaderboard's time ranges (today, week, month, quarter, year), in a
//! team's time zone.
//!
//! A team's zone is a fixed UTC offset ([`FixedOffset`]): the hub passes the offset it has
//! configured for the team, and re-passes a new one when daylight saving time changes it. Every
//! period is half-open, `[start, end)`, so a sale at exactly local midnight belongs to the new
//! day, and the end of one period is the start of the next.

use chrono::{DateTime, Datelike, Days, FixedOffset, Months, NaiveDate, TimeZone, Utc};
use sideline_protocol::leaderboard::TimeRange;

/// Every time range, shortest first; the leaderboard keeps one board per (metric, range).
pub const ALL_RANGES: [TimeRange; 5] = [
    TimeRange::Today,
    TimeRange::Week,
    TimeRange::Month,
    TimeRange::Quarter,
    TimeRange::Year,
];

/// The wire spelling of a range (`"week"`), as used in achievement keys.
pub fn range_name(range: TimeRange) -> &'static str {
    match range {
        TimeRange::Today => "today",
        TimeRange::Week => "week",
        TimeRange::Month => "month",
        TimeRange::Quarter => "quarter",
        TimeRange::Year => "year",
    }
}

/// One concrete period of a [`TimeRange`]: "the ISO week starting Monday 2025-01-13 in UTC+2".
///
/// Invariant: `start < end`, both are local midnights of the team's offset, and `first_day`
/// is the local date of `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    /// Which kind of period.
    pub range: TimeRange,
    /// The first local day of the period (a Monday for weeks, the 1st for months, ...).
    pub first_day: NaiveDate,
    /// The instant the period starts (inclusive).
    pub start: DateTime<Utc>,
    /// The instant the next period starts (exclusive).
    pub end: DateTime<Utc>,
}

impl Period {
    /// The period of kind `range` that contains instant `at`, with days counted in `offset`.
    ///
    /// Weeks are ISO weeks (Monday to Sunday); quarters start on January, April, July and
    /// October 1st.
    pub fn containing(range: TimeRange, at: DateTime<Utc>, offset: FixedOffset) -> Period {
        let day = at.with_timezone(&offset).date_naive();
        let first_day = match range {
            TimeRange::Today => day,
            TimeRange::Week => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
            TimeRange::Month => day.with_day(1).unwrap_or(day),
            TimeRange::Quarter => {
                let first_month = (day.month0() / 3) * 3 + 1;
                NaiveDate::from_ymd_opt(day.year(), first_month, 1).unwrap_or(day)
            }
            TimeRange::Year => NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day),
        };
        let next_first_day = match range {
            TimeRange::Today => first_day + Days::new(1),
            TimeRange::Week => first_day + Days::new(7),
            TimeRange::Month => first_day + Months::new(1),
            TimeRange::Quarter => first_day + Months::new(3),
            TimeRange::Year => first_day + Months::new(12),
        };
        Period {
            range,
            first_day,
            start: local_midnight(first_day, offset),
            end: local_midnight(next_first_day, offset),
        }
    }

    /// Whether instant `at` falls inside the period (`start <= at < end`).
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }

    /// A stable name of this period, `"<range>:<first day>"` (`"week:2025-01-13"`), used in
    /// achievement keys so that "once per period" can be enforced by a unique key.
    pub fn key(&self) -> String {
        format!(
            "{}:{}",
            range_name(self.range),
            self.first_day.format("%Y-%m-%d")
        )
    }
}

/// The UTC instant of local midnight at the start of `day` in `offset`.
fn local_midnight(day: NaiveDate, offset: FixedOffset) -> DateTime<Utc> {
    // A fixed offset maps every local time to exactly one instant, so `single()` never fails;
    // the fallback (treating the day as UTC) is unreachable and only avoids a panic path.
    offset
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .single()
        .map(|local| local.with_timezone(&Utc))
        .unwrap_or_else(|| day.and_time(chrono::NaiveTime::MIN).and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn hours(h: i32) -> FixedOffset {
        FixedOffset::east_opt(h * 3600).unwrap()
    }

    #[test]
    fn periods_table() {
        // (range, instant, offset hours, first day, start, end)
        let cases = [
            // 2025-01-15 is a Wednesday.
            (
                TimeRange::Today,
                "2025-01-15T10:00:00Z",
                0,
                "2025-01-15",
                "2025-01-15T00:00:00Z",
                "2025-01-16T00:00:00Z",
            ),
            (
                TimeRange::Week,
                "2025-01-15T10:00:00Z",
                0,
                "2025-01-13",
                "2025-01-13T00:00:00Z",
                "2025-01-20T00:00:00Z",
            ),
            // Sunday evening is still the week that started on Monday.
            (
                TimeRange::Week,
                "2025-01-19T23:59:59Z",
                0,
                "2025-01-13",
                "2025-01-13T00:00:00Z",
                "2025-01-20T00:00:00Z",
            ),
            // Monday midnight starts the next week (half-open).
            (
                TimeRange::Week,
                "2025-01-20T00:00:00Z",
                0,
                "2025-01-20",
                "2025-01-20T00:00:00Z",
                "2025-01-27T00:00:00Z",
            ),
            // An ISO week spanning a year boundary: Monday 2024-12-30 to Sunday 2025-01-05.
            (
                TimeRange::Week,
                "2025-01-01T12:00:00Z",
                0,
                "2024-12-30",
                "2024-12-30T00:00:00Z",
                "2025-01-06T00:00:00Z",
            ),
            (
                TimeRange::Month,
                "2024-02-29T12:00:00Z",
                0,
                "2024-02-01",
                "2024-02-01T00:00:00Z",
                "2024-03-01T00:00:00Z",
            ),
            (
                TimeRange::Quarter,
                "2025-03-31T23:59:59Z",
                0,
                "2025-01-01",
                "2025-01-01T00:00:00Z",
                "2025-04-01T00:00:00Z",
            ),
            (
                TimeRange::Quarter,
                "2025-04-01T00:00:00Z",
                0,
                "2025-04-01",
                "2025-04-01T00:00:00Z",
                "2025-07-01T00:00:00Z",
            ),
            (
                TimeRange::Quarter,
                "2025-12-31T10:00:00Z",
                0,
                "2025-10-01",
                "2025-10-01T00:00:00Z",
                "2026-01-01T00:00:00Z",
            ),
            (
                TimeRange::Year,
                "2025-07-04T10:00:00Z",
                0,
                "2025-01-01",
                "2025-01-01T00:00:00Z",
                "2026-01-01T00:00:00Z",
            ),
            // In UTC+2, 23:30 UTC on Sunday is already Monday: a new week and a new day.
            (
                TimeRange::Week,
                "2025-01-19T23:30:00Z",
                2,
                "2025-01-20",
                "2025-01-19T22:00:00Z",
                "2025-01-26T22:00:00Z",
            ),
            (
                TimeRange::Today,
                "2025-01-19T23:30:00Z",
                2,
                "2025-01-20",
                "2025-01-19T22:00:00Z",
                "2025-01-20T22:00:00Z",
            ),
            // In UTC-5, 03:00 UTC on April 1st is still March 31st: the first quarter.
            (
                TimeRange::Quarter,
                "2025-04-01T03:00:00Z",
                -5,
                "2025-01-01",
                "2025-01-01T05:00:00Z",
                "2025-04-01T05:00:00Z",
            ),
            (
                TimeRange::Year,
                "2026-01-01T03:00:00Z",
                -5,
                "2025-01-01",
                "2025-01-01T05:00:00Z",
                "2026-01-01T05:00:00Z",
            ),
        ];
        for (range, at, offset, first_day, start, end) in cases {
            let period = Period::containing(range, utc(at), hours(offset));
            assert_eq!(period.first_day, date(first_day), "{range:?} {at} {offset}");
            assert_eq!(period.start, utc(start), "{range:?} {at} {offset}");
            assert_eq!(period.end, utc(end), "{range:?} {at} {offset}");
            assert!(period.contains(utc(at)));
            assert!(!period.contains(period.end));
            assert!(period.contains(period.start));
        }
    }

    #[test]
    fn consecutive_periods_tile_time() {
        let offset = hours(-7);
        for range in ALL_RANGES {
            let mut period = Period::containing(range, utc("2024-11-20T08:00:00Z"), offset);
            for _ in 0..30 {
                let next = Period::containing(range, period.end, offset);
                assert_eq!(next.start, period.end, "{range:?}");
                assert!(next.start < next.end);
                period = next;
            }
        }
    }

    #[test]
    fn keys_name_range_and_first_day() {
        let period = Period::containing(TimeRange::Week, utc("2025-01-15T10:00:00Z"), hours(0));
        assert_eq!(period.key(), "week:2025-01-13");
    }
}
