//! `/` client events: quick notes and action items (idempotent per author and clientId),
//! rooms, presence, notifications, re-authentication. Coaching sessions, projects, comments
//! and `data:update` live in [`crate::flows`].

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sideline_protocol::notes::{ActionItem, ActionItemStatus, QuickNote, RecordCreate};
use sideline_protocol::notifications::{
    Notification, NotificationsCleared, NotificationsMarkedRead,
};
use sideline_protocol::realtime::{AuthSuccess, PresenceChanged};
use sideline_protocol::{
    ClientId, ErrorCode, Id, MainClientEvent, Namespace, PresenceStatus, Room,
};
use socketioxide::extract::SocketRef;

use crate::auth::{Principal, Role};
use crate::error::{HubError, Result};
use crate::publish::Outbox;
use crate::realtime::SocketContext;
use crate::realtime::rooms::{join_checked, leave};
use crate::state::HubState;
use crate::store::records::{self, RecordKind};
use crate::store::users;

/// A fresh server id for a record.
pub fn new_id() -> Id {
    Id::new(uuid::Uuid::now_v7().simple().to_string()).expect("a simple UUID is a valid id")
}

/// Whether a creation made something new or found the author's earlier record.
#[derive(Debug)]
pub enum Created<T> {
    /// Stored now; its durable event was logged and emitted.
    New(T),
    /// The author had already created it with this clientId.
    Repeat(T),
}

/// Dispatches one decoded, valid `/` event.
pub async fn handle(
    hub: &Arc<HubState>,
    socket: &SocketRef,
    ctx: &SocketContext,
    event: MainClientEvent,
) -> Result<()> {
    let principal = ctx.principal();
    match event {
        MainClientEvent::QuickNoteCreate(create) => {
            let created = create_quick_note(hub, &principal, create).await?;
            echo_repeat(hub, socket, "quickNote:created", created);
            Ok(())
        }
        MainClientEvent::ActionItemCreate(create) => {
            let created = create_action_item(hub, &principal, create).await?;
            echo_repeat(hub, socket, "actionItem:created", created);
            Ok(())
        }
        MainClientEvent::RecordsCreate(batch) => {
            create_records(hub, socket, &principal, batch.records).await;
            Ok(())
        }
        MainClientEvent::RoomJoin(request) => {
            join_checked(hub, socket, &principal, &request.room).await
        }
        MainClientEvent::RoomLeave(request) => leave(socket, &request.room),
        MainClientEvent::PresenceUpdate(update) => {
            principal.ensure_can_write()?;
            if let Some(status) = hub.presence.set_status(&principal.user_id, update.status) {
                announce_presence(hub, &principal, status).await;
            }
            Ok(())
        }
        MainClientEvent::AuthRequest(request) => {
            match hub.keys.verify(&request.token, hub.now()) {
                Ok(fresh) if fresh.user_id == principal.user_id => {
                    let success = AuthSuccess {
                        user: fresh.user_ref(),
                        expires_at: Some(fresh.expires_at),
                    };
                    *ctx.principal.lock().unwrap_or_else(|e| e.into_inner()) = fresh;
                    hub.emit_to_socket(socket, "auth:success", &success);
                }
                Ok(_) => {
                    let err = HubError::Unauthorized("the token is for another user".into());
                    hub.emit_to_socket(socket, "auth:error", &err.to_payload(Some("auth:request")));
                }
                Err(err) => {
                    hub.emit_to_socket(socket, "auth:error", &err.to_payload(Some("auth:request")));
                }
            }
            Ok(())
        }
        MainClientEvent::NotificationSend(send) => {
            principal.ensure_leader()?;
            let created = send_notification(hub, Some(&principal), send).await?;
            echo_repeat(hub, socket, "notification", created);
            Ok(())
        }
        MainClientEvent::NotificationRead(read) => {
            principal.ensure_can_write()?;
            mark_read(hub, &principal, Some(read.notification_id)).await
        }
        MainClientEvent::NotificationReadAll(_) => {
            principal.ensure_can_write()?;
            mark_read(hub, &principal, None).await
        }
        MainClientEvent::NotificationClear(_) => {
            principal.ensure_can_write()?;
            clear_notifications(hub, &principal).await
        }
        other => crate::flows::main::handle(hub, socket, &principal, other).await,
    }
}

/// What storing one record of a batch came to.
#[derive(Debug)]
enum BatchAnswer {
    Note(Created<QuickNote>),
    Item(Created<ActionItem>),
}

/// A `records:create` batch: every record stored and answered exactly as if it had come
/// alone, in order, in one transaction (one commit and one hold of the store lock for the
/// batch, not one per record). A record's refusal is an `error` naming its event and
/// `clientId`, and the batch goes on; a failure of the store refuses every record of the
/// batch with `INTERNAL`, and nothing of it is kept.
async fn create_records(
    hub: &HubState,
    socket: &SocketRef,
    principal: &Principal,
    records: Vec<RecordCreate>,
) {
    let now = hub.now();
    let keys: Vec<(&'static str, ClientId)> = records
        .iter()
        .map(|record| (record.event(), record.client_id()))
        .collect();
    let stored = match principal.ensure_leader() {
        Err(err) => Err(err),
        Ok(()) => {
            hub.commit(|tx, outbox| {
                records
                    .into_iter()
                    .map(|record| {
                        let answer = match record {
                            RecordCreate::QuickNote(create) => {
                                store_quick_note(tx, outbox, principal, create, now)
                                    .map(BatchAnswer::Note)
                            }
                            RecordCreate::ActionItem(create) => {
                                store_action_item(tx, outbox, principal, create, now)
                                    .map(BatchAnswer::Item)
                            }
                        };
                        match answer {
                            // The store failed: the transaction goes, with the whole batch.
                            Err(err) if err.code() == ErrorCode::Internal => Err(err),
                            answer => Ok(answer),
                        }
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .await
        }
    };
    let answers: Vec<Result<BatchAnswer>> = match stored {
        Ok(answers) => answers,
        Err(err) => {
            if err.code() == ErrorCode::Internal {
                tracing::error!(error = %err, "storing a batch of records failed");
            }
            let refusal = err.to_payload(None);
            for (event, client_id) in keys {
                refuse_record(hub, socket, refusal.clone(), event, client_id);
            }
            return;
        }
    };
    for ((event, client_id), answer) in keys.into_iter().zip(answers) {
        match answer {
            Ok(BatchAnswer::Note(created)) => {
                echo_repeat(hub, socket, "quickNote:created", created);
            }
            Ok(BatchAnswer::Item(created)) => {
                echo_repeat(hub, socket, "actionItem:created", created);
            }
            Err(err) => refuse_record(hub, socket, err.to_payload(None), event, client_id),
        }
    }
}

/// Answers one refused record of a batch as if it had come alone.
fn refuse_record(
    hub: &HubState,
    socket: &SocketRef,
    mut refusal: sideline_protocol::ErrorPayload,
    event: &str,
    client_id: ClientId,
) {
    hub.metrics.refused(refusal.code.as_str());
    refusal.event = Some(event.to_owned());
    refusal.client_id = Some(client_id);
    hub.emit_to_socket(socket, "error", &refusal);
}

/// A repeat is echoed to the sender only, without an eventId (it is not re-logged).
fn echo_repeat<T: serde::Serialize>(
    hub: &HubState,
    socket: &SocketRef,
    event: &str,
    created: Created<T>,
) {
    if let Created::Repeat(original) = created {
        hub.emit_to_socket(socket, event, &original);
    }
}

/// The agent a leader writes about: must exist, be an agent, and be in the leader's team.
fn agent_of_team(conn: &rusqlite::Connection, leader: &Principal, agent: &Id) -> Result<()> {
    let user =
        users::by_id(conn, agent)?.ok_or_else(|| HubError::NotFound(format!("no user {agent}")))?;
    if user.team_id != leader.team_id || user.role != Role::Agent {
        return Err(HubError::Forbidden(format!(
            "{agent} is not an agent of your team"
        )));
    }
    Ok(())
}

/// Stores a quick note once per (author, clientId); the first time, `quickNote:created` goes
/// durably to the leader's and the agent's user rooms.
pub async fn create_quick_note(
    hub: &HubState,
    author: &Principal,
    create: sideline_protocol::notes::QuickNoteCreate,
) -> Result<Created<QuickNote>> {
    author.ensure_leader()?;
    let now = hub.now();
    hub.commit(|tx, outbox| store_quick_note(tx, outbox, author, create, now))
        .await
}

/// [`create_quick_note`]'s work inside a transaction (the author is a leader).
fn store_quick_note(
    tx: &rusqlite::Transaction<'_>,
    outbox: &mut Outbox,
    author: &Principal,
    create: sideline_protocol::notes::QuickNoteCreate,
    now: DateTime<Utc>,
) -> Result<Created<QuickNote>> {
    if let Some(original) = records::find_by_client_id(
        tx,
        RecordKind::QuickNote,
        &author.user_id,
        &create.client_id,
    )? {
        return Ok(Created::Repeat(original));
    }
    agent_of_team(tx, author, &create.agent_id)?;
    let note = QuickNote {
        id: new_id(),
        client_id: create.client_id,
        agent_id: create.agent_id.clone(),
        team_leader_id: author.user_id.clone(),
        note_type: create.note_type,
        content: create.content,
        priority: create.priority,
        category: create.category,
        created_at: now,
        created_by: author.user_ref(),
    };
    records::insert(
        tx,
        RecordKind::QuickNote,
        &note.id,
        &author.user_id,
        &note.client_id,
        Some(note.agent_id.as_str()),
        &note,
        now,
    )?;
    outbox.push(
        Namespace::Main,
        vec![
            Room::User(author.user_id.clone()),
            Room::User(note.agent_id.clone()),
        ],
        "quickNote:created",
        &note,
    )?;
    Ok(Created::New(note))
}

/// Stores an action item once per (author, clientId); see [`create_quick_note`].
pub async fn create_action_item(
    hub: &HubState,
    author: &Principal,
    create: sideline_protocol::notes::ActionItemCreate,
) -> Result<Created<ActionItem>> {
    author.ensure_leader()?;
    let now = hub.now();
    hub.commit(|tx, outbox| store_action_item(tx, outbox, author, create, now))
        .await
}

/// [`create_action_item`]'s work inside a transaction (the author is a leader).
fn store_action_item(
    tx: &rusqlite::Transaction<'_>,
    outbox: &mut Outbox,
    author: &Principal,
    create: sideline_protocol::notes::ActionItemCreate,
    now: DateTime<Utc>,
) -> Result<Created<ActionItem>> {
    if let Some(original) = records::find_by_client_id(
        tx,
        RecordKind::ActionItem,
        &author.user_id,
        &create.client_id,
    )? {
        return Ok(Created::Repeat(original));
    }
    agent_of_team(tx, author, &create.agent_id)?;
    let item = ActionItem {
        id: new_id(),
        client_id: create.client_id,
        agent_id: create.agent_id.clone(),
        team_leader_id: author.user_id.clone(),
        title: create.title,
        description: create.description,
        due_date: create.due_date,
        priority: create.priority,
        category: create.category,
        status: ActionItemStatus::Pending,
        created_at: now,
        created_by: author.user_ref(),
    };
    records::insert(
        tx,
        RecordKind::ActionItem,
        &item.id,
        &author.user_id,
        &item.client_id,
        Some(item.agent_id.as_str()),
        &item,
        now,
    )?;
    outbox.push(
        Namespace::Main,
        vec![
            Room::User(author.user_id.clone()),
            Room::User(item.agent_id.clone()),
        ],
        "actionItem:created",
        &item,
    )?;
    Ok(Created::New(item))
}

/// Stores a notification for one user and delivers it durably to `user:{userId}`. `from` is
/// the sending leader, or `None` for an integration (then the receiver is the idempotency
/// author: the clientId is unique per receiver).
pub async fn send_notification(
    hub: &HubState,
    from: Option<&Principal>,
    send: sideline_protocol::notifications::NotificationSend,
) -> Result<Created<Notification>> {
    let now = hub.now();
    let author = from.map_or_else(|| send.user_id.clone(), |p| p.user_id.clone());
    hub.commit(|tx, outbox| {
        if let Some(original) =
            records::find_by_client_id(tx, RecordKind::Notification, &author, &send.client_id)?
        {
            return Ok(Created::Repeat(original));
        }
        let receiver = users::by_id(tx, &send.user_id)?
            .ok_or_else(|| HubError::NotFound(format!("no user {}", send.user_id)))?;
        if let Some(from) = from
            && receiver.team_id != from.team_id
        {
            return Err(HubError::Forbidden(format!(
                "{} is not in your team",
                send.user_id
            )));
        }
        let notification = Notification {
            id: new_id(),
            user_id: send.user_id.clone(),
            kind: send.kind,
            title: send.title,
            message: send.message,
            data: send.data,
            read: false,
            from: from.map(Principal::user_ref),
            client_id: Some(send.client_id),
            created_at: now,
        };
        records::insert(
            tx,
            RecordKind::Notification,
            &notification.id,
            &author,
            &send.client_id,
            Some(send.user_id.as_str()),
            &notification,
            now,
        )?;
        outbox.push(
            Namespace::Main,
            vec![Room::User(send.user_id.clone())],
            "notification",
            &notification,
        )?;
        Ok(Created::New(notification))
    })
    .await
}

/// Marks one (or every) notification of the principal read; every device of the user gets
/// `notification:read`.
pub async fn mark_read(hub: &HubState, principal: &Principal, one: Option<Id>) -> Result<()> {
    let now = hub.now();
    hub.commit(|tx, outbox| {
        let mine: Vec<Notification> =
            records::by_subject(tx, RecordKind::Notification, principal.user_id.as_str())?;
        let targets: Vec<Notification> = match &one {
            Some(id) => {
                let found = mine
                    .into_iter()
                    .find(|n| n.id == *id)
                    .ok_or_else(|| HubError::NotFound(format!("no notification {id}")))?;
                vec![found]
            }
            None => mine,
        };
        for mut n in targets.into_iter().filter(|n| !n.read) {
            n.read = true;
            records::update(tx, RecordKind::Notification, &n.id, &n)?;
        }
        outbox.push(
            Namespace::Main,
            vec![Room::User(principal.user_id.clone())],
            "notification:read",
            &NotificationsMarkedRead {
                user_id: principal.user_id.clone(),
                notification_id: one.clone(),
                read_at: now,
            },
        )
    })
    .await
}

/// Deletes every notification of the principal; every device gets `notification:cleared`.
pub async fn clear_notifications(hub: &HubState, principal: &Principal) -> Result<()> {
    let now = hub.now();
    hub.commit(|tx, outbox| {
        records::delete_by_subject(tx, RecordKind::Notification, principal.user_id.as_str())?;
        outbox.push(
            Namespace::Main,
            vec![Room::User(principal.user_id.clone())],
            "notification:cleared",
            &NotificationsCleared {
                user_id: principal.user_id.clone(),
                cleared_at: now,
            },
        )
    })
    .await
}

/// Tells the user's team (and projects) on `/` that their presence changed.
pub async fn announce_presence(hub: &HubState, principal: &Principal, status: PresenceStatus) {
    if principal.is_display() {
        return;
    }
    let mut rooms = vec![Room::Team(principal.team_id.clone())];
    let mut team = Vec::new();
    {
        let db = hub.store.lock().await;
        if let Ok(projects) = crate::store::org::projects_of(db.conn(), &principal.user_id) {
            rooms.extend(projects.into_iter().map(Room::Project));
        }
        if let Ok(members) = users::list(db.conn(), Some(&principal.team_id)) {
            team = members
                .into_iter()
                .filter(|u| u.role != Role::Display)
                .map(|u| u.id)
                .collect();
        }
    }
    let online = hub.presence.online_count(team.iter());
    let changed = PresenceChanged {
        user_id: principal.user_id.clone(),
        user_name: principal.name.clone(),
        status,
        room: None,
        changed_at: hub.now(),
        online_count: u32::try_from(online).ok(),
    };
    let payload = serde_json::to_value(&changed).unwrap_or_default();
    hub.emit_to_rooms(Namespace::Main, &rooms, "presence:changed", &payload)
        .await;
}

/// A `/` socket went away: it leaves its coaching sessions (`user-left`).
pub async fn left_sessions(hub: &Arc<HubState>, socket: &SocketRef, principal: &Principal) {
    crate::flows::main::socket_gone(hub, socket, principal).await;
}
