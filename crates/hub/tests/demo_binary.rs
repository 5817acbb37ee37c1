//! Demo mode: the simulator keeps the boards moving; the real binary starts from flags and
//! environment and stops cleanly on SIGTERM.

mod support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_produces_live_events() {
    let hub = support::start_hub_with(|c| c.demo_rate = 40.0).await;
    let mut wall = hub.connect_as("wall", "/leaderboard").await;
    wall.expect_event("sync:done").await;
    let update = wall.expect_event("rankings:update").await;
    assert!(update["userId"].as_str().unwrap().starts_with("agent"));
    wall.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_edits_the_demo_coaching_session_as_its_leader() {
    let hub = support::start_hub_with(|c| c.demo_rate = 40.0).await;
    // The lead's `/` socket is in the session's room from connect.
    let mut lead = hub.connect_as("lead", "/").await;
    lead.expect_event("sync:done").await;
    let updated = lead.expect_event("session:updated").await;
    assert_eq!(updated["sessionId"], "session-demo");
    assert_eq!(updated["updatedBy"]["id"], "lead");
    let topics = updated["updates"]["topicsCovered"].as_array().unwrap();
    assert!(!topics.is_empty(), "{updated}");
    let engagement = updated["updates"]["engagementScore"].as_u64().unwrap();
    assert!((5..=9).contains(&engagement), "{updated}");
    lead.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_comments_on_the_agents_projects() {
    let hub = support::start_hub_with(|c| c.demo_rate = 40.0).await;
    // The leader is in both projects' rooms from connect.
    let mut lead = hub.connect_as("lead", "/").await;
    lead.expect_event("sync:done").await;
    let comment = lead.expect_event("comment:created").await;
    let author = comment["author"]["id"].as_str().unwrap();
    let number: u32 = author.strip_prefix("agent").unwrap().parse().unwrap();
    let project = if number <= 5 {
        "project-alpha"
    } else {
        "project-beta"
    };
    assert_eq!(comment["projectId"], project, "{comment}");
    assert!(!comment["content"].as_str().unwrap().is_empty());
    lead.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulated_demo_opens_with_a_full_board_and_no_celebrations() {
    // A slow simulator: nothing it does lands within this test.
    let hub = support::start_hub_with(|c| c.demo_rate = 0.01).await;
    let mut wall = hub.connect_as("wall", "/leaderboard").await;
    let lead = hub.login("lead").await;
    let (status, board) = hub
        .get("/api/v1/leaderboard?metric=revenue&range=today", &lead)
        .await;
    assert_eq!(status, 200, "{board}");
    assert_eq!(
        board["rankings"].as_array().map(Vec::len),
        Some(10),
        "{board}"
    );
    wall.expect_event("sync:done").await;
    wall.expect_no_event(
        "achievement:celebration",
        std::time::Duration::from_millis(300),
    )
    .await;
    wall.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulated_demo_opens_on_a_team_at_work() {
    use sideline_protocol::{Id, PresenceStatus};

    let hub = support::start_hub_with(|c| c.demo_rate = 0.01).await;
    let agents: Vec<Id> = (1..=10)
        .map(|n| Id::new(format!("agent{n:02}")).unwrap())
        .collect();
    // The simulator puts the agents at their desks as it starts.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let presence = &hub.hub.state().presence;
    while agents
        .iter()
        .any(|a| presence.status(a) == PresenceStatus::Offline)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the agents never came online"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }

    // A leader connecting now sees them in the snapshot, as the simulator announced them.
    let mut lead = hub.connect_as("lead", "/").await;
    let snapshot = lead.expect_event("sync:snapshot").await;
    let statuses: Vec<(&str, &str)> = snapshot["presence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["userId"].as_str().unwrap().starts_with("agent"))
        .map(|p| (p["userId"].as_str().unwrap(), p["status"].as_str().unwrap()))
        .collect();
    assert_eq!(statuses.len(), 10, "{snapshot}");
    assert!(
        statuses.iter().all(|(_, s)| *s == "online" || *s == "away"),
        "{statuses:?}"
    );
    lead.disconnect().await;

    // And they have been training: levels above 1, and a streak.
    let mut lead = hub.connect_as("lead", "/training").await;
    let training = lead.expect_event("training:snapshot").await;
    let team = training["team"].as_array().unwrap();
    assert_eq!(team.len(), 10, "{training}");
    for member in team {
        assert!(member["level"].as_u64().unwrap() >= 2, "{member}");
        assert!(member["currentStreak"].as_u64().unwrap() >= 1, "{member}");
    }
    lead.disconnect().await;
    hub.stop().await;
}

#[cfg(unix)]
#[test]
fn the_binary_serves_the_demo_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sideline-hub"))
        .args(["--demo", "--demo-rate", "0"])
        .env("SIDELINE_HUB_ADDR", "127.0.0.1:0")
        .env("SIDELINE_HUB_DB", dir.path().join("hub.db"))
        .env_remove("SIDELINE_HUB_JWT_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let response = reqwest::Client::new()
            .post(format!("{url}/api/v1/auth/login"))
            .json(&serde_json::json!({ "username": "lead", "password": "demo" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    });
    // The generated secret is kept in the data directory, private.
    let secret = dir.path().join("jwt.secret");
    assert!(secret.exists());
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    // Checkpointed at shutdown: the WAL is empty.
    let wal = dir.path().join("hub.db-wal");
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0);
}
