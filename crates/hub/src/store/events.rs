//! The durable event log: append (inside the caller's transaction), read for replay, prune.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use sideline_protocol::{EventId, Namespace, Room};

use crate::error::{HubError, Result};

/// A durable event waiting to be logged and emitted.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingEvent {
    /// The namespace it is emitted on.
    pub namespace: Namespace,
    /// Every room it goes to (a socket in several of them receives it once).
    pub rooms: Vec<Room>,
    /// The event name.
    pub event: &'static str,
    /// The payload, without `eventId`.
    pub payload: Value,
}

/// A logged durable event.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedEvent {
    /// Its id (the protocol's `eventId`).
    pub id: EventId,
    /// The namespace.
    pub namespace: Namespace,
    /// Every target room.
    pub rooms: Vec<Room>,
    /// The event name.
    pub event: String,
    /// The payload, without `eventId`.
    pub payload: Value,
}

const PRUNED_THROUGH: &str = "events_pruned_through";

/// Appends `event`; returns its id. Call inside the transaction of the state change it reports.
pub fn append(conn: &Connection, event: &PendingEvent, now: DateTime<Utc>) -> Result<LoggedEvent> {
    let first = event
        .rooms
        .first()
        .ok_or_else(|| HubError::Internal(format!("durable event {} has no room", event.event)))?;
    conn.execute(
        "INSERT INTO events (namespace, room, event, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            event.namespace.path(),
            first.to_string(),
            event.event,
            event.payload.to_string(),
            now.to_rfc3339()
        ],
    )?;
    let id = conn.last_insert_rowid();
    let mut insert_room =
        conn.prepare_cached("INSERT OR IGNORE INTO event_rooms (room, event_id) VALUES (?1, ?2)")?;
    for room in &event.rooms {
        insert_room.execute(params![room.to_string(), id])?;
    }
    Ok(LoggedEvent {
        id: event_id(id)?,
        namespace: event.namespace,
        rooms: event.rooms.clone(),
        event: event.event.to_owned(),
        payload: event.payload.clone(),
    })
}

fn event_id(raw: i64) -> Result<EventId> {
    u64::try_from(raw)
        .ok()
        .filter(|id| *id <= EventId::MAX_SAFE)
        .map(EventId)
        .ok_or_else(|| HubError::Internal(format!("event id {raw} out of range")))
}

/// Every event of `namespace` after `after` that went to at least one of `rooms`, in id order.
pub fn after(
    conn: &Connection,
    namespace: Namespace,
    rooms: &[Room],
    after: EventId,
) -> Result<Vec<LoggedEvent>> {
    if rooms.is_empty() {
        return Ok(Vec::new());
    }
    let room_names: Vec<String> = rooms.iter().map(Room::to_string).collect();
    let room_json = serde_json::to_string(&room_names)?;
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.event, e.payload,
                (SELECT json_group_array(r.room) FROM event_rooms r WHERE r.event_id = e.id)
         FROM events e
         WHERE e.namespace = ?1 AND e.id > ?2
           AND EXISTS (SELECT 1 FROM event_rooms r
                       WHERE r.event_id = e.id AND r.room IN (SELECT value FROM json_each(?3)))
         ORDER BY e.id",
    )?;
    // A cursor past i64 (no hub ever issues one: ids stay below 2^53) is past every event,
    // not a wrap to a negative number that would replay the whole log.
    let after = i64::try_from(after.0).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![namespace.path(), after, room_json], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
        ))
    })?;
    let mut events = Vec::new();
    for row in rows {
        let (id, event, payload, rooms) = row?;
        let rooms: Vec<String> = serde_json::from_str(&rooms)?;
        events.push(LoggedEvent {
            id: event_id(id)?,
            namespace,
            rooms: rooms.iter().filter_map(|r| r.parse().ok()).collect(),
            event,
            payload: serde_json::from_str(&payload)?,
        });
    }
    Ok(events)
}

/// Deletes events created before `cutoff`; remembers the highest id deleted. Returns how many.
pub fn prune(conn: &Connection, cutoff: DateTime<Utc>) -> Result<usize> {
    let highest: Option<i64> = conn.query_row(
        "SELECT max(id) FROM events WHERE created_at < ?1",
        params![cutoff.to_rfc3339()],
        |row| row.get(0),
    )?;
    let Some(highest) = highest else {
        return Ok(0);
    };
    // Deleting by id (ids grow with time) keeps "pruned through N" exact even if clocks
    // stepped backwards.
    let deleted = conn.execute("DELETE FROM events WHERE id <= ?1", params![highest])?;
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
        params![PRUNED_THROUGH, highest.to_string()],
    )?;
    Ok(deleted)
}

/// The highest event id ever pruned (`EventId::NONE` when none was).
pub fn pruned_through(conn: &Connection) -> Result<EventId> {
    let value: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            params![PRUNED_THROUGH],
            |row| row.get(0),
        )
        .optional()?;
    match value {
        Some(v) => v
            .parse::<i64>()
            .map_err(|e| HubError::Internal(format!("meta {PRUNED_THROUGH}: {e}")))
            .and_then(event_id),
        None => Ok(EventId::NONE),
    }
}

/// The highest event id assigned so far (`EventId::NONE` on an empty hub).
pub fn last_id(conn: &Connection) -> Result<EventId> {
    let seq: Option<i64> = conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'events'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    event_id(seq.unwrap_or(0))
}

/// How many events the log holds.
pub fn count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row("SELECT count(*) FROM events", [], |row| row.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::migrations::migrate;
    use serde_json::json;
    use sideline_protocol::Id;

    fn room(s: &str) -> Room {
        s.parse().unwrap()
    }

    #[test]
    fn append_replay_prune() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let t0 = Utc::now() - chrono::Duration::days(40);
        let ev = |rooms: Vec<Room>, n: i64| PendingEvent {
            namespace: Namespace::Main,
            rooms,
            event: "quickNote:created",
            payload: json!({ "n": n }),
        };
        let a = append(&conn, &ev(vec![room("user:a"), room("user:b")], 1), t0).unwrap();
        let b = append(&conn, &ev(vec![room("user:b")], 2), Utc::now()).unwrap();
        let c = append(&conn, &ev(vec![room("team:t")], 3), Utc::now()).unwrap();
        assert!(a.id < b.id && b.id < c.id);
        let for_b = after(&conn, Namespace::Main, &[room("user:b")], EventId::NONE).unwrap();
        assert_eq!(
            for_b.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![a.id, b.id]
        );
        assert_eq!(for_b[0].rooms, vec![room("user:a"), room("user:b")]);
        let both = after(
            &conn,
            Namespace::Main,
            &[room("user:b"), room("user:a")],
            a.id,
        )
        .unwrap();
        assert_eq!(
            both.len(),
            1,
            "an event in two of the socket's rooms is replayed once"
        );
        assert!(
            after(
                &conn,
                Namespace::Leaderboard,
                &[room("user:b")],
                EventId::NONE
            )
            .unwrap()
            .is_empty()
        );
        assert_eq!(pruned_through(&conn).unwrap(), EventId::NONE);
        assert_eq!(
            prune(&conn, Utc::now() - chrono::Duration::days(30)).unwrap(),
            1
        );
        assert_eq!(pruned_through(&conn).unwrap(), a.id);
        assert_eq!(count(&conn).unwrap(), 2);
        assert_eq!(last_id(&conn).unwrap(), c.id);
        let _ = Id::new("x");
    }

    #[test]
    fn a_cursor_past_i64_replays_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let event = PendingEvent {
            namespace: Namespace::Main,
            rooms: vec![room("user:a")],
            event: "quickNote:created",
            payload: json!({}),
        };
        append(&conn, &event, Utc::now()).unwrap();
        for cursor in [1u64 << 63, u64::MAX] {
            assert!(
                after(&conn, Namespace::Main, &[room("user:a")], EventId(cursor))
                    .unwrap()
                    .is_empty(),
                "{cursor}"
            );
        }
    }
}
