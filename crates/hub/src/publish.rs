//! Getting events out: durable events are logged in the transaction of their state change and
//! emitted after commit while the store lock is still held (so they leave the hub in `eventId`
//! order); state kept in memory beside the database is updated under that same lock
//! ([`HubState::commit_then`]); transient events are emitted directly. Every emit result is
//! checked and failures are counted in `sideline_emit_failures`.

use serde::Serialize;
use serde_json::Value;
use sideline_protocol::{Namespace, Room, encode_durable};
use socketioxide::extract::SocketRef;

use crate::error::Result;
use crate::state::HubState;
use crate::store::Db;
use crate::store::events::{self, LoggedEvent, PendingEvent};

/// Durable events collected during a state change.
#[derive(Debug, Default)]
pub struct Outbox {
    events: Vec<PendingEvent>,
}

impl Outbox {
    /// Queues a durable event; it is logged with the transaction and emitted after commit.
    pub fn push<T: Serialize>(
        &mut self,
        namespace: Namespace,
        rooms: Vec<Room>,
        event: &'static str,
        payload: &T,
    ) -> Result<()> {
        self.events.push(PendingEvent {
            namespace,
            rooms,
            event,
            payload: serde_json::to_value(payload)?,
        });
        Ok(())
    }
}

impl HubState {
    /// Runs `change` in one transaction, logs the durable events it queued in that same
    /// transaction, commits, then emits them in id order before releasing the store lock.
    pub async fn commit<T>(
        &self,
        change: impl FnOnce(&rusqlite::Transaction<'_>, &mut Outbox) -> Result<T>,
    ) -> Result<T> {
        self.commit_then(change, |value| value).await
    }

    /// [`Self::commit`], with `committed` run on the change's value once the transaction has
    /// committed, before its events leave and while the store lock is still held. State kept
    /// in memory beside the database is updated there: after the lock is released, the next
    /// change or snapshot must already see it.
    pub async fn commit_then<T, U>(
        &self,
        change: impl FnOnce(&rusqlite::Transaction<'_>, &mut Outbox) -> Result<T>,
        committed: impl FnOnce(T) -> U,
    ) -> Result<U> {
        let now = self.now();
        let mut db = self.store.lock().await;
        let (value, logged) = db.transaction(|tx| {
            let mut outbox = Outbox::default();
            let value = change(tx, &mut outbox)?;
            let logged = outbox
                .events
                .iter()
                .map(|event| events::append(tx, event, now))
                .collect::<Result<Vec<_>>>()?;
            Ok((value, logged))
        })?;
        let value = committed(value);
        for event in &logged {
            self.emit_logged(event).await;
        }
        drop(db);
        Ok(value)
    }

    /// Emits a logged event to its rooms (each socket once), with its `eventId`.
    async fn emit_logged(&self, event: &LoggedEvent) {
        let payload = encode_durable(event.id, &event.payload);
        self.emit_to_rooms(event.namespace, &event.rooms, &event.event, &payload)
            .await;
    }

    /// Emits a transient event to every socket in any of `rooms` on `namespace`.
    pub async fn emit_to_rooms(
        &self,
        namespace: Namespace,
        rooms: &[Room],
        event: &str,
        payload: &Value,
    ) {
        let Some(ns) = self.io.of(namespace.path()) else {
            return;
        };
        let rooms: Vec<String> = rooms.iter().map(Room::to_string).collect();
        match ns.to(rooms).emit(event, payload).await {
            Ok(()) => self.metrics.emitted(namespace.path()),
            Err(err) => self.count_broadcast_failure(event, err),
        }
    }

    /// Emits a transient event to the rooms except the sending socket.
    pub async fn emit_to_rooms_except(
        &self,
        socket: &SocketRef,
        rooms: &[Room],
        event: &str,
        payload: &Value,
    ) {
        let rooms: Vec<String> = rooms.iter().map(Room::to_string).collect();
        match socket.to(rooms).emit(event, payload).await {
            Ok(()) => self.metrics.emitted(socket.ns()),
            Err(err) => self.count_broadcast_failure(event, err),
        }
    }

    fn count_broadcast_failure(&self, event: &str, err: socketioxide::BroadcastError) {
        let failures = match &err {
            socketioxide::BroadcastError::Socket(errors) => errors.len().max(1),
            _ => 1,
        };
        self.metrics.emit_failed(failures);
        tracing::warn!(event, failures, error = %err, "emit to a room failed");
    }

    /// Emits to one socket, counting a failure (full buffer, closed socket).
    pub fn emit_to_socket<T: Serialize + ?Sized>(
        &self,
        socket: &SocketRef,
        event: &str,
        payload: &T,
    ) {
        match socket.emit(event, payload) {
            Ok(()) => self.metrics.emitted(socket.ns()),
            Err(err) => {
                self.metrics.emit_failed(1);
                tracing::warn!(event, socket = %socket.id, error = %err, "emit to a socket failed");
            }
        }
    }

    /// The event log's replay for a socket, read under the held lock.
    pub(crate) fn replay_events(
        db: &Db,
        namespace: Namespace,
        rooms: &[Room],
        after: sideline_protocol::EventId,
    ) -> Result<Vec<LoggedEvent>> {
        events::after(db.conn(), namespace, rooms, after)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Hub, HubConfig};

    #[tokio::test]
    async fn the_committed_step_runs_while_the_store_lock_is_held() {
        let dir = tempfile::tempdir().expect("temp dir");
        let hub = Hub::start(HubConfig::ephemeral(dir.path().join("hub.db")))
            .await
            .expect("hub starts");
        let state = hub.state().clone();
        let free_in_step = state
            .commit_then(|_, _| Ok(()), |()| state.store.try_lock().is_some())
            .await
            .expect("commit");
        assert!(
            !free_in_step,
            "the committed step ran after the store lock was released"
        );
        assert!(
            state.store.try_lock().is_some(),
            "the lock is free once the commit returns"
        );
        hub.shutdown().await.expect("shutdown");
    }
}
