//! [`Store`]: the engine's one SQLite file in the data directory (WAL, migrations by
//! `PRAGMA user_version`).
//!
//! Tables: `outbox` (captured notes and action items until the hub confirms or rejects them),
//! `events` (the durable events applied, so the app shows the last known state at start),
//! `snapshots` (each namespace's last snapshot, which is not durable: the start applies it in
//! its place among the events),
//! `cursor` (the last applied `eventId` per namespace), `alerts_seen` (event ids already
//! alerted, so a replay or a restart never re-alerts), `settings` (alert preferences).
//!
//! Two connections: `capture` runs with `synchronous=FULL` because a captured note must
//! survive a power loss the moment capture returns (WAL + NORMAL only survives an app crash);
//! `main` runs with `synchronous=NORMAL` for everything else — events can be replayed from
//! the hub, so losing the last few on power loss is harmless. A busy or full database makes
//! the call fail ([`ClientError::StorageBusy`] / [`ClientError::StorageFull`]), never drop.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;
use sideline_protocol::{ClientId, EventId, Namespace};

use crate::error::{ClientError, Result};

/// Opening options.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// How long a write waits for another connection's lock before failing with
    /// [`ClientError::StorageBusy`].
    pub busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// The schema, one step per `user_version`.
const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    "CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        client_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        namespace TEXT NOT NULL,
        event TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'confirmed', 'rejected')),
        reason_code TEXT,
        reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        created_at TEXT NOT NULL,
        confirmed_at TEXT,
        server_id TEXT
    );
    CREATE INDEX outbox_by_state ON outbox (state, seq);
    CREATE TABLE events (
        event_id INTEGER PRIMARY KEY,
        namespace TEXT NOT NULL,
        name TEXT NOT NULL,
        payload TEXT NOT NULL
    );
    CREATE TABLE cursor (
        namespace TEXT PRIMARY KEY,
        last_event_id INTEGER NOT NULL
    );
    CREATE TABLE alerts_seen (
        event_id INTEGER PRIMARY KEY,
        seen_at TEXT NOT NULL
    );
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );",
    // 2: each namespace's last snapshot, which is not durable and so not in `events`.
    "CREATE TABLE snapshots (
        namespace TEXT PRIMARY KEY,
        through_event_id INTEGER NOT NULL,
        events TEXT NOT NULL CHECK (json_valid(events))
    );",
];

/// What an outbox record creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum OutboxKind {
    /// `quickNote:create`.
    QuickNote,
    /// `actionItem:create`.
    ActionItem,
}

impl OutboxKind {
    fn as_str(self) -> &'static str {
        match self {
            OutboxKind::QuickNote => "quick_note",
            OutboxKind::ActionItem => "action_item",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "quick_note" => Some(OutboxKind::QuickNote),
            "action_item" => Some(OutboxKind::ActionItem),
            _ => None,
        }
    }
}

/// Where an outbox record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum OutboxState {
    /// Not yet confirmed by the hub (maybe sent, maybe not).
    Pending,
    /// The hub echoed it: stored exactly once.
    Confirmed,
    /// The hub refused it for good (validation, permission); never retried, never deleted.
    Rejected,
}

impl OutboxState {
    /// The stored spelling (`pending`, `confirmed`, `rejected`).
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Confirmed => "confirmed",
            OutboxState::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(OutboxState::Pending),
            "confirmed" => Some(OutboxState::Confirmed),
            "rejected" => Some(OutboxState::Rejected),
            _ => None,
        }
    }
}

/// A record to capture.
#[derive(Debug, Clone)]
pub struct NewOutboxRecord {
    /// Its idempotency key.
    pub client_id: ClientId,
    /// What it creates.
    pub kind: OutboxKind,
    /// Where it is emitted.
    pub namespace: Namespace,
    /// The event name.
    pub event: &'static str,
    /// The validated payload.
    pub payload: Value,
    /// Capture time.
    pub created_at: DateTime<Utc>,
}

/// An outbox record as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxRecord {
    /// Capture order.
    pub seq: i64,
    /// Idempotency key.
    pub client_id: ClientId,
    /// What it creates.
    pub kind: OutboxKind,
    /// Namespace path.
    pub namespace: String,
    /// Event name.
    pub event: String,
    /// Payload.
    pub payload: Value,
    /// State.
    pub state: OutboxState,
    /// The hub's error code when rejected (or the last transient failure).
    pub reason_code: Option<String>,
    /// The hub's reason, for humans.
    pub reason: Option<String>,
    /// Times sent.
    pub attempts: u32,
    /// Not to be sent before this (ms since the epoch), after a transient failure.
    pub next_attempt_at: Option<i64>,
    /// Capture time.
    pub created_at: DateTime<Utc>,
    /// Confirmation time.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The hub's id of the created record, once confirmed.
    pub server_id: Option<String>,
}

/// Counts of outbox records by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxCounts {
    /// Waiting for the hub.
    pub pending: u64,
    /// Refused for good.
    pub rejected: u64,
    /// Done.
    pub confirmed: u64,
}

/// A durable event as cached.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Its id.
    pub event_id: EventId,
    /// Its namespace.
    pub namespace: Namespace,
    /// Its name.
    pub name: String,
    /// Its payload (without `eventId`).
    pub payload: Value,
}

/// A namespace's last snapshot: the events the hub sent instead of a replay, and the
/// `sync:done.lastEventId` they stand at.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSnapshot {
    /// Its namespace.
    pub namespace: Namespace,
    /// The newest event id the snapshot includes.
    pub through: EventId,
    /// The snapshot's events, in the order they came: (name, payload).
    pub events: Vec<(String, Value)>,
}

/// One change of a [`Store::write`] batch.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreWrite {
    /// Cache an applied durable event.
    Event(StoredEvent),
    /// Move a namespace's cursor forward (never backward).
    Cursor(Namespace, EventId),
    /// The hub confirmed a record.
    Confirmed {
        /// Which.
        client_id: ClientId,
        /// The hub's record id.
        server_id: Option<String>,
        /// When.
        at: DateTime<Utc>,
    },
    /// The hub refused a record for good.
    Rejected {
        /// Which.
        client_id: ClientId,
        /// The hub's code.
        code: String,
        /// The hub's message.
        reason: String,
    },
    /// A record was sent (counts attempts).
    Sent(ClientId),
    /// A transient failure: send again at `next_attempt_at` (ms since the epoch).
    Retry {
        /// Which.
        client_id: ClientId,
        /// When.
        next_attempt_at: i64,
        /// The hub's code.
        code: String,
        /// The hub's message.
        reason: String,
    },
    /// An alert was shown (or suppressed) for this event.
    AlertSeen(EventId, DateTime<Utc>),
    /// Keep a namespace's snapshot in place of the one before.
    Snapshot(StoredSnapshot),
}

/// The engine's database.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    main: Mutex<Connection>,
    capture: Mutex<Connection>,
}

fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(|e| e.into_inner())
}

impl Store {
    /// Opens (creating and migrating) the database at `path`.
    pub fn open(path: impl AsRef<Path>, options: &StoreOptions) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let main = Connection::open(&path)?;
        main.busy_timeout(options.busy_timeout)?;
        main.pragma_update(None, "journal_mode", "WAL")?;
        main.pragma_update(None, "synchronous", "NORMAL")?;
        main.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&main)?;
        let capture = Connection::open(&path)?;
        capture.busy_timeout(options.busy_timeout)?;
        // FULL: the WAL is fsynced at every commit, so a captured record survives power loss.
        capture.pragma_update(None, "synchronous", "FULL")?;
        Ok(Store {
            path,
            main: Mutex::new(main),
            capture: Mutex::new(capture),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Durably stores a captured record (FULL commit); returns its capture sequence number.
    pub fn capture(&self, record: &NewOutboxRecord) -> Result<i64> {
        let conn = lock(&self.capture);
        let mut insert = conn.prepare_cached(
            "INSERT INTO outbox (client_id, kind, namespace, event, payload, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        insert.execute(params![
            record.client_id.to_string(),
            record.kind.as_str(),
            record.namespace.path(),
            record.event,
            serde_json::to_string(&record.payload)?,
            record.created_at.to_rfc3339(),
        ])?;
        Ok(conn.last_insert_rowid())
    }

    /// Pending records due at `now_ms`, in capture order, after `after_seq`, at most `limit`.
    pub fn pending_due(
        &self,
        now_ms: i64,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>> {
        let conn = lock(&self.main);
        let mut query = conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox
             WHERE state = 'pending' AND seq > ?1 AND (next_attempt_at IS NULL OR next_attempt_at <= ?2)
             ORDER BY seq LIMIT ?3"
        ))?;
        let rows = query.query_map(params![after_seq, now_ms, limit as i64], outbox_row)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .collect()
    }

    /// The earliest `next_attempt_at` of a pending record waiting for a retry, if any.
    pub fn next_retry_at(&self) -> Result<Option<i64>> {
        let conn = lock(&self.main);
        Ok(conn.query_row(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending' AND next_attempt_at IS NOT NULL",
            [],
            |row| row.get(0),
        )?)
    }

    /// Records in `states`, in capture order (all when `states` is empty).
    pub fn outbox(&self, states: &[OutboxState]) -> Result<Vec<OutboxRecord>> {
        let conn = lock(&self.main);
        let mut query =
            conn.prepare(&format!("SELECT {OUTBOX_COLUMNS} FROM outbox ORDER BY seq"))?;
        let rows = query.query_map([], outbox_row)?;
        let mut out = Vec::new();
        for row in rows {
            let record = row??;
            if states.is_empty() || states.contains(&record.state) {
                out.push(record);
            }
        }
        Ok(out)
    }

    /// The record captured as `client_id`, as it is now.
    pub fn outbox_record(&self, client_id: &ClientId) -> Result<Option<OutboxRecord>> {
        let conn = lock(&self.main);
        let mut query = conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE client_id = ?1"
        ))?;
        query
            .query_row(params![client_id.to_string()], outbox_row)
            .optional()?
            .transpose()
    }

    /// Counts by state.
    pub fn outbox_counts(&self) -> Result<OutboxCounts> {
        let conn = lock(&self.main);
        let mut counts = OutboxCounts::default();
        let mut query = conn.prepare("SELECT state, COUNT(*) FROM outbox GROUP BY state")?;
        let rows = query.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, u64>(1)?))
        })?;
        for row in rows {
            let (state, n) = row?;
            match OutboxState::parse(&state) {
                Some(OutboxState::Pending) => counts.pending = n,
                Some(OutboxState::Rejected) => counts.rejected = n,
                Some(OutboxState::Confirmed) => counts.confirmed = n,
                None => {}
            }
        }
        Ok(counts)
    }

    /// Applies a batch of changes in one transaction (one commit for many events).
    pub fn write(&self, writes: &[StoreWrite]) -> Result<()> {
        if writes.is_empty() {
            return Ok(());
        }
        let mut conn = lock(&self.main);
        let tx = conn.transaction()?;
        for write in writes {
            match write {
                StoreWrite::Event(event) => {
                    tx.prepare_cached(
                        "INSERT OR IGNORE INTO events (event_id, namespace, name, payload) VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![
                        event.event_id.0 as i64,
                        event.namespace.path(),
                        event.name,
                        serde_json::to_string(&event.payload)?
                    ])?;
                }
                StoreWrite::Snapshot(snapshot) => {
                    tx.prepare_cached(
                        "INSERT INTO snapshots (namespace, through_event_id, events) VALUES (?1, ?2, ?3)
                         ON CONFLICT (namespace) DO UPDATE SET through_event_id = excluded.through_event_id,
                             events = excluded.events",
                    )?
                    .execute(params![
                        snapshot.namespace.path(),
                        snapshot.through.0 as i64,
                        serde_json::to_string(&snapshot.events)?
                    ])?;
                }
                StoreWrite::Cursor(namespace, id) => {
                    tx.prepare_cached(
                        "INSERT INTO cursor (namespace, last_event_id) VALUES (?1, ?2)
                         ON CONFLICT (namespace) DO UPDATE SET last_event_id = MAX(last_event_id, excluded.last_event_id)",
                    )?
                    .execute(params![namespace.path(), id.0 as i64])?;
                }
                StoreWrite::Confirmed {
                    client_id,
                    server_id,
                    at,
                } => {
                    tx.prepare_cached(
                        "UPDATE outbox SET state = 'confirmed', confirmed_at = ?2, server_id = ?3,
                             reason_code = NULL, reason = NULL, next_attempt_at = NULL
                         WHERE client_id = ?1 AND state = 'pending'",
                    )?
                    .execute(params![
                        client_id.to_string(),
                        at.to_rfc3339(),
                        server_id
                    ])?;
                }
                StoreWrite::Rejected {
                    client_id,
                    code,
                    reason,
                } => {
                    tx.prepare_cached(
                        "UPDATE outbox SET state = 'rejected', reason_code = ?2, reason = ?3, next_attempt_at = NULL
                         WHERE client_id = ?1 AND state = 'pending'",
                    )?
                    .execute(params![client_id.to_string(), code, reason])?;
                }
                StoreWrite::Sent(client_id) => {
                    tx.prepare_cached(
                        "UPDATE outbox SET attempts = attempts + 1 WHERE client_id = ?1",
                    )?
                    .execute(params![client_id.to_string()])?;
                }
                StoreWrite::Retry {
                    client_id,
                    next_attempt_at,
                    code,
                    reason,
                } => {
                    tx.prepare_cached(
                        "UPDATE outbox SET next_attempt_at = ?2, reason_code = ?3, reason = ?4
                         WHERE client_id = ?1 AND state = 'pending'",
                    )?
                    .execute(params![
                        client_id.to_string(),
                        next_attempt_at,
                        code,
                        reason
                    ])?;
                }
                StoreWrite::AlertSeen(id, at) => {
                    tx.prepare_cached(
                        "INSERT OR IGNORE INTO alerts_seen (event_id, seen_at) VALUES (?1, ?2)",
                    )?
                    .execute(params![id.0 as i64, at.to_rfc3339()])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The last applied event id of a namespace (`EventId(0)` when none).
    pub fn cursor(&self, namespace: Namespace) -> Result<EventId> {
        let conn = lock(&self.main);
        let id: Option<i64> = conn
            .query_row(
                "SELECT last_event_id FROM cursor WHERE namespace = ?1",
                params![namespace.path()],
                |row| row.get(0),
            )
            .optional()?;
        Ok(EventId(id.unwrap_or(0).max(0) as u64))
    }

    /// Each namespace's last snapshot.
    pub fn snapshots(&self) -> Result<Vec<StoredSnapshot>> {
        let conn = lock(&self.main);
        let mut query =
            conn.prepare("SELECT namespace, through_event_id, events FROM snapshots")?;
        let rows = query.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (ns, through, events) = row?;
            let Ok(namespace) = Namespace::parse(&ns) else {
                continue;
            };
            out.push(StoredSnapshot {
                namespace,
                through: EventId(through as u64),
                events: serde_json::from_str(&events)?,
            });
        }
        Ok(out)
    }

    /// The newest `limit` cached events, oldest first.
    pub fn recent_events(&self, limit: usize) -> Result<Vec<StoredEvent>> {
        let conn = lock(&self.main);
        let mut query = conn.prepare(
            "SELECT event_id, namespace, name, payload FROM
               (SELECT * FROM events ORDER BY event_id DESC LIMIT ?1)
             ORDER BY event_id",
        )?;
        let rows = query.query_map(params![limit as i64], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, ns, name, payload) = row?;
            let Ok(namespace) = Namespace::parse(&ns) else {
                continue;
            };
            out.push(StoredEvent {
                event_id: EventId(id as u64),
                namespace,
                name,
                payload: serde_json::from_str(&payload)?,
            });
        }
        Ok(out)
    }

    /// Deletes all but the newest `keep` cached events.
    pub fn prune_events(&self, keep: usize) -> Result<()> {
        let conn = lock(&self.main);
        conn.execute(
            "DELETE FROM events WHERE event_id NOT IN (SELECT event_id FROM events ORDER BY event_id DESC LIMIT ?1)",
            params![keep as i64],
        )?;
        Ok(())
    }

    /// Whether an alert was already decided for this event.
    pub fn alert_seen(&self, id: EventId) -> Result<bool> {
        let conn = lock(&self.main);
        Ok(conn
            .prepare_cached("SELECT 1 FROM alerts_seen WHERE event_id = ?1")?
            .exists(params![id.0 as i64])?)
    }

    /// A setting's JSON value.
    pub fn setting(&self, key: &str) -> Result<Option<Value>> {
        let conn = lock(&self.main);
        let text: Option<String> = conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                params![key],
                |row| row.get(0),
            )
            .optional()?;
        Ok(text.map(|t| serde_json::from_str(&t)).transpose()?)
    }

    /// Stores a setting.
    pub fn set_setting(&self, key: &str, value: &Value) -> Result<()> {
        let conn = lock(&self.main);
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, serde_json::to_string(value)?],
        )?;
        Ok(())
    }
}

const OUTBOX_COLUMNS: &str = "seq, client_id, kind, namespace, event, payload, state, reason_code, reason, attempts, next_attempt_at, created_at, confirmed_at, server_id";

fn outbox_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<OutboxRecord>> {
    let client_id: String = row.get(1)?;
    let kind: String = row.get(2)?;
    let payload: String = row.get(5)?;
    let state: String = row.get(6)?;
    let created_at: String = row.get(11)?;
    let confirmed_at: Option<String> = row.get(12)?;
    let corrupt = |what: &str| ClientError::Config(format!("corrupt outbox row: {what}"));
    let parse_time = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| corrupt("time"))
    };
    let seq: i64 = row.get(0)?;
    let namespace: String = row.get(3)?;
    let event: String = row.get(4)?;
    let reason_code: Option<String> = row.get(7)?;
    let reason: Option<String> = row.get(8)?;
    let attempts: u32 = row.get(9)?;
    let next_attempt_at: Option<i64> = row.get(10)?;
    let server_id: Option<String> = row.get(13)?;
    Ok((|| {
        Ok(OutboxRecord {
            seq,
            client_id: client_id.parse().map_err(|_| corrupt("clientId"))?,
            kind: OutboxKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
            namespace,
            event,
            payload: serde_json::from_str(&payload)?,
            state: OutboxState::parse(&state).ok_or_else(|| corrupt("state"))?,
            reason_code,
            reason,
            attempts,
            next_attempt_at,
            created_at: parse_time(&created_at)?,
            confirmed_at: confirmed_at.as_deref().map(parse_time).transpose()?,
            server_id,
        })
    })())
}

fn migrate(conn: &Connection) -> Result<()> {
    let version: usize = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version > MIGRATIONS.len() {
        return Err(ClientError::Config(format!(
            "the local database is from a newer Sideline (schema {version}); update the app"
        )));
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// Helpers for the store tests and the outbox tests.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    pub fn open_temp() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(
            dir.path().join("client.db"),
            &StoreOptions {
                busy_timeout: Duration::from_millis(100),
            },
        )
        .unwrap();
        (dir, store)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::open_temp;
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn record(n: u32) -> NewOutboxRecord {
        NewOutboxRecord {
            client_id: ClientId::new_v7(),
            kind: OutboxKind::QuickNote,
            namespace: Namespace::Main,
            event: "quickNote:create",
            payload: json!({ "n": n }),
            created_at: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, n).unwrap(),
        }
    }

    #[test]
    fn migrates_once_and_reopens() {
        let (dir, store) = open_temp();
        store.capture(&record(1)).unwrap();
        drop(store);
        let store = Store::open(dir.path().join("client.db"), &StoreOptions::default()).unwrap();
        assert_eq!(store.outbox(&[]).unwrap().len(), 1);
        let version: usize = lock(&store.main)
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len());
    }

    #[test]
    fn capture_connection_is_full_and_main_is_normal() {
        let (_dir, store) = open_temp();
        let sync = |c: &Mutex<Connection>| -> i64 {
            lock(c)
                .pragma_query_value(None, "synchronous", |r| r.get(0))
                .unwrap()
        };
        assert_eq!(sync(&store.capture), 2, "FULL");
        assert_eq!(sync(&store.main), 1, "NORMAL");
        let mode: String = lock(&store.main)
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn outbox_lifecycle_keeps_capture_order() {
        let (_dir, store) = open_temp();
        let records: Vec<_> = (1..=3).map(record).collect();
        for r in &records {
            store.capture(r).unwrap();
        }
        let due = store.pending_due(0, 0, 10).unwrap();
        assert_eq!(
            due.iter().map(|r| r.client_id).collect::<Vec<_>>(),
            records.iter().map(|r| r.client_id).collect::<Vec<_>>()
        );
        let at = Utc.with_ymd_and_hms(2025, 1, 1, 1, 0, 0).unwrap();
        store
            .write(&[
                StoreWrite::Sent(records[0].client_id),
                StoreWrite::Confirmed {
                    client_id: records[0].client_id,
                    server_id: Some("n1".into()),
                    at,
                },
                StoreWrite::Rejected {
                    client_id: records[1].client_id,
                    code: "VALIDATION_FAILED".into(),
                    reason: "content: too long".into(),
                },
                StoreWrite::Retry {
                    client_id: records[2].client_id,
                    next_attempt_at: 5_000,
                    code: "INTERNAL".into(),
                    reason: "later".into(),
                },
            ])
            .unwrap();
        assert_eq!(
            store.outbox_counts().unwrap(),
            OutboxCounts {
                pending: 1,
                rejected: 1,
                confirmed: 1
            }
        );
        assert!(store.pending_due(4_999, 0, 10).unwrap().is_empty());
        assert_eq!(store.pending_due(5_000, 0, 10).unwrap().len(), 1);
        assert_eq!(store.next_retry_at().unwrap(), Some(5_000));
        let rejected = store.outbox(&[OutboxState::Rejected]).unwrap();
        assert_eq!(rejected[0].reason.as_deref(), Some("content: too long"));
        let confirmed = store.outbox(&[OutboxState::Confirmed]).unwrap();
        assert_eq!(confirmed[0].attempts, 1);
        assert_eq!(confirmed[0].confirmed_at, Some(at));
        // A late rejection never downgrades a confirmed record.
        store
            .write(&[StoreWrite::Rejected {
                client_id: records[0].client_id,
                code: "X".into(),
                reason: "x".into(),
            }])
            .unwrap();
        assert_eq!(store.outbox_counts().unwrap().confirmed, 1);
    }

    #[test]
    fn a_locked_database_makes_capture_fail_not_drop() {
        let (dir, store) = open_temp();
        let other = Connection::open(dir.path().join("client.db")).unwrap();
        other.execute_batch("BEGIN EXCLUSIVE").unwrap();
        let err = store.capture(&record(1)).unwrap_err();
        assert!(matches!(err, ClientError::StorageBusy), "{err:?}");
        assert_eq!(err.code(), "STORAGE_BUSY");
        other.execute_batch("ROLLBACK").unwrap();
        store.capture(&record(2)).unwrap();
        assert_eq!(store.outbox(&[]).unwrap().len(), 1);
    }

    #[test]
    fn a_namespaces_snapshot_replaces_its_last_one_only() {
        let (_dir, store) = open_temp();
        assert!(store.snapshots().unwrap().is_empty());
        let snapshot = |namespace, through, name: &str| {
            StoreWrite::Snapshot(StoredSnapshot {
                namespace,
                through: EventId(through),
                events: vec![(name.to_owned(), json!({ "n": through }))],
            })
        };
        store
            .write(&[
                snapshot(Namespace::Main, 3, "sync:snapshot"),
                snapshot(Namespace::Training, 4, "training:snapshot"),
            ])
            .unwrap();
        store
            .write(&[snapshot(Namespace::Main, 9, "sync:snapshot")])
            .unwrap();
        let mut kept: Vec<_> = store
            .snapshots()
            .unwrap()
            .into_iter()
            .map(|s| (s.namespace.path(), s.through.0, s.events))
            .collect();
        kept.sort_by_key(|k| k.0);
        assert_eq!(
            kept,
            [
                (
                    "/",
                    9,
                    vec![("sync:snapshot".to_owned(), json!({ "n": 9 }))]
                ),
                (
                    "/training",
                    4,
                    vec![("training:snapshot".to_owned(), json!({ "n": 4 }))]
                ),
            ]
        );
    }

    #[test]
    fn cursor_only_moves_forward_and_events_are_cached() {
        let (_dir, store) = open_temp();
        assert_eq!(store.cursor(Namespace::Main).unwrap(), EventId(0));
        let event = |id| {
            StoreWrite::Event(StoredEvent {
                event_id: EventId(id),
                namespace: Namespace::Leaderboard,
                name: "rank:changed".into(),
                payload: json!({"id": id}),
            })
        };
        store
            .write(&[
                event(5),
                event(7),
                StoreWrite::Cursor(Namespace::Main, EventId(7)),
            ])
            .unwrap();
        store
            .write(&[event(6), StoreWrite::Cursor(Namespace::Main, EventId(3))])
            .unwrap();
        assert_eq!(store.cursor(Namespace::Main).unwrap(), EventId(7));
        let ids: Vec<_> = store
            .recent_events(2)
            .unwrap()
            .iter()
            .map(|e| e.event_id.0)
            .collect();
        assert_eq!(ids, [6, 7]);
        store.prune_events(1).unwrap();
        assert_eq!(store.recent_events(10).unwrap().len(), 1);
    }

    #[test]
    fn alerts_seen_and_settings_persist() {
        let (dir, store) = open_temp();
        let at = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        store
            .write(&[StoreWrite::AlertSeen(EventId(9), at)])
            .unwrap();
        store.set_setting("alerts", &json!({"dnd": true})).unwrap();
        drop(store);
        let store = Store::open(dir.path().join("client.db"), &StoreOptions::default()).unwrap();
        assert!(store.alert_seen(EventId(9)).unwrap());
        assert!(!store.alert_seen(EventId(10)).unwrap());
        assert_eq!(store.setting("alerts").unwrap(), Some(json!({"dnd": true})));
    }
}
