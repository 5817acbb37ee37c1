//! [`HubError`]: every failure of the hub, and its `{code, message}` form for HTTP and
//! Socket.IO answers.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sideline_protocol::{ErrorCode, ErrorPayload};

/// Result alias of the crate.
pub type Result<T, E = HubError> = std::result::Result<T, E>;

/// Everything that can go wrong in the hub. Variants that a caller can act on carry their own
/// [`ErrorCode`]; storage and I/O failures are `INTERNAL` to clients (details only in logs).
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// Missing, malformed or wrongly signed credentials, or a wrong password.
    #[error("{0}")]
    Unauthorized(String),
    /// The token was valid but has expired.
    #[error("the token has expired")]
    TokenExpired,
    /// Authenticated but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// The named record does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The request is malformed or breaks a rule.
    #[error("{message}")]
    Invalid {
        /// `INVALID_PAYLOAD` or `VALIDATION_FAILED`.
        code: ErrorCode,
        /// What is wrong.
        message: String,
        /// The field at fault, if any.
        field: Option<String>,
    },
    /// SQLite failed.
    #[error("storage: {0}")]
    Storage(#[from] rusqlite::Error),
    /// A file or socket operation failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// A stored JSON document could not be read back.
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The configuration is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// Token signing failed, or another invariant broke.
    #[error("internal: {0}")]
    Internal(String),
}

impl HubError {
    /// A `VALIDATION_FAILED` error on `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        HubError::Invalid {
            code: ErrorCode::ValidationFailed,
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// The protocol code reported to clients.
    pub fn code(&self) -> ErrorCode {
        match self {
            HubError::Unauthorized(_) | HubError::TokenExpired => ErrorCode::Unauthorized,
            HubError::Forbidden(_) => ErrorCode::Forbidden,
            HubError::NotFound(_) => ErrorCode::NotFound,
            HubError::Conflict(_) => ErrorCode::Conflict,
            HubError::Invalid { code, .. } => *code,
            HubError::Storage(_)
            | HubError::Io(_)
            | HubError::Json(_)
            | HubError::Config(_)
            | HubError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The message shown to clients: internal details stay in the logs.
    pub fn public_message(&self) -> String {
        match self.code() {
            ErrorCode::Internal => "the hub failed; retry later".to_owned(),
            _ => self.to_string(),
        }
    }

    /// The `error` event payload for a refused client event.
    pub fn to_payload(&self, event: Option<&str>) -> ErrorPayload {
        let mut payload = ErrorPayload::new(self.code(), self.public_message());
        payload.event = event.map(str::to_owned);
        if let HubError::Invalid { field, .. } = self {
            payload.field = field.clone();
        }
        payload
    }

    fn status(&self) -> StatusCode {
        match self.code() {
            ErrorCode::Unauthorized | ErrorCode::TokenExpired => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnknownEvent | ErrorCode::InvalidPayload | ErrorCode::ValidationFailed => {
                StatusCode::BAD_REQUEST
            }
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<sideline_protocol::ValidationError> for HubError {
    fn from(err: sideline_protocol::ValidationError) -> Self {
        HubError::Invalid {
            code: ErrorCode::ValidationFailed,
            message: err.to_string(),
            field: (!err.field.is_empty()).then_some(err.field),
        }
    }
}

/// HTTP answers: status code plus the JSON body `{code, message[, field]}`.
impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        if self.code() == ErrorCode::Internal {
            tracing::error!(error = %self, "request failed");
        }
        let status = self.status();
        (status, axum::Json(self.to_payload(None))).into_response()
    }
}
