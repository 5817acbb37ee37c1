//! [`Store`]: the hub's SQLite database (WAL, foreign keys on), migrated by
//! `PRAGMA user_version` through the ordered steps in [`migrations`].
//!
//! One connection behind an async mutex serialises every write. The lock is also the hub's
//! ordering point for durable events: whoever holds it appends events in the same transaction
//! as the state change, commits, and emits while still holding it (see
//! [`crate::publish`]), so live events leave the hub in `eventId` order and a reconnecting
//! socket's replay (done under the same lock) cannot miss or reorder one.
//!
//! Statements are short (sub-millisecond), so they run on the async executor under the lock;
//! slow work (argon2) happens before taking it.
//!
//! Files: [`migrations`] (schema), [`events`] (the durable log), [`users`] (teams, users, API
//! keys), [`records`] (notes, action items, notifications and other client-created records).

pub mod events;
pub mod migrations;
pub mod org;
pub mod records;
pub mod users;
pub mod work;

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::{Mutex, MutexGuard};

use crate::error::Result;

/// The database, shared by the socket handlers, the HTTP API and background tasks.
#[derive(Debug)]
pub struct Store {
    db: Mutex<Db>,
}

/// The open connection; reached through [`Store::lock`].
#[derive(Debug)]
pub struct Db {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // WAL: readers never block the writer. NORMAL: commits survive an application crash;
        // a power loss may lose the last transactions (about 17k commits/s against 460 for
        // FULL on the target hardware), an acceptable trade for a live dashboard.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations::migrate(&mut conn)?;
        Ok(Store {
            db: Mutex::new(Db { conn }),
        })
    }

    /// Takes the write lock.
    pub async fn lock(&self) -> MutexGuard<'_, Db> {
        self.db.lock().await
    }

    /// The write lock if it is free now (tests see with it who holds the lock).
    #[cfg(test)]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, Db>> {
        self.db.try_lock().ok()
    }

    /// Takes the write lock from synchronous code (never from inside the async runtime).
    pub fn blocking_lock(&self) -> MutexGuard<'_, Db> {
        self.db.blocking_lock()
    }
}

impl Db {
    /// The connection, for reads and single statements.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    pub fn transaction<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = self.conn.transaction()?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Writes the WAL back into the database file (at shutdown).
    pub fn checkpoint(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}
