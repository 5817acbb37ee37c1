//! The schema, as an ordered list of SQL steps. `PRAGMA user_version` records how many have
//! run; opening a database runs the rest, each in its own transaction. Steps are never edited
//! once released: a change is a new step.

use rusqlite::Connection;

use crate::error::{HubError, Result};

/// Step `i` brings the schema from version `i` to `i + 1`.
pub const STEPS: &[&str] = &[
    // 1: identities, the durable event log, client-created records.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE teams (id TEXT PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('leader', 'agent', 'display')),
        team_id TEXT NOT NULL REFERENCES teams(id),
        password_hash TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX users_team ON users(team_id);
    CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    );
    -- The durable log. `id` is the protocol's eventId (AUTOINCREMENT: never reused after a
    -- prune). `room` is the first target room; `event_rooms` lists them all for replay.
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        namespace TEXT NOT NULL,
        room TEXT NOT NULL,
        event TEXT NOT NULL,
        payload TEXT NOT NULL CHECK (json_valid(payload)),
        created_at TEXT NOT NULL
    );
    CREATE INDEX events_created ON events(created_at);
    CREATE TABLE event_rooms (
        room TEXT NOT NULL,
        event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        PRIMARY KEY (room, event_id)
    ) WITHOUT ROWID;
    CREATE INDEX event_rooms_event ON event_rooms(event_id);
    -- Client-created records: one row per (kind, author, clientId).
    CREATE TABLE records (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        author_id TEXT NOT NULL REFERENCES users(id),
        client_id TEXT NOT NULL,
        subject_id TEXT,
        payload TEXT NOT NULL CHECK (json_valid(payload)),
        created_at TEXT NOT NULL,
        PRIMARY KEY (kind, id)
    );
    CREATE UNIQUE INDEX records_idempotency ON records(kind, author_id, client_id);
    CREATE INDEX records_subject ON records(kind, subject_id, created_at);
    "#,
    // 2: what rooms are made of: projects, coaching and training sessions, contests.
    r#"
    CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        team_id TEXT NOT NULL REFERENCES teams(id),
        name TEXT NOT NULL
    );
    CREATE TABLE project_members (
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (project_id, user_id)
    ) WITHOUT ROWID;
    -- Coaching sessions on `/` (kind 'coaching') and roleplay sessions on `/training`
    -- (kind 'training') share one table: both are `session:{id}` rooms, told apart by namespace.
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('coaching', 'training')),
        team_id TEXT NOT NULL REFERENCES teams(id),
        owner_id TEXT NOT NULL REFERENCES users(id),
        data TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data)),
        last_activity_at TEXT NOT NULL,
        closed_at TEXT
    );
    CREATE TABLE session_participants (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        PRIMARY KEY (session_id, user_id)
    ) WITHOUT ROWID;
    CREATE TABLE contests (
        id TEXT PRIMARY KEY,
        team_id TEXT NOT NULL REFERENCES teams(id),
        name TEXT NOT NULL,
        metric TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL
    );
    CREATE TABLE contest_entrants (
        contest_id TEXT NOT NULL REFERENCES contests(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (contest_id, user_id)
    ) WITHOUT ROWID;
    "#,
    // 3: analysis jobs and the generic entity feed of `data:update`.
    r#"
    CREATE TABLE analyses (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        state TEXT NOT NULL CHECK (state IN ('running', 'complete', 'failed', 'cancelled')),
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        webhook_url TEXT,
        detectors TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(detectors)),
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX analyses_project ON analyses(project_id);
    CREATE TABLE entities (
        entity TEXT NOT NULL,
        id TEXT NOT NULL,
        data TEXT NOT NULL CHECK (json_valid(data)),
        version INTEGER NOT NULL,
        room TEXT,
        deleted INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (entity, id)
    );
    "#,
    // 4: leaderboard sales and training progress (inputs of the pure domain logic).
    r#"
    CREATE TABLE sales (
        id TEXT PRIMARY KEY,
        team_id TEXT NOT NULL REFERENCES teams(id),
        seller_id TEXT NOT NULL REFERENCES users(id),
        at TEXT NOT NULL,
        amounts TEXT NOT NULL CHECK (json_valid(amounts)),
        created_at TEXT NOT NULL
    );
    CREATE INDEX sales_team_at ON sales(team_id, at);
    CREATE TABLE training_progress (
        user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        total_xp INTEGER NOT NULL DEFAULT 0,
        quizzes_passed INTEGER NOT NULL DEFAULT 0,
        perfect_quizzes INTEGER NOT NULL DEFAULT 0,
        modules_completed INTEGER NOT NULL DEFAULT 0,
        streak_days INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE module_progress (
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        module_id TEXT NOT NULL,
        progress REAL NOT NULL,
        completed INTEGER NOT NULL,
        PRIMARY KEY (user_id, module_id)
    ) WITHOUT ROWID;
    "#,
    // 5: daily training streaks.
    r#"
    ALTER TABLE training_progress ADD COLUMN longest_streak INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE training_progress ADD COLUMN last_activity_day TEXT;
    "#,
    // 6: a contest's result is produced once: when it was closed.
    r#"
    ALTER TABLE contests ADD COLUMN closed_at TEXT;
    "#,
];

/// Runs the steps the database has not seen yet.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let version = usize::try_from(version)
        .map_err(|_| HubError::Config(format!("database user_version {version} is negative")))?;
    if version > STEPS.len() {
        return Err(HubError::Config(format!(
            "the database is at schema version {version}, newer than this hub ({}): upgrade the hub",
            STEPS.len()
        )));
    }
    for (index, sql) in STEPS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        // PRAGMA takes no bound parameters; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1))?;
        tx.commit()?;
        tracing::info!(version = index + 1, "migrated the database schema");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_keeps_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            migrate(&mut conn).unwrap();
            conn.execute("INSERT INTO teams VALUES ('t1', 'Team')", [])
                .unwrap();
        }
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn).unwrap();
        let version: usize = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, STEPS.len());
        let teams: i64 = conn
            .query_row("SELECT count(*) FROM teams", [], |r| r.get(0))
            .unwrap();
        assert_eq!(teams, 1);
    }

    #[test]
    fn refuses_a_newer_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA user_version = 999").unwrap();
        assert!(matches!(migrate(&mut conn), Err(HubError::Config(_))));
    }
}
