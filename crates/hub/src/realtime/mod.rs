//! The Socket.IO side: the three namespaces, the connect middleware that authenticates the
//! handshake, default rooms and replay at connect, and the dispatcher every incoming event
//! goes through (size limit, rate limit, protocol decoding and validation, handler, `error`
//! answer).
//!
//! Handlers: [`main_ns`] (`/`), [`rooms`] (`/leaderboard`, `/training`), and [`crate::flows`].

pub mod main_ns;
pub mod rate_limit;
pub mod rooms;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::Value;
use sideline_protocol::{
    ClientEvent, EventId, HandshakeAuth, Namespace, Room, SyncDone, error_payload,
};
use socketioxide::extract::{Event, SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::socket::DisconnectReason;

use crate::auth::{Principal, connect_refusal};
use crate::error::{HubError, Result};
use crate::state::HubState;
use crate::store::events;
use rate_limit::TokenBucket;
use tokio::sync::mpsc;

/// Events of one socket admitted but not yet handled; beyond this the socket is rate limited.
const INCOMING_QUEUE: usize = 256;

/// What the hub knows about a connected socket, kept in its extensions.
#[derive(Debug, Clone)]
pub struct SocketContext {
    /// Who the socket acts for (replaced by `auth:request`).
    pub principal: Arc<Mutex<Principal>>,
    /// The `lastEventId` of the handshake.
    pub last_event_id: Option<EventId>,
    /// Rate limit of incoming events.
    pub bucket: Arc<Mutex<TokenBucket>>,
}

impl SocketContext {
    /// The current principal.
    pub fn principal(&self) -> Principal {
        self.principal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Registers the three namespaces on the hub's Socket.IO server.
pub fn register(hub: &Arc<HubState>) {
    for namespace in Namespace::ALL {
        let for_mw = hub.clone();
        let middleware = move |socket: SocketRef, TryData(auth): TryData<Value>| {
            let hub = for_mw.clone();
            async move {
                authenticate(&hub, &socket, auth.ok()).map_err(|err| {
                    hub.metrics.refused(err.code().as_str());
                    connect_refusal(&err)
                })
            }
        };
        let for_connect = hub.clone();
        let on_connect = move |socket: SocketRef| {
            let hub = for_connect.clone();
            async move { connected(hub, socket, namespace).await }
        };
        hub.io.ns(namespace.path(), on_connect.with(middleware));
    }
}

/// The connect middleware: a missing, malformed, expired or wrongly signed token refuses the
/// connection (`connect_error` with `"CODE: sentence"`).
fn authenticate(hub: &HubState, socket: &SocketRef, auth: Option<Value>) -> Result<()> {
    let auth = auth.filter(|v| !v.is_null()).ok_or_else(|| {
        HubError::Unauthorized("the handshake carries no auth object with a token".into())
    })?;
    let auth: HandshakeAuth = serde_json::from_value(auth).map_err(|_| {
        HubError::Unauthorized("the handshake auth must be {token, lastEventId?}".into())
    })?;
    let principal = hub.keys.verify(&auth.token, hub.now())?;
    let bucket = TokenBucket::new(
        hub.config.rate_limit_burst,
        hub.config.rate_limit_per_sec,
        Instant::now(),
    );
    socket.extensions.insert(SocketContext {
        principal: Arc::new(Mutex::new(principal)),
        last_event_id: auth.last_event_id,
        bucket: Arc::new(Mutex::new(bucket)),
    });
    Ok(())
}

/// A socket passed the middleware: wire its handlers, announce presence, join its default
/// rooms and replay what it missed.
async fn connected(hub: Arc<HubState>, socket: SocketRef, namespace: Namespace) {
    let Some(ctx) = socket.extensions.get::<SocketContext>() else {
        // Unreachable: the middleware inserted it. Refuse rather than run unauthenticated.
        let _ = socket.disconnect();
        return;
    };
    hub.metrics.connected(namespace.path());

    // socketioxide spawns each incoming event's handler future as its own task, so two events
    // of one socket could be handled out of order. It calls the handler closure itself
    // synchronously, in arrival order: the closure admits (rate, size) and queues right there,
    // and one task per socket handles the queue in order (a client's creates, cursor moves and
    // leaves take effect in the order it sent them).
    let (queue, mut queued) = mpsc::channel::<(String, Value)>(INCOMING_QUEUE);
    let for_events = hub.clone();
    socket.on_fallback(
        move |socket: SocketRef, Event(name): Event, TryData(data): TryData<Value>| {
            enqueue(
                &for_events,
                &socket,
                &queue,
                name,
                data.unwrap_or(Value::Null),
            );
            std::future::ready(())
        },
    );
    // socketioxide keeps a closed socket's handlers (and so the queue's sender) alive as long
    // as anything holds the socket, and the worker does: it must be told to stop, or every
    // disconnected socket would leave a worker waiting forever.
    let stop = hub.stopping.child_token();
    {
        let (hub, socket, stop) = (hub.clone(), socket.clone(), stop.clone());
        let workers = hub.socket_workers.clone();
        workers.spawn(async move {
            loop {
                let (name, data) = tokio::select! {
                    biased;
                    () = stop.cancelled() => break,
                    next = queued.recv() => match next {
                        Some(event) => event,
                        None => break,
                    },
                };
                incoming(&hub, &socket, namespace, &name, data).await;
            }
        });
    }
    let for_disconnect = hub.clone();
    socket.on_disconnect(move |socket: SocketRef, _reason: DisconnectReason| {
        stop.cancel();
        let hub = for_disconnect.clone();
        async move { disconnected(hub, socket, namespace).await }
    });

    let principal = ctx.principal();
    if let Some(status) = hub.presence.socket_connected(&principal.user_id) {
        main_ns::announce_presence(&hub, &principal, status).await;
    }
    // A new connection is activity: it ends an idle away.
    if let Some(status) = hub.presence.activity(&principal.user_id, hub.now()) {
        main_ns::announce_presence(&hub, &principal, status).await;
    }
    if namespace == Namespace::Main {
        let welcome = sideline_protocol::Connected {
            socket_id: socket.id.to_string(),
            user: principal.user_ref(),
            server_time: hub.now(),
            protocol_version: sideline_protocol::PROTOCOL_VERSION,
        };
        hub.emit_to_socket(&socket, "connected", &welcome);
    }
    if let Err(err) =
        join_default_rooms_and_replay(&hub, &socket, namespace, &principal, ctx.last_event_id).await
    {
        tracing::error!(error = %err, "replay failed");
        hub.emit_to_socket(&socket, "error", &err.to_payload(None));
    }
}

/// Under the store lock (so no live event slips in between): joins the default rooms, sends
/// every logged event after `last` for those rooms, then `sync:done`.
///
/// `sync:done.lastEventId` is the hub's newest event id at that moment: the client has now
/// seen every event up to it that concerns it, so it can resume from there. A client without
/// `lastEventId` has applied nothing yet (a first sign-in, a new machine), and one whose `last`
/// predates pruned events cannot be replayed to: both get the namespace's snapshots instead,
/// and `snapshot: true` tells the client to refetch what has no snapshot event.
async fn join_default_rooms_and_replay(
    hub: &HubState,
    socket: &SocketRef,
    namespace: Namespace,
    principal: &Principal,
    last: Option<EventId>,
) -> Result<()> {
    let db = hub.store.lock().await;
    let rooms = rooms::default_rooms(db.conn(), principal, namespace)?;
    socket.join(rooms.iter().map(Room::to_string).collect::<Vec<_>>());
    let mut replayed = 0u32;
    let mut snapshot = false;
    match last.filter(|id| *id > EventId::NONE) {
        Some(last) if last >= events::pruned_through(db.conn())? => {
            for event in HubState::replay_events(&db, namespace, &rooms, last)? {
                let payload = sideline_protocol::encode_durable(event.id, &event.payload);
                hub.emit_to_socket(socket, &event.event, &payload);
                replayed += 1;
            }
        }
        _ => {
            snapshot = true;
            for (event, payload) in rooms::snapshots(hub, db.conn(), principal, namespace)? {
                hub.emit_to_socket(socket, event, &payload);
            }
        }
    }
    let done = SyncDone {
        last_event_id: events::last_id(db.conn())?,
        replayed,
        snapshot,
    };
    hub.emit_to_socket(socket, "sync:done", &done);
    drop(db);
    Ok(())
}

async fn disconnected(hub: Arc<HubState>, socket: SocketRef, namespace: Namespace) {
    hub.metrics.disconnected(namespace.path());
    let Some(ctx) = socket.extensions.get::<SocketContext>() else {
        return;
    };
    let principal = ctx.principal();
    if namespace == Namespace::Main {
        main_ns::left_sessions(&hub, &socket, &principal).await;
    }
    if let Some(ticket) = hub.presence.socket_disconnected(&principal.user_id) {
        let grace = hub.config.presence_grace;
        tokio::spawn(async move {
            tokio::time::sleep(grace).await;
            if let Some(status) = hub.presence.grace_expired(&principal.user_id, ticket) {
                main_ns::announce_presence(&hub, &principal, status).await;
            }
        });
    }
}

/// An admitted event: decode + validate, handle; any refusal is answered with an `error`
/// event on this socket and the connection stays up.
async fn incoming(
    hub: &Arc<HubState>,
    socket: &SocketRef,
    namespace: Namespace,
    name: &str,
    data: Value,
) {
    let Some(ctx) = socket.extensions.get::<SocketContext>() else {
        return;
    };
    // Read before decoding consumes the payload: a refusal names the record it refuses, so
    // the client settles that outbox entry.
    let client_id = sideline_protocol::raw_client_id(&data);
    let event = match ClientEvent::decode_valid(namespace, name, data) {
        Ok(event) => event,
        Err(err) => {
            let payload = error_payload(&err);
            hub.metrics.refused(payload.code.as_str());
            hub.emit_to_socket(socket, "error", &payload);
            return;
        }
    };
    let result = match event {
        ClientEvent::Main(event) => main_ns::handle(hub, socket, &ctx, event).await,
        ClientEvent::Leaderboard(event) => {
            rooms::handle_leaderboard(hub, socket, &ctx, event).await
        }
        ClientEvent::Training(event) => rooms::handle_training(hub, socket, &ctx, event).await,
    };
    // Any decoded event is activity (after handling, so a `presence:update { away }` is not
    // first undone by the idle rule's "back online").
    let principal = ctx.principal();
    if let Some(status) = hub.presence.activity(&principal.user_id, hub.now()) {
        main_ns::announce_presence(hub, &principal, status).await;
    }
    if let Err(err) = result {
        hub.metrics.refused(err.code().as_str());
        if err.code() == sideline_protocol::ErrorCode::Internal {
            tracing::error!(event = name, error = %err, "handler failed");
        }
        let mut payload = err.to_payload(Some(name));
        payload.client_id = client_id;
        hub.emit_to_socket(socket, "error", &payload);
    }
}

/// Admits an incoming event (rate, size) and queues it for the socket's handler task; a
/// refusal is answered at once.
fn enqueue(
    hub: &HubState,
    socket: &SocketRef,
    queue: &mpsc::Sender<(String, Value)>,
    name: String,
    data: Value,
) {
    let Some(ctx) = socket.extensions.get::<SocketContext>() else {
        return;
    };
    let admitted = admit(hub, &ctx, &name, &data).and_then(|()| {
        queue.try_send((name.clone(), data)).map_err(|_| {
            let mut payload = sideline_protocol::ErrorPayload::new(
                sideline_protocol::ErrorCode::RateLimited,
                "too many events waiting; slow down",
            );
            payload.event = Some(name.clone());
            payload
        })
    });
    if let Err(payload) = admitted {
        hub.metrics.refused(payload.code.as_str());
        hub.emit_to_socket(socket, "error", &payload);
    }
}

/// The size and rate checks, before any decoding.
fn admit(
    hub: &HubState,
    ctx: &SocketContext,
    name: &str,
    data: &Value,
) -> std::result::Result<(), sideline_protocol::ErrorPayload> {
    use sideline_protocol::{ErrorCode, ErrorPayload};
    let taken = ctx
        .bucket
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .try_take_n(rate_limit::event_cost(name, data), Instant::now());
    if let Err(wait) = taken {
        // No clientId, even when the payload has one: a client resends from its oldest
        // unanswered record after the wait, which keeps its records in capture order.
        let mut payload = ErrorPayload::new(ErrorCode::RateLimited, "too many events; slow down");
        payload.event = Some(name.to_owned());
        payload.retry_after_ms = Some(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1));
        return Err(payload);
    }
    let size = serde_json::to_vec(data)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if size as u64 > hub.config.max_payload {
        let mut payload = ErrorPayload::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "the payload is {size} bytes; the limit is {}",
                hub.config.max_payload
            ),
        );
        payload.event = Some(name.to_owned());
        return Err(payload);
    }
    Ok(())
}

/// Ends every live socket whose token has expired by the hub's clock and was not renewed
/// with `auth:request` (which replaces the socket's principal and so its expiry): first an
/// `auth:error` (on `/`) or `error` (on `/leaderboard`, `/training`, whose catalogues have no
/// `auth:error`) with code `TOKEN_EXPIRED`, then a server-side disconnect. The client
/// refreshes its token (or logs in again) and reconnects. Returns how many were ended.
pub fn disconnect_expired(hub: &HubState) -> usize {
    let now = hub.now();
    let mut ended = 0;
    for namespace in Namespace::ALL {
        let Some(ns) = hub.io.of(namespace.path()) else {
            continue;
        };
        for socket in ns.sockets() {
            let Some(ctx) = socket.extensions.get::<SocketContext>() else {
                continue;
            };
            if ctx.principal().expires_at > now {
                continue;
            }
            let payload = sideline_protocol::ErrorPayload::new(
                sideline_protocol::ErrorCode::TokenExpired,
                "the token expired; refresh it (or log in again) and reconnect",
            );
            let event = if namespace == Namespace::Main {
                "auth:error"
            } else {
                "error"
            };
            hub.emit_to_socket(&socket, event, &payload);
            hub.metrics.refused(payload.code.as_str());
            let id = socket.id;
            if let Err(err) = socket.disconnect() {
                tracing::warn!(socket = %id, error = %err, "disconnecting an expired socket failed");
            }
            ended += 1;
        }
    }
    ended
}
