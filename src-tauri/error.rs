//! The error every command returns: a stable `code` the UI can branch on, and a sentence for
//! people.

use serde::Serialize;

/// What went wrong, as a code the UI can act on. Serialised in `SCREAMING_SNAKE_CASE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The platform has no app-data directory we can use.
    DataDirUnavailable,
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
}

impl From<tauri::Error> for CommandError {
    fn from(err: tauri::Error) -> Self {
        Self::new(ErrorCode::Internal, err.to_string())
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
}
