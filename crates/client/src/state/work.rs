//! `/` work items: notes and action items (confirmed events merged with the outbox's pending
//! and rejected captures), analyses with per-detector and overall progress and ETA, and
//! notifications with the unread count.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sideline_protocol::notes::{
    ActionItem, ActionItemCreate, ActionItemStatus, NoteType, Priority, QuickNote, QuickNoteCreate,
};
use sideline_protocol::notifications::Notification;
use sideline_protocol::projects::{DetectorStatus, OpenAnalysis};
use sideline_protocol::realtime::{MainSnapshot, kept};
use sideline_protocol::{CalendarDate, ClientId, EventId, Id, MainServerEvent, UserRef};

use crate::state::forget_oldest;
use crate::state::leaderboard::FEED_LEN;
use crate::store::{OutboxKind, OutboxRecord, OutboxState};

/// Where a note or action item stands from this user's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum SyncState {
    /// Captured here, not yet confirmed by the hub.
    Pending,
    /// Stored by the hub.
    Synced,
    /// Refused by the hub; `reason` says why.
    Rejected,
}

/// A quick note.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct NoteView {
    /// Idempotency key (also the sort key: v7 ids sort by capture time).
    pub client_id: ClientId,
    /// Sync state.
    pub state: SyncState,
    /// The hub's refusal, when rejected.
    pub reason: Option<String>,
    /// The hub's id, once synced.
    pub id: Option<Id>,
    /// The agent.
    pub agent_id: Id,
    /// Kind.
    pub note_type: NoteType,
    /// Priority.
    pub priority: Priority,
    /// Category.
    pub category: Option<String>,
    /// Text.
    pub content: String,
    /// Author, once synced.
    pub created_by: Option<UserRef>,
    /// Capture or storage time.
    pub created_at: DateTime<Utc>,
}

/// An action item.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ActionItemView {
    /// Idempotency key.
    pub client_id: ClientId,
    /// Sync state.
    pub state: SyncState,
    /// The hub's refusal, when rejected.
    pub reason: Option<String>,
    /// The hub's id, once synced.
    pub id: Option<Id>,
    /// The agent.
    pub agent_id: Id,
    /// Title.
    pub title: String,
    /// Details.
    pub description: Option<String>,
    /// Due day.
    pub due_date: CalendarDate,
    /// Priority.
    pub priority: Priority,
    /// Category.
    pub category: String,
    /// Progress (`None` until the hub stored it).
    pub status: Option<ActionItemStatus>,
    /// Author, once synced.
    pub created_by: Option<UserRef>,
    /// Capture or storage time.
    pub created_at: DateTime<Utc>,
}

/// A note the hub stored: synced.
impl From<&QuickNote> for NoteView {
    fn from(note: &QuickNote) -> Self {
        NoteView {
            client_id: note.client_id,
            state: SyncState::Synced,
            reason: None,
            id: Some(note.id.clone()),
            agent_id: note.agent_id.clone(),
            note_type: note.note_type,
            priority: note.priority,
            category: note.category.clone(),
            content: note.content.clone(),
            created_by: Some(note.created_by.clone()),
            created_at: note.created_at,
        }
    }
}

/// An action item the hub stored: synced.
impl From<&ActionItem> for ActionItemView {
    fn from(item: &ActionItem) -> Self {
        ActionItemView {
            client_id: item.client_id,
            state: SyncState::Synced,
            reason: None,
            id: Some(item.id.clone()),
            agent_id: item.agent_id.clone(),
            title: item.title.clone(),
            description: item.description.clone(),
            due_date: item.due_date,
            priority: item.priority,
            category: item.category.clone(),
            status: Some(item.status),
            created_by: Some(item.created_by.clone()),
            created_at: item.created_at,
        }
    }
}

/// How an analysis run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum AnalysisStatus {
    /// Running.
    Running,
    /// Finished.
    Complete,
    /// Failed.
    Failed,
    /// Cancelled.
    Cancelled,
}

/// One detector of a run.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DetectorView {
    /// State.
    pub status: DetectorStatus,
    /// 0 to 100.
    pub progress: f64,
    /// Issues it found, when finished.
    pub issues_found: Option<u32>,
}

/// One analysis run.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisView {
    /// The project.
    pub project_id: Id,
    /// State.
    pub status: AnalysisStatus,
    /// Detectors in run order.
    pub detectors: Vec<(String, DetectorView)>,
    /// Overall 0 to 100.
    pub progress: f64,
    /// Issues found so far.
    pub issues_found: u32,
    /// Seconds left, when known.
    pub eta_seconds: Option<u32>,
    /// Start.
    pub started_at: Option<DateTime<Utc>>,
    /// End (complete, failed, cancelled).
    pub finished_at: Option<DateTime<Utc>>,
    /// Why it failed.
    pub message: Option<String>,
}

impl AnalysisView {
    fn new(project_id: Id) -> Self {
        AnalysisView {
            project_id,
            status: AnalysisStatus::Running,
            detectors: Vec::new(),
            progress: 0.0,
            issues_found: 0,
            eta_seconds: None,
            started_at: None,
            finished_at: None,
            message: None,
        }
    }

    fn detector(&mut self, name: &str) -> &mut DetectorView {
        let index = match self.detectors.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None => {
                self.detectors.push((
                    name.to_owned(),
                    DetectorView {
                        status: DetectorStatus::Pending,
                        progress: 0.0,
                        issues_found: None,
                    },
                ));
                self.detectors.len() - 1
            }
        };
        &mut self.detectors[index].1
    }
}

/// Notes, action items, analyses and notifications.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct WorkState {
    /// Notes by clientId (capture order): every pending or rejected capture, and the newest 50
    /// synced notes about each agent (`kept::NOTES_PER_AGENT`).
    pub notes: BTreeMap<String, NoteView>,
    /// Action items by clientId: every pending or rejected capture, and the newest 50 synced
    /// items for each agent (`kept::ACTION_ITEMS_PER_AGENT`).
    pub action_items: BTreeMap<String, ActionItemView>,
    /// Analyses by id: every running one, and the latest 100 finished ([`FEED_LEN`]).
    pub analyses: BTreeMap<String, AnalysisView>,
    /// Notifications, newest first: the latest 100 (`kept::NOTIFICATIONS`).
    pub notifications: Vec<Notification>,
    /// How many of those are unread.
    pub unread_count: usize,
}

impl WorkState {
    /// Applies one event; returns whether anything changed.
    pub fn apply_main(&mut self, _event_id: Option<EventId>, event: &MainServerEvent) -> bool {
        use MainServerEvent as E;
        match event {
            E::QuickNoteCreated(note) => self.note_synced(note),
            E::ActionItemCreated(item) => self.action_item_synced(item),
            E::Notification(n) => {
                if self.notifications.iter().any(|x| x.id == n.id) {
                    return false;
                }
                self.notifications.insert(0, n.clone());
                self.keep_newest_notifications();
                true
            }
            E::NotificationRead(read) => {
                for n in &mut self.notifications {
                    if read.notification_id.as_ref().is_none_or(|id| *id == n.id) {
                        n.read = true;
                    }
                }
                self.count_unread();
                true
            }
            E::NotificationCleared(_) => {
                self.notifications.clear();
                self.count_unread();
                true
            }
            E::AnalysisStarted(started) => {
                let mut view = AnalysisView::new(started.project_id.clone());
                view.started_at = Some(started.started_at);
                for d in &started.detectors {
                    view.detector(d);
                }
                self.analyses.insert(started.analysis_id.to_string(), view);
                true
            }
            E::AnalysisProgress(p) => {
                let view = self
                    .analyses
                    .entry(p.analysis_id.to_string())
                    .or_insert_with(|| AnalysisView::new(p.project_id.clone()));
                let detector = view.detector(&p.detector);
                detector.status = p.detector_status;
                detector.progress = p.detector_progress;
                view.progress = p.progress;
                view.issues_found = p.issues_found;
                view.eta_seconds = p.estimated_time_remaining;
                true
            }
            E::AnalysisComplete(done) => {
                let view = self
                    .analyses
                    .entry(done.analysis_id.to_string())
                    .or_insert_with(|| AnalysisView::new(done.project_id.clone()));
                view.status = AnalysisStatus::Complete;
                view.progress = 100.0;
                view.eta_seconds = Some(0);
                view.issues_found = done.issues_found;
                view.finished_at = Some(done.completed_at);
                for result in &done.detectors {
                    let d = view.detector(&result.detector);
                    d.status = result.status;
                    d.progress = 100.0;
                    d.issues_found = Some(result.issues_found);
                }
                self.forget_old_finished_analyses();
                true
            }
            E::AnalysisError(failed) => {
                let view = self
                    .analyses
                    .entry(failed.analysis_id.to_string())
                    .or_insert_with(|| AnalysisView::new(failed.project_id.clone()));
                view.status = AnalysisStatus::Failed;
                view.eta_seconds = None;
                view.finished_at = Some(failed.failed_at);
                view.message = Some(failed.message.clone());
                if let Some(d) = &failed.detector {
                    view.detector(d).status = DetectorStatus::Failed;
                }
                self.forget_old_finished_analyses();
                true
            }
            E::AnalysisCancelled(cancelled) => {
                let view = self
                    .analyses
                    .entry(cancelled.analysis_id.to_string())
                    .or_insert_with(|| AnalysisView::new(cancelled.project_id.clone()));
                view.status = AnalysisStatus::Cancelled;
                view.eta_seconds = None;
                view.finished_at = Some(cancelled.cancelled_at);
                self.forget_old_finished_analyses();
                true
            }
            _ => false,
        }
    }

    /// `sync:snapshot` (the client had no cursor, or one past the hub's retention): the hub's
    /// lists replace ours. Captures still pending or rejected here stay (the outbox owns them); a
    /// synced note or item the hub no longer lists is dropped; an analysis shown running that
    /// the hub no longer lists ended while we were away, outcome unknown, so it is dropped;
    /// finished analyses stay as history.
    pub fn replace_from_snapshot(&mut self, snapshot: &MainSnapshot) {
        self.notes.retain(|_, n| n.state != SyncState::Synced);
        for note in &snapshot.quick_notes {
            self.insert_synced_note(note);
        }
        self.action_items
            .retain(|_, i| i.state != SyncState::Synced);
        for item in &snapshot.action_items {
            self.insert_synced_action_item(item);
        }
        // The hub lists no more than we keep; a server that lists more is cut to the same.
        let about_notes: BTreeSet<&Id> = snapshot.quick_notes.iter().map(|n| &n.agent_id).collect();
        for agent in about_notes {
            self.keep_newest_notes_of(agent);
        }
        let about_items: BTreeSet<&Id> =
            snapshot.action_items.iter().map(|i| &i.agent_id).collect();
        for agent in about_items {
            self.keep_newest_action_items_of(agent);
        }
        self.notifications = snapshot.notifications.clone();
        self.keep_newest_notifications();
        let open: BTreeMap<String, &OpenAnalysis> = snapshot
            .open_analyses
            .iter()
            .map(|a| (a.analysis_id.to_string(), a))
            .collect();
        self.analyses
            .retain(|id, view| view.status != AnalysisStatus::Running || open.contains_key(id));
        for (id, analysis) in open {
            let view = self
                .analyses
                .entry(id)
                .or_insert_with(|| AnalysisView::new(analysis.project_id.clone()));
            view.status = AnalysisStatus::Running;
            view.started_at = Some(analysis.started_at);
            for detector in &analysis.detectors {
                view.detector(detector);
            }
        }
    }

    /// Finished analyses are history the hub does not keep for us (a snapshot lists only the
    /// running ones), and a busy team finishes hundreds a day: only the latest [`FEED_LEN`]
    /// stay, or the list, and every update of it sent to the UI, would grow all day.
    fn forget_old_finished_analyses(&mut self) {
        forget_oldest(&mut self.analyses, FEED_LEN, |view| {
            (view.status != AnalysisStatus::Running).then_some(view.finished_at)
        });
    }

    /// Only the newest synced notes about `agent` ([`kept`]), as a snapshot lists them: a
    /// leader's notes about a team grow by thousands a year, and the whole list is sent to the UI
    /// on every change. Pending and rejected captures always stay (the outbox owns them). Older
    /// ones stay on the hub.
    fn keep_newest_notes_of(&mut self, agent: &Id) {
        forget_oldest(&mut self.notes, kept::NOTES_PER_AGENT, |n| {
            (n.agent_id == *agent && n.state == SyncState::Synced).then_some(n.created_at)
        });
    }

    /// Only the newest synced action items for `agent`, like [`Self::keep_newest_notes_of`].
    fn keep_newest_action_items_of(&mut self, agent: &Id) {
        forget_oldest(&mut self.action_items, kept::ACTION_ITEMS_PER_AGENT, |i| {
            (i.agent_id == *agent && i.state == SyncState::Synced).then_some(i.created_at)
        });
    }

    /// Newest first, and only the newest [`kept::NOTIFICATIONS`], as a snapshot lists them: a
    /// user who never clears them would otherwise hold, and re-send to the UI, every one ever
    /// sent. Older ones stay on the hub until cleared.
    fn keep_newest_notifications(&mut self) {
        self.notifications
            .sort_by_key(|n| std::cmp::Reverse(n.created_at));
        self.notifications.truncate(kept::NOTIFICATIONS);
        self.count_unread();
    }

    fn count_unread(&mut self) {
        self.unread_count = self.notifications.iter().filter(|n| !n.read).count();
    }

    fn note_synced(&mut self, note: &QuickNote) -> bool {
        self.insert_synced_note(note);
        self.keep_newest_notes_of(&note.agent_id);
        true
    }

    fn action_item_synced(&mut self, item: &ActionItem) -> bool {
        self.insert_synced_action_item(item);
        self.keep_newest_action_items_of(&item.agent_id);
        true
    }

    fn insert_synced_note(&mut self, note: &QuickNote) {
        self.notes
            .insert(note.client_id.to_string(), NoteView::from(note));
    }

    fn insert_synced_action_item(&mut self, item: &ActionItem) {
        self.action_items
            .insert(item.client_id.to_string(), ActionItemView::from(item));
    }

    /// The hub refused a capture for good: show it rejected with the reason.
    pub fn reject(&mut self, client_id: &ClientId, reason: &str) -> bool {
        let key = client_id.to_string();
        if let Some(note) = self.notes.get_mut(&key) {
            note.state = SyncState::Rejected;
            note.reason = Some(reason.to_owned());
            return true;
        }
        if let Some(item) = self.action_items.get_mut(&key) {
            item.state = SyncState::Rejected;
            item.reason = Some(reason.to_owned());
            return true;
        }
        false
    }

    /// Merges outbox records: pending and rejected captures appear with their state; a
    /// record the hub already confirmed keeps the hub's version.
    pub fn merge_outbox(&mut self, records: &[OutboxRecord]) -> bool {
        let mut changed = false;
        for record in records {
            let state = match record.state {
                OutboxState::Pending => SyncState::Pending,
                OutboxState::Rejected => SyncState::Rejected,
                OutboxState::Confirmed => SyncState::Synced,
            };
            let key = record.client_id.to_string();
            match record.kind {
                OutboxKind::QuickNote => {
                    if let Some(existing) = self.notes.get_mut(&key) {
                        changed |= resync(&mut existing.state, &mut existing.reason, state, record);
                        continue;
                    }
                    let Ok(create) =
                        serde_json::from_value::<QuickNoteCreate>(record.payload.clone())
                    else {
                        continue;
                    };
                    self.notes.insert(
                        key,
                        NoteView {
                            client_id: record.client_id,
                            state,
                            reason: record.reason.clone(),
                            id: record.server_id.as_deref().and_then(|s| Id::new(s).ok()),
                            agent_id: create.agent_id,
                            note_type: create.note_type,
                            priority: create.priority,
                            category: create.category,
                            content: create.content,
                            created_by: None,
                            created_at: record.created_at,
                        },
                    );
                    changed = true;
                }
                OutboxKind::ActionItem => {
                    if let Some(existing) = self.action_items.get_mut(&key) {
                        changed |= resync(&mut existing.state, &mut existing.reason, state, record);
                        continue;
                    }
                    let Ok(create) =
                        serde_json::from_value::<ActionItemCreate>(record.payload.clone())
                    else {
                        continue;
                    };
                    self.action_items.insert(
                        key,
                        ActionItemView {
                            client_id: record.client_id,
                            state,
                            reason: record.reason.clone(),
                            id: record.server_id.as_deref().and_then(|s| Id::new(s).ok()),
                            agent_id: create.agent_id,
                            title: create.title,
                            description: create.description,
                            due_date: create.due_date,
                            priority: create.priority,
                            category: create.category,
                            status: None,
                            created_by: None,
                            created_at: record.created_at,
                        },
                    );
                    changed = true;
                }
            }
        }
        changed
    }
}

/// Moves a capture already on screen to the outbox record's state, unless the hub's version
/// (synced) is shown already. Returns whether anything changed.
fn resync(
    shown: &mut SyncState,
    reason: &mut Option<String>,
    state: SyncState,
    record: &OutboxRecord,
) -> bool {
    if *shown == SyncState::Synced || *shown == state {
        return false;
    }
    *shown = state;
    *reason = record.reason.clone();
    true
}
