//! The engine against a stock Node `socket.io` 4.8 server (tests/node/server.mjs, written from
//! seed 000's event reference), not our hub: connect and go live, a refused token means
//! sign-in needed, a captured note is confirmed by the `quickNote:created` echo, events decode,
//! and the engine reconnects after the server drops every connection. Only the `/` namespace
//! (the fixture has no other). The test runs `npm ci` there when node_modules is missing.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;

use sideline_client::ConnectionStatus;
use sideline_client::engine::{Engine, EngineConfig};
use sideline_client::outbox::NoteInput;
use sideline_client::tokens::StaticTokens;
use sideline_protocol::notes::{NoteType, Priority};
use sideline_protocol::{Id, Namespace};
use support::*;

const TOKEN: &str = "node-fixture-token";

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/node")
}

/// The running Node server; killed on drop.
struct NodeServer {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    url: String,
}

impl NodeServer {
    fn start() -> NodeServer {
        let dir = fixture_dir();
        // One `npm ci` at a time: the tests of this file run in parallel.
        static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _installing = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
        if !dir.join("node_modules").exists() {
            let status = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&dir)
                .status()
                .expect("npm is needed for the Node fixture tests");
            assert!(status.success(), "npm ci in {}", dir.display());
        }
        let mut child = Command::new("node")
            .arg("server.mjs")
            .current_dir(&dir)
            .env("FIXTURE_TOKEN", TOKEN)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node is needed for the Node fixture tests");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = NodeServer {
            child,
            stdin,
            lines,
            url: String::new(),
        };
        let port = server.expect_line("PORT ");
        server.url = format!("http://127.0.0.1:{port}");
        server
    }

    /// The rest of the next stdout line starting with `prefix`, within the deadline.
    fn expect_line(&self, prefix: &str) -> String {
        let deadline = std::time::Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix(prefix) {
                        return rest.trim().to_owned();
                    }
                }
                Err(_) => panic!("the Node fixture never printed {prefix:?}"),
            }
        }
    }

    /// Tells the server to disconnect every socket; returns how many it dropped.
    fn drop_connections(&mut self) -> usize {
        writeln!(self.stdin, "drop").expect("write to the fixture");
        self.stdin.flush().unwrap();
        self.expect_line("DROPPED ").parse().unwrap()
    }
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn open(dir: &std::path::Path, url: &str, token: &str) -> Engine {
    let config = EngineConfig {
        namespaces: vec![Namespace::Main],
        ..engine_config()
    };
    Engine::open(dir, config, Arc::new(StaticTokens::new(url, token)))
        .await
        .expect("engine opens")
}

async fn wait_status(engine: &Engine, want: fn(&ConnectionStatus) -> bool, what: &str) {
    let status = engine.status();
    eventually(what, || {
        let s = status.borrow().clone();
        async move { want(&s).then_some(()) }
    })
    .await;
}

fn note(text: &str) -> NoteInput {
    NoteInput {
        agent_id: Id::new("agent01").unwrap(),
        note_type: NoteType::Urgent,
        priority: Priority::High,
        category: Some("calls".into()),
        content: text.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_means_sign_in_needed() {
    let server = NodeServer::start();
    let (_tmp, dir) = data_dir();
    let engine = open(&dir, &server.url, "wrong-token").await;
    wait_status(
        &engine,
        |s| *s == ConnectionStatus::SignInNeeded,
        "sign-in needed",
    )
    .await;
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_confirms_by_echo_decodes_and_reconnects_after_a_drop() {
    let mut server = NodeServer::start();
    let (_tmp, dir) = data_dir();
    let engine = open(&dir, &server.url, TOKEN).await;
    let mut live = engine.live_events();
    wait_status(&engine, |s| *s == ConnectionStatus::Live, "live").await;
    // The greeting decoded into the state.
    let me = eventually("the connected greeting", || {
        let me = engine.state().me.clone();
        async move { me }
    })
    .await;
    assert_eq!(me.id.as_str(), "lead");

    let first = engine
        .capture_note(note("from the fixture test"))
        .await
        .unwrap();
    let counts = engine.sync(DEADLINE).await.expect("confirmed by the echo");
    assert_eq!((counts.pending, counts.confirmed), (0, 1));
    // The echo decoded as a durable event carrying our clientId.
    let echo = tokio::time::timeout(DEADLINE, async {
        loop {
            let event = live.recv().await.expect("live events");
            if event.name == "quickNote:created" {
                return event;
            }
        }
    })
    .await
    .expect("the echo as a live event");
    assert_eq!(echo.event_id, Some(1));
    assert_eq!(echo.data["clientId"], first.to_string());
    wait_note_state(
        &engine,
        &first,
        sideline_client::state::work::SyncState::Synced,
        "the note synced in the state",
    )
    .await;

    // The server drops us; the supervisor reconnects on its own.
    let mut status = engine.status();
    let dropped = server.drop_connections();
    assert_eq!(dropped, 1);
    tokio::time::timeout(DEADLINE, async {
        while *status.borrow_and_update() == ConnectionStatus::Live {
            status.changed().await.unwrap();
        }
    })
    .await
    .expect("the engine notices the drop");
    wait_status(&engine, |s| *s == ConnectionStatus::Live, "live again").await;
    let second = engine.capture_note(note("after the drop")).await.unwrap();
    let counts = engine
        .sync(DEADLINE)
        .await
        .expect("confirmed after reconnect");
    assert_eq!((counts.pending, counts.confirmed), (0, 2));
    assert!(
        engine
            .outbox(&[])
            .unwrap()
            .iter()
            .any(|r| r.client_id == second)
    );
    engine.shutdown().await;
}
