//! Teams, users and service API keys.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use sideline_protocol::Id;

use crate::auth::{Role, TokenSubject};
use crate::error::{HubError, Result};

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Id.
    pub id: Id,
    /// Login name.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Team.
    pub team_id: Id,
    /// argon2 PHC string; `None` for accounts that cannot log in (displays).
    pub password_hash: Option<String>,
}

impl UserRecord {
    /// What a token is issued for.
    pub fn subject(&self) -> TokenSubject {
        TokenSubject {
            id: self.id.clone(),
            name: self.name.clone(),
            role: self.role,
            team_id: self.team_id.clone(),
        }
    }
}

fn id_col(row: &Row<'_>, idx: usize) -> rusqlite::Result<Id> {
    let s: String = row.get(idx)?;
    Id::new(s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<UserRecord> {
    let role: String = row.get(3)?;
    Ok(UserRecord {
        id: id_col(row, 0)?,
        username: row.get(1)?,
        name: row.get(2)?,
        role: Role::parse(&role).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                3,
                rusqlite::types::Type::Text,
                format!("unknown role {role}").into(),
            )
        })?,
        team_id: id_col(row, 4)?,
        password_hash: row.get(5)?,
    })
}

const USER_COLUMNS: &str = "id, username, name, role, team_id, password_hash";

/// Creates a team (or renames it if it exists).
pub fn upsert_team(conn: &Connection, id: &Id, name: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO teams (id, name) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET name = excluded.name",
        params![id.as_str(), name],
    )?;
    Ok(())
}

/// Every team: (id, name).
pub fn teams(conn: &Connection) -> Result<Vec<(Id, String)>> {
    let mut stmt = conn.prepare("SELECT id, name FROM teams ORDER BY id")?;
    let rows = stmt.query_map([], |row| Ok((id_col(row, 0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Creates a user. A taken id or username is a `CONFLICT`; an unknown team `NOT_FOUND`.
pub fn insert_user(conn: &Connection, user: &UserRecord, now: DateTime<Utc>) -> Result<()> {
    if !team_exists(conn, &user.team_id)? {
        return Err(HubError::NotFound(format!("no team {}", user.team_id)));
    }
    conn.execute(
        "INSERT INTO users (id, username, name, role, team_id, password_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            user.id.as_str(),
            user.username,
            user.name,
            user.role.as_str(),
            user.team_id.as_str(),
            user.password_hash,
            now.to_rfc3339()
        ],
    )
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            HubError::Conflict(format!(
                "user {} or username {} exists",
                user.id, user.username
            ))
        }
        other => other.into(),
    })?;
    Ok(())
}

fn team_exists(conn: &Connection, id: &Id) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM teams WHERE id = ?1",
            params![id.as_str()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The user with this login name.
pub fn by_username(conn: &Connection, username: &str) -> Result<Option<UserRecord>> {
    Ok(conn
        .query_row(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"),
            params![username],
            user_from_row,
        )
        .optional()?)
}

/// The user with this id.
pub fn by_id(conn: &Connection, id: &Id) -> Result<Option<UserRecord>> {
    Ok(conn
        .query_row(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
            params![id.as_str()],
            user_from_row,
        )
        .optional()?)
}

/// Every user of a team (or of every team), by id.
pub fn list(conn: &Connection, team: Option<&Id>) -> Result<Vec<UserRecord>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE ?1 IS NULL OR team_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map(params![team.map(Id::as_str)], user_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Stores a service API key by its digest.
pub fn insert_api_key(
    conn: &Connection,
    id: &str,
    name: &str,
    key_hash: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO api_keys (id, name, key_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, name, key_hash, now.to_rfc3339()],
    )?;
    Ok(())
}

/// The name of the API key with this digest, if it exists.
pub fn api_key_name(conn: &Connection, key_hash: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT name FROM api_keys WHERE key_hash = ?1",
            params![key_hash],
            |row| row.get(0),
        )
        .optional()?)
}
