//! Seed 002 on `/training`: XP, levels, streaks, training achievements, AI roleplay sessions,
//! module progress and quizzes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::date::CalendarDate;
use crate::id::{ClientId, Id};
use crate::validate::{
    Validate, ValidationError, check_client_id, check_percent, check_range, check_text, limits,
};

/// `xp:gained`: a user earned XP (seed 002's `XPGainEvent`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields, rename = "XPGainEvent")]
pub struct XpGainEvent {
    /// Who.
    pub user_id: Id,
    /// Their display name.
    pub user_name: String,
    /// XP earned, at most 1,000,000.
    pub amount: u32,
    /// Why (`Quiz: objection-handling-1`).
    pub source: String,
    /// The user's XP total after this gain.
    pub new_total: u32,
    /// When.
    pub timestamp: DateTime<Utc>,
}

/// What a level-up unlocks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct LevelRewards {
    /// Badges granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badges: Option<Vec<String>>,
    /// Features or content unlocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unlocks: Option<Vec<String>>,
}

/// `level:up` / `level:celebration`: a user reached a new level (seed 002's `LevelUpEvent`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct LevelUpEvent {
    /// Who.
    pub user_id: Id,
    /// Their display name.
    pub user_name: String,
    /// Level before.
    pub previous_level: u32,
    /// Level now.
    pub new_level: u32,
    /// The user's XP total.
    #[serde(rename = "totalXP")]
    pub total_xp: u32,
    /// What the new level unlocks, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewards: Option<LevelRewards>,
    /// When.
    pub timestamp: DateTime<Utc>,
}

/// `streak:update`: a user's daily streak changed (kept, grown or broken).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct StreakUpdate {
    /// Who.
    pub user_id: Id,
    /// Their display name.
    pub user_name: String,
    /// Consecutive days now (`0` when broken).
    pub current_streak: u32,
    /// Their longest streak ever.
    pub longest_streak: u32,
    /// The last day counted, `"YYYY-MM-DD"`.
    pub last_activity_date: CalendarDate,
    /// When.
    pub timestamp: DateTime<Utc>,
}

/// `streak:milestone`: a user's streak reached a milestone (7, 30, 100 days ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct StreakMilestone {
    /// Who.
    pub user_id: Id,
    /// Their display name.
    pub user_name: String,
    /// The milestone reached, in days.
    pub milestone: u32,
    /// Bonus XP granted, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bonus_xp: Option<u32>,
    /// When.
    pub timestamp: DateTime<Utc>,
}

/// How rare a training achievement is; `achievement:showcase` is sent for `rare` and above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Rarity {
    /// Most users get it.
    Common,
    /// Many users get it.
    Uncommon,
    /// Few users get it (showcased).
    Rare,
    /// Very few users get it (showcased).
    Epic,
    /// Almost nobody gets it (showcased).
    Legendary,
}

/// `achievement:unlocked` / `achievement:showcase`: a user unlocked a training achievement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct TrainingAchievement {
    /// Who.
    pub user_id: Id,
    /// Their display name.
    pub user_name: String,
    /// The achievement.
    pub achievement_id: Id,
    /// Headline.
    pub title: String,
    /// Explanation.
    pub description: String,
    /// An emoji or icon name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// How rare it is.
    pub rarity: Rarity,
    /// XP granted with it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xp_reward: Option<u32>,
    /// When.
    pub timestamp: DateTime<Utc>,
}

/// `roleplay:message`: the learner says something to the AI roleplay partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct RoleplayMessage {
    /// Idempotency key: a retried message is answered once; echoed as `replyTo`.
    pub client_id: ClientId,
    /// The roleplay session.
    pub session_id: Id,
    /// What the learner says, 1 to 2000 characters, not blank.
    pub message: String,
}

impl Validate for RoleplayMessage {
    fn validate(&self) -> Result<(), ValidationError> {
        check_client_id("clientId", &self.client_id)?;
        check_text("message", &self.message, limits::MESSAGE_MAX)
    }
}

/// Coaching feedback attached to a roleplay response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct RoleplayFeedback {
    /// How well the learner handled the last turn, 0 to 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// What to do better.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// `roleplay:response`: the AI roleplay partner answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct RoleplayResponse {
    /// The roleplay session.
    pub session_id: Id,
    /// What the AI says.
    pub message: String,
    /// Score and feedback, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<RoleplayFeedback>,
    /// The `clientId` of the learner's message this answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<ClientId>,
    /// When.
    pub timestamp: DateTime<Utc>,
}

/// `roleplay:typing`: the AI partner started or stopped composing an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct RoleplayTyping {
    /// The roleplay session.
    pub session_id: Id,
    /// Whether it is composing now.
    pub is_typing: bool,
}

/// `roleplay:stop-typing`: the learner asks the AI partner to stop composing (interrupts the
/// pending answer; the hub answers with `roleplay:typing` `isTyping: false`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct RoleplayStopTyping {
    /// The roleplay session.
    pub session_id: Id,
}

impl Validate for RoleplayStopTyping {
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// `progress:update` (client to server): the learner's progress in a module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ProgressReport {
    /// The module.
    pub module_id: Id,
    /// Progress through the module, 0 to 100 (setting it is idempotent).
    pub progress: f64,
    /// The lesson just finished or opened, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson_id: Option<Id>,
    /// Seconds spent since the last report, at most 86,400.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_spent_seconds: Option<u32>,
}

impl Validate for ProgressReport {
    fn validate(&self) -> Result<(), ValidationError> {
        check_percent("progress", self.progress)?;
        if let Some(seconds) = self.time_spent_seconds {
            check_range(
                "timeSpentSeconds",
                seconds,
                0,
                limits::TIME_SPENT_MAX_SECONDS,
            )?;
        }
        Ok(())
    }
}

/// `progress:update` (server to client): a user's progress in a module changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ModuleProgress {
    /// Whose progress.
    pub user_id: Id,
    /// The module.
    pub module_id: Id,
    /// Progress, 0 to 100.
    pub progress: f64,
    /// Whether the module is complete.
    pub completed: bool,
    /// The lesson last reported, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson_id: Option<Id>,
    /// When.
    pub updated_at: DateTime<Utc>,
}

/// `quiz:completed`: a user finished a quiz.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct QuizCompleted {
    /// Who.
    pub user_id: Id,
    /// Their display name.
    pub user_name: String,
    /// The quiz.
    pub quiz_id: Id,
    /// Its module, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_id: Option<Id>,
    /// Score, 0 to 100.
    pub score: f64,
    /// Whether it counts as passed.
    pub passed: bool,
    /// XP earned for it (also announced by `xp:gained`).
    pub xp_earned: u32,
    /// When.
    pub timestamp: DateTime<Utc>,
}

/// `training:snapshot`: the connecting user's training state, sent on `/training` instead of
/// a replay when the client sent no `lastEventId` or one that predates the hub's retention
/// window (then `sync:done` follows with `snapshot: true`). A leader's and a display's also
/// carry the rest of the team's numbers in `team`. Not durable: it is a view, not a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrainingSnapshot {
    /// The user's own numbers (`userId`, `userName`, `totalXp`, ...), at the top level.
    #[serde(flatten)]
    #[ts(flatten)]
    pub numbers: TrainingNumbers,
    /// Quizzes passed.
    pub quizzes_passed: u32,
    /// Every training achievement the user holds.
    pub achievements: Vec<TrainingAchievement>,
    /// For a team's leader or display: every other member's numbers (the leader then follows
    /// them live from the members' `user:` rooms). Empty for an agent.
    #[serde(default)]
    pub team: Vec<TrainingNumbers>,
    /// The hub's clock when the snapshot was taken.
    pub taken_at: DateTime<Utc>,
}

/// One user's XP, level and streak, as a [`TrainingSnapshot`] states them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct TrainingNumbers {
    /// Who.
    pub user_id: Id,
    /// Their display name.
    pub user_name: String,
    /// Total XP.
    pub total_xp: u32,
    /// Level from the documented curve (level n needs 50·n·(n−1) XP).
    pub level: u32,
    /// Current daily streak, in days.
    pub current_streak: u32,
    /// Longest daily streak, in days.
    pub longest_streak: u32,
    /// The last day with training activity (UTC), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_activity_date: Option<CalendarDate>,
}
