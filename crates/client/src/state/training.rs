//! `/training`: XP, level and streak per user, module progress, quizzes, roleplay answers.
//! Training achievements go to the shared achievements feed.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;
use sideline_protocol::training::{
    ModuleProgress, QuizCompleted, RoleplayResponse, TrainingNumbers,
};
use sideline_protocol::{CalendarDate, EventId, TrainingServerEvent};

use super::leaderboard::{FEED_LEN, FeedItem};

/// One user's training numbers.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TrainingStats {
    /// Display name.
    pub user_name: String,
    /// XP total.
    pub xp: u32,
    /// Level (0 until a `level:up` is seen).
    pub level: u32,
    /// Current daily streak.
    pub current_streak: u32,
    /// Longest streak.
    pub longest_streak: u32,
    /// Last day counted.
    pub last_activity_date: Option<CalendarDate>,
}

impl From<&TrainingNumbers> for TrainingStats {
    fn from(numbers: &TrainingNumbers) -> Self {
        TrainingStats {
            user_name: numbers.user_name.clone(),
            xp: numbers.total_xp,
            level: numbers.level,
            current_streak: numbers.current_streak,
            longest_streak: numbers.longest_streak,
            last_activity_date: numbers.last_activity_date,
        }
    }
}

/// Everything from `/training`.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TrainingState {
    /// Stats by user id.
    pub users: BTreeMap<String, TrainingStats>,
    /// Progress by `user/module`.
    pub modules: BTreeMap<String, ModuleProgress>,
    /// Finished quizzes, newest first.
    #[ts(as = "Vec<QuizCompleted>")]
    pub quizzes: VecDeque<QuizCompleted>,
    /// Roleplay answers, newest first.
    #[ts(as = "Vec<RoleplayResponse>")]
    pub roleplay: VecDeque<RoleplayResponse>,
    /// Sessions where the AI partner is composing.
    pub typing: BTreeMap<String, bool>,
    /// Training achievements, newest first (also merged into the leaderboard feed by the
    /// engine's view; kept here for the training view).
    #[ts(as = "Vec<FeedItem>")]
    pub achievements: VecDeque<FeedItem>,
}

impl TrainingState {
    /// Applies one event; returns whether anything changed.
    pub fn apply(&mut self, event_id: Option<EventId>, event: &TrainingServerEvent) -> bool {
        use TrainingServerEvent as E;
        match event {
            E::XpGained(xp) => {
                let user = self.user(xp.user_id.as_str(), &xp.user_name);
                user.xp = xp.new_total;
                true
            }
            E::LevelUp(level) | E::LevelCelebration(level) => {
                let user = self.user(level.user_id.as_str(), &level.user_name);
                user.level = user.level.max(level.new_level);
                user.xp = user.xp.max(level.total_xp);
                true
            }
            E::StreakUpdate(streak) => {
                let user = self.user(streak.user_id.as_str(), &streak.user_name);
                user.current_streak = streak.current_streak;
                user.longest_streak = streak.longest_streak;
                user.last_activity_date = Some(streak.last_activity_date);
                true
            }
            E::StreakMilestone(m) => {
                let user = self.user(m.user_id.as_str(), &m.user_name);
                user.current_streak = user.current_streak.max(m.milestone);
                true
            }
            E::AchievementUnlocked(a) | E::AchievementShowcase(a) => FeedItem {
                user_id: a.user_id.clone(),
                user_name: a.user_name.clone(),
                title: a.title.clone(),
                description: a.description.clone(),
                icon: a.icon.clone(),
                source: "training",
                at: a.timestamp,
                event_id: event_id.map(|id| id.0),
            }
            .push_to(&mut self.achievements),
            E::ProgressUpdate(progress) => {
                self.modules.insert(
                    format!("{}/{}", progress.user_id, progress.module_id),
                    progress.clone(),
                );
                true
            }
            E::QuizCompleted(quiz) => {
                self.quizzes.push_front(quiz.clone());
                self.quizzes.truncate(FEED_LEN);
                true
            }
            E::RoleplayResponse(response) => {
                self.typing.remove(response.session_id.as_str());
                self.roleplay.push_front(response.clone());
                self.roleplay.truncate(FEED_LEN);
                true
            }
            E::RoleplayTyping(typing) => {
                self.typing
                    .insert(typing.session_id.to_string(), typing.is_typing);
                true
            }
            // A snapshot replaces the numbers of everyone it lists outright (it is sent instead
            // of a replay the hub cannot give, so nothing older may survive it): the user's,
            // and a leader's or display's whole team.
            E::TrainingSnapshot(snapshot) => {
                for numbers in std::iter::once(&snapshot.numbers).chain(&snapshot.team) {
                    self.users
                        .insert(numbers.user_id.to_string(), TrainingStats::from(numbers));
                }
                true
            }
            E::SyncDone(_) | E::Error(_) => false,
        }
    }

    fn user(&mut self, id: &str, name: &str) -> &mut TrainingStats {
        let user = self.users.entry(id.to_owned()).or_default();
        user.user_name = name.to_owned();
        user
    }
}
