//! `/` flows: coaching sessions (participants, activity, throttled cursors, live edits),
//! project rooms, analysis cancel, comments, `data:update`, `broadcast`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use sideline_protocol::coaching::{
    CursorMoved, CursorPosition, ParticipantInfo, ParticipantRole, SessionChanges, SessionJoined,
    SessionStatus, SessionUpdated, UserActivityChanged, UserJoined, UserLeft,
};
use sideline_protocol::projects::{
    AnalysisCancelled, Comment, CommentResolved, OnlineUser, ProjectUserJoined, ProjectUserLeft,
};
use sideline_protocol::realtime::{BroadcastMessage, DataAction, DataUpdated, kept};
use sideline_protocol::{Id, MainClientEvent, Namespace, PresenceStatus, Room};
use socketioxide::extract::SocketRef;

use crate::access::may_join;
use crate::auth::{Principal, Role};
use crate::error::{HubError, Result};
use crate::realtime::main_ns::{Created, new_id};
use crate::state::HubState;
use crate::store::org::{self, SessionKind};
use crate::store::records::{self, RecordKind};
use crate::store::{users, work};

/// Who is in which coaching session right now (per socket), and the cursor throttle.
#[derive(Debug, Default)]
pub struct LiveSessions {
    inner: Mutex<LiveInner>,
    /// One move at a time. A join, a leave, a disconnect, an activity change or an idle close
    /// holds it from changing a session's participants until what that change sends has been
    /// sent, so that everyone in the room hears the lists in the order of the changes (a list
    /// sent after a later one would undo that one in their view). Taken before the store lock,
    /// never under it.
    moves: tokio::sync::Mutex<()>,
}

/// The turn of one move (see [`LiveSessions::moves`]), held until it is dropped; changing who
/// is in a session takes it.
#[derive(Debug)]
pub struct MoveTurn<'a> {
    _held: tokio::sync::MutexGuard<'a, ()>,
}

#[derive(Debug, Default)]
struct LiveInner {
    /// session → socket id → participant.
    sessions: HashMap<Id, HashMap<String, ParticipantInfo>>,
    /// socket id → its current session.
    socket_session: HashMap<String, Id>,
    /// user → cursor throttle.
    cursors: HashMap<Id, CursorGate>,
}

/// Per-user cursor throttle: at most one relay per interval; moves in between are coalesced
/// and the latest is sent when the interval ends (latest wins).
#[derive(Debug, Default)]
struct CursorGate {
    last_sent: Option<Instant>,
    pending: Option<(Id, CursorMoved)>,
    flush_scheduled: bool,
}

/// What to do with a cursor move.
#[derive(Debug, PartialEq)]
pub enum CursorDecision {
    /// Relay it now.
    SendNow,
    /// Held; a flush is due after this delay (schedule one).
    FlushAfter(Duration),
    /// Held; a flush is already scheduled.
    Coalesced,
}

impl LiveSessions {
    /// Waits until no other move is under way.
    pub async fn begin_move(&self) -> MoveTurn<'_> {
        MoveTurn {
            _held: self.moves.lock().await,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut LiveInner) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The coaching session `socket` is in.
    fn session_of(&self, socket: &SocketRef) -> Option<Id> {
        self.with(|inner| inner.socket_session.get(&socket.id.to_string()).cloned())
    }

    /// Participants of a session, one per user (their most recent socket's info).
    pub fn participants(&self, session: &Id) -> Vec<ParticipantInfo> {
        self.with(|inner| dedupe(inner.sessions.get(session)))
    }

    /// Offers a cursor move of `user` at `now`; pure (time is an argument).
    pub fn offer_cursor(
        &self,
        user: &Id,
        session: Id,
        moved: CursorMoved,
        now: Instant,
        interval: Duration,
    ) -> CursorDecision {
        self.with(|inner| {
            let gate = inner.cursors.entry(user.clone()).or_default();
            match gate.last_sent {
                Some(last) if now.saturating_duration_since(last) < interval => {
                    gate.pending = Some((session, moved));
                    if gate.flush_scheduled {
                        CursorDecision::Coalesced
                    } else {
                        gate.flush_scheduled = true;
                        CursorDecision::FlushAfter(interval - now.saturating_duration_since(last))
                    }
                }
                _ => {
                    gate.last_sent = Some(now);
                    gate.pending = None;
                    CursorDecision::SendNow
                }
            }
        })
    }

    /// Takes the held cursor move of `user` for a due flush.
    pub fn take_pending_cursor(&self, user: &Id, now: Instant) -> Option<(Id, CursorMoved)> {
        self.with(|inner| {
            let gate = inner.cursors.get_mut(user)?;
            gate.flush_scheduled = false;
            let pending = gate.pending.take();
            if pending.is_some() {
                gate.last_sent = Some(now);
            }
            pending
        })
    }
}

fn dedupe(sockets: Option<&HashMap<String, ParticipantInfo>>) -> Vec<ParticipantInfo> {
    let mut by_user: HashMap<Id, ParticipantInfo> = HashMap::new();
    for info in sockets.into_iter().flat_map(HashMap::values) {
        by_user.insert(info.id.clone(), info.clone());
    }
    let mut list: Vec<ParticipantInfo> = by_user.into_values().collect();
    list.sort_by(|a, b| a.id.cmp(&b.id));
    list
}

fn room_payload<T: serde::Serialize>(payload: &T) -> Value {
    serde_json::to_value(payload).unwrap_or_default()
}

/// The `/` events not handled in `realtime::main_ns`.
pub async fn handle(
    hub: &Arc<HubState>,
    socket: &SocketRef,
    principal: &Principal,
    event: MainClientEvent,
) -> Result<()> {
    match event {
        MainClientEvent::JoinSession(join) => {
            join_session(hub, socket, principal, join.session_id).await
        }
        MainClientEvent::LeaveSession(leave) => {
            leave_session(hub, socket, principal, leave.map(|l| l.session_id)).await;
            Ok(())
        }
        MainClientEvent::SessionUpdate(update) => update_session(hub, principal, update).await,
        MainClientEvent::CursorUpdate(cursor) => {
            principal.ensure_can_write()?;
            let session = current_session(hub, socket, cursor.session_id)?;
            let moved = CursorMoved {
                user_id: principal.user_id.clone(),
                cursor: CursorPosition {
                    line: cursor.line,
                    column: cursor.column,
                },
                session_id: Some(session.clone()),
            };
            let interval =
                Duration::from_secs_f64(1.0 / f64::from(hub.config.cursor_max_per_sec.max(1)));
            let decision = hub.live.offer_cursor(
                &principal.user_id,
                session.clone(),
                moved.clone(),
                Instant::now(),
                interval,
            );
            match decision {
                CursorDecision::SendNow => {
                    hub.emit_to_rooms_except(
                        socket,
                        &[Room::Session(session)],
                        "cursor-moved",
                        &room_payload(&moved),
                    )
                    .await;
                }
                CursorDecision::FlushAfter(delay) => {
                    let (hub, socket, user) =
                        (hub.clone(), socket.clone(), principal.user_id.clone());
                    tokio::spawn(async move {
                        tokio::time::sleep(delay).await;
                        if let Some((session, moved)) =
                            hub.live.take_pending_cursor(&user, Instant::now())
                        {
                            hub.emit_to_rooms_except(
                                &socket,
                                &[Room::Session(session)],
                                "cursor-moved",
                                &room_payload(&moved),
                            )
                            .await;
                        }
                    });
                }
                CursorDecision::Coalesced => {}
            }
            Ok(())
        }
        MainClientEvent::ActivityStatus(status) => {
            principal.ensure_can_write()?;
            // Idle is reported by the client: inactive means away, active means online again.
            let presence = if status.is_active {
                PresenceStatus::Online
            } else {
                PresenceStatus::Away
            };
            if let Some(changed) = hub.presence.set_status(&principal.user_id, presence) {
                crate::realtime::main_ns::announce_presence(hub, principal, changed).await;
            }
            // A participant's activity is part of the session's lists: see `LiveSessions::moves`.
            let _turn = hub.live.begin_move().await;
            if status.session_id.is_none() && hub.live.session_of(socket).is_none() {
                return Ok(());
            }
            let session = current_session(hub, socket, status.session_id)?;
            hub.live.with(|inner| {
                if let Some(info) = inner
                    .sessions
                    .get_mut(&session)
                    .and_then(|s| s.get_mut(&socket.id.to_string()))
                {
                    info.is_active = status.is_active;
                }
            });
            let changed = UserActivityChanged {
                user_id: principal.user_id.clone(),
                is_active: status.is_active,
                session_id: Some(session.clone()),
            };
            {
                let db = hub.store.lock().await;
                org::touch_session(db.conn(), &session, hub.now())?;
            }
            hub.emit_to_rooms_except(
                socket,
                &[Room::Session(session)],
                "user-activity-changed",
                &room_payload(&changed),
            )
            .await;
            Ok(())
        }
        MainClientEvent::ProjectJoin(project) => {
            let room = Room::Project(project.project_id.clone());
            crate::realtime::rooms::join_checked(hub, socket, principal, &room).await?;
            let joined = ProjectUserJoined {
                project_id: project.project_id.clone(),
                user: principal.user_ref(),
                online_users: online_members(hub, &project.project_id).await?,
                joined_at: hub.now(),
            };
            hub.emit_to_rooms(
                Namespace::Main,
                &[room],
                "project:user:joined",
                &room_payload(&joined),
            )
            .await;
            Ok(())
        }
        MainClientEvent::ProjectLeave(project) => {
            let room = Room::Project(project.project_id.clone());
            socket.leave(room.to_string());
            let left = ProjectUserLeft {
                project_id: project.project_id.clone(),
                user: principal.user_ref(),
                online_users: online_members(hub, &project.project_id).await?,
                left_at: hub.now(),
            };
            hub.emit_to_rooms(
                Namespace::Main,
                &[room],
                "project:user:left",
                &room_payload(&left),
            )
            .await;
            Ok(())
        }
        MainClientEvent::AnalysisCancel(cancel) => {
            principal.ensure_can_write()?;
            request_analysis_cancel(hub, principal, &cancel.analysis_id).await
        }
        MainClientEvent::CommentCreate(create) => {
            principal.ensure_can_write()?;
            if let Created::Repeat(original) = create_comment(hub, principal, create).await? {
                hub.emit_to_socket(socket, "comment:created", &original);
            }
            Ok(())
        }
        MainClientEvent::CommentResolve(resolve) => {
            principal.ensure_can_write()?;
            let now = hub.now();
            hub.commit(|tx, outbox| {
                let mut comment: Comment =
                    records::get(tx, RecordKind::Comment, &resolve.comment_id)?.ok_or_else(
                        || HubError::NotFound(format!("no comment {}", resolve.comment_id)),
                    )?;
                may_join(
                    principal,
                    &Room::Project(comment.project_id.clone()),
                    Namespace::Main,
                    tx,
                )?;
                comment.resolved = true;
                records::update(tx, RecordKind::Comment, &comment.id, &comment)?;
                outbox.push(
                    Namespace::Main,
                    vec![Room::Project(comment.project_id.clone())],
                    "comment:resolved",
                    &CommentResolved {
                        comment_id: comment.id.clone(),
                        project_id: comment.project_id.clone(),
                        resolved_by: principal.user_ref(),
                        resolved_at: now,
                    },
                )
            })
            .await
        }
        MainClientEvent::DataUpdate(update) => {
            principal.ensure_can_write()?;
            data_update(hub, socket, principal, update).await
        }
        MainClientEvent::Broadcast(send) => {
            principal.ensure_can_write()?;
            let rooms = socket.rooms();
            if !rooms.iter().any(|r| r.as_ref() == send.room.to_string()) {
                return Err(HubError::Forbidden(format!("you are not in {}", send.room)));
            }
            let message = BroadcastMessage {
                room: send.room.clone(),
                topic: send.topic,
                data: send.data,
                from: Some(principal.user_ref()),
                client_id: Some(send.client_id),
                sent_at: hub.now(),
            };
            hub.commit(|_, outbox| {
                outbox.push(
                    Namespace::Main,
                    vec![send.room.clone()],
                    "broadcast",
                    &message,
                )
            })
            .await
        }
        other => Err(super::not_supported(other.name())),
    }
}

/// `session:update`: a leader of the session's team edits an open coaching session; the edit
/// is merged into its stored fields and goes durably to its room as `session:updated`. A
/// status of `COMPLETED` or `CANCELLED` also closes it: its room is emptied after the event.
pub async fn update_session(
    hub: &HubState,
    principal: &Principal,
    update: sideline_protocol::coaching::SessionUpdate,
) -> Result<()> {
    principal.ensure_can_write()?;
    let closes = update.updates.status.is_some_and(SessionStatus::is_closed);
    // Closing changes who is in it: see `LiveSessions::moves`.
    let turn = if closes {
        Some(hub.live.begin_move().await)
    } else {
        None
    };
    let now = hub.now();
    let updated = SessionUpdated {
        session_id: update.session_id.clone(),
        updates: update.updates,
        updated_by: Some(principal.user_ref()),
        updated_at: now,
    };
    hub.commit(|tx, outbox| {
        let (kind, team, _) = org::session(tx, &update.session_id)?
            .ok_or_else(|| HubError::NotFound(format!("no open session {}", update.session_id)))?;
        let coaches = principal.role == Role::Leader && principal.team_id.as_str() == team;
        if kind != SessionKind::Coaching || !coaches {
            return Err(HubError::Forbidden(
                "only a leader of its team edits a session".into(),
            ));
        }
        tx.execute(
            "UPDATE sessions SET data = json_patch(data, ?2), last_activity_at = ?3,
                 closed_at = CASE WHEN ?4 THEN ?3 ELSE closed_at END
             WHERE id = ?1",
            rusqlite::params![
                update.session_id.as_str(),
                serde_json::to_string(&updated.updates)?,
                now.to_rfc3339(),
                closes
            ],
        )?;
        outbox.push(
            Namespace::Main,
            vec![Room::Session(update.session_id.clone())],
            "session:updated",
            &updated,
        )
    })
    .await?;
    if let Some(turn) = turn {
        empty_closed_sessions(hub, &turn, std::slice::from_ref(&update.session_id)).await;
    }
    Ok(())
}

fn current_session(hub: &HubState, socket: &SocketRef, given: Option<Id>) -> Result<Id> {
    match (given, hub.live.session_of(socket)) {
        (Some(given), Some(current)) if given == current => Ok(given),
        (None, Some(current)) => Ok(current),
        (Some(given), _) => Err(HubError::Forbidden(format!("join session {given} first"))),
        (None, None) => Err(HubError::Conflict("you are in no coaching session".into())),
    }
}

/// `join-session`: a participant (or a leader of the session's team) enters; a leader joining
/// an unknown id opens a new session as its instructor, and a closed one is refused
/// (`CONFLICT`). The joiner gets `session-joined`, the room `user-joined`; a socket already in
/// another session leaves it first, in the same move.
async fn join_session(
    hub: &Arc<HubState>,
    socket: &SocketRef,
    principal: &Principal,
    session: Id,
) -> Result<()> {
    let turn = hub.live.begin_move().await;
    let now = hub.now();
    let role = if principal.role == Role::Leader {
        ParticipantRole::Instructor
    } else {
        ParticipantRole::Learner
    };
    {
        let db = hub.store.lock().await;
        let conn = db.conn();
        match org::session(conn, &session)? {
            // A closed session stays closed: its id is not opened again.
            None if org::session_exists(conn, &session)? => {
                return Err(HubError::Conflict(format!("session {session} is closed")));
            }
            None if principal.role == Role::Leader => {
                org::insert_session(
                    conn,
                    &session,
                    SessionKind::Coaching,
                    &principal.team_id,
                    &principal.user_id,
                    "instructor",
                    now,
                )?;
            }
            None => return Err(HubError::NotFound(format!("no open session {session}"))),
            Some((SessionKind::Training, ..)) => {
                return Err(HubError::Conflict(format!(
                    "{session} is a training session"
                )));
            }
            Some(_) => {
                may_join(
                    principal,
                    &Room::Session(session.clone()),
                    Namespace::Main,
                    conn,
                )?;
                org::touch_session(conn, &session, now)?;
            }
        }
        socket.join(Room::Session(session.clone()).to_string());
    }
    let me = ParticipantInfo {
        id: principal.user_id.clone(),
        name: principal.name.clone(),
        role,
        is_active: true,
        cursor: None,
        joined_at: Some(now),
    };
    let sid = socket.id.to_string();
    let previous = hub.live.with(|inner| {
        let previous = inner.socket_session.insert(sid.clone(), session.clone());
        inner
            .sessions
            .entry(session.clone())
            .or_default()
            .insert(sid.clone(), me.clone());
        previous
    });
    if let Some(previous) = previous.filter(|p| *p != session) {
        leave_live(hub, &turn, socket, principal, &previous, false).await;
    }
    let participants = hub.live.participants(&session);
    hub.emit_to_socket(
        socket,
        "session-joined",
        &SessionJoined {
            session_id: session.clone(),
            participants: participants.clone(),
        },
    );
    let joined = UserJoined {
        user: me,
        participants,
        session_id: Some(session.clone()),
    };
    hub.emit_to_rooms_except(
        socket,
        &[Room::Session(session)],
        "user-joined",
        &room_payload(&joined),
    )
    .await;
    Ok(())
}

/// `leave-session`: the given session, or else the socket's current one.
async fn leave_session(
    hub: &Arc<HubState>,
    socket: &SocketRef,
    principal: &Principal,
    session: Option<Id>,
) {
    let turn = hub.live.begin_move().await;
    let Some(session) = session.or_else(|| hub.live.session_of(socket)) else {
        return;
    };
    socket.leave(Room::Session(session.clone()).to_string());
    leave_live(hub, &turn, socket, principal, &session, true).await;
}

/// Removes the socket from the live session and tells the room `user-left`, within the
/// caller's move.
async fn leave_live(
    hub: &Arc<HubState>,
    _turn: &MoveTurn<'_>,
    socket: &SocketRef,
    principal: &Principal,
    session: &Id,
    forget_socket: bool,
) {
    let sid = socket.id.to_string();
    let removed = hub.live.with(|inner| {
        if forget_socket && inner.socket_session.get(&sid) == Some(session) {
            inner.socket_session.remove(&sid);
        }
        let sockets = inner.sessions.get_mut(session)?;
        let info = sockets.remove(&sid);
        if sockets.is_empty() {
            inner.sessions.remove(session);
        }
        info
    });
    let Some(user) = removed else { return };
    let participants = hub.live.participants(session);
    let left = UserLeft {
        user_id: principal.user_id.clone(),
        user,
        participants,
        session_id: Some(session.clone()),
    };
    hub.emit_to_rooms(
        Namespace::Main,
        &[Room::Session(session.clone())],
        "user-left",
        &room_payload(&left),
    )
    .await;
}

/// A `/` socket disconnected: it leaves its coaching session.
pub async fn socket_gone(hub: &Arc<HubState>, socket: &SocketRef, principal: &Principal) {
    let turn = hub.live.begin_move().await;
    if let Some(session) = hub.live.session_of(socket) {
        leave_live(hub, &turn, socket, principal, &session, true).await;
    }
}

/// Closes coaching sessions idle for longer than the configured limit: each room hears
/// `session:updated` with status `COMPLETED` and no editor, then is emptied. Returns the
/// closed ids.
pub async fn close_idle_sessions(hub: &HubState) -> Result<Vec<Id>> {
    let turn = hub.live.begin_move().await;
    let now = hub.now();
    let idle = chrono::Duration::from_std(hub.config.session_idle)
        .map_err(|e| HubError::Config(e.to_string()))?;
    let closed = hub
        .commit(|tx, outbox| {
            let closed = org::close_idle_sessions(tx, now - idle, now)?;
            let coaching = closed.iter().filter(|(_, k)| *k == SessionKind::Coaching);
            for (session, _) in coaching {
                let updated = SessionUpdated {
                    session_id: session.clone(),
                    updates: SessionChanges {
                        status: Some(SessionStatus::Completed),
                        ..SessionChanges::default()
                    },
                    updated_by: None,
                    updated_at: now,
                };
                outbox.push(
                    Namespace::Main,
                    vec![Room::Session(session.clone())],
                    "session:updated",
                    &updated,
                )?;
            }
            Ok(closed.into_iter().map(|(id, _)| id).collect::<Vec<_>>())
        })
        .await?;
    empty_closed_sessions(hub, &turn, &closed).await;
    Ok(closed)
}

/// Empties the rooms of closed sessions, after their last event, within the caller's move.
async fn empty_closed_sessions(hub: &HubState, _turn: &MoveTurn<'_>, closed: &[Id]) {
    let Some(ns) = hub.io.of(Namespace::Main.path()) else {
        return;
    };
    for session in closed {
        let room = Room::Session(session.clone()).to_string();
        let _ = ns.clone().within(room.clone()).leave(room).await;
        hub.live.with(|inner| {
            if let Some(sockets) = inner.sessions.remove(session) {
                for sid in sockets.keys() {
                    inner.socket_session.remove(sid);
                }
            }
        });
    }
}

async fn online_members(hub: &HubState, project: &Id) -> Result<Vec<OnlineUser>> {
    let members: Vec<users::UserRecord> = {
        let db = hub.store.lock().await;
        let mut stmt = db
            .conn()
            .prepare_cached("SELECT user_id FROM project_members WHERE project_id = ?1")?;
        let ids: Vec<String> = stmt
            .query_map([project.as_str()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut list = Vec::new();
        for id in ids.into_iter().filter_map(|s| Id::new(s).ok()) {
            list.extend(users::by_id(db.conn(), &id)?);
        }
        list
    };
    Ok(members
        .into_iter()
        .filter_map(|u| {
            let status = hub.presence.status(&u.id);
            (status != PresenceStatus::Offline).then_some(OnlineUser {
                id: u.id,
                name: u.name,
                status,
            })
        })
        .collect())
}

/// Stores a comment once per (author, clientId); the first time, `comment:created` goes
/// durably to the project room.
pub async fn create_comment(
    hub: &HubState,
    author: &Principal,
    create: sideline_protocol::projects::CommentCreate,
) -> Result<Created<Comment>> {
    let now = hub.now();
    hub.commit(|tx, outbox| {
        if let Some(original) =
            records::find_by_client_id(tx, RecordKind::Comment, &author.user_id, &create.client_id)?
        {
            return Ok(Created::Repeat(original));
        }
        may_join(
            author,
            &Room::Project(create.project_id.clone()),
            Namespace::Main,
            tx,
        )?;
        let comment = Comment {
            id: new_id(),
            client_id: create.client_id,
            project_id: create.project_id.clone(),
            content: create.content,
            file_path: create.file_path,
            line: create.line,
            parent_id: create.parent_id,
            author: author.user_ref(),
            resolved: false,
            created_at: now,
        };
        records::insert(
            tx,
            RecordKind::Comment,
            &comment.id,
            &author.user_id,
            &comment.client_id,
            Some(comment.project_id.as_str()),
            &comment,
            now,
        )?;
        outbox.push(
            Namespace::Main,
            vec![Room::Project(comment.project_id.clone())],
            "comment:created",
            &comment,
        )?;
        Ok(Created::New(comment))
    })
    .await
}

/// `analysis:cancel` by a project member: marks the job cancel-requested (the runner polls
/// `GET /api/v1/analyses/{id}` or gets its webhook) and waits for the runner's confirmation.
pub async fn request_analysis_cancel(
    hub: &HubState,
    principal: &Principal,
    analysis: &Id,
) -> Result<()> {
    let now = hub.now();
    let webhook = {
        let db = hub.store.lock().await;
        let job = work::analysis(db.conn(), analysis)?
            .ok_or_else(|| HubError::NotFound(format!("no analysis {analysis}")))?;
        let project = Id::new(job.project_id.clone()).map_err(|e| HubError::Internal(e.rule))?;
        may_join(
            principal,
            &Room::Project(project),
            Namespace::Main,
            db.conn(),
        )?;
        if job.state != work::AnalysisState::Running {
            return Err(HubError::Conflict(format!(
                "analysis {analysis} is not running"
            )));
        }
        work::request_cancel(db.conn(), analysis, now)?;
        job.webhook_url
    };
    if let Some(url) = webhook {
        crate::http::analysis::notify_cancel_webhook(url, analysis.clone());
    }
    Ok(())
}

/// Confirms a cancellation reported by the runner: `analysis:cancelled` to the project.
pub async fn confirm_analysis_cancelled(
    hub: &HubState,
    analysis: &Id,
) -> Result<AnalysisCancelled> {
    let now = hub.now();
    hub.commit(|tx, outbox| {
        let job = work::analysis(tx, analysis)?
            .ok_or_else(|| HubError::NotFound(format!("no analysis {analysis}")))?;
        if job.state != work::AnalysisState::Running {
            return Err(HubError::Conflict(format!(
                "analysis {analysis} is not running"
            )));
        }
        work::set_analysis_state(tx, analysis, work::AnalysisState::Cancelled, now)?;
        let project = Id::new(job.project_id).map_err(|e| HubError::Internal(e.rule))?;
        let cancelled = AnalysisCancelled {
            analysis_id: analysis.clone(),
            project_id: project.clone(),
            cancelled_by: None,
            cancelled_at: now,
        };
        outbox.push(
            Namespace::Main,
            vec![Room::Project(project)],
            "analysis:cancelled",
            &cancelled,
        )?;
        Ok(cancelled)
    })
    .await
}

/// `data:update`: stores the entity row (a create once per author and clientId) and relays
/// `data:update` durably to `room` (which the sender must be allowed to join) or the
/// sender's user room.
async fn data_update(
    hub: &HubState,
    socket: &SocketRef,
    principal: &Principal,
    update: sideline_protocol::realtime::DataUpdate,
) -> Result<()> {
    let now = hub.now();
    let room = update
        .room
        .clone()
        .unwrap_or_else(|| Room::User(principal.user_id.clone()));
    let created = hub
        .commit(|tx, outbox| {
            may_join(principal, &room, Namespace::Main, tx)?;
            if update.action == DataAction::Create
                && let Some(client_id) = &update.client_id
                && let Some(original) = records::find_by_client_id::<DataUpdated>(
                    tx,
                    RecordKind::Entity,
                    &principal.user_id,
                    client_id,
                )?
            {
                return Ok(Created::Repeat(original));
            }
            let id = update.id.clone().unwrap_or_else(new_id);
            work::put_entity(
                tx,
                &update.entity,
                &id,
                &update.data,
                Some(&room.to_string()),
                update.action == DataAction::Delete,
                now,
            )?;
            let updated = DataUpdated {
                entity: update.entity.clone(),
                action: update.action,
                room: update.room.clone(),
                id: id.clone(),
                client_id: update.client_id,
                data: update.data.clone(),
                updated_by: principal.user_ref(),
                updated_at: now,
            };
            if update.action == DataAction::Create
                && let Some(client_id) = &update.client_id
            {
                records::insert(
                    tx,
                    RecordKind::Entity,
                    &new_id(),
                    &principal.user_id,
                    client_id,
                    Some(&update.entity),
                    &updated,
                    now,
                )?;
            }
            outbox.push(Namespace::Main, vec![room.clone()], "data:update", &updated)?;
            Ok(Created::New(updated))
        })
        .await?;
    if let Created::Repeat(original) = created {
        hub.emit_to_socket(socket, "data:update", &original);
    }
    Ok(())
}

/// The `sync:snapshot` of a user on `/` (sent instead of a replay on a first connection or past
/// the retention window): the newest notes and action items about the user (an agent) or about
/// each member of the user's team (a leader), the user's newest notifications with read state,
/// running analyses of the user's projects, and the team's presence. A display gets the team's
/// presence only.
pub fn snapshot(
    hub: &HubState,
    conn: &rusqlite::Connection,
    principal: &Principal,
) -> Result<sideline_protocol::realtime::MainSnapshot> {
    use sideline_protocol::notes::{ActionItem, QuickNote};
    use sideline_protocol::notifications::Notification;
    use sideline_protocol::realtime::{MainSnapshot, TeamPresence};

    let team = users::list(conn, Some(&principal.team_id))?;
    let subjects: Vec<Id> = match principal.role {
        Role::Leader => team.iter().map(|u| u.id.clone()).collect(),
        Role::Agent => vec![principal.user_id.clone()],
        Role::Display => Vec::new(),
    };
    let mut quick_notes: Vec<QuickNote> = Vec::new();
    let mut action_items: Vec<ActionItem> = Vec::new();
    for subject in &subjects {
        quick_notes.extend(records::latest_by_subject(
            conn,
            RecordKind::QuickNote,
            subject.as_str(),
            kept::NOTES_PER_AGENT,
        )?);
        action_items.extend(records::latest_by_subject(
            conn,
            RecordKind::ActionItem,
            subject.as_str(),
            kept::ACTION_ITEMS_PER_AGENT,
        )?);
    }
    quick_notes.sort_by_key(|n| n.created_at);
    action_items.sort_by_key(|a| a.created_at);
    let (notifications, open_analyses) = if principal.role == Role::Display {
        (Vec::new(), Vec::new())
    } else {
        let notifications: Vec<Notification> = records::latest_by_subject(
            conn,
            RecordKind::Notification,
            principal.user_id.as_str(),
            kept::NOTIFICATIONS,
        )?;
        let mut open = Vec::new();
        for project in org::projects_of(conn, &principal.user_id)? {
            open.extend(work::open_analyses(conn, &project)?);
        }
        (notifications, open)
    };
    let presence = team
        .iter()
        .filter(|u| u.role != Role::Display)
        .map(|u| TeamPresence {
            user_id: u.id.clone(),
            user_name: u.name.clone(),
            status: hub.presence.status(&u.id),
        })
        .collect();
    // The sessions whose rooms the socket joined at connect (none for a display).
    let mut coaching_sessions = Vec::new();
    if principal.role != Role::Display {
        for id in org::open_sessions_of(conn, &principal.user_id, SessionKind::Coaching)? {
            if let Some(mut session) = org::coaching_session_state(conn, &id)? {
                session.participants = hub.live.participants(&id);
                coaching_sessions.push(session);
            }
        }
    }
    Ok(MainSnapshot {
        user_id: principal.user_id.clone(),
        quick_notes,
        action_items,
        notifications,
        open_analyses,
        presence,
        coaching_sessions,
        taken_at: hub.now(),
    })
}
