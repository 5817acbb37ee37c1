//! [`Engine`]: ties the parts together for the app and the CLI.
//!
//! ```text
//!  Supervisor(/) ─┐
//!  Supervisor(/leaderboard) ─┼─▶ one channel ─▶ applier task ─┬─▶ Store (events, cursor, outbox, alerts_seen; one commit per batch)
//!  Supervisor(/training) ─┘                                   ├─▶ AppState ─▶ watch<StateUpdate> (≤ publish_rate_hz)
//!                                                             ├─▶ AlertPolicy ─▶ broadcast<Alert>
//!  capture ─▶ Store (FULL commit) ─▶ applier: Drainer ─emit──▶ `/` link
//! ```
//!
//! One task applies every event of every namespace in arrival order, so reducers, cursors,
//! outbox confirmations and alerts never race. It drains whatever is queued in one go and
//! commits it in one SQLite transaction (NORMAL: sub-millisecond, so it runs inline). On each
//! new `/` connection, once the hub is ready, it joins again the coaching session the user was
//! in before draining the outbox.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::Utc;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use serde_json::{Value, json};
use sideline_protocol::coaching::{JoinSession, SessionStatus};
use sideline_protocol::notifications::Notification;
use sideline_protocol::{
    ClientEvent, ClientId, ErrorPayload, EventId, Id, MainClientEvent, MainServerEvent, Namespace,
    RECORDS_BATCH_SINCE, ServerEvent,
};
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

use crate::alerts::{Alert, AlertClock, AlertPolicy, AlertSettings};
use crate::connection::{Connector, Link, SocketIoConnector};
use crate::error::{ClientError, Result};
use crate::hub_api::{self, AgentHistory, HistoryPage};
use crate::outbox::{
    ActionItemInput, DrainConfig, Drainer, ErrorVerdict, NoteInput, prepare_action_item,
    prepare_note,
};
use crate::state::{AppState, Section};
use crate::status::ConnectionStatus;
use crate::store::{
    NewOutboxRecord, OutboxCounts, OutboxRecord, OutboxState, Store, StoreOptions, StoreWrite,
    StoredEvent, StoredSnapshot,
};
use crate::supervisor::{Mode, SupervisedEvent, Supervisor, SupervisorConfig, WallClock};
use crate::tokens::{TokenSource, token_claims};

/// The database file inside the data directory.
pub const DB_FILE: &str = "client.db";

/// The app's identifier: the data directory is `<platform data dir>/app.sideline.desktop`,
/// the same place Tauri's `app_data_dir()` gives the desktop app.
pub const APP_IDENTIFIER: &str = "app.sideline.desktop";

/// The platform's per-user app-data directory for Sideline.
pub fn default_data_dir() -> Result<PathBuf> {
    directories::BaseDirs::new()
        .map(|dirs| dirs.data_dir().join(APP_IDENTIFIER))
        .ok_or_else(|| ClientError::Config("no home directory to keep Sideline's data in".into()))
}

/// Engine settings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// The namespaces to connect (all three by default).
    pub namespaces: Vec<Namespace>,
    /// Reconnection timing.
    pub supervisor: SupervisorConfig,
    /// Outbox pipelining.
    pub drain: DrainConfig,
    /// Database options.
    pub store: StoreOptions,
    /// Most state publications per second (coalescing); default 30.
    pub publish_rate_hz: f64,
    /// Cached events replayed into the state at start.
    pub event_cache: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            namespaces: Namespace::ALL.to_vec(),
            supervisor: SupervisorConfig::default(),
            drain: DrainConfig::default(),
            store: StoreOptions::default(),
            publish_rate_hz: 30.0,
            event_cache: 10_000,
        }
    }
}

/// A published state: the snapshot and which sections changed since the previous one.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StateUpdate {
    /// Increases with every publication.
    #[ts(type = "number")]
    pub version: u64,
    /// What changed since the previous version.
    pub sections: Vec<Section>,
    /// The whole state.
    pub state: Arc<AppState>,
}

/// A server event as received, for `sideline watch` and debugging views.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveEvent {
    /// Namespace path.
    pub namespace: &'static str,
    /// Event name.
    pub name: String,
    /// Its `eventId`, if durable.
    pub event_id: Option<u64>,
    /// The payload as received (with `eventId`).
    pub data: Value,
}

enum Command {
    Captured(Box<OutboxRecord>),
    DrainNow,
    Emit(ClientEvent, oneshot::Sender<Result<()>>),
    SetAlertSettings(AlertSettings),
    /// Publish what is pending and end.
    Stop,
}

/// The client engine. Cheap handles out: status, state, alerts, live events.
#[derive(Debug)]
pub struct Engine {
    store: Arc<Store>,
    status: watch::Receiver<ConnectionStatus>,
    state: watch::Receiver<StateUpdate>,
    alerts: broadcast::Sender<Alert>,
    live: broadcast::Sender<LiveEvent>,
    commands: mpsc::UnboundedSender<Command>,
    supervisors: Vec<Supervisor>,
    /// The applier: [`Engine::shutdown`] waits for it to end.
    applier: Option<JoinHandle<()>>,
    /// The status combiner.
    combiner: JoinHandle<()>,
    /// Where the connections get their credentials, and the HTTP reads too.
    tokens: Arc<dyn TokenSource>,
}

impl Engine {
    /// Opens the engine on `data_dir` with the real Socket.IO transport and starts connecting.
    pub async fn open(
        data_dir: &Path,
        config: EngineConfig,
        tokens: Arc<dyn TokenSource>,
    ) -> Result<Engine> {
        Self::open_with(data_dir, config, tokens, Arc::new(SocketIoConnector)).await
    }

    /// [`Self::open`] with another transport (tests).
    pub async fn open_with<C: Connector>(
        data_dir: &Path,
        config: EngineConfig,
        tokens: Arc<dyn TokenSource>,
        connector: Arc<C>,
    ) -> Result<Engine> {
        let store = Arc::new(open_store(data_dir, &config.store)?);
        let mut state = AppState::default();
        // The last known state, before the network answers.
        let cached = {
            let store = store.clone();
            let limit = config.event_cache;
            tokio::task::spawn_blocking(move || store.recent_events(limit))
                .await
                .map_err(|e| ClientError::Config(e.to_string()))??
        };
        // Each namespace's last snapshot goes where it stood: after the cached events it
        // includes, before those that came after it.
        let mut snapshots: HashMap<Namespace, StoredSnapshot> = store
            .snapshots()?
            .into_iter()
            .map(|snapshot| (snapshot.namespace, snapshot))
            .collect();
        for event in cached {
            if snapshots
                .get(&event.namespace)
                .is_some_and(|snapshot| event.event_id > snapshot.through)
                && let Some(snapshot) = snapshots.remove(&event.namespace)
            {
                apply_snapshot(&mut state, snapshot);
            }
            if let Ok((_, decoded)) =
                ServerEvent::decode_durable(event.namespace, &event.name, event.payload)
            {
                state.apply(Some(event.event_id), &decoded);
            }
        }
        for snapshot in snapshots.into_values() {
            apply_snapshot(&mut state, snapshot);
        }
        let mut cursors = HashMap::new();
        for namespace in Namespace::ALL {
            let id = store.cursor(namespace)?;
            state.last_event_ids.insert(
                namespace.path().to_owned(),
                id.0.max(state.cursor(namespace).0),
            );
            cursors.insert(
                namespace,
                Arc::new(AtomicU64::new(state.cursor(namespace).0)),
            );
        }
        state.merge_outbox(&store.outbox(&[OutboxState::Pending, OutboxState::Rejected])?);

        let me = tokens
            .credentials()
            .await
            .ok()
            .and_then(|c| token_claims(&c.token))
            .and_then(|claims| Id::new(claims.sub).ok());
        let settings = store
            .setting("alerts")?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();

        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let clock: WallClock = Arc::new(Utc::now);
        let mut supervisors = Vec::new();
        for namespace in &config.namespaces {
            supervisors.push(Supervisor::start(
                *namespace,
                connector.clone(),
                tokens.clone(),
                cursors[namespace].clone(),
                config.supervisor.clone(),
                clock.clone(),
                StdRng::from_entropy(),
                events_tx.clone(),
            ));
        }
        drop(events_tx);

        let (status_tx, status) = watch::channel(ConnectionStatus::Connecting);
        let receivers: Vec<_> = supervisors.iter().map(Supervisor::status).collect();
        let combiner = tokio::spawn(combine_statuses(receivers, status_tx));

        state.connection = Some(status.borrow().clone());
        let state = Arc::new(state);
        let (state_tx, state_rx) = watch::channel(StateUpdate {
            version: 0,
            sections: Vec::new(),
            state: state.clone(),
        });
        let (alerts, _) = broadcast::channel(256);
        let (live, _) = broadcast::channel(4096);
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let applier = Applier {
            store: store.clone(),
            state: Arc::unwrap_or_clone(state),
            policy: AlertPolicy::new(settings, me),
            drainer: Drainer::new(config.drain.clone()),
            main_ready_at: None,
            session_in: None,
            joining: None,
            rejoin: false,
            rejoining: None,
            links: HashMap::new(),
            snapshot_events: HashMap::new(),
            cursors,
            dirty: BTreeSet::new(),
            version: 0,
            state_tx,
            alerts: alerts.clone(),
            live: live.clone(),
            status: status.clone(),
            rng: StdRng::from_entropy(),
        };
        let period = Duration::from_secs_f64(1.0 / config.publish_rate_hz.max(0.1));
        let applier = tokio::spawn(applier.run(events_rx, commands_rx, period));
        Ok(Engine {
            store,
            status,
            state: state_rx,
            alerts,
            live,
            commands,
            supervisors,
            applier: Some(applier),
            combiner,
            tokens,
        })
    }

    /// A page of the hub's notes or action items about `agent` older than the record `before`
    /// (the newest when `None`), as the lists show them: the history the state does not keep.
    pub async fn history<T: AgentHistory>(
        &self,
        agent: &Id,
        before: Option<&Id>,
    ) -> Result<HistoryPage<T::View>> {
        hub_api::history::<T>(&self.tokens.credentials().await?, agent, before).await
    }

    /// A page of the user's notifications older than the one `before` (the newest when
    /// `None`): those the state does not keep.
    pub async fn notification_history(
        &self,
        before: Option<&Id>,
    ) -> Result<HistoryPage<Notification>> {
        hub_api::notification_history(&self.tokens.credentials().await?, before).await
    }

    /// The connection status (all namespaces combined).
    pub fn status(&self) -> watch::Receiver<ConnectionStatus> {
        self.status.clone()
    }

    /// The current state.
    pub fn state(&self) -> Arc<AppState> {
        self.state.borrow().state.clone()
    }

    /// State publications, coalesced to at most `publish_rate_hz`.
    pub fn changes(&self) -> watch::Receiver<StateUpdate> {
        self.state.clone()
    }

    /// Alerts to show natively.
    pub fn alerts(&self) -> broadcast::Receiver<Alert> {
        self.alerts.subscribe()
    }

    /// Every server event as received.
    pub fn live_events(&self) -> broadcast::Receiver<LiveEvent> {
        self.live.subscribe()
    }

    /// The database.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Captures a quick note: validated, durably stored (FULL commit) and queued; returns
    /// its `clientId` without touching the network.
    pub async fn capture_note(&self, input: NoteInput) -> Result<ClientId> {
        let record = prepare_note(input, Utc::now())?;
        self.capture(record).await
    }

    /// Captures an action item, like [`Self::capture_note`].
    pub async fn capture_action_item(&self, input: ActionItemInput) -> Result<ClientId> {
        let record = prepare_action_item(input, Utc::now())?;
        self.capture(record).await
    }

    async fn capture(&self, record: NewOutboxRecord) -> Result<ClientId> {
        let stored = capture_blocking(self.store.clone(), record).await?;
        let client_id = stored.client_id;
        let _ = self.commands.send(Command::Captured(Box::new(stored)));
        Ok(client_id)
    }

    /// Outbox records in `states` (all when empty), in capture order.
    pub fn outbox(&self, states: &[OutboxState]) -> Result<Vec<OutboxRecord>> {
        self.store.outbox(states)
    }

    /// Drains the outbox now and waits until nothing is pending (or `within` passes).
    pub async fn sync(&self, within: Duration) -> Result<OutboxCounts> {
        let deadline = Instant::now() + within;
        self.retry_now();
        let mut changes = self.state.clone();
        loop {
            let _ = self.commands.send(Command::DrainNow);
            let counts = self.store.outbox_counts()?;
            if counts.pending == 0 {
                return Ok(counts);
            }
            let wait = tokio::time::timeout_at(
                deadline.min(Instant::now() + Duration::from_millis(200)),
                changes.changed(),
            );
            let _ = wait.await;
            if Instant::now() >= deadline {
                return Err(ClientError::Timeout(format!(
                    "{} records still pending ({})",
                    counts.pending,
                    self.status.borrow().describe()
                )));
            }
        }
    }

    /// Emits a client event (not outboxed: marking read, joining rooms, asking for a
    /// leaderboard). Fails with [`ClientError::NotConnected`] when its namespace is down.
    pub async fn send(&self, event: ClientEvent) -> Result<()> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Emit(event, tx))
            .map_err(|_| ClientError::Stopped)?;
        rx.await.map_err(|_| ClientError::Stopped)?
    }

    /// The alert settings.
    pub fn alert_settings(&self) -> Result<AlertSettings> {
        Ok(self
            .store
            .setting("alerts")?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default())
    }

    /// Stores and applies new alert settings.
    pub fn set_alert_settings(&self, settings: AlertSettings) -> Result<()> {
        self.store
            .set_setting("alerts", &serde_json::to_value(&settings)?)?;
        let _ = self.commands.send(Command::SetAlertSettings(settings));
        Ok(())
    }

    /// Reconnects now (skips backoff waits; leaves sign-in-needed after a new login).
    pub fn retry_now(&self) {
        for s in &self.supervisors {
            s.retry_now();
        }
    }

    /// Goes online or offline.
    pub fn set_online(&self, online: bool) {
        for s in &self.supervisors {
            s.set_mode(if online { Mode::Online } else { Mode::Offline });
        }
    }

    /// Disconnects and stops every task.
    pub async fn shutdown(mut self) {
        for s in std::mem::take(&mut self.supervisors) {
            s.stop().await;
        }
        // Wait for the task itself, not for an answer to the stop: a command sent while the
        // applier is ending can stay queued, unanswered, for as long as this handle lives.
        let _ = self.commands.send(Command::Stop);
        if let Some(applier) = self.applier.take() {
            let _ = applier.await;
        }
        self.combiner.abort();
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Some(applier) = &self.applier {
            applier.abort();
        }
        self.combiner.abort();
    }
}

/// Opens the engine's store in `data_dir`.
pub fn open_store(data_dir: &Path, options: &StoreOptions) -> Result<Store> {
    Store::open(data_dir.join(DB_FILE), options)
}

/// Stores a capture off the async executor (a FULL commit waits for the disk) and reads back
/// its row.
pub async fn capture_blocking(store: Arc<Store>, record: NewOutboxRecord) -> Result<OutboxRecord> {
    tokio::task::spawn_blocking(move || {
        let seq = store.capture(&record)?;
        Ok(OutboxRecord {
            seq,
            client_id: record.client_id,
            kind: record.kind,
            namespace: record.namespace.path().to_owned(),
            event: record.event.to_owned(),
            payload: record.payload,
            state: OutboxState::Pending,
            reason_code: None,
            reason: None,
            attempts: 0,
            next_attempt_at: None,
            created_at: record.created_at,
            confirmed_at: None,
            server_id: None,
        })
    })
    .await
    .map_err(|e| ClientError::Config(e.to_string()))?
}

async fn combine_statuses(
    mut receivers: Vec<watch::Receiver<ConnectionStatus>>,
    out: watch::Sender<ConnectionStatus>,
) {
    loop {
        let combined = ConnectionStatus::combine(
            receivers
                .iter()
                .map(|r| r.borrow().clone())
                .collect::<Vec<_>>()
                .iter(),
        );
        out.send_if_modified(|current| {
            let changed = *current != combined;
            *current = combined;
            changed
        });
        if receivers.is_empty() {
            return;
        }
        let changed =
            futures_util::future::select_all(receivers.iter_mut().map(|r| Box::pin(r.changed())))
                .await;
        if changed.0.is_err() {
            return;
        }
    }
}

/// How long the outbox waits for `sync:done` on a new `/` connection before sending anyway.
const SYNC_DONE_GRACE: Duration = Duration::from_secs(3);

/// Applies a kept snapshot's events to the state at start, as they were applied when they came.
fn apply_snapshot(state: &mut AppState, snapshot: StoredSnapshot) {
    for (name, payload) in snapshot.events {
        match ServerEvent::decode_durable(snapshot.namespace, &name, payload) {
            Ok((_, event)) => {
                state.apply(None, &event);
            }
            Err(err) => {
                tracing::warn!(namespace = %snapshot.namespace, %name, error = %err, "kept snapshot event skipped")
            }
        }
    }
}

/// The one task that applies everything.
struct Applier<L: Link> {
    store: Arc<Store>,
    state: AppState,
    policy: AlertPolicy,
    drainer: Drainer,
    /// When the outbox may start sending on the current `/` connection: at its `sync:done`
    /// (the hub has finished its connect work, its event handlers included: events sent
    /// before that can be dropped, and a resend after the answer timeout would break capture
    /// order), or after [`SYNC_DONE_GRACE`] for a server that never sends `sync:done`.
    /// `None` while `/` is down.
    main_ready_at: Option<Instant>,
    /// The coaching session this client is in: the hub answered its `join-session` with
    /// `session-joined`, and it has not left (a socket is in one session at a time: joining
    /// another leaves it). A socket's place in a session ends with the socket (the others hear
    /// `user-left`), so each new `/` connection joins it again once it is ready, before the
    /// outbox drains.
    session_in: Option<Id>,
    /// The session of the latest `join-session` sent, until the hub answers it or a leave
    /// overtakes it.
    joining: Option<Id>,
    /// Whether the current `/` connection has yet to join [`Applier::session_in`].
    rejoin: bool,
    /// The session joined again on this connection, until the hub answers: refused (closed
    /// meanwhile, say), it is dropped rather than tried at every reconnect.
    rejoining: Option<Id>,
    links: HashMap<Namespace, Arc<L>>,
    /// The snapshot events a connection has sent so far, until its `sync:done`: kept in the
    /// store when that says they were a snapshot (they are not durable, so not in `events`).
    snapshot_events: HashMap<Namespace, Vec<(String, Value)>>,
    cursors: HashMap<Namespace, Arc<AtomicU64>>,
    dirty: BTreeSet<Section>,
    version: u64,
    state_tx: watch::Sender<StateUpdate>,
    alerts: broadcast::Sender<Alert>,
    live: broadcast::Sender<LiveEvent>,
    status: watch::Receiver<ConnectionStatus>,
    rng: StdRng,
}

/// Most events applied per transaction.
const BATCH: usize = 2048;

impl<L: Link> Applier<L> {
    async fn run(
        mut self,
        mut events: mpsc::UnboundedReceiver<SupervisedEvent<L>>,
        mut commands: mpsc::UnboundedReceiver<Command>,
        publish_every: Duration,
    ) {
        let mut publish = tokio::time::interval(publish_every);
        publish.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut housekeeping = tokio::time::interval(Duration::from_millis(250));
        housekeeping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut status = self.status.clone();
        // The supervisors stop first at shutdown: the applier still serves commands (the
        // final publish included) after their channels close.
        let mut supervised = true;
        let mut combined = true;
        loop {
            tokio::select! {
                first = events.recv(), if supervised => {
                    let Some(first) = first else {
                        supervised = false;
                        continue;
                    };
                    let mut batch = vec![first];
                    while batch.len() < BATCH {
                        match events.try_recv() {
                            Ok(next) => batch.push(next),
                            Err(_) => break,
                        }
                    }
                    if let Err(err) = self.apply_batch(batch) {
                        tracing::error!(code = err.code(), error = %err, "applying events failed");
                    }
                    self.drain().await;
                }
                command = commands.recv() => {
                    let Some(command) = command else { break };
                    match command {
                        Command::Captured(record) => {
                            self.captured(*record);
                            self.drain().await;
                        }
                        Command::DrainNow => self.drain().await,
                        Command::Emit(event, reply) => {
                            let _ = reply.send(self.emit(&event).await);
                        }
                        Command::SetAlertSettings(settings) => self.policy.set_settings(settings),
                        Command::Stop => {
                            self.publish();
                            break;
                        }
                    }
                }
                changed = status.changed(), if combined => match changed {
                    Ok(()) => {
                        self.state.connection = Some(status.borrow().clone());
                        self.dirty.insert(Section::Session);
                    }
                    // The combiner ends with the supervisors.
                    Err(_) => combined = false,
                },
                _ = publish.tick() => self.publish(),
                _ = housekeeping.tick() => {
                    for alert in self.policy.flush(AlertClock::system()) {
                        let _ = self.alerts.send(alert);
                    }
                    self.drain().await;
                }
            }
        }
    }

    /// Shows a new capture. A drain may have sent it, and the hub answered, before this
    /// command came: it is shown as the store has it now, not as captured.
    fn captured(&mut self, record: OutboxRecord) {
        let record = match self.store.outbox_record(&record.client_id) {
            Ok(Some(current)) => current,
            Ok(None) => record,
            Err(err) => {
                tracing::warn!(error = %err, "reading a capture back failed");
                record
            }
        };
        if self.state.merge_outbox(std::slice::from_ref(&record)) {
            self.dirty.insert(Section::Notes);
        }
    }

    fn publish(&mut self) {
        if self.dirty.is_empty() {
            return;
        }
        self.version += 1;
        let update = StateUpdate {
            version: self.version,
            sections: std::mem::take(&mut self.dirty).into_iter().collect(),
            state: Arc::new(self.state.clone()),
        };
        let _ = self.state_tx.send(update);
    }

    fn apply_batch(&mut self, batch: Vec<SupervisedEvent<L>>) -> Result<()> {
        let mut writes = Vec::new();
        let now = Utc::now();
        let now_ms = now.timestamp_millis();
        let instant = Instant::now();
        for item in batch {
            match item {
                SupervisedEvent::Up { namespace, link } => {
                    self.links.insert(namespace, link);
                    self.snapshot_events.insert(namespace, Vec::new());
                    if namespace == Namespace::Main {
                        self.drainer.reset();
                        self.main_ready_at = Some(instant + SYNC_DONE_GRACE);
                        self.rejoin = true;
                    }
                }
                SupervisedEvent::Down { namespace } => {
                    self.links.remove(&namespace);
                    if namespace == Namespace::Main {
                        self.drainer.reset();
                        self.main_ready_at = None;
                        self.rejoining = None;
                        if self.state.team.connection_lost(now) {
                            self.dirty.insert(Section::Team);
                        }
                    }
                }
                SupervisedEvent::Event {
                    namespace,
                    name,
                    data,
                } => {
                    let _ = self.live.send(LiveEvent {
                        namespace: namespace.path(),
                        name: name.clone(),
                        event_id: data.get("eventId").and_then(Value::as_u64),
                        data: if self.live.receiver_count() > 0 {
                            data.clone()
                        } else {
                            Value::Null
                        },
                    });
                    let (event_id, event) = match ServerEvent::decode_durable(
                        namespace, &name, data,
                    ) {
                        Ok(decoded) => decoded,
                        Err(err) => {
                            tracing::warn!(%namespace, %name, error = %err, "undecodable event skipped");
                            continue;
                        }
                    };
                    self.keep_snapshot(namespace, event_id, &event, &mut writes);
                    self.apply_event(
                        namespace,
                        event_id,
                        event,
                        now,
                        now_ms,
                        instant,
                        &mut writes,
                    )?;
                }
            }
        }
        for (namespace, cursor) in &self.cursors {
            let applied = self.state.cursor(*namespace).0;
            if applied > cursor.load(Ordering::Acquire) {
                cursor.store(applied, Ordering::Release);
                writes.push(StoreWrite::Cursor(*namespace, EventId(applied)));
            }
        }
        self.store.write(&writes)
    }

    /// Collects a connection's snapshot events until its `sync:done`, and keeps them in the
    /// store when that says they were a snapshot: the next start shows them again, where the
    /// hub then replays only what came after.
    fn keep_snapshot(
        &mut self,
        namespace: Namespace,
        event_id: Option<EventId>,
        event: &ServerEvent,
        writes: &mut Vec<StoreWrite>,
    ) {
        if let Some(done) = event.sync_done() {
            let events = self.snapshot_events.remove(&namespace);
            if let Some(events) = events.filter(|_| done.snapshot) {
                writes.push(StoreWrite::Snapshot(StoredSnapshot {
                    namespace,
                    through: done.last_event_id,
                    events,
                }));
            }
        } else if event_id.is_none()
            && event.is_snapshot()
            && let Some(events) = self.snapshot_events.get_mut(&namespace)
        {
            events.push((event.name().to_owned(), event.encode(None)));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn apply_event(
        &mut self,
        namespace: Namespace,
        event_id: Option<EventId>,
        event: ServerEvent,
        now: chrono::DateTime<Utc>,
        now_ms: i64,
        instant: Instant,
        writes: &mut Vec<StoreWrite>,
    ) -> Result<()> {
        // Outbox answers first: confirmations (also repeats, which carry no eventId) and
        // refusals.
        match &event {
            ServerEvent::Main(MainServerEvent::QuickNoteCreated(note)) => {
                self.drainer.confirmed(&note.client_id);
                writes.push(StoreWrite::Confirmed {
                    client_id: note.client_id,
                    server_id: Some(note.id.to_string()),
                    at: now,
                });
            }
            ServerEvent::Main(MainServerEvent::ActionItemCreated(item)) => {
                self.drainer.confirmed(&item.client_id);
                writes.push(StoreWrite::Confirmed {
                    client_id: item.client_id,
                    server_id: Some(item.id.to_string()),
                    at: now,
                });
            }
            ServerEvent::Main(MainServerEvent::Error(error)) => {
                if error.event.as_deref() == Some("join-session")
                    && let Some(refused) = self.rejoining.take()
                {
                    tracing::info!(session = %refused, message = %error.message, "the coaching session was not joined again");
                    self.session_in.take_if(|id| *id == refused);
                }
                self.outbox_refusal(error, instant, now_ms, writes);
            }
            ServerEvent::Main(MainServerEvent::SyncDone(_)) if self.main_ready_at.is_some() => {
                self.main_ready_at = Some(instant);
            }
            ServerEvent::Main(MainServerEvent::Connected(connected)) => {
                self.policy.set_me(Some(connected.user.id.clone()));
                self.drainer
                    .set_batching(connected.protocol_version >= RECORDS_BATCH_SINCE);
            }
            // Only the answer to the latest join counts: one overtaken by a leave (or by a
            // join of another session) is stale.
            ServerEvent::Main(MainServerEvent::SessionJoined(joined)) => {
                self.rejoining.take_if(|id| *id == joined.session_id);
                if self
                    .joining
                    .take_if(|id| *id == joined.session_id)
                    .is_none()
                {
                    // Stale: it would show us in a session we have left since.
                    return Ok(());
                }
                self.session_in = Some(joined.session_id.clone());
            }
            // A closed session is not joined again (the hub would refuse it).
            ServerEvent::Main(MainServerEvent::SessionUpdated(updated))
                if updated.updates.status.is_some_and(SessionStatus::is_closed) =>
            {
                let closed = |id: &mut Id| *id == updated.session_id;
                self.session_in.take_if(closed);
                self.joining.take_if(closed);
                self.rejoining.take_if(closed);
            }
            // A snapshot lists the open sessions the user is enrolled in: one closed
            // meanwhile is not joined again.
            ServerEvent::Main(MainServerEvent::SyncSnapshot(snapshot)) => {
                self.session_in.take_if(|id| {
                    !snapshot
                        .coaching_sessions
                        .iter()
                        .any(|open| open.session_id == *id)
                });
            }
            _ => {}
        }
        let before = self.state.cursor(namespace);
        let changed = self.state.apply(event_id, &event);
        let fresh = event_id.is_some_and(|id| id > before);
        if fresh && let Some(id) = event_id {
            writes.push(StoreWrite::Event(StoredEvent {
                event_id: id,
                namespace,
                name: event.name().to_owned(),
                payload: event.encode(None),
            }));
            if self.policy.candidate(&event).is_some() {
                let seen = self.store.alert_seen(id)?;
                let decision = self
                    .policy
                    .decide(Some(id), &event, seen, AlertClock::system());
                if let Some(id) = decision.mark_seen {
                    writes.push(StoreWrite::AlertSeen(id, now));
                }
                for alert in decision.alerts {
                    let _ = self.alerts.send(alert);
                }
            }
        }
        self.dirty.extend(changed);
        Ok(())
    }

    fn outbox_refusal(
        &mut self,
        error: &ErrorPayload,
        instant: Instant,
        now_ms: i64,
        writes: &mut Vec<StoreWrite>,
    ) {
        match self.drainer.refused(error, instant, now_ms, &mut self.rng) {
            ErrorVerdict::Settle(write) => {
                if let StoreWrite::Rejected {
                    client_id, reason, ..
                } = &write
                    && self.state.work.reject(client_id, reason)
                {
                    self.dirty.insert(Section::Notes);
                }
                writes.push(write);
            }
            ErrorVerdict::Pause(delay) => {
                tracing::info!(?delay, "the hub is rate limiting the outbox; pausing");
            }
            ErrorVerdict::Unrelated => {}
        }
    }

    /// Sends one event from the UI, keeping track of the coaching session it joins or leaves.
    async fn emit(&mut self, event: &ClientEvent) -> Result<()> {
        let Some(link) = self.links.get(&event.namespace()).cloned() else {
            return Err(ClientError::NotConnected);
        };
        if let ClientEvent::Main(MainClientEvent::JoinSession(join)) = event {
            // Set before sending: an emit that errs may still have gone out, and been answered.
            self.joining = Some(join.session_id.clone());
        }
        link.emit(event.name(), event.payload()).await?;
        if let ClientEvent::Main(MainClientEvent::LeaveSession(leave)) = event {
            // Seed 003's bare leave (no payload) leaves the current one.
            let left = |id: &Option<Id>| {
                leave
                    .as_ref()
                    .is_none_or(|leave| id.as_ref() == Some(&leave.session_id))
            };
            let session = match leave {
                Some(leave) => Some(leave.session_id.clone()),
                None => self.session_in.clone(),
            };
            if left(&self.session_in) {
                self.session_in = None;
            }
            // The answer to a join sent before this leave may still be on its way; it must
            // not put the session back.
            if left(&self.joining) {
                self.joining = None;
            }
            // The hub tells the room's others (`user-left`), not the one who left.
            if let (Some(session), Some(me)) = (session, &self.state.me)
                && self
                    .state
                    .team
                    .left(session.as_str(), me.id.as_str(), Utc::now())
            {
                self.dirty.insert(Section::Team);
            }
        }
        Ok(())
    }

    /// Sends what the window allows on `/`.
    async fn drain(&mut self) {
        let Some(link) = self.links.get(&Namespace::Main).cloned() else {
            return;
        };
        if self.main_ready_at.is_none_or(|at| Instant::now() < at) {
            return;
        }
        if self.rejoin {
            if let Some(id) = &self.session_in {
                let join = ClientEvent::Main(MainClientEvent::JoinSession(JoinSession {
                    session_id: id.clone(),
                    user_info: None,
                }));
                self.joining = Some(id.clone());
                if link.emit(join.name(), join.payload()).await.is_err() {
                    // The connection is going down; the next one joins again.
                    return;
                }
                self.rejoining = Some(id.clone());
            }
            self.rejoin = false;
        }
        loop {
            let now = Instant::now();
            let now_ms = Utc::now().timestamp_millis();
            let batch = match self.drainer.next_batch(&self.store, now, now_ms) {
                Ok(batch) => batch,
                Err(err) => {
                    tracing::error!(error = %err, "reading the outbox failed");
                    return;
                }
            };
            if batch.is_empty() {
                return;
            }
            let mut writes = Vec::with_capacity(batch.len());
            let mut lost = false;
            if self.drainer.batching() {
                let records = batch
                    .iter()
                    .map(|record| json!({ "event": record.event, "data": record.payload }))
                    .collect::<Vec<_>>();
                if link
                    .emit("records:create", json!({ "records": records }))
                    .await
                    .is_ok()
                {
                    for record in &batch {
                        self.drainer.sent(record, now);
                        writes.push(StoreWrite::Sent(record.client_id));
                    }
                } else {
                    lost = true;
                }
            } else {
                for record in &batch {
                    match link.emit(&record.event, record.payload.clone()).await {
                        Ok(()) => {
                            self.drainer.sent(record, now);
                            writes.push(StoreWrite::Sent(record.client_id));
                        }
                        Err(_) => {
                            lost = true;
                            break;
                        }
                    }
                }
            }
            // A failed emit means the connection is going down; the supervisor will say so,
            // and everything unconfirmed is sent again on the next one.
            if let Err(err) = self.store.write(&writes) {
                tracing::error!(error = %err, "recording sends failed");
            }
            if lost {
                self.drainer.reset();
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::work::SyncState;
    use crate::store::test_support::open_temp;
    use sideline_protocol::notes::{NoteType, Priority};

    /// A connection that is never up (these tests drive the applier directly).
    struct NoLink;

    impl Link for NoLink {
        async fn emit(&self, _: &str, _: Value) -> Result<()> {
            Err(ClientError::NotConnected)
        }
        async fn close(&self) {}
    }

    /// A connection that is up and keeps the names of the events sent on it.
    #[derive(Default)]
    struct SentLink(std::sync::Mutex<Vec<String>>);

    impl Link for SentLink {
        async fn emit(&self, name: &str, _: Value) -> Result<()> {
            self.0.lock().unwrap().push(name.to_owned());
            Ok(())
        }
        async fn close(&self) {}
    }

    fn applier<L: Link>(store: Arc<Store>) -> Applier<L> {
        let (state_tx, _) = watch::channel(StateUpdate {
            version: 0,
            sections: Vec::new(),
            state: Arc::new(AppState::default()),
        });
        let (_, status) = watch::channel(ConnectionStatus::Live);
        Applier {
            store,
            state: AppState::default(),
            policy: AlertPolicy::new(AlertSettings::default(), None),
            drainer: Drainer::new(DrainConfig::default()),
            main_ready_at: None,
            session_in: None,
            joining: None,
            rejoin: false,
            rejoining: None,
            links: HashMap::new(),
            snapshot_events: HashMap::new(),
            cursors: HashMap::new(),
            dirty: BTreeSet::new(),
            version: 0,
            state_tx,
            alerts: broadcast::channel(4).0,
            live: broadcast::channel(4).0,
            status,
            rng: StdRng::seed_from_u64(7),
        }
    }

    #[tokio::test]
    async fn a_capture_refused_before_the_applier_saw_it_shows_rejected() {
        let (_dir, store) = open_temp();
        let store = Arc::new(store);
        let mut applier = applier::<NoLink>(store.clone());
        let input = NoteInput {
            agent_id: Id::new("lead").unwrap(),
            note_type: NoteType::Coaching,
            priority: Priority::Medium,
            category: None,
            content: "about myself".into(),
        };
        let captured = capture_blocking(store, prepare_note(input, Utc::now()).unwrap())
            .await
            .unwrap();
        // A drain sent it before its `Captured` command reached the applier, and the refusal
        // came back first.
        let refusal = serde_json::json!({
            "code": "FORBIDDEN", "message": "not an agent of your team",
            "event": "quickNote:create", "clientId": captured.client_id,
        });
        applier
            .apply_batch(vec![SupervisedEvent::Event {
                namespace: Namespace::Main,
                name: "error".into(),
                data: refusal,
            }])
            .unwrap();
        applier.captured(captured.clone());

        let shown = &applier.state.work.notes[&captured.client_id.to_string()];
        assert_eq!(shown.state, SyncState::Rejected);
        assert_eq!(shown.reason.as_deref(), Some("not an agent of your team"));
        assert!(applier.dirty.contains(&Section::Notes));
    }

    /// After the leader joined `session-demo` on one `/` connection (and, if `leave_first`,
    /// left it before the hub's `session-joined` came back): whether the next connection
    /// joins it again, and whether the view still shows the leader in it.
    async fn after_a_join_answered_late(leave_first: bool) -> (bool, bool) {
        use sideline_protocol::MainClientEvent::{JoinSession as Join, LeaveSession as Leave};
        use sideline_protocol::coaching::{
            LeaveSession, ParticipantInfo, ParticipantRole, SessionJoined,
        };

        let (_dir, store) = open_temp();
        let mut applier = applier::<SentLink>(Arc::new(store));
        let lead = Id::new("lead").unwrap();
        applier.state.me = Some(sideline_protocol::UserRef {
            id: lead.clone(),
            name: "Lead".into(),
        });
        let up = |link: &Arc<SentLink>| SupervisedEvent::Up {
            namespace: Namespace::Main,
            link: link.clone(),
        };
        let session = Id::new("session-demo").unwrap();
        let first = Arc::new(SentLink::default());
        applier.apply_batch(vec![up(&first)]).unwrap();

        let join = JoinSession {
            session_id: session.clone(),
            user_info: None,
        };
        applier.emit(&ClientEvent::Main(Join(join))).await.unwrap();
        if leave_first {
            let leave = LeaveSession {
                session_id: session.clone(),
            };
            applier
                .emit(&ClientEvent::Main(Leave(Some(leave))))
                .await
                .unwrap();
        }
        let answer = SessionJoined {
            session_id: session,
            participants: vec![ParticipantInfo {
                id: lead.clone(),
                name: "Lead".into(),
                role: ParticipantRole::Instructor,
                is_active: true,
                cursor: None,
                joined_at: Some(Utc::now()),
            }],
        };
        applier
            .apply_batch(vec![SupervisedEvent::Event {
                namespace: Namespace::Main,
                name: "session-joined".into(),
                data: serde_json::to_value(answer).unwrap(),
            }])
            .unwrap();
        let shown = applier
            .state
            .team
            .sessions
            .get("session-demo")
            .is_some_and(|s| s.participants.iter().any(|p| p.id == lead));

        (joins_on_the_next_connection(&mut applier).await, shown)
    }

    /// Whether, after its `/` connection drops and comes back, the engine joins a session.
    async fn joins_on_the_next_connection(applier: &mut Applier<SentLink>) -> bool {
        let next = Arc::new(SentLink::default());
        let down = SupervisedEvent::Down {
            namespace: Namespace::Main,
        };
        let up = SupervisedEvent::Up {
            namespace: Namespace::Main,
            link: next.clone(),
        };
        applier.apply_batch(vec![down, up]).unwrap();
        applier.main_ready_at = Some(Instant::now());
        applier.drain().await;
        next.0.lock().unwrap().iter().any(|n| n == "join-session")
    }

    #[tokio::test]
    async fn a_lost_connection_and_a_leave_date_the_session_lists() {
        use sideline_protocol::MainClientEvent::LeaveSession as Leave;
        use sideline_protocol::coaching::LeaveSession;

        let (_dir, store) = open_temp();
        let mut applier = applier::<SentLink>(Arc::new(store));
        applier.state.me = Some(sideline_protocol::UserRef {
            id: Id::new("lead").unwrap(),
            name: "Lead".into(),
        });
        let link = Arc::new(SentLink::default());
        let joined = |session: &str| SupervisedEvent::Event {
            namespace: Namespace::Main,
            name: "session-joined".into(),
            data: serde_json::json!({"sessionId": session, "participants": [
                {"id": "lead", "name": "Lead", "role": "instructor", "isActive": true}]}),
        };
        applier
            .apply_batch(vec![SupervisedEvent::Up {
                namespace: Namespace::Main,
                link: link.clone(),
            }])
            .unwrap();
        // The engine counts only the answer to its latest join.
        for session in ["a", "b"] {
            let join = JoinSession {
                session_id: Id::new(session).unwrap(),
                user_info: None,
            };
            applier
                .emit(&ClientEvent::Main(MainClientEvent::JoinSession(join)))
                .await
                .unwrap();
            applier.apply_batch(vec![joined(session)]).unwrap();
        }
        let as_of = |applier: &Applier<SentLink>, id: &str| {
            applier.state.team.sessions[id].participants_as_of
        };
        assert_eq!((as_of(&applier, "a"), as_of(&applier, "b")), (None, None));

        let before = Utc::now();
        let leave = LeaveSession {
            session_id: Id::new("a").unwrap(),
        };
        applier
            .emit(&ClientEvent::Main(Leave(Some(leave))))
            .await
            .unwrap();
        assert!(as_of(&applier, "a").is_some_and(|at| at >= before));
        assert_eq!(as_of(&applier, "b"), None, "still in b");

        applier.dirty.clear();
        applier
            .apply_batch(vec![SupervisedEvent::Down {
                namespace: Namespace::Main,
            }])
            .unwrap();
        assert!(as_of(&applier, "b").is_some_and(|at| at >= before));
        assert!(applier.dirty.contains(&Section::Team));
    }

    #[tokio::test]
    async fn a_closed_session_is_not_joined_again() {
        let (_dir, store) = open_temp();
        let mut applier = applier::<SentLink>(Arc::new(store));
        let up = |link: &Arc<SentLink>| SupervisedEvent::Up {
            namespace: Namespace::Main,
            link: link.clone(),
        };
        let first = Arc::new(SentLink::default());
        applier.apply_batch(vec![up(&first)]).unwrap();
        let join = JoinSession {
            session_id: Id::new("s1").unwrap(),
            user_info: None,
        };
        applier
            .emit(&ClientEvent::Main(MainClientEvent::JoinSession(join)))
            .await
            .unwrap();
        let event = |name: &str, data: Value| SupervisedEvent::Event {
            namespace: Namespace::Main,
            name: name.into(),
            data,
        };
        applier
            .apply_batch(vec![
                event(
                    "session-joined",
                    serde_json::json!({"sessionId": "s1", "participants": []}),
                ),
                event(
                    "session:updated",
                    serde_json::json!({"eventId": 1, "sessionId": "s1",
                        "updates": {"status": "CANCELLED"}, "updatedBy": {"id": "lead", "name": "Lead"},
                        "updatedAt": "2025-02-24T10:00:00Z"}),
                ),
            ])
            .unwrap();

        assert!(!joins_on_the_next_connection(&mut applier).await);
    }

    #[tokio::test]
    async fn a_join_answered_after_a_leave_is_stale() {
        assert_eq!(
            after_a_join_answered_late(false).await,
            (true, true),
            "a joined session is shown and joined again"
        );
        assert_eq!(
            after_a_join_answered_late(true).await,
            (false, false),
            "the answer to a join overtaken by a leave neither shows nor rejoins the session"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_applier_serves_commands_until_stopped_after_the_supervisors_end() {
        let (_dir, store) = open_temp();
        let applier = applier::<NoLink>(Arc::new(store));
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(applier.run(events_rx, commands_rx, Duration::from_secs(3600)));
        // Shutdown stops the supervisors first: their channel closes while the applier idles.
        drop(events_tx);
        tokio::time::sleep(Duration::from_secs(1)).await;

        let (reply, answer) = oneshot::channel();
        let event = ClientEvent::Main(sideline_protocol::MainClientEvent::NotificationReadAll(
            sideline_protocol::NoPayload,
        ));
        commands.send(Command::Emit(event, reply)).unwrap();
        assert!(matches!(answer.await, Ok(Err(ClientError::NotConnected))));

        commands.send(Command::Stop).unwrap();
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("the applier ends at Stop")
            .unwrap();
    }
}
