//! Contests: a fixed set of entrants competing on one metric between a start and an end.
//!
//! Each recorded entry (a sale, a call) gives one `contest:new-entry` ([`ContestEntry`]) and
//! a `contest:entry-update` ([`ContestEntryUpdate`]) for every contestant whose rank it
//! changed, the entrant included. Entrants start ranked with 0, so the contest board shows
//! everyone from the first minute. [`Contest::close`] produces the result exactly once.

use chrono::{DateTime, Utc};
use sideline_protocol::Id;
use sideline_protocol::leaderboard::{
    AchievementKind, ContestEntry, ContestEntryUpdate, LeaderboardRefresh, TimeRange,
};

use super::DomainError;
use super::achievements::EarnedAchievement;
use super::ranking::{Competitor, RankMove, RankSnapshot, RankedRow, Ranking};

/// Whether a contest still takes entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContestStatus {
    /// Before `starts_at`: entries are refused.
    Upcoming,
    /// Between `starts_at` (inclusive) and `ends_at` (exclusive): entries are recorded.
    Running,
    /// At or after `ends_at`, not yet closed: entries are refused, the result is pending.
    Ended,
    /// The result has been produced by [`Contest::close`].
    Closed,
}

/// What recording one entry produced.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryOutcome {
    /// The `contest:new-entry` payload (the entrant's total and rank after the entry).
    pub new_entry: ContestEntry,
    /// A `contest:entry-update` payload for every contestant whose rank changed, best new
    /// rank first.
    pub updates: Vec<ContestEntryUpdate>,
}

/// The final standings of a closed contest.
#[derive(Debug, Clone, PartialEq)]
pub struct ContestResult {
    /// The contest.
    pub contest_id: Id,
    /// The winners: every rank-1 contestant who recorded at least one entry. Several on a
    /// tie; none if nobody recorded anything.
    pub winners: Vec<Competitor>,
    /// The final rows, best first.
    pub standings: Vec<RankedRow>,
}

impl ContestResult {
    /// The contest-win achievement for each winner (public: celebrated to everyone). Its
    /// key `contest-win:{contestId}` is unique per contest.
    pub fn win_achievements(&self, contest_name: &str) -> Vec<(Competitor, EarnedAchievement)> {
        self.winners
            .iter()
            .map(|winner| {
                let achievement = EarnedAchievement {
                    key: format!("contest-win:{}", self.contest_id),
                    kind: AchievementKind::Contest,
                    title: "Contest Champion!".to_owned(),
                    description: format!("Won the contest {contest_name}"),
                    icon: "🏆".to_owned(),
                    range: None,
                    public: true,
                };
                (winner.clone(), achievement)
            })
            .collect()
    }
}

/// A contest and its standings.
///
/// Invariants: `starts_at < ends_at`; only entrants are ranked; every entrant is ranked.
#[derive(Debug, Clone, PartialEq)]
pub struct Contest {
    id: Id,
    metric: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    ranking: Ranking,
    /// Entries recorded per user, to tell a winner from someone tied at zero.
    entry_counts: Vec<(Id, u64)>,
    closed: bool,
}

impl Contest {
    /// A new, open contest on `metric` from `starts_at` (inclusive) to `ends_at`
    /// (exclusive), with every entrant ranked at 0 (duplicates merged). Refused when the
    /// window is empty.
    pub fn new(
        id: Id,
        metric: impl Into<String>,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        entrants: impl IntoIterator<Item = Competitor>,
    ) -> Result<Self, DomainError> {
        if ends_at <= starts_at {
            return Err(DomainError::EmptyContestWindow { contest_id: id });
        }
        Ok(Contest {
            id,
            metric: metric.into(),
            starts_at,
            ends_at,
            ranking: Ranking::from_totals(entrants.into_iter().map(|c| (c, 0.0))),
            entry_counts: Vec::new(),
            closed: false,
        })
    }

    /// Replays an entry loaded from storage (no events, no window check): how the hub
    /// rebuilds a contest. Entries of non-entrants or with non-finite values are refused.
    pub fn restore_entry(&mut self, user: &Id, value: f64) -> Result<(), DomainError> {
        let competitor = self.entrant(user)?.clone();
        check_finite(&self.metric, value)?;
        self.ranking.add(&competitor, value);
        self.count_entry(user);
        Ok(())
    }

    /// Marks a contest loaded from storage as already closed (its result was produced).
    pub fn mark_closed(&mut self) {
        self.closed = true;
    }

    /// The contest id.
    pub fn id(&self) -> &Id {
        &self.id
    }

    /// The metric contested.
    pub fn metric(&self) -> &str {
        &self.metric
    }

    /// Start (inclusive) and end (exclusive).
    pub fn window(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.starts_at, self.ends_at)
    }

    /// The standings (every entrant, best first).
    pub fn ranking(&self) -> &Ranking {
        &self.ranking
    }

    /// Whether `user` is an entrant.
    pub fn is_entrant(&self, user: &Id) -> bool {
        self.ranking.row(user).is_some()
    }

    /// The status at instant `now`.
    pub fn status(&self, now: DateTime<Utc>) -> ContestStatus {
        if self.closed {
            ContestStatus::Closed
        } else if now < self.starts_at {
            ContestStatus::Upcoming
        } else if now < self.ends_at {
            ContestStatus::Running
        } else {
            ContestStatus::Ended
        }
    }

    /// Records entry `entry_id` worth `value` for entrant `user` at instant `at`. Refused
    /// (and nothing changes) when `user` is not an entrant, `at` is outside the window, the
    /// contest is closed, or `value` is not finite.
    pub fn record_entry(
        &mut self,
        entry_id: Id,
        user: &Id,
        value: f64,
        at: DateTime<Utc>,
    ) -> Result<EntryOutcome, DomainError> {
        if self.status(at) != ContestStatus::Running {
            return Err(DomainError::ContestNotRunning {
                contest_id: self.id.clone(),
            });
        }
        let competitor = self.entrant(user)?.clone();
        check_finite(&self.metric, value)?;
        let moves = self.ranking.add(&competitor, value);
        self.count_entry(user);
        let row = self
            .ranking
            .row(user)
            .cloned()
            .ok_or_else(|| DomainError::NotAnEntrant {
                contest_id: self.id.clone(),
                user_id: user.clone(),
            })?;
        Ok(EntryOutcome {
            new_entry: ContestEntry {
                contest_id: self.id.clone(),
                entry_id,
                user_id: user.clone(),
                user_name: row.competitor.user_name.clone(),
                value: super::ranking::round_value(value),
                total: row.value,
                rank: row.rank,
                contest_name: None,
                ends_at: Some(self.ends_at),
                timestamp: at,
            },
            updates: moves.iter().map(|m| self.entry_update(m, at)).collect(),
        })
    }

    /// The result, once: `Some` the first time it is called at or after the end, `None`
    /// before the end and on every later call (so a contest win is celebrated once).
    pub fn close(&mut self, now: DateTime<Utc>) -> Option<ContestResult> {
        if self.status(now) != ContestStatus::Ended {
            return None;
        }
        self.closed = true;
        let winners = self
            .ranking
            .rows()
            .iter()
            .filter(|row| row.rank == 1 && self.entries_of(&row.competitor.user_id) > 0)
            .map(|row| row.competitor.clone())
            .collect();
        Some(ContestResult {
            contest_id: self.id.clone(),
            winners,
            standings: self.ranking.rows().to_vec(),
        })
    }

    /// The `leaderboard:refresh` payload for the contest board: the first `limit` rows, with
    /// `previousRank` from `baseline` when given. A contest has its own window rather than a
    /// [`TimeRange`], so `range` is whatever the asker's `leaderboard:request` named (the
    /// field is required); the rows are the contest's whatever its value.
    pub fn to_refresh(
        &self,
        range: TimeRange,
        limit: usize,
        baseline: Option<&RankSnapshot>,
        generated_at: DateTime<Utc>,
    ) -> LeaderboardRefresh {
        LeaderboardRefresh {
            metric: self.metric.clone(),
            range,
            rankings: self
                .ranking
                .top(limit)
                .iter()
                .map(|row| row.to_entry(baseline))
                .collect(),
            team_id: None,
            contest_id: Some(self.id.clone()),
            generated_at,
        }
    }

    fn entrant(&self, user: &Id) -> Result<&Competitor, DomainError> {
        self.ranking
            .row(user)
            .map(|row| &row.competitor)
            .ok_or_else(|| DomainError::NotAnEntrant {
                contest_id: self.id.clone(),
                user_id: user.clone(),
            })
    }

    /// Every entrant's standing at `at` as a `contest:entry-update` that moves nobody
    /// (`previousRank` = `newRank`), with the contest's `name` and end for the countdown: how
    /// a snapshot states the contest without inventing rank changes (which would alert).
    pub fn standings_as_updates(&self, name: &str, at: DateTime<Utc>) -> Vec<ContestEntryUpdate> {
        self.ranking
            .rows()
            .iter()
            .map(|row| ContestEntryUpdate {
                contest_id: self.id.clone(),
                user_id: row.competitor.user_id.clone(),
                user_name: row.competitor.user_name.clone(),
                previous_rank: row.rank,
                new_rank: row.rank,
                total: row.value,
                contest_name: Some(name.to_owned()),
                ends_at: Some(self.ends_at),
                timestamp: at,
            })
            .collect()
    }

    fn entries_of(&self, user: &Id) -> u64 {
        self.entry_counts
            .iter()
            .find(|(id, _)| id == user)
            .map_or(0, |(_, count)| *count)
    }

    fn count_entry(&mut self, user: &Id) {
        match self.entry_counts.iter_mut().find(|(id, _)| id == user) {
            Some((_, count)) => *count += 1,
            None => self.entry_counts.push((user.clone(), 1)),
        }
    }

    fn entry_update(&self, rank_move: &RankMove, at: DateTime<Utc>) -> ContestEntryUpdate {
        ContestEntryUpdate {
            contest_id: self.id.clone(),
            user_id: rank_move.competitor.user_id.clone(),
            user_name: rank_move.competitor.user_name.clone(),
            previous_rank: rank_move.previous_rank,
            new_rank: rank_move.new_rank,
            total: rank_move.value,
            contest_name: None,
            ends_at: Some(self.ends_at),
            timestamp: at,
        }
    }
}

fn check_finite(metric: &str, value: f64) -> Result<(), DomainError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(DomainError::NonFiniteValue {
            metric: metric.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn id(s: &str) -> Id {
        Id::new(s).unwrap()
    }

    fn person(s: &str) -> Competitor {
        Competitor::new(id(s), format!("Name {s}"))
    }

    fn contest() -> Contest {
        Contest::new(
            id("march-madness"),
            "deals",
            utc("2025-03-01T00:00:00Z"),
            utc("2025-04-01T00:00:00Z"),
            [person("a"), person("b"), person("c"), person("a")],
        )
        .unwrap()
    }

    const DURING: &str = "2025-03-10T12:00:00Z";

    #[test]
    fn entrants_start_tied_at_zero() {
        let c = contest();
        let ranks: Vec<(String, u32)> = c
            .ranking()
            .rows()
            .iter()
            .map(|r| (r.competitor.user_id.to_string(), r.rank))
            .collect();
        assert_eq!(ranks, [("a".into(), 1), ("b".into(), 1), ("c".into(), 1)]);
        assert!(c.is_entrant(&id("a")) && !c.is_entrant(&id("z")));
    }

    #[test]
    fn entries_give_a_new_entry_and_rank_updates() {
        let mut c = contest();
        let first = c
            .record_entry(id("e1"), &id("c"), 2.0, utc(DURING))
            .unwrap();
        assert_eq!(first.new_entry.user_id, id("c"));
        assert_eq!(
            (
                first.new_entry.value,
                first.new_entry.total,
                first.new_entry.rank
            ),
            (2.0, 2.0, 1)
        );
        assert_eq!(first.new_entry.entry_id, id("e1"));
        // c stays at rank 1 (was tied at 1); a and b drop from 1 to 2.
        let updates: Vec<(String, u32, u32)> = first
            .updates
            .iter()
            .map(|u| (u.user_id.to_string(), u.previous_rank, u.new_rank))
            .collect();
        assert_eq!(updates, [("a".into(), 1, 2), ("b".into(), 1, 2)]);

        // b overtakes c: both get an update, and a drops from 2 to 3.
        let second = c
            .record_entry(id("e2"), &id("b"), 3.0, utc(DURING))
            .unwrap();
        let updates: Vec<(String, u32, u32, f64)> = second
            .updates
            .iter()
            .map(|u| (u.user_id.to_string(), u.previous_rank, u.new_rank, u.total))
            .collect();
        assert_eq!(
            updates,
            [
                ("b".into(), 2, 1, 3.0),
                ("c".into(), 1, 2, 2.0),
                ("a".into(), 2, 3, 0.0)
            ]
        );

        // An entry that changes no rank still gives a new entry, and no update.
        let third = c
            .record_entry(id("e3"), &id("b"), 1.0, utc(DURING))
            .unwrap();
        assert!(third.updates.is_empty());
        assert_eq!((third.new_entry.total, third.new_entry.rank), (4.0, 1));
    }

    #[test]
    fn refused_entries_change_nothing() {
        let mut c = contest();
        let before = c.clone();
        let cases = [
            ("a", 1.0, "2025-02-28T23:59:59Z"),
            ("a", 1.0, "2025-04-01T00:00:00Z"),
            ("z", 1.0, DURING),
            ("a", f64::NAN, DURING),
        ];
        for (who, value, at) in cases {
            assert!(
                c.record_entry(id("e"), &id(who), value, utc(at)).is_err(),
                "{who} {at}"
            );
            assert_eq!(c, before);
        }
        assert!(matches!(
            c.record_entry(id("e"), &id("z"), 1.0, utc(DURING)),
            Err(DomainError::NotAnEntrant { .. })
        ));
        assert!(matches!(
            c.record_entry(id("e"), &id("a"), 1.0, utc("2025-04-02T00:00:00Z")),
            Err(DomainError::ContestNotRunning { .. })
        ));
        assert!(Contest::new(id("x"), "deals", utc(DURING), utc(DURING), [person("a")]).is_err());
    }

    #[test]
    fn close_produces_the_result_once() {
        let mut c = contest();
        c.record_entry(id("e1"), &id("a"), 5.0, utc(DURING))
            .unwrap();
        c.record_entry(id("e2"), &id("b"), 5.0, utc(DURING))
            .unwrap();
        assert_eq!(c.status(utc(DURING)), ContestStatus::Running);
        assert!(c.close(utc(DURING)).is_none(), "not before the end");

        let end = utc("2025-04-01T00:00:00Z");
        assert_eq!(c.status(end), ContestStatus::Ended);
        let result = c.close(end).unwrap();
        let winners: Vec<String> = result
            .winners
            .iter()
            .map(|w| w.user_id.to_string())
            .collect();
        assert_eq!(winners, ["a", "b"], "a tie shares the win");
        assert_eq!(result.standings.len(), 3);
        let wins = result.win_achievements("March Madness");
        assert_eq!(wins.len(), 2);
        assert_eq!(wins[0].1.key, "contest-win:march-madness");
        assert!(wins[0].1.public);

        assert!(c.close(end).is_none(), "only once");
        assert_eq!(c.status(end), ContestStatus::Closed);
        assert!(
            c.record_entry(id("e3"), &id("c"), 1.0, utc(DURING))
                .is_err(),
            "closed"
        );
    }

    #[test]
    fn nobody_wins_without_entries_and_restore_rebuilds() {
        let mut empty = contest();
        assert!(
            empty
                .close(utc("2025-05-01T00:00:00Z"))
                .unwrap()
                .winners
                .is_empty()
        );

        let mut live = contest();
        live.record_entry(id("e1"), &id("c"), 2.0, utc(DURING))
            .unwrap();
        live.record_entry(id("e2"), &id("a"), 1.0, utc(DURING))
            .unwrap();
        let mut restored = contest();
        restored.restore_entry(&id("a"), 1.0).unwrap();
        restored.restore_entry(&id("c"), 2.0).unwrap();
        assert_eq!(live.ranking(), restored.ranking());
        assert!(restored.restore_entry(&id("z"), 1.0).is_err());

        let refresh = live.to_refresh(TimeRange::Month, 10, None, utc(DURING));
        assert_eq!(refresh.contest_id, Some(id("march-madness")));
        assert_eq!(refresh.rankings[0].user_id, id("c"));

        let mut closed = contest();
        closed.mark_closed();
        assert!(closed.close(utc("2025-05-01T00:00:00Z")).is_none());
    }
}
