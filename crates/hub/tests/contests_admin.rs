//! Contests created over HTTP (`POST /api/v1/contests`) are live at once: an entrant's sale
//! reaches `contest:{id}` on `/leaderboard`, the listing shows status and standings, and the
//! end (hub clock) produces `contest:ended`. Refusals name who or what is at fault.

mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sideline_hub::auth::Role;
use sideline_hub::clock::ManualClock;
use sideline_hub::store::users::{self, UserRecord};
use sideline_protocol::Id;
use support::{TestClient, TestHub, start_hub_with};

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-10T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

async fn hub_at(clock: &ManualClock) -> TestHub {
    let shared = clock.clone();
    start_hub_with(move |c| {
        c.clock = Arc::new(shared);
        c.leaderboard_tick = Duration::from_millis(50);
        c.token_ttl = Duration::from_secs(7 * 24 * 3600);
    })
    .await
}

/// The next `name` event matching `pred`.
async fn next_matching(
    client: &mut TestClient,
    name: &str,
    pred: impl Fn(&Value) -> bool,
) -> Value {
    loop {
        let v = client.expect_event(name).await;
        if pred(&v) {
            return v;
        }
    }
}

fn contest_body(id: &str, entrants: &[&str]) -> Value {
    json!({
        "id": id,
        "name": "Afternoon sprint",
        "metric": "revenue",
        "startsAt": (start() - chrono::Duration::minutes(30)).to_rfc3339(),
        "endsAt": (start() + chrono::Duration::hours(1)).to_rfc3339(),
        "entrantIds": entrants,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_contest_takes_sales_lists_its_standings_and_ends() {
    let clock = ManualClock::new(start());
    let hub = hub_at(&clock).await;
    let lead = hub.login("lead").await;

    let (status, created) = hub
        .post(
            "/api/v1/contests",
            &lead,
            contest_body("contest-sprint", &["agent01", "agent02"]),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["id"], "contest-sprint");
    assert_eq!(created["teamId"], "demo-team");
    assert_eq!(created["status"], "running");
    assert_eq!(created["standings"].as_array().map(Vec::len), Some(2));

    // Without an id, one is generated.
    let mut unnamed = contest_body("x", &["agent03"]);
    unnamed.as_object_mut().unwrap().remove("id");
    let (status, generated) = hub.post("/api/v1/contests", &lead, unnamed).await;
    assert_eq!(status, 201, "{generated}");
    assert!(!generated["id"].as_str().unwrap_or_default().is_empty());

    // An entrant is in the contest's room from connect (no `join:contest`). Past the
    // standings of its connect-time snapshot (everyone at 0).
    let mut entrant = hub.connect_as("agent01", "/leaderboard").await;
    entrant.expect_event("sync:done").await;
    entrant.drain_within(std::time::Duration::ZERO).await;
    support::wait_in_room(&hub, "/leaderboard", "agent01", "contest:contest-sprint").await;
    // A wall display cannot join the contest's room but shows running contests.
    let mut wall = hub.connect_as("wall", "/leaderboard").await;
    wall.expect_event("sync:done").await;
    wall.drain_within(std::time::Duration::ZERO).await;

    // agent02 leads, then agent01 overtakes: a new entry and rank updates in the room.
    for (seller, revenue) in [("agent02", 100.0), ("agent01", 250.0)] {
        let (status, body) = hub
            .post(
                "/api/v1/sales",
                &lead,
                json!({ "sellerId": seller, "values": { "revenue": revenue } }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    // agent01 also follows the demo's contest-spring, which takes the same sales.
    let entry = next_matching(&mut entrant, "contest:new-entry", |e| {
        e["userId"] == "agent01" && e["contestId"] == "contest-sprint"
    })
    .await;
    assert_eq!(
        (entry["contestId"].as_str(), entry["total"].as_f64()),
        (Some("contest-sprint"), Some(250.0))
    );
    // Named and with its end, so a screen that never saw it created can title it and count down.
    assert_eq!(entry["contestName"], "Afternoon sprint");
    assert_eq!(
        entry["endsAt"]
            .as_str()
            .map(|t| t.parse::<chrono::DateTime<chrono::Utc>>().unwrap()),
        Some(start() + chrono::Duration::hours(1))
    );
    let on_the_wall = next_matching(&mut wall, "contest:new-entry", |e| {
        e["userId"] == "agent01" && e["contestId"] == "contest-sprint"
    })
    .await;
    assert_eq!(on_the_wall["contestName"], "Afternoon sprint");
    let update = next_matching(&mut entrant, "contest:entry-update", |u| {
        u["userId"] == "agent01" && u["newRank"] == 1 && u["contestId"] == "contest-sprint"
    })
    .await;
    assert_eq!(update["contestId"], "contest-sprint");
    assert_eq!(update["total"], 250.0);

    // Any member lists the team's contests with status and standings.
    let agent = hub.login("agent05").await;
    let (status, list) = hub.get("/api/v1/contests", &agent).await;
    assert_eq!(status, 200, "{list}");
    let sprint = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "contest-sprint")
        .cloned()
        .unwrap_or_else(|| panic!("contest-sprint listed: {list}"));
    assert_eq!(sprint["status"], "running");
    assert_eq!(sprint["standings"][0]["userId"], "agent01");
    assert_eq!(sprint["standings"][0]["value"], 250.0);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == generated["id"])
    );

    // Its end (hub clock) closes it like any stored contest.
    clock.advance(chrono::Duration::hours(2));
    let ended = entrant.expect_event("contest:ended").await;
    assert_eq!(ended["contestId"], "contest-sprint");
    assert_eq!(ended["standings"][0]["userId"], "agent01");
    let (_, list) = hub.get("/api/v1/contests", &agent).await;
    let sprint = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "contest-sprint")
        .cloned()
        .unwrap();
    assert_eq!(sprint["status"], "ended");

    entrant.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contest_creation_refuses_agents_strangers_and_bad_windows() {
    let clock = ManualClock::new(start());
    let hub = hub_at(&clock).await;
    {
        let db = hub.hub.store().lock().await;
        let other = Id::new("other-team").unwrap();
        users::upsert_team(db.conn(), &other, "Other team").unwrap();
        for (id, role) in [("stranger", Role::Agent), ("other-lead", Role::Leader)] {
            users::insert_user(
                db.conn(),
                &UserRecord {
                    id: Id::new(id).unwrap(),
                    username: id.to_owned(),
                    name: id.to_owned(),
                    role,
                    team_id: other.clone(),
                    password_hash: None,
                },
                start(),
            )
            .unwrap();
        }
    }
    let lead = hub.login("lead").await;
    let agent = hub.login("agent01").await;

    let (status, body) = hub
        .post(
            "/api/v1/contests",
            &agent,
            contest_body("by-agent", &["agent01"]),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("FORBIDDEN")));

    let (status, body) = hub
        .post(
            "/api/v1/contests",
            &lead,
            contest_body("with-stranger", &["agent01", "stranger"]),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["field"], "entrantIds");

    let (status, body) = hub
        .post(
            "/api/v1/contests",
            &lead,
            contest_body("with-ghost", &["nobody-here"]),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("NOT_FOUND")));

    let mut backwards = contest_body("backwards", &["agent01"]);
    backwards["endsAt"] = json!((start() - chrono::Duration::hours(1)).to_rfc3339());
    let (status, body) = hub.post("/api/v1/contests", &lead, backwards).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["field"], "endsAt");

    let mut bad_metric = contest_body("bad-metric", &["agent01"]);
    bad_metric["metric"] = json!("smiles");
    let (status, body) = hub.post("/api/v1/contests", &lead, bad_metric).await;
    assert_eq!((status, body["field"].as_str()), (400, Some("metric")));

    let (status, body) = hub
        .post("/api/v1/contests", &lead, contest_body("nobody", &[]))
        .await;
    assert_eq!((status, body["field"].as_str()), (400, Some("entrantIds")));

    // A leader names only their own team.
    let mut foreign = contest_body("foreign", &["stranger"]);
    foreign["teamId"] = json!("other-team");
    let (status, body) = hub.post("/api/v1/contests", &lead, foreign).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("FORBIDDEN")));

    // A service key must name the team, and then may create for it.
    let (status, key) = hub
        .post("/api/v1/admin/api-keys", &lead, json!({ "name": "crm" }))
        .await;
    assert_eq!(status, 201, "{key}");
    let key = key["key"].as_str().unwrap().to_owned();
    let (status, body) = hub
        .post("/api/v1/contests", &key, contest_body("svc", &["stranger"]))
        .await;
    assert_eq!((status, body["field"].as_str()), (400, Some("teamId")));
    let mut for_other = contest_body("svc", &["stranger"]);
    for_other["teamId"] = json!("other-team");
    let (status, body) = hub.post("/api/v1/contests", &key, for_other).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["teamId"], "other-team");

    // Nothing refused was stored; the other team's contest is not the demo team's.
    let (status, list) = hub.get("/api/v1/contests", &lead).await;
    assert_eq!(status, 200, "{list}");
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    for refused in [
        "by-agent",
        "with-stranger",
        "with-ghost",
        "backwards",
        "bad-metric",
        "nobody",
        "foreign",
        "svc",
    ] {
        assert!(!ids.contains(&refused), "{refused} in {ids:?}");
    }

    // The same id twice is a conflict.
    let (status, _) = hub
        .post(
            "/api/v1/contests",
            &lead,
            contest_body("twice", &["agent01"]),
        )
        .await;
    assert_eq!(status, 201);
    let (status, body) = hub
        .post(
            "/api/v1/contests",
            &lead,
            contest_body("twice", &["agent01"]),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("CONFLICT")));

    hub.stop().await;
}
