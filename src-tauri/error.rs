//! The error every command returns: a stable `code` the UI can branch on, and a sentence for
//! people.

use serde::Serialize;
use sideline_client::ClientError;
use sideline_protocol::DecodeError;

/// What went wrong, as a code the UI can act on. Serialised in `SCREAMING_SNAKE_CASE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The platform has no app-data directory we can use.
    DataDirUnavailable,
    /// No usable OS keychain; the UI explains and asks for the password at each launch.
    KeychainUnavailable,
    /// No session (no profile signed in, or the engine is switching).
    NotSignedIn,
    /// The hub refused the user name and password, or the token.
    SignInRefused,
    /// The hub could not be reached (or did not answer in time).
    HubUnreachable,
    /// A value broke a rule; the message names the field.
    InvalidInput,
    /// The local database is locked by another process; nothing was saved.
    StorageBusy,
    /// The disk is full; nothing was saved.
    StorageFull,
    /// Any other local storage failure.
    Storage,
    /// The event's namespace is not connected right now.
    NotConnected,
    /// The hub refused the event (its code and sentence are in the message).
    Refused,
    /// No such profile.
    NoProfile,
    /// The embedded demo hub could not start or sign in.
    DemoFailed,
    /// Anything not yet given its own code; the message says what.
    Internal,
}

/// A command failure as the UI receives it: `{ "code": "…", "message": "…" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error, ts_rs::TS)]
#[error("{message}")]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// No session to run the command in.
    pub fn not_signed_in() -> Self {
        Self::new(ErrorCode::NotSignedIn, "not signed in to a hub")
    }
}

impl From<tauri::Error> for CommandError {
    fn from(err: tauri::Error) -> Self {
        Self::new(ErrorCode::Internal, err.to_string())
    }
}

impl From<ClientError> for CommandError {
    fn from(err: ClientError) -> Self {
        let code = match &err {
            ClientError::Validation(_) | ClientError::Config(_) => ErrorCode::InvalidInput,
            ClientError::StorageBusy => ErrorCode::StorageBusy,
            ClientError::StorageFull => ErrorCode::StorageFull,
            ClientError::Storage(_) | ClientError::Io(_) => ErrorCode::Storage,
            ClientError::KeychainUnavailable(_) => ErrorCode::KeychainUnavailable,
            ClientError::NotSignedIn => ErrorCode::NotSignedIn,
            ClientError::SignInRefused(_) => ErrorCode::SignInRefused,
            ClientError::Network(_) | ClientError::Timeout(_) => ErrorCode::HubUnreachable,
            ClientError::NotConnected | ClientError::Stopped => ErrorCode::NotConnected,
            ClientError::Refused { .. } => ErrorCode::Refused,
            ClientError::Json(_) => ErrorCode::Internal,
        };
        Self::new(code, err.to_string())
    }
}

impl From<DecodeError> for CommandError {
    fn from(err: DecodeError) -> Self {
        Self::new(ErrorCode::InvalidInput, err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message() {
        let err = CommandError::new(ErrorCode::DataDirUnavailable, "no home directory");
        assert_eq!(
            serde_json::to_value(&err).unwrap(),
            serde_json::json!({ "code": "DATA_DIR_UNAVAILABLE", "message": "no home directory" })
        );
    }

    #[test]
    fn client_errors_map_to_the_contract_codes() {
        let cases = [
            (ClientError::StorageBusy, "STORAGE_BUSY"),
            (ClientError::StorageFull, "STORAGE_FULL"),
            (
                ClientError::KeychainUnavailable("no bus".into()),
                "KEYCHAIN_UNAVAILABLE",
            ),
            (ClientError::NotSignedIn, "NOT_SIGNED_IN"),
            (ClientError::SignInRefused("no".into()), "SIGN_IN_REFUSED"),
            (ClientError::Network("refused".into()), "HUB_UNREACHABLE"),
            (ClientError::Timeout("5 s".into()), "HUB_UNREACHABLE"),
            (ClientError::NotConnected, "NOT_CONNECTED"),
            (
                ClientError::Refused {
                    code: "FORBIDDEN".into(),
                    message: "display tokens are read-only".into(),
                },
                "REFUSED",
            ),
            (
                ClientError::Config("server must be a URL".into()),
                "INVALID_INPUT",
            ),
            (
                ClientError::Io(std::io::Error::other("read-only file system")),
                "STORAGE",
            ),
        ];
        for (err, code) in cases {
            let message = err.to_string();
            let value = serde_json::to_value(CommandError::from(err)).unwrap();
            assert_eq!(value["code"], code, "{message}");
            assert_eq!(value["message"], message);
        }
    }

    #[test]
    fn undecodable_events_are_invalid_input() {
        let err = sideline_protocol::ClientEvent::decode_valid(
            sideline_protocol::Namespace::Main,
            "presence:update",
            serde_json::json!({ "status": "sleeping" }),
        )
        .unwrap_err();
        assert_eq!(CommandError::from(err).code, ErrorCode::InvalidInput);
    }
}
