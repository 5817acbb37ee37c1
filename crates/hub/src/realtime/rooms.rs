//! Room membership: the rooms a socket joins at connect, checked joins and leaves, and the
//! `/leaderboard` and `/training` room events.

use std::sync::Arc;

use rusqlite::Connection;
use serde_json::Value;
use sideline_protocol::{Id, LeaderboardClientEvent, Namespace, Room, TrainingClientEvent};
use socketioxide::extract::SocketRef;

use crate::access::may_join;
use crate::auth::{Principal, Role};
use crate::error::Result;
use crate::realtime::SocketContext;
use crate::state::HubState;
use crate::store::org::{self, SessionKind};
use crate::store::users;

/// The rooms a socket joins at connect: `user:{me}` and `team:{myTeam}` everywhere (a display:
/// `team:{t}` and `tv-display`), plus on `/` the projects and open coaching sessions the user
/// belongs to, on `/leaderboard` the contests not yet closed that the user entered (a leader:
/// all of the team's), and on `/training` for a leader every member's `user:{id}` (so the
/// team's XP and streaks stay live, and are replayed after a reconnect).
pub fn default_rooms(
    conn: &Connection,
    principal: &Principal,
    namespace: Namespace,
) -> Result<Vec<Room>> {
    let mut rooms = vec![Room::Team(principal.team_id.clone())];
    if principal.role == Role::Display {
        rooms.push(Room::TvDisplay);
        return Ok(rooms);
    }
    rooms.insert(0, Room::User(principal.user_id.clone()));
    if namespace == Namespace::Main {
        rooms.extend(
            org::projects_of(conn, &principal.user_id)?
                .into_iter()
                .map(Room::Project),
        );
        rooms.extend(
            org::open_sessions_of(conn, &principal.user_id, SessionKind::Coaching)?
                .into_iter()
                .map(Room::Session),
        );
    }
    if namespace == Namespace::Leaderboard {
        rooms.extend(
            followed_contests(conn, principal)?
                .into_iter()
                .map(|contest| Room::Contest(contest.id)),
        );
    }
    if namespace == Namespace::Training && principal.role == Role::Leader {
        rooms.extend(
            users::list(conn, Some(&principal.team_id))?
                .into_iter()
                .filter(|member| member.role != Role::Display && member.id != principal.user_id)
                .map(|member| Room::User(member.id)),
        );
    }
    Ok(rooms)
}

/// Joins the sockets of `users` already connected to `namespace` (each is in its own
/// `user:{id}` room) to `room`, which was made after they connected. Call it under the store
/// lock, where a connect decides its default rooms, so that no socket misses the room in
/// between. A failure is logged: those sockets join the room at their next connect.
pub async fn join_connected(
    hub: &HubState,
    namespace: Namespace,
    users: impl IntoIterator<Item = Id>,
    room: Room,
) {
    let sockets: Vec<String> = users
        .into_iter()
        .map(|user| Room::User(user).to_string())
        .collect();
    if sockets.is_empty() {
        return;
    }
    if let Some(ns) = hub.io.of(namespace.path())
        && let Err(err) = ns.within(sockets).join(room.to_string()).await
    {
        tracing::warn!(error = %err, %room, "joining connected sockets to a new room failed");
    }
}

/// The contests not yet closed that `principal` follows: those entered, or for a leader or a
/// display every one of the team's. (A display hears them through `tv-display`, not their
/// rooms.)
pub fn followed_contests(conn: &Connection, principal: &Principal) -> Result<Vec<org::ContestRow>> {
    Ok(org::team_contests(conn, &principal.team_id)?
        .into_iter()
        .filter(|contest| {
            contest.closed_at.is_none()
                && (principal.role != Role::Agent
                    || contest.entrant_ids.contains(&principal.user_id))
        })
        .collect())
}

/// The refresh snapshots sent instead of a replay to a client with nothing to replay from (no
/// `lastEventId`, or one past the retention window), before `sync:done { snapshot: true }`.
///
/// `/leaderboard` gets a `leaderboard:refresh` per metric and range of the team and the
/// standings of the running contests it follows; `/` gets one `sync:snapshot` (notes, action
/// items, notifications, open analyses, team presence, the user's open coaching sessions);
/// `/training` one `training:snapshot` (XP, level, streak, achievements; the team's numbers
/// for a leader or display). What has no snapshot event (comments, entity feeds) is refetched
/// over HTTP: that is what `snapshot: true` still tells the client.
pub fn snapshots(
    hub: &HubState,
    conn: &Connection,
    principal: &Principal,
    namespace: Namespace,
) -> Result<Vec<(&'static str, Value)>> {
    match namespace {
        Namespace::Leaderboard => crate::flows::leaderboard::snapshots(hub, conn, principal),
        Namespace::Main => Ok(vec![(
            "sync:snapshot",
            serde_json::to_value(crate::flows::main::snapshot(hub, conn, principal)?)?,
        )]),
        Namespace::Training => Ok(vec![(
            "training:snapshot",
            serde_json::to_value(crate::flows::training::snapshot(hub, conn, principal)?)?,
        )]),
    }
}

/// Joins `room` if [`may_join`] allows it (checked and joined under the store lock, so the
/// join cannot race a membership change).
pub async fn join_checked(
    hub: &HubState,
    socket: &SocketRef,
    principal: &Principal,
    room: &Room,
) -> Result<()> {
    let namespace = Namespace::parse(socket.ns()).unwrap_or(Namespace::Main);
    let db = hub.store.lock().await;
    may_join(principal, room, namespace, db.conn())?;
    socket.join(room.to_string());
    Ok(())
}

/// Leaves a room (always allowed).
pub fn leave(socket: &SocketRef, room: &Room) -> Result<()> {
    socket.leave(room.to_string());
    Ok(())
}

/// `/leaderboard` client events.
pub async fn handle_leaderboard(
    hub: &Arc<HubState>,
    socket: &SocketRef,
    ctx: &SocketContext,
    event: LeaderboardClientEvent,
) -> Result<()> {
    let principal = ctx.principal();
    match event {
        LeaderboardClientEvent::JoinTvDisplay(_) => {
            join_checked(hub, socket, &principal, &Room::TvDisplay).await
        }
        LeaderboardClientEvent::LeaveTvDisplay(_) => leave(socket, &Room::TvDisplay),
        LeaderboardClientEvent::JoinUser(id) => {
            join_checked(hub, socket, &principal, &Room::User(id)).await
        }
        LeaderboardClientEvent::LeaveUser(id) => leave(socket, &Room::User(id)),
        LeaderboardClientEvent::JoinTeam(id) => {
            join_checked(hub, socket, &principal, &Room::Team(id)).await
        }
        LeaderboardClientEvent::LeaveTeam(id) => leave(socket, &Room::Team(id)),
        LeaderboardClientEvent::JoinContest(id) => {
            join_checked(hub, socket, &principal, &Room::Contest(id)).await
        }
        LeaderboardClientEvent::LeaveContest(id) => leave(socket, &Room::Contest(id)),
        LeaderboardClientEvent::LeaderboardRequest(request) => {
            crate::flows::leaderboard::answer_request(hub, socket, &principal, request).await
        }
    }
}

/// `/training` client events.
pub async fn handle_training(
    hub: &Arc<HubState>,
    socket: &SocketRef,
    ctx: &SocketContext,
    event: TrainingClientEvent,
) -> Result<()> {
    let principal = ctx.principal();
    match event {
        TrainingClientEvent::JoinUser(id) => {
            join_checked(hub, socket, &principal, &Room::User(id)).await
        }
        TrainingClientEvent::LeaveUser(id) => leave(socket, &Room::User(id)),
        TrainingClientEvent::JoinSession(id) => {
            crate::flows::training::join_session(hub, socket, &principal, id).await
        }
        TrainingClientEvent::LeaveSession(id) => leave(socket, &Room::Session(id)),
        TrainingClientEvent::JoinModule(id) => {
            join_checked(hub, socket, &principal, &Room::Module(id)).await
        }
        TrainingClientEvent::LeaveModule(id) => leave(socket, &Room::Module(id)),
        TrainingClientEvent::RoleplayMessage(message) => {
            crate::flows::training::roleplay_message(hub, socket, &principal, message).await
        }
        TrainingClientEvent::RoleplayStopTyping(stop) => {
            crate::flows::training::roleplay_stop_typing(hub, &principal, stop).await
        }
        TrainingClientEvent::ProgressUpdate(report) => {
            crate::flows::training::progress_update(hub, &principal, report).await
        }
    }
}
