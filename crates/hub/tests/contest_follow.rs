//! Running contests reach the people who follow them without a `join:contest`: a leader (every
//! contest of the team) and each entrant are in the contest's room from connect, and a first
//! connection finds the standings in its snapshot. A contest created while they are connected
//! is followed at once.

mod support;

use serde_json::{Value, json};
use support::{TestClient, TestHub, rooms_of, start_hub};

async fn sale(hub: &TestHub, lead: &str, seller: &str, revenue: f64) {
    let (status, body) = hub
        .post(
            "/api/v1/sales",
            lead,
            json!({ "sellerId": seller, "values": { "revenue": revenue } }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

/// The `contest:entry-update`s a fresh connection got before `sync:done`.
async fn snapshot_standings(client: &mut TestClient) -> Vec<Value> {
    assert_eq!(client.expect_event("sync:done").await["snapshot"], true);
    client
        .drain_within(std::time::Duration::ZERO)
        .await
        .into_iter()
        .filter(|(name, _)| name == "contest:entry-update")
        .map(|(_, value)| value)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaders_and_entrants_follow_running_contests_from_connect() {
    let hub = start_hub().await;
    let lead_token = hub.login("lead").await;
    // contest-spring (demo seed): revenue, agent01..agent06, running for 30 days.
    sale(&hub, &lead_token, "agent02", 300.0).await;

    let mut lead = hub.connect_as("lead", "/leaderboard").await;
    let standings = snapshot_standings(&mut lead).await;
    assert_eq!(standings.len(), 6, "every entrant: {standings:?}");
    let first = &standings[0];
    assert_eq!(
        (
            first["contestId"].as_str(),
            first["contestName"].as_str(),
            first["userId"].as_str(),
            first["newRank"].as_u64(),
            first["total"].as_f64(),
        ),
        (
            Some("contest-spring"),
            Some("Spring sprint"),
            Some("agent02"),
            Some(1),
            Some(300.0)
        )
    );
    assert!(first["endsAt"].is_string());
    assert!(
        standings.iter().all(|s| s["previousRank"] == s["newRank"]),
        "a snapshot moves nobody (no rank alerts): {standings:?}"
    );
    assert!(rooms_of(&hub, "/leaderboard", "lead").contains(&"contest:contest-spring".into()));

    // An entrant follows it too; an agent who did not enter does not.
    let mut entrant = hub.connect_as("agent01", "/leaderboard").await;
    assert_eq!(snapshot_standings(&mut entrant).await.len(), 6);
    assert!(rooms_of(&hub, "/leaderboard", "agent01").contains(&"contest:contest-spring".into()));
    let mut outsider = hub.connect_as("agent07", "/leaderboard").await;
    assert_eq!(snapshot_standings(&mut outsider).await, Vec::<Value>::new());
    assert!(!rooms_of(&hub, "/leaderboard", "agent07").contains(&"contest:contest-spring".into()));

    // Live, with no join: the next entry reaches the leader and the entrant.
    sale(&hub, &lead_token, "agent01", 500.0).await;
    for client in [&mut lead, &mut entrant] {
        let entry = client.expect_event("contest:new-entry").await;
        assert_eq!(
            (entry["userId"].as_str(), entry["rank"].as_u64()),
            (Some("agent01"), Some(1))
        );
    }
    outsider
        .expect_no_event("contest:new-entry", std::time::Duration::from_millis(200))
        .await;

    for c in [lead, entrant, outsider] {
        c.disconnect().await;
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contest_created_while_connected_is_followed_at_once() {
    let hub = start_hub().await;
    let lead_token = hub.login("lead").await;
    let mut lead = hub.connect_as("lead", "/leaderboard").await;
    let mut entrant = hub.connect_as("agent08", "/leaderboard").await;
    let mut outsider = hub.connect_as("agent09", "/leaderboard").await;
    for client in [&mut lead, &mut entrant, &mut outsider] {
        client.expect_event("sync:done").await;
    }

    let now = chrono::Utc::now();
    let (status, body) = hub
        .post(
            "/api/v1/contests",
            &lead_token,
            json!({
                "id": "contest-flash", "name": "Flash", "metric": "revenue",
                "startsAt": (now - chrono::Duration::minutes(1)).to_rfc3339(),
                "endsAt": (now + chrono::Duration::hours(1)).to_rfc3339(),
                "entrantIds": ["agent08"],
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // Joined by the time the creation was answered.
    for user in ["lead", "agent08"] {
        assert!(
            rooms_of(&hub, "/leaderboard", user).contains(&"contest:contest-flash".into()),
            "{user} follows the new contest"
        );
    }
    assert!(!rooms_of(&hub, "/leaderboard", "agent09").contains(&"contest:contest-flash".into()));

    sale(&hub, &lead_token, "agent08", 120.0).await;
    for client in [&mut lead, &mut entrant] {
        let entry = loop {
            let entry = client.expect_event("contest:new-entry").await;
            if entry["contestId"] == "contest-flash" {
                break entry;
            }
        };
        assert_eq!(entry["total"], 120.0);
    }
    outsider
        .expect_no_event("contest:new-entry", std::time::Duration::from_millis(200))
        .await;

    for c in [lead, entrant, outsider] {
        c.disconnect().await;
    }
    hub.stop().await;
}
