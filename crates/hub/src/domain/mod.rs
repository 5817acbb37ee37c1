//! The pure gamification domain: leaderboards, contests, achievements, XP and levels, streaks.
//!
//! Everything here is synchronous and free of I/O and clocks: instants ("now", "at") and
//! calendar days are parameters, and results are values the hub turns into events (most
//! types have a `to_…` method returning the `sideline_protocol` payload). Storage, rooms and
//! emitting are the hub's job.
//!
//! # Layout
//!
//! - [`period`]: [`Period`], the concrete day / ISO week / month / quarter / year containing
//!   an instant, in a team's UTC offset (half-open `[start, end)`).
//! - [`ranking`]: [`Ranking`], people ordered by value with competition ranks ("1, 1, 3"),
//!   [`RankMove`]s (who moved from which rank to which), around-me rows, movers since a
//!   [`RankSnapshot`]. Shared by leaderboards and contests.
//! - [`leaderboard`]: [`Leaderboard`], one [`Standings`] per (metric, range), built from
//!   [`Sale`] records or updated sale by sale, returning [`RankChange`]s →
//!   `rankings:update` / `rank:changed`.
//! - [`contest`]: [`Contest`], entrants on one metric in a window → `contest:new-entry`,
//!   `contest:entry-update`, and a [`ContestResult`] exactly once at the end.
//! - [`achievements`]: leaderboard achievements (first sale, revenue milestones, #1, top 3,
//!   contest win, streaks) earned only when a threshold is crossed → `achievement:earned`,
//!   `achievement:celebration` for public ones.
//! - [`training`]: the XP → level curve (`50·n·(n−1)` XP for level `n`), [`award_xp`] →
//!   `xp:gained` + `level:up`, the quiz XP rule, training achievements with rarity →
//!   `achievement:unlocked`, `achievement:showcase` (rare and above).
//! - [`streak`]: daily streaks over calendar days and their milestones → `streak:update`,
//!   `streak:milestone`.
//!
//! # Data flow (a sale)
//!
//! ```text
//! Sale ──▶ Leaderboard::apply_sale(sale, now) ──▶ SaleOutcome.changes: Vec<RankChange>
//!                                                   ├─ to_ranking_update ─▶ rankings:update, rank:changed
//!                                                   └─ AchievementRules::rank_achievements ─┐
//! SellerTotals before/after ──▶ AchievementRules::milestones_crossed ───────────────────────┴▶ achievement:*
//! ```

pub mod achievements;
pub mod contest;
pub mod leaderboard;
pub mod period;
pub mod ranking;
pub mod streak;
pub mod training;

use std::fmt;

use sideline_protocol::{ErrorCode, Id};

pub use achievements::{AchievementRules, EarnedAchievement, SellerTotals};
pub use contest::{Contest, ContestResult, ContestStatus, EntryOutcome};
pub use leaderboard::{DEFAULT_METRICS, Leaderboard, RankChange, Sale, SaleOutcome, Standings};
pub use period::{ALL_RANGES, Period};
pub use ranking::{Competitor, Mover, RankMove, RankSnapshot, RankedRow, Ranking};
pub use streak::{STREAK_MILESTONES, Streak, StreakChange, StreakOutcome};
pub use training::{
    LevelProgress, QuizScore, TRAINING_ACHIEVEMENTS, TrainingAchievementDef, TrainingProgress,
    TrainingTrigger, XpAward, award_xp, level_for_xp, progress_to_next, quiz_xp,
    training_achievements_unlocked, xp_for_level,
};

/// Input the domain refuses. Nothing changes when one is returned.
///
/// Written with `std` only (the domain's dependency rule); the hub's error enum wraps it
/// (`#[from]`) and answers with [`DomainError::code`] and the `Display` text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// A metric value is NaN or infinite.
    NonFiniteValue {
        /// The metric.
        metric: String,
    },
    /// An XP award outside 1 to the protocol's `XP_AMOUNT_MAX`.
    XpAmountOutOfRange {
        /// The amount asked for.
        amount: u32,
        /// The largest allowed.
        max: u32,
    },
    /// A contest whose end is not after its start.
    EmptyContestWindow {
        /// The contest.
        contest_id: Id,
    },
    /// An entry for someone who is not an entrant of the contest.
    NotAnEntrant {
        /// The contest.
        contest_id: Id,
        /// The user.
        user_id: Id,
    },
    /// An entry before the contest's start, at or after its end, or after it was closed.
    ContestNotRunning {
        /// The contest.
        contest_id: Id,
    },
}

impl DomainError {
    /// The protocol error code to answer with: bad values are `VALIDATION_FAILED`, entries
    /// that do not fit the contest's state are `CONFLICT`.
    pub fn code(&self) -> ErrorCode {
        match self {
            DomainError::NonFiniteValue { .. }
            | DomainError::XpAmountOutOfRange { .. }
            | DomainError::EmptyContestWindow { .. } => ErrorCode::ValidationFailed,
            DomainError::NotAnEntrant { .. } | DomainError::ContestNotRunning { .. } => {
                ErrorCode::Conflict
            }
        }
    }
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DomainError::NonFiniteValue { metric } => {
                write!(f, "the value of metric {metric} must be a finite number")
            }
            DomainError::XpAmountOutOfRange { amount, max } => {
                write!(f, "an XP award must be 1 to {max}, not {amount}")
            }
            DomainError::EmptyContestWindow { contest_id } => {
                write!(f, "contest {contest_id} must end after it starts")
            }
            DomainError::NotAnEntrant {
                contest_id,
                user_id,
            } => write!(
                f,
                "user {user_id} is not an entrant of contest {contest_id}"
            ),
            DomainError::ContestNotRunning { contest_id } => {
                write!(f, "contest {contest_id} is not running")
            }
        }
    }
}

impl std::error::Error for DomainError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_have_codes_and_messages() {
        let contest_id = Id::new("c1").unwrap();
        let cases = [
            (
                DomainError::NonFiniteValue {
                    metric: "revenue".into(),
                },
                ErrorCode::ValidationFailed,
                "the value of metric revenue must be a finite number",
            ),
            (
                DomainError::XpAmountOutOfRange { amount: 0, max: 10 },
                ErrorCode::ValidationFailed,
                "an XP award must be 1 to 10, not 0",
            ),
            (
                DomainError::EmptyContestWindow {
                    contest_id: contest_id.clone(),
                },
                ErrorCode::ValidationFailed,
                "contest c1 must end after it starts",
            ),
            (
                DomainError::NotAnEntrant {
                    contest_id: contest_id.clone(),
                    user_id: Id::new("u9").unwrap(),
                },
                ErrorCode::Conflict,
                "user u9 is not an entrant of contest c1",
            ),
            (
                DomainError::ContestNotRunning { contest_id },
                ErrorCode::Conflict,
                "contest c1 is not running",
            ),
        ];
        for (error, code, message) in cases {
            assert_eq!(error.code(), code);
            assert_eq!(error.to_string(), message);
        }
    }
}
