//! [`Supervisor`]: owns the connection of one namespace — connects, reconnects with jittered
//! exponential backoff, watches for silence, and publishes a [`ConnectionStatus`].
//!
//! Why our own loop: `rust_socketio` never retries a failed first connect, reports a lost
//! transport only as an error, and cannot refresh the handshake's `lastEventId`. So the
//! library's reconnect is off ([`crate::connection`]) and this state machine decides:
//!
//! ```text
//!            ┌──────── credentials? ── none / refused ──▶ SignInNeeded ── wake ──┐
//!  start ──▶ Connecting ── transport + handshake ok ──▶ Live ── error / close /   │
//!            ▲    │ failure                              silence > watchdog      │
//!            │    ▼                                         │                    │
//!            └─ Retrying { attempt, next_try_at } ◀─────────┘ ◀──────────────────┘
//! ```
//!
//! Before every attempt the token comes fresh from the [`TokenSource`] and `lastEventId` from
//! the shared cursor, so the hub replays exactly what was missed. Runs on tokio time: tests
//! drive it with `tokio::time::pause()` / `advance()`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use serde_json::Value;
use sideline_protocol::{EventId, HandshakeAuth, Namespace};
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep, sleep_until, timeout};

use crate::connection::{ConnectionEvent, Connector, Link};
use crate::error::ClientError;
use crate::status::ConnectionStatus;
use crate::tokens::TokenSource;

/// Timing of a supervisor.
///
/// # How long a dead link goes unnoticed
///
/// At most the hub's engine.io `pingInterval + pingTimeout`: 45 s at its defaults
/// (socketioxide's 25 s + 20 s), so a user learns of a black-holed link well within a minute.
/// `rust_engineio` 0.6 enforces it: it takes both values from the hub's handshake and ends the
/// connection when no ping arrives for that long, which [`crate::connection`] reports as a
/// disconnect (measured through a black-holing proxy: noticed after 44.9 s, live again
/// 0.1-0.3 s after the link healed; `tests/black_hole.rs`). An idle, healthy link
/// is never taken for a dead one, since the pings keep arriving. An emit stuck behind a dead
/// link, which would keep that check from ever reporting, ends the link itself
/// ([`crate::connection::EMIT_TIMEOUT`]).
///
/// Our own [`SupervisorConfig::watchdog`] cannot do better, and is off by default:
/// `rust_socketio` 0.6 shows it Socket.IO events only, never the engine.io pings, and the hub
/// sends no event while idle, so silence alone cannot tell an idle link from a dead one. With
/// the former default of 120 s, every idle client reconnected every two minutes (measured:
/// `Retrying` for 0.9 s at 120 s of idle, all three namespaces reconnected).
#[derive(Debug, Clone)]
pub struct SupervisorConfig {
    /// First retry delay before jitter (0.5 s: a blip reconnects almost at once).
    pub backoff_base: Duration,
    /// Longest delay (30 s: a hub down for an hour gets 120 tries an hour per client, which
    /// a team-sized hub absorbs, while a user waits at most 30 s after it comes back).
    pub backoff_cap: Duration,
    /// How long a transport open or a handshake may take.
    pub connect_timeout: Duration,
    /// Reconnect when no event arrives for this long while live (`None`, the default: never).
    /// Only for a hub that sends events periodically: it counts Socket.IO events, not pings, so
    /// against an idle hub it would reconnect healthy links. Dead links are noticed by the
    /// engine.io ping check (see above).
    pub watchdog: Option<Duration>,
}

impl Default for SupervisorConfig {
    fn default() -> Self {
        SupervisorConfig {
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            watchdog: None,
        }
    }
}

/// The delay before retry number `attempt` (1-based): `base · 2^(attempt-1)`, capped, times
/// a jitter factor in `[1, 2]` from `rng` (so a team's clients do not all come back in the
/// same instant), capped again. Pure: the rng is an input.
pub fn backoff_delay(attempt: u32, base: Duration, cap: Duration, rng: &mut impl Rng) -> Duration {
    let doublings = attempt.saturating_sub(1).min(31);
    let exponential = base.saturating_mul(1u32 << doublings).min(cap);
    exponential.mul_f32(rng.gen_range(1.0..=2.0)).min(cap)
}

/// Whether the supervisor should be connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Connect and stay connected.
    Online,
    /// Disconnect and stay offline until told otherwise.
    Offline,
    /// Disconnect and end the task.
    Stopped,
}

/// What a supervisor hands to the engine, in order. All namespaces share one channel, so one
/// task applies everything in arrival order.
#[derive(Debug)]
pub enum SupervisedEvent<L> {
    /// The namespace is live on `link` (replay follows, then `sync:done`).
    Up {
        /// Which namespace.
        namespace: Namespace,
        /// Where to emit.
        link: Arc<L>,
    },
    /// A server event.
    Event {
        /// Which namespace.
        namespace: Namespace,
        /// Event name (`error` included).
        name: String,
        /// Its argument.
        data: Value,
    },
    /// The namespace's connection is gone; emits on the old link fail from now on.
    Down {
        /// Which namespace.
        namespace: Namespace,
    },
}

/// The wall clock used for `next_try_at` (an input, so tests can fix it).
pub type WallClock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Controls a running supervisor.
#[derive(Debug)]
pub struct Supervisor {
    namespace: Namespace,
    status: watch::Receiver<ConnectionStatus>,
    mode: watch::Sender<Mode>,
    wake: Arc<Notify>,
    task: Option<JoinHandle<()>>,
}

impl Supervisor {
    /// Starts supervising `namespace`. `cursor` is the last applied event id of the namespace
    /// (read before every attempt); events go to `out`.
    #[allow(clippy::too_many_arguments)]
    pub fn start<C: Connector>(
        namespace: Namespace,
        connector: Arc<C>,
        tokens: Arc<dyn TokenSource>,
        cursor: Arc<AtomicU64>,
        config: SupervisorConfig,
        clock: WallClock,
        rng: impl Rng + Send + 'static,
        out: mpsc::UnboundedSender<SupervisedEvent<C::Link>>,
    ) -> Supervisor {
        let (status_tx, status) = watch::channel(ConnectionStatus::Connecting);
        let (mode, mode_rx) = watch::channel(Mode::Online);
        let wake = Arc::new(Notify::new());
        let run = Run {
            namespace,
            connector,
            tokens,
            cursor,
            config,
            clock,
            rng,
            out,
            status: status_tx,
            mode: mode_rx,
            wake: wake.clone(),
        };
        Supervisor {
            namespace,
            status,
            mode,
            wake,
            task: Some(tokio::spawn(run.run())),
        }
    }

    /// The namespace supervised.
    pub fn namespace(&self) -> Namespace {
        self.namespace
    }

    /// The status, as a watch receiver.
    pub fn status(&self) -> watch::Receiver<ConnectionStatus> {
        self.status.clone()
    }

    /// Skips the current backoff wait and tries now; also leaves `SignInNeeded` (call it after
    /// new credentials were stored).
    pub fn retry_now(&self) {
        self.wake.notify_one();
    }

    /// Goes online or offline.
    pub fn set_mode(&self, mode: Mode) {
        let _ = self.mode.send(mode);
        self.wake.notify_one();
    }

    /// Disconnects and waits for the task to end.
    pub async fn stop(mut self) {
        let _ = self.mode.send(Mode::Stopped);
        self.wake.notify_one();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        let _ = self.mode.send(Mode::Stopped);
        self.wake.notify_one();
    }
}

/// How one connection attempt ended.
enum Outcome {
    /// It was live, then lost.
    WasLive,
    /// It never became live.
    Failed(String),
    /// The hub refused the token.
    SignInNeeded,
    /// Mode changed to offline / stopped.
    ModeChanged,
}

struct Run<C: Connector, R> {
    namespace: Namespace,
    connector: Arc<C>,
    tokens: Arc<dyn TokenSource>,
    cursor: Arc<AtomicU64>,
    config: SupervisorConfig,
    clock: WallClock,
    rng: R,
    out: mpsc::UnboundedSender<SupervisedEvent<C::Link>>,
    status: watch::Sender<ConnectionStatus>,
    mode: watch::Receiver<Mode>,
    wake: Arc<Notify>,
}

impl<C: Connector, R: Rng> Run<C, R> {
    fn publish(&self, status: ConnectionStatus) {
        self.status.send_if_modified(|current| {
            let changed = *current != status;
            *current = status;
            changed
        });
    }

    /// The current mode, marked as seen (so `changed()` only fires on later changes).
    fn mode(&mut self) -> Mode {
        *self.mode.borrow_and_update()
    }

    async fn run(mut self) {
        // Failures since the namespace was last live.
        let mut attempt: u32 = 0;
        loop {
            match self.mode() {
                Mode::Stopped => return,
                Mode::Offline => {
                    self.publish(ConnectionStatus::Offline);
                    self.wake.notified().await;
                    attempt = 0;
                    continue;
                }
                Mode::Online => {}
            }
            if attempt == 0 {
                self.publish(ConnectionStatus::Connecting);
            }
            let outcome = match self.tokens.credentials().await {
                Ok(credentials) => self.attempt(&credentials.server, credentials.token).await,
                Err(ClientError::NotSignedIn | ClientError::SignInRefused(_)) => {
                    Outcome::SignInNeeded
                }
                Err(err) => Outcome::Failed(err.to_string()),
            };
            match outcome {
                Outcome::ModeChanged => continue,
                Outcome::SignInNeeded => {
                    // The next ask reads the store again: it may hold a new token by then.
                    self.tokens.forget();
                    self.publish(ConnectionStatus::SignInNeeded);
                    // Retrying a refused token only hammers the hub: wait for new credentials
                    // (or a mode change).
                    self.wake.notified().await;
                    attempt = 0;
                    continue;
                }
                Outcome::WasLive => attempt = 1,
                Outcome::Failed(reason) => {
                    tracing::debug!(namespace = %self.namespace, %reason, "connect failed");
                    attempt += 1;
                }
            }
            let delay = backoff_delay(
                attempt,
                self.config.backoff_base,
                self.config.backoff_cap,
                &mut self.rng,
            );
            let next = (self.clock)()
                + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::zero());
            self.publish(ConnectionStatus::retrying(attempt, next));
            tokio::select! {
                _ = sleep(delay) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    /// One attempt: open, handshake, then stay live until the connection ends.
    async fn attempt(&mut self, url: &str, token: String) -> Outcome {
        let last = self.cursor.load(Ordering::Acquire);
        let auth = HandshakeAuth {
            token,
            last_event_id: (last > 0).then_some(EventId(last)),
        };
        let (tx, mut rx) = mpsc::unbounded_channel();
        let opened = tokio::select! {
            opened = timeout(self.config.connect_timeout, self.connector.connect(url, self.namespace, &auth, tx)) => opened,
            _ = self.mode.changed() => return Outcome::ModeChanged,
        };
        let link = match opened {
            Ok(Ok(link)) => Arc::new(link),
            Ok(Err(err)) => return Outcome::Failed(err.to_string()),
            Err(_) => return Outcome::Failed("transport open timed out".into()),
        };
        let handshake = tokio::select! {
            first = timeout(self.config.connect_timeout, rx.recv()) => first,
            _ = self.mode.changed() => {
                link.close().await;
                return Outcome::ModeChanged;
            }
        };
        match handshake {
            Ok(Some(ConnectionEvent::Connected)) => {}
            Ok(Some(ConnectionEvent::Refused { code, message })) => {
                link.close().await;
                if code == "UNAUTHORIZED" || code == "TOKEN_EXPIRED" {
                    return Outcome::SignInNeeded;
                }
                return Outcome::Failed(format!("refused: {code}: {message}"));
            }
            Ok(Some(ConnectionEvent::Disconnected { reason })) => {
                link.close().await;
                return Outcome::Failed(reason);
            }
            Ok(Some(ConnectionEvent::Event { name, .. })) => {
                link.close().await;
                return Outcome::Failed(format!("`{name}` before the handshake"));
            }
            Ok(None) | Err(_) => {
                link.close().await;
                return Outcome::Failed("no handshake answer".into());
            }
        }

        self.publish(ConnectionStatus::Live);
        let namespace = self.namespace;
        let _ = self.out.send(SupervisedEvent::Up {
            namespace,
            link: link.clone(),
        });
        let far = Duration::from_secs(86_400 * 365);
        let mut deadline = Instant::now() + self.config.watchdog.unwrap_or(far);
        let outcome = loop {
            tokio::select! {
                event = rx.recv() => match event {
                    Some(ConnectionEvent::Event { name, data }) => {
                        deadline = Instant::now() + self.config.watchdog.unwrap_or(far);
                        let _ = self.out.send(SupervisedEvent::Event { namespace, name, data });
                    }
                    Some(ConnectionEvent::Connected) => {}
                    Some(ConnectionEvent::Disconnected { reason }) => {
                        tracing::info!(%namespace, %reason, "connection lost");
                        break Outcome::WasLive;
                    }
                    Some(ConnectionEvent::Refused { code, .. }) => {
                        break if code == "UNAUTHORIZED" || code == "TOKEN_EXPIRED" {
                            Outcome::SignInNeeded
                        } else {
                            Outcome::WasLive
                        };
                    }
                    None => break Outcome::WasLive,
                },
                _ = sleep_until(deadline) => {
                    tracing::info!(%namespace, "no traffic within the watchdog period; reconnecting");
                    break Outcome::WasLive;
                }
                _ = self.mode.changed() => break Outcome::ModeChanged,
            }
        };
        link.close().await;
        let _ = self.out.send(SupervisedEvent::Down { namespace });
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Result;
    use crate::tokens::{Credentials, StaticTokens};
    use chrono::TimeZone;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use rand::rngs::mock::StepRng;
    use std::collections::VecDeque;
    use std::sync::Mutex;

    #[test]
    fn backoff_doubles_from_half_a_second_to_the_cap() {
        let base = Duration::from_millis(500);
        let cap = Duration::from_secs(30);
        // StepRng(0, 0) makes gen_range return its low end: no jitter.
        let mut low = StepRng::new(0, 0);
        let delays: Vec<_> = (1..=9)
            .map(|a| backoff_delay(a, base, cap, &mut low))
            .collect();
        assert_eq!(
            delays,
            [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
                .map(Duration::from_millis)
                .to_vec()
        );
        assert_eq!(backoff_delay(u32::MAX, base, cap, &mut low), cap);
    }

    #[test]
    fn backoff_jitter_stays_within_one_to_two_times_and_the_cap() {
        let base = Duration::from_millis(500);
        let cap = Duration::from_secs(30);
        let mut rng = StdRng::seed_from_u64(7);
        let mut seen_jitter = false;
        for attempt in 1..=12 {
            for _ in 0..200 {
                let exp = base.saturating_mul(1 << (attempt - 1).min(31)).min(cap);
                let d = backoff_delay(attempt, base, cap, &mut rng);
                assert!(d >= exp && d <= (exp * 2).min(cap), "{attempt}: {d:?}");
                seen_jitter |= d > exp;
            }
        }
        assert!(seen_jitter);
    }

    /// What the fake hub does with one connection attempt.
    #[derive(Debug, Clone)]
    enum Script {
        /// The transport does not open.
        FailTransport,
        /// Opens, then refuses the handshake with this code.
        Refuse(&'static str),
        /// Opens and accepts; the test drives the connection through the returned sender.
        Accept,
    }

    #[derive(Debug, Default)]
    struct FakeHub {
        script: Mutex<VecDeque<Script>>,
        /// The auth of every attempt, in order.
        auths: Mutex<Vec<HandshakeAuth>>,
        /// Senders of accepted connections, newest last.
        accepted: Mutex<Vec<mpsc::UnboundedSender<ConnectionEvent>>>,
    }

    #[derive(Debug)]
    struct FakeLink;

    impl Link for FakeLink {
        async fn emit(&self, _name: &str, _data: Value) -> Result<()> {
            Ok(())
        }
        async fn close(&self) {}
    }

    impl Connector for FakeHub {
        type Link = FakeLink;

        async fn connect(
            &self,
            _url: &str,
            _namespace: Namespace,
            auth: &HandshakeAuth,
            events: mpsc::UnboundedSender<ConnectionEvent>,
        ) -> Result<FakeLink> {
            self.auths.lock().unwrap().push(auth.clone());
            let step = self
                .script
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(Script::FailTransport);
            match step {
                Script::FailTransport => Err(ClientError::Network("refused".into())),
                Script::Refuse(code) => {
                    let _ = events.send(ConnectionEvent::Refused {
                        code: code.into(),
                        message: "no".into(),
                    });
                    Ok(FakeLink)
                }
                Script::Accept => {
                    let _ = events.send(ConnectionEvent::Connected);
                    self.accepted.lock().unwrap().push(events);
                    Ok(FakeLink)
                }
            }
        }
    }

    /// [`StaticTokens`] that count the supervisor's [`TokenSource::forget`] calls.
    #[derive(Debug)]
    struct CountedTokens {
        tokens: StaticTokens,
        forgets: Arc<AtomicU64>,
    }

    impl TokenSource for CountedTokens {
        fn credentials(&self) -> futures_util::future::BoxFuture<'_, Result<Credentials>> {
            self.tokens.credentials()
        }

        fn forget(&self) {
            self.forgets.fetch_add(1, Ordering::SeqCst);
        }
    }

    struct Harness {
        hub: Arc<FakeHub>,
        tokens: StaticTokens,
        forgets: Arc<AtomicU64>,
        cursor: Arc<AtomicU64>,
        supervisor: Supervisor,
        out: mpsc::UnboundedReceiver<SupervisedEvent<FakeLink>>,
    }

    fn start(script: Vec<Script>, watchdog: Option<Duration>) -> Harness {
        let hub = Arc::new(FakeHub::default());
        hub.script.lock().unwrap().extend(script);
        let tokens = StaticTokens::new("http://hub", "token-1");
        let forgets = Arc::new(AtomicU64::new(0));
        let cursor = Arc::new(AtomicU64::new(0));
        let (tx, out) = mpsc::unbounded_channel();
        let clock: WallClock = Arc::new(|| Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap());
        let config = SupervisorConfig {
            watchdog,
            ..SupervisorConfig::default()
        };
        let supervisor = Supervisor::start(
            Namespace::Main,
            hub.clone(),
            Arc::new(CountedTokens {
                tokens: tokens.clone(),
                forgets: forgets.clone(),
            }),
            cursor.clone(),
            config,
            clock,
            StepRng::new(0, 0),
            tx,
        );
        Harness {
            hub,
            tokens,
            forgets,
            cursor,
            supervisor,
            out,
        }
    }

    /// Lets spawned tasks run without moving the paused clock.
    async fn settle() {
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
    }

    fn attempts(h: &Harness) -> usize {
        h.hub.auths.lock().unwrap().len()
    }

    #[tokio::test(start_paused = true)]
    async fn the_first_connect_is_retried_with_growing_delays() {
        let h = start(vec![], None);
        settle().await;
        assert_eq!(attempts(&h), 1);
        let status = h.supervisor.status();
        assert!(matches!(
            &*status.borrow(),
            ConnectionStatus::Retrying { attempt: 1, next_try_at } if next_try_at == "2025-01-01T00:00:00.500Z"
        ));
        tokio::time::advance(Duration::from_millis(499)).await;
        settle().await;
        assert_eq!(attempts(&h), 1, "no retry before the delay");
        tokio::time::advance(Duration::from_millis(1)).await;
        settle().await;
        assert_eq!(attempts(&h), 2);
        assert!(matches!(
            &*status.borrow(),
            ConnectionStatus::Retrying { attempt: 2, .. }
        ));
        // 1 s, 2 s, 4 s ... then at most 30 s apart.
        for (expected, delay) in [(3, 1_000), (4, 2_000), (5, 4_000), (6, 8_000)] {
            tokio::time::advance(Duration::from_millis(delay)).await;
            settle().await;
            assert_eq!(attempts(&h), expected);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn goes_live_forwards_events_and_reconnects_with_the_cursor() {
        let mut h = start(
            vec![Script::FailTransport, Script::Accept, Script::Accept],
            None,
        );
        settle().await;
        tokio::time::advance(Duration::from_millis(500)).await;
        settle().await;
        assert_eq!(*h.supervisor.status().borrow(), ConnectionStatus::Live);
        assert!(matches!(
            h.out.recv().await,
            Some(SupervisedEvent::Up { .. })
        ));

        let conn = h.hub.accepted.lock().unwrap()[0].clone();
        conn.send(ConnectionEvent::Event {
            name: "sync:done".into(),
            data: Value::Null,
        })
        .unwrap();
        settle().await;
        assert!(matches!(
            h.out.recv().await,
            Some(SupervisedEvent::Event { name, .. }) if name == "sync:done"
        ));

        // The engine applied up to 42; an error on the transport is a disconnect.
        h.cursor.store(42, Ordering::Release);
        h.tokens.set(Some(crate::tokens::Credentials {
            server: "http://hub".into(),
            token: "token-2".into(),
        }));
        conn.send(ConnectionEvent::Disconnected {
            reason: "EngineIO Error".into(),
        })
        .unwrap();
        settle().await;
        assert!(matches!(
            h.out.recv().await,
            Some(SupervisedEvent::Down { .. })
        ));
        assert!(matches!(
            *h.supervisor.status().borrow(),
            ConnectionStatus::Retrying { attempt: 1, .. }
        ));
        tokio::time::advance(Duration::from_millis(500)).await;
        settle().await;
        assert_eq!(*h.supervisor.status().borrow(), ConnectionStatus::Live);
        let auths = h.hub.auths.lock().unwrap().clone();
        assert_eq!(auths.len(), 3);
        assert_eq!(auths[1].last_event_id, None);
        assert_eq!(auths[2].last_event_id, Some(EventId(42)));
        assert_eq!(
            auths[2].token, "token-2",
            "the token is fetched before every attempt"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_refused_token_stops_retrying_until_new_credentials() {
        let h = start(vec![Script::Refuse("TOKEN_EXPIRED"), Script::Accept], None);
        settle().await;
        assert_eq!(
            *h.supervisor.status().borrow(),
            ConnectionStatus::SignInNeeded
        );
        assert_eq!(
            h.forgets.load(Ordering::SeqCst),
            1,
            "the source was told to read its store again"
        );
        tokio::time::advance(Duration::from_secs(600)).await;
        settle().await;
        assert_eq!(attempts(&h), 1, "no retries while sign-in is needed");
        h.supervisor.retry_now();
        settle().await;
        assert_eq!(*h.supervisor.status().borrow(), ConnectionStatus::Live);
    }

    #[tokio::test(start_paused = true)]
    async fn missing_credentials_mean_sign_in_needed() {
        let h = start(vec![Script::Accept], None);
        h.tokens.set(None);
        settle().await;
        // The first poll may already have read the old credentials; force a fresh look.
        h.supervisor.set_mode(Mode::Offline);
        settle().await;
        assert_eq!(*h.supervisor.status().borrow(), ConnectionStatus::Offline);
        h.supervisor.set_mode(Mode::Online);
        settle().await;
        assert_eq!(
            *h.supervisor.status().borrow(),
            ConnectionStatus::SignInNeeded
        );
    }

    #[tokio::test(start_paused = true)]
    async fn silence_beyond_the_watchdog_reconnects() {
        let h = start(
            vec![Script::Accept, Script::Accept],
            Some(Duration::from_secs(60)),
        );
        settle().await;
        assert_eq!(*h.supervisor.status().borrow(), ConnectionStatus::Live);
        tokio::time::advance(Duration::from_secs(30)).await;
        settle().await;
        let conn = h.hub.accepted.lock().unwrap()[0].clone();
        conn.send(ConnectionEvent::Event {
            name: "x".into(),
            data: Value::Null,
        })
        .unwrap();
        settle().await;
        tokio::time::advance(Duration::from_secs(59)).await;
        settle().await;
        assert_eq!(attempts(&h), 1, "traffic reset the watchdog");
        tokio::time::advance(Duration::from_secs(1)).await;
        settle().await;
        assert!(matches!(
            *h.supervisor.status().borrow(),
            ConnectionStatus::Retrying { attempt: 1, .. }
        ));
        tokio::time::advance(Duration::from_millis(500)).await;
        settle().await;
        assert_eq!(attempts(&h), 2);
        assert_eq!(*h.supervisor.status().borrow(), ConnectionStatus::Live);
    }

    #[tokio::test(start_paused = true)]
    async fn offline_mode_disconnects_and_stays_offline() {
        let mut h = start(vec![Script::Accept], None);
        settle().await;
        assert!(matches!(
            h.out.recv().await,
            Some(SupervisedEvent::Up { .. })
        ));
        h.supervisor.set_mode(Mode::Offline);
        settle().await;
        assert!(matches!(
            h.out.recv().await,
            Some(SupervisedEvent::Down { .. })
        ));
        assert_eq!(*h.supervisor.status().borrow(), ConnectionStatus::Offline);
        tokio::time::advance(Duration::from_secs(600)).await;
        settle().await;
        assert_eq!(attempts(&h), 1);
        h.supervisor.stop().await;
    }
}
