//! [`FaultProxy`]: a TCP proxy on `127.0.0.1:0` in front of an upstream (the hub) whose
//! [`Fault`] can be changed while connections are open.
//!
//! Each accepted connection gets its own upstream connection and two directions (client →
//! upstream, upstream → client). A direction is a reader and a writer joined by a small queue
//! of chunks: the reader stamps each chunk with the time it may be delivered (latency), the
//! writer waits for that time, paces bytes (bandwidth), counts them (cut-after-N) and holds
//! them while the proxy is black-holed. One task per connection runs both directions, so a
//! reset or a cut drops every socket of the connection at once.
//!
//! What each end sees:
//! - an orderly close (FIN) from one end reaches the other end as an orderly close, after the
//!   bytes before it; an error or a reset from one end is passed on as a reset;
//! - [`Fault::Reset`] and [`Fault::CutAfter`] reset both ends (`SO_LINGER` 0, then close: an
//!   RST, even mid-frame), so a reader sees `ECONNRESET`;
//! - [`Fault::BlackHole`] stops reading and writing but closes nothing: both ends think the
//!   connection is open (half-open), and what they send waits in the kernel's buffers, as
//!   behind a dead link. Healing delivers what was held, as TCP's retransmission would.

use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::{Instant, sleep, sleep_until};

use crate::cycle::{CyclePlan, CycleRun};

/// What the proxy does to traffic. One fault is in force at a time; [`FaultProxy::set`]
/// replaces it and takes effect on open connections at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Forward everything as it comes.
    Healthy,
    /// Hold each chunk for `delay` plus a uniform random extra in `[0, jitter]` (seeded),
    /// never reordering a direction: a chunk is never delivered before the one read before it.
    Latency {
        /// The fixed part.
        delay: Duration,
        /// The random extra's upper bound.
        jitter: Duration,
    },
    /// At most this many bytes per second in each direction of each connection (0 counts
    /// as 1).
    Bandwidth {
        /// The cap.
        bytes_per_sec: u64,
    },
    /// Reset every connection open when this is set (both ends get an RST); later
    /// connections are forwarded as [`Fault::Healthy`].
    Reset,
    /// Each direction of each connection forwards at most `bytes` more bytes — counted from
    /// when this was set, or from the accept for later connections — then the connection is
    /// reset (both ends).
    CutAfter {
        /// How many bytes pass in each direction.
        bytes: u64,
    },
    /// Forward nothing in either direction and close nothing: every connection stays open
    /// and silent (half-open as seen by both ends). New connections are accepted, and the
    /// upstream connection is opened only once the proxy is healed.
    BlackHole,
    /// Refuse new connections (the listening socket is closed, so a connect gets
    /// `ECONNREFUSED`; the same port is bound again when this fault ends). Connections still
    /// queued in the listening socket are reset by the kernel; accepted ones go on as
    /// [`Fault::Healthy`].
    Refuse,
}

/// Counters since the proxy started, so a test can assert that a fault really happened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProxyStats {
    /// Connections accepted.
    pub accepted: u64,
    /// Connections open now (accepted and not yet ended).
    pub open: u64,
    /// Accepted connections whose upstream connection could not be opened (they were reset).
    pub upstream_failures: u64,
    /// Bytes written to the upstream.
    pub bytes_to_upstream: u64,
    /// Bytes written to clients.
    pub bytes_to_client: u64,
    /// Connections reset by [`Fault::Reset`].
    pub resets: u64,
    /// Connections reset by [`Fault::CutAfter`].
    pub cuts: u64,
}

/// The fault in force, with what a connection needs to notice a new one.
#[derive(Debug, Clone)]
struct Setting {
    fault: Fault,
    /// Bumped by every [`FaultProxy::set`]: a new `CutAfter` restarts the count.
    epoch: u64,
    /// Bumped by every `set(Fault::Reset)`: a connection resets when it exceeds the one it
    /// was accepted under (a `Reset` quickly replaced by another fault is still seen).
    resets: u64,
}

#[derive(Debug, Default)]
struct Counters {
    accepted: AtomicU64,
    open: AtomicU64,
    upstream_failures: AtomicU64,
    bytes_to_upstream: AtomicU64,
    bytes_to_client: AtomicU64,
    resets: AtomicU64,
    cuts: AtomicU64,
}

/// State shared by the proxy handle, its tasks and a running cycle.
#[derive(Debug)]
pub(crate) struct Shared {
    upstream: SocketAddr,
    setting: watch::Sender<Setting>,
    jitter: Mutex<StdRng>,
    counters: Counters,
}

impl Shared {
    pub(crate) fn set(&self, fault: Fault) {
        self.setting.send_modify(|s| {
            s.epoch += 1;
            if fault == Fault::Reset {
                s.resets += 1;
            }
            s.fault = fault;
        });
    }

    fn fault(&self) -> Fault {
        self.setting.borrow().fault.clone()
    }
}

/// A fault-injecting TCP proxy for tests. Dropping it stops it and closes every connection.
///
/// ```no_run
/// # async fn example(hub: std::net::SocketAddr) -> std::io::Result<()> {
/// use sideline_testkit::{Fault, FaultProxy};
/// let proxy = FaultProxy::start(hub).await?;
/// // Point the client at proxy.url() instead of the hub's, then:
/// proxy.set(Fault::BlackHole);
/// proxy.heal();
/// assert!(proxy.stats().accepted > 0);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a healthy proxy on `127.0.0.1:0` in front of `upstream` (latency jitter seeded
    /// with 0).
    pub async fn start(upstream: SocketAddr) -> io::Result<FaultProxy> {
        FaultProxy::start_seeded(upstream, 0).await
    }

    /// [`FaultProxy::start`] with the latency jitter drawn from `seed`.
    pub async fn start_seeded(upstream: SocketAddr, seed: u64) -> io::Result<FaultProxy> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let (setting, _) = watch::channel(Setting {
            fault: Fault::Healthy,
            epoch: 0,
            resets: 0,
        });
        let shared = Arc::new(Shared {
            upstream,
            setting,
            jitter: Mutex::new(StdRng::seed_from_u64(seed)),
            counters: Counters::default(),
        });
        let accept = tokio::spawn(accept_loop(listener, shared.clone()));
        Ok(FaultProxy {
            addr,
            shared,
            accept,
        })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://{addr}`, for clients that take a URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Where the proxy forwards to.
    pub fn upstream(&self) -> SocketAddr {
        self.shared.upstream
    }

    /// Puts `fault` in force, on open connections too.
    pub fn set(&self, fault: Fault) {
        self.shared.set(fault);
    }

    /// Back to [`Fault::Healthy`].
    pub fn heal(&self) {
        self.set(Fault::Healthy);
    }

    /// The fault in force.
    pub fn fault(&self) -> Fault {
        self.shared.fault()
    }

    /// The counters now.
    pub fn stats(&self) -> ProxyStats {
        let c = &self.shared.counters;
        ProxyStats {
            accepted: c.accepted.load(Ordering::SeqCst),
            open: c.open.load(Ordering::SeqCst),
            upstream_failures: c.upstream_failures.load(Ordering::SeqCst),
            bytes_to_upstream: c.bytes_to_upstream.load(Ordering::SeqCst),
            bytes_to_client: c.bytes_to_client.load(Ordering::SeqCst),
            resets: c.resets.load(Ordering::SeqCst),
            cuts: c.cuts.load(Ordering::SeqCst),
        }
    }

    /// Starts rotating through `plan`'s faults (see [`CyclePlan`]); the run heals the proxy
    /// and ends by itself after `plan.total`, or earlier when stopped or dropped.
    pub fn cycle(&self, plan: CyclePlan) -> CycleRun {
        CycleRun::start(self.shared.clone(), plan)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        // The accept task owns the connections' JoinSet: aborting it aborts them all.
        self.accept.abort();
    }
}

/// Accepts connections while the fault allows, closing and re-binding the listening socket
/// around [`Fault::Refuse`].
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(_) => return,
    };
    let mut listener = Some(listener);
    let mut setting = shared.setting.subscribe();
    let mut connections = JoinSet::new();
    loop {
        let refuse = setting.borrow_and_update().fault == Fault::Refuse;
        if refuse {
            listener = None;
        } else if listener.is_none() {
            // Rebinding the port just released (SO_REUSEADDR is set by tokio on Unix); if
            // something else took it meanwhile, keep trying.
            match TcpListener::bind(addr).await {
                Ok(bound) => listener = Some(bound),
                Err(_) => {
                    sleep(Duration::from_millis(20)).await;
                    continue;
                }
            }
        }
        match &listener {
            None => tokio::select! {
                changed = setting.changed() => if changed.is_err() { return },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            },
            Some(bound) => tokio::select! {
                accepted = bound.accept() => {
                    if let Ok((client, _)) = accepted {
                        shared.counters.accepted.fetch_add(1, Ordering::SeqCst);
                        connections.spawn(serve(client, shared.clone()));
                    }
                }
                changed = setting.changed() => if changed.is_err() { return },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            },
        }
    }
}

/// Counts a connection as open for as long as it lives.
struct OpenGuard<'a>(&'a AtomicU64);

impl<'a> OpenGuard<'a> {
    fn new(open: &'a AtomicU64) -> Self {
        open.fetch_add(1, Ordering::SeqCst);
        OpenGuard(open)
    }
}

impl Drop for OpenGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Why a direction (or a connection) ended other than by an orderly close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Abort {
    /// An end failed or reset: pass the reset on.
    Failed,
    /// [`Fault::CutAfter`]'s allowance is spent.
    Cut,
    /// [`Fault::Reset`].
    Reset,
}

/// Which way bytes flow.
#[derive(Debug, Clone, Copy)]
enum Direction {
    ToUpstream,
    ToClient,
}

/// One connection: open the upstream (after any black hole), pump both directions until
/// both closed in order, or reset both ends.
async fn serve(mut client: TcpStream, shared: Arc<Shared>) {
    let _open = OpenGuard::new(&shared.counters.open);
    let mut setting = shared.setting.subscribe();
    let accepted_under = setting.borrow_and_update().clone();
    // A black hole swallows the SYN too: the upstream learns of the connection only when it
    // heals.
    if setting
        .wait_for(|s| s.fault != Fault::BlackHole)
        .await
        .is_err()
    {
        return;
    }
    let mut upstream = match TcpStream::connect(shared.upstream).await {
        Ok(upstream) => upstream,
        Err(_) => {
            shared
                .counters
                .upstream_failures
                .fetch_add(1, Ordering::SeqCst);
            let _ = client.set_zero_linger();
            return;
        }
    };
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);

    let end = {
        let (client_read, client_write) = client.split();
        let (upstream_read, upstream_write) = upstream.split();
        let up = pin!(pump(
            client_read,
            upstream_write,
            Direction::ToUpstream,
            &shared,
            accepted_under.epoch,
        ));
        let down = pin!(pump(
            upstream_read,
            client_write,
            Direction::ToClient,
            &shared,
            accepted_under.epoch,
        ));
        let reset = pin!(reset_requested(setting, accepted_under.resets));
        both_or_abort(up, down, reset).await
    };
    match end {
        None => {}
        Some(abort) => {
            match abort {
                Abort::Reset => shared.counters.resets.fetch_add(1, Ordering::SeqCst),
                Abort::Cut => shared.counters.cuts.fetch_add(1, Ordering::SeqCst),
                Abort::Failed => 0,
            };
            // SO_LINGER 0: the close below sends an RST and discards unsent bytes.
            let _ = client.set_zero_linger();
            let _ = upstream.set_zero_linger();
        }
    }
}

/// Runs both directions until both end in order (`None`), or the first abort.
async fn both_or_abort(
    mut up: std::pin::Pin<&mut impl Future<Output = Result<(), Abort>>>,
    mut down: std::pin::Pin<&mut impl Future<Output = Result<(), Abort>>>,
    mut reset: std::pin::Pin<&mut impl Future<Output = ()>>,
) -> Option<Abort> {
    let (mut up_done, mut down_done) = (false, false);
    while !(up_done && down_done) {
        tokio::select! {
            result = &mut up, if !up_done => match result {
                Ok(()) => up_done = true,
                Err(abort) => return Some(abort),
            },
            result = &mut down, if !down_done => match result {
                Ok(()) => down_done = true,
                Err(abort) => return Some(abort),
            },
            () = &mut reset => return Some(Abort::Reset),
        }
    }
    None
}

/// Resolves when a [`Fault::Reset`] newer than `seen` is set; never if the proxy is gone.
async fn reset_requested(mut setting: watch::Receiver<Setting>, seen: u64) {
    if setting.wait_for(|s| s.resets > seen).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// A chunk read from one end, and when it may be written to the other.
#[derive(Debug)]
struct Chunk {
    due: Instant,
    bytes: Vec<u8>,
}

/// How many chunks a direction holds between its reader and its writer. Small, so a slow
/// writer (bandwidth, black hole) soon stops the reader and TCP pushes back on the sender.
const QUEUE: usize = 16;

/// One direction: reads from `from`, writes to `to`. `Ok` when `from` closed in order and the
/// close was passed on.
async fn pump(
    from: impl AsyncRead + Unpin,
    to: impl AsyncWrite + Unpin,
    direction: Direction,
    shared: &Shared,
    accepted_epoch: u64,
) -> Result<(), Abort> {
    let (tx, rx) = mpsc::channel(QUEUE);
    let mut reading = pin!(read_side(from, tx, shared));
    let mut writing = pin!(write_side(rx, to, direction, shared, accepted_epoch));
    // The reader ends first on an orderly close (dropping the queue's sender); the writer
    // then drains the queue and passes the close on.
    let mut read_done = false;
    loop {
        tokio::select! {
            result = &mut reading, if !read_done => {
                result?;
                read_done = true;
            }
            result = &mut writing => return result,
        }
    }
}

async fn read_side(
    mut from: impl AsyncRead + Unpin,
    tx: mpsc::Sender<Chunk>,
    shared: &Shared,
) -> Result<(), Abort> {
    let mut setting = shared.setting.subscribe();
    let mut buf = vec![0u8; 16 * 1024];
    let mut last_due = Instant::now();
    loop {
        // A black hole stops reading: what the sender sends stays in the kernel's buffers.
        if setting
            .wait_for(|s| s.fault != Fault::BlackHole)
            .await
            .is_err()
        {
            return Err(Abort::Failed);
        }
        let n = from.read(&mut buf).await.map_err(|_| Abort::Failed)?;
        if n == 0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut due = now;
        if let Fault::Latency { delay, jitter } = shared.fault() {
            let extra = if jitter.is_zero() {
                Duration::ZERO
            } else {
                let mut rng = shared.jitter.lock().unwrap_or_else(|e| e.into_inner());
                jitter.mul_f64(rng.gen_range(0.0..=1.0))
            };
            due = now + delay + extra;
        }
        // Order within a direction is kept: never due before the chunk read before it.
        due = due.max(last_due);
        last_due = due;
        let chunk = Chunk {
            due,
            bytes: buf[..n].to_vec(),
        };
        if tx.send(chunk).await.is_err() {
            return Ok(());
        }
    }
}

/// The pace of [`Fault::Bandwidth`]: a slice of at most a twentieth of a second's worth of
/// bytes, then a pause as long as the slice takes at the cap.
fn bandwidth_slice(len: usize, bytes_per_sec: u64) -> (usize, Duration) {
    let rate = bytes_per_sec.max(1);
    let slice = len.min(usize::try_from((rate / 20).max(1)).unwrap_or(usize::MAX));
    (slice, Duration::from_secs_f64(slice as f64 / rate as f64))
}

async fn write_side(
    mut rx: mpsc::Receiver<Chunk>,
    mut to: impl AsyncWrite + Unpin,
    direction: Direction,
    shared: &Shared,
    accepted_epoch: u64,
) -> Result<(), Abort> {
    let counter = match direction {
        Direction::ToUpstream => &shared.counters.bytes_to_upstream,
        Direction::ToClient => &shared.counters.bytes_to_client,
    };
    let mut setting = shared.setting.subscribe();
    // Bytes written under the `CutAfter` of this epoch.
    let (mut cut_epoch, mut cut_written) = (accepted_epoch, 0u64);
    while let Some(chunk) = rx.recv().await {
        sleep_until(chunk.due).await;
        let mut rest = &chunk.bytes[..];
        while !rest.is_empty() {
            let now = match setting.wait_for(|s| s.fault != Fault::BlackHole).await {
                Ok(s) => s.clone(),
                Err(_) => return Err(Abort::Failed),
            };
            let mut piece = rest.len();
            let mut pause = None;
            let mut allowance = None;
            match now.fault {
                Fault::Bandwidth { bytes_per_sec } => {
                    let (slice, wait) = bandwidth_slice(piece, bytes_per_sec);
                    piece = slice;
                    pause = Some(wait);
                }
                Fault::CutAfter { bytes } => {
                    if cut_epoch != now.epoch {
                        (cut_epoch, cut_written) = (now.epoch, 0);
                    }
                    let left = bytes.saturating_sub(cut_written);
                    if left == 0 {
                        return Err(Abort::Cut);
                    }
                    piece = piece.min(usize::try_from(left).unwrap_or(usize::MAX));
                    allowance = Some(bytes);
                }
                _ => {}
            }
            to.write_all(&rest[..piece])
                .await
                .map_err(|_| Abort::Failed)?;
            counter.fetch_add(piece as u64, Ordering::SeqCst);
            rest = &rest[piece..];
            if let Some(bytes) = allowance {
                cut_written += piece as u64;
                if cut_written >= bytes {
                    let _ = to.flush().await;
                    return Err(Abort::Cut);
                }
            }
            if let Some(wait) = pause {
                sleep(wait).await;
            }
        }
    }
    // The other end closed in order: pass the close on (FIN).
    to.shutdown().await.map_err(|_| Abort::Failed)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bandwidth_slices_are_a_twentieth_of_a_second() {
        assert_eq!(
            bandwidth_slice(10_000, 20_000),
            (1_000, Duration::from_millis(50))
        );
        assert_eq!(
            bandwidth_slice(10, 20_000),
            (10, Duration::from_micros(500))
        );
        assert_eq!(bandwidth_slice(10, 0), (1, Duration::from_secs(1)));
    }
}
