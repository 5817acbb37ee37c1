//! [`Ranking`]: people ordered by a value, with competition ranks ("1, 1, 3"), the core shared
//! by leaderboard standings and contests.
//!
//! # Tie rule
//!
//! Rows are ordered by value, highest first. People with the same value share a rank, and the
//! next distinct value gets the rank equal to its 1-based position, so values
//! `[100, 100, 80]` rank `1, 1, 3` (standard competition ranking). Inside a tie, rows are listed
//! by user id ascending, so the order is deterministic; the order inside a tie never changes
//! anyone's rank.
//!
//! # Values
//!
//! Values are kept rounded to [`VALUE_DECIMALS`] decimal places. Summing in a different order
//! (an incremental `add` versus a recompute from the sale records) then always gives the same
//! total, and two people who sold the same amount tie exactly.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use sideline_protocol::Id;
use sideline_protocol::leaderboard::LeaderboardEntry;

/// Decimal places a ranked value is kept to (4: a hundredth of a cent).
pub const VALUE_DECIMALS: i32 = 4;

/// `value` rounded to [`VALUE_DECIMALS`] places.
pub fn round_value(value: f64) -> f64 {
    let scale = 10f64.powi(VALUE_DECIMALS);
    (value * scale).round() / scale
}

/// A person who can appear in a ranking: what the hub knows about them when it records a sale.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Competitor {
    /// The user.
    pub user_id: Id,
    /// Their display name (copied into rows and events).
    pub user_name: String,
    /// Their team, if any (copied into [`LeaderboardEntry::team_id`]).
    pub team_id: Option<Id>,
}

impl Competitor {
    /// A competitor without a team.
    pub fn new(user_id: Id, user_name: impl Into<String>) -> Self {
        Competitor {
            user_id,
            user_name: user_name.into(),
            team_id: None,
        }
    }
}

/// One row of a [`Ranking`].
#[derive(Debug, Clone, PartialEq)]
pub struct RankedRow {
    /// Competition rank, 1-based (see the module's tie rule).
    pub rank: u32,
    /// Who.
    pub competitor: Competitor,
    /// Their value (a sum, rounded to [`VALUE_DECIMALS`] places).
    pub value: f64,
}

impl RankedRow {
    /// This row as a protocol [`LeaderboardEntry`], with the rank it had in `baseline` (for
    /// up/down arrows), if the baseline ranked them.
    pub fn to_entry(&self, baseline: Option<&RankSnapshot>) -> LeaderboardEntry {
        LeaderboardEntry {
            rank: self.rank,
            user_id: self.competitor.user_id.clone(),
            user_name: self.competitor.user_name.clone(),
            value: self.value,
            previous_rank: baseline.and_then(|b| b.rank_of(&self.competitor.user_id)),
            team_id: self.competitor.team_id.clone(),
        }
    }
}

/// A person whose rank differs between two states of a ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankMove {
    /// Who.
    pub competitor: Competitor,
    /// Rank before, 1-based; `0` when they were not ranked (the protocol's convention).
    pub previous_rank: u32,
    /// Rank now, 1-based.
    pub new_rank: u32,
    /// Their value now.
    pub value: f64,
}

impl RankMove {
    /// Whether they moved up (a smaller rank number, or ranked for the first time).
    pub fn improved(&self) -> bool {
        self.previous_rank == 0 || self.new_rank < self.previous_rank
    }
}

/// Everyone's rank at one moment, kept as a baseline for movers and up/down arrows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RankSnapshot {
    ranks: BTreeMap<Id, u32>,
}

impl RankSnapshot {
    /// A snapshot from explicit (user, rank) pairs (for instance as stored by the hub).
    pub fn from_ranks(ranks: impl IntoIterator<Item = (Id, u32)>) -> Self {
        RankSnapshot {
            ranks: ranks.into_iter().collect(),
        }
    }

    /// The rank `user` had, if they were ranked.
    pub fn rank_of(&self, user: &Id) -> Option<u32> {
        self.ranks.get(user).copied()
    }

    /// How many people were ranked.
    pub fn len(&self) -> usize {
        self.ranks.len()
    }

    /// Whether nobody was ranked.
    pub fn is_empty(&self) -> bool {
        self.ranks.is_empty()
    }

    /// The (user, rank) pairs, by user id.
    pub fn iter(&self) -> impl Iterator<Item = (&Id, u32)> {
        self.ranks.iter().map(|(id, rank)| (id, *rank))
    }
}

/// Someone who climbed since a baseline (see [`Ranking::movers`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Mover {
    /// Who.
    pub competitor: Competitor,
    /// Rank in the baseline; for someone the baseline did not rank, one below its last rank
    /// (`baseline.len() + 1`).
    pub baseline_rank: u32,
    /// Rank now.
    pub rank: u32,
    /// Places gained, `baseline_rank - rank`, always positive.
    pub places_gained: u32,
    /// Their value now.
    pub value: f64,
}

/// People ordered by value with competition ranks.
///
/// Invariants: at most one row per user; rows sorted by value descending, then user id
/// ascending; ranks follow the module's tie rule; values are finite and rounded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ranking {
    rows: Vec<RankedRow>,
}

impl Ranking {
    /// An empty ranking.
    pub fn new() -> Self {
        Ranking::default()
    }

    /// A ranking recomputed from totals. Several totals for the same user are summed (the
    /// last competitor details win); non-finite totals count as 0.
    pub fn from_totals(totals: impl IntoIterator<Item = (Competitor, f64)>) -> Self {
        let mut by_user: BTreeMap<Id, (Competitor, f64)> = BTreeMap::new();
        for (competitor, total) in totals {
            let total = finite_or_zero(total);
            let slot = by_user
                .entry(competitor.user_id.clone())
                .or_insert_with(|| (competitor.clone(), 0.0));
            slot.0 = competitor;
            slot.1 = round_value(slot.1 + total);
        }
        let mut ranking = Ranking {
            rows: by_user
                .into_values()
                .map(|(competitor, value)| RankedRow {
                    rank: 0,
                    competitor,
                    value,
                })
                .collect(),
        };
        ranking.sort_and_rank();
        ranking
    }

    /// The rows, best first.
    pub fn rows(&self) -> &[RankedRow] {
        &self.rows
    }

    /// The first `limit` rows (ties at the cut are not extended).
    pub fn top(&self, limit: usize) -> &[RankedRow] {
        &self.rows[..limit.min(self.rows.len())]
    }

    /// Number of ranked people.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether nobody is ranked.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row of `user`, if ranked.
    pub fn row(&self, user: &Id) -> Option<&RankedRow> {
        self.rows.iter().find(|row| &row.competitor.user_id == user)
    }

    /// The rank of `user`, if ranked.
    pub fn rank_of(&self, user: &Id) -> Option<u32> {
        self.row(user).map(|row| row.rank)
    }

    /// "Around me": `user`'s row with up to `radius` rows above and below it (fewer at the
    /// top and bottom), best first; empty if `user` is not ranked.
    pub fn around(&self, user: &Id, radius: usize) -> &[RankedRow] {
        match self.position(user) {
            Some(index) => {
                let from = index.saturating_sub(radius);
                let to = index
                    .saturating_add(radius)
                    .saturating_add(1)
                    .min(self.rows.len());
                &self.rows[from..to]
            }
            None => &[],
        }
    }

    /// Everyone's current rank, as a baseline for [`Ranking::movers`] and
    /// [`RankedRow::to_entry`].
    pub fn snapshot(&self) -> RankSnapshot {
        RankSnapshot::from_ranks(
            self.rows
                .iter()
                .map(|row| (row.competitor.user_id.clone(), row.rank)),
        )
    }

    /// The biggest climbers since `baseline`, most places gained first (then better current
    /// rank, then user id), at most `limit`. Only people who gained at least one place are
    /// listed; someone the baseline did not rank counts as having been one place below its
    /// last rank.
    pub fn movers(&self, baseline: &RankSnapshot, limit: usize) -> Vec<Mover> {
        let unranked = u32::try_from(baseline.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let mut movers: Vec<Mover> = self
            .rows
            .iter()
            .filter_map(|row| {
                let baseline_rank = baseline
                    .rank_of(&row.competitor.user_id)
                    .unwrap_or(unranked);
                (row.rank < baseline_rank).then(|| Mover {
                    competitor: row.competitor.clone(),
                    baseline_rank,
                    rank: row.rank,
                    places_gained: baseline_rank - row.rank,
                    value: row.value,
                })
            })
            .collect();
        movers.sort_by(|a, b| {
            b.places_gained
                .cmp(&a.places_gained)
                .then(a.rank.cmp(&b.rank))
                .then_with(|| a.competitor.user_id.cmp(&b.competitor.user_id))
        });
        movers.truncate(limit);
        movers
    }

    /// Adds `delta` to `competitor`'s value (ranking them at `delta` if they were not ranked)
    /// and returns everyone whose rank changed, best new rank first. A non-finite `delta`
    /// counts as 0 (callers validate values first; see
    /// [`DomainError::NonFiniteValue`](super::DomainError::NonFiniteValue)).
    pub fn add(&mut self, competitor: &Competitor, delta: f64) -> Vec<RankMove> {
        let before = self.snapshot();
        let delta = finite_or_zero(delta);
        match self.position(&competitor.user_id) {
            Some(index) => {
                let row = &mut self.rows[index];
                row.value = round_value(row.value + delta);
                row.competitor = competitor.clone();
            }
            None => self.rows.push(RankedRow {
                rank: 0,
                competitor: competitor.clone(),
                value: round_value(delta),
            }),
        }
        self.sort_and_rank();
        self.moves_since(&before)
    }

    /// Everyone whose rank now differs from `before` (including people `before` did not
    /// rank, with `previous_rank` 0), best new rank first.
    pub fn moves_since(&self, before: &RankSnapshot) -> Vec<RankMove> {
        self.rows
            .iter()
            .filter_map(|row| {
                let previous_rank = before.rank_of(&row.competitor.user_id).unwrap_or(0);
                (previous_rank != row.rank).then(|| RankMove {
                    competitor: row.competitor.clone(),
                    previous_rank,
                    new_rank: row.rank,
                    value: row.value,
                })
            })
            .collect()
    }

    fn position(&self, user: &Id) -> Option<usize> {
        self.rows
            .iter()
            .position(|row| &row.competitor.user_id == user)
    }

    /// Restores the ordering and rank invariants.
    fn sort_and_rank(&mut self) {
        self.rows.sort_by(|a, b| {
            b.value
                .partial_cmp(&a.value)
                .unwrap_or(Ordering::Equal)
                .then_with(|| a.competitor.user_id.cmp(&b.competitor.user_id))
        });
        let mut previous: Option<(f64, u32)> = None;
        for (index, row) in self.rows.iter_mut().enumerate() {
            let position = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let rank = match previous {
                Some((value, rank)) if value == row.value => rank,
                _ => position,
            };
            row.rank = rank;
            previous = Some((row.value, rank));
        }
    }
}

fn finite_or_zero(value: f64) -> f64 {
    if value.is_finite() { value } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str) -> Competitor {
        Competitor::new(Id::new(id).unwrap(), format!("Name {id}"))
    }

    fn id(s: &str) -> Id {
        Id::new(s).unwrap()
    }

    fn ranking(totals: &[(&str, f64)]) -> Ranking {
        Ranking::from_totals(totals.iter().map(|(who, v)| (person(who), *v)))
    }

    fn order(ranking: &Ranking) -> Vec<(String, u32)> {
        ranking
            .rows()
            .iter()
            .map(|row| (row.competitor.user_id.to_string(), row.rank))
            .collect()
    }

    #[test]
    fn competition_ranks_with_ties() {
        /// (totals, expected (user, rank) in order)
        type Case = (
            &'static [(&'static str, f64)],
            &'static [(&'static str, u32)],
        );
        let cases: &[Case] = &[
            (&[], &[]),
            (&[("a", 5.0)], &[("a", 1)]),
            (
                &[("a", 100.0), ("b", 100.0), ("c", 80.0)],
                &[("a", 1), ("b", 1), ("c", 3)],
            ),
            (
                &[("c", 100.0), ("b", 100.0), ("a", 100.0)],
                &[("a", 1), ("b", 1), ("c", 1)],
            ),
            (
                &[
                    ("a", 10.0),
                    ("b", 30.0),
                    ("c", 20.0),
                    ("d", 20.0),
                    ("e", 5.0),
                ],
                &[("b", 1), ("c", 2), ("d", 2), ("a", 4), ("e", 5)],
            ),
            // Totals for the same user are summed; negatives (refunds) are allowed.
            (
                &[("a", 10.0), ("b", 15.0), ("a", 10.0), ("b", -1.0)],
                &[("a", 1), ("b", 2)],
            ),
            // 0.1 + 0.2 ties with 0.3 because values are rounded.
            (&[("a", 0.1), ("a", 0.2), ("b", 0.3)], &[("a", 1), ("b", 1)]),
            // Non-finite totals count as zero.
            (&[("a", f64::NAN), ("b", 1.0)], &[("b", 1), ("a", 2)]),
        ];
        for (totals, expected) in cases {
            let expected: Vec<(String, u32)> =
                expected.iter().map(|(u, r)| (u.to_string(), *r)).collect();
            assert_eq!(order(&ranking(totals)), expected, "{totals:?}");
        }
    }

    #[test]
    fn incremental_adds_match_a_recompute() {
        let sales = [
            ("a", 0.1),
            ("b", 0.7),
            ("a", 0.2),
            ("c", 0.3),
            ("b", -0.4),
            ("a", 0.1),
        ];
        let mut incremental = Ranking::new();
        for (who, value) in sales {
            incremental.add(&person(who), value);
        }
        let mut reversed = sales;
        reversed.reverse();
        assert_eq!(incremental, ranking(&reversed));
        assert_eq!(
            order(&incremental),
            [("a".into(), 1), ("b".into(), 2), ("c".into(), 2)]
        );
    }

    #[test]
    fn overtaking_moves_both_people() {
        let mut board = ranking(&[("a", 100.0), ("b", 50.0), ("c", 10.0)]);
        let moves = board.add(&person("b"), 60.0);
        assert_eq!(moves.len(), 2, "{moves:?}");
        assert_eq!(moves[0].competitor.user_id, id("b"));
        assert_eq!(
            (moves[0].previous_rank, moves[0].new_rank, moves[0].value),
            (2, 1, 110.0)
        );
        assert!(moves[0].improved());
        assert_eq!(moves[1].competitor.user_id, id("a"));
        assert_eq!(
            (moves[1].previous_rank, moves[1].new_rank, moves[1].value),
            (1, 2, 100.0)
        );
        assert!(!moves[1].improved());
    }

    #[test]
    fn moves_table() {
        /// (start, who sells, amount, expected moves (user, previous, new))
        type Case = (
            &'static [(&'static str, f64)],
            &'static str,
            f64,
            &'static [(&'static str, u32, u32)],
        );
        let cases: &[Case] = &[
            // A sale that changes no rank produces no moves.
            (&[("a", 100.0), ("b", 50.0)], "a", 10.0, &[]),
            (&[("a", 100.0), ("b", 50.0)], "b", 10.0, &[]),
            // Catching up to a tie: b shares rank 1, a keeps it (no move for a).
            (&[("a", 100.0), ("b", 50.0)], "b", 50.0, &[("b", 2, 1)]),
            // Breaking a tie: a keeps rank 1 alone, b drops to 2.
            (&[("a", 100.0), ("b", 100.0)], "a", 1.0, &[("b", 1, 2)]),
            // A newcomer enters at the bottom (previous rank 0).
            (&[("a", 100.0)], "z", 5.0, &[("z", 0, 2)]),
            // A newcomer straight to the top pushes everyone down.
            (
                &[("a", 100.0), ("b", 50.0)],
                "z",
                500.0,
                &[("z", 0, 1), ("a", 1, 2), ("b", 2, 3)],
            ),
            // Jumping from last to first past a tie: the tied pair both drop one place.
            (
                &[("a", 100.0), ("b", 100.0), ("c", 10.0)],
                "c",
                100.0,
                &[("c", 3, 1), ("a", 1, 2), ("b", 1, 2)],
            ),
        ];
        for (start, who, amount, expected) in cases {
            let mut board = ranking(start);
            let moves: Vec<(String, u32, u32)> = board
                .add(&person(who), *amount)
                .into_iter()
                .map(|m| {
                    (
                        m.competitor.user_id.to_string(),
                        m.previous_rank,
                        m.new_rank,
                    )
                })
                .collect();
            let expected: Vec<(String, u32, u32)> = expected
                .iter()
                .map(|(u, p, n)| (u.to_string(), *p, *n))
                .collect();
            assert_eq!(moves, expected, "{start:?} {who} +{amount}");
        }
    }

    #[test]
    fn around_me_clamps_at_the_edges() {
        let board = ranking(&[("a", 9.0), ("b", 8.0), ("c", 7.0), ("d", 6.0), ("e", 5.0)]);
        let ids = |rows: &[RankedRow]| -> Vec<String> {
            rows.iter()
                .map(|r| r.competitor.user_id.to_string())
                .collect()
        };
        assert_eq!(ids(board.around(&id("c"), 1)), ["b", "c", "d"]);
        assert_eq!(ids(board.around(&id("a"), 2)), ["a", "b", "c"]);
        assert_eq!(ids(board.around(&id("e"), 1)), ["d", "e"]);
        assert_eq!(ids(board.around(&id("c"), 0)), ["c"]);
        assert_eq!(
            ids(board.around(&id("c"), usize::MAX)),
            ["a", "b", "c", "d", "e"]
        );
        assert!(board.around(&id("nobody"), 3).is_empty());
    }

    #[test]
    fn movers_since_a_baseline() {
        let mut board = ranking(&[("a", 50.0), ("b", 40.0), ("c", 30.0), ("d", 20.0)]);
        let baseline = board.snapshot();
        board.add(&person("d"), 100.0); // 4 -> 1
        board.add(&person("c"), 15.0); // c now 45
        board.add(&person("n"), 46.0); // newcomer, counted from rank 5
        let movers: Vec<(String, u32, u32, u32)> = board
            .movers(&baseline, 10)
            .into_iter()
            .map(|m| {
                (
                    m.competitor.user_id.to_string(),
                    m.baseline_rank,
                    m.rank,
                    m.places_gained,
                )
            })
            .collect();
        // Now: d 120, a 50, n 46, c 45, b 40.
        assert_eq!(
            movers,
            [("d".to_string(), 4, 1, 3), ("n".to_string(), 5, 3, 2)],
            "c went 3 -> 4 and is no mover"
        );
        assert_eq!(board.movers(&baseline, 1).len(), 1);
        assert!(board.movers(&board.snapshot(), 10).is_empty());
    }

    #[test]
    fn entries_carry_previous_ranks() {
        let mut board = ranking(&[("a", 50.0), ("b", 40.0)]);
        let baseline = board.snapshot();
        board.add(&person("b"), 20.0);
        board.add(&person("c"), 1.0);
        let entries: Vec<_> = board
            .rows()
            .iter()
            .map(|r| r.to_entry(Some(&baseline)))
            .collect();
        assert_eq!(entries[0].user_id, id("b"));
        assert_eq!((entries[0].rank, entries[0].previous_rank), (1, Some(2)));
        assert_eq!((entries[1].rank, entries[1].previous_rank), (2, Some(1)));
        assert_eq!((entries[2].rank, entries[2].previous_rank), (3, None));
        assert_eq!(entries[2].user_name, "Name c");
        assert_eq!(board.rows()[0].to_entry(None).previous_rank, None);
    }
}
