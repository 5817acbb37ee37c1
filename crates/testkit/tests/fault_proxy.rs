//! Each fault of the [`FaultProxy`] does what it says, against a tiny echo server and a
//! recording server on 127.0.0.1:0. No assertion depends on the machine being fast: what must
//! not happen is checked over a short window (it can only fail if the fault leaks), and the
//! only timing assertions are lower bounds that tokio's timers guarantee.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use sideline_testkit::{CyclePlan, Fault, FaultProxy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::{Instant, timeout};

/// How long a test waits for something that should happen.
const DEADLINE: Duration = Duration::from_secs(10);

/// How long a test watches for something that must not happen.
const QUIET: Duration = Duration::from_millis(300);

/// Echoes every connection's bytes back, and closes its side after the client's close.
async fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (mut read, mut write) = socket.split();
                let _ = tokio::io::copy(&mut read, &mut write).await;
                let _ = write.shutdown().await;
            });
        }
    });
    addr
}

/// What a recording server saw on one of its connections.
#[derive(Debug, PartialEq)]
enum Seen {
    /// A new connection (numbered from 0).
    Opened(usize),
    /// Bytes on connection `n`.
    Bytes(usize, Vec<u8>),
    /// Connection `n` ended: `Ok` for an orderly close, else the error kind.
    Ended(usize, Result<(), io::ErrorKind>),
}

/// Reads every connection until it ends and reports what it saw; never writes.
async fn recording_server() -> (SocketAddr, mpsc::UnboundedReceiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((mut socket, _)) = listener.accept().await {
            let tx = tx.clone();
            let _ = tx.send(Seen::Opened(n));
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                loop {
                    match socket.read(&mut buf).await {
                        Ok(0) => {
                            let _ = tx.send(Seen::Ended(n, Ok(())));
                            return;
                        }
                        Ok(len) => {
                            let _ = tx.send(Seen::Bytes(n, buf[..len].to_vec()));
                        }
                        Err(err) => {
                            let _ = tx.send(Seen::Ended(n, Err(err.kind())));
                            return;
                        }
                    }
                }
            });
            n += 1;
        }
    });
    (addr, rx)
}

/// The next thing the recording server saw, within the deadline.
async fn next_seen(rx: &mut mpsc::UnboundedReceiver<Seen>) -> Seen {
    timeout(DEADLINE, rx.recv())
        .await
        .expect("the recording server saw something in time")
        .expect("the recording server runs")
}

/// Bytes the recording server gets on connection `n` until it has `len` of them.
async fn bytes_on(rx: &mut mpsc::UnboundedReceiver<Seen>, n: usize, len: usize) -> Vec<u8> {
    let mut got = Vec::new();
    while got.len() < len {
        match next_seen(rx).await {
            Seen::Bytes(c, bytes) if c == n => got.extend(bytes),
            Seen::Opened(_) => {}
            other => panic!("expected bytes on {n}, saw {other:?} after {got:?}"),
        }
    }
    got
}

/// Polls `check` until it is true, or panics with `what` after the deadline.
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn read_exactly(socket: &mut TcpStream, len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    timeout(DEADLINE, socket.read_exact(&mut buf))
        .await
        .expect("read in time")
        .expect("read");
    buf
}

#[tokio::test]
async fn healthy_forwards_both_ways_passes_the_close_on_and_counts() {
    let proxy = FaultProxy::start(echo_server().await).await.unwrap();
    let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
    client.write_all(b"hello").await.unwrap();
    assert_eq!(read_exactly(&mut client, 5).await, b"hello");
    client.shutdown().await.unwrap();
    let mut rest = Vec::new();
    timeout(DEADLINE, client.read_to_end(&mut rest))
        .await
        .expect("the echo server's close arrives")
        .unwrap();
    assert!(rest.is_empty());
    eventually("the counters", || {
        let s = proxy.stats();
        s.accepted == 1 && s.bytes_to_upstream == 5 && s.bytes_to_client == 5 && s.open == 0
    })
    .await;
    assert_eq!(proxy.fault(), Fault::Healthy);
}

#[tokio::test]
async fn latency_and_jitter_delay_chunks_but_keep_their_order() {
    let proxy = FaultProxy::start_seeded(echo_server().await, 42)
        .await
        .unwrap();
    let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
    client.set_nodelay(true).unwrap();
    proxy.set(Fault::Latency {
        delay: Duration::from_millis(20),
        jitter: Duration::from_millis(30),
    });
    let started = Instant::now();
    let mut sent = Vec::new();
    // Separate writes with pauses, so the proxy reads separate chunks with their own jitter.
    for i in 0..100u32 {
        let message = format!("{i:04};");
        client.write_all(message.as_bytes()).await.unwrap();
        sent.extend_from_slice(message.as_bytes());
        if i % 10 == 0 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    let first = read_exactly(&mut client, 5).await;
    let first_round_trip = started.elapsed();
    let mut echoed = first;
    echoed.extend(read_exactly(&mut client, sent.len() - 5).await);
    assert_eq!(
        String::from_utf8(echoed).unwrap(),
        String::from_utf8(sent).unwrap(),
        "every byte, in order"
    );
    // Each direction holds a chunk at least 20 ms (tokio never wakes a timer early). On an
    // idle 2-core machine the first round trip took ~73 ms and all 100 chunks ~118 ms.
    assert!(
        first_round_trip >= Duration::from_millis(40),
        "{first_round_trip:?}"
    );
}

#[tokio::test]
async fn bandwidth_is_capped_in_each_direction_and_everything_arrives() {
    let proxy = FaultProxy::start(echo_server().await).await.unwrap();
    proxy.set(Fault::Bandwidth {
        bytes_per_sec: 20_000,
    });
    let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
    let sent: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let started = Instant::now();
    let (mut read, mut write) = client.split();
    let (echoed, written) = tokio::join!(
        async {
            let mut buf = vec![0u8; sent.len()];
            timeout(DEADLINE, read.read_exact(&mut buf))
                .await
                .expect("in time")
                .expect("read");
            buf
        },
        write.write_all(&sent)
    );
    written.unwrap();
    assert_eq!(echoed, sent);
    // 10 kB at 20 kB/s is paced as 10 slices of 1 kB each followed by 50 ms, so at least
    // 450 ms pass in each direction (they overlap). Measured: ~465 ms.
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(450), "{took:?}");
    assert_eq!(proxy.stats().bytes_to_upstream, 10_000);
}

#[tokio::test]
async fn reset_sends_an_rst_to_both_ends_and_later_connections_pass() {
    let (upstream, mut seen) = recording_server().await;
    let proxy = FaultProxy::start(upstream).await.unwrap();
    let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
    assert_eq!(next_seen(&mut seen).await, Seen::Opened(0));
    client.write_all(b"half a fra").await.unwrap();
    assert_eq!(bytes_on(&mut seen, 0, 10).await, b"half a fra");

    proxy.set(Fault::Reset);
    let mut buf = [0u8; 16];
    let read = timeout(DEADLINE, client.read(&mut buf))
        .await
        .expect("the reset arrives in time");
    assert_eq!(
        read.map_err(|e| e.kind()),
        Err(io::ErrorKind::ConnectionReset)
    );
    assert_eq!(
        next_seen(&mut seen).await,
        Seen::Ended(0, Err(io::ErrorKind::ConnectionReset))
    );
    assert_eq!(proxy.stats().resets, 1);

    let mut later = TcpStream::connect(proxy.addr()).await.unwrap();
    later.write_all(b"ok").await.unwrap();
    assert_eq!(next_seen(&mut seen).await, Seen::Opened(1));
    assert_eq!(bytes_on(&mut seen, 1, 2).await, b"ok");
    assert_eq!(proxy.stats().resets, 1, "a later connection is not reset");
}

#[tokio::test]
async fn cut_after_n_passes_exactly_n_bytes_then_resets() {
    let (upstream, mut seen) = recording_server().await;
    let proxy = FaultProxy::start(upstream).await.unwrap();

    // Set before the connection: counted from the accept.
    proxy.set(Fault::CutAfter { bytes: 10 });
    let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
    assert_eq!(next_seen(&mut seen).await, Seen::Opened(0));
    client.write_all(&[7u8; 100]).await.unwrap();
    assert_eq!(bytes_on(&mut seen, 0, 10).await, [7u8; 10]);
    assert!(
        matches!(next_seen(&mut seen).await, Seen::Ended(0, _)),
        "nothing after the 10th byte"
    );
    let mut buf = [0u8; 16];
    let read = timeout(DEADLINE, client.read(&mut buf))
        .await
        .expect("the cut arrives in time");
    assert!(
        matches!(read, Ok(0)) || read.is_err(),
        "EOF or reset, got {read:?}"
    );
    assert_eq!(proxy.stats().cuts, 1);
    assert_eq!(proxy.stats().bytes_to_upstream, 10);

    // Set while a connection is open: counted from then.
    proxy.heal();
    let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
    assert_eq!(next_seen(&mut seen).await, Seen::Opened(1));
    client.write_all(b"before").await.unwrap();
    assert_eq!(bytes_on(&mut seen, 1, 6).await, b"before");
    proxy.set(Fault::CutAfter { bytes: 5 });
    client.write_all(b"0123456789").await.unwrap();
    assert_eq!(bytes_on(&mut seen, 1, 5).await, b"01234");
    assert!(matches!(next_seen(&mut seen).await, Seen::Ended(1, _)));
    assert_eq!(proxy.stats().cuts, 2);
}

#[tokio::test]
async fn black_hole_delivers_nothing_keeps_connections_open_and_heals() {
    let (upstream, mut seen) = recording_server().await;
    let proxy = FaultProxy::start(upstream).await.unwrap();
    let mut open = TcpStream::connect(proxy.addr()).await.unwrap();
    assert_eq!(next_seen(&mut seen).await, Seen::Opened(0));
    open.write_all(b"before").await.unwrap();
    assert_eq!(bytes_on(&mut seen, 0, 6).await, b"before");
    eventually("the bytes counted", || proxy.stats().bytes_to_upstream == 6).await;

    proxy.set(Fault::BlackHole);
    open.write_all(b"during").await.unwrap();
    // A new connection is accepted, but the upstream never hears of it.
    let mut new = TcpStream::connect(proxy.addr()).await.unwrap();
    new.write_all(b"new").await.unwrap();
    eventually("the new connection accepted", || {
        proxy.stats().accepted == 2
    })
    .await;
    assert!(
        timeout(QUIET, seen.recv()).await.is_err(),
        "the upstream saw nothing: no bytes, no new connection, no close"
    );
    let mut buf = [0u8; 16];
    assert!(
        timeout(QUIET, open.read(&mut buf)).await.is_err(),
        "the client sees neither data, nor a close, nor a reset: the connection looks open"
    );
    let during = proxy.stats();
    assert_eq!(during.bytes_to_upstream, 6);
    assert_eq!(during.open, 2);

    proxy.heal();
    let mut got = (Vec::new(), Vec::new());
    let mut opened = false;
    while got.0.len() < 6 || got.1.len() < 3 {
        match next_seen(&mut seen).await {
            Seen::Bytes(0, b) => got.0.extend(b),
            Seen::Opened(1) => opened = true,
            Seen::Bytes(1, b) => got.1.extend(b),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(opened);
    assert_eq!(got.0, b"during", "held bytes are delivered on healing");
    assert_eq!(got.1, b"new");
}

#[tokio::test]
async fn refuse_refuses_new_connections_keeps_open_ones_and_reopens_the_same_port() {
    let proxy = FaultProxy::start(echo_server().await).await.unwrap();
    let addr = proxy.addr();
    let mut open = TcpStream::connect(addr).await.unwrap();
    // Accepted (a connection still in the listening socket's queue is reset by the refusal).
    open.write_all(b"open").await.unwrap();
    assert_eq!(read_exactly(&mut open, 4).await, b"open");

    proxy.set(Fault::Refuse);
    // The accept task closes the listening socket as soon as it sees the change.
    let deadline = Instant::now() + DEADLINE;
    loop {
        match TcpStream::connect(addr).await {
            Err(err) if err.kind() == io::ErrorKind::ConnectionRefused => break,
            _ => {
                assert!(Instant::now() < deadline, "never refused");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    open.write_all(b"still").await.unwrap();
    assert_eq!(read_exactly(&mut open, 5).await, b"still");

    proxy.heal();
    let deadline = Instant::now() + DEADLINE;
    let mut again = loop {
        match TcpStream::connect(addr).await {
            Ok(socket) => break socket,
            Err(_) => {
                assert!(Instant::now() < deadline, "never accepted again");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    };
    again.write_all(b"back").await.unwrap();
    assert_eq!(read_exactly(&mut again, 4).await, b"back");
    assert_eq!(proxy.addr(), addr);
}

#[tokio::test]
async fn a_cycle_applies_its_seeded_schedule_then_heals_and_ends() {
    let proxy = FaultProxy::start(echo_server().await).await.unwrap();
    let plan = CyclePlan::new(
        vec![
            Fault::BlackHole,
            Fault::Bandwidth {
                bytes_per_sec: 1_000,
            },
            Fault::Latency {
                delay: Duration::from_millis(5),
                jitter: Duration::ZERO,
            },
        ],
        Duration::from_millis(20),
        Duration::from_millis(200),
        3,
    );
    let run = proxy.cycle(plan.clone());
    let applied = timeout(DEADLINE, run.finished())
        .await
        .expect("the run ends by itself");
    assert_eq!(applied, plan.schedule());
    assert_eq!(proxy.fault(), Fault::Healthy);

    // Stopped early (or dropped), a run heals the proxy too.
    let long = CyclePlan::new(
        vec![Fault::BlackHole],
        Duration::from_secs(60),
        Duration::from_secs(600),
        4,
    );
    let run = proxy.cycle(long);
    eventually("the black hole in force", || {
        proxy.fault() == Fault::BlackHole
    })
    .await;
    run.stop();
    let applied = timeout(DEADLINE, run.finished())
        .await
        .expect("a stopped run ends");
    assert_eq!(applied.len(), 1);
    assert_eq!(proxy.fault(), Fault::Healthy);

    let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
    client.write_all(b"fine").await.unwrap();
    assert_eq!(read_exactly(&mut client, 4).await, b"fine");
}
