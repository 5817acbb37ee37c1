//! The Sideline hub: the team's Socket.IO server (socketioxide on axum) with JWT auth, room
//! authorization, presence, a durable event log with replay, an HTTP API and a demo simulator.
//! Embeddable: [`Hub::start`] runs it in-process (the desktop app's demo mode, the tests); the
//! `sideline-hub` binary wraps it with flags, environment and signal handling.
//!
//! # Layout
//!
//! - [`config`]: [`HubConfig`] (TOML / flags / env). [`clock`]: time as an input.
//! - [`error`]: [`HubError`], the crate's one error enum, and its `{code, message}` forms.
//! - [`store`]: SQLite (WAL, foreign keys, migrations by `user_version`). `users` (teams,
//!   users, API keys), `events` (the durable log), `records` (client-created records, unique
//!   per author and clientId), `org` (projects, sessions, contests: what rooms are made of),
//!   `work` (analysis jobs, entity feed). Its async mutex is the write lock.
//! - [`auth`]: JWT HS256 tokens, argon2id passwords, API keys, the generated secret, the
//!   `"CODE: sentence"` connect refusal.
//! - [`access`]: `may_join`, the one room-authorization decision.
//! - [`publish`]: `HubState::commit` (state change + event rows in one transaction, emit after
//!   commit under the lock, so events leave in `eventId` order) and checked emits.
//! - [`realtime`]: the Socket.IO namespaces: connect middleware (auth), default rooms and
//!   replay (or, on a first connection or past the retention window, the snapshots
//!   `sync:snapshot` / `training:snapshot` / `leaderboard:refresh` and contest standings), the
//!   per-socket ordered queue of incoming events (size, rate limit, protocol validation), the
//!   expiry of live sockets' tokens (`TOKEN_EXPIRED`, then disconnect), `main_ns` (notes,
//!   action items, notifications, presence, rooms), `rooms` (default rooms, followed
//!   contests, `/leaderboard` and `/training` joins).
//! - [`flows`]: `main` (coaching sessions and cursors, projects, analysis, comments,
//!   `data:update`, `broadcast`, the `/` snapshot), `leaderboard` (sales with streaks,
//!   contest results, period roll-overs) and `training` over the pure [`domain`] logic, and
//!   the background tasks (pruning, idle sessions, leaderboard tick, token expiry, idle
//!   presence, demo simulator).
//! - [`presence`]: who is online / away (set, or idle) / offline, with the grace period.
//! - [`http`]: `/api/v1` (login, refresh, reads, ingestion, analysis runners, roleplay
//!   responder, admin, contests), `/health`, `/metrics`, the OpenAPI document. [`metrics`]:
//!   Prometheus.
//! - [`demo`]: the demo team, the simulator, the bootstrap leader of a real hub.
//! - [`memory`]: glibc's mmap threshold pinned, so argon2's 19 MiB blocks go back when freed.
//! - [`state`]: [`HubState`], shared by all of the above.
//!
//! # Data flow
//!
//! ```text
//! client emit ─▶ realtime::incoming ─▶ admit (size, rate) ─▶ ClientEvent::decode_valid
//!     ─▶ handler ─▶ HubState::commit { tx: state rows + event rows } ─▶ emit to rooms
//!     (error at any step ─▶ `error` event to that socket; the connection stays up)
//! HTTP ingest ─▶ same handlers / commit
//! reconnect (auth.lastEventId) ─▶ join default rooms + replay under the lock ─▶ sync:done
//! ```
//!
//! # Domain API
//!
//! [`domain`] is written by another engineer (pure, synchronous, time passed in). The hub
//! persists its inputs and outputs; see [`flows::leaderboard`] and [`flows::training`].

pub mod access;
pub mod auth;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod flows;
pub mod http;
pub mod memory;
pub mod metrics;
pub mod presence;
pub mod publish;
pub mod realtime;
pub mod state;
pub mod store;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use socketioxide::SocketIo;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::HubConfig;
pub use error::{HubError, Result};
pub use state::HubState;
pub use store::Store;

use crate::auth::{TokenKeys, load_or_create_secret};
use crate::metrics::HubMetrics;
use crate::presence::PresenceTracker;

/// Starts hubs.
#[derive(Debug)]
pub struct Hub;

/// A running hub: its address, its state (tests reach the store and keys through it), and a
/// graceful [`RunningHub::shutdown`].
#[derive(Debug)]
pub struct RunningHub {
    local_addr: SocketAddr,
    hub: Arc<HubState>,
    shutdown: Option<oneshot::Sender<()>>,
    server: JoinHandle<std::io::Result<()>>,
    background: Vec<JoinHandle<()>>,
}

impl Hub {
    /// Opens the database, seeds the demo team if asked, binds `config.addr` and serves.
    pub async fn start(config: HubConfig) -> Result<RunningHub> {
        config.validate()?;
        let store = Arc::new(Store::open(&config.db_path)?);
        let secret = match &config.jwt_secret {
            Some(secret) if !secret.is_empty() => secret.as_bytes().to_vec(),
            Some(_) => return Err(HubError::Config("the JWT secret must not be empty".into())),
            None => load_or_create_secret(&config.data_dir())?,
        };
        let now = config.clock.now();
        if config.demo {
            let store = store.clone();
            let simulated = config.demo_rate > 0.0;
            tokio::task::spawn_blocking(move || {
                let mut db = store.blocking_lock();
                demo::seed(&mut db, now)?;
                if simulated {
                    demo::seed_opening_sales(&mut db, now)?;
                    demo::seed_opening_training(&mut db, now)?;
                }
                Ok::<_, HubError>(())
            })
            .await
            .map_err(|e| HubError::Internal(e.to_string()))??;
        }

        if let Some(username) = config.bootstrap_leader.clone() {
            let password = config.bootstrap_password.clone().ok_or_else(|| {
                HubError::Config("a bootstrap leader needs SIDELINE_HUB_BOOTSTRAP_PASSWORD".into())
            })?;
            let (store, team) = (store.clone(), config.bootstrap_team.clone());
            tokio::task::spawn_blocking(move || {
                demo::bootstrap_leader(&mut store.blocking_lock(), &username, &password, &team, now)
            })
            .await
            .map_err(|e| HubError::Internal(e.to_string()))??;
        }

        let (layer, io) = SocketIo::builder()
            .max_buffer_size(config.max_buffer_size)
            // The transport limit is a hard cap (the connection is closed beyond it); below it,
            // events over `max_payload` get a PAYLOAD_TOO_LARGE error and the socket stays up.
            .max_payload(config.max_payload.saturating_mul(4))
            .build_layer();
        let hub = Arc::new(HubState {
            keys: TokenKeys::new(&secret),
            store,
            io,
            metrics: HubMetrics::new(),
            presence: PresenceTracker::default(),
            openapi: OnceLock::new(),
            live: flows::main::LiveSessions::default(),
            boards: flows::leaderboard::TeamBoards::new(config.leaderboard_metrics.clone()),
            socket_workers: tokio_util::task::TaskTracker::new(),
            stopping: tokio_util::sync::CancellationToken::new(),
            config,
        });
        hub.prune_events().await?;
        realtime::register(&hub);

        let (api, openapi) = http::router(hub.clone());
        let _ = hub.openapi.set(serde_json::to_value(&openapi)?);
        let mut app = api
            .with_state(hub.clone())
            .layer(axum::extract::DefaultBodyLimit::max(
                usize::try_from(hub.config.max_payload).unwrap_or(usize::MAX),
            ))
            .layer(layer);
        if !hub.config.cors_origins.is_empty() {
            let origins = hub
                .config
                .cors_origins
                .iter()
                .map(|o| {
                    o.parse()
                        .map_err(|_| HubError::Config(format!("bad CORS origin {o}")))
                })
                .collect::<Result<Vec<axum::http::HeaderValue>>>()?;
            app = app.layer(
                tower_http::cors::CorsLayer::new()
                    .allow_origin(origins)
                    .allow_methods(tower_http::cors::Any)
                    .allow_headers(tower_http::cors::Any),
            );
        }

        let listener = tokio::net::TcpListener::bind(hub.config.addr).await?;
        let local_addr = listener.local_addr()?;
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = shutdown_rx.await;
                })
                .await
        });
        let background = flows::spawn_background(&hub);
        tracing::info!(%local_addr, demo = hub.config.demo, "hub listening");
        Ok(RunningHub {
            local_addr,
            hub,
            shutdown: Some(shutdown_tx),
            server,
            background,
        })
    }
}

impl RunningHub {
    /// The bound address (the real port when started on port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://{local_addr}`.
    pub fn url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// The shared state (store, keys, metrics).
    pub fn state(&self) -> &Arc<HubState> {
        &self.hub
    }

    /// The database.
    pub fn store(&self) -> &Arc<Store> {
        &self.hub.store
    }

    /// Graceful stop: stop accepting, close every socket, finish in-flight requests (up to
    /// five seconds), stop background tasks, checkpoint the WAL.
    pub async fn shutdown(mut self) -> Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // socketioxide waits for each client to finish closing its transport: bounded like
        // every other step here, so that no client can keep the hub from stopping.
        if tokio::time::timeout(Duration::from_secs(5), self.hub.io.close())
            .await
            .is_err()
        {
            tracing::warn!("Socket.IO transports did not close within 5 s; stopping anyway");
        }
        // socketioxide closes the transports but its sockets close later, asynchronously: stop
        // every worker now (each ends after the event it is handling) and wait for those last
        // writes before checkpointing and reporting the hub stopped.
        self.hub.stopping.cancel();
        self.hub.socket_workers.close();
        if tokio::time::timeout(Duration::from_secs(5), self.hub.socket_workers.wait())
            .await
            .is_err()
        {
            tracing::warn!("socket workers did not finish within 5 s; stopping anyway");
        }
        match tokio::time::timeout(Duration::from_secs(5), &mut self.server).await {
            Ok(Ok(result)) => result?,
            Ok(Err(join)) => return Err(HubError::Internal(format!("server task: {join}"))),
            Err(_) => {
                tracing::warn!("connections did not close within 5 s; stopping anyway");
                self.server.abort();
            }
        }
        for task in &self.background {
            task.abort();
        }
        let db = self.hub.store.lock().await;
        db.checkpoint()?;
        tracing::info!("hub stopped");
        Ok(())
    }
}

impl HubState {
    /// Deletes durable events older than the retention window.
    pub async fn prune_events(&self) -> Result<usize> {
        let retention = chrono::Duration::from_std(self.config.retention)
            .map_err(|_| HubError::Config("retention too long".into()))?;
        let cutoff = self.now() - retention;
        let db = self.store.lock().await;
        let pruned = store::events::prune(db.conn(), cutoff)?;
        if pruned > 0 {
            tracing::info!(pruned, "pruned old durable events");
        }
        Ok(pruned)
    }
}
