//! Leaderboard achievements (`achievement:earned`, and `achievement:celebration` for public
//! ones): first sale, revenue milestones, rank #1 and top 3, contest wins, streak milestones.
//!
//! # The crossing rule
//!
//! An achievement is earned only when *this change* crosses its threshold: the value before
//! the change is below it and the value after is at or above it. A score someone already had
//! never fires again, whatever the hub replays; a sale that crosses several thresholds at once
//! (0 → 60,000 crosses 10,000 and 50,000) earns each of them.
//!
//! Each [`EarnedAchievement`] has a stable [`key`](EarnedAchievement::key). Keys of lifetime
//! achievements (`first-sale`, `revenue:10000`) are unique per user for ever; rank keys
//! include the period (`rank-1:revenue:week:2025-01-13`), so #1 can be earned once per board
//! per period; contest keys include the contest. The hub can store earned keys under a unique
//! (user, key) constraint to make re-firing impossible even across restarts.

use chrono::{DateTime, Utc};
use sideline_protocol::Id;
use sideline_protocol::leaderboard::{AchievementEvent, AchievementKind, TimeRange};

use super::leaderboard::{Leaderboard, RankChange};
use super::period::range_name;
use super::ranking::Competitor;
use super::streak::STREAK_MILESTONES;

/// Lifetime revenue milestones by default.
pub const REVENUE_MILESTONES: [f64; 6] = [
    10_000.0,
    50_000.0,
    100_000.0,
    250_000.0,
    500_000.0,
    1_000_000.0,
];

/// A leaderboard achievement someone just earned; turn it into the protocol payload with
/// [`EarnedAchievement::to_event`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarnedAchievement {
    /// Stable identity of the achievement (see the module docs), e.g. `revenue:50000`.
    pub key: String,
    /// What it is for.
    pub kind: AchievementKind,
    /// Headline.
    pub title: String,
    /// Explanation.
    pub description: String,
    /// An emoji.
    pub icon: String,
    /// The range of the board, for rank achievements.
    pub range: Option<TimeRange>,
    /// Whether it is also celebrated publicly (`achievement:celebration`).
    pub public: bool,
}

impl EarnedAchievement {
    /// The `achievement:earned` / `achievement:celebration` payload.
    pub fn to_event(
        &self,
        user_id: Id,
        user_name: String,
        timestamp: DateTime<Utc>,
    ) -> AchievementEvent {
        AchievementEvent {
            user_id,
            user_name,
            achievement_type: self.kind,
            title: self.title.clone(),
            description: self.description.clone(),
            icon: Some(self.icon.clone()),
            range: self.range,
            timestamp,
        }
    }
}

/// A seller's lifetime record, before or after a change.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SellerTotals {
    /// Sales recorded, ever.
    pub sales: u64,
    /// Revenue, ever.
    pub revenue: f64,
    /// The current streak of consecutive days with a sale (see [`super::streak`]).
    pub streak_days: u32,
}

/// Which achievements exist and which are public; [`Default`] gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct AchievementRules {
    /// Lifetime revenue milestones (default [`REVENUE_MILESTONES`]); all public.
    pub revenue_milestones: Vec<f64>,
    /// Sales-streak milestones in days (default [`STREAK_MILESTONES`]).
    pub streak_milestones: Vec<u32>,
    /// Streak milestones of at least this many days are public (default 30).
    pub public_streak_from: u32,
    /// The boards whose #1 and top 3 are achievements (default revenue per week and per
    /// month: every board would fire five achievements for one sale).
    pub rank_boards: Vec<(String, TimeRange)>,
    /// Rank achievements need at least this many people with a positive value on the board
    /// (default 3), so the first sale of a Monday is not "#1 of the week" by default.
    pub rank_min_competitors: usize,
}

impl Default for AchievementRules {
    fn default() -> Self {
        AchievementRules {
            revenue_milestones: REVENUE_MILESTONES.to_vec(),
            streak_milestones: STREAK_MILESTONES.to_vec(),
            public_streak_from: 30,
            rank_boards: vec![
                ("revenue".to_owned(), TimeRange::Week),
                ("revenue".to_owned(), TimeRange::Month),
            ],
            rank_min_competitors: 3,
        }
    }
}

impl AchievementRules {
    /// Lifetime achievements crossed between `before` and `after`: first sale (public),
    /// revenue milestones (public), sales-streak milestones (public from
    /// [`public_streak_from`](Self::public_streak_from) days). Lowest threshold first.
    pub fn milestones_crossed(
        &self,
        before: &SellerTotals,
        after: &SellerTotals,
    ) -> Vec<EarnedAchievement> {
        let mut earned = Vec::new();
        if before.sales == 0 && after.sales >= 1 {
            earned.push(EarnedAchievement {
                key: "first-sale".to_owned(),
                kind: AchievementKind::Milestone,
                title: "First Sale!".to_owned(),
                description: "Closed a first sale".to_owned(),
                icon: "🎉".to_owned(),
                range: None,
                public: true,
            });
        }
        let mut revenue = self.revenue_milestones.clone();
        revenue.sort_by(f64::total_cmp);
        for milestone in revenue {
            if before.revenue < milestone && milestone <= after.revenue {
                earned.push(EarnedAchievement {
                    key: format!("revenue:{milestone}"),
                    kind: AchievementKind::Milestone,
                    title: format!("{} Club!", short_amount(milestone)),
                    description: format!("Passed {} in lifetime revenue", short_amount(milestone)),
                    icon: "💰".to_owned(),
                    range: None,
                    public: true,
                });
            }
        }
        let mut streaks = self.streak_milestones.clone();
        streaks.sort_unstable();
        for days in streaks {
            if before.streak_days < days && days <= after.streak_days {
                earned.push(EarnedAchievement {
                    key: format!("streak:{days}"),
                    kind: AchievementKind::Streak,
                    title: format!("{days}-Day Streak!"),
                    description: format!("Sold on {days} days in a row"),
                    icon: "🔥".to_owned(),
                    range: None,
                    public: days >= self.public_streak_from,
                });
            }
        }
        earned
    }

    /// Rank achievements earned by `changes` (as returned by
    /// [`Leaderboard::apply_sale`], applied to `leaderboard`): reaching #1 (public; ties
    /// count) or entering the top 3 (private) of a configured board, with a positive value,
    /// on a board with enough competitors. Someone jumping straight to #1 earns only #1.
    pub fn rank_achievements(
        &self,
        leaderboard: &Leaderboard,
        changes: &[RankChange],
    ) -> Vec<(Competitor, EarnedAchievement)> {
        let mut earned = Vec::new();
        for change in changes {
            let on_rule_board = self
                .rank_boards
                .iter()
                .any(|(metric, range)| metric == &change.metric && *range == change.range);
            if !on_rule_board || change.rank_move.value <= 0.0 {
                continue;
            }
            let Some(board) = leaderboard.standings(&change.metric, change.range) else {
                continue;
            };
            let competitors = board
                .ranking()
                .rows()
                .iter()
                .filter(|row| row.value > 0.0)
                .count();
            if competitors < self.rank_min_competitors {
                continue;
            }
            let (previous, new) = (change.rank_move.previous_rank, change.rank_move.new_rank);
            let was_top_three = previous != 0 && previous <= 3;
            let range = range_name(change.range);
            let achievement = if new == 1 && previous != 1 {
                EarnedAchievement {
                    key: format!("rank-1:{}:{}", change.metric, change.period.key()),
                    kind: AchievementKind::Rank,
                    title: "Top Performer!".to_owned(),
                    description: format!("Reached #1 on {} this {range}", change.metric),
                    icon: "🏆".to_owned(),
                    range: Some(change.range),
                    public: true,
                }
            } else if new <= 3 && !was_top_three {
                EarnedAchievement {
                    key: format!("top-3:{}:{}", change.metric, change.period.key()),
                    kind: AchievementKind::Rank,
                    title: "Top 3!".to_owned(),
                    description: format!("Entered the top 3 on {} this {range}", change.metric),
                    icon: "🥉".to_owned(),
                    range: Some(change.range),
                    public: false,
                }
            } else {
                continue;
            };
            earned.push((change.rank_move.competitor.clone(), achievement));
        }
        earned
    }
}

/// `10000` → `"10K"`, `1000000` → `"1M"`, `2500` → `"2500"`.
fn short_amount(amount: f64) -> String {
    if amount >= 1_000_000.0 && amount % 1_000_000.0 == 0.0 {
        format!("{}M", amount / 1_000_000.0)
    } else if amount >= 1_000.0 && amount % 1_000.0 == 0.0 {
        format!("{}K", amount / 1_000.0)
    } else {
        format!("{amount}")
    }
}

#[cfg(test)]
mod tests {
    use chrono::FixedOffset;

    use super::*;
    use crate::domain::leaderboard::Sale;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn totals(sales: u64, revenue: f64, streak_days: u32) -> SellerTotals {
        SellerTotals {
            sales,
            revenue,
            streak_days,
        }
    }

    fn keys(earned: &[EarnedAchievement]) -> Vec<&str> {
        earned.iter().map(|a| a.key.as_str()).collect()
    }

    #[test]
    fn milestones_fire_only_when_crossed() {
        let rules = AchievementRules::default();
        // (before, after, expected keys)
        let cases: &[(SellerTotals, SellerTotals, &[&str])] = &[
            (totals(0, 0.0, 0), totals(1, 500.0, 1), &["first-sale"]),
            (totals(1, 500.0, 1), totals(2, 900.0, 1), &[]),
            // Exactly reaching a threshold crosses it.
            (
                totals(3, 9_999.0, 1),
                totals(4, 10_000.0, 1),
                &["revenue:10000"],
            ),
            // Already past it: nothing, however many times it is replayed.
            (totals(4, 10_000.0, 1), totals(5, 10_001.0, 1), &[]),
            (totals(4, 12_000.0, 1), totals(4, 12_000.0, 1), &[]),
            // One big sale crosses several.
            (
                totals(0, 0.0, 0),
                totals(1, 60_000.0, 1),
                &["first-sale", "revenue:10000", "revenue:50000"],
            ),
            // Revenue and streak thresholds crossed by the same sale.
            (
                totals(9, 9_000.0, 2),
                totals(10, 10_500.0, 3),
                &["revenue:10000", "streak:3"],
            ),
            (
                totals(9, 20_000.0, 6),
                totals(10, 20_100.0, 7),
                &["streak:7"],
            ),
            (totals(9, 20_000.0, 7), totals(10, 20_100.0, 7), &[]),
            (
                totals(99, 999_000.0, 29),
                totals(100, 1_000_000.0, 30),
                &["revenue:1000000", "streak:30"],
            ),
        ];
        for (before, after, expected) in cases {
            assert_eq!(
                keys(&rules.milestones_crossed(before, after)),
                *expected,
                "{before:?} -> {after:?}"
            );
        }
    }

    #[test]
    fn milestone_texts_and_publicity() {
        let rules = AchievementRules::default();
        let earned = rules.milestones_crossed(&totals(0, 0.0, 6), &totals(1, 1_000_000.0, 30));
        let public: Vec<(&str, bool)> = earned.iter().map(|a| (a.key.as_str(), a.public)).collect();
        assert_eq!(
            public,
            [
                ("first-sale", true),
                ("revenue:10000", true),
                ("revenue:50000", true),
                ("revenue:100000", true),
                ("revenue:250000", true),
                ("revenue:500000", true),
                ("revenue:1000000", true),
                ("streak:7", false),
                ("streak:14", false),
                ("streak:30", true),
            ]
        );
        assert_eq!(earned[1].title, "10K Club!");
        assert_eq!(earned[6].title, "1M Club!");
        let now = utc("2025-01-15T10:00:00Z");
        let event = earned[0].to_event(Id::new("u1").unwrap(), "Ann".into(), now);
        assert_eq!(event.achievement_type, AchievementKind::Milestone);
        assert_eq!(event.title, "First Sale!");
        assert_eq!(event.icon.as_deref(), Some("🎉"));
        assert_eq!(event.timestamp, now);
    }

    fn sale(who: &str, revenue: f64, at: &str) -> Sale {
        Sale {
            seller: Competitor::new(Id::new(who).unwrap(), who),
            at: utc(at),
            values: vec![("revenue".to_owned(), revenue)],
        }
    }

    fn rank_keys(earned: &[(Competitor, EarnedAchievement)]) -> Vec<(String, String)> {
        earned
            .iter()
            .map(|(c, a)| (c.user_id.to_string(), a.key.clone()))
            .collect()
    }

    #[test]
    fn rank_achievements_on_configured_boards_only() {
        let rules = AchievementRules::default();
        let offset = FixedOffset::east_opt(0).unwrap();
        let now = utc("2025-01-15T10:00:00Z");
        let at = "2025-01-15T09:00:00Z";
        let mut board = Leaderboard::new(["revenue", "calls"], offset, now);

        // Too few competitors: nothing, although a and b are #1 and top 3.
        for (who, amount) in [("a", 300.0), ("b", 200.0)] {
            let outcome = board.apply_sale(&sale(who, amount, at), now).unwrap();
            assert!(rules.rank_achievements(&board, &outcome.changes).is_empty());
        }
        // c enters third: now 3 competitors, c enters the top 3 on week and month.
        let outcome = board.apply_sale(&sale("c", 100.0, at), now).unwrap();
        assert_eq!(
            rank_keys(&rules.rank_achievements(&board, &outcome.changes)),
            [
                ("c".to_string(), "top-3:revenue:week:2025-01-13".to_string()),
                (
                    "c".to_string(),
                    "top-3:revenue:month:2025-01-01".to_string()
                ),
            ]
        );
        // d enters fourth: nothing.
        let outcome = board.apply_sale(&sale("d", 50.0, at), now).unwrap();
        assert!(rules.rank_achievements(&board, &outcome.changes).is_empty());
        // d jumps to #1 (tying a): only #1 is earned, public; a keeps #1 and earns nothing.
        let outcome = board.apply_sale(&sale("d", 250.0, at), now).unwrap();
        let earned = rules.rank_achievements(&board, &outcome.changes);
        assert_eq!(
            rank_keys(&earned),
            [
                (
                    "d".to_string(),
                    "rank-1:revenue:week:2025-01-13".to_string()
                ),
                (
                    "d".to_string(),
                    "rank-1:revenue:month:2025-01-01".to_string()
                ),
            ]
        );
        assert!(
            earned
                .iter()
                .all(|(_, a)| a.public && a.kind == AchievementKind::Rank)
        );
        assert_eq!(earned[0].1.range, Some(TimeRange::Week));
        // Staying #1 with more sales earns nothing more.
        let outcome = board.apply_sale(&sale("d", 10.0, at), now).unwrap();
        assert!(rules.rank_achievements(&board, &outcome.changes).is_empty());
        // b gains but keeps rank 3: nothing.
        let outcome = board.apply_sale(&sale("b", 5.0, at), now).unwrap();
        assert!(rules.rank_achievements(&board, &outcome.changes).is_empty());
    }

    #[test]
    fn short_amounts() {
        assert_eq!(short_amount(10_000.0), "10K");
        assert_eq!(short_amount(250_000.0), "250K");
        assert_eq!(short_amount(2_000_000.0), "2M");
        assert_eq!(short_amount(2_500.0), "2500");
        assert_eq!(short_amount(1_500_000.0), "1500K");
    }
}
