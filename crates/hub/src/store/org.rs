//! What rooms are made of: projects and their members, coaching / training sessions and their
//! participants, contests and their entrants.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use sideline_protocol::Id;

use crate::error::{HubError, Result};

/// The two kinds of `session:{id}` rooms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// A coaching session on `/`.
    Coaching,
    /// A roleplay (training) session on `/training`.
    Training,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Coaching => "coaching",
            SessionKind::Training => "training",
        }
    }

    /// The kind stored in the `kind` column.
    fn from_column(kind: &str) -> Self {
        if kind == SessionKind::Coaching.as_str() {
            SessionKind::Coaching
        } else {
            SessionKind::Training
        }
    }
}

/// The team owning a project.
pub fn project_team(conn: &Connection, project: &Id) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT team_id FROM projects WHERE id = ?1",
            params![project.as_str()],
            |r| r.get(0),
        )
        .optional()?)
}

/// Whether `user` is a member of `project`.
pub fn is_project_member(conn: &Connection, project: &Id, user: &Id) -> Result<bool> {
    exists(
        conn,
        "SELECT 1 FROM project_members WHERE project_id = ?1 AND user_id = ?2",
        project,
        user,
    )
}

/// Creates a project with its members.
pub fn insert_project(
    conn: &Connection,
    id: &Id,
    team: &Id,
    name: &str,
    members: &[Id],
) -> Result<()> {
    conn.execute(
        "INSERT INTO projects (id, team_id, name) VALUES (?1, ?2, ?3)",
        params![id.as_str(), team.as_str(), name],
    )?;
    for member in members {
        conn.execute(
            "INSERT OR IGNORE INTO project_members (project_id, user_id) VALUES (?1, ?2)",
            params![id.as_str(), member.as_str()],
        )?;
    }
    Ok(())
}

/// The projects `user` is a member of.
pub fn projects_of(conn: &Connection, user: &Id) -> Result<Vec<Id>> {
    ids(
        conn,
        "SELECT project_id FROM project_members WHERE user_id = ?1 ORDER BY project_id",
        user,
    )
}

/// (kind, team, owner) of an open session.
pub fn session(conn: &Connection, id: &Id) -> Result<Option<(SessionKind, String, String)>> {
    Ok(conn
        .query_row(
            "SELECT kind, team_id, owner_id FROM sessions WHERE id = ?1 AND closed_at IS NULL",
            params![id.as_str()],
            |r| {
                let kind: String = r.get(0)?;
                Ok((SessionKind::from_column(&kind), r.get(1)?, r.get(2)?))
            },
        )
        .optional()?)
}

/// Whether a session with this id was ever created (open or closed): ids are not reused.
pub fn session_exists(conn: &Connection, id: &Id) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM sessions WHERE id = ?1",
            params![id.as_str()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Creates an open session owned by `owner`, who becomes a participant with `owner_role`.
pub fn insert_session(
    conn: &Connection,
    id: &Id,
    kind: SessionKind,
    team: &Id,
    owner: &Id,
    owner_role: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO sessions (id, kind, team_id, owner_id, last_activity_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id.as_str(), kind.as_str(), team.as_str(), owner.as_str(), now.to_rfc3339()],
    )?;
    add_participant(conn, id, owner, owner_role)
}

/// Adds (or re-roles) a participant.
pub fn add_participant(conn: &Connection, session: &Id, user: &Id, role: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO session_participants (session_id, user_id, role) VALUES (?1, ?2, ?3)
         ON CONFLICT (session_id, user_id) DO UPDATE SET role = excluded.role",
        params![session.as_str(), user.as_str(), role],
    )?;
    Ok(())
}

/// The role of `user` in `session`, if they are a participant.
pub fn participant_role(conn: &Connection, session: &Id, user: &Id) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT role FROM session_participants WHERE session_id = ?1 AND user_id = ?2",
            params![session.as_str(), user.as_str()],
            |r| r.get(0),
        )
        .optional()?)
}

/// The open coaching sessions `user` participates in.
pub fn open_sessions_of(conn: &Connection, user: &Id, kind: SessionKind) -> Result<Vec<Id>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id FROM sessions s JOIN session_participants p ON p.session_id = s.id
         WHERE p.user_id = ?1 AND s.kind = ?2 AND s.closed_at IS NULL ORDER BY s.id",
    )?;
    let rows = stmt.query_map(params![user.as_str(), kind.as_str()], |r| {
        r.get::<_, String>(0)
    })?;
    Ok(rows
        .filter_map(|r| r.ok().and_then(|s| Id::new(s).ok()))
        .collect())
}

/// An open coaching session as `sync:snapshot` shows it, less who is in it now (that is live
/// state, not stored): its enrolled members and its fields.
pub fn coaching_session_state(
    conn: &Connection,
    id: &Id,
) -> Result<Option<sideline_protocol::coaching::CoachingSessionState>> {
    use sideline_protocol::UserRef;
    use sideline_protocol::coaching::{CoachingSessionState, ParticipantRole, SessionMember};

    let stored = |what: &str, e: &dyn std::fmt::Display| {
        HubError::Internal(format!("stored session {id}: {what}: {e}"))
    };
    let Some((data, last_activity_at)) = conn
        .query_row(
            "SELECT data, last_activity_at FROM sessions
             WHERE id = ?1 AND kind = 'coaching' AND closed_at IS NULL",
            params![id.as_str()],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )
        .optional()?
    else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, u.name, p.role FROM session_participants p JOIN users u ON u.id = p.user_id
         WHERE p.session_id = ?1
         ORDER BY p.role = 'instructor' DESC, u.name, u.id",
    )?;
    let rows = stmt.query_map(params![id.as_str()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut members = Vec::new();
    for row in rows {
        let (user, name, role) = row?;
        members.push(SessionMember {
            user: UserRef {
                id: Id::new(&user).map_err(|e| stored("participant", &e))?,
                name,
            },
            role: if role == "instructor" {
                ParticipantRole::Instructor
            } else {
                ParticipantRole::Learner
            },
        });
    }
    Ok(Some(CoachingSessionState {
        session_id: id.clone(),
        members,
        participants: Vec::new(),
        fields: serde_json::from_str(&data).map_err(|e| stored("data", &e))?,
        last_activity_at: DateTime::parse_from_rfc3339(&last_activity_at)
            .map_err(|e| stored("lastActivityAt", &e))?
            .with_timezone(&Utc),
    }))
}

/// Records activity in a session (for the idle cleanup).
pub fn touch_session(conn: &Connection, session: &Id, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET last_activity_at = ?2 WHERE id = ?1",
        params![session.as_str(), now.to_rfc3339()],
    )?;
    Ok(())
}

/// Closes sessions idle since before `cutoff` (a coaching one's status becomes
/// `COMPLETED`); returns their ids and kinds.
pub fn close_idle_sessions(
    conn: &Connection,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<(Id, SessionKind)>> {
    let mut stmt = conn.prepare(
        "UPDATE sessions SET closed_at = ?2,
             data = CASE kind WHEN 'coaching' THEN json_patch(data, '{\"status\":\"COMPLETED\"}')
                    ELSE data END
         WHERE closed_at IS NULL AND last_activity_at < ?1 RETURNING id, kind",
    )?;
    let rows = stmt.query_map(params![cutoff.to_rfc3339(), now.to_rfc3339()], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut closed = Vec::new();
    for row in rows {
        let (id, kind) = row?;
        let kind = SessionKind::from_column(&kind);
        closed.extend(Id::new(id).ok().map(|id| (id, kind)));
    }
    Ok(closed)
}

/// The team of a contest.
pub fn contest_team(conn: &Connection, contest: &Id) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT team_id FROM contests WHERE id = ?1",
            params![contest.as_str()],
            |r| r.get(0),
        )
        .optional()?)
}

/// Whether `user` entered `contest`.
pub fn is_contest_entrant(conn: &Connection, contest: &Id, user: &Id) -> Result<bool> {
    exists(
        conn,
        "SELECT 1 FROM contest_entrants WHERE contest_id = ?1 AND user_id = ?2",
        contest,
        user,
    )
}

/// Creates a contest with its entrants (one argument per column).
#[allow(clippy::too_many_arguments)]
pub fn insert_contest(
    conn: &Connection,
    id: &Id,
    team: &Id,
    name: &str,
    metric: &str,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    entrants: &[Id],
) -> Result<()> {
    conn.execute(
        "INSERT INTO contests (id, team_id, name, metric, starts_at, ends_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id.as_str(), team.as_str(), name, metric, starts_at.to_rfc3339(), ends_at.to_rfc3339()],
    )?;
    for user in entrants {
        conn.execute(
            "INSERT OR IGNORE INTO contest_entrants (contest_id, user_id) VALUES (?1, ?2)",
            params![id.as_str(), user.as_str()],
        )?;
    }
    Ok(())
}

/// A stored contest as the admin API lists it (times as stored, RFC 3339).
#[derive(Debug, Clone, PartialEq)]
pub struct ContestRow {
    /// Id.
    pub id: Id,
    /// Name.
    pub name: String,
    /// Metric contested.
    pub metric: String,
    /// Start (inclusive).
    pub starts_at: String,
    /// End (exclusive).
    pub ends_at: String,
    /// When its result was produced, if it was.
    pub closed_at: Option<String>,
    /// Entrants, by id.
    pub entrant_ids: Vec<Id>,
}

/// The contests of `team`, latest start first, with their entrants.
pub fn team_contests(conn: &Connection, team: &Id) -> Result<Vec<ContestRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, metric, starts_at, ends_at, closed_at FROM contests
         WHERE team_id = ?1 ORDER BY starts_at DESC, id",
    )?;
    let rows = stmt.query_map(params![team.as_str()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    let mut list = Vec::new();
    for row in rows {
        let (id, name, metric, starts_at, ends_at, closed_at) = row?;
        // Ids were validated on the way in; a row that no longer parses is skipped.
        let Ok(id) = Id::new(id) else { continue };
        let entrant_ids = ids(
            conn,
            "SELECT user_id FROM contest_entrants WHERE contest_id = ?1 ORDER BY user_id",
            &id,
        )?;
        list.push(ContestRow {
            id,
            name,
            metric,
            starts_at,
            ends_at,
            closed_at,
            entrant_ids,
        });
    }
    Ok(list)
}

/// The contests `user` entered.
pub fn contests_of(conn: &Connection, user: &Id) -> Result<Vec<Id>> {
    ids(
        conn,
        "SELECT contest_id FROM contest_entrants WHERE user_id = ?1 ORDER BY contest_id",
        user,
    )
}

fn exists(conn: &Connection, sql: &str, a: &Id, b: &Id) -> Result<bool> {
    Ok(conn
        .query_row(sql, params![a.as_str(), b.as_str()], |_| Ok(()))
        .optional()?
        .is_some())
}

fn ids(conn: &Connection, sql: &str, key: &Id) -> Result<Vec<Id>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![key.as_str()], |r| r.get::<_, String>(0))?;
    Ok(rows
        .filter_map(|r| r.ok().and_then(|s| Id::new(s).ok()))
        .collect())
}
