//! Login, refresh, and refused handshakes.

mod support;

use serde_json::json;
use sideline_hub::auth::{Claims, Role, TokenKeys, TokenKind};
use support::{SECRET, TestClient, start_hub};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_returns_a_token_and_the_user_and_refresh_renews_it() {
    let hub = start_hub().await;
    let body = hub.login_response("agent01", "demo").await;
    assert_eq!(body["user"]["id"], "agent01");
    assert_eq!(body["user"]["role"], "agent");
    assert_eq!(body["user"]["teamId"], "demo-team");
    let token = body["token"].as_str().unwrap();

    let (status, refreshed) = hub.post("/api/v1/auth/refresh", token, json!({})).await;
    assert_eq!(status, 200, "{refreshed}");
    assert_eq!(refreshed["user"]["id"], "agent01");
    assert!(refreshed["token"].as_str().unwrap().len() > 20);

    // Wrong password and unknown user: the same 401 with a code.
    let response = hub
        .http
        .post(format!("{}/api/v1/auth/login", hub.url()))
        .json(&json!({ "username": "agent01", "password": "nope" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let error: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error["code"], "UNAUTHORIZED");
    let (status, error) = hub.post("/api/v1/auth/refresh", "garbage", json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(error["code"], "UNAUTHORIZED");
    hub.stop().await;
}

fn forged(secret: &[u8], exp_offset_secs: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    TokenKeys::new(secret)
        .sign(&Claims {
            sub: "agent01".into(),
            name: "Agent 01".into(),
            role: Role::Agent,
            team_id: "demo-team".into(),
            kind: TokenKind::User,
            exp: now + exp_offset_secs,
            iat: now - 7200,
            jti: None,
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_handshakes_are_refused_at_connect_with_a_code() {
    let hub = start_hub().await;
    let cases = [
        ("missing", json!({}), "UNAUTHORIZED"),
        ("malformed", json!({ "token": "not.a.jwt" }), "UNAUTHORIZED"),
        (
            "expired",
            json!({ "token": forged(SECRET.as_bytes(), -60) }),
            "TOKEN_EXPIRED",
        ),
        (
            "wrong signature",
            json!({ "token": forged(b"another-secret", 3600) }),
            "UNAUTHORIZED",
        ),
    ];
    for namespace in ["/", "/leaderboard", "/training"] {
        for (what, auth, code) in &cases {
            let refusal = match TestClient::connect(&hub.url(), namespace, auth.clone()).await {
                Ok(_) => panic!("{what} token accepted on {namespace}"),
                Err(text) => text,
            };
            let parsed = sideline_protocol::ConnectRefusal::parse(&refusal)
                .unwrap_or_else(|| panic!("{what} on {namespace}: unparsable {refusal}"));
            assert_eq!(
                parsed.code.as_str(),
                *code,
                "{what} on {namespace}: {refusal}"
            );
        }
    }
    // The same hub accepts a good token.
    let good = forged(SECRET.as_bytes(), 3600);
    let mut client = TestClient::connect(&hub.url(), "/", json!({ "token": good }))
        .await
        .unwrap();
    let welcome = client.expect_event("connected").await;
    assert_eq!(welcome["user"]["id"], "agent01");
    client.expect_event("sync:done").await;
    client.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_socket_reauthenticates_with_a_fresh_token_of_the_same_user_only() {
    let hub = start_hub().await;
    let mut client = hub.connect_as("agent01", "/").await;
    client.expect_event("sync:done").await;
    let fresh = hub.login("agent01").await;
    client.emit("auth:request", json!({ "token": fresh })).await;
    let success = client.expect_event("auth:success").await;
    assert_eq!(success["user"]["id"], "agent01");
    assert!(success["expiresAt"].is_string());
    let other = hub.login("agent02").await;
    client.emit("auth:request", json!({ "token": other })).await;
    assert_eq!(
        client.expect_event("auth:error").await["code"],
        "UNAUTHORIZED"
    );
    client
        .emit("auth:request", json!({ "token": "garbage" }))
        .await;
    assert_eq!(
        client.expect_event("auth:error").await["code"],
        "UNAUTHORIZED"
    );
    client.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_hub_starts_with_its_bootstrap_leader_only() {
    let hub = support::start_hub_with(|c| {
        c.demo = false;
        c.bootstrap_leader = Some("boss".into());
        c.bootstrap_password = Some("correct horse".into());
    })
    .await;
    let body = hub.login_response("boss", "correct horse").await;
    assert_eq!(
        (
            body["user"]["role"].as_str(),
            body["user"]["teamId"].as_str()
        ),
        (Some("leader"), Some("team-1"))
    );
    let response = hub
        .http
        .post(format!("{}/api/v1/auth/login", hub.url()))
        .json(&json!({ "username": "lead", "password": "demo" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        401,
        "demo accounts exist only in demo mode"
    );
    hub.stop().await;
}
