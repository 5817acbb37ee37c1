//! The leaderboard ranks by the metrics the hub is configured with, and only those.

mod support;

use serde_json::json;
use support::start_hub_with;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_metrics_are_ranked_and_others_refused() {
    let hub = start_hub_with(|config| {
        config.leaderboard_metrics = vec!["revenue".into(), "meetings".into()];
    })
    .await;
    let lead = hub.login("lead").await;

    let (status, body) = hub
        .post(
            "/api/v1/sales",
            &lead,
            json!({ "sellerId": "agent01", "values": { "meetings": 3 } }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, board) = hub
        .get("/api/v1/leaderboard?metric=meetings&range=today", &lead)
        .await;
    assert_eq!(status, 200, "{board}");
    let rows = board["rankings"].as_array().expect("rankings");
    let agent = rows
        .iter()
        .find(|row| row["userId"] == "agent01")
        .unwrap_or_else(|| panic!("agent01 is not ranked by meetings: {board}"));
    assert_eq!(agent["value"], 3.0);

    // `calls` is a default metric, but not one this hub was configured with.
    let (status, body) = hub
        .post(
            "/api/v1/contests",
            &lead,
            json!({
                "name": "Call sprint",
                "metric": "calls",
                "startsAt": "2030-01-01T00:00:00Z",
                "endsAt": "2030-01-02T00:00:00Z",
                "entrantIds": ["agent01"],
            }),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap_or("").contains("meetings"),
        "{body}"
    );
    hub.stop().await;
}
