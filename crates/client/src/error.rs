//! [`ClientError`], the crate's one error enum. Every variant has a stable [`ClientError::code`]
//! so the app can switch on it (`{ code, message }` via [`ClientError::report`]); the CLI
//! prints `code: message` on one line.

use serde::Serialize;
use sideline_protocol::ValidationError;

/// Everything the client engine and the CLI can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// A note or action item breaks a protocol rule; nothing was stored.
    #[error("{0}")]
    Validation(#[from] ValidationError),
    /// The local database is locked by another process for longer than the busy timeout.
    /// Capture returns this instead of dropping the record.
    #[error("the local database is busy (locked by another process); nothing was saved, try again")]
    StorageBusy,
    /// The disk is full; capture returns this instead of dropping the record.
    #[error("the disk is full; nothing was saved")]
    StorageFull,
    /// Any other SQLite failure.
    #[error("local database: {0}")]
    Storage(rusqlite::Error),
    /// No usable OS keychain (no Secret Service on this Linux session, a locked keychain).
    #[error("no system keychain is available: {0}")]
    KeychainUnavailable(String),
    /// No credentials: run `sideline login` (or set SIDELINE_SERVER and SIDELINE_TOKEN).
    #[error("not signed in: run `sideline login` or set SIDELINE_SERVER and SIDELINE_TOKEN")]
    NotSignedIn,
    /// The hub refused the user name / password, or the token.
    #[error("the hub refused the credentials: {0}")]
    SignInRefused(String),
    /// The hub could not be reached, or answered garbage.
    #[error("network: {0}")]
    Network(String),
    /// An emit was attempted while the namespace is not connected.
    #[error("not connected to the hub")]
    NotConnected,
    /// The hub refused a connection or an event with a protocol error code.
    #[error("the hub refused: {code}: {message}")]
    Refused {
        /// The hub's code (`UNAUTHORIZED`, `TOKEN_EXPIRED`, `FORBIDDEN`, ...).
        code: String,
        /// Its sentence.
        message: String,
    },
    /// Something did not happen in time (`sideline sync` with the hub unreachable).
    #[error("timed out: {0}")]
    Timeout(String),
    /// Bad configuration or arguments (a malformed server URL, no data directory).
    #[error("{0}")]
    Config(String),
    /// A file-system failure (creating the data directory).
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// JSON that should have been ours failed to (de)serialise.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// The engine has shut down.
    #[error("the client engine has stopped")]
    Stopped,
}

impl From<rusqlite::Error> for ClientError {
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as Sqlite;
        match err.sqlite_error_code() {
            Some(Sqlite::DatabaseBusy | Sqlite::DatabaseLocked) => ClientError::StorageBusy,
            Some(Sqlite::DiskFull) => ClientError::StorageFull,
            _ => ClientError::Storage(err),
        }
    }
}

impl ClientError {
    /// The stable machine-readable code (SCREAMING_SNAKE_CASE) the UI switches on.
    pub fn code(&self) -> &'static str {
        match self {
            ClientError::Validation(_) => "VALIDATION_FAILED",
            ClientError::StorageBusy => "STORAGE_BUSY",
            ClientError::StorageFull => "STORAGE_FULL",
            ClientError::Storage(_) => "STORAGE",
            ClientError::KeychainUnavailable(_) => "KEYCHAIN_UNAVAILABLE",
            ClientError::NotSignedIn => "NOT_SIGNED_IN",
            ClientError::SignInRefused(_) => "SIGN_IN_REFUSED",
            ClientError::Network(_) => "NETWORK",
            ClientError::NotConnected => "NOT_CONNECTED",
            ClientError::Refused { .. } => "REFUSED",
            ClientError::Timeout(_) => "TIMEOUT",
            ClientError::Config(_) => "CONFIG",
            ClientError::Io(_) => "IO",
            ClientError::Json(_) => "JSON",
            ClientError::Stopped => "STOPPED",
        }
    }

    /// The `{ code, message }` form shown by the app.
    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            code: self.code(),
            message: self.to_string(),
        }
    }
}

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorReport {
    /// [`ClientError::code`].
    pub code: &'static str,
    /// For humans.
    pub message: String,
}

/// The crate's result type.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;
