//! What the hub's load benchmarks share (`fanout.rs`, `rogue.rs`): the real `sideline-hub`
//! binary in its own process, its CPU time and RSS from `/proc`, demo logins, raw engine.io v4
//! / Socket.IO v5 sockets on `/`, the leader's notifications over HTTP, and percentiles.
//!
//! No Socket.IO library generates load: frames are written and read as text over
//! tokio-tungstenite, so only the hub (socketioxide) is under test.

// Each benchmark is its own crate and uses its own part of this module.
#![allow(dead_code)]

use std::collections::HashMap;
use std::ops::Range;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How many of the hub's own log lines are echoed to the bench's stderr; the rest are only
/// counted (a flood of per-event warnings would bury the bench's output).
const ECHOED_LOG_LINES: u64 = 20;

/// The hub under test, in its own process, killed when dropped.
///
/// Its stderr (its log, `RUST_LOG=warn`) is read line by line: counted, and the first
/// [`ECHOED_LOG_LINES`] echoed to the bench's stderr.
pub struct HubProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    log_lines: Arc<AtomicU64>,
    _data: tempfile::TempDir,
}

impl HubProcess {
    /// Starts `sideline-hub --demo --demo-rate 0` (the demo team, no simulator) on a free
    /// loopback port with a fresh database, at the hub's default settings otherwise.
    pub async fn spawn() -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_sideline-hub"))
            .args(["--demo", "--demo-rate", "0", "--addr", "127.0.0.1:0"])
            .arg("--db")
            .arg(data.path().join("hub.db"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start sideline-hub");
        let log_lines = Arc::new(AtomicU64::new(0));
        let stderr = child.stderr.take().expect("hub stderr");
        let counted = log_lines.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let n = counted.fetch_add(1, Ordering::Relaxed) + 1;
                if n <= ECHOED_LOG_LINES {
                    eprintln!("{line}");
                }
                if n == ECHOED_LOG_LINES + 1 {
                    eprintln!("(sideline-hub: further log lines are counted, not shown)");
                }
            }
        });
        let stdout = child.stdout.take().expect("hub stdout");
        let mut lines = BufReader::new(stdout).lines();
        let url = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.expect("read hub stdout") {
                if let Some(url) = line.strip_prefix("sideline-hub listening on ") {
                    return url.trim().trim_end_matches('/').to_owned();
                }
            }
            panic!("sideline-hub exited before listening");
        })
        .await
        .expect("sideline-hub did not start in 30 s");
        Self {
            child,
            url,
            log_lines,
            _data: data,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("hub is running")
    }

    /// Log lines the hub has written to stderr so far.
    pub fn log_lines(&self) -> u64 {
        self.log_lines.load(Ordering::Relaxed)
    }

    /// The hub's exit status if it has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

/// Resident set size of a process, in KiB.
#[cfg(target_os = "linux")]
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User + system CPU time of a process and all its threads, in microseconds.
#[cfg(target_os = "linux")]
pub fn cpu_micros(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux the project supports.
    Some(ticks * 10_000)
}

#[cfg(not(target_os = "linux"))]
pub fn rss_kib(_pid: u32) -> Option<u64> {
    None
}

#[cfg(not(target_os = "linux"))]
pub fn cpu_micros(_pid: u32) -> Option<u64> {
    None
}

/// Logs a demo user in (password `demo`); returns its token and user id.
pub async fn login(http: &reqwest::Client, url: &str, username: &str) -> (String, String) {
    let body: Value = http
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({ "username": username, "password": "demo" }))
        .send()
        .await
        .expect("login request")
        .error_for_status()
        .expect("login accepted")
        .json()
        .await
        .expect("login body");
    let token = body["token"].as_str().expect("token").to_owned();
    let user_id = body["user"]["id"].as_str().expect("user id").to_owned();
    (token, user_id)
}

/// The engine.io WebSocket address of a hub at `http://…`.
pub fn socket_url(hub_url: &str) -> String {
    format!(
        "{}/socket.io/?EIO=4&transport=websocket",
        hub_url.replacen("http", "ws", 1)
    )
}

/// One raw WebSocket to the hub.
pub type RawSocket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens a WebSocket, reads engine.io OPEN, sends our Socket.IO CONNECT to `/` with the
/// handshake auth and waits for the namespace's answer. `Err` says why it did not connect.
pub async fn connect_main(ws_url: &str, token: &str) -> Result<RawSocket, String> {
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url)
        .await
        .map_err(|e| format!("WebSocket handshake: {e}"))?;
    // engine.io OPEN ("0{...}"), then our Socket.IO CONNECT to "/" with the handshake auth.
    let open = ws
        .next()
        .await
        .ok_or("closed before engine.io open")?
        .map_err(|e| format!("open frame: {e}"))?;
    if !open.to_text().unwrap_or("").starts_with('0') {
        return Err(format!("expected engine.io open, got {open:?}"));
    }
    let auth = json!({ "token": token }).to_string();
    ws.send(Message::text(format!("40{auth}")))
        .await
        .map_err(|e| format!("send connect: {e}"))?;
    loop {
        let frame = ws
            .next()
            .await
            .ok_or("closed before the connect answer")?
            .map_err(|e| format!("connect answer: {e}"))?;
        let text = frame.to_text().unwrap_or("");
        if text.starts_with("40") {
            return Ok(ws);
        }
        if text.starts_with("44") {
            return Err(format!("namespace refused the socket: {text}"));
        }
        if text == "2" {
            ws.send(Message::text("3"))
                .await
                .map_err(|e| format!("pong: {e}"))?;
        }
    }
}

/// One delivery: which message, when it arrived.
pub type Delivery = (u32, Instant);

/// Opens one raw Socket.IO connection to `/`, waits for the namespace to accept it, then keeps
/// answering pings and reports every `notification` carrying a bench sequence number.
pub async fn open_socket(
    ws_url: String,
    token: Arc<str>,
    deliveries: mpsc::UnboundedSender<Delivery>,
) -> tokio::task::JoinHandle<()> {
    let mut ws = connect_main(&ws_url, &token)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        while let Some(Ok(frame)) = ws.next().await {
            let Ok(text) = frame.to_text() else { continue };
            if text == "2" {
                if ws.send(Message::text("3")).await.is_err() {
                    return;
                }
                continue;
            }
            let Some(body) = text.strip_prefix("42") else {
                continue;
            };
            if !body.starts_with("[\"notification\"") {
                continue;
            }
            let received = Instant::now();
            let Ok(Value::Array(event)) = serde_json::from_str::<Value>(body) else {
                continue;
            };
            let seq = event
                .get(1)
                .and_then(|p| p["message"].as_str())
                .and_then(|m| m.strip_prefix("bench "))
                .and_then(|n| n.parse::<u32>().ok());
            if let Some(seq) = seq
                && deliveries.send((seq, received)).is_err()
            {
                return;
            }
        }
    })
}

/// The demo leader sends `user_id` one notification (`"bench <seq>"`) per tick of `rate` Hz
/// over HTTP, for each of `seqs`; the task returns when each request started. A refused or
/// failed send is reported on stderr, prefixed with `label`.
pub fn send_notifications(
    http: reqwest::Client,
    hub_url: &str,
    leader_token: String,
    user_id: String,
    rate: f64,
    seqs: Range<u32>,
    label: &'static str,
) -> tokio::task::JoinHandle<HashMap<u32, Instant>> {
    let url = format!("{hub_url}/api/v1/notifications");
    let period = Duration::from_secs_f64(1.0 / rate);
    tokio::spawn(async move {
        let mut sent = HashMap::with_capacity(seqs.len());
        let mut ticks = tokio::time::interval(period);
        for seq in seqs {
            ticks.tick().await;
            sent.insert(seq, Instant::now());
            let http = http.clone();
            let url = url.clone();
            let body = json!({
                "clientId": uuid::Uuid::now_v7(),
                "userId": user_id,
                "type": "info",
                "message": format!("bench {seq}"),
            });
            let leader_token = leader_token.clone();
            tokio::spawn(async move {
                let response = http
                    .post(url)
                    .bearer_auth(leader_token)
                    .json(&body)
                    .send()
                    .await;
                match response {
                    Ok(r) if r.status().is_success() => {}
                    Ok(r) => eprintln!("{label}: send {seq} refused: {}", r.status()),
                    Err(e) => eprintln!("{label}: send {seq} failed: {e}"),
                }
            });
        }
        sent
    })
}

/// Latency of each delivery (ms from its request's start), and of each message's last
/// recipient; both sorted. Deliveries of messages not in `sent` are skipped.
pub fn latencies(received: &[Delivery], sent: &HashMap<u32, Instant>) -> (Vec<f64>, Vec<f64>) {
    let mut latencies: Vec<f64> = Vec::with_capacity(received.len());
    let mut last_per_message: HashMap<u32, f64> = HashMap::new();
    for (seq, at) in received {
        let Some(sent_at) = sent.get(seq) else {
            continue;
        };
        let ms = at.saturating_duration_since(*sent_at).as_secs_f64() * 1000.0;
        latencies.push(ms);
        let last = last_per_message.entry(*seq).or_insert(0.0);
        *last = last.max(ms);
    }
    latencies.sort_by(f64::total_cmp);
    let mut lasts: Vec<f64> = last_per_message.into_values().collect();
    lasts.sort_by(f64::total_cmp);
    (latencies, lasts)
}

/// The `p`th percentile (nearest rank) of sorted values; NaN when there are none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}
