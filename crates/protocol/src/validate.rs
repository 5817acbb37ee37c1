//! Validation of client-to-server payloads: the [`Validate`] trait, the [`ValidationError`] it
//! returns, the [`limits`] every rule refers to and the small `check_*` helpers the payload
//! modules compose.
//!
//! Decoding (serde) already guarantees the *shape* of a payload: required fields, enum
//! spellings, number types, and the [`Id`](crate::Id) charset. Validation adds the rules serde
//! cannot express: text lengths (counted in `char`s, i.e. Unicode scalar values, as a user would
//! count them rather than UTF-8 bytes), non-blank user text, numeric ranges, non-nil client ids
//! and cross-field rules ("`clientId` is required when `action` is `create`").

use std::fmt;

use crate::id::ClientId;

/// Declares each limit of a table once: the `pub const` and its row in the module's `TABLE`
/// of [`Limit`](limits::Limit)s, which the generated TypeScript and docs list. Each limit takes
/// a one-line doc comment.
macro_rules! declare_limits {
    ($( #[doc = $doc:literal] $name:ident: $ty:ty = $value:expr; )*) => {
        $( #[doc = $doc] pub const $name: $ty = $value; )*

        /// Every limit, in declaration order.
        #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
        pub const TABLE: &[$crate::validate::limits::Limit] = &[
            $( $crate::validate::limits::Limit {
                name: stringify!($name),
                value: $name as f64,
                doc: $doc.trim_ascii(),
            }, )*
        ];
    };
}
pub(crate) use declare_limits;

/// Limits referenced by the validation rules. They are part of the protocol: the UI gets the
/// same numbers as `LIMITS` in `protocol.ts` (and `docs/protocol.md` lists them) so it can stop
/// a user before the hub does.
pub mod limits {
    /// One limit, as listed in the generated TypeScript and docs.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct Limit {
        /// The constant's name (`NOTE_CONTENT_MAX`).
        pub name: &'static str,
        /// Its value.
        pub value: f64,
        /// What it limits.
        pub doc: &'static str,
    }

    super::declare_limits! {
        /// Maximum length of an id, in characters of `[A-Za-z0-9_-]`.
        ID_MAX_LEN: usize = 64;
        /// Maximum length of a quick note's `content`.
        NOTE_CONTENT_MAX: usize = 5000;
        /// Maximum length of a title (action items, notifications).
        TITLE_MAX: usize = 200;
        /// Maximum length of a description (action items) or `actionPlan` (sessions).
        DESCRIPTION_MAX: usize = 5000;
        /// Maximum length of a category (quick notes, action items).
        CATEGORY_MAX: usize = 64;
        /// Maximum length of a short message (notifications, roleplay messages).
        MESSAGE_MAX: usize = 2000;
        /// Maximum length of a project comment.
        COMMENT_MAX: usize = 5000;
        /// Maximum length of a coaching session's `discussionNotes`.
        DISCUSSION_NOTES_MAX: usize = 20_000;
        /// Maximum length of one entry of `topicsCovered`.
        TOPIC_MAX: usize = 100;
        /// Maximum number of entries of `topicsCovered`.
        TOPICS_MAX_COUNT: usize = 50;
        /// Maximum length of a participant's display name.
        NAME_MAX: usize = 100;
        /// Maximum length of a leaderboard metric name (`revenue`, `yearlyRevenue`).
        METRIC_MAX: usize = 64;
        /// Maximum length of a `data:update` entity or a `broadcast` topic.
        ENTITY_MAX: usize = 64;
        /// Maximum length of a bearer token in `auth:request`.
        TOKEN_MAX: usize = 8192;
        /// Maximum length of a comment's `filePath`.
        FILE_PATH_MAX: usize = 1024;
        /// Lowest coaching `engagementScore`.
        ENGAGEMENT_SCORE_MIN: u8 = 0;
        /// Highest coaching `engagementScore`.
        ENGAGEMENT_SCORE_MAX: u8 = 10;
        /// Lowest percentage (`progress`).
        PERCENT_MIN: f64 = 0.0;
        /// Highest percentage (`progress`).
        PERCENT_MAX: f64 = 100.0;
        /// Highest cursor line or column, and highest comment `line`.
        CURSOR_MAX: u32 = 1_000_000;
        /// Highest XP `amount` of one `xp:gained` (a bound the hub applies to what it emits).
        XP_AMOUNT_MAX: u32 = 1_000_000;
        /// Highest `limit` of a `leaderboard:request`.
        LEADERBOARD_LIMIT_MAX: u32 = 500;
        /// Highest `limit` of a page of history (`GET /api/v1/notes`, `/action-items`, `/notifications`).
        HISTORY_LIMIT_MAX: usize = 500;
        /// Highest `timeSpentSeconds` of one `progress:update` (one day).
        TIME_SPENT_MAX_SECONDS: u32 = 86_400;
        /// Most records in one `records:create` batch.
        RECORDS_BATCH_MAX: usize = 100;
        /// Maximum size of a free-form JSON `data` value, in bytes of compact JSON.
        JSON_DATA_MAX_BYTES: usize = 16 * 1024;
        /// Deepest nesting of arrays and objects in a free-form JSON `data` value.
        JSON_DATA_MAX_DEPTH: usize = 32;
    }
}

/// A payload broke a validation rule.
///
/// `field` is the camelCase path of the offending field as it appears on the wire, with `.` for
/// nesting and `[i]` for array elements (`updates.engagementScore`, `updates.topicsCovered[2]`);
/// it is empty when the payload as a whole is at fault. `rule` is a short human sentence
/// ("must be 1 to 5000 characters") that the UI may show as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Wire path of the offending field; empty for the whole payload.
    pub field: String,
    /// The rule that was broken, as a sentence fragment starting with a verb.
    pub rule: String,
}

impl ValidationError {
    /// An error for `field` breaking `rule`.
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        ValidationError {
            field: field.into(),
            rule: rule.into(),
        }
    }

    /// Prefixes the field path with `parent`, so that a nested payload's error names the full
    /// path (`"engagementScore"` within `"updates"` becomes `"updates.engagementScore"`).
    #[must_use]
    pub fn within(mut self, parent: &str) -> Self {
        self.field = join_path(parent, &self.field);
        self
    }
}

/// Joins a parent path and a child path with `.`, leaving array indices (`[2]`) attached.
pub(crate) fn join_path(parent: &str, child: &str) -> String {
    match (parent.is_empty(), child.is_empty()) {
        (true, _) => child.to_owned(),
        (false, true) => parent.to_owned(),
        (false, false) if child.starts_with('[') => format!("{parent}{child}"),
        (false, false) => format!("{parent}.{child}"),
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.rule)
        } else {
            write!(f, "{}: {}", self.field, self.rule)
        }
    }
}

impl std::error::Error for ValidationError {}

/// Rules a decoded client-to-server payload must satisfy before the hub acts on it.
///
/// Implemented for every client-to-server payload. The first broken rule is reported; fields
/// are checked in declaration order so the result is deterministic.
pub trait Validate {
    /// `Ok(())` when every rule holds, else the first broken rule with its field path.
    fn validate(&self) -> Result<(), ValidationError>;
}

impl<T: Validate> Validate for Option<T> {
    fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Some(inner) => inner.validate(),
            None => Ok(()),
        }
    }
}

/// Checks that `value` has between `min` and `max` characters (inclusive).
pub fn check_len(field: &str, value: &str, min: usize, max: usize) -> Result<(), ValidationError> {
    let len = value.chars().count();
    if len < min || len > max {
        let rule = if min == 0 {
            format!("must be at most {max} characters")
        } else {
            format!("must be {min} to {max} characters")
        };
        return Err(ValidationError::new(field, rule));
    }
    Ok(())
}

/// Checks user text: 1 to `max` characters and not blank once trimmed.
pub fn check_text(field: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    check_len(field, value, 1, max)?;
    check_not_blank(field, value)
}

/// Checks optional user text: when present, as [`check_text`].
pub fn check_optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<(), ValidationError> {
    value.map_or(Ok(()), |v| check_text(field, v, max))
}

/// Checks that `value` is not empty or whitespace only.
pub fn check_not_blank(field: &str, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new(field, "must not be blank"));
    }
    Ok(())
}

/// Checks the [`Id`](crate::Id) rule on a plain string: 1 to [`limits::ID_MAX_LEN`] characters of
/// `[A-Za-z0-9_-]`.
pub fn check_id(field: &str, value: &str) -> Result<(), ValidationError> {
    if crate::id::is_valid_id(value) {
        Ok(())
    } else {
        Err(ValidationError::new(field, crate::id::ID_RULE))
    }
}

/// Checks a machine name (metric, entity, broadcast topic, detector): 1 to `max` characters of
/// `[A-Za-z0-9_.:-]`.
pub fn check_token(field: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    let ok = !value.is_empty()
        && value.chars().count() <= max
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            format!("must be 1 to {max} characters of A-Z, a-z, 0-9, '_', '-', '.' or ':'"),
        ))
    }
}

/// Checks that an integer lies in `min..=max`.
pub fn check_range<T>(field: &str, value: T, min: T, max: T) -> Result<(), ValidationError>
where
    T: PartialOrd + fmt::Display + Copy,
{
    if value < min || value > max {
        return Err(ValidationError::new(
            field,
            format!("must be between {min} and {max}"),
        ));
    }
    Ok(())
}

/// Checks that a float is finite and lies in `min..=max`.
pub fn check_range_f64(field: &str, value: f64, min: f64, max: f64) -> Result<(), ValidationError> {
    if !value.is_finite() || value < min || value > max {
        return Err(ValidationError::new(
            field,
            format!("must be between {min} and {max}"),
        ));
    }
    Ok(())
}

/// Checks a percentage: finite and in `0..=100`.
pub fn check_percent(field: &str, value: f64) -> Result<(), ValidationError> {
    check_range_f64(field, value, limits::PERCENT_MIN, limits::PERCENT_MAX)
}

/// Checks that a client id is not the nil UUID (all zeros), which would collide across authors.
pub fn check_client_id(field: &str, value: &ClientId) -> Result<(), ValidationError> {
    if value.is_nil() {
        return Err(ValidationError::new(field, "must not be the nil UUID"));
    }
    Ok(())
}

/// Checks that a free-form JSON value serialises to at most [`limits::JSON_DATA_MAX_BYTES`].
pub fn check_json_size(field: &str, value: &serde_json::Value) -> Result<(), ValidationError> {
    // The hub sends such a value back nested inside other payloads (a notification inside a
    // snapshot), and serde_json reads at most 127 levels: bounded here, it fits every frame.
    fn depth(value: &serde_json::Value) -> usize {
        match value {
            serde_json::Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
            serde_json::Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
            _ => 0,
        }
    }
    if depth(value) > limits::JSON_DATA_MAX_DEPTH {
        return Err(ValidationError::new(
            field,
            format!(
                "must nest at most {} arrays or objects deep",
                limits::JSON_DATA_MAX_DEPTH
            ),
        ));
    }
    let size = serde_json::to_string(value).map_or(usize::MAX, |s| s.len());
    if size > limits::JSON_DATA_MAX_BYTES {
        return Err(ValidationError::new(
            field,
            format!(
                "must be at most {} bytes of JSON",
                limits::JSON_DATA_MAX_BYTES
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_field_and_rule() {
        let err = ValidationError::new("content", "must be 1 to 5000 characters");
        assert_eq!(err.to_string(), "content: must be 1 to 5000 characters");
        assert_eq!(ValidationError::new("", "is empty").to_string(), "is empty");
    }

    #[test]
    fn within_builds_nested_paths() {
        let err = ValidationError::new("engagementScore", "x").within("updates");
        assert_eq!(err.field, "updates.engagementScore");
        let err = ValidationError::new("[2]", "x").within("updates.topicsCovered");
        assert_eq!(err.field, "updates.topicsCovered[2]");
        let err = ValidationError::new("", "x").within("userInfo");
        assert_eq!(err.field, "userInfo");
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let five_hearts = "♥♥♥♥♥";
        assert_eq!(five_hearts.len(), 15);
        assert!(check_len("content", five_hearts, 1, 5).is_ok());
        assert!(check_len("content", five_hearts, 1, 4).is_err());
    }

    #[test]
    fn blank_text_is_rejected() {
        let err = check_text("content", "  \n\t ", 10).unwrap_err();
        assert_eq!(err.rule, "must not be blank");
        assert_eq!(
            check_text("content", "", 10).unwrap_err().rule,
            "must be 1 to 10 characters"
        );
    }

    #[test]
    fn ranges() {
        assert!(check_range("score", 10u8, 0, 10).is_ok());
        assert_eq!(
            check_range("score", 11u8, 0, 10).unwrap_err().to_string(),
            "score: must be between 0 and 10"
        );
        assert!(check_percent("progress", 100.0).is_ok());
        assert!(check_percent("progress", 100.5).is_err());
        assert!(check_percent("progress", -0.1).is_err());
        assert!(check_percent("progress", f64::NAN).is_err());
    }

    #[test]
    fn tokens() {
        assert!(check_token("metric", "yearlyRevenue", limits::METRIC_MAX).is_ok());
        assert!(check_token("metric", "deals.closed:v2", limits::METRIC_MAX).is_ok());
        assert!(check_token("metric", "", limits::METRIC_MAX).is_err());
        assert!(check_token("metric", "a b", limits::METRIC_MAX).is_err());
        assert!(check_token("metric", &"m".repeat(65), limits::METRIC_MAX).is_err());
    }

    #[test]
    fn json_size() {
        let small = serde_json::json!({"a": 1});
        assert!(check_json_size("data", &small).is_ok());
        let big = serde_json::Value::String("x".repeat(limits::JSON_DATA_MAX_BYTES));
        assert_eq!(check_json_size("data", &big).unwrap_err().field, "data");
    }
}
