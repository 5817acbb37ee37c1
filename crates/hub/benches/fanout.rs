//! Fan-out load benchmark of `sideline-hub`: one room of N sockets, a notification per tick.
//!
//! The load generator speaks raw engine.io v4 / Socket.IO v5 text frames over
//! tokio-tungstenite, so neither socketioxide (under test) nor rust_socketio generates load.
//! The hub runs as its own process (the real `sideline-hub --demo` binary, simulator off) so its
//! CPU time and RSS are its own.
//!
//! ```text
//! cargo bench -p sideline-hub --bench fanout -- --sockets 1000 --rate 10 --seconds 20
//! cargo bench -p sideline-hub --bench fanout -- --sockets 10000 --rate 1 --seconds 20
//! ```
//!
//! Every socket logs in as demo agent `agent01` (one token, N sockets), so all N sit in
//! `user:agent01` on `/`. Each tick the demo leader sends that user a notification over HTTP;
//! the hub stores it (durable) and emits `notification` to the room. Measured:
//! - delivery latency per recipient (HTTP request start → frame received), p50 and p99;
//! - last-recipient latency per message (when the whole room has it), p99;
//! - hub CPU time (user + system, all threads) per delivered message;
//! - hub RSS per idle connection (RSS after connecting and settling, minus RSS before);
//! - first, hub RSS before and after a burst of logins (`--logins N`, 8 at a time; each is an
//!   argon2id check that borrows 19 MiB: what the hub keeps of them afterwards).
//!
//! Process figures come from `/proc`, so they are reported on Linux only.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt, stream};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// How many sockets open their WebSocket at the same time while the room fills.
const CONNECT_CONCURRENCY: usize = 200;
/// How many logins run at the same time in the login burst.
const LOGIN_CONCURRENCY: usize = 8;
/// How long deliveries may trail the last send before the run counts them lost.
const DRAIN_DEADLINE: Duration = Duration::from_secs(30);

#[derive(Debug)]
struct Args {
    sockets: usize,
    rate: f64,
    seconds: f64,
    logins: usize,
}

fn parse_args() -> Args {
    let mut args = Args {
        sockets: 1000,
        rate: 10.0,
        seconds: 20.0,
        logins: 40,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or_else(|| panic!("{name} takes a number"))
        };
        match arg.as_str() {
            "--sockets" => args.sockets = value("--sockets") as usize,
            "--rate" => args.rate = value("--rate"),
            "--seconds" => args.seconds = value("--seconds"),
            "--logins" => args.logins = value("--logins") as usize,
            // cargo passes `--bench` to benchmark binaries.
            "--bench" => {}
            other => {
                panic!("unknown argument {other}: use --sockets N --rate HZ --seconds S --logins N")
            }
        }
    }
    args
}

/// The hub under test, in its own process, killed when dropped.
struct HubProcess {
    child: Child,
    url: String,
    _data: tempfile::TempDir,
}

impl HubProcess {
    async fn spawn() -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_sideline-hub"))
            .args(["--demo", "--demo-rate", "0", "--addr", "127.0.0.1:0"])
            .arg("--db")
            .arg(data.path().join("hub.db"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start sideline-hub");
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
            _data: data,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id().expect("hub is running")
    }
}

/// Resident set size of a process, in KiB.
#[cfg(target_os = "linux")]
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User + system CPU time of a process and all its threads, in microseconds.
#[cfg(target_os = "linux")]
fn cpu_micros(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux the project supports.
    Some(ticks * 10_000)
}

#[cfg(not(target_os = "linux"))]
fn rss_kib(_pid: u32) -> Option<u64> {
    None
}

#[cfg(not(target_os = "linux"))]
fn cpu_micros(_pid: u32) -> Option<u64> {
    None
}

async fn login(http: &reqwest::Client, url: &str, username: &str) -> (String, String) {
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

/// One delivery: which message, when it arrived.
type Delivery = (u32, Instant);

/// Opens one raw Socket.IO connection to `/`, waits for the namespace to accept it, then keeps
/// answering pings and reports every `notification` carrying a bench sequence number.
async fn open_socket(
    ws_url: String,
    token: Arc<str>,
    deliveries: mpsc::UnboundedSender<Delivery>,
) -> tokio::task::JoinHandle<()> {
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url.as_str())
        .await
        .expect("WebSocket handshake");
    // engine.io OPEN ("0{...}"), then our Socket.IO CONNECT to "/" with the handshake auth.
    let open = ws.next().await.expect("open packet").expect("open frame");
    assert!(
        open.to_text().unwrap_or("").starts_with('0'),
        "expected engine.io open"
    );
    let auth = json!({ "token": &*token }).to_string();
    ws.send(Message::text(format!("40{auth}")))
        .await
        .expect("send connect");
    loop {
        let frame = ws.next().await.expect("connect answer").expect("frame");
        let text = frame.to_text().unwrap_or("");
        if text.starts_with("40") {
            break;
        }
        assert!(
            !text.starts_with("44"),
            "namespace refused the socket: {text}"
        );
        if text == "2" {
            ws.send(Message::text("3")).await.expect("pong");
        }
    }
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

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let messages = (args.rate * args.seconds).round().max(1.0) as u32;
    eprintln!(
        "fanout: {} sockets, {} Hz for {} s ({messages} messages)",
        args.sockets, args.rate, args.seconds
    );

    let hub = HubProcess::spawn().await;
    let http = reqwest::Client::new();
    let rss_fresh = rss_kib(hub.pid());
    stream::iter(0..args.logins)
        .map(|_| login(&http, &hub.url, "lead"))
        .buffer_unordered(LOGIN_CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    let kib = |rss: Option<u64>| rss.map_or("n/a".to_owned(), |kib| format!("{kib} KiB"));
    println!(
        "fanout: {} logins ({LOGIN_CONCURRENCY} at a time): hub RSS {} before, {} after",
        args.logins,
        kib(rss_fresh),
        kib(rss_kib(hub.pid()))
    );
    let (agent_token, agent_id) = login(&http, &hub.url, "agent01").await;
    let (leader_token, _) = login(&http, &hub.url, "lead").await;
    let rss_before = rss_kib(hub.pid());

    let ws_url = format!(
        "{}/socket.io/?EIO=4&transport=websocket",
        hub.url.replacen("http", "ws", 1)
    );
    let token: Arc<str> = agent_token.into();
    let (tx, mut rx) = mpsc::unbounded_channel::<Delivery>();
    let started_connecting = Instant::now();
    let readers: Vec<_> = stream::iter(0..args.sockets)
        .map(|_| open_socket(ws_url.clone(), token.clone(), tx.clone()))
        .buffer_unordered(CONNECT_CONCURRENCY)
        .collect()
        .await;
    drop(tx);
    eprintln!(
        "fanout: {} sockets connected in {:.1} s",
        readers.len(),
        started_connecting.elapsed().as_secs_f64()
    );
    // Let replay, `connected` and `sync:done` settle before measuring idle memory.
    tokio::time::sleep(Duration::from_secs(3)).await;
    while rx.try_recv().is_ok() {}
    let rss_idle = rss_kib(hub.pid());
    let cpu_before = cpu_micros(hub.pid());

    // Send one notification per tick; remember when each request started.
    let sender = {
        let http = http.clone();
        let url = format!("{}/api/v1/notifications", hub.url);
        let period = Duration::from_secs_f64(1.0 / args.rate);
        tokio::spawn(async move {
            let mut sent = HashMap::with_capacity(messages as usize);
            let mut ticks = tokio::time::interval(period);
            for seq in 0..messages {
                ticks.tick().await;
                sent.insert(seq, Instant::now());
                let http = http.clone();
                let url = url.clone();
                let body = json!({
                    "clientId": uuid::Uuid::now_v7(),
                    "userId": agent_id,
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
                        Ok(r) => eprintln!("fanout: send {seq} refused: {}", r.status()),
                        Err(e) => eprintln!("fanout: send {seq} failed: {e}"),
                    }
                });
            }
            sent
        })
    };

    let expected = messages as usize * args.sockets;
    let mut received: Vec<Delivery> = Vec::with_capacity(expected);
    let sent = sender.await.expect("sender task");
    let deadline = tokio::time::Instant::now() + DRAIN_DEADLINE;
    while received.len() < expected {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(delivery)) => received.push(delivery),
            Ok(None) | Err(_) => break,
        }
    }
    let cpu_after = cpu_micros(hub.pid());

    let mut latencies: Vec<f64> = Vec::with_capacity(received.len());
    let mut last_per_message: HashMap<u32, f64> = HashMap::new();
    for (seq, at) in &received {
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

    let lost = expected - received.len();
    let cpu_per_delivery = match (cpu_before, cpu_after) {
        (Some(b), Some(a)) if !received.is_empty() => {
            format!("{:.1}", (a - b) as f64 / received.len() as f64)
        }
        _ => "n/a".into(),
    };
    let rss_per_conn = match (rss_before, rss_idle) {
        (Some(b), Some(i)) => format!("{:.1}", (i.saturating_sub(b)) as f64 / args.sockets as f64),
        _ => "n/a".into(),
    };
    println!(
        "| sockets | rate | messages | delivered | lost | p50 ms | p99 ms | last-recipient p99 ms | hub CPU µs / delivery | hub RSS KiB / idle conn |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    println!(
        "| {} | {} Hz | {messages} | {} | {lost} | {:.1} | {:.1} | {:.1} | {cpu_per_delivery} | {rss_per_conn} |",
        args.sockets,
        args.rate,
        received.len(),
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        percentile(&lasts, 99.0),
    );
    for reader in readers {
        reader.abort();
    }
    if lost > 0 {
        eprintln!("fanout: {lost} deliveries did not arrive within {DRAIN_DEADLINE:?}");
        std::process::exit(1);
    }
}
