//! The authorization matrix, cell by cell: role × room × action (join on `/` with `room:join`,
//! on `/leaderboard` with `join:*`), and the write actions a display or an agent may not do.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{TestClient, TestHub, client_id, rooms_of, start_hub};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Joined,
    Refused(&'static str),
}
use Expect::{Joined, Refused};

/// One cell: `user` on `namespace` emits `event` with `data` to join `room`.
#[allow(clippy::too_many_arguments)]
async fn check_join(
    hub: &TestHub,
    client: &mut TestClient,
    namespace: &str,
    user: &str,
    event: &str,
    data: Value,
    room: &str,
    expect: Expect,
) {
    let before = rooms_of(hub, namespace, user).contains(&room.to_owned());
    assert!(!before || expect == Joined, "{user} already in {room}");
    client.emit(event, data.clone()).await;
    match expect {
        Refused(code) => {
            let error = client.expect_event("error").await;
            assert_eq!(error["code"], code, "{user} {event} {data}: {error}");
            assert_eq!(error["event"], event);
            assert!(
                !rooms_of(hub, namespace, user).contains(&room.to_owned()),
                "{user} refused but joined {room}"
            );
        }
        Joined => {
            let deadline = tokio::time::Instant::now() + support::DEADLINE;
            while !rooms_of(hub, namespace, user).contains(&room.to_owned()) {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "{user} never joined {room}"
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            if let Some(error) = client
                .try_event_within("error", Duration::from_millis(50))
                .await
            {
                panic!("{user} joined {room} but got an error: {error}");
            }
            // Leave again so the next cell starts clean.
            let (leave, leave_data) = if namespace == "/" {
                ("room:leave".to_owned(), json!({ "room": room }))
            } else {
                (event.replace("join:", "leave:"), data)
            };
            client.emit(&leave, leave_data).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_room_and_action_cell() {
    let hub = start_hub().await;
    // lead: leader of demo-team. agent01: contest entrant, project-alpha, session-demo.
    // agent07: in project-beta only, not a contest entrant. wall: display.
    let users = ["lead", "agent01", "agent07", "wall"];
    let mut main = Vec::new();
    let mut board = Vec::new();
    for user in users {
        let mut c = hub.connect_as(user, "/").await;
        c.expect_event("sync:done").await;
        main.push(c);
        let mut c = hub.connect_as(user, "/leaderboard").await;
        c.expect_event("sync:done").await;
        board.push(c);
    }

    // Rooms on `/` through `room:join`, one column per user in `users` order. Rooms a socket
    // already joined at connect (own user/team room, own projects, open sessions) are tested
    // for the others: a user room of someone else, a team that is not yours.
    let f = Refused("FORBIDDEN");
    let nf = Refused("NOT_FOUND");
    let main_cells: [(&str, [Expect; 4]); 9] = [
        ("user:agent02", [f, f, f, f]),
        ("team:other-team", [f, f, f, f]),
        ("contest:contest-spring", [Joined, Joined, f, f]),
        ("contest:nope", [nf, nf, nf, nf]),
        ("tv-display", [Joined, f, f, Joined]),
        ("project:project-beta", [Joined, f, Joined, f]),
        ("session:session-demo", [Joined, Joined, f, f]),
        ("session:nope", [nf, nf, nf, nf]),
        ("module:module-1", [Joined, Joined, Joined, Joined]),
    ];
    for (room, expects) in main_cells {
        for (i, user) in users.iter().enumerate() {
            // Rooms joined at connect are not re-tested as joins.
            let already = rooms_of(&hub, "/", user).contains(&room.to_owned());
            if already {
                continue;
            }
            check_join(
                &hub,
                &mut main[i],
                "/",
                user,
                "room:join",
                json!({ "room": room }),
                room,
                expects[i],
            )
            .await;
        }
    }
    // What each socket joined at connect.
    assert!(rooms_of(&hub, "/", "agent01").contains(&"project:project-alpha".to_owned()));
    assert!(rooms_of(&hub, "/", "agent01").contains(&"session:session-demo".to_owned()));
    assert!(rooms_of(&hub, "/", "wall").contains(&"tv-display".to_owned()));
    assert!(!rooms_of(&hub, "/", "wall").contains(&"user:wall".to_owned()));

    // `/leaderboard` join events.
    let board_cells: [(&str, Value, &str, [Expect; 4]); 5] = [
        ("join:user", json!("agent02"), "user:agent02", [f, f, f, f]),
        (
            "join:team",
            json!("other-team"),
            "team:other-team",
            [f, f, f, f],
        ),
        (
            "join:contest",
            json!("contest-spring"),
            "contest:contest-spring",
            [Joined, Joined, f, f],
        ),
        (
            "join:tv-display",
            Value::Null,
            "tv-display",
            [Joined, f, f, Joined],
        ),
        (
            "join:user",
            json!("SELF"),
            "user:SELF",
            [Joined, Joined, Joined, Joined],
        ),
    ];
    for (event, data, room, expects) in board_cells {
        for (i, user) in users.iter().enumerate() {
            let (data, room) = if data == json!("SELF") {
                (json!(user), room.replace("SELF", user))
            } else {
                (data.clone(), room.to_owned())
            };
            if rooms_of(&hub, "/leaderboard", user).contains(&room) {
                // Joined at connect (own user room): joining again is allowed and harmless.
                continue;
            }
            check_join(
                &hub,
                &mut board[i],
                "/leaderboard",
                user,
                event,
                data,
                &room,
                expects[i],
            )
            .await;
        }
    }

    // Write actions on `/`: (event, payload, expected per user; None = accepted).
    let note = |agent: &str| json!({ "clientId": client_id(), "agentId": agent, "noteType": "POSITIVE", "content": "x", "priority": "LOW" });
    let notify =
        json!({ "clientId": client_id(), "userId": "agent01", "type": "info", "message": "hi" });
    let actions: [(&str, Value, [Option<&str>; 4], &str); 4] = [
        (
            "quickNote:create",
            note("agent01"),
            [
                None,
                Some("FORBIDDEN"),
                Some("FORBIDDEN"),
                Some("FORBIDDEN"),
            ],
            "quickNote:created",
        ),
        (
            "notification:send",
            notify,
            [
                None,
                Some("FORBIDDEN"),
                Some("FORBIDDEN"),
                Some("FORBIDDEN"),
            ],
            "",
        ),
        (
            "presence:update",
            json!({ "status": "away" }),
            [None, None, None, Some("FORBIDDEN")],
            "",
        ),
        (
            "notification:read-all",
            Value::Null,
            [None, None, None, Some("FORBIDDEN")],
            "notification:read",
        ),
    ];
    for (event, payload, expects, answer) in actions {
        for (i, user) in users.iter().enumerate() {
            let mut payload = payload.clone();
            if payload.get("clientId").is_some() {
                payload["clientId"] = json!(client_id());
            }
            main[i].emit(event, payload).await;
            match expects[i] {
                Some(code) => {
                    let error = main[i].expect_event("error").await;
                    assert_eq!(error["code"], code, "{user} {event}");
                    assert_eq!(error["event"], event);
                }
                None => {
                    if !answer.is_empty() {
                        main[i].expect_event(answer).await;
                    }
                    assert!(
                        main[i]
                            .try_event_within("error", Duration::from_millis(100))
                            .await
                            .is_none(),
                        "{user} {event} refused"
                    );
                }
            }
        }
    }
    // The leader's notification reached agent01 (its only effect besides no error).
    assert_eq!(main[1].expect_event("notification").await["message"], "hi");
    for c in main.into_iter().chain(board) {
        c.disconnect().await;
    }
    hub.stop().await;
}
