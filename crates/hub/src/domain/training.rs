//! Training gamification: the XP → level curve, XP awards with level-ups, the quiz XP rule
//! and training achievements with rarity.
//!
//! # Level curve
//!
//! Everyone starts at level 1 with 0 XP. Reaching level `n` takes `50·n·(n−1)` XP in total
//! (that is `100·n·(n−1)/2`: each level costs 100 XP more than the one before, level `n`
//! alone costs `100·(n−1)`):
//!
//! | level | total XP | XP for this level |
//! |------:|---------:|------------------:|
//! | 1     | 0        | –                 |
//! | 2     | 100      | 100               |
//! | 3     | 300      | 200               |
//! | 4     | 600      | 300               |
//! | 5     | 1,000    | 400               |
//! | 10    | 4,500    | 900               |
//! | 20    | 19,000   | 1,900             |
//! | 50    | 122,500  | 4,900             |
//!
//! A `u32` XP total (the protocol's type) reaches at most level [`MAX_LEVEL`]; totals saturate
//! at `u32::MAX`.
//!
//! # Quiz XP
//!
//! See [`quiz_xp`]: 10 XP for a failed attempt, 50 to 108 XP for a pass (pass mark 70), 150
//! XP for a perfect score.

use chrono::{DateTime, Utc};
use sideline_protocol::Id;
use sideline_protocol::training::{
    LevelRewards, LevelUpEvent, QuizCompleted, Rarity, TrainingAchievement, XpGainEvent,
};
use sideline_protocol::validate::limits::XP_AMOUNT_MAX;

use super::DomainError;

/// The highest level a `u32` XP total can reach (`50·9268·9267 ≤ u32::MAX`).
pub const MAX_LEVEL: u32 = 9268;

/// Total XP needed to reach `level` (`50·n·(n−1)`); levels 0 and 1 need 0. Returned as
/// `u64` because levels above [`MAX_LEVEL`] need more than `u32::MAX` (saturates at
/// `u64::MAX`).
pub fn xp_for_level(level: u32) -> u64 {
    let n = u64::from(level);
    50u64.saturating_mul(n).saturating_mul(n.saturating_sub(1))
}

/// The level of someone with `total_xp`: the largest `n ≥ 1` with `xp_for_level(n) <=
/// total_xp`. Exact (integer square root, no floating point).
pub fn level_for_xp(total_xp: u32) -> u32 {
    // 50·n·(n−1) ≤ xp  ⇔  n·(n−1) ≤ ⌊xp/50⌋ =: q  ⇔  (2n−1)² ≤ 4q+1  ⇔  n ≤ (⌊√(4q+1)⌋+1)/2.
    let q = u64::from(total_xp) / 50;
    let root = (4 * q + 1).isqrt();
    // root ≤ √(4·85,899,345+1) < 18,537, so the level always fits in a u32.
    u32::try_from(root.div_ceil(2).max(1)).unwrap_or(MAX_LEVEL)
}

/// Where someone stands between their level and the next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevelProgress {
    /// The current level.
    pub level: u32,
    /// The total XP.
    pub total_xp: u32,
    /// Total XP at which the current level started.
    pub level_start_xp: u64,
    /// Total XP at which the next level starts.
    pub next_level_xp: u64,
    /// XP earned since the current level started.
    pub xp_into_level: u64,
    /// XP still needed for the next level (at least 1).
    pub xp_to_next: u64,
    /// `xp_into_level / (next_level_xp − level_start_xp)`, from 0.0 (inclusive) to 1.0
    /// (exclusive).
    pub fraction: f64,
}

/// The progress of someone with `total_xp` towards their next level.
pub fn progress_to_next(total_xp: u32) -> LevelProgress {
    let level = level_for_xp(total_xp);
    let level_start_xp = xp_for_level(level);
    let next_level_xp = xp_for_level(level.saturating_add(1));
    let xp_into_level = u64::from(total_xp) - level_start_xp;
    let span = next_level_xp - level_start_xp;
    LevelProgress {
        level,
        total_xp,
        level_start_xp,
        next_level_xp,
        xp_into_level,
        xp_to_next: next_level_xp - u64::from(total_xp),
        // Both are below 2^53, so the division is exact enough for a progress bar.
        fraction: xp_into_level as f64 / span as f64,
    }
}

/// What reaching `level` grants: a badge `level-{n}` every fifth level (5, 10, 15 ...);
/// nothing otherwise. No content unlocks are defined yet (`unlocks` stays empty).
pub fn level_rewards(level: u32) -> LevelRewards {
    LevelRewards {
        badges: (level > 0 && level.is_multiple_of(5)).then(|| vec![format!("level-{level}")]),
        unlocks: None,
    }
}

/// The result of [`award_xp`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XpAward {
    /// The `xp:gained` payload (to `user:{id}`).
    pub gain: XpGainEvent,
    /// The `level:up` / `level:celebration` payload, when at least one level was crossed:
    /// one event from the previous level to the new one, with the rewards of every level
    /// crossed merged.
    pub level_up: Option<LevelUpEvent>,
}

/// Adds `amount` XP (1 to the protocol's `XP_AMOUNT_MAX`, 1,000,000) to a user's
/// `previous_total`, because of `source` (`"Quiz: objection-handling-1"`), at `at`. The
/// total saturates at `u32::MAX`, and `gain.amount` is what was actually added.
pub fn award_xp(
    user_id: &Id,
    user_name: &str,
    previous_total: u32,
    amount: u32,
    source: impl Into<String>,
    at: DateTime<Utc>,
) -> Result<XpAward, DomainError> {
    if amount == 0 || amount > XP_AMOUNT_MAX {
        return Err(DomainError::XpAmountOutOfRange {
            amount,
            max: XP_AMOUNT_MAX,
        });
    }
    let new_total = previous_total.saturating_add(amount);
    let previous_level = level_for_xp(previous_total);
    let new_level = level_for_xp(new_total);
    let level_up = (new_level > previous_level).then(|| {
        let mut badges = Vec::new();
        let mut unlocks = Vec::new();
        for level in previous_level + 1..=new_level {
            let rewards = level_rewards(level);
            badges.extend(rewards.badges.unwrap_or_default());
            unlocks.extend(rewards.unlocks.unwrap_or_default());
        }
        let rewards = LevelRewards {
            badges: (!badges.is_empty()).then_some(badges),
            unlocks: (!unlocks.is_empty()).then_some(unlocks),
        };
        LevelUpEvent {
            user_id: user_id.clone(),
            user_name: user_name.to_owned(),
            previous_level,
            new_level,
            total_xp: new_total,
            rewards: (rewards != LevelRewards::default()).then_some(rewards),
            timestamp: at,
        }
    });
    Ok(XpAward {
        gain: XpGainEvent {
            user_id: user_id.clone(),
            user_name: user_name.to_owned(),
            amount: new_total - previous_total,
            source: source.into(),
            new_total,
            timestamp: at,
        },
        level_up,
    })
}

/// The quiz score at or above which a quiz is passed.
pub const QUIZ_PASS_MARK: f64 = 70.0;

/// A scored quiz attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuizScore {
    /// The score, clamped to 0..=100 (a non-finite score counts as 0).
    pub score: f64,
    /// Whether `score >= QUIZ_PASS_MARK`.
    pub passed: bool,
    /// XP earned (see [`quiz_xp`]).
    pub xp: u32,
}

impl QuizScore {
    /// The `quiz:completed` payload.
    pub fn to_event(
        &self,
        user_id: Id,
        user_name: String,
        quiz_id: Id,
        module_id: Option<Id>,
        timestamp: DateTime<Utc>,
    ) -> QuizCompleted {
        QuizCompleted {
            user_id,
            user_name,
            quiz_id,
            module_id,
            score: self.score,
            passed: self.passed,
            xp_earned: self.xp,
            timestamp,
        }
    }
}

/// The quiz XP rule, for a score from 0 to 100:
///
/// - below 70 (failed): 10 XP, for the attempt;
/// - 70 to under 100 (passed): `50 + 2·⌊score − 70⌋` XP, so 70 → 50, 85 → 80, 99.9 → 108;
/// - 100 (perfect): 150 XP.
///
/// Scores outside 0..=100 are clamped; a non-finite score counts as 0.
pub fn quiz_xp(score: f64) -> QuizScore {
    let score = if score.is_finite() {
        score.clamp(0.0, 100.0)
    } else {
        0.0
    };
    let passed = score >= QUIZ_PASS_MARK;
    let xp = if score >= 100.0 {
        150
    } else if passed {
        // 0 ≤ score − 70 < 30, so the cast is exact and in range.
        50 + 2 * (score - QUIZ_PASS_MARK).floor() as u32
    } else {
        10
    };
    QuizScore { score, passed, xp }
}

/// What a training achievement is unlocked by: a counter reaching a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrainingTrigger {
    /// Reaching this level.
    Level(u32),
    /// This many quizzes passed.
    QuizzesPassed(u32),
    /// This many quizzes with a score of 100.
    PerfectQuizzes(u32),
    /// This many modules completed.
    ModulesCompleted(u32),
    /// A current daily training streak of this many days.
    StreakDays(u32),
}

/// A user's training counters, before or after a change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TrainingProgress {
    /// Total XP (the level is derived from it).
    pub total_xp: u32,
    /// Quizzes passed, ever.
    pub quizzes_passed: u32,
    /// Quizzes scored 100, ever.
    pub perfect_quizzes: u32,
    /// Modules completed, ever.
    pub modules_completed: u32,
    /// The current daily streak (see [`super::streak`]).
    pub streak_days: u32,
}

impl TrainingProgress {
    /// The counter a trigger watches, and the trigger's threshold.
    fn reading(&self, trigger: TrainingTrigger) -> (u32, u32) {
        match trigger {
            TrainingTrigger::Level(n) => (level_for_xp(self.total_xp), n),
            TrainingTrigger::QuizzesPassed(n) => (self.quizzes_passed, n),
            TrainingTrigger::PerfectQuizzes(n) => (self.perfect_quizzes, n),
            TrainingTrigger::ModulesCompleted(n) => (self.modules_completed, n),
            TrainingTrigger::StreakDays(n) => (self.streak_days, n),
        }
    }
}

/// A training achievement definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TrainingAchievementDef {
    /// Stable id (a valid protocol [`Id`]: `[A-Za-z0-9_-]`, 1 to 64 characters).
    pub id: &'static str,
    /// Headline.
    pub title: &'static str,
    /// Explanation.
    pub description: &'static str,
    /// An emoji.
    pub icon: &'static str,
    /// How rare it is.
    pub rarity: Rarity,
    /// XP granted with it, if any.
    pub xp_reward: Option<u32>,
    /// What unlocks it.
    pub trigger: TrainingTrigger,
}

impl TrainingAchievementDef {
    /// Whether it is also showcased to everyone (`achievement:showcase`): rare and above.
    pub fn showcased(&self) -> bool {
        self.rarity >= Rarity::Rare
    }

    /// Whether going from `before` to `after` crosses its threshold (below before, at or
    /// above after).
    pub fn crossed(&self, before: &TrainingProgress, after: &TrainingProgress) -> bool {
        let (was, threshold) = before.reading(self.trigger);
        let (is, _) = after.reading(self.trigger);
        was < threshold && threshold <= is
    }

    /// The `achievement:unlocked` / `achievement:showcase` payload.
    pub fn to_event(
        &self,
        user_id: Id,
        user_name: String,
        timestamp: DateTime<Utc>,
    ) -> TrainingAchievement {
        TrainingAchievement {
            user_id,
            user_name,
            // Catalogue ids are checked by a unit test; the fallback is never used.
            achievement_id: Id::new(self.id).unwrap_or_else(|_| Id::from(0u64)),
            title: self.title.to_owned(),
            description: self.description.to_owned(),
            icon: Some(self.icon.to_owned()),
            rarity: self.rarity,
            xp_reward: self.xp_reward,
            timestamp,
        }
    }
}

const fn def(
    id: &'static str,
    title: &'static str,
    description: &'static str,
    icon: &'static str,
    rarity: Rarity,
    xp_reward: u32,
    trigger: TrainingTrigger,
) -> TrainingAchievementDef {
    TrainingAchievementDef {
        id,
        title,
        description,
        icon,
        rarity,
        xp_reward: if xp_reward == 0 {
            None
        } else {
            Some(xp_reward)
        },
        trigger,
    }
}

/// The default training achievements (the hub may pass its own list to
/// [`training_achievements_unlocked`]). An `xp_reward` of 0 in this table means none.
pub const TRAINING_ACHIEVEMENTS: &[TrainingAchievementDef] = &[
    def(
        "first-quiz",
        "Quiz Starter",
        "Passed a first quiz",
        "📝",
        Rarity::Common,
        25,
        TrainingTrigger::QuizzesPassed(1),
    ),
    def(
        "quiz-10",
        "Quiz Regular",
        "Passed 10 quizzes",
        "📚",
        Rarity::Uncommon,
        100,
        TrainingTrigger::QuizzesPassed(10),
    ),
    def(
        "perfect-quiz",
        "Flawless",
        "Scored 100 on a quiz",
        "💯",
        Rarity::Uncommon,
        50,
        TrainingTrigger::PerfectQuizzes(1),
    ),
    def(
        "perfect-quiz-10",
        "Perfectionist",
        "Scored 100 on 10 quizzes",
        "🎯",
        Rarity::Rare,
        250,
        TrainingTrigger::PerfectQuizzes(10),
    ),
    def(
        "first-module",
        "Graduate",
        "Completed a first module",
        "🎓",
        Rarity::Common,
        50,
        TrainingTrigger::ModulesCompleted(1),
    ),
    def(
        "module-10",
        "Scholar",
        "Completed 10 modules",
        "🏫",
        Rarity::Rare,
        300,
        TrainingTrigger::ModulesCompleted(10),
    ),
    def(
        "level-5",
        "Rising Star",
        "Reached level 5",
        "⭐",
        Rarity::Uncommon,
        0,
        TrainingTrigger::Level(5),
    ),
    def(
        "level-10",
        "Seasoned",
        "Reached level 10",
        "🌟",
        Rarity::Rare,
        0,
        TrainingTrigger::Level(10),
    ),
    def(
        "level-25",
        "Expert",
        "Reached level 25",
        "💎",
        Rarity::Epic,
        0,
        TrainingTrigger::Level(25),
    ),
    def(
        "level-50",
        "Master",
        "Reached level 50",
        "👑",
        Rarity::Legendary,
        0,
        TrainingTrigger::Level(50),
    ),
    def(
        "streak-7",
        "Week Warrior",
        "Trained 7 days in a row",
        "🔥",
        Rarity::Uncommon,
        0,
        TrainingTrigger::StreakDays(7),
    ),
    def(
        "streak-30",
        "Unstoppable",
        "Trained 30 days in a row",
        "⚡",
        Rarity::Rare,
        0,
        TrainingTrigger::StreakDays(30),
    ),
    def(
        "streak-100",
        "Centurion",
        "Trained 100 days in a row",
        "🏛️",
        Rarity::Epic,
        0,
        TrainingTrigger::StreakDays(100),
    ),
    def(
        "streak-365",
        "Legend",
        "Trained every day for a year",
        "🐉",
        Rarity::Legendary,
        0,
        TrainingTrigger::StreakDays(365),
    ),
];

/// The achievements of `catalogue` unlocked by going from `before` to `after` (threshold
/// crossed by this change; never for counters someone already had), in catalogue order.
///
/// An achievement's `xp_reward` is the caller's to award; doing so may cross a `Level`
/// threshold, so call again with the progress after the reward to catch it.
pub fn training_achievements_unlocked<'a>(
    catalogue: &'a [TrainingAchievementDef],
    before: &TrainingProgress,
    after: &TrainingProgress,
) -> Vec<&'a TrainingAchievementDef> {
    catalogue
        .iter()
        .filter(|def| def.crossed(before, after))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-01-15T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn user() -> Id {
        Id::new("u1").unwrap()
    }

    #[test]
    fn first_levels_match_the_documented_table() {
        let table = [
            (1, 0),
            (2, 100),
            (3, 300),
            (4, 600),
            (5, 1_000),
            (10, 4_500),
            (20, 19_000),
            (50, 122_500),
        ];
        for (level, xp) in table {
            assert_eq!(xp_for_level(level), xp, "level {level}");
            assert_eq!(level_for_xp(xp as u32), level, "{xp} XP");
            if xp > 0 {
                assert_eq!(level_for_xp(xp as u32 - 1), level - 1, "{} XP", xp - 1);
            }
        }
        assert_eq!(xp_for_level(0), 0);
        assert_eq!(level_for_xp(0), 1);
        assert_eq!(level_for_xp(99), 1);
        assert_eq!(level_for_xp(u32::MAX), MAX_LEVEL);
        assert!(xp_for_level(MAX_LEVEL) <= u64::from(u32::MAX));
        assert!(xp_for_level(MAX_LEVEL + 1) > u64::from(u32::MAX));
        assert_eq!(xp_for_level(u32::MAX), u64::MAX, "saturates");
    }

    #[test]
    fn curve_is_monotonic_and_invertible() {
        let mut previous = 0;
        for level in 1..=MAX_LEVEL {
            let xp = xp_for_level(level);
            assert!(
                level == 1 || xp > previous,
                "strictly increasing at {level}"
            );
            let xp32 = u32::try_from(xp).unwrap();
            assert_eq!(level_for_xp(xp32), level, "inverse at {level}");
            if level > 1 {
                assert_eq!(level_for_xp(xp32 - 1), level - 1, "just below {level}");
            }
            previous = xp;
        }
        // level_for_xp never decreases.
        let mut last = 1;
        for xp in (0..200_000u32).step_by(7) {
            let level = level_for_xp(xp);
            assert!(level >= last);
            last = level;
        }
    }

    #[test]
    fn progress_within_a_level() {
        let p = progress_to_next(400);
        assert_eq!((p.level, p.level_start_xp, p.next_level_xp), (3, 300, 600));
        assert_eq!((p.xp_into_level, p.xp_to_next), (100, 200));
        assert!((p.fraction - 1.0 / 3.0).abs() < 1e-12);
        let start = progress_to_next(0);
        assert_eq!(
            (start.level, start.xp_to_next, start.fraction),
            (1, 100, 0.0)
        );
        let top = progress_to_next(u32::MAX);
        assert_eq!(top.level, MAX_LEVEL);
        assert!(top.fraction < 1.0 && top.xp_to_next >= 1);
    }

    #[test]
    fn awards_and_level_ups() {
        /// (previous total, amount, new total, (previous, new) level, badges)
        type Case = (
            u32,
            u32,
            u32,
            Option<(u32, u32)>,
            Option<&'static [&'static str]>,
        );
        let cases: &[Case] = &[
            (0, 50, 50, None, None),
            (50, 50, 100, Some((1, 2)), None),
            (100, 199, 299, None, None),
            // Crossing several levels gives one event and merges the rewards.
            (
                900,
                4_000,
                4_900,
                Some((4, 10)),
                Some(&["level-5", "level-10"]),
            ),
            (950, 50, 1_000, Some((4, 5)), Some(&["level-5"])),
            // Saturation: the amount actually added is reported.
            (u32::MAX - 10, 100, u32::MAX, None, None),
        ];
        for (previous, amount, total, change, badges) in cases {
            let award = award_xp(&user(), "Ann", *previous, *amount, "Quiz: q1", now()).unwrap();
            assert_eq!(award.gain.new_total, *total, "{previous} + {amount}");
            assert_eq!(award.gain.amount, total - previous);
            assert_eq!(award.gain.source, "Quiz: q1");
            let got = award
                .level_up
                .as_ref()
                .map(|l| (l.previous_level, l.new_level));
            assert_eq!(got, *change, "{previous} + {amount}");
            if let Some(level_up) = &award.level_up {
                assert_eq!(level_up.total_xp, *total);
                let got_badges = level_up.rewards.as_ref().and_then(|r| r.badges.clone());
                let want = badges.map(|b| b.iter().map(|s| s.to_string()).collect::<Vec<_>>());
                assert_eq!(got_badges, want);
            }
        }
        for bad in [0, XP_AMOUNT_MAX + 1] {
            assert!(matches!(
                award_xp(&user(), "Ann", 0, bad, "x", now()),
                Err(DomainError::XpAmountOutOfRange { .. })
            ));
        }
        assert!(award_xp(&user(), "Ann", 0, XP_AMOUNT_MAX, "x", now()).is_ok());
    }

    #[test]
    fn quiz_rule() {
        // (score, passed, xp)
        let cases = [
            (0.0, false, 10),
            (69.99, false, 10),
            (70.0, true, 50),
            (70.9, true, 50),
            (85.0, true, 80),
            (99.9, true, 108),
            (100.0, true, 150),
            (150.0, true, 150),
            (-5.0, false, 10),
            (f64::NAN, false, 10),
        ];
        for (score, passed, xp) in cases {
            let result = quiz_xp(score);
            assert_eq!((result.passed, result.xp), (passed, xp), "score {score}");
            assert!((0.0..=100.0).contains(&result.score));
        }
        let event =
            quiz_xp(85.0).to_event(user(), "Ann".into(), Id::new("q1").unwrap(), None, now());
        assert_eq!(
            (event.score, event.passed, event.xp_earned),
            (85.0, true, 80)
        );
    }

    #[test]
    fn catalogue_is_valid() {
        let mut ids = HashSet::new();
        for def in TRAINING_ACHIEVEMENTS {
            assert!(Id::new(def.id).is_ok(), "{}", def.id);
            assert!(ids.insert(def.id), "duplicate {}", def.id);
            assert_eq!(
                def.to_event(user(), "Ann".into(), now())
                    .achievement_id
                    .as_str(),
                def.id
            );
        }
    }

    fn unlocked(before: TrainingProgress, after: TrainingProgress) -> Vec<&'static str> {
        training_achievements_unlocked(TRAINING_ACHIEVEMENTS, &before, &after)
            .into_iter()
            .map(|d| d.id)
            .collect()
    }

    #[test]
    fn achievements_unlock_only_when_crossed() {
        let base = TrainingProgress::default();
        let first_pass = TrainingProgress {
            quizzes_passed: 1,
            total_xp: 50,
            ..base
        };
        assert_eq!(unlocked(base, first_pass), ["first-quiz"]);
        // Already had it: nothing again.
        let second_pass = TrainingProgress {
            quizzes_passed: 2,
            total_xp: 100,
            ..first_pass
        };
        assert_eq!(unlocked(first_pass, second_pass), Vec::<&str>::new());
        assert_eq!(unlocked(second_pass, second_pass), Vec::<&str>::new());
        // Several at once.
        let big = TrainingProgress {
            total_xp: 4_500,
            quizzes_passed: 10,
            perfect_quizzes: 1,
            modules_completed: 1,
            streak_days: 7,
        };
        assert_eq!(
            unlocked(second_pass, big),
            [
                "quiz-10",
                "perfect-quiz",
                "first-module",
                "level-5",
                "level-10",
                "streak-7"
            ]
        );
        // A streak restarting and growing again re-crosses its threshold.
        let broken = TrainingProgress {
            streak_days: 1,
            ..big
        };
        let again = TrainingProgress {
            streak_days: 7,
            ..big
        };
        assert_eq!(unlocked(broken, again), ["streak-7"]);
    }

    #[test]
    fn rare_and_above_are_showcased() {
        let showcased: Vec<(Rarity, bool)> = [
            Rarity::Common,
            Rarity::Uncommon,
            Rarity::Rare,
            Rarity::Epic,
            Rarity::Legendary,
        ]
        .into_iter()
        .map(|rarity| {
            let def = TrainingAchievementDef {
                rarity,
                ..TRAINING_ACHIEVEMENTS[0]
            };
            (rarity, def.showcased())
        })
        .collect();
        assert_eq!(
            showcased,
            [
                (Rarity::Common, false),
                (Rarity::Uncommon, false),
                (Rarity::Rare, true),
                (Rarity::Epic, true),
                (Rarity::Legendary, true),
            ]
        );
    }
}
