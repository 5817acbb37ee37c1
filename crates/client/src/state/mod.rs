//! The application state built from events: [`AppState`] and its reducers, one submodule per
//! area ([`leaderboard`], [`training`], [`team`] for presence, coaching sessions and projects,
//! [`work`] for notes, action items, analyses and notifications).
//!
//! Applying is idempotent: a durable event at or below the namespace's last applied
//! `eventId` is skipped (a replay may overlap live delivery). Snapshot events
//! (`leaderboard:refresh`, `tv:update`, `sync:snapshot`) replace their part of the state. Transient events
//! (presence, cursors, typing) change state without an `eventId`.

pub mod leaderboard;
pub mod team;
pub mod training;
pub mod work;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sideline_protocol::{
    EventId, LeaderboardServerEvent, MainServerEvent, Namespace, ServerEvent, TrainingServerEvent,
    UserRef,
};

use crate::status::ConnectionStatus;
use crate::store::OutboxRecord;

/// A part of the state, named in change notifications so a view re-renders only what moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Section {
    /// Who we are, the connection status, cursors.
    Session,
    /// Leaderboards, contests, TV, the achievements feed.
    Leaderboard,
    /// XP, levels, streaks, module progress, quizzes, roleplay.
    Training,
    /// Presence, coaching sessions, projects, comments, broadcasts, entity feeds.
    Team,
    /// Analyses.
    Analyses,
    /// Notes and action items.
    Notes,
    /// Notifications.
    Notifications,
}

/// Everything the app shows, built from events (and the outbox for unconfirmed notes).
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AppState {
    /// The signed-in user, from `connected` (or the token).
    pub me: Option<UserRef>,
    /// The engine's connection status.
    pub connection: Option<ConnectionStatus>,
    /// Last applied `eventId` per namespace path.
    #[ts(type = "Record<string, number>")]
    pub last_event_ids: BTreeMap<String, u64>,
    /// Rankings, contests, TV and the achievements feed.
    pub leaderboard: leaderboard::LeaderboardState,
    /// XP, levels, streaks and the rest of `/training`.
    pub training: training::TrainingState,
    /// Presence, coaching sessions, projects.
    pub team: team::TeamState,
    /// Notes, action items, analyses, notifications.
    pub work: work::WorkState,
}

impl AppState {
    /// The last applied event id of `namespace`.
    pub fn cursor(&self, namespace: Namespace) -> EventId {
        EventId(
            self.last_event_ids
                .get(namespace.path())
                .copied()
                .unwrap_or(0),
        )
    }

    /// Applies one decoded event. Returns the sections changed (empty when the event was a
    /// duplicate or changes nothing the app shows).
    pub fn apply(&mut self, event_id: Option<EventId>, event: &ServerEvent) -> BTreeSet<Section> {
        let namespace = event.namespace();
        if let Some(id) = event_id {
            if id <= self.cursor(namespace) {
                return BTreeSet::new();
            }
            self.last_event_ids
                .insert(namespace.path().to_owned(), id.0);
        }
        let mut changed = BTreeSet::new();
        match event {
            ServerEvent::Main(e) => self.apply_main(event_id, e, &mut changed),
            ServerEvent::Leaderboard(e) => {
                if self.leaderboard.apply(event_id, e) {
                    changed.insert(Section::Leaderboard);
                }
                if let LeaderboardServerEvent::SyncDone(done) = e {
                    self.advance_cursor(namespace, done.last_event_id);
                    changed.insert(Section::Session);
                }
            }
            ServerEvent::Training(e) => {
                if self.training.apply(event_id, e) {
                    changed.insert(Section::Training);
                    // Training achievements join the one achievements feed too.
                    if matches!(
                        e,
                        TrainingServerEvent::AchievementUnlocked(_)
                            | TrainingServerEvent::AchievementShowcase(_)
                    ) && let Some(item) = self.training.achievements.front().cloned()
                        && item.push_to(&mut self.leaderboard.achievements)
                    {
                        changed.insert(Section::Leaderboard);
                    }
                }
                if let TrainingServerEvent::SyncDone(done) = e {
                    self.advance_cursor(namespace, done.last_event_id);
                    changed.insert(Section::Session);
                }
            }
        }
        changed
    }

    /// `sync:done`: the hub has sent everything up to `last` that concerns us.
    fn advance_cursor(&mut self, namespace: Namespace, last: EventId) {
        let entry = self
            .last_event_ids
            .entry(namespace.path().to_owned())
            .or_insert(0);
        *entry = (*entry).max(last.0);
    }

    fn apply_main(
        &mut self,
        event_id: Option<EventId>,
        event: &MainServerEvent,
        changed: &mut BTreeSet<Section>,
    ) {
        use MainServerEvent as E;
        match event {
            E::Connected(c) => {
                self.me = Some(c.user.clone());
                changed.insert(Section::Session);
            }
            E::SyncDone(done) => {
                self.advance_cursor(Namespace::Main, done.last_event_id);
                changed.insert(Section::Session);
            }
            E::Error(_) | E::AuthError(_) | E::AuthSuccess(_) => {}
            E::SyncSnapshot(snapshot) => {
                self.work.replace_from_snapshot(snapshot);
                self.team
                    .replace_presence(&snapshot.presence, snapshot.taken_at);
                self.team.replace_sessions(&snapshot.coaching_sessions);
                changed.extend([
                    Section::Notes,
                    Section::Notifications,
                    Section::Analyses,
                    Section::Team,
                ]);
            }
            E::QuickNoteCreated(_) | E::ActionItemCreated(_) => {
                if self.work.apply_main(event_id, event) {
                    changed.insert(Section::Notes);
                }
            }
            E::Notification(_) | E::NotificationRead(_) | E::NotificationCleared(_) => {
                if self.work.apply_main(event_id, event) {
                    changed.insert(Section::Notifications);
                }
            }
            E::AnalysisStarted(_)
            | E::AnalysisProgress(_)
            | E::AnalysisComplete(_)
            | E::AnalysisError(_)
            | E::AnalysisCancelled(_) => {
                if self.work.apply_main(event_id, event) {
                    changed.insert(Section::Analyses);
                }
            }
            _ => {
                if self.team.apply(event_id, event) {
                    changed.insert(Section::Team);
                }
            }
        }
    }

    /// Merges the outbox (pending, rejected and confirmed captures) into notes and action
    /// items.
    pub fn merge_outbox(&mut self, records: &[OutboxRecord]) -> bool {
        self.work.merge_outbox(records)
    }
}

/// Removes the oldest of the entries `dated` gives a time, past the newest `kept` of them, so
/// that a list fed all day stays bounded; entries it gives none (`None`) always stay. Ties go
/// by key.
fn forget_oldest<V, T: Ord>(
    entries: &mut BTreeMap<String, V>,
    kept: usize,
    dated: impl Fn(&V) -> Option<T>,
) {
    let mut dated: Vec<(T, String)> = entries
        .iter()
        .filter_map(|(key, entry)| Some((dated(entry)?, key.clone())))
        .collect();
    if dated.len() <= kept {
        return;
    }
    dated.sort_unstable();
    for (_, key) in &dated[..dated.len() - kept] {
        entries.remove(key);
    }
}

#[cfg(test)]
mod tests;
