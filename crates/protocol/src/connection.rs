//! Connection-level payloads shared by every namespace: the handshake's auth object,
//! `connected`, `error`, `sync:done`, and [`NoPayload`] for events that carry nothing.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ts_rs::TS;

use crate::id::EventId;
use crate::user::UserRef;
use crate::validate::{Validate, ValidationError};

/// Version of this protocol, sent in `connected`. Bumped on every change that an older peer
/// would misread (a renamed event, a new required field it must send), and when the hub
/// learns an event that a client may send only to a hub that knows it.
///
/// - 1: the seeds' events and our additions.
/// - 2: `records:create` (a batch of captured records) and `retryAfterMs` on `RATE_LIMITED`.
pub const PROTOCOL_VERSION: u32 = 2;

/// The first [`PROTOCOL_VERSION`] whose hubs take `records:create`.
pub const RECORDS_BATCH_SINCE: u32 = 2;

/// The Socket.IO handshake `auth` object a client sends when it connects to any namespace.
/// Not an event: it travels in the CONNECT packet (`io(url, { auth })`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct HandshakeAuth {
    /// Bearer token (JWT).
    pub token: String,
    /// The highest [`EventId`] the client has applied on this namespace; the hub replays the
    /// durable events after it, then sends `sync:done`. Absent (or `0`) on a first connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_id: Option<EventId>,
}

/// `connected`: the hub's welcome on `/` after the handshake succeeded (seed 004).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct Connected {
    /// The Socket.IO session id of this socket.
    pub socket_id: String,
    /// Who the socket acts for.
    pub user: UserRef,
    /// The hub's clock, for skew estimates.
    pub server_time: DateTime<Utc>,
    /// [`PROTOCOL_VERSION`] of the hub.
    pub protocol_version: u32,
}

/// `sync:done`: the hub finished replaying missed durable events after a (re)connect; live
/// events follow. Sent on every namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct SyncDone {
    /// The highest event id the client has now been sent (`0` when none exist).
    pub last_event_id: EventId,
    /// How many events were replayed.
    pub replayed: u32,
    /// `true` when the hub had nothing to replay from (the client sent no `lastEventId`, or
    /// one older than the hub keeps): the namespace's snapshot events (`sync:snapshot`,
    /// `training:snapshot`, `leaderboard:refresh` and the followed contests' standings as
    /// `contest:entry-update`) came just before and replace the client's cache; anything they
    /// do not cover must be refetched over HTTP.
    pub snapshot: bool,
}

/// Machine-readable error codes, serialised in SCREAMING_SNAKE_CASE. The UI switches on the
/// code and shows the message; it never parses messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The event name is not part of this namespace's client events.
    UnknownEvent,
    /// The payload has the wrong shape: missing field, wrong type, unknown enum spelling,
    /// malformed id. `field` names the path.
    InvalidPayload,
    /// The payload is well-formed but breaks a rule (length, range, blank text). `field`
    /// names the path.
    ValidationFailed,
    /// Missing, invalid or expired token.
    Unauthorized,
    /// The token was valid but has expired: refresh it (`POST /api/v1/auth/refresh` before
    /// expiry, else log in again). Used in refused handshakes, and sent to a live socket
    /// whose token expired without an `auth:request` renewal (`auth:error` on `/`, `error`
    /// elsewhere) just before the hub disconnects it; elsewhere `UNAUTHORIZED`.
    TokenExpired,
    /// Authenticated, but not allowed (joining another user's room, editing a session one
    /// does not coach).
    Forbidden,
    /// The record named does not exist (session, project, comment, analysis).
    NotFound,
    /// The request conflicts with the current state (cancelling a finished analysis).
    Conflict,
    /// Too many events; retry later.
    RateLimited,
    /// The event exceeded the hub's size limit.
    PayloadTooLarge,
    /// The hub failed; retry later.
    Internal,
}

impl ErrorCode {
    /// The wire spelling (`"VALIDATION_FAILED"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::UnknownEvent => "UNKNOWN_EVENT",
            ErrorCode::InvalidPayload => "INVALID_PAYLOAD",
            ErrorCode::ValidationFailed => "VALIDATION_FAILED",
            ErrorCode::Unauthorized => "UNAUTHORIZED",
            ErrorCode::TokenExpired => "TOKEN_EXPIRED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::Internal => "INTERNAL",
        }
    }

    /// What the code means, for the docs.
    pub const fn description(self) -> &'static str {
        match self {
            ErrorCode::UnknownEvent => "The event name is not a client event of this namespace.",
            ErrorCode::InvalidPayload => {
                "The payload has the wrong shape: missing field, wrong type, unknown enum spelling, malformed id or date. `field` names the path."
            }
            ErrorCode::ValidationFailed => {
                "The payload is well-formed but breaks a rule (length, range, blank text, nil `clientId`). `field` names the path."
            }
            ErrorCode::Unauthorized => "Missing, invalid or expired token.",
            ErrorCode::TokenExpired => {
                "The token has expired (refused handshakes): refresh it or log in again."
            }
            ErrorCode::Forbidden => {
                "Authenticated but not allowed (another user's room, a session one does not coach)."
            }
            ErrorCode::NotFound => {
                "The record named does not exist (session, project, comment, analysis)."
            }
            ErrorCode::Conflict => {
                "The request conflicts with the current state (cancelling a finished analysis)."
            }
            ErrorCode::RateLimited => "Too many events from this socket; retry later.",
            ErrorCode::PayloadTooLarge => "The event exceeded the hub's size limit.",
            ErrorCode::Internal => "The hub failed; retry later.",
        }
    }

    /// Every code, in declaration order.
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::UnknownEvent,
        ErrorCode::InvalidPayload,
        ErrorCode::ValidationFailed,
        ErrorCode::Unauthorized,
        ErrorCode::TokenExpired,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::RateLimited,
        ErrorCode::PayloadTooLarge,
        ErrorCode::Internal,
    ];
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `error` (every namespace) and `auth:error`: the hub refused something the client sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ErrorPayload {
    /// What kind of failure.
    pub code: ErrorCode,
    /// For humans.
    pub message: String,
    /// The client event that was refused, if one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// The offending field's path (`updates.engagementScore`), if one is at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The refused payload's `clientId`, if it had one: the client engine marks that outbox
    /// entry as rejected instead of retrying it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<crate::id::ClientId>,
    /// With `RATE_LIMITED`: the hub will take the refused event again after this many
    /// milliseconds (until then, every event costing as much is refused too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "number")]
    pub retry_after_ms: Option<u64>,
}

impl ErrorPayload {
    /// An error with just a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorPayload {
            code,
            message: message.into(),
            event: None,
            field: None,
            client_id: None,
            retry_after_ms: None,
        }
    }
}

/// A refused Socket.IO handshake. Socket.IO's `connect_error` carries a single message string
/// (`err.message` in socket.io-client, the error text in `rust_socketio`), so the hub encodes
/// the code in it as `"CODE: sentence"` (`"TOKEN_EXPIRED: the token has expired"`).
/// [`ConnectRefusal::to_message`] builds that string, [`ConnectRefusal::parse`] reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectRefusal {
    /// Why: `UNAUTHORIZED`, `TOKEN_EXPIRED`, or `INTERNAL`.
    pub code: ErrorCode,
    /// For humans.
    pub message: String,
}

impl ConnectRefusal {
    /// A refusal with a code and a sentence.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ConnectRefusal {
            code,
            message: message.into(),
        }
    }

    /// The `connect_error` message: `"CODE: sentence"`.
    pub fn to_message(&self) -> String {
        format!("{}: {}", self.code.as_str(), self.message)
    }

    /// Reads a `connect_error` message. `None` when it does not start with a known code
    /// followed by `": "` (for example a transport error, or a hub of another protocol).
    /// Leading text before the code (a client library's own prefix) is skipped, and a JSON
    /// wrapper such as `{"message":"CODE: ..."}` is looked through.
    pub fn parse(text: &str) -> Option<Self> {
        let text = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
            .unwrap_or_else(|| text.to_owned());
        ErrorCode::ALL.into_iter().find_map(|code| {
            let marker = format!("{}: ", code.as_str());
            let at = text.find(&marker)?;
            let before = &text[..at];
            // The code must be a whole word (so `UNAUTHORIZED` is not found inside another).
            if before
                .chars()
                .last()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return None;
            }
            Some(ConnectRefusal::new(
                code,
                text[at + marker.len()..].trim_end_matches('"'),
            ))
        })
    }
}

impl fmt::Display for ConnectRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_message())
    }
}

/// The payload of an event that carries nothing (`join:tv-display`, `notification:read-all`).
///
/// Emitted as JSON `null`. Accepted as `null`, as a missing argument (decode it from
/// `Value::Null`) or as any object, whose fields are ignored, so that `emit('x')`,
/// `emit('x', null)` and `emit('x', {})` all work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, TS)]
#[ts(type = "null")]
pub struct NoPayload;

impl Serialize for NoPayload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit()
    }
}

impl<'de> Deserialize<'de> for NoPayload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NoPayloadVisitor;

        impl<'de> Visitor<'de> for NoPayloadVisitor {
            type Value = NoPayload;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("no payload (null or an object)")
            }

            fn visit_unit<E: de::Error>(self) -> Result<NoPayload, E> {
                Ok(NoPayload)
            }

            fn visit_none<E: de::Error>(self) -> Result<NoPayload, E> {
                Ok(NoPayload)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NoPayload, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(NoPayload)
            }
        }

        deserializer.deserialize_any(NoPayloadVisitor)
    }
}

impl Validate for NoPayload {
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn no_payload_accepts_null_and_objects_only() {
        for ok in [json!(null), json!({}), json!({"ignored": 1})] {
            assert_eq!(serde_json::from_value::<NoPayload>(ok).unwrap(), NoPayload);
        }
        for bad in [json!(1), json!("x"), json!([])] {
            assert!(serde_json::from_value::<NoPayload>(bad).is_err());
        }
        assert_eq!(serde_json::to_value(NoPayload).unwrap(), json!(null));
    }

    #[test]
    fn connect_refusals_round_trip_through_their_message() {
        let refusal = ConnectRefusal::new(ErrorCode::TokenExpired, "the token has expired");
        assert_eq!(refusal.to_message(), "TOKEN_EXPIRED: the token has expired");
        assert_eq!(
            ConnectRefusal::parse(&refusal.to_message()),
            Some(refusal.clone())
        );
        // As rust_socketio and socket.io-client surface it.
        let wrapped = format!(
            "Received an ConnectError frame: {{\"message\":\"{}\"}}",
            refusal.to_message()
        );
        assert_eq!(
            ConnectRefusal::parse(&wrapped).map(|r| r.code),
            Some(ErrorCode::TokenExpired)
        );
        let json = serde_json::json!({ "message": "UNAUTHORIZED: no token" }).to_string();
        assert_eq!(
            ConnectRefusal::parse(&json).map(|r| r.code),
            Some(ErrorCode::Unauthorized)
        );
        assert_eq!(ConnectRefusal::parse("websocket closed"), None);
        assert_eq!(ConnectRefusal::parse("XUNAUTHORIZED: no"), None);
    }

    #[test]
    fn error_codes_spell_as_documented() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), json!(code.as_str()));
        }
    }
}
