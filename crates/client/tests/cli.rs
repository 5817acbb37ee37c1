//! The real `sideline` binary (assert_cmd) with a temporary data directory; credentials from
//! SIDELINE_SERVER / SIDELINE_TOKEN so the keychain is never touched.

mod support;

use assert_cmd::Command;
use serde_json::Value;
use support::*;

fn sideline(data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("sideline").expect("binary");
    cmd.arg("--data-dir").arg(data_dir);
    cmd.env_remove("SIDELINE_SERVER")
        .env_remove("SIDELINE_TOKEN");
    cmd
}

fn note_add(data_dir: &std::path::Path, agent: &str, text: &str) -> String {
    let out = sideline(data_dir)
        .args([
            "note",
            "add",
            "--agent",
            agent,
            "--type",
            "COACHING",
            "--priority",
            "HIGH",
            "--category",
            "calls",
            text,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn note_add_works_offline_and_shows_pending() {
    let (_tmp, dir) = data_dir();
    let client_id = note_add(&dir, "agent01", "Great objection handling");
    assert_eq!(client_id.len(), 36, "prints the clientId: {client_id}");
    let out = sideline(&dir).args(["outbox", "--json"]).output().unwrap();
    assert!(out.status.success());
    let records: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(records[0]["clientId"], client_id);
    assert_eq!(records[0]["state"], "pending");
    assert_eq!(records[0]["payload"]["content"], "Great objection handling");
}

#[test]
fn errors_are_one_line_with_a_code_and_a_failure_exit() {
    let (_tmp, dir) = data_dir();
    let out = sideline(&dir)
        .args([
            "note",
            "add",
            "--agent",
            "agent01",
            "--type",
            "COACHING",
            "--priority",
            "LOW",
            "   ",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: VALIDATION_FAILED: content"),
        "{stderr}"
    );

    let out = sideline(&dir).arg("sync").output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: NOT_SIGNED_IN"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_drains_to_the_hub_with_env_credentials() {
    let hub = TestHub::start().await;
    let token = hub.login("lead").await;
    let (_tmp, dir) = data_dir();
    let first = note_add(&dir, "agent01", "one");
    let second = note_add(&dir, "agent01", "two");
    let (url, tok, d) = (hub.url(), token.clone(), dir.clone());
    let out = tokio::task::spawn_blocking(move || {
        sideline(&d)
            .env("SIDELINE_SERVER", url)
            .env("SIDELINE_TOKEN", tok)
            .args(["sync", "--timeout", "20"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        hub.note_client_ids(&token, "agent01").await,
        [first, second]
    );

    let (url, tok, d) = (hub.url(), token.clone(), dir.clone());
    let out = tokio::task::spawn_blocking(move || {
        sideline(&d)
            .env("SIDELINE_SERVER", url)
            .env("SIDELINE_TOKEN", tok)
            .arg("status")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("connection: live"), "{stdout}");
    assert!(stdout.contains("outbox: 0 pending, 0 rejected"), "{stdout}");

    hub.notify(&token, "lead", "from the CLI test").await;
    let (url, tok, d) = (hub.url(), token.clone(), dir.clone());
    let out = tokio::task::spawn_blocking(move || {
        sideline(&d)
            .env("SIDELINE_SERVER", url)
            .env("SIDELINE_TOKEN", tok)
            .arg("notifications")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("from the CLI test")
    );
    hub.stop().await;
}

/// Captures `count` quick notes of `content_chars` characters each straight into the data
/// directory's store (as `sideline note add` does, without a process per note).
fn capture_notes(data_dir: &std::path::Path, count: usize, content_chars: usize) {
    use sideline_client::engine::open_store;
    use sideline_client::outbox::{NoteInput, prepare_note};
    use sideline_client::store::StoreOptions;
    use sideline_protocol::Id;
    use sideline_protocol::notes::{NoteType, Priority};

    let store = open_store(data_dir, &StoreOptions::default()).unwrap();
    for i in 0..count {
        let input = NoteInput {
            agent_id: Id::new("agent01").unwrap(),
            note_type: NoteType::Coaching,
            priority: Priority::Low,
            category: None,
            content: format!("note {i} {}", "x".repeat(content_chars)),
        };
        store
            .capture(&prepare_note(input, chrono::Utc::now()).unwrap())
            .unwrap();
    }
}

/// What a command wrote to standard error, and how it ended, when its standard output was a
/// pipe whose reader went away.
struct ReaderGoneRun {
    status: std::process::ExitStatus,
    stderr: String,
}

impl ReaderGoneRun {
    /// A quiet, successful exit: no panic message ("failed printing to stdout: Broken pipe"),
    /// no error line, exit code 0 (not killed by a signal either).
    fn assert_quiet_success(&self, what: &str) {
        assert_eq!(self.stderr, "", "{what}: stderr");
        assert_eq!(self.status.code(), Some(0), "{what}: {:?}", self.status);
    }
}

/// Runs `sideline` with `args`, reads the first `lines` lines of its standard output and then
/// closes the pipe while the command is still writing, as `sideline ... | head -5` does.
fn run_reading_only(data_dir: &std::path::Path, args: &[&str], lines: usize) -> ReaderGoneRun {
    use std::io::BufRead;
    use std::process::Stdio;

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sideline"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("SIDELINE_SERVER")
        .env_remove("SIDELINE_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    for _ in 0..lines {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "output ended early"
        );
    }
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    ReaderGoneRun {
        status: output.status,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `sideline` with `args` and a standard output whose reader is closed before it starts:
/// its first write fails, whatever the pipe's capacity.
fn run_with_stdout_closed(data_dir: &std::path::Path, args: &[&str]) -> ReaderGoneRun {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sideline"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("SIDELINE_SERVER")
        .env_remove("SIDELINE_TOKEN")
        .stdout(writer)
        .output()
        .unwrap();
    ReaderGoneRun {
        status: output.status,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn outbox_piped_into_head_exits_quietly() {
    let (_tmp, dir) = data_dir();
    // 300 lines of ~540 bytes: about 160 KB, well past a 64 KiB pipe, so the command is blocked
    // mid-write when the reader goes.
    capture_notes(&dir, 300, 500);
    run_reading_only(&dir, &["outbox"], 5).assert_quiet_success("outbox | head -5");
    run_reading_only(&dir, &["outbox", "--json"], 5)
        .assert_quiet_success("outbox --json | head -5");
}

#[test]
fn every_offline_printing_command_exits_quietly_into_a_closed_pipe() {
    let (_tmp, dir) = data_dir();
    capture_notes(&dir, 2, 10);
    for args in [
        &[
            "note",
            "add",
            "--agent",
            "agent01",
            "--type",
            "COACHING",
            "--priority",
            "LOW",
            "hi",
        ][..],
        &["outbox"],
        &["outbox", "--json"],
        // Not signed in: prints "connection: not signed in" and the counts.
        &["status"],
        &["--help"],
    ] {
        run_with_stdout_closed(&dir, args).assert_quiet_success(&args.join(" "));
    }
    // A failure still reports itself (on standard error) when standard output is gone.
    let failed = run_with_stdout_closed(&dir, &["sync"]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        failed.stderr.starts_with("error: NOT_SIGNED_IN"),
        "{}",
        failed.stderr
    );
}
