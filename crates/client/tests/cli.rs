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
