//! Daily streaks: consecutive calendar days with an activity (a training session for the
//! `/training` streak, a sale for the sales-streak achievements).
//!
//! Days are the user's calendar days: the hub converts "now" to the user's (or team's) local
//! date before calling, so the rules below never see a clock.
//!
//! # Rules ([`Streak::record_activity`])
//!
//! | last activity          | result                                 |
//! |------------------------|----------------------------------------|
//! | none                   | current 1 (a streak starts)            |
//! | today                  | unchanged (one activity per day counts)|
//! | yesterday              | current + 1                            |
//! | before yesterday       | current reset to 1                     |
//! | after today (skew)     | unchanged (a clock or zone went back)  |
//!
//! `longest` is always the maximum of itself and `current`. A milestone (see
//! [`STREAK_MILESTONES`]) is reached when the current streak goes from below it to at or
//! above it; after a reset the same milestone can be reached again by the new streak.

use chrono::{DateTime, Days, Utc};
use sideline_protocol::training::{StreakMilestone, StreakUpdate};
use sideline_protocol::{CalendarDate, Id};

/// Streak lengths, in days, that are milestones.
pub const STREAK_MILESTONES: [u32; 7] = [3, 7, 14, 30, 60, 100, 365];

/// Bonus XP for reaching a streak milestone: 10 XP per day of the milestone (3 days → 30 XP,
/// 365 days → 3,650 XP).
pub fn streak_milestone_bonus_xp(milestone_days: u32) -> u32 {
    milestone_days.saturating_mul(10)
}

/// A user's streak state.
///
/// Invariants: `current <= longest`; `current` is 0 when there was never an activity, or when
/// [`Streak::as_of`] found the streak broken (then `last_activity` is kept).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Streak {
    /// Consecutive days up to and including `last_activity`.
    pub current: u32,
    /// The longest streak ever.
    pub longest: u32,
    /// The last day with an activity.
    pub last_activity: Option<CalendarDate>,
}

/// How an activity changed a streak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreakChange {
    /// First activity ever: the streak is 1.
    Started,
    /// Same day (or a day before the last one): nothing changed.
    Unchanged,
    /// The day after the last activity: the streak grew by one.
    Extended,
    /// A day or more was missed: the streak restarted at 1.
    Restarted,
}

/// The result of [`Streak::record_activity`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreakOutcome {
    /// The streak after the activity.
    pub streak: Streak,
    /// What happened.
    pub change: StreakChange,
    /// Milestones reached by this activity (at most one with consecutive days), ascending.
    pub milestones: Vec<u32>,
}

impl StreakOutcome {
    /// Whether a `streak:update` is worth sending (anything but [`StreakChange::Unchanged`]).
    pub fn changed(&self) -> bool {
        self.change != StreakChange::Unchanged
    }

    /// The `streak:update` payload, if the streak has a last activity (always, after
    /// [`Streak::record_activity`]).
    pub fn to_update(
        &self,
        user_id: Id,
        user_name: String,
        timestamp: DateTime<Utc>,
    ) -> Option<StreakUpdate> {
        self.streak.to_update(user_id, user_name, timestamp)
    }

    /// One `streak:milestone` payload per milestone reached, with its bonus XP.
    pub fn milestone_events(
        &self,
        user_id: &Id,
        user_name: &str,
        timestamp: DateTime<Utc>,
    ) -> Vec<StreakMilestone> {
        self.milestones
            .iter()
            .map(|&milestone| StreakMilestone {
                user_id: user_id.clone(),
                user_name: user_name.to_owned(),
                milestone,
                bonus_xp: Some(streak_milestone_bonus_xp(milestone)),
                timestamp,
            })
            .collect()
    }
}

impl Streak {
    /// Applies an activity on `today` (the user's calendar day) following the module's rules.
    pub fn record_activity(&self, today: CalendarDate) -> StreakOutcome {
        let (current, change) = match self.last_activity {
            None => (1, StreakChange::Started),
            Some(last) if today <= last => (self.current, StreakChange::Unchanged),
            Some(last) if last.0.checked_add_days(Days::new(1)) == Some(today.0) => {
                (self.current.saturating_add(1), StreakChange::Extended)
            }
            Some(_) => (1, StreakChange::Restarted),
        };
        let streak = Streak {
            current,
            longest: self.longest.max(current),
            last_activity: Some(match self.last_activity {
                Some(last) if today < last => last,
                _ => today,
            }),
        };
        let before = match change {
            StreakChange::Restarted => 0,
            _ => self.current,
        };
        let milestones = STREAK_MILESTONES
            .iter()
            .copied()
            .filter(|&m| before < m && m <= current)
            .collect();
        StreakOutcome {
            streak,
            change,
            milestones,
        }
    }

    /// The streak as shown on `today` without a new activity: still alive if the last
    /// activity was today or yesterday, otherwise broken (`current` 0, `longest` and
    /// `last_activity` kept). For `streak:update` after a daily check.
    pub fn as_of(&self, today: CalendarDate) -> Streak {
        let alive = self.last_activity.is_some_and(|last| {
            last >= today || last.0.checked_add_days(Days::new(1)) == Some(today.0)
        });
        Streak {
            current: if alive { self.current } else { 0 },
            ..*self
        }
    }

    /// The `streak:update` payload, or `None` if there was never an activity (the payload
    /// needs a last activity date).
    pub fn to_update(
        &self,
        user_id: Id,
        user_name: String,
        timestamp: DateTime<Utc>,
    ) -> Option<StreakUpdate> {
        Some(StreakUpdate {
            user_id,
            user_name,
            current_streak: self.current,
            longest_streak: self.longest,
            last_activity_date: self.last_activity?,
            timestamp,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> CalendarDate {
        CalendarDate::parse(s).unwrap()
    }

    fn streak(current: u32, longest: u32, last: Option<&str>) -> Streak {
        Streak {
            current,
            longest,
            last_activity: last.map(day),
        }
    }

    #[test]
    fn activity_rules() {
        // (before, today, expected after, change, milestones)
        let cases: &[(Streak, &str, Streak, StreakChange, &[u32])] = &[
            (
                Streak::default(),
                "2025-01-10",
                streak(1, 1, Some("2025-01-10")),
                StreakChange::Started,
                &[],
            ),
            (
                streak(4, 9, Some("2025-01-10")),
                "2025-01-10",
                streak(4, 9, Some("2025-01-10")),
                StreakChange::Unchanged,
                &[],
            ),
            (
                streak(4, 9, Some("2025-01-10")),
                "2025-01-11",
                streak(5, 9, Some("2025-01-11")),
                StreakChange::Extended,
                &[],
            ),
            (
                streak(4, 9, Some("2025-01-10")),
                "2025-01-12",
                streak(1, 9, Some("2025-01-12")),
                StreakChange::Restarted,
                &[],
            ),
            (
                streak(4, 9, Some("2025-01-10")),
                "2025-03-01",
                streak(1, 9, Some("2025-03-01")),
                StreakChange::Restarted,
                &[],
            ),
            // A day before the last activity (clock or zone went back): unchanged.
            (
                streak(4, 9, Some("2025-01-10")),
                "2025-01-09",
                streak(4, 9, Some("2025-01-10")),
                StreakChange::Unchanged,
                &[],
            ),
            // Month, year and leap-day boundaries are consecutive days.
            (
                streak(2, 2, Some("2024-02-28")),
                "2024-02-29",
                streak(3, 3, Some("2024-02-29")),
                StreakChange::Extended,
                &[3],
            ),
            (
                streak(6, 6, Some("2024-12-31")),
                "2025-01-01",
                streak(7, 7, Some("2025-01-01")),
                StreakChange::Extended,
                &[7],
            ),
            // The longest streak grows with the current one.
            (
                streak(9, 9, Some("2025-01-10")),
                "2025-01-11",
                streak(10, 10, Some("2025-01-11")),
                StreakChange::Extended,
                &[],
            ),
            (
                streak(364, 364, Some("2025-01-10")),
                "2025-01-11",
                streak(365, 365, Some("2025-01-11")),
                StreakChange::Extended,
                &[365],
            ),
        ];
        for (before, today, after, change, milestones) in cases {
            let outcome = before.record_activity(day(today));
            assert_eq!(outcome.streak, *after, "{before:?} on {today}");
            assert_eq!(outcome.change, *change, "{before:?} on {today}");
            assert_eq!(outcome.milestones, *milestones, "{before:?} on {today}");
            assert!(outcome.streak.current <= outcome.streak.longest);
        }
    }

    #[test]
    fn each_milestone_is_reached_exactly_once_per_streak() {
        let mut state = Streak::default();
        let mut today = day("2025-01-01");
        let mut reached = Vec::new();
        for _ in 0..400 {
            // Two activities on the same day must not reach anything twice.
            for _ in 0..2 {
                let outcome = state.record_activity(today);
                reached.extend(outcome.milestones.iter().copied());
                state = outcome.streak;
            }
            today = CalendarDate(today.0.succ_opt().unwrap());
        }
        assert_eq!(reached, STREAK_MILESTONES);

        // After a break, a new streak reaches 3 again (a new streak, a new milestone).
        let gap = CalendarDate(today.0.checked_add_days(Days::new(3)).unwrap());
        let mut outcome = state.record_activity(gap);
        assert_eq!(outcome.change, StreakChange::Restarted);
        assert_eq!(outcome.streak.longest, 400);
        for _ in 0..2 {
            let next = CalendarDate(outcome.streak.last_activity.unwrap().0.succ_opt().unwrap());
            outcome = outcome.streak.record_activity(next);
        }
        assert_eq!(outcome.milestones, [3]);
    }

    #[test]
    fn as_of_breaks_only_after_a_missed_day() {
        let s = streak(5, 8, Some("2025-01-10"));
        assert_eq!(s.as_of(day("2025-01-10")).current, 5);
        assert_eq!(
            s.as_of(day("2025-01-11")).current,
            5,
            "today still possible"
        );
        assert_eq!(s.as_of(day("2025-01-12")), streak(0, 8, Some("2025-01-10")));
        assert_eq!(
            Streak::default().as_of(day("2025-01-12")),
            Streak::default()
        );
    }

    #[test]
    fn payloads() {
        let now = DateTime::parse_from_rfc3339("2025-01-07T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let user = Id::new("u1").unwrap();
        let outcome = streak(6, 6, Some("2025-01-06")).record_activity(day("2025-01-07"));
        assert!(outcome.changed());
        let update = outcome.to_update(user.clone(), "Ann".into(), now).unwrap();
        assert_eq!((update.current_streak, update.longest_streak), (7, 7));
        assert_eq!(update.last_activity_date, day("2025-01-07"));
        let events = outcome.milestone_events(&user, "Ann", now);
        assert_eq!(events.len(), 1);
        assert_eq!((events[0].milestone, events[0].bonus_xp), (7, Some(70)));
        assert!(
            Streak::default()
                .to_update(user, "Ann".into(), now)
                .is_none()
        );
    }
}
