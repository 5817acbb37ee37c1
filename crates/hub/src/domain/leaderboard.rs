//! The team leaderboard: one [`Standings`] per (metric, time range), fed by sales.
//!
//! The hub either rebuilds a [`Leaderboard`] from its stored sale records
//! ([`Leaderboard::from_sales`]) or keeps one in memory and applies each new sale
//! ([`Leaderboard::apply_sale`]); both give identical standings. Each sale returns the
//! [`RankChange`]s it caused, from which the hub builds `rankings:update` (broadcast) and
//! `rank:changed` (to `user:{id}`) with [`RankChange::to_ranking_update`].
//!
//! Periods are computed in the team's UTC offset (see [`super::period`]); "now" is always a
//! parameter. When a period ends, that board starts empty for the next period.

use chrono::{DateTime, FixedOffset, Utc};
use sideline_protocol::Id;
use sideline_protocol::leaderboard::{LeaderboardRefresh, RankingUpdate, TimeRange};

use super::DomainError;
use super::period::{ALL_RANGES, Period};
use super::ranking::{Competitor, RankMove, RankSnapshot, RankedRow, Ranking};

/// The metrics a leaderboard ranks on when the team configures none.
pub const DEFAULT_METRICS: [&str; 3] = ["revenue", "deals", "calls"];

/// A recorded sale: who, when, and what it adds to each metric (`revenue: 1200.0`,
/// `deals: 1.0`, `calls: 3.0`). Metrics the leaderboard does not rank are ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct Sale {
    /// The seller.
    pub seller: Competitor,
    /// When the sale happened (decides which periods it counts in).
    pub at: DateTime<Utc>,
    /// (metric, amount) pairs; amounts may be negative (a refund) but must be finite.
    pub values: Vec<(String, f64)>,
}

impl Sale {
    /// Checks that every amount is finite.
    pub fn validate(&self) -> Result<(), DomainError> {
        match self.values.iter().find(|(_, value)| !value.is_finite()) {
            Some((metric, _)) => Err(DomainError::NonFiniteValue {
                metric: metric.clone(),
            }),
            None => Ok(()),
        }
    }
}

/// A person's rank on one board changed.
#[derive(Debug, Clone, PartialEq)]
pub struct RankChange {
    /// The metric of the board.
    pub metric: String,
    /// The range of the board.
    pub range: TimeRange,
    /// The period of the board at the time of the change.
    pub period: Period,
    /// Who moved, from where to where, with their value.
    pub rank_move: RankMove,
}

impl RankChange {
    /// The `rankings:update` / `rank:changed` payload for this change.
    pub fn to_ranking_update(&self, timestamp: DateTime<Utc>) -> RankingUpdate {
        RankingUpdate {
            user_id: self.rank_move.competitor.user_id.clone(),
            user_name: self.rank_move.competitor.user_name.clone(),
            previous_rank: self.rank_move.previous_rank,
            new_rank: self.rank_move.new_rank,
            metric: self.metric.clone(),
            value: self.rank_move.value,
            range: Some(self.range),
            timestamp,
        }
    }
}

/// The ranking of one metric over the current period of one range.
#[derive(Debug, Clone, PartialEq)]
pub struct Standings {
    metric: String,
    period: Period,
    ranking: Ranking,
}

impl Standings {
    /// Empty standings for `metric` over `period`.
    pub fn new(metric: impl Into<String>, period: Period) -> Self {
        Standings {
            metric: metric.into(),
            period,
            ranking: Ranking::new(),
        }
    }

    /// Standings recomputed from per-user totals already restricted to `period`.
    pub fn from_totals(
        metric: impl Into<String>,
        period: Period,
        totals: impl IntoIterator<Item = (Competitor, f64)>,
    ) -> Self {
        Standings {
            metric: metric.into(),
            period,
            ranking: Ranking::from_totals(totals),
        }
    }

    /// The metric ranked on.
    pub fn metric(&self) -> &str {
        &self.metric
    }

    /// The range.
    pub fn range(&self) -> TimeRange {
        self.period.range
    }

    /// The period covered.
    pub fn period(&self) -> Period {
        self.period
    }

    /// The ranking itself (rows, around-me, movers, snapshots).
    pub fn ranking(&self) -> &Ranking {
        &self.ranking
    }

    /// Adds `amount` for `seller` if `at` falls in the period and returns the rank changes it
    /// caused (none if `at` is outside the period).
    pub fn apply_sale(
        &mut self,
        seller: &Competitor,
        amount: f64,
        at: DateTime<Utc>,
    ) -> Vec<RankChange> {
        if !self.period.contains(at) {
            return Vec::new();
        }
        let moves = self.ranking.add(seller, amount);
        self.changes(moves)
    }

    /// Replaces the ranking with one recomputed from `totals` and returns everyone whose
    /// rank differs from before (people who dropped out entirely are not reported).
    pub fn recompute(
        &mut self,
        totals: impl IntoIterator<Item = (Competitor, f64)>,
    ) -> Vec<RankChange> {
        let before = self.ranking.snapshot();
        self.ranking = Ranking::from_totals(totals);
        let moves = self.ranking.moves_since(&before);
        self.changes(moves)
    }

    /// The `leaderboard:refresh` payload: the first `limit` rows, with `previousRank` from
    /// `baseline` when given.
    pub fn to_refresh(
        &self,
        limit: usize,
        baseline: Option<&RankSnapshot>,
        team_id: Option<Id>,
        generated_at: DateTime<Utc>,
    ) -> LeaderboardRefresh {
        LeaderboardRefresh {
            metric: self.metric.clone(),
            range: self.period.range,
            rankings: self
                .ranking
                .top(limit)
                .iter()
                .map(|row| row.to_entry(baseline))
                .collect(),
            team_id,
            contest_id: None,
            generated_at,
        }
    }

    /// "Around me" rows (see [`Ranking::around`]).
    pub fn around(&self, user: &Id, radius: usize) -> &[RankedRow] {
        self.ranking.around(user, radius)
    }

    fn changes(&self, moves: Vec<RankMove>) -> Vec<RankChange> {
        moves
            .into_iter()
            .map(|rank_move| RankChange {
                metric: self.metric.clone(),
                range: self.period.range,
                period: self.period,
                rank_move,
            })
            .collect()
    }
}

/// What applying one sale did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SaleOutcome {
    /// Every rank change on every board, grouped by board (metric order of the
    /// configuration, then shortest range first), best new rank first within a board.
    pub changes: Vec<RankChange>,
    /// Boards whose period ended before this sale and were restarted empty (the hub may send
    /// a `leaderboard:refresh` for them).
    pub restarted: Vec<(String, TimeRange)>,
    /// Metrics of the sale the leaderboard does not rank (so the hub can log or refuse them).
    pub ignored_metrics: Vec<String>,
}

/// All boards of a team: every configured metric × every [`TimeRange`].
#[derive(Debug, Clone, PartialEq)]
pub struct Leaderboard {
    offset: FixedOffset,
    /// One per (metric, range), metric-major in configuration order, ranges in
    /// [`ALL_RANGES`] order.
    boards: Vec<Standings>,
}

impl Leaderboard {
    /// Empty boards for `metrics` (duplicates dropped) in the periods containing `now`, with
    /// days counted in the team's `offset`.
    pub fn new<M: AsRef<str>>(
        metrics: impl IntoIterator<Item = M>,
        offset: FixedOffset,
        now: DateTime<Utc>,
    ) -> Self {
        let mut names: Vec<String> = Vec::new();
        for metric in metrics {
            let metric = metric.as_ref();
            if !names.iter().any(|known| known == metric) {
                names.push(metric.to_owned());
            }
        }
        let boards = names
            .iter()
            .flat_map(|metric| {
                ALL_RANGES.iter().map(move |range| {
                    Standings::new(metric.clone(), Period::containing(*range, now, offset))
                })
            })
            .collect();
        Leaderboard { offset, boards }
    }

    /// The boards as of `now`, recomputed from sale records in any order. A sale counts on
    /// the boards whose current period contains its `at`, as in [`Leaderboard::apply_sale`]:
    /// one stamped a little after `now` (an integration's clock ahead of the hub's) still
    /// counts in the current periods.
    pub fn from_sales<'a, M: AsRef<str>>(
        metrics: impl IntoIterator<Item = M>,
        offset: FixedOffset,
        now: DateTime<Utc>,
        sales: impl IntoIterator<Item = &'a Sale>,
    ) -> Self {
        let mut leaderboard = Leaderboard::new(metrics, offset, now);
        let mut totals: Vec<Vec<(Competitor, f64)>> = vec![Vec::new(); leaderboard.boards.len()];
        for sale in sales {
            for (metric, amount) in &sale.values {
                for (board, board_totals) in leaderboard.boards.iter().zip(totals.iter_mut()) {
                    if &board.metric == metric && board.period.contains(sale.at) {
                        board_totals.push((sale.seller.clone(), *amount));
                    }
                }
            }
        }
        for (board, board_totals) in leaderboard.boards.iter_mut().zip(totals) {
            board.ranking = Ranking::from_totals(board_totals);
        }
        leaderboard
    }

    /// The team's UTC offset.
    pub fn offset(&self) -> FixedOffset {
        self.offset
    }

    /// The metrics ranked, in configuration order.
    pub fn metrics(&self) -> Vec<&str> {
        self.boards
            .iter()
            .filter(|board| board.period.range == ALL_RANGES[0])
            .map(|board| board.metric.as_str())
            .collect()
    }

    /// The board of (`metric`, `range`), if the metric is configured.
    pub fn standings(&self, metric: &str, range: TimeRange) -> Option<&Standings> {
        self.boards
            .iter()
            .find(|board| board.metric == metric && board.period.range == range)
    }

    /// All boards, metric-major in configuration order.
    pub fn boards(&self) -> &[Standings] {
        &self.boards
    }

    /// Restarts, empty, every board whose period no longer contains `now`; returns which.
    pub fn roll_over(&mut self, now: DateTime<Utc>) -> Vec<(String, TimeRange)> {
        let mut restarted = Vec::new();
        for board in &mut self.boards {
            if !board.period.contains(now) {
                let period = Period::containing(board.period.range, now, self.offset);
                // Only move forward: a `now` earlier than the board's period (a clock step
                // back) must not wipe the current period's standings.
                if period.start >= board.period.end {
                    *board = Standings::new(board.metric.clone(), period);
                    restarted.push((board.metric.clone(), period.range));
                }
            }
        }
        restarted
    }

    /// Rolls the boards over to `now`, then adds the sale to every board of its metrics whose
    /// period contains `sale.at`. Non-finite amounts are refused before anything changes.
    pub fn apply_sale(
        &mut self,
        sale: &Sale,
        now: DateTime<Utc>,
    ) -> Result<SaleOutcome, DomainError> {
        sale.validate()?;
        let mut outcome = SaleOutcome {
            restarted: self.roll_over(now),
            ..SaleOutcome::default()
        };
        // Group the sale's amounts by metric so that two entries for one metric give one
        // set of rank changes, in board order.
        for board in &mut self.boards {
            let amount: f64 = sale
                .values
                .iter()
                .filter(|(metric, _)| metric == &board.metric)
                .map(|(_, amount)| amount)
                .sum();
            let mentioned = sale
                .values
                .iter()
                .any(|(metric, _)| metric == &board.metric);
            if mentioned {
                outcome
                    .changes
                    .extend(board.apply_sale(&sale.seller, amount, sale.at));
            }
        }
        for (metric, _) in &sale.values {
            let known = self.boards.iter().any(|board| &board.metric == metric);
            if !known && !outcome.ignored_metrics.contains(metric) {
                outcome.ignored_metrics.push(metric.clone());
            }
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn person(id: &str) -> Competitor {
        Competitor::new(Id::new(id).unwrap(), format!("Name {id}"))
    }

    fn sale(who: &str, at: &str, values: &[(&str, f64)]) -> Sale {
        Sale {
            seller: person(who),
            at: utc(at),
            values: values.iter().map(|(m, v)| (m.to_string(), *v)).collect(),
        }
    }

    fn ranks(board: &Standings) -> Vec<(String, u32, f64)> {
        board
            .ranking()
            .rows()
            .iter()
            .map(|r| (r.competitor.user_id.to_string(), r.rank, r.value))
            .collect()
    }

    fn utc0() -> FixedOffset {
        FixedOffset::east_opt(0).unwrap()
    }

    #[test]
    fn default_metrics_give_fifteen_boards() {
        let board = Leaderboard::new(DEFAULT_METRICS, utc0(), utc("2025-01-15T10:00:00Z"));
        assert_eq!(board.boards().len(), 15);
        assert_eq!(board.metrics(), ["revenue", "deals", "calls"]);
        let custom = Leaderboard::new(
            ["calls", "calls", "demos"],
            utc0(),
            utc("2025-01-15T10:00:00Z"),
        );
        assert_eq!(custom.metrics(), ["calls", "demos"]);
        assert!(custom.standings("revenue", TimeRange::Week).is_none());
    }

    #[test]
    fn sales_count_only_in_the_periods_containing_them() {
        // Now: Wednesday 2025-04-02 12:00 UTC; the quarter started 2025-04-01.
        let now = utc("2025-04-02T12:00:00Z");
        let sales = [
            sale("a", "2025-04-02T09:00:00Z", &[("revenue", 100.0)]), // today..year
            sale("b", "2025-03-31T10:00:00Z", &[("revenue", 50.0)]),  // Monday: week, year
            sale("c", "2025-03-30T10:00:00Z", &[("revenue", 70.0)]),  // last week's Sunday: year
            sale("d", "2025-04-01T00:00:00Z", &[("revenue", 20.0)]),  // quarter's first instant
            sale("e", "2024-12-31T23:59:59Z", &[("revenue", 999.0)]), // last year
            sale("f", "2025-04-03T00:00:00Z", &[("revenue", 5.0)]),   // after now: week..year
            sale("g", "2025-04-07T00:00:00Z", &[("revenue", 1.0)]),   // next week: month..year
        ];
        let board = Leaderboard::from_sales(["revenue"], utc0(), now, &sales);
        let users = |range| -> Vec<String> {
            ranks(board.standings("revenue", range).unwrap())
                .into_iter()
                .map(|(u, _, _)| u)
                .collect()
        };
        assert_eq!(users(TimeRange::Today), ["a"]);
        assert_eq!(users(TimeRange::Week), ["a", "b", "d", "f"]);
        assert_eq!(users(TimeRange::Month), ["a", "d", "f", "g"]);
        assert_eq!(users(TimeRange::Quarter), ["a", "d", "f", "g"]);
        assert_eq!(users(TimeRange::Year), ["a", "c", "b", "d", "f", "g"]);
    }

    #[test]
    fn team_offset_moves_the_week_boundary() {
        // Sunday 2025-01-19 23:30 UTC is Monday 01:30 in UTC+2: a new week there.
        let now = utc("2025-01-19T23:45:00Z");
        let sales = [
            sale("a", "2025-01-19T23:30:00Z", &[("calls", 3.0)]),
            sale("b", "2025-01-19T21:00:00Z", &[("calls", 1.0)]),
        ];
        let plus_two = FixedOffset::east_opt(2 * 3600).unwrap();
        let in_utc = Leaderboard::from_sales(["calls"], utc0(), now, &sales);
        let in_plus_two = Leaderboard::from_sales(["calls"], plus_two, now, &sales);
        assert_eq!(
            in_utc
                .standings("calls", TimeRange::Week)
                .unwrap()
                .ranking()
                .len(),
            2
        );
        let week = in_plus_two.standings("calls", TimeRange::Week).unwrap();
        assert_eq!(ranks(week), [("a".to_string(), 1, 3.0)]);
    }

    #[test]
    fn apply_sale_matches_a_recompute_and_reports_overtakes() {
        let now = utc("2025-01-15T10:00:00Z");
        let history = [
            sale(
                "a",
                "2025-01-14T10:00:00Z",
                &[("revenue", 1000.0), ("deals", 1.0)],
            ),
            sale(
                "b",
                "2025-01-15T09:00:00Z",
                &[("revenue", 600.0), ("deals", 1.0)],
            ),
        ];
        let mut live = Leaderboard::from_sales(DEFAULT_METRICS, utc0(), now, &history);
        let new_sale = sale(
            "b",
            "2025-01-15T10:00:00Z",
            &[("revenue", 500.0), ("deals", 1.0)],
        );
        let outcome = live.apply_sale(&new_sale, now).unwrap();
        assert!(outcome.restarted.is_empty());
        assert!(outcome.ignored_metrics.is_empty());

        let summary: Vec<(String, TimeRange, String, u32, u32)> = outcome
            .changes
            .iter()
            .map(|c| {
                let m = &c.rank_move;
                (
                    c.metric.clone(),
                    c.range,
                    m.competitor.user_id.to_string(),
                    m.previous_rank,
                    m.new_rank,
                )
            })
            .collect();
        let r = |metric: &str, range, who: &str, p, n| {
            (metric.to_string(), range, who.to_string(), p, n)
        };
        assert_eq!(
            summary,
            [
                // Today only b sold: no rank change there (1 -> 1).
                // Week onwards: b (1100) overtakes a (1000), both are told.
                r("revenue", TimeRange::Week, "b", 2, 1),
                r("revenue", TimeRange::Week, "a", 1, 2),
                r("revenue", TimeRange::Month, "b", 2, 1),
                r("revenue", TimeRange::Month, "a", 1, 2),
                r("revenue", TimeRange::Quarter, "b", 2, 1),
                r("revenue", TimeRange::Quarter, "a", 1, 2),
                r("revenue", TimeRange::Year, "b", 2, 1),
                r("revenue", TimeRange::Year, "a", 1, 2),
                // Deals: a and b tied at rank 1; b's second deal leaves b alone at 1, a drops to 2.
                r("deals", TimeRange::Week, "a", 1, 2),
                r("deals", TimeRange::Month, "a", 1, 2),
                r("deals", TimeRange::Quarter, "a", 1, 2),
                r("deals", TimeRange::Year, "a", 1, 2),
            ]
        );

        let mut all = history.to_vec();
        all.push(new_sale);
        let recomputed = Leaderboard::from_sales(DEFAULT_METRICS, utc0(), now, &all);
        assert_eq!(live, recomputed);

        let update = outcome.changes[0].to_ranking_update(now);
        assert_eq!(update.user_name, "Name b");
        assert_eq!(
            (update.previous_rank, update.new_rank, update.value),
            (2, 1, 1100.0)
        );
        assert_eq!(update.metric, "revenue");
        assert_eq!(update.range, Some(TimeRange::Week));
    }

    #[test]
    fn a_new_period_restarts_the_board() {
        let friday = utc("2025-01-17T10:00:00Z");
        let mut board = Leaderboard::new(["revenue"], utc0(), friday);
        board
            .apply_sale(
                &sale("a", "2025-01-17T10:00:00Z", &[("revenue", 100.0)]),
                friday,
            )
            .unwrap();

        let monday = utc("2025-01-20T08:00:00Z");
        let outcome = board
            .apply_sale(
                &sale("b", "2025-01-20T08:00:00Z", &[("revenue", 10.0)]),
                monday,
            )
            .unwrap();
        assert_eq!(
            outcome.restarted,
            [
                ("revenue".to_string(), TimeRange::Today),
                ("revenue".to_string(), TimeRange::Week)
            ]
        );
        let week = board.standings("revenue", TimeRange::Week).unwrap();
        assert_eq!(ranks(week), [("b".to_string(), 1, 10.0)]);
        let month = board.standings("revenue", TimeRange::Month).unwrap();
        assert_eq!(
            ranks(month),
            [("a".to_string(), 1, 100.0), ("b".to_string(), 2, 10.0)]
        );

        // A clock step back does not wipe the current week.
        assert!(board.roll_over(friday).is_empty());
        assert_eq!(
            board
                .standings("revenue", TimeRange::Week)
                .unwrap()
                .ranking()
                .len(),
            1
        );
    }

    #[test]
    fn bad_and_unknown_values() {
        let now = utc("2025-01-15T10:00:00Z");
        let mut board = Leaderboard::new(["revenue"], utc0(), now);
        let before = board.clone();
        let err = board
            .apply_sale(
                &sale("a", "2025-01-15T10:00:00Z", &[("revenue", f64::INFINITY)]),
                now,
            )
            .unwrap_err();
        assert_eq!(
            err,
            DomainError::NonFiniteValue {
                metric: "revenue".into()
            }
        );
        assert_eq!(board, before, "a refused sale changes nothing");

        let outcome = board
            .apply_sale(
                &sale(
                    "a",
                    "2025-01-15T10:00:00Z",
                    &[("revenue", 5.0), ("commission", 1.0), ("revenue", 5.0)],
                ),
                now,
            )
            .unwrap();
        assert_eq!(outcome.ignored_metrics, ["commission"]);
        // Two amounts for one metric are one addition: one change per board, value 10.
        assert_eq!(outcome.changes.len(), 5);
        assert!(outcome.changes.iter().all(|c| c.rank_move.value == 10.0));
    }

    #[test]
    fn recompute_reports_differences_and_refresh_payload() {
        let now = utc("2025-01-15T10:00:00Z");
        let period = Period::containing(TimeRange::Month, now, utc0());
        let mut standings =
            Standings::from_totals("deals", period, [(person("a"), 3.0), (person("b"), 2.0)]);
        let baseline = standings.ranking().snapshot();
        let changes =
            standings.recompute([(person("a"), 3.0), (person("b"), 4.0), (person("c"), 1.0)]);
        let moved: Vec<(String, u32, u32)> = changes
            .iter()
            .map(|c| {
                (
                    c.rank_move.competitor.user_id.to_string(),
                    c.rank_move.previous_rank,
                    c.rank_move.new_rank,
                )
            })
            .collect();
        assert_eq!(
            moved,
            [("b".into(), 2, 1), ("a".into(), 1, 2), ("c".into(), 0, 3)]
        );

        let refresh = standings.to_refresh(2, Some(&baseline), None, now);
        assert_eq!(refresh.metric, "deals");
        assert_eq!(refresh.range, TimeRange::Month);
        assert_eq!(refresh.rankings.len(), 2);
        assert_eq!(refresh.rankings[0].previous_rank, Some(2));
        assert_eq!(standings.around(&Id::new("c").unwrap(), 1).len(), 2);
        // A sale outside the period changes nothing.
        assert!(
            standings
                .apply_sale(&person("c"), 100.0, utc("2025-02-01T00:00:00Z"))
                .is_empty()
        );
    }
}
