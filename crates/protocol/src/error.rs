//! [`DecodeError`]: why an incoming event could not be turned into a typed event, and
//! [`error_payload`] to answer it with an `error` event.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::connection::{ErrorCode, ErrorPayload};
use crate::id::ClientId;
use crate::namespace::Namespace;
use crate::validate::{ValidationError, join_path};

/// An incoming event was refused. Every variant names the event, and where a field is at fault
/// its wire path, so the sender can be told exactly what to fix (see [`error_payload`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    /// The event name is not in the namespace's event set for that direction.
    #[error("unknown event `{event}` on namespace {namespace}")]
    UnknownEvent {
        /// The namespace the event arrived on.
        namespace: Namespace,
        /// The unknown name.
        event: String,
    },
    /// The payload does not have the event's shape (missing field, wrong type, unknown enum
    /// spelling, malformed id or date).
    #[error("invalid `{event}` payload{}: {message}", at(.field))]
    Payload {
        /// The event.
        event: String,
        /// Wire path of the offending field (`updates.engagementScore`, `rankings[0].rank`);
        /// empty when the payload as a whole is wrong (e.g. a string instead of an object).
        field: String,
        /// What is wrong, from serde (`unknown variant `coaching`, expected one of ...`) or
        /// `is required` for a missing field.
        message: String,
        /// The payload's `clientId`, if it had a readable one.
        client_id: Option<ClientId>,
    },
    /// The payload has the right shape but breaks a validation rule.
    #[error("invalid `{event}` payload: {error}")]
    Invalid {
        /// The event.
        event: String,
        /// The broken rule and its field.
        error: ValidationError,
        /// The payload's `clientId`, if it had one.
        client_id: Option<ClientId>,
    },
}

fn at(field: &str) -> String {
    if field.is_empty() {
        String::new()
    } else {
        format!(" at `{field}`")
    }
}

impl DecodeError {
    /// The refused event's name.
    pub fn event(&self) -> &str {
        match self {
            DecodeError::UnknownEvent { event, .. }
            | DecodeError::Payload { event, .. }
            | DecodeError::Invalid { event, .. } => event,
        }
    }

    /// The offending field's wire path, if a field is at fault.
    pub fn field(&self) -> Option<&str> {
        let field = match self {
            DecodeError::UnknownEvent { .. } => return None,
            DecodeError::Payload { field, .. } => field,
            DecodeError::Invalid { error, .. } => &error.field,
        };
        (!field.is_empty()).then_some(field.as_str())
    }

    /// The refused payload's `clientId`, if it carried one.
    pub fn client_id(&self) -> Option<ClientId> {
        match self {
            DecodeError::UnknownEvent { .. } => None,
            DecodeError::Payload { client_id, .. } | DecodeError::Invalid { client_id, .. } => {
                *client_id
            }
        }
    }

    /// The [`ErrorCode`] to report.
    pub fn code(&self) -> ErrorCode {
        match self {
            DecodeError::UnknownEvent { .. } => ErrorCode::UnknownEvent,
            DecodeError::Payload { .. } => ErrorCode::InvalidPayload,
            DecodeError::Invalid { .. } => ErrorCode::ValidationFailed,
        }
    }
}

/// The `error` event payload that answers a refused event: code, a readable message, the event
/// name, the field path and the payload's `clientId` (so the client can settle that outbox
/// entry instead of retrying it forever).
pub fn error_payload(err: &DecodeError) -> ErrorPayload {
    let message = match err {
        DecodeError::UnknownEvent { .. } => err.to_string(),
        DecodeError::Payload { field, message, .. } if field.is_empty() => message.clone(),
        DecodeError::Payload { field, message, .. } => format!("{field}: {message}"),
        DecodeError::Invalid { error, .. } => error.to_string(),
    };
    ErrorPayload {
        code: err.code(),
        message,
        event: Some(err.event().to_owned()),
        field: err.field().map(str::to_owned),
        client_id: err.client_id(),
        retry_after_ms: None,
    }
}

impl From<&DecodeError> for ErrorPayload {
    fn from(err: &DecodeError) -> Self {
        error_payload(err)
    }
}

impl From<&ValidationError> for ErrorPayload {
    /// A `VALIDATION_FAILED` error naming the field (no event: set `event` if known).
    fn from(err: &ValidationError) -> Self {
        ErrorPayload {
            code: ErrorCode::ValidationFailed,
            message: err.to_string(),
            event: None,
            field: (!err.field.is_empty()).then(|| err.field.clone()),
            client_id: None,
            retry_after_ms: None,
        }
    }
}

/// The `clientId` of a raw payload, if it has a well-formed one (read before decoding so that
/// even a malformed payload's outbox entry can be identified).
pub fn raw_client_id(data: &Value) -> Option<ClientId> {
    data.get("clientId")?.as_str()?.parse().ok()
}

/// Decodes `data` as `T`, naming the failing field's wire path.
pub(crate) fn decode_payload<T: DeserializeOwned>(
    event: &str,
    data: Value,
) -> Result<T, DecodeError> {
    let client_id = raw_client_id(&data);
    serde_path_to_error::deserialize(data).map_err(|err| {
        let path = err.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let message = err.into_inner().to_string();
        let (field, message) = match missing_field(&message) {
            Some(name) => (join_path(&path, name), "is required".to_owned()),
            None => (path, message),
        };
        DecodeError::Payload {
            event: event.to_owned(),
            field,
            message,
            client_id,
        }
    })
}

/// The field name in serde's "missing field `x`" message.
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_mentions_event_and_field() {
        let err = DecodeError::Payload {
            event: "quickNote:create".into(),
            field: "noteType".into(),
            message: "unknown variant".into(),
            client_id: None,
        };
        assert_eq!(
            err.to_string(),
            "invalid `quickNote:create` payload at `noteType`: unknown variant"
        );
        let err = DecodeError::UnknownEvent {
            namespace: Namespace::Training,
            event: "nope".into(),
        };
        assert_eq!(
            err.to_string(),
            "unknown event `nope` on namespace /training"
        );
        assert_eq!(error_payload(&err).code, ErrorCode::UnknownEvent);
        assert_eq!(error_payload(&err).field, None);
    }

    #[test]
    fn missing_field_names_the_field() {
        assert_eq!(missing_field("missing field `content`"), Some("content"));
        assert_eq!(missing_field("invalid type"), None);
    }
}
