//! Rogue-client benchmark of `sideline-hub` at its default settings: while one socket sends
//! junk, floods and oversized frames, do the other clients still get their notifications in
//! time, and does the hub stay up?
//!
//! ```text
//! cargo bench -p sideline-hub --bench rogue
//! cargo bench -p sideline-hub --bench rogue -- --repeat 3
//! cargo bench -p sideline-hub --bench rogue -- --phases flood,records --reads yes --seconds 5
//! ```
//!
//! The hub is the real `sideline-hub --demo --demo-rate 0` binary in its own process, at its
//! default settings (rate limit, `max_payload`, `max_buffer_size`). The honest load is as in
//! `fanout.rs`: `--sockets` raw Socket.IO sockets on `/` signed in as demo agent `agent01`,
//! and the demo leader sending that user one durable notification per tick (`--rate`) over
//! HTTP. For each phase the bench measures the honest delivery latency (HTTP request start →
//! frame at each socket) first quiet (`--quiet-seconds`), then for `--seconds` while one rogue
//! socket, signed in as the demo leader `lead`, writes frames at up to `--rogue-rate` a second
//! (fewer when the hub's reading holds its writes back):
//!
//! - `malformed-payload`: valid Socket.IO frames whose payloads are wrong: a string for an
//!   object, wrong types, a nil `clientId`, blank text, no payload, a bad batch, nesting
//!   deeper than serde_json reads;
//! - `malformed-frame`: frames that are not valid Socket.IO: cut-off or invalid JSON, a
//!   non-array or empty event, a number for the event name, unknown packet types, an empty
//!   frame, binary junk, a binary placeholder followed by text, an event for a namespace the
//!   socket has not joined (socketioxide closes the connection on each of these: the rogue
//!   then reconnects at once, every time);
//! - `oversized`: a `quickNote:create` of 70 KiB (over `max_payload`, 64 KiB) and a frame just
//!   under the 256 KiB the hub gives socketioxide as its transport limit (4 × `max_payload`);
//! - `huge`: 15 MiB frames, just under the WebSocket transport's own frame limit (16 MiB);
//! - `unknown`: events no namespace knows, and a connect to a namespace the hub does not have;
//! - `flood`: valid `quickNote:create`s, each a new note (a fresh `clientId`) about `agent02`;
//! - `records`: full `records:create` batches (100 such notes each);
//! - `mixed`: all of the above but `huge`, frame by frame, with one connection-closing frame
//!   in every 1,000;
//! - `records-reconnect`: ten full batches (a socket's whole burst of 40 tokens), then a
//!   frame that gets the connection closed, and again on a new connection.
//!
//! Every phase runs twice: once with a rogue that reads what the hub sends back (and counts
//! the `error` codes), once with one that never reads until the phase is over (its send buffer
//! at the hub fills; the bench then reads what was left for it). The rogue's notes are about
//! `agent02`, whose room holds no honest socket, so what it stores costs the hub its writes
//! without adding honest deliveries.
//!
//! Each phase prints one line,
//! `rogue <phase>:<reading|not-reading> quiet-p99 <ms> p99 <ms> ratio <x> …`: the honest p50
//! and p99 quiet and under the rogue; honest deliveries late (not there 10 s after the
//! window's last send; the run ends with the count of those that never came); the rogue's
//! frames and bytes sent, the notes it got stored, the `error` codes it got back, whether its
//! first connection stayed up (or how often the hub closed it); the hub's own counts from
//! `/metrics` (refused events per code, emit failures) and its log lines; its peak RSS and
//! its CPU (% of one core) during the phase, and the load generator's; whether `/health`
//! answered afterwards; how long after the rogue's last frame the hub was still storing (the
//! next phase starts after that) and its RSS then. With `--repeat N` (a fresh hub each time)
//! a table of medians and spreads follows.
//!
//! Process figures come from `/proc`, so they are reported on Linux only. Loopback only.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt, stream};
use serde_json::{Value, json};
use sideline_hub::HubConfig;
use sideline_protocol::validate::limits::RECORDS_BATCH_MAX;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use support::{
    Delivery, HubProcess, connect_main, cpu_micros, latencies, login, open_socket, percentile,
    rss_kib, send_notifications, socket_url,
};

/// How many honest sockets open their WebSocket at the same time.
const CONNECT_CONCURRENCY: usize = 100;
/// How long honest deliveries may trail the window's last send before they count as late.
const DRAIN_DEADLINE: Duration = Duration::from_secs(10);
/// The rogue's pacing step: each step it writes the frames then due, then flushes.
const PACE: Duration = Duration::from_millis(5);
/// The demo agent the rogue writes its notes about (no honest socket is in its room).
const NOTE_AGENT: &str = "agent02";
/// How long a rogue that did not read may read what was left for it after its phase.
const LEFTOVER_READ: Duration = Duration::from_secs(5);
/// engineioxide's default WebSocket frame limit (`ws_max_frame_size`), which the hub keeps.
const WS_FRAME_LIMIT: usize = 16 << 20;
/// How long the bench watches, after a rogue, for the hub to stop storing what it was sent.
const BACKLOG_DEADLINE: Duration = Duration::from_secs(300);
/// How often the rogue may fail to connect in one phase before it gives up.
const MAX_FAILED_CONNECTS: u64 = 1_000;

/// What the rogue sends for one phase (see the list above).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    MalformedPayload,
    MalformedFrame,
    Oversized,
    Huge,
    Unknown,
    Flood,
    Records,
    Mixed,
    RecordsReconnect,
}

impl Phase {
    const ALL: [Phase; 9] = [
        Phase::MalformedPayload,
        Phase::MalformedFrame,
        Phase::Oversized,
        Phase::Huge,
        Phase::Unknown,
        Phase::Flood,
        Phase::Records,
        Phase::Mixed,
        Phase::RecordsReconnect,
    ];

    fn name(self) -> &'static str {
        match self {
            Phase::MalformedPayload => "malformed-payload",
            Phase::MalformedFrame => "malformed-frame",
            Phase::Oversized => "oversized",
            Phase::Huge => "huge",
            Phase::Unknown => "unknown",
            Phase::Flood => "flood",
            Phase::Records => "records",
            Phase::RecordsReconnect => "records-reconnect",
            Phase::Mixed => "mixed",
        }
    }

    fn parse(name: &str) -> Phase {
        Phase::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .unwrap_or_else(|| panic!("unknown phase {name}"))
    }
}

#[derive(Debug)]
struct Args {
    sockets: usize,
    rate: f64,
    seconds: f64,
    quiet_seconds: f64,
    rogue_rate: f64,
    phases: Vec<Phase>,
    /// Whether the rogue reads: `[true, false]` runs both.
    reads: Vec<bool>,
    repeat: usize,
}

fn parse_args() -> Args {
    let mut args = Args {
        sockets: 200,
        rate: 10.0,
        seconds: 15.0,
        quiet_seconds: 15.0,
        rogue_rate: 10_000.0,
        phases: Phase::ALL.to_vec(),
        reads: vec![true, false],
        repeat: 1,
    };
    let usage = "use --sockets N --rate HZ --seconds S --quiet-seconds S --rogue-rate HZ \
                 --phases a,b,… --reads yes|no|both --repeat N";
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .unwrap_or_else(|| panic!("{name} takes a value: {usage}"))
        };
        let number = |name: &str, v: String| {
            v.parse::<f64>()
                .unwrap_or_else(|_| panic!("{name} takes a number"))
        };
        match arg.as_str() {
            "--sockets" => args.sockets = number(&arg, value(&arg)) as usize,
            "--rate" => args.rate = number(&arg, value(&arg)),
            "--seconds" => args.seconds = number(&arg, value(&arg)),
            "--quiet-seconds" => args.quiet_seconds = number(&arg, value(&arg)),
            "--rogue-rate" => args.rogue_rate = number(&arg, value(&arg)),
            "--repeat" => args.repeat = (number(&arg, value(&arg)) as usize).max(1),
            "--phases" => args.phases = value(&arg).split(',').map(Phase::parse).collect(),
            "--reads" => {
                args.reads = match value(&arg).as_str() {
                    "yes" => vec![true],
                    "no" => vec![false],
                    "both" => vec![true, false],
                    other => panic!("--reads {other}: {usage}"),
                }
            }
            // cargo passes `--bench` to benchmark binaries.
            "--bench" => {}
            other => panic!("unknown argument {other}: {usage}"),
        }
    }
    args
}

/// What the rogue writes, frame by frame.
struct Frames {
    phase: Phase,
    malformed_payload: Vec<Message>,
    malformed_frame: Vec<Message>,
    oversized: Vec<Message>,
    huge: Option<Message>,
    unknown: Vec<Message>,
    next: usize,
    id_prefix: u64,
    ids: u64,
}

/// Writes a valid `quickNote:create` payload about [`NOTE_AGENT`] with the given `clientId`.
/// Written as text, not built as a `serde_json::Value`: at thousands of batches a second the
/// generator would otherwise take a core of its own.
fn push_note(out: &mut String, client_id: &str, content: &str) {
    out.push_str(r#"{"clientId":""#);
    out.push_str(client_id);
    out.push_str(r#"","agentId":""#);
    out.push_str(NOTE_AGENT);
    out.push_str(r#"","noteType":"COACHING","content":""#);
    out.push_str(content);
    out.push_str(r#"","priority":"LOW"}"#);
}

fn event(name: &str, data: &Value) -> Message {
    Message::text(format!("42{}", json!([name, data])))
}

impl Frames {
    fn new(phase: Phase, max_payload: usize) -> Self {
        let text = |s: &str| Message::text(s.to_owned());
        let malformed_payload = vec![
            text(r#"42["quickNote:create","not an object"]"#),
            text(r#"42["quickNote:create",{"clientId":42,"agentId":[],"noteType":"NOPE"}]"#),
            text(
                r#"42["quickNote:create",{"clientId":"00000000-0000-0000-0000-000000000000","agentId":"agent02","noteType":"COACHING","content":"   ","priority":"LOW"}]"#,
            ),
            text(
                r#"42["quickNote:create",{"clientId":"not-a-uuid","agentId":"agent02","noteType":"COACHING","content":"x","priority":"LOW"}]"#,
            ),
            text(r#"42["presence:update",{"status":17}]"#),
            text(r#"42["presence:update"]"#),
            text(r#"42["presence:update",null]"#),
            text(r#"42["records:create",{"records":"x"}]"#),
            text(r#"42["records:create",{"records":[]}]"#),
            text(r#"42["records:create",{"records":[{"event":"quickNote:create","data":7}]}]"#),
            text(r#"42["room:join",{"room":"user:agent01"}]"#),
            text(r#"42["auth:request",{"token":"not.a.jwt"}]"#),
            // Deeper than serde_json's recursion limit: the payload does not decode.
            text(&format!(
                "42[\"quickNote:create\",{}{}]",
                "[".repeat(1000),
                "]".repeat(1000)
            )),
        ];
        let malformed_frame = vec![
            text(r#"42["quickNote:create",{"clientId":"#),
            text(r#"42{"not":"an array"}"#),
            text("42[]"),
            text(r#"42[17,{}]"#),
            text("42[\"x\",{\"a\":tru}]"),
            text("4Z junk"),
            text("9 junk"),
            text(""),
            Message::binary((0..=255u8).cycle().take(512).collect::<Vec<u8>>()),
            text(r#"451-["quickNote:create",{"_placeholder":true,"num":0}]"#),
            text(r#"42/leaderboard,["leaderboard:subscribe",{}]"#),
        ];
        let mut too_big = String::new();
        push_note(
            &mut too_big,
            &uuid::Uuid::now_v7().to_string(),
            &"x".repeat(max_payload + 6 * 1024),
        );
        let too_big: Value = serde_json::from_str(&too_big).expect("a note");
        let engine_limit = 4 * max_payload;
        let pad = |frame_bytes: usize| {
            let overhead = r#"42["presence:update",{"status":"online","pad":""}]"#.len();
            event(
                "presence:update",
                &json!({ "status": "online", "pad": "x".repeat(frame_bytes - overhead) }),
            )
        };
        let oversized = vec![
            event("quickNote:create", &too_big),
            pad(engine_limit - 1024),
        ];
        // 15 MiB: built only for its phase.
        let huge = (phase == Phase::Huge).then(|| pad(WS_FRAME_LIMIT - (1 << 20)));
        let unknown = vec![
            event("no:such:event", &json!({ "a": 1 })),
            text(r#"42["admin:dropEverything"]"#),
            event("quickNote:delete", &json!({ "id": "x" })),
            event("connect", &json!({})),
            event("disconnect", &json!({})),
            event("leaderboard:subscribe", &json!({})),
            event(&"e".repeat(200), &json!([1, 2, 3])),
            // A namespace the hub does not have: answered with a connect error.
            text(r#"40/nope,{}"#),
        ];
        Frames {
            phase,
            malformed_payload,
            malformed_frame,
            oversized,
            huge,
            unknown,
            next: 0,
            // A random prefix per phase: every note of every run is a new one.
            id_prefix: uuid::Uuid::now_v7().as_u64_pair().1,
            ids: 0,
        }
    }

    /// A fresh `clientId`: never sent before, so each admitted note is stored.
    fn client_id<'b>(&mut self, buf: &'b mut [u8; 36]) -> &'b str {
        self.ids += 1;
        uuid::Uuid::from_u64_pair(self.id_prefix, self.ids)
            .hyphenated()
            .encode_lower(buf)
    }

    fn flood(&mut self) -> Message {
        let mut buf = [0u8; 36];
        let mut frame = String::with_capacity(200);
        frame.push_str(r#"42["quickNote:create","#);
        push_note(&mut frame, self.client_id(&mut buf), "rogue flood");
        frame.push(']');
        Message::text(frame)
    }

    /// A full `records:create` batch of new notes.
    fn records(&mut self) -> Message {
        let mut buf = [0u8; 36];
        let mut frame = String::with_capacity(RECORDS_BATCH_MAX * 200);
        frame.push_str(r#"42["records:create",{"records":["#);
        for i in 0..RECORDS_BATCH_MAX {
            if i > 0 {
                frame.push(',');
            }
            frame.push_str(r#"{"event":"quickNote:create","data":"#);
            push_note(&mut frame, self.client_id(&mut buf), "rogue batch");
            frame.push('}');
        }
        frame.push_str("]}]");
        Message::text(frame)
    }

    fn pick(list: &[Message], n: usize) -> Message {
        list[n % list.len()].clone()
    }

    fn next(&mut self) -> Message {
        let n = self.next;
        self.next += 1;
        match self.phase {
            Phase::MalformedPayload => Self::pick(&self.malformed_payload, n),
            Phase::MalformedFrame => Self::pick(&self.malformed_frame, n),
            Phase::Oversized => Self::pick(&self.oversized, n),
            Phase::Huge => self.huge.clone().expect("built for this phase"),
            Phase::Unknown => Self::pick(&self.unknown, n),
            Phase::Flood => self.flood(),
            Phase::Records => self.records(),
            // A socket's whole burst (10 full batches: 40 tokens), then a frame that makes
            // socketioxide close the connection; the rogue reconnects with a full bucket.
            Phase::RecordsReconnect => {
                if n % 11 == 10 {
                    Message::text("42[]")
                } else {
                    self.records()
                }
            }
            Phase::Mixed => {
                if n % 1000 == 999 {
                    return Self::pick(&self.malformed_frame, n / 1000);
                }
                let round = n / 5;
                match n % 5 {
                    0 => Self::pick(&self.malformed_payload, round),
                    1 => Self::pick(&self.oversized, round),
                    2 => Self::pick(&self.unknown, round),
                    3 => self.flood(),
                    _ => self.records(),
                }
            }
        }
    }
}

/// What the rogue did and got back in one phase.
#[derive(Debug, Default, Clone)]
struct RogueReport {
    /// Frames and bytes written.
    sent: u64,
    bytes: u64,
    /// `error` events read back, per code.
    errors: BTreeMap<String, u64>,
    /// Other events read back (`quickNote:created`, `connected`, `sync:snapshot`, …).
    other_events: u64,
    /// Connections the hub accepted, and how often it closed one during the phase.
    connects: u64,
    drops: u64,
    /// Connection attempts that failed (or were still unanswered when the phase ended).
    failed_connects: u64,
}

impl RogueReport {
    fn count_frame(&mut self, frame: &Message) {
        let Ok(text) = frame.to_text() else { return };
        let Some(body) = text.strip_prefix("42") else {
            return;
        };
        if body.starts_with("[\"error\"") {
            let code = serde_json::from_str::<Value>(body)
                .ok()
                .and_then(|v| v[1]["code"].as_str().map(str::to_owned))
                .unwrap_or_else(|| "?".to_owned());
            *self.errors.entry(code).or_default() += 1;
        } else {
            self.other_events += 1;
        }
    }
}

/// One rogue socket on `/` for a phase, until `until`. A rogue that `reads` counts what comes
/// back as it comes (and answers pings); one that does not leaves it in its socket and reads
/// it only after the phase. Whenever the hub closes its connection it reconnects at once.
async fn run_rogue(
    ws_url: String,
    token: String,
    mut frames: Frames,
    reads: bool,
    rate: f64,
    until: Instant,
) -> RogueReport {
    let report = Arc::new(std::sync::Mutex::new(RogueReport::default()));
    let started = Instant::now();
    let mut sent = 0u64;
    let mut bytes = 0u64;
    let mut pending: Option<Message> = None;
    while Instant::now() < until {
        // Bounded by the phase: a hub busy with what the rogue sent may answer late.
        let connecting = tokio::time::timeout_at(until.into(), connect_main(&ws_url, &token));
        let ws = match connecting.await {
            Err(_) => {
                report.lock().unwrap().failed_connects += 1;
                break;
            }
            Ok(Ok(ws)) => ws,
            Ok(Err(e)) => {
                let failed = {
                    let mut r = report.lock().unwrap();
                    r.failed_connects += 1;
                    r.failed_connects
                };
                if failed == 1 {
                    eprintln!("rogue: connect failed: {e}");
                }
                if failed >= MAX_FAILED_CONNECTS {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        report.lock().unwrap().connects += 1;
        let (mut sink, mut source) = ws.split();
        let closed = Arc::new(AtomicBool::new(false));
        let (pongs, mut pings) = mpsc::unbounded_channel::<()>();
        let (reader, unread) = if reads {
            let (report, closed) = (report.clone(), closed.clone());
            let reader = tokio::spawn(async move {
                while let Some(Ok(frame)) = source.next().await {
                    if frame.is_close() {
                        break;
                    }
                    if frame.to_text().ok() == Some("2") {
                        let _ = pongs.send(());
                        continue;
                    }
                    report.lock().unwrap().count_frame(&frame);
                }
                closed.store(true, Ordering::Relaxed);
            });
            (Some(reader), None)
        } else {
            (None, Some(source))
        };
        let mut dropped = false;
        let mut ticks = tokio::time::interval(PACE);
        'writing: while Instant::now() < until {
            ticks.tick().await;
            if closed.load(Ordering::Relaxed) {
                dropped = true;
                break;
            }
            while pings.try_recv().is_ok() {
                if sink.feed(Message::text("3")).await.is_err() {
                    dropped = true;
                    break 'writing;
                }
            }
            let due = (started.elapsed().as_secs_f64() * rate) as u64;
            while sent < due && Instant::now() < until {
                let frame = pending.take().unwrap_or_else(|| frames.next());
                let len = frame.len() as u64;
                if sink.feed(frame.clone()).await.is_err() {
                    // Written again on the next connection: every frame of the phase is tried.
                    pending = Some(frame);
                    dropped = true;
                    break 'writing;
                }
                sent += 1;
                bytes += len;
                if closed.load(Ordering::Relaxed) {
                    dropped = true;
                    break 'writing;
                }
            }
            if sink.flush().await.is_err() {
                dropped = true;
                break;
            }
        }
        if dropped {
            report.lock().unwrap().drops += 1;
            if let Some(reader) = reader {
                reader.abort();
            }
            continue;
        }
        match (reader, unread) {
            (Some(reader), _) => {
                // Let what is in flight arrive, then stop reading.
                tokio::time::sleep(Duration::from_millis(300)).await;
                reader.abort();
            }
            (None, None) => {}
            (None, Some(mut source)) => {
                // Read what the hub left for us: until it stops coming for a while.
                let deadline = Instant::now() + LEFTOVER_READ;
                let mut r = report.lock().unwrap().clone();
                while Instant::now() < deadline {
                    match tokio::time::timeout(Duration::from_millis(500), source.next()).await {
                        Ok(Some(Ok(frame))) => r.count_frame(&frame),
                        _ => break,
                    }
                }
                *report.lock().unwrap() = r;
            }
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), sink.send(Message::Close(None))).await;
        break;
    }
    let mut report = report.lock().unwrap().clone();
    report.sent = sent;
    report.bytes = bytes;
    report
}

/// The honest side: the room of sockets and the leader's notifications.
struct Honest {
    http: reqwest::Client,
    hub_url: String,
    leader_token: String,
    agent_id: String,
    rate: f64,
    sockets: usize,
    deliveries: mpsc::UnboundedReceiver<Delivery>,
    readers: Vec<tokio::task::JoinHandle<()>>,
    next_seq: u32,
    /// Deliveries per message, late ones included.
    delivered: HashMap<u32, usize>,
}

/// Honest delivery over one window, and the hub's (and the generator's) resources meanwhile.
#[derive(Debug, Clone, Copy)]
struct Window {
    p50: f64,
    p99: f64,
    last_p99: f64,
    /// Deliveries that had not arrived [`DRAIN_DEADLINE`] after the window's last send.
    late: usize,
    /// Peak hub RSS sampled every 100 ms, KiB.
    rss_max_kib: u64,
    /// Hub and load-generator CPU while sending, in % of one core.
    hub_cpu: f64,
    gen_cpu: f64,
}

impl Honest {
    /// Every delivery of the run that never arrived (waiting [`DRAIN_DEADLINE`] for the last
    /// stragglers), of how many were due.
    async fn never_delivered(&mut self) -> (usize, usize) {
        let due = self.next_seq as usize * self.sockets;
        let deadline = tokio::time::Instant::now() + DRAIN_DEADLINE;
        let mut arrived: usize = self.delivered.values().sum();
        while arrived < due {
            match tokio::time::timeout_at(deadline, self.deliveries.recv()).await {
                Ok(Some((seq, _))) => {
                    *self.delivered.entry(seq).or_default() += 1;
                    arrived += 1;
                }
                Ok(None) | Err(_) => break,
            }
        }
        let missing = (0..self.next_seq)
            .map(|seq| {
                self.sockets
                    .saturating_sub(self.delivered.get(&seq).copied().unwrap_or(0))
            })
            .sum();
        (missing, due)
    }

    async fn start(hub: &HubProcess, args: &Args) -> Self {
        let http = reqwest::Client::new();
        let (agent_token, agent_id) = login(&http, &hub.url, "agent01").await;
        let (leader_token, _) = login(&http, &hub.url, "lead").await;
        let ws_url = socket_url(&hub.url);
        let token: Arc<str> = agent_token.into();
        let (tx, deliveries) = mpsc::unbounded_channel::<Delivery>();
        let readers: Vec<_> = stream::iter(0..args.sockets)
            .map(|_| open_socket(ws_url.clone(), token.clone(), tx.clone()))
            .buffer_unordered(CONNECT_CONCURRENCY)
            .collect()
            .await;
        Honest {
            http,
            hub_url: hub.url.clone(),
            leader_token,
            agent_id,
            rate: args.rate,
            sockets: args.sockets,
            deliveries,
            readers,
            next_seq: 0,
            delivered: HashMap::new(),
        }
    }

    /// Sends `seconds` worth of notifications and collects their deliveries.
    async fn measure(&mut self, hub_pid: u32, seconds: f64) -> Window {
        // Late deliveries of earlier windows are counted, not measured.
        while let Ok((seq, _)) = self.deliveries.try_recv() {
            *self.delivered.entry(seq).or_default() += 1;
        }
        let messages = (self.rate * seconds).round().max(1.0) as u32;
        let seqs = self.next_seq..self.next_seq + messages;
        self.next_seq += messages;
        let sampling = Arc::new(AtomicBool::new(true));
        let sampler = {
            let sampling = sampling.clone();
            tokio::spawn(async move {
                let mut max = 0;
                while sampling.load(Ordering::Relaxed) {
                    max = max.max(rss_kib(hub_pid).unwrap_or(0));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                max
            })
        };
        let gen_pid = std::process::id();
        let (hub_cpu0, gen_cpu0, t0) = (cpu_micros(hub_pid), cpu_micros(gen_pid), Instant::now());
        let sender = send_notifications(
            self.http.clone(),
            &self.hub_url,
            self.leader_token.clone(),
            self.agent_id.clone(),
            self.rate,
            seqs,
            "rogue",
        );
        let sent = sender.await.expect("sender task");
        let elapsed = t0.elapsed().as_secs_f64().max(1e-3) * 1e6 / 100.0;
        let percent = |a: Option<u64>, b: Option<u64>| match (a, b) {
            (Some(a), Some(b)) => (b.saturating_sub(a)) as f64 / elapsed,
            _ => f64::NAN,
        };
        let hub_cpu = percent(hub_cpu0, cpu_micros(hub_pid));
        let gen_cpu = percent(gen_cpu0, cpu_micros(gen_pid));
        let expected = messages as usize * self.sockets;
        let mut received: Vec<Delivery> = Vec::with_capacity(expected);
        let deadline = tokio::time::Instant::now() + DRAIN_DEADLINE;
        while received.len() < expected {
            match tokio::time::timeout_at(deadline, self.deliveries.recv()).await {
                Ok(Some(delivery)) => {
                    *self.delivered.entry(delivery.0).or_default() += 1;
                    received.push(delivery);
                }
                Ok(None) | Err(_) => break,
            }
        }
        sampling.store(false, Ordering::Relaxed);
        let rss_max_kib = sampler.await.unwrap_or(0);
        let (latencies, lasts) = latencies(&received, &sent);
        Window {
            p50: percentile(&latencies, 50.0),
            p99: percentile(&latencies, 99.0),
            last_p99: percentile(&lasts, 99.0),
            late: expected.saturating_sub(latencies.len()),
            rss_max_kib,
            hub_cpu,
            gen_cpu,
        }
    }
}

/// The hub's Prometheus counters we report: refused events per code, emit failures.
#[derive(Debug, Default, Clone)]
struct HubCounts {
    refused: BTreeMap<String, u64>,
    emit_failures: u64,
}

async fn scrape(http: &reqwest::Client, hub_url: &str) -> Option<HubCounts> {
    let text = http
        .get(format!("{hub_url}/metrics"))
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let mut counts = HubCounts::default();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((key, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let value = value.parse::<f64>().unwrap_or(0.0) as u64;
        if let Some(code) = key
            .strip_prefix("sideline_refused_events_total{code=\"")
            .and_then(|rest| rest.strip_suffix("\"}"))
        {
            counts.refused.insert(code.to_owned(), value);
        } else if key == "sideline_emit_failures_total" {
            counts.emit_failures = value;
        }
    }
    Some(counts)
}

impl HubCounts {
    fn since(&self, before: &HubCounts) -> HubCounts {
        HubCounts {
            refused: self
                .refused
                .iter()
                .map(|(code, n)| {
                    let was = before.refused.get(code).copied().unwrap_or(0);
                    (code.clone(), n.saturating_sub(was))
                })
                .filter(|(_, n)| *n > 0)
                .collect(),
            emit_failures: self.emit_failures.saturating_sub(before.emit_failures),
        }
    }
}

/// From the rogue's end: how long until the hub stops logging durable events (nothing else
/// writes by then but what is still queued), and its `lastEventId` then. `/health` reads under
/// the store lock, so its own answer waits behind whatever is queued there.
async fn watch_backlog(http: &reqwest::Client, hub_url: &str) -> (Duration, Option<i64>) {
    let started = Instant::now();
    let mut last = health(http, hub_url).await;
    let mut busy = started.elapsed();
    while started.elapsed() < BACKLOG_DEADLINE {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = health(http, hub_url).await;
        if now == last {
            break;
        }
        busy = started.elapsed();
        last = now;
    }
    (busy, last)
}

/// `/health`'s `lastEventId` (the newest durable event), or `None` when it does not answer.
async fn health(http: &reqwest::Client, hub_url: &str) -> Option<i64> {
    let response = http
        .get(format!("{hub_url}/health"))
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .ok()?
        .error_for_status()
        .ok()?;
    let body: Value = response.json().await.ok()?;
    body["lastEventId"].as_i64()
}

/// One phase with one kind of rogue: the figures of its summary line.
#[derive(Debug, Clone)]
struct Outcome {
    label: String,
    quiet: Window,
    rogue: Window,
    report: RogueReport,
    hub: Option<HubCounts>,
    log_lines: u64,
    healthy: bool,
    /// Durable events the hub logged from the rogue's start until it had worked through
    /// what the rogue sent, beyond the honest notifications: the rogue's stored notes.
    stored: i64,
    /// How long after the rogue's last frame the hub was still logging events (the rogue's
    /// notes, and honest notifications queued behind them); its RSS once it had stopped.
    busy_after: Duration,
    rss_after_kib: u64,
}

impl Outcome {
    fn ratio(&self) -> f64 {
        self.rogue.p99 / self.quiet.p99
    }

    fn connection(&self) -> String {
        if self.report.drops == 0 && self.report.connects == 1 {
            "stayed".to_owned()
        } else {
            format!(
                "closed-by-hub {} reconnects {} failed-connects {}",
                self.report.drops,
                self.report.connects.saturating_sub(1),
                self.report.failed_connects
            )
        }
    }
}

fn codes(map: &BTreeMap<String, u64>) -> String {
    if map.is_empty() {
        return "none".to_owned();
    }
    map.iter()
        .map(|(code, n)| format!("{code}={n}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn summary_line(o: &Outcome) -> String {
    let (refused, emit_failures) = match &o.hub {
        Some(h) => (codes(&h.refused), h.emit_failures.to_string()),
        None => ("n/a".to_owned(), "n/a".to_owned()),
    };
    format!(
        "rogue {} quiet-p99 {:.1} p99 {:.1} ratio {:.2} quiet-p50 {:.1} p50 {:.1} \
         last-recipient-p99 {:.1} late {} sent {} sent-MiB {:.1} stored {} errors-back {} other-events-back {} \
         connection {} hub-refused {} hub-emit-failures {} hub-log-lines {} \
         hub-rss-max-MiB {:.1} hub-cpu-% {:.0} gen-cpu-% {:.0} health {} \
         busy-after-s {:.1} hub-rss-after-MiB {:.1}",
        o.label,
        o.quiet.p99,
        o.rogue.p99,
        o.ratio(),
        o.quiet.p50,
        o.rogue.p50,
        o.rogue.last_p99,
        o.quiet.late + o.rogue.late,
        o.report.sent,
        o.report.bytes as f64 / 1_048_576.0,
        o.stored,
        codes(&o.report.errors),
        o.report.other_events,
        o.connection(),
        refused,
        emit_failures,
        o.log_lines,
        o.rogue.rss_max_kib as f64 / 1024.0,
        o.rogue.hub_cpu,
        o.rogue.gen_cpu,
        if o.healthy { "ok" } else { "FAILED" },
        o.busy_after.as_secs_f64(),
        o.rss_after_kib as f64 / 1024.0,
    )
}

/// One run on a fresh hub: every phase, each with each kind of rogue.
async fn run(args: &Args, max_payload: usize) -> Vec<Outcome> {
    let mut hub = HubProcess::spawn().await;
    let http = reqwest::Client::new();
    let mut honest = Honest::start(&hub, args).await;
    let (rogue_token, _) = login(&http, &hub.url, "lead").await;
    let ws_url = socket_url(&hub.url);
    // Let `connected`, snapshots and `sync:done` settle.
    tokio::time::sleep(Duration::from_secs(3)).await;
    eprintln!(
        "rogue: {} honest sockets connected; hub pid {}, RSS {:.1} MiB",
        honest.readers.len(),
        hub.pid(),
        rss_kib(hub.pid()).unwrap_or(0) as f64 / 1024.0
    );
    let mut outcomes = Vec::new();
    for &phase in &args.phases {
        for &reads in &args.reads {
            let label = format!(
                "{}:{}",
                phase.name(),
                if reads { "reading" } else { "not-reading" }
            );
            let quiet = honest.measure(hub.pid(), args.quiet_seconds).await;
            let before = scrape(&http, &hub.url).await;
            let events_before = health(&http, &hub.url).await.unwrap_or(0);
            let log_before = hub.log_lines();
            let seqs_before = honest.next_seq;
            let until = Instant::now() + Duration::from_secs_f64(args.seconds);
            let rogue = tokio::spawn(run_rogue(
                ws_url.clone(),
                rogue_token.clone(),
                Frames::new(phase, max_payload),
                reads,
                args.rogue_rate,
                until,
            ));
            // While the honest deliveries drain, watch from the rogue's last frame how long
            // the hub goes on storing what it was sent.
            let (under, (report, (busy_after, events_after))) =
                tokio::join!(honest.measure(hub.pid(), args.seconds), async {
                    let report = rogue.await.expect("rogue task");
                    (report, watch_backlog(&http, &hub.url).await)
                });
            let after = scrape(&http, &hub.url).await;
            let honest_sent = i64::from(honest.next_seq - seqs_before);
            let outcome = Outcome {
                label,
                quiet,
                rogue: under,
                report,
                hub: before.zip(after).map(|(b, a)| a.since(&b)),
                log_lines: hub.log_lines() - log_before,
                healthy: health(&http, &hub.url).await.is_some(),
                stored: events_after.map_or(0, |after| after - events_before - honest_sent),
                busy_after,
                rss_after_kib: rss_kib(hub.pid()).unwrap_or(0),
            };
            println!("{}", summary_line(&outcome));
            outcomes.push(outcome);
            if let Some(status) = hub.exited() {
                println!("rogue: the hub exited ({status}); stopping");
                std::process::exit(1);
            }
        }
    }
    let (missing, due) = honest.never_delivered().await;
    println!("rogue: honest deliveries never received: {missing} of {due}");
    let up = health(&http, &hub.url).await.is_some() && hub.exited().is_none();
    println!(
        "rogue: after every phase the hub is {}",
        if up { "up (/health answers)" } else { "DOWN" }
    );
    for reader in &honest.readers {
        reader.abort();
    }
    if !up {
        std::process::exit(1);
    }
    outcomes
}

fn median_and_spread(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let median = values[values.len() / 2];
    (median, values[0], values[values.len() - 1])
}

/// The table of medians over the runs (spread as min–max where it matters).
fn print_medians(runs: &[Vec<Outcome>]) {
    println!();
    println!(
        "| phase | rogue | quiet p99 ms | p99 ms (min–max) | ratio (min–max) | honest late (> 10 s) | rogue frames sent | notes stored | errors back (by code) | rogue's connection | hub emit failures | hub log lines | hub RSS max MiB | hub CPU % | generator CPU % | hub busy after, s | hub RSS after, MiB |"
    );
    println!(
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    for (i, first) in runs[0].iter().enumerate() {
        let all: Vec<&Outcome> = runs.iter().map(|r| &r[i]).collect();
        let med =
            |f: &dyn Fn(&Outcome) -> f64| median_and_spread(all.iter().map(|o| f(o)).collect());
        let (quiet, _, _) = med(&|o| o.quiet.p99);
        let (p99, p99_min, p99_max) = med(&|o| o.rogue.p99);
        let (ratio, ratio_min, ratio_max) = med(&|o| o.ratio());
        let (late, _, late_max) = med(&|o| (o.quiet.late + o.rogue.late) as f64);
        let (sent, _, _) = med(&|o| o.report.sent as f64);
        let (stored, _, _) = med(&|o| o.stored as f64);
        let (failures, _, _) =
            med(&|o| o.hub.as_ref().map_or(f64::NAN, |h| h.emit_failures as f64));
        let (log_lines, _, _) = med(&|o| o.log_lines as f64);
        let (rss, _, _) = med(&|o| o.rogue.rss_max_kib as f64 / 1024.0);
        let (hub_cpu, _, _) = med(&|o| o.rogue.hub_cpu);
        let (gen_cpu, _, _) = med(&|o| o.rogue.gen_cpu);
        let (busy_after, _, _) = med(&|o| o.busy_after.as_secs_f64());
        let (rss_after, _, _) = med(&|o| o.rss_after_kib as f64 / 1024.0);
        let mut codes_seen: Vec<&String> =
            all.iter().flat_map(|o| o.report.errors.keys()).collect();
        codes_seen.sort();
        codes_seen.dedup();
        let errors = codes_seen
            .iter()
            .map(|code| {
                let (n, _, _) = med(&|o| o.report.errors.get(*code).copied().unwrap_or(0) as f64);
                format!("{code} {n:.0}")
            })
            .collect::<Vec<_>>()
            .join(", ");
        let connections: Vec<String> = all.iter().map(|o| o.connection()).collect();
        let connection = if connections.iter().all(|c| c == "stayed") {
            "stayed".to_owned()
        } else {
            let (drops, _, _) = med(&|o| o.report.drops as f64);
            format!("closed by the hub {drops:.0}× (reconnected)")
        };
        let (phase, rogue) = first.label.split_once(':').unwrap_or((&first.label, ""));
        println!(
            "| {phase} | {rogue} | {quiet:.1} | {p99:.1} ({p99_min:.1}–{p99_max:.1}) | {ratio:.2} ({ratio_min:.2}–{ratio_max:.2}) | {late:.0} (max {late_max:.0}) | {sent:.0} | {stored:.0} | {} | {connection} | {failures:.0} | {log_lines:.0} | {rss:.0} | {hub_cpu:.0} | {gen_cpu:.0} | {busy_after:.1} | {rss_after:.0} |",
            if errors.is_empty() {
                "none".to_owned()
            } else {
                errors
            },
        );
    }
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let defaults = HubConfig::default();
    let max_payload = usize::try_from(defaults.max_payload).expect("max_payload fits");
    eprintln!(
        "rogue: {} honest sockets, {} Hz; {} s quiet then {} s per rogue; rogue up to {} frames/s; \
         hub defaults: max_payload {} B, max_buffer_size {} packets, rate limit {}/s burst {}",
        args.sockets,
        args.rate,
        args.quiet_seconds,
        args.seconds,
        args.rogue_rate,
        defaults.max_payload,
        defaults.max_buffer_size,
        defaults.rate_limit_per_sec,
        defaults.rate_limit_burst,
    );
    let mut runs = Vec::new();
    for n in 0..args.repeat {
        if args.repeat > 1 {
            eprintln!("rogue: run {} of {}", n + 1, args.repeat);
        }
        runs.push(run(&args, max_payload).await);
    }
    print_medians(&runs);
}
