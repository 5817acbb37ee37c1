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

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use tokio::sync::mpsc;

use support::{
    Delivery, HubProcess, cpu_micros, latencies, login, open_socket, percentile, rss_kib,
    send_notifications, socket_url,
};

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

    let ws_url = socket_url(&hub.url);
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
    let sender = send_notifications(
        http.clone(),
        &hub.url,
        leader_token,
        agent_id,
        args.rate,
        0..messages,
        "fanout",
    );

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

    let (latencies, lasts) = latencies(&received, &sent);

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
