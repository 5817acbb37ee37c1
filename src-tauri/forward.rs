//! Forwarders from the active engine to the UI and the desktop, one task each, aborted when the
//! session changes:
//!
//! - state publications → `state` events ([`StatePatch`]: only the sections that changed, to
//!   each window at the pace it asked for, see [`crate::feeds`]), the tray's unread count and
//!   the startup probe;
//! - alerts → native notifications (notify-rust); a click shows the main window on the alert's
//!   target (`navigate`);
//! - live events → `celebration` events ([`Celebration`], for TV mode).

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::Serialize;
use sideline_client::ConnectionStatus;
use sideline_client::Engine;
use sideline_client::alerts::Alert;
use sideline_client::engine::{LiveEvent, StateUpdate};
use sideline_client::state::{
    Section, leaderboard::LeaderboardState, team::TeamState, training::TrainingState,
    work::WorkState,
};
use sideline_protocol::UserRef;
use sideline_protocol::leaderboard::{AchievementEvent, RankingUpdate};
use sideline_protocol::training::LevelUpEvent;
use std::collections::BTreeMap;
use std::time::Instant;
use tauri::{AppHandle, Emitter, EventTarget, Manager, Runtime};
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use crate::feeds::{FeedRequests, WindowFeeds};

/// The `state` event: what changed since the previous version, whole sections at a time.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StatePatch {
    /// The publication's version (increasing).
    #[ts(type = "number")]
    pub version: u64,
    /// The sections that changed.
    pub sections: Vec<Section>,
    /// With `session`: who we are.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub me: Option<Option<UserRef>>,
    /// With `session`: the connection status.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub connection: Option<Option<ConnectionStatus>>,
    /// With `session`: the cursors.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<BTreeMap<String, f64>>")]
    pub last_event_ids: Option<BTreeMap<String, u64>>,
    /// With `leaderboard`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub leaderboard: Option<LeaderboardState>,
    /// With `training`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub training: Option<TrainingState>,
    /// With `team`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub team: Option<TeamState>,
    /// With `analyses`, `notes` or `notifications`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub work: Option<WorkState>,
}

/// The patch of `sections` taken from the publication `update` (its own sections, or those a
/// window has missed since its last patch).
pub fn patch(update: &StateUpdate, sections: &[Section]) -> StatePatch {
    let has = |s: Section| sections.contains(&s);
    let state = &update.state;
    let session = has(Section::Session);
    StatePatch {
        version: update.version,
        sections: sections.to_vec(),
        me: session.then(|| state.me.clone()),
        connection: session.then(|| state.connection.clone()),
        last_event_ids: session.then(|| state.last_event_ids.clone()),
        leaderboard: has(Section::Leaderboard).then(|| state.leaderboard.clone()),
        training: has(Section::Training).then(|| state.training.clone()),
        team: has(Section::Team).then(|| state.team.clone()),
        work: (has(Section::Analyses) || has(Section::Notes) || has(Section::Notifications))
            .then(|| state.work.clone()),
    }
}

/// What a celebration is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum CelebrationKind {
    /// Someone earned an achievement.
    Achievement,
    /// Someone reached a new level.
    Level,
    /// Someone jumped [`RANK_JUMP`] places or more.
    Rank,
}

/// The `celebration` event (TV mode shows it).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Celebration {
    pub kind: CelebrationKind,
    pub user_id: String,
    pub user_name: String,
    pub title: String,
    pub detail: String,
    pub icon: Option<String>,
    #[ts(type = "number | null")]
    pub event_id: Option<u64>,
}

/// A rank change celebrates from this many places up.
pub const RANK_JUMP: u32 = 3;

/// Turns live events into celebrations: `achievement:celebration`, `level:celebration`, and
/// rank jumps of [`RANK_JUMP`] or more from `rank:changed` (mine) or `rankings:update` (the
/// public ticker a display sees). A jump seen through both is celebrated once.
#[derive(Debug, Default)]
pub struct Celebrations {
    recent_jumps: VecDeque<(String, String, u32, u32)>,
}

impl Celebrations {
    /// The celebration `event` calls for, if any.
    pub fn of(&mut self, event: &LiveEvent) -> Option<Celebration> {
        let data = event.data.clone();
        match event.name.as_str() {
            "achievement:celebration" => {
                let a: AchievementEvent = serde_json::from_value(data).ok()?;
                Some(Celebration {
                    kind: CelebrationKind::Achievement,
                    user_id: a.user_id.to_string(),
                    user_name: a.user_name,
                    title: a.title,
                    detail: a.description,
                    icon: a.icon,
                    event_id: event.event_id,
                })
            }
            "level:celebration" => {
                let l: LevelUpEvent = serde_json::from_value(data).ok()?;
                Some(Celebration {
                    kind: CelebrationKind::Level,
                    user_id: l.user_id.to_string(),
                    title: format!("Level {}", l.new_level),
                    detail: format!("{} reached level {}", l.user_name, l.new_level),
                    user_name: l.user_name,
                    icon: None,
                    event_id: event.event_id,
                })
            }
            "rank:changed" | "rankings:update" => {
                let r: RankingUpdate = serde_json::from_value(data).ok()?;
                if r.previous_rank == 0 || r.new_rank + RANK_JUMP > r.previous_rank {
                    return None;
                }
                let key = (
                    r.user_id.to_string(),
                    r.metric.clone(),
                    r.previous_rank,
                    r.new_rank,
                );
                if self.recent_jumps.contains(&key) {
                    return None;
                }
                if self.recent_jumps.len() == 32 {
                    self.recent_jumps.pop_front();
                }
                self.recent_jumps.push_back(key);
                Some(Celebration {
                    kind: CelebrationKind::Rank,
                    user_id: r.user_id.to_string(),
                    title: format!("#{} in {}", r.new_rank, r.metric),
                    detail: format!(
                        "{} climbed from #{} to #{}",
                        r.user_name, r.previous_rank, r.new_rank
                    ),
                    user_name: r.user_name,
                    icon: None,
                    event_id: event.event_id,
                })
            }
            _ => None,
        }
    }
}

/// The `navigate` event: show `view` (and the record `id`) in the main window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Navigate {
    pub view: String,
    pub id: Option<String>,
}

/// Starts the forwarders of `engine`. State versions are sent as `version_base` + the
/// engine's, and the highest sent is kept in `emitted`.
pub fn spawn<R: Runtime>(
    app: &AppHandle<R>,
    engine: &Engine,
    version_base: u64,
    emitted: Arc<AtomicU64>,
) -> Vec<JoinHandle<()>> {
    let mut changes = engine.changes();
    let mut alerts = engine.alerts();
    let mut live = engine.live_events();
    let state_app = app.clone();
    let state_task = tokio::spawn(async move {
        let mut unread = None;
        let mut feeds = WindowFeeds::default();
        let mut latest: Option<StateUpdate> = None;
        let mut published = true;
        loop {
            if let Some(requests) = state_app.try_state::<FeedRequests>() {
                feeds.update_requests(&requests);
            }
            if published {
                let update = changes.borrow_and_update().clone();
                let count = update.state.work.unread_count;
                if unread != Some(count) {
                    unread = Some(count);
                    crate::tray::show_unread(&state_app, count);
                }
                startup_probe(&update);
                if update.version > 0 {
                    let windows = state_app.webview_windows();
                    feeds.changed(&update.sections, windows.keys().map(String::as_str));
                    latest = Some(update);
                }
            }
            if let Some(update) = &latest {
                for (window, sections) in feeds.take_due(Instant::now()) {
                    let mut patch = patch(update, &sections);
                    patch.version += version_base;
                    emitted.fetch_max(patch.version, Ordering::SeqCst);
                    let _ = state_app.emit_to(EventTarget::webview_window(window), "state", patch);
                }
            }
            let next_due = feeds.next_due(Instant::now());
            tokio::select! {
                changed = changes.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    published = true;
                }
                () = requests_changed(&state_app) => published = false,
                () = sleep_until(next_due), if next_due.is_some() => published = false,
            }
        }
    });
    let alert_app = app.clone();
    let alert_task = tokio::spawn(async move {
        loop {
            match alerts.recv().await {
                Ok(alert) => show_alert(&alert_app, alert),
                Err(RecvError::Lagged(n)) => tracing::warn!(n, "alerts dropped (lagging)"),
                Err(RecvError::Closed) => return,
            }
        }
    });
    let live_app = app.clone();
    let live_task = tokio::spawn(async move {
        let mut celebrations = Celebrations::default();
        loop {
            match live.recv().await {
                Ok(event) => {
                    if let Some(c) = celebrations.of(&event) {
                        let _ = live_app.emit("celebration", c);
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
        }
    });
    vec![state_task, alert_task, live_task]
}

/// Resolves when a window changes its state feed (never without [`FeedRequests`]).
async fn requests_changed<R: Runtime>(app: &AppHandle<R>) {
    match app.try_state::<FeedRequests>() {
        Some(requests) => requests.changed.notified().await,
        None => std::future::pending().await,
    }
}

/// Sleeps until `at` (`None`: forever; the caller's `select!` guards that branch).
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

/// Shows a native notification. On Linux/BSD a click (the default action) shows the main
/// window on the alert's target; elsewhere the notification is only shown. A failure (no
/// notification server on the bus) is logged, never fatal.
fn show_alert<R: Runtime>(app: &AppHandle<R>, alert: Alert) {
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let mut notification = notify_rust::Notification::new();
        notification
            .summary(&alert.title)
            .body(&alert.body)
            .appname("Sideline");
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            notification.action("default", "Open");
            match notification.show() {
                // Each wait holds a blocking thread until the notification is clicked or
                // closed; beyond a few, later ones are shown without waiting.
                Ok(handle) if WAITING.fetch_add(1, Ordering::SeqCst) < MAX_WAITING => {
                    let target = Navigate {
                        view: alert.target.view.to_owned(),
                        id: alert.target.id.clone(),
                    };
                    handle.wait_for_action(|action| {
                        if action == "default" {
                            crate::windows::show_main(&app);
                            let _ = app.emit("navigate", target);
                        }
                    });
                    WAITING.fetch_sub(1, Ordering::SeqCst);
                }
                Ok(_) => {
                    WAITING.fetch_sub(1, Ordering::SeqCst);
                }
                Err(err) => notification_failed(&err),
            }
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        {
            let _ = &app;
            if let Err(err) = notification.show() {
                notification_failed(&err);
            }
        }
    });
}

/// Notifications whose click is being waited for.
#[cfg(all(unix, not(target_os = "macos")))]
static WAITING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
#[cfg(all(unix, not(target_os = "macos")))]
const MAX_WAITING: usize = 16;

/// Logs a notification failure: the first as a warning, the rest at debug level (a desktop
/// without a notification server would otherwise fill the log).
fn notification_failed(err: &notify_rust::error::Error) {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if WARNED.swap(true, Ordering::Relaxed) {
        tracing::debug!(error = %err, "could not show a notification");
    } else {
        tracing::warn!(error = %err, "could not show a notification (further failures are logged at debug level)");
    }
}

static PROBED: AtomicBool = AtomicBool::new(false);

/// `SIDELINE_STARTUP_PROBE=1`: once the state is live with at least one leaderboard row, print
/// the time since process start to stderr (the cold-start bench reads it).
fn startup_probe(update: &StateUpdate) {
    if PROBED.load(Ordering::Relaxed) || std::env::var_os("SIDELINE_STARTUP_PROBE").is_none() {
        return;
    }
    let state = &update.state;
    let live = state.connection == Some(ConnectionStatus::Live);
    let rows = state
        .leaderboard
        .boards
        .values()
        .any(|b| !b.rows.is_empty());
    if live && rows && !PROBED.swap(true, Ordering::Relaxed) {
        eprintln!(
            "sideline: first live data after {} ms",
            crate::PROCESS_START.elapsed().as_millis()
        );
    }
}

#[cfg(test)]
mod tests {
    use sideline_client::state::AppState;

    use super::*;

    fn update(sections: Vec<Section>) -> StateUpdate {
        let mut state = AppState {
            connection: Some(ConnectionStatus::Live),
            ..AppState::default()
        };
        state.last_event_ids.insert("/".into(), 7);
        StateUpdate {
            version: 3,
            sections,
            state: Arc::new(state),
        }
    }

    #[test]
    fn a_patch_carries_only_the_changed_sections() {
        let value = serde_json::to_value(patch(
            &update(vec![Section::Leaderboard]),
            &[Section::Leaderboard],
        ))
        .unwrap();
        let keys: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["leaderboard", "sections", "version"]);

        let value =
            serde_json::to_value(patch(&update(vec![Section::Session]), &[Section::Session]))
                .unwrap();
        assert_eq!(value["connection"]["state"], "live");
        assert_eq!(value["lastEventIds"]["/"], 7);
        assert!(value.get("me").is_some_and(serde_json::Value::is_null));
        assert!(value.get("work").is_none());

        for section in [Section::Analyses, Section::Notes, Section::Notifications] {
            let value = serde_json::to_value(patch(&update(vec![section]), &[section])).unwrap();
            assert!(value.get("work").is_some(), "{section:?}");
            assert!(value.get("team").is_none());
        }
    }

    fn live(name: &str, data: serde_json::Value) -> LiveEvent {
        LiveEvent {
            namespace: "/leaderboard",
            name: name.into(),
            event_id: Some(42),
            data,
        }
    }

    fn rank(previous: u32, new: u32) -> serde_json::Value {
        serde_json::json!({
            "userId": "rep-1", "userName": "Ana", "previousRank": previous, "newRank": new,
            "metric": "revenue", "value": 1200.0, "timestamp": "2026-01-01T10:00:00Z"
        })
    }

    #[test]
    fn rank_jumps_of_three_places_celebrate_once() {
        let mut c = Celebrations::default();
        assert_eq!(c.of(&live("rank:changed", rank(5, 3))), None);
        assert_eq!(
            c.of(&live("rank:changed", rank(0, 1))),
            None,
            "newly ranked"
        );
        let jump = c.of(&live("rank:changed", rank(6, 3))).unwrap();
        assert_eq!(jump.kind, CelebrationKind::Rank);
        assert_eq!(jump.user_name, "Ana");
        assert_eq!(jump.event_id, Some(42));
        assert_eq!(
            c.of(&live("rankings:update", rank(6, 3))),
            None,
            "same jump"
        );
    }

    #[test]
    fn achievement_and_level_celebrations_pass_through() {
        let mut c = Celebrations::default();
        let a = c
            .of(&live(
                "achievement:celebration",
                serde_json::json!({
                    "userId": "rep-1", "userName": "Ana", "achievementType": "milestone",
                    "title": "Top Performer!", "description": "Reached #1", "icon": "🏆",
                    "timestamp": "2026-01-01T10:00:00Z"
                }),
            ))
            .unwrap();
        assert_eq!(a.kind, CelebrationKind::Achievement);
        assert_eq!(a.title, "Top Performer!");
        assert_eq!(a.icon.as_deref(), Some("🏆"));
        let l = c
            .of(&live(
                "level:celebration",
                serde_json::json!({
                    "userId": "rep-1", "userName": "Ana", "previousLevel": 4, "newLevel": 5,
                    "totalXP": 5000, "timestamp": "2026-01-01T10:00:00Z"
                }),
            ))
            .unwrap();
        assert_eq!(l.kind, CelebrationKind::Level);
        assert_eq!(l.title, "Level 5");
        assert_eq!(
            c.of(&live("achievement:earned", serde_json::json!({}))),
            None
        );
    }
}
