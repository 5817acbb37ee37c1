//! Identifiers: [`Id`] for every server-side record, [`ClientId`] for the idempotency key of
//! client-created records, [`EventId`] for the hub's sequence of durable events.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ts_rs::TS;
use uuid::Uuid;

use crate::validate::{Validate, ValidationError, limits};

/// The rule every [`Id`] obeys, as shown to users.
pub const ID_RULE: &str = "must be 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'";

/// Whether `s` obeys [`ID_RULE`].
pub(crate) fn is_valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= limits::ID_MAX_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The id of a user, team, contest, coaching/training session, module, project, note, action
/// item, comment, notification, analysis, quiz or achievement.
///
/// Invariant: 1 to [`limits::ID_MAX_LEN`] characters of `[A-Za-z0-9_-]`, checked on every
/// construction path (including deserialisation), so an `Id` can always be embedded in a
/// [`Room`](crate::Room) name or a URL without escaping.
///
/// On the wire an `Id` is always *emitted* as a JSON string. It is *accepted* as a string or as
/// a non-negative JSON integer (converted to its decimal digits), because seed 002 shows numeric
/// ids (`userId: 123`) while seeds 000, 003 and 004 use strings: one id type must serve every
/// room (`user:123` is the same room whichever namespace a client came from), and strings are
/// the only representation that fits both (UUIDs, cuid-style and numeric database keys).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, TS)]
pub struct Id(String);

impl Id {
    /// Checks `value` against [`ID_RULE`]; the error names the field `id`.
    pub fn new(value: impl Into<String>) -> Result<Self, ValidationError> {
        let value = value.into();
        if is_valid_id(&value) {
            Ok(Id(value))
        } else {
            Err(ValidationError::new("id", ID_RULE))
        }
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl Validate for Id {
    /// Always `Ok`: an `Id` is valid by construction. Lets a bare id be an event payload
    /// (seed 002's `join:user`).
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

impl From<u64> for Id {
    /// A numeric id becomes its decimal digits (at most 20 characters, always valid).
    fn from(value: u64) -> Self {
        Id(value.to_string())
    }
}

impl TryFrom<String> for Id {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Id::new(value)
    }
}

impl TryFrom<&str> for Id {
    type Error = ValidationError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Id::new(value)
    }
}

impl FromStr for Id {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Id::new(s)
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;

        impl Visitor<'_> for IdVisitor {
            type Value = Id;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id (a string of 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-', or a non-negative integer)")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                if is_valid_id(v) {
                    Ok(Id(v.to_owned()))
                } else {
                    Err(E::custom(ID_RULE))
                }
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Id, E> {
                if is_valid_id(&v) {
                    Ok(Id(v))
                } else {
                    Err(E::custom(ID_RULE))
                }
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                Ok(Id::from(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                u64::try_from(v)
                    .map(Id::from)
                    .map_err(|_| E::custom("a numeric id must not be negative"))
            }
        }

        deserializer.deserialize_any(IdVisitor)
    }
}

/// The idempotency key of a client-created record (quick note, action item, comment, roleplay
/// message, notification, broadcast, `data:update` create).
///
/// The client generates it once, stores it with the record in its outbox and re-sends the same
/// value on every retry; the hub creates the record at most once per `(author, clientId)` and
/// echoes the value in the `...:created` event so the author can match the confirmation to its
/// pending record.
///
/// Serialised as the canonical hyphenated lower-case UUID string. Our clients generate version 7
/// ([`ClientId::new_v7`]: time-ordered, so outbox rows sort by creation), but any RFC 4122
/// version is accepted on input: idempotency only needs uniqueness per author. The nil UUID is
/// rejected by validation (it would collide across authors and usually means "not set").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, TS)]
pub struct ClientId(Uuid);

impl ClientId {
    /// A fresh time-ordered (version 7) id.
    pub fn new_v7() -> Self {
        ClientId(Uuid::now_v7())
    }

    /// Wraps an existing UUID (any version; nil is representable but fails validation).
    pub const fn from_uuid(uuid: Uuid) -> Self {
        ClientId(uuid)
    }

    /// The underlying UUID.
    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    /// Whether this is the nil UUID, which validation rejects.
    pub fn is_nil(&self) -> bool {
        self.0.is_nil()
    }
}

impl From<Uuid> for ClientId {
    fn from(uuid: Uuid) -> Self {
        ClientId(uuid)
    }
}

impl FromStr for ClientId {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s)
            .map(ClientId)
            .map_err(|_| ValidationError::new("clientId", "must be a UUID"))
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl Serialize for ClientId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.hyphenated())
    }
}

impl<'de> Deserialize<'de> for ClientId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Uuid::parse_str(&s).map(ClientId).map_err(|_| {
            de::Error::custom("must be a UUID such as 0190b4a2-7c3e-7d21-9f3a-2b8c4d5e6f70")
        })
    }
}

/// The position of a durable server-to-client event in the hub's sequence.
///
/// Assigned by the hub, strictly increasing in the order the hub emits durable events (one
/// sequence for the whole hub, so also strictly increasing on any one client connection).
/// `0` means "none yet": the first event is `1`. The client stores the highest id it has
/// applied and hands it back on reconnect so the hub replays what it missed (then sends
/// `sync:done`). Serialised as a JSON number; the hub keeps it at most
/// [`EventId::MAX_SAFE`] so JavaScript reads it exactly.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize, TS,
)]
pub struct EventId(#[ts(type = "number")] pub u64);

impl EventId {
    /// "No event yet": what a fresh client sends, and the `lastEventId` of an empty hub.
    pub const NONE: EventId = EventId(0);

    /// The largest integer JavaScript represents exactly (2^53 - 1).
    pub const MAX_SAFE: u64 = (1 << 53) - 1;

    /// The id after this one, or `None` past [`EventId::MAX_SAFE`].
    pub fn next(self) -> Option<EventId> {
        let next = self.0.checked_add(1)?;
        (next <= Self::MAX_SAFE).then_some(EventId(next))
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn id_accepts_strings_and_non_negative_integers() {
        let id: Id = serde_json::from_value(json!("agent_42-x")).unwrap();
        assert_eq!(id.as_str(), "agent_42-x");
        let id: Id = serde_json::from_value(json!(123)).unwrap();
        assert_eq!(id.as_str(), "123");
        assert_eq!(serde_json::to_value(&id).unwrap(), json!("123"));
        let id: Id = serde_json::from_value(json!(u64::MAX)).unwrap();
        assert_eq!(id.as_str(), "18446744073709551615");
    }

    #[test]
    fn id_rejects_bad_input() {
        for bad in [
            json!(""),
            json!("has space"),
            json!("a/b"),
            json!("ünïcode"),
            json!("x".repeat(65)),
            json!(-1),
            json!(1.5),
            json!(null),
            json!(true),
            json!({}),
        ] {
            assert!(serde_json::from_value::<Id>(bad.clone()).is_err(), "{bad}");
        }
        assert!(serde_json::from_value::<Id>(json!("x".repeat(64))).is_ok());
        assert_eq!(Id::new("a b").unwrap_err().rule, ID_RULE);
    }

    #[test]
    fn client_id_is_hyphenated_and_v7() {
        let id = ClientId::new_v7();
        assert_eq!(id.as_uuid().get_version_num(), 7);
        let text = serde_json::to_value(id).unwrap();
        let s = text.as_str().unwrap();
        assert_eq!(s.len(), 36);
        assert_eq!(s, s.to_lowercase());
        assert_eq!(serde_json::from_value::<ClientId>(text).unwrap(), id);
    }

    #[test]
    fn client_id_accepts_any_version_and_rejects_garbage() {
        let v4 = "9b2f3c1e-4d5a-4b6c-8d7e-1f2a3b4c5d6e";
        let id: ClientId = serde_json::from_value(json!(v4)).unwrap();
        assert_eq!(id.to_string(), v4);
        let upper: ClientId = serde_json::from_value(json!(v4.to_uppercase())).unwrap();
        assert_eq!(upper, id);
        assert!(serde_json::from_value::<ClientId>(json!("not-a-uuid")).is_err());
        assert!(serde_json::from_value::<ClientId>(json!(12)).is_err());
        let nil: ClientId =
            serde_json::from_value(json!("00000000-0000-0000-0000-000000000000")).unwrap();
        assert!(nil.is_nil());
    }

    #[test]
    fn event_id_is_a_json_number() {
        assert_eq!(serde_json::to_value(EventId(42)).unwrap(), json!(42));
        assert_eq!(
            serde_json::from_value::<EventId>(json!(7)).unwrap(),
            EventId(7)
        );
        assert!(serde_json::from_value::<EventId>(json!("7")).is_err());
        assert_eq!(EventId::NONE.next(), Some(EventId(1)));
        assert_eq!(EventId(EventId::MAX_SAFE).next(), None);
    }
}
