//! Interop with the real JavaScript `socket.io-client` 4.8 (pinned in tests/js/package.json):
//! refused connect with a coded message, HTTP login, connect with the token, room joins, a
//! `rankings:update` triggered here over HTTP, and a refused join.

mod support;

use std::path::Path;
use std::process::Stdio;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socket_io_client_4_8_logs_in_joins_receives_and_is_refused() {
    let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js");
    if !js.join("node_modules/socket.io-client").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&js)
            .status()
            .await
            .expect("npm runs (Node.js is required for this test)");
        assert!(status.success(), "npm ci failed in {}", js.display());
    }
    let hub = support::start_hub().await;
    let lead = hub.login("lead").await;
    let mut node = Command::new("node")
        .arg("interop.mjs")
        .args([hub.url().as_str(), "agent01", "demo"])
        .current_dir(&js)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs");
    let mut lines = BufReader::new(node.stdout.take().unwrap()).lines();
    let mut steps: Vec<Value> = Vec::new();
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.expect("read node output") {
            let step: Value =
                serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON: {line}"));
            if step["step"] == "ready" {
                let (status, body) = hub
                    .post(
                        "/api/v1/sales",
                        &lead,
                        json!({ "sellerId": "agent01", "values": { "revenue": 999.0 } }),
                    )
                    .await;
                assert_eq!(status, 201, "{body}");
            }
            steps.push(step);
        }
    })
    .await;
    assert!(outcome.is_ok(), "node did not finish: {steps:?}");
    let status = node.wait().await.unwrap();
    assert!(status.success(), "node failed: {steps:?}");

    let find = |name: &str| {
        steps
            .iter()
            .find(|s| s["step"] == name)
            .unwrap_or_else(|| panic!("no {name} step in {steps:?}"))
            .clone()
    };
    let refusal = find("connect_error");
    let parsed = sideline_protocol::ConnectRefusal::parse(refusal["message"].as_str().unwrap())
        .expect("coded message");
    assert_eq!(parsed.code, sideline_protocol::ErrorCode::Unauthorized);
    assert_eq!(find("login")["userId"], "agent01");
    assert_eq!(find("sync:done")["replayed"], 0);
    assert_eq!(find("refused")["code"], "FORBIDDEN");
    let update = find("rankings:update");
    assert_eq!(update["userId"], "agent01");
    assert!(update["eventId"].as_u64().is_some());
    hub.stop().await;
}
