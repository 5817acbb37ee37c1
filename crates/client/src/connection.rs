//! [`HubConnection`]: one Socket.IO connection to one namespace of the hub, and the only code
//! in the workspace's client side that touches `rust_socketio`.
//!
//! Every defect listed in `/work/shared/notes/socketio-facts.md` is absorbed here, so nothing
//! above this module knows the library exists:
//! - the library never reconnects by itself (a failed first connect is never retried by it,
//!   its attempt counter is broken, and it would re-send a stale `lastEventId`);
//!   [`crate::supervisor`] reconnects, with a fresh [`HandshakeAuth`] for each attempt;
//! - a *graceful* close by the hub (engine.io close packet, as `io.close()` sends on
//!   shutdown) ends the library's stream without any callback. Its reconnect hook is the only
//!   place that learns of it, so the hook is armed just to report
//!   [`ConnectionEvent::Disconnected`]; it then hands the library an unparsable address so
//!   its own attempt fails without touching the network, and our close marks the client
//!   manually disconnected, which ends the library's loop;
//! - the WebSocket transport is forced (long-polling mangles bursts from Node);
//! - the namespace connect arrives as `Event::Connect` (never `"connect"`);
//! - a transport failure is only an `Event::Error` with a string: it is reported as
//!   [`ConnectionEvent::Disconnected`];
//! - the hub's `error` *event* arrives through the same `Event::Error` callback: a JSON
//!   object with a `code` is the protocol's `ErrorPayload` and becomes an ordinary
//!   [`ConnectionEvent::Event`] named `error`;
//! - a refused handshake (`connect_error`) carries `"CODE: sentence"` and becomes
//!   [`ConnectionEvent::Refused`];
//! - callbacks run under the library's lock, inside the loop that answers pings: they only
//!   push into an unbounded channel (a bounded one could block that loop) and return;
//! - no library acks are used; emitting while disconnected returns
//!   [`ClientError::NotConnected`] (the outbox is the buffer);
//! - a dead link is noticed by the library's own engine.io ping check (no ping for the hub's
//!   `pingInterval + pingTimeout`, 45 s at its defaults: `Event::Error`, so
//!   [`ConnectionEvent::Disconnected`]). That check sends a close packet first, under the
//!   transport's lock: behind a dead link with a full send buffer, a write never completes, the
//!   lock is never released, and neither the check nor our own close ever return. So an emit
//!   that cannot hand its frame to the kernel within [`EMIT_TIMEOUT`] reports the link dead
//!   itself, and [`Link::close`] gives up after [`CLOSE_TIMEOUT`] (the library's stuck task
//!   and its socket then linger until the kernel gives up on the connection).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::FutureExt;
use std::time::Duration;

use rust_socketio::asynchronous::{Client, ClientBuilder, ReconnectSettings};
use rust_socketio::{Event, Payload, TransportType};
use serde_json::Value;
use sideline_protocol::connection::ConnectRefusal;
use sideline_protocol::{HandshakeAuth, Namespace};
use tokio::sync::{Notify, mpsc};

use crate::error::{ClientError, Result};

/// How long an emit may wait for the transport to take its frame before the link counts as
/// dead. A write blocks only when the kernel's send buffer is full, i.e. megabytes sent and
/// not acknowledged; the hub's engine.io ping timeout (20 s at its defaults) has then passed
/// for it too, since our pong waits behind those bytes.
pub const EMIT_TIMEOUT: Duration = Duration::from_secs(20);

/// How long [`Link::close`] waits for the library's disconnect (one small packet on a live
/// link) before letting the connection go.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// What a connection reports, in arrival order.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectionEvent {
    /// The namespace handshake succeeded.
    Connected,
    /// A server event with its first argument (`Value::Null` when it had none). The hub's
    /// `error` event arrives here too, named `error`.
    Event {
        /// The event name.
        name: String,
        /// Its one JSON argument.
        data: Value,
    },
    /// The transport closed or failed.
    Disconnected {
        /// What the library said, for logs.
        reason: String,
    },
    /// The hub refused the handshake (`connect_error`).
    Refused {
        /// `UNAUTHORIZED`, `TOKEN_EXPIRED`, ... (`UNKNOWN` when the message had no code).
        code: String,
        /// The sentence after the code.
        message: String,
    },
}

/// An established connection the engine can emit on. Implemented by [`HubConnection`] and,
/// in tests, by scripted fakes.
pub trait Link: Send + Sync + 'static {
    /// Emits one event with one JSON argument. Errors when the connection is down.
    fn emit(&self, name: &str, data: Value) -> impl Future<Output = Result<()>> + Send;
    /// Closes the connection (idempotent).
    fn close(&self) -> impl Future<Output = ()> + Send;
}

/// Opens connections: the supervisor's transport seam.
pub trait Connector: Send + Sync + 'static {
    /// The connection type.
    type Link: Link;
    /// Starts connecting `namespace` at `url` with `auth`. `Ok` means the transport is open;
    /// the outcome of the namespace handshake arrives on `events` ([`ConnectionEvent::Connected`]
    /// or [`ConnectionEvent::Refused`]), followed by everything else.
    fn connect(
        &self,
        url: &str,
        namespace: Namespace,
        auth: &HandshakeAuth,
        events: mpsc::UnboundedSender<ConnectionEvent>,
    ) -> impl Future<Output = Result<Self::Link>> + Send;
}

/// The real connector: `rust_socketio` over WebSocket.
#[derive(Debug, Clone, Copy, Default)]
pub struct SocketIoConnector;

impl Connector for SocketIoConnector {
    type Link = HubConnection;

    async fn connect(
        &self,
        url: &str,
        namespace: Namespace,
        auth: &HandshakeAuth,
        events: mpsc::UnboundedSender<ConnectionEvent>,
    ) -> Result<HubConnection> {
        HubConnection::open(url, namespace, auth, events).await
    }
}

/// One `rust_socketio` client on one namespace.
#[derive(Clone)]
pub struct HubConnection {
    client: Client,
    /// Cleared by the first disconnect or close: emits then fail fast with `NotConnected`.
    up: Arc<AtomicBool>,
    /// Fired by [`Link::close`]: releases the library's reconnect hook.
    closed: Arc<Notify>,
    /// Where a stuck emit reports the link dead.
    events: mpsc::UnboundedSender<ConnectionEvent>,
}

impl std::fmt::Debug for HubConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubConnection")
            .field("up", &self.up.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl HubConnection {
    /// Opens the transport and sends the namespace handshake; see [`Connector::connect`].
    pub async fn open(
        url: &str,
        namespace: Namespace,
        auth: &HandshakeAuth,
        events: mpsc::UnboundedSender<ConnectionEvent>,
    ) -> Result<HubConnection> {
        let up = Arc::new(AtomicBool::new(true));
        let closed = Arc::new(Notify::new());
        let (on_connect, on_error, on_close, on_any, on_ended) = (
            events.clone(),
            events.clone(),
            events.clone(),
            events.clone(),
            events.clone(),
        );
        let (up_error, up_close, up_ended) = (up.clone(), up.clone(), up.clone());
        let closed_hook = closed.clone();
        let client = ClientBuilder::new(url)
            .namespace(namespace.path())
            .transport_type(TransportType::Websocket)
            // See the module doc: armed only to learn that the stream ended.
            .reconnect(true)
            .reconnect_on_disconnect(true)
            .max_reconnect_attempts(1)
            .reconnect_delay(1_000, 1_000)
            .on_reconnect(move || {
                let first = up_ended.swap(false, Ordering::AcqRel);
                if first {
                    let _ = on_ended.send(ConnectionEvent::Disconnected {
                        reason: "the transport closed".into(),
                    });
                }
                let closed = closed_hook.clone();
                async move {
                    // Hold the library until our close marks it manually disconnected (so
                    // its loop ends), but never forever.
                    let _ = tokio::time::timeout(Duration::from_secs(60), closed.notified()).await;
                    let mut settings = ReconnectSettings::new();
                    settings.address("not a url: reconnecting is the supervisor's job");
                    settings
                }
                .boxed()
            })
            .auth(serde_json::to_value(auth)?)
            .on(Event::Connect, move |_, _| {
                let _ = on_connect.send(ConnectionEvent::Connected);
                async {}.boxed()
            })
            .on(Event::Error, move |payload, _| {
                let event = classify_error(first_arg(payload));
                if matches!(
                    event,
                    ConnectionEvent::Disconnected { .. } | ConnectionEvent::Refused { .. }
                ) {
                    up_error.store(false, Ordering::Release);
                }
                let _ = on_error.send(event);
                async {}.boxed()
            })
            .on(Event::Close, move |_, _| {
                up_close.store(false, Ordering::Release);
                let _ = on_close.send(ConnectionEvent::Disconnected {
                    reason: "the hub closed the connection".into(),
                });
                async {}.boxed()
            })
            .on_any(move |event, payload, _| {
                let name: String = event.into();
                let _ = on_any.send(ConnectionEvent::Event {
                    name,
                    data: first_arg(payload),
                });
                async {}.boxed()
            })
            .connect()
            .await
            .map_err(|e| ClientError::Network(e.to_string()))?;
        Ok(HubConnection {
            client,
            up,
            closed,
            events,
        })
    }
}

impl Link for HubConnection {
    async fn emit(&self, name: &str, data: Value) -> Result<()> {
        if !self.up.load(Ordering::Acquire) {
            return Err(ClientError::NotConnected);
        }
        let emit = self.client.emit(name, Payload::Text(vec![data]));
        match tokio::time::timeout(EMIT_TIMEOUT, emit).await {
            Ok(sent) => sent.map_err(|_| ClientError::NotConnected),
            Err(_) => {
                // Dropping the emit released the transport's lock; the link is dead all the
                // same (see the module doc).
                if self.up.swap(false, Ordering::AcqRel) {
                    let _ = self.events.send(ConnectionEvent::Disconnected {
                        reason: format!(
                            "an emit made no progress for {} s: the link is dead",
                            EMIT_TIMEOUT.as_secs()
                        ),
                    });
                }
                Err(ClientError::NotConnected)
            }
        }
    }

    async fn close(&self) {
        self.up.store(false, Ordering::Release);
        // Marks the client manually disconnected (ending the library's loop) even when the
        // transport is already gone; the packets it tries to send then just fail. Bounded:
        // behind a dead link with a full send buffer they never complete.
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, self.client.disconnect()).await;
        self.closed.notify_waiters();
        self.closed.notify_one();
    }
}

/// The first argument of an event (`Null` when it had none).
fn first_arg(payload: Payload) -> Value {
    match payload {
        Payload::Text(mut values) if !values.is_empty() => values.swap_remove(0),
        Payload::Text(_) => Value::Null,
        #[allow(deprecated)]
        Payload::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
        Payload::Binary(_) => Value::Null,
    }
}

/// The prefix `rust_socketio` puts before a `connect_error` packet's data.
const CONNECT_ERROR_PREFIX: &str = "Received an ConnectError frame: ";

/// Tells the three things that arrive on `Event::Error` apart: the hub's `error` event (a JSON
/// object with `code`), a refused handshake, and a transport error.
pub(crate) fn classify_error(arg: Value) -> ConnectionEvent {
    match arg {
        Value::Object(map) if map.contains_key("code") => ConnectionEvent::Event {
            name: "error".into(),
            data: Value::Object(map),
        },
        Value::String(text) => match text.strip_prefix(CONNECT_ERROR_PREFIX) {
            Some(data) => {
                let (code, message) = parse_refusal(data);
                ConnectionEvent::Refused { code, message }
            }
            None => ConnectionEvent::Disconnected { reason: text },
        },
        other => ConnectionEvent::Disconnected {
            reason: other.to_string(),
        },
    }
}

/// Parses a `connect_error` packet's data (`{"message": "CODE: sentence"}`) with the
/// protocol's [`ConnectRefusal::parse`]; a message without a known code is `UNKNOWN`.
pub(crate) fn parse_refusal(data: &str) -> (String, String) {
    match ConnectRefusal::parse(data) {
        Some(refusal) => (refusal.code.as_str().to_owned(), refusal.message),
        None => {
            let message = match serde_json::from_str::<Value>(data) {
                Ok(Value::Object(map)) => map
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or(data)
                    .to_owned(),
                Ok(Value::String(m)) => m,
                _ => data.to_owned(),
            };
            ("UNKNOWN".to_owned(), message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hub_error_events_are_events() {
        let payload = json!({"code": "VALIDATION_FAILED", "message": "too long"});
        assert_eq!(
            classify_error(payload.clone()),
            ConnectionEvent::Event {
                name: "error".into(),
                data: payload
            }
        );
    }

    #[test]
    fn transport_errors_are_disconnects() {
        assert!(matches!(
            classify_error(json!("EngineIO Error")),
            ConnectionEvent::Disconnected { .. }
        ));
    }

    #[test]
    fn connect_errors_carry_their_code() {
        let text = format!(
            "{CONNECT_ERROR_PREFIX}{}",
            json!({"message": "TOKEN_EXPIRED: the token has expired"})
        );
        assert_eq!(
            classify_error(Value::String(text)),
            ConnectionEvent::Refused {
                code: "TOKEN_EXPIRED".into(),
                message: "the token has expired".into()
            }
        );
        assert_eq!(
            parse_refusal("\"no code here\""),
            ("UNKNOWN".into(), "no code here".into())
        );
    }
}
