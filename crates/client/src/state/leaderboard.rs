//! `/leaderboard`: boards per metric and range, recent rank changes, contests, the TV screen
//! and the achievements feed (leaderboard and training achievements together).

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sideline_protocol::leaderboard::{LeaderboardEntry, RankingUpdate, TimeRange, TvUpdate};
use sideline_protocol::{EventId, Id, LeaderboardServerEvent};

/// How many recent rank changes and feed items are kept.
pub const FEED_LEN: usize = 100;

/// The key of a board: `metric/range` (`revenue/week`), `metric/all` when no range applies.
pub fn board_key(metric: &str, range: Option<TimeRange>) -> String {
    let range = range
        .and_then(|r| serde_json::to_value(r).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "all".to_owned());
    format!("{metric}/{range}")
}

/// One leaderboard.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Board {
    /// The metric.
    pub metric: String,
    /// The period, if any.
    pub range: Option<TimeRange>,
    /// Rows, best first.
    pub rows: Vec<LeaderboardEntry>,
    /// When the hub computed the last full refresh.
    pub generated_at: Option<DateTime<Utc>>,
}

/// A contestant's standing.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Standing {
    /// Who.
    pub user_id: Id,
    /// Display name.
    pub user_name: String,
    /// Total on the contest's metric.
    pub total: f64,
    /// Rank, 1-based.
    pub rank: u32,
    /// Rank before the last change (0: unranked).
    pub previous_rank: u32,
}

/// One contest.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Contest {
    /// Its name, once an event carried it.
    pub name: Option<String>,
    /// When it ends, once an event carried it (countdowns).
    pub ends_at: Option<DateTime<Utc>>,
    /// Standings, best first.
    pub standings: Vec<Standing>,
    /// Entries recorded.
    #[ts(type = "number")]
    pub entries: u64,
    /// Last change.
    pub updated_at: Option<DateTime<Utc>>,
    /// When it ended (`contest:ended`); `None` while it runs.
    pub ended_at: Option<DateTime<Utc>>,
}

impl Contest {
    fn describe(&mut self, name: Option<&str>, ends_at: Option<DateTime<Utc>>) {
        if let Some(name) = name {
            self.name = Some(name.to_owned());
        }
        if ends_at.is_some() {
            self.ends_at = ends_at;
        }
    }

    fn upsert(&mut self, standing: Standing) {
        match self
            .standings
            .iter_mut()
            .find(|s| s.user_id == standing.user_id)
        {
            Some(existing) => *existing = standing,
            None => self.standings.push(standing),
        }
        self.standings.sort_by_key(|s| s.rank);
    }
}

/// An achievement in the feed.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FeedItem {
    /// Who.
    pub user_id: Id,
    /// Display name.
    pub user_name: String,
    /// Headline.
    pub title: String,
    /// Explanation.
    pub description: String,
    /// Icon, if any.
    pub icon: Option<String>,
    /// `leaderboard` or `training`.
    pub source: &'static str,
    /// When.
    pub at: DateTime<Utc>,
    /// The event that announced it.
    #[ts(type = "number | null")]
    pub event_id: Option<u64>,
}

impl FeedItem {
    /// Adds to the front of a feed unless the same achievement is there (an `earned` and its
    /// public `celebration` are two events for one achievement).
    pub fn push_to(self, feed: &mut VecDeque<FeedItem>) -> bool {
        if feed
            .iter()
            .any(|f| f.user_id == self.user_id && f.title == self.title && f.at == self.at)
        {
            return false;
        }
        feed.push_front(self);
        feed.truncate(FEED_LEN);
        true
    }
}

/// Everything from `/leaderboard`.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LeaderboardState {
    /// Boards by [`board_key`].
    pub boards: BTreeMap<String, Board>,
    /// Recent rank changes, newest first.
    #[ts(as = "Vec<RankingUpdate>")]
    pub recent_changes: VecDeque<RankingUpdate>,
    /// Contests by id.
    pub contests: BTreeMap<String, Contest>,
    /// What TV displays show.
    pub tv: Option<TvUpdate>,
    /// Achievements, newest first (leaderboard and training).
    #[ts(as = "Vec<FeedItem>")]
    pub achievements: VecDeque<FeedItem>,
}

impl LeaderboardState {
    /// Applies one event; returns whether anything changed.
    pub fn apply(&mut self, event_id: Option<EventId>, event: &LeaderboardServerEvent) -> bool {
        use LeaderboardServerEvent as E;
        match event {
            E::RankingsUpdate(update) | E::RankChanged(update) => {
                self.rank_changed(update);
                true
            }
            E::LeaderboardRefresh(refresh) => {
                // A snapshot: the board is replaced, not merged.
                self.boards.insert(
                    board_key(&refresh.metric, Some(refresh.range)),
                    Board {
                        metric: refresh.metric.clone(),
                        range: Some(refresh.range),
                        rows: refresh.rankings.clone(),
                        generated_at: Some(refresh.generated_at),
                    },
                );
                true
            }
            E::TvUpdate(tv) => {
                self.tv = Some(tv.clone());
                true
            }
            E::ContestNewEntry(entry) => {
                let contest = self
                    .contests
                    .entry(entry.contest_id.to_string())
                    .or_default();
                let previous_rank = contest
                    .standings
                    .iter()
                    .find(|s| s.user_id == entry.user_id)
                    .map_or(0, |s| s.rank);
                contest.entries += 1;
                contest.updated_at = Some(entry.timestamp);
                contest.describe(entry.contest_name.as_deref(), entry.ends_at);
                contest.upsert(Standing {
                    user_id: entry.user_id.clone(),
                    user_name: entry.user_name.clone(),
                    total: entry.total,
                    rank: entry.rank,
                    previous_rank,
                });
                true
            }
            E::ContestEntryUpdate(update) => {
                let contest = self
                    .contests
                    .entry(update.contest_id.to_string())
                    .or_default();
                contest.updated_at = Some(update.timestamp);
                contest.describe(update.contest_name.as_deref(), update.ends_at);
                contest.upsert(Standing {
                    user_id: update.user_id.clone(),
                    user_name: update.user_name.clone(),
                    total: update.total,
                    rank: update.new_rank,
                    previous_rank: update.previous_rank,
                });
                true
            }
            E::AchievementEarned(a) | E::AchievementCelebration(a) => FeedItem {
                user_id: a.user_id.clone(),
                user_name: a.user_name.clone(),
                title: a.title.clone(),
                description: a.description.clone(),
                icon: a.icon.clone(),
                source: "leaderboard",
                at: a.timestamp,
                event_id: event_id.map(|id| id.0),
            }
            .push_to(&mut self.achievements),
            E::ContestEnded(ended) => {
                // The final standings replace whatever the entry stream built up.
                let contest = self
                    .contests
                    .entry(ended.contest_id.to_string())
                    .or_default();
                contest.standings = ended
                    .standings
                    .iter()
                    .map(|entry| Standing {
                        user_id: entry.user_id.clone(),
                        user_name: entry.user_name.clone(),
                        total: entry.value,
                        rank: entry.rank,
                        previous_rank: entry.previous_rank.unwrap_or(0),
                    })
                    .collect();
                contest.standings.sort_by_key(|s| s.rank);
                contest.updated_at = Some(ended.ended_at);
                contest.ended_at = Some(ended.ended_at);
                contest.describe(Some(&ended.name), Some(ended.ended_at));
                true
            }
            E::SyncDone(_) | E::Error(_) => false,
        }
    }

    fn rank_changed(&mut self, update: &RankingUpdate) {
        let board = self
            .boards
            .entry(board_key(&update.metric, update.range))
            .or_insert_with(|| Board {
                metric: update.metric.clone(),
                range: update.range,
                ..Board::default()
            });
        let row = LeaderboardEntry {
            rank: update.new_rank,
            user_id: update.user_id.clone(),
            user_name: update.user_name.clone(),
            value: update.value,
            previous_rank: Some(update.previous_rank),
            team_id: None,
        };
        match board.rows.iter_mut().find(|r| r.user_id == update.user_id) {
            Some(existing) => {
                let team_id = existing.team_id.take();
                *existing = LeaderboardEntry { team_id, ..row };
            }
            None => board.rows.push(row),
        }
        board.rows.sort_by_key(|r| r.rank);
        self.recent_changes.push_front(update.clone());
        self.recent_changes.truncate(FEED_LEN);
    }

    /// The board for `metric` and `range`, if known.
    pub fn board(&self, metric: &str, range: Option<TimeRange>) -> Option<&Board> {
        self.boards.get(&board_key(metric, range))
    }
}
