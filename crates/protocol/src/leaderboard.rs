//! Seed 002 on `/leaderboard`: rankings, contests, leaderboard achievements and TV displays.
//!
//! Seed 002 types user ids as numbers (`userId: 123`); [`Id`] accepts them and emits strings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::id::Id;
use crate::user::UserRef;
use crate::validate::{Validate, ValidationError, check_range, check_token, limits};

/// The period a ranking covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum TimeRange {
    /// Since midnight.
    Today,
    /// This week.
    Week,
    /// This month.
    Month,
    /// This quarter.
    Quarter,
    /// This year.
    Year,
}

/// `rankings:update` / `rank:changed`: a user's rank on a metric changed (seed 002's
/// `RankingUpdate`, plus optional `range`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct RankingUpdate {
    /// Whose rank.
    pub user_id: Id,
    /// Their display name.
    pub user_name: String,
    /// Rank before, 1-based; `0` when the user was not ranked.
    pub previous_rank: u32,
    /// Rank now, 1-based.
    pub new_rank: u32,
    /// The metric ranked on (`revenue`, `deals`, `calls`, `yearlyRevenue`, ...).
    pub metric: String,
    /// The user's value on that metric.
    pub value: f64,
    /// The period, when the metric is not period-specific by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<TimeRange>,
    /// When the rank changed.
    pub timestamp: DateTime<Utc>,
}

/// `contest:new-entry`: a contest recorded a new entry (a sale, a call) for a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ContestEntry {
    /// The contest.
    pub contest_id: Id,
    /// The entry.
    pub entry_id: Id,
    /// Whose entry.
    pub user_id: Id,
    /// Their display name.
    pub user_name: String,
    /// What the entry is worth on the contest's metric.
    pub value: f64,
    /// The user's total in the contest after this entry.
    pub total: f64,
    /// The user's rank in the contest after this entry, 1-based.
    pub rank: u32,
    /// The contest's name (an addition to seed 002, so a screen that never saw the contest
    /// created can title it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contest_name: Option<String>,
    /// When the contest ends (an addition to seed 002: countdowns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    /// When.
    pub timestamp: DateTime<Utc>,
}

/// `contest:entry-update`: a contestant's standing changed. In a `/leaderboard` snapshot (no
/// `eventId`, before `sync:done { snapshot: true }`) it states a standing instead:
/// `previousRank` equals `newRank`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ContestEntryUpdate {
    /// The contest.
    pub contest_id: Id,
    /// Whose standing.
    pub user_id: Id,
    /// Their display name.
    pub user_name: String,
    /// Rank before, 1-based; `0` when not ranked.
    pub previous_rank: u32,
    /// Rank now, 1-based.
    pub new_rank: u32,
    /// The user's total in the contest.
    pub total: f64,
    /// The contest's name (an addition to seed 002, as on `contest:new-entry`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contest_name: Option<String>,
    /// When the contest ends (an addition to seed 002, as on `contest:new-entry`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    /// When.
    pub timestamp: DateTime<Utc>,
}

/// What a leaderboard achievement is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AchievementKind {
    /// Reached a rank.
    Rank,
    /// Passed a value milestone.
    Milestone,
    /// Kept a streak.
    Streak,
    /// Won or placed in a contest.
    Contest,
}

/// `achievement:earned` / `achievement:celebration`: a user earned a leaderboard achievement
/// (seed 002's `AchievementEvent`, plus optional `range`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct AchievementEvent {
    /// Who earned it.
    pub user_id: Id,
    /// Their display name.
    pub user_name: String,
    /// What for.
    pub achievement_type: AchievementKind,
    /// Headline (`Top Performer!`).
    pub title: String,
    /// Explanation (`Reached #1 on the leaderboard`).
    pub description: String,
    /// An emoji or icon name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// The period it was earned in, when relevant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<TimeRange>,
    /// When.
    pub timestamp: DateTime<Utc>,
}

/// One row of a leaderboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct LeaderboardEntry {
    /// Rank, 1-based.
    pub rank: u32,
    /// Who.
    pub user_id: Id,
    /// Their display name.
    pub user_name: String,
    /// Their value on the metric.
    pub value: f64,
    /// Rank at the previous refresh, if they were ranked (for up/down arrows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_rank: Option<u32>,
    /// Their team, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<Id>,
}

/// `leaderboard:refresh`: a full leaderboard (broadcast after large changes, or the answer to
/// `leaderboard:request`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct LeaderboardRefresh {
    /// The metric ranked on.
    pub metric: String,
    /// The period.
    pub range: TimeRange,
    /// The rows, best first.
    pub rankings: Vec<LeaderboardEntry>,
    /// Restricted to this team, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<Id>,
    /// Restricted to this contest, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contest_id: Option<Id>,
    /// When the hub computed it.
    pub generated_at: DateTime<Utc>,
}

/// `tv:update`: what public leaderboard screens show now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct TvUpdate {
    /// A line to show in large type, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// The metric shown.
    pub metric: String,
    /// The period shown.
    pub range: TimeRange,
    /// The top rows, best first.
    pub rankings: Vec<LeaderboardEntry>,
    /// Recent achievements to celebrate on screen, newest first.
    pub recent_achievements: Vec<AchievementEvent>,
    /// When the hub computed it.
    pub generated_at: DateTime<Utc>,
}

/// `leaderboard:request`: ask for a `leaderboard:refresh` (sent to the asker only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct LeaderboardRequest {
    /// The metric, 1 to 64 characters of `[A-Za-z0-9_.:-]`.
    pub metric: String,
    /// The period.
    pub range: TimeRange,
    /// Restrict to a team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<Id>,
    /// Restrict to a contest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contest_id: Option<Id>,
    /// How many rows, 1 to 500 (the hub's default when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl Validate for LeaderboardRequest {
    fn validate(&self) -> Result<(), ValidationError> {
        check_token("metric", &self.metric, limits::METRIC_MAX)?;
        if let Some(limit) = self.limit {
            check_range("limit", limit, 1, limits::LEADERBOARD_LIMIT_MAX)?;
        }
        Ok(())
    }
}

/// `contest:ended`: a contest reached its end and its result is final (sent once). Winners
/// are every rank-1 contestant with at least one entry (several on a tie, none if nobody
/// recorded anything); each also gets the public `contest-win:{contestId}` achievement
/// (`achievement:earned`, `achievement:celebration`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ContestEnded {
    /// The contest.
    pub contest_id: Id,
    /// Its name.
    pub name: String,
    /// The metric it ranked.
    pub metric: String,
    /// The winners.
    pub winners: Vec<UserRef>,
    /// The final standings, best first.
    pub standings: Vec<LeaderboardEntry>,
    /// When the contest ended (its configured end).
    pub ended_at: DateTime<Utc>,
}
