//! A leader follows the team's training: the `training:snapshot` carries every member's
//! numbers, and the leader's `/training` socket is in the members' `user:` rooms, live and
//! across a reconnect. Nobody else gets that reach.

mod support;

use serde_json::{Value, json};
use sideline_hub::auth::Role;
use sideline_hub::store::users::{self, UserRecord};
use sideline_protocol::Id;
use support::{TestClient, TestHub, rooms_of, start_hub};

async fn award_xp(hub: &TestHub, lead: &str, user: &str, amount: u32) {
    let (status, body) = hub
        .post(
            "/api/v1/training/xp",
            lead,
            json!({ "userId": user, "amount": amount, "source": "Course" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// The `training:snapshot` of a fresh connection, with `sync:done` after it.
async fn snapshot_of(client: &mut TestClient) -> Value {
    let snapshot = client.expect_event("training:snapshot").await;
    assert_eq!(client.expect_event("sync:done").await["snapshot"], true);
    snapshot
}

fn member<'a>(snapshot: &'a Value, user: &str) -> Option<&'a Value> {
    snapshot["team"]
        .as_array()
        .expect("team is a list")
        .iter()
        .find(|m| m["userId"] == user)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_sees_every_members_numbers_at_connect_and_live() {
    let hub = start_hub().await;
    let lead_token = hub.login("lead").await;
    award_xp(&hub, &lead_token, "agent02", 260).await;

    let mut lead = hub.connect_as("lead", "/training").await;
    let snapshot = snapshot_of(&mut lead).await;
    assert_eq!(snapshot["userId"], "lead");
    let agent02 = member(&snapshot, "agent02").expect("agent02 in the team");
    // Level 3 needs 300 XP, level 2 needs 100.
    assert_eq!(
        (agent02["totalXp"].as_u64(), agent02["level"].as_u64()),
        (Some(260), Some(2))
    );
    assert_eq!(agent02["userName"], "Agent 02");
    assert_eq!(member(&snapshot, "agent07").expect("agent07")["totalXp"], 0);
    assert!(
        member(&snapshot, "lead").is_none(),
        "the leader is the top level"
    );
    assert!(
        member(&snapshot, "wall").is_none(),
        "a display does not train"
    );

    // At connect the leader joined the members' training rooms, and only on `/training`.
    let rooms = rooms_of(&hub, "/training", "lead");
    for room in [
        "user:lead",
        "user:agent01",
        "user:agent10",
        "team:demo-team",
    ] {
        assert!(rooms.contains(&room.to_owned()), "{room} not in {rooms:?}");
    }
    assert!(!rooms.contains(&"user:wall".to_owned()));
    let main = hub.connect_as("lead", "/").await;
    let board = hub.connect_as("lead", "/leaderboard").await;
    for namespace in ["/", "/leaderboard"] {
        support::wait_in_room(&hub, namespace, "lead", "user:lead").await;
        let rooms = rooms_of(&hub, namespace, "lead");
        assert!(
            !rooms.contains(&"user:agent01".to_owned()),
            "{namespace}: {rooms:?}"
        );
    }

    // Live: an agent's XP reaches the leader, whose events are that agent's.
    award_xp(&hub, &lead_token, "agent02", 50).await;
    let gained = lead.expect_event("xp:gained").await;
    assert_eq!(
        (gained["userId"].as_str(), gained["newTotal"].as_u64()),
        (Some("agent02"), Some(310))
    );
    assert_eq!(lead.expect_event("level:up").await["userId"], "agent02");

    // Across a reconnect: what the leader missed about a member is replayed.
    let seen = gained["eventId"].as_u64().expect("xp:gained is durable");
    lead.disconnect().await;
    award_xp(&hub, &lead_token, "agent05", 40).await;
    let mut lead = TestClient::connect(
        &hub.url(),
        "/training",
        json!({ "token": lead_token, "lastEventId": seen }),
    )
    .await
    .expect("reconnect");
    let replayed = lead.expect_event("xp:gained").await;
    assert_eq!(
        (replayed["userId"].as_str(), replayed["newTotal"].as_u64()),
        (Some("agent05"), Some(40))
    );
    assert_eq!(lead.expect_event("sync:done").await["snapshot"], false);

    for c in [lead, main, board] {
        c.disconnect().await;
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_displays_and_other_teams_leaders_do_not_get_that_reach() {
    let hub = start_hub().await;
    {
        let db = hub.hub.store().lock().await;
        let other = Id::new("other-team").unwrap();
        users::upsert_team(db.conn(), &other, "Other team").unwrap();
        users::insert_user(
            db.conn(),
            &UserRecord {
                id: Id::new("other-lead").unwrap(),
                username: "other-lead".to_owned(),
                name: "Other Lead".to_owned(),
                role: Role::Leader,
                team_id: other,
                password_hash: Some(sideline_hub::auth::hash_password("demo").unwrap()),
            },
            chrono::Utc::now(),
        )
        .unwrap();
    }
    let lead_token = hub.login("lead").await;

    // An agent's snapshot is theirs alone; a display's lists the team (its TV shows levels).
    let mut agent = hub.connect_as("agent01", "/training").await;
    let snapshot = snapshot_of(&mut agent).await;
    assert_eq!(snapshot["team"], json!([]));
    let mut wall = hub.connect_as("wall", "/training").await;
    let snapshot = snapshot_of(&mut wall).await;
    assert!(member(&snapshot, "agent01").is_some(), "{snapshot}");
    assert!(!rooms_of(&hub, "/training", "wall").contains(&"user:agent01".to_owned()));

    // A teammate's training room is refused to an agent and to a display.
    for client in [&mut agent, &mut wall] {
        client.emit("join:user", json!("agent02")).await;
        let error = client.expect_event("error").await;
        assert_eq!(
            (error["code"].as_str(), error["event"].as_str()),
            (Some("FORBIDDEN"), Some("join:user"))
        );
    }
    // And to another team's leader.
    let mut other = hub.connect_as("other-lead", "/training").await;
    snapshot_of(&mut other).await;
    other.emit("join:user", json!("agent01")).await;
    assert_eq!(other.expect_event("error").await["code"], "FORBIDDEN");

    // Nobody but the leader hears agent02's XP.
    award_xp(&hub, &lead_token, "agent02", 30).await;
    for client in [&mut agent, &mut wall, &mut other] {
        client
            .expect_no_event("xp:gained", std::time::Duration::from_millis(200))
            .await;
    }

    // The leader may leave a member's room and join it again; an unknown user is refused.
    let mut lead = hub.connect_as("lead", "/training").await;
    snapshot_of(&mut lead).await;
    lead.emit("leave:user", json!("agent02")).await;
    support::wait_out_of_room(&hub, "/training", "lead", "user:agent02").await;
    lead.emit("join:user", json!("agent02")).await;
    support::wait_in_room(&hub, "/training", "lead", "user:agent02").await;
    lead.emit("join:user", json!("nobody")).await;
    assert_eq!(lead.expect_event("error").await["code"], "FORBIDDEN");

    for c in [agent, wall, other, lead] {
        c.disconnect().await;
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_added_while_the_leader_is_connected_is_followed_at_once() {
    let hub = start_hub().await;
    let lead_token = hub.login("lead").await;
    let mut lead = hub.connect_as("lead", "/training").await;
    snapshot_of(&mut lead).await;

    let (status, created) = hub
        .post(
            "/api/v1/admin/users",
            &lead_token,
            json!({ "username": "agent11", "name": "Agent 11", "role": "agent", "password": "pw" }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"]
        .as_str()
        .expect("the new user's id")
        .to_owned();
    assert!(
        rooms_of(&hub, "/training", "lead").contains(&format!("user:{id}")),
        "the leader's socket joined the newcomer's room with the creation"
    );

    // No reconnect: the newcomer's first XP reaches the leader.
    award_xp(&hub, &lead_token, &id, 25).await;
    let gained = lead.expect_event("xp:gained").await;
    assert_eq!(
        (gained["userId"].as_str(), gained["newTotal"].as_u64()),
        (Some(id.as_str()), Some(25))
    );

    lead.disconnect().await;
    hub.stop().await;
}
