//! `/` collaboration: presence and the online count, coaching sessions (participants,
//! activity, cursors, the live session fields), projects (fields, who is in the room,
//! comments), broadcasts and the generic entity feeds of `data:update`.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sideline_protocol::coaching::{
    CoachingSessionState, CursorPosition, ParticipantInfo, SessionChanges, SessionMember,
    SessionStatus,
};
use sideline_protocol::projects::{Comment, OnlineUser};
use sideline_protocol::realtime::{BroadcastMessage, DataAction, TeamPresence};
use sideline_protocol::{EventId, MainServerEvent, PresenceStatus, UserRef};

use super::forget_oldest;
use super::leaderboard::FEED_LEN;

/// One user's presence.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Presence {
    /// Display name.
    pub user_name: String,
    /// Status.
    pub status: PresenceStatus,
    /// Since when.
    pub changed_at: Option<DateTime<Utc>>,
}

/// A coaching session as seen live.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// Everyone enrolled, in it now or not (from `sync:snapshot`; empty for a session only
    /// heard of through its events).
    pub members: Vec<SessionMember>,
    /// Everyone in it now, as last heard.
    pub participants: Vec<ParticipantInfo>,
    /// Since when no one's coming or going here reaches us, when that is so: we left the
    /// session (the hub then sends its room's news to the others only), or the connection
    /// dropped (what happened meanwhile is never replayed). The next list the hub sends (a
    /// join, anyone's arrival or departure, a snapshot) is live again.
    pub participants_as_of: Option<DateTime<Utc>>,
    /// Active / idle per user id.
    pub activity: BTreeMap<String, bool>,
    /// Carets per user id.
    pub cursors: BTreeMap<String, CursorPosition>,
    /// The session's fields, merged from every `session:updated`.
    pub fields: SessionChanges,
    /// Who edited last (none when the hub closed it for idleness).
    pub updated_by: Option<UserRef>,
    /// When.
    pub updated_at: Option<DateTime<Utc>>,
    /// The last edit or join seen (the snapshot's, then the events').
    pub last_activity_at: Option<DateTime<Utc>>,
}

impl SessionView {
    /// Whether it is over (`COMPLETED` or `CANCELLED`): closed on the hub.
    pub fn is_closed(&self) -> bool {
        self.fields.status.is_some_and(SessionStatus::is_closed)
    }

    /// The hub's current list of who is in it.
    fn heard(&mut self, participants: &[ParticipantInfo]) {
        self.participants = participants.to_vec();
        self.participants_as_of = None;
    }

    /// From `at` on, nobody's coming or going reaches us; an earlier time stays. A closed
    /// session's list stays known: nobody is in it.
    fn unheard_since(&mut self, at: DateTime<Utc>) -> bool {
        let unheard = self.participants_as_of.is_none() && !self.is_closed();
        if unheard {
            self.participants_as_of = Some(at);
        }
        unheard
    }

    /// Moves the last activity forward to `at`, never back.
    fn touched(&mut self, at: Option<DateTime<Utc>>) {
        self.last_activity_at = self.last_activity_at.max(at);
    }
}

/// How many closed coaching sessions stay listed, the latest closed: each stays to be read
/// until the next snapshot, which lists open ones only; an app left running for weeks would
/// otherwise gather every session the team ever held.
pub const CLOSED_SESSIONS_KEPT: usize = 10;

/// A project room.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProjectView {
    /// Fields merged from `project:update`.
    pub fields: serde_json::Map<String, Value>,
    /// Who is in the room.
    pub online_users: Vec<OnlineUser>,
    /// Comments, oldest first: the latest 100 ([`FEED_LEN`]; they arrive only live, and a
    /// busy project's would otherwise grow all day).
    pub comments: Vec<Comment>,
}

/// Everything collaborative on `/`.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamState {
    /// Presence by user id.
    pub presence: BTreeMap<String, Presence>,
    /// Users online or away.
    pub online_count: usize,
    /// Coaching sessions by id: every open one, and the latest 10 closed
    /// ([`CLOSED_SESSIONS_KEPT`]) until the next snapshot drops them all.
    pub sessions: BTreeMap<String, SessionView>,
    /// Projects by id.
    pub projects: BTreeMap<String, ProjectView>,
    /// Broadcasts, newest first.
    #[ts(as = "Vec<BroadcastMessage>")]
    pub broadcasts: VecDeque<BroadcastMessage>,
    /// `data:update` feeds: entity → record id → record.
    pub entities: BTreeMap<String, BTreeMap<String, Value>>,
}

fn merge_changes(into: &mut SessionChanges, from: &SessionChanges) {
    if let Some(v) = &from.discussion_notes {
        into.discussion_notes = Some(v.clone());
    }
    if let Some(v) = &from.topics_covered {
        into.topics_covered = Some(v.clone());
    }
    if let Some(v) = from.engagement_score {
        into.engagement_score = Some(v);
    }
    if let Some(v) = from.status {
        into.status = Some(v);
    }
    if let Some(v) = &from.action_plan {
        into.action_plan = Some(v.clone());
    }
    if let Some(v) = from.next_session_at {
        into.next_session_at = Some(v);
    }
}

impl TeamState {
    /// Applies one event; returns whether anything changed.
    pub fn apply(&mut self, _event_id: Option<EventId>, event: &MainServerEvent) -> bool {
        use MainServerEvent as E;
        match event {
            E::PresenceChanged(p) => {
                self.presence.insert(
                    p.user_id.to_string(),
                    Presence {
                        user_name: p.user_name.clone(),
                        status: p.status,
                        changed_at: Some(p.changed_at),
                    },
                );
            }
            E::SessionJoined(joined) => {
                let session = self
                    .sessions
                    .entry(joined.session_id.to_string())
                    .or_default();
                session.heard(&joined.participants);
                // A join is activity (the hub keeps an idle session open no longer).
                let latest = joined.participants.iter().filter_map(|p| p.joined_at).max();
                session.touched(latest);
            }
            E::UserJoined(joined) => {
                let Some(id) = &joined.session_id else {
                    return false;
                };
                let session = self.sessions.entry(id.to_string()).or_default();
                session.heard(&joined.participants);
                session.touched(joined.user.joined_at);
            }
            E::UserLeft(left) => {
                let Some(id) = &left.session_id else {
                    return false;
                };
                let session = self.sessions.entry(id.to_string()).or_default();
                session.heard(&left.participants);
                session.activity.remove(left.user_id.as_str());
                session.cursors.remove(left.user_id.as_str());
            }
            E::CursorMoved(moved) => {
                let Some(id) = &moved.session_id else {
                    return false;
                };
                self.sessions
                    .entry(id.to_string())
                    .or_default()
                    .cursors
                    .insert(moved.user_id.to_string(), moved.cursor);
            }
            E::UserActivityChanged(activity) => {
                let Some(id) = &activity.session_id else {
                    return false;
                };
                self.sessions
                    .entry(id.to_string())
                    .or_default()
                    .activity
                    .insert(activity.user_id.to_string(), activity.is_active);
            }
            E::SessionUpdated(updated) => {
                let session = self
                    .sessions
                    .entry(updated.session_id.to_string())
                    .or_default();
                merge_changes(&mut session.fields, &updated.updates);
                session.updated_by.clone_from(&updated.updated_by);
                session.updated_at = Some(updated.updated_at);
                session.touched(Some(updated.updated_at));
                // Closed: the hub has emptied its room, and nobody can join it again.
                if session.is_closed() {
                    session.heard(&[]);
                    session.activity.clear();
                    session.cursors.clear();
                    self.forget_oldest_closed_sessions();
                }
            }
            E::ProjectUpdate(update) => {
                let project = self
                    .projects
                    .entry(update.project_id.to_string())
                    .or_default();
                if let Value::Object(changes) = &update.changes {
                    for (k, v) in changes {
                        project.fields.insert(k.clone(), v.clone());
                    }
                }
            }
            E::ProjectUserJoined(joined) => {
                self.room_users(joined.project_id.as_str(), &joined.online_users);
            }
            E::ProjectUserLeft(left) => {
                self.room_users(left.project_id.as_str(), &left.online_users);
            }
            E::CommentCreated(comment) => {
                let project = self
                    .projects
                    .entry(comment.project_id.to_string())
                    .or_default();
                if project.comments.iter().any(|c| c.id == comment.id) {
                    return false;
                }
                project.comments.push(comment.clone());
                let excess = project.comments.len().saturating_sub(FEED_LEN);
                project.comments.drain(..excess);
            }
            E::CommentResolved(resolved) => {
                let project = self
                    .projects
                    .entry(resolved.project_id.to_string())
                    .or_default();
                for c in project
                    .comments
                    .iter_mut()
                    .filter(|c| c.id == resolved.comment_id)
                {
                    c.resolved = true;
                }
            }
            E::Broadcast(message) => {
                self.broadcasts.push_front(message.clone());
                self.broadcasts.truncate(FEED_LEN);
            }
            E::DataUpdate(update) => {
                let feed = self.entities.entry(update.entity.clone()).or_default();
                match update.action {
                    DataAction::Delete => {
                        feed.remove(update.id.as_str());
                    }
                    DataAction::Create => {
                        feed.insert(update.id.to_string(), update.data.clone());
                    }
                    DataAction::Update => {
                        let record = feed
                            .entry(update.id.to_string())
                            .or_insert_with(|| Value::Object(Default::default()));
                        match (record, &update.data) {
                            (Value::Object(record), Value::Object(changes)) => {
                                for (k, v) in changes {
                                    record.insert(k.clone(), v.clone());
                                }
                            }
                            (record, data) => *record = data.clone(),
                        }
                    }
                }
            }
            _ => return false,
        }
        self.count_online();
        true
    }

    /// `sync:snapshot`: the team's presence as the hub sees it now replaces ours (any changes
    /// in between will never be replayed).
    pub fn replace_presence(&mut self, members: &[TeamPresence], taken_at: DateTime<Utc>) {
        self.presence = members
            .iter()
            .map(|m| {
                let changed_at = self
                    .presence
                    .get(m.user_id.as_str())
                    .filter(|known| known.status == m.status)
                    .and_then(|known| known.changed_at)
                    .or(Some(taken_at));
                (
                    m.user_id.to_string(),
                    Presence {
                        user_name: m.user_name.clone(),
                        status: m.status,
                        changed_at,
                    },
                )
            })
            .collect();
        self.count_online();
    }

    /// We left `session_id` at `at`: our own place in it goes. The hub tells only the others,
    /// and from now on we hear no one else come or go there either. Returns whether the view
    /// changed.
    pub fn left(&mut self, session_id: &str, me: &str, at: DateTime<Utc>) -> bool {
        let Some(session) = self.sessions.get_mut(session_id) else {
            return false;
        };
        let before = session.participants.len();
        session.participants.retain(|p| p.id.as_str() != me);
        session.activity.remove(me);
        session.cursors.remove(me);
        let unheard = session.unheard_since(at);
        session.participants.len() != before || unheard
    }

    /// The `/` connection dropped at `at`: whoever comes or goes until it is back is never
    /// replayed, so every session's list is as of then. Returns whether the view changed.
    pub fn connection_lost(&mut self, at: DateTime<Utc>) -> bool {
        let mut changed = false;
        for session in self.sessions.values_mut() {
            changed |= session.unheard_since(at);
        }
        changed
    }

    /// `sync:snapshot`: the open coaching sessions the user is enrolled in, as the hub sees
    /// them now, replace ours: a session closed meanwhile goes, and who is in each and its
    /// fields are the hub's (the joins, leaves and edits in between will never be replayed).
    pub fn replace_sessions(&mut self, sessions: &[CoachingSessionState]) {
        let mut known = std::mem::take(&mut self.sessions);
        self.sessions = sessions
            .iter()
            .map(|session| {
                let before = known.remove(session.session_id.as_str());
                // "Edited by" still holds if nothing was edited since.
                let last_edit = before
                    .filter(|before| before.fields == session.fields)
                    .map(|before| (before.updated_by, before.updated_at));
                let (updated_by, updated_at) = last_edit.unwrap_or_default();
                let view = SessionView {
                    members: session.members.clone(),
                    participants: session.participants.clone(),
                    participants_as_of: None,
                    // The participants carry their activity and caret as the hub knows them.
                    activity: BTreeMap::new(),
                    cursors: BTreeMap::new(),
                    fields: session.fields.clone(),
                    updated_by,
                    updated_at,
                    last_activity_at: Some(session.last_activity_at),
                };
                (session.session_id.to_string(), view)
            })
            .collect();
    }

    /// Only the latest [`CLOSED_SESSIONS_KEPT`] closed sessions stay, by when they closed
    /// (their last edit).
    fn forget_oldest_closed_sessions(&mut self) {
        forget_oldest(&mut self.sessions, CLOSED_SESSIONS_KEPT, |session| {
            session.is_closed().then_some(session.updated_at)
        });
    }

    fn count_online(&mut self) {
        self.online_count = self
            .presence
            .values()
            .filter(|p| p.status != PresenceStatus::Offline)
            .count();
    }

    fn room_users(&mut self, project_id: &str, users: &[OnlineUser]) {
        self.projects
            .entry(project_id.to_owned())
            .or_default()
            .online_users = users.to_vec();
        for user in users {
            self.presence
                .entry(user.id.to_string())
                .and_modify(|p| p.status = user.status)
                .or_insert_with(|| Presence {
                    user_name: user.name.clone(),
                    status: user.status,
                    changed_at: None,
                });
        }
    }
}
