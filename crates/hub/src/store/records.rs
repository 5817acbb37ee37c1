//! Client-created records (quick notes, action items, comments, notifications, `data:update`
//! creates, roleplay messages), stored at most once per (kind, author, clientId).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sideline_protocol::{ClientId, Id};

use crate::error::Result;

/// The kinds of client-created records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// `quickNote:create`; subject: the agent.
    QuickNote,
    /// `actionItem:create`; subject: the agent.
    ActionItem,
    /// `notification:send`; subject: the receiving user.
    Notification,
    /// `comment:create`; subject: the project.
    Comment,
    /// `data:update` with action `create`; subject: the entity name.
    Entity,
    /// `roleplay:message`; subject: the training session.
    RoleplayMessage,
}

impl RecordKind {
    fn as_str(self) -> &'static str {
        match self {
            RecordKind::QuickNote => "quick_note",
            RecordKind::ActionItem => "action_item",
            RecordKind::Notification => "notification",
            RecordKind::Comment => "comment",
            RecordKind::Entity => "entity",
            RecordKind::RoleplayMessage => "roleplay_message",
        }
    }
}

/// The record an author already created with this clientId, if any.
pub fn find_by_client_id<T: DeserializeOwned>(
    conn: &Connection,
    kind: RecordKind,
    author: &Id,
    client_id: &ClientId,
) -> Result<Option<T>> {
    let payload: Option<String> = conn
        .query_row(
            "SELECT payload FROM records WHERE kind = ?1 AND author_id = ?2 AND client_id = ?3",
            params![kind.as_str(), author.as_str(), client_id.to_string()],
            |row| row.get(0),
        )
        .optional()?;
    payload
        .map(|p| serde_json::from_str(&p).map_err(Into::into))
        .transpose()
}

/// Stores a new record. The caller checked [`find_by_client_id`] first under the store lock,
/// so the UNIQUE index is a safety net, not the control flow. One argument per column.
#[allow(clippy::too_many_arguments)]
pub fn insert<T: Serialize>(
    conn: &Connection,
    kind: RecordKind,
    id: &Id,
    author: &Id,
    client_id: &ClientId,
    subject: Option<&str>,
    record: &T,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO records (kind, id, author_id, client_id, subject_id, payload, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            kind.as_str(),
            id.as_str(),
            author.as_str(),
            client_id.to_string(),
            subject,
            serde_json::to_string(record)?,
            now.to_rfc3339()
        ],
    )?;
    Ok(())
}

/// Replaces a stored record's payload (read state of a notification, resolved comment).
pub fn update<T: Serialize>(
    conn: &Connection,
    kind: RecordKind,
    id: &Id,
    record: &T,
) -> Result<bool> {
    let n = conn.execute(
        "UPDATE records SET payload = ?3 WHERE kind = ?1 AND id = ?2",
        params![kind.as_str(), id.as_str(), serde_json::to_string(record)?],
    )?;
    Ok(n == 1)
}

/// Moves a record to another subject (a roleplay message from `pending` to `answered`).
pub fn set_subject(conn: &Connection, kind: RecordKind, id: &Id, subject: &str) -> Result<()> {
    conn.execute(
        "UPDATE records SET subject_id = ?3 WHERE kind = ?1 AND id = ?2",
        params![kind.as_str(), id.as_str(), subject],
    )?;
    Ok(())
}

/// One record by id.
pub fn get<T: DeserializeOwned>(conn: &Connection, kind: RecordKind, id: &Id) -> Result<Option<T>> {
    let payload: Option<String> = conn
        .query_row(
            "SELECT payload FROM records WHERE kind = ?1 AND id = ?2",
            params![kind.as_str(), id.as_str()],
            |row| row.get(0),
        )
        .optional()?;
    payload
        .map(|p| serde_json::from_str(&p).map_err(Into::into))
        .transpose()
}

/// Every record of a kind about a subject, oldest first.
pub fn by_subject<T: DeserializeOwned>(
    conn: &Connection,
    kind: RecordKind,
    subject: &str,
) -> Result<Vec<T>> {
    latest_by_subject(conn, kind, subject, usize::MAX)
}

/// The newest `limit` records of a kind about a subject, oldest first.
pub fn latest_by_subject<T: DeserializeOwned>(
    conn: &Connection,
    kind: RecordKind,
    subject: &str,
    limit: usize,
) -> Result<Vec<T>> {
    Ok(page_by_subject(conn, kind, subject, None, limit)?.unwrap_or_default())
}

/// The newest `limit` records of a kind about a subject that come before the record `before`
/// (all of them when `None`), oldest first: a page of its history. `None` when `before` is no
/// record of that kind about that subject.
pub fn page_by_subject<T: DeserializeOwned>(
    conn: &Connection,
    kind: RecordKind,
    subject: &str,
    before: Option<&Id>,
    limit: usize,
) -> Result<Option<Vec<T>>> {
    // Records are ordered by (created_at, rowid): the rowid settles records of one instant.
    let cursor: Option<(String, i64)> = match before {
        None => None,
        Some(id) => match conn
            .query_row(
                "SELECT created_at, rowid FROM records
                 WHERE kind = ?1 AND subject_id = ?2 AND id = ?3",
                params![kind.as_str(), subject, id.as_str()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?
        {
            None => return Ok(None),
            found => found,
        },
    };
    let (cursor_at, cursor_row) = cursor.unzip();
    let mut stmt = conn.prepare_cached(
        "SELECT payload FROM (
             SELECT payload, created_at, rowid FROM records WHERE kind = ?1 AND subject_id = ?2
             AND (?4 IS NULL OR (created_at, rowid) < (?4, ?5))
             ORDER BY created_at DESC, rowid DESC LIMIT ?3
         ) ORDER BY created_at, rowid",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(
        params![kind.as_str(), subject, limit, cursor_at, cursor_row],
        |row| row.get::<_, String>(0),
    )?;
    let mut out = Vec::new();
    for row in rows {
        out.push(serde_json::from_str(&row?)?);
    }
    Ok(Some(out))
}

/// Deletes every record of a kind about a subject (clearing notifications). Returns how many.
pub fn delete_by_subject(conn: &Connection, kind: RecordKind, subject: &str) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM records WHERE kind = ?1 AND subject_id = ?2",
        params![kind.as_str(), subject],
    )?)
}
