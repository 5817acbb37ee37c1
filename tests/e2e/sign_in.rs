//! Signing in through the welcome screen: the token goes to the Secret Service and nowhere
//! else; without a Secret Service the sign-in still works, says so, and stores nothing.

use std::time::Duration;

use sideline_client::tokens::KEYCHAIN_SERVICE;

use crate::flows::{STATUS, sign_in};
use crate::harness::{TestEnv, UI_DEADLINE, poll};
use crate::hub::{PASSWORD, TestHub};
use crate::keychain::{SecretSessions, find_jwt, items_for_service};

/// Every JWT-looking string in any file under `dir` that `hub` accepts as a token: a leak.
async fn valid_tokens_in_files(
    dir: &std::path::Path,
    hub: &TestHub,
) -> Vec<(std::path::PathBuf, String)> {
    let mut leaks = Vec::new();
    for path in TestEnv::files_containing(dir, b"eyJ") {
        let bytes = std::fs::read(&path).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let mut rest: &str = &text;
        while let Some(start) = rest.find("eyJ") {
            if let Some(token) = find_jwt(&rest[start..]) {
                let (status, _) = hub.get("/api/v1/admin/teams", &token).await;
                // 401 is "not a token of this hub"; anything else means the hub took it.
                if status != 401 {
                    leaks.push((path.clone(), token.clone()));
                }
            }
            rest = &rest[start + 3..];
        }
    }
    leaks
}

/// The Secret Service sessions of one keychain write with the `keyring` crate (3.x): one
/// to look for the entry and, open at the same time, one to create it.
const SESSIONS_PER_WRITE: usize = 2;

/// The Secret Service sessions of one keychain read.
const SESSIONS_PER_READ: usize = 1;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn welcome_sign_in_keeps_the_token_in_the_keychain_only() {
    let mut env = TestEnv::new("welcome_sign_in");
    env.start_keyring("e2e-keyring-password").await;
    let hub = TestHub::start(&env.root.join("hub")).await;
    let sessions = SecretSessions::watch(&env).await;
    let app = env.launch(&[], &[], "[data-testid=welcome]").await;
    app.screenshot("welcome").await;

    sign_in(&app, &hub.url(), "agent03", PASSWORD).await;
    // Live on every namespace, and the keychain was used once: to store the token. A read
    // per namespace's connect is a burst of new clients that gnome-keyring 42 can crash on.
    assert_eq!(
        sessions.settled().await,
        SESSIONS_PER_WRITE,
        "Secret Service sessions opened by the sign-in"
    );

    let items = poll(
        "a `sideline` item in the Secret Service",
        Duration::from_secs(15),
        async || Some(items_for_service(&env, KEYCHAIN_SERVICE)).filter(|i| !i.is_empty()),
    )
    .await;
    println!(
        "keychain items: {:?}",
        items
            .iter()
            .map(|i| (&i.label, &i.attributes))
            .collect::<Vec<_>>()
    );
    let token = items
        .iter()
        .find_map(|i| find_jwt(&i.secret))
        .unwrap_or_else(|| panic!("no token in the keychain items {items:?}"));
    let (status, body) = hub.get("/api/v1/notes?agentId=agent03", &token).await;
    assert_eq!(status, 200, "the keychain's token is agent03's: {body}");

    // Stop the app so that everything it buffers (logs, WebKit storage, SQLite WAL) is on disk.
    app.stop().await;
    let keyrings = env.home.join(".local/share/keyrings");
    assert!(
        TestEnv::count_files(&keyrings) > 0,
        "gnome-keyring wrote no keyring file under {}",
        keyrings.display()
    );
    let signature = token.rsplit('.').next().expect("a signature");
    for needle in [token.as_str(), signature] {
        let found = TestEnv::files_containing(&env.root, needle.as_bytes());
        assert!(
            found.is_empty(),
            "the token (or its signature) is in files: {found:?} (searched {} files under {})",
            TestEnv::count_files(&env.root),
            env.root.display()
        );
    }
    let leaks = valid_tokens_in_files(&env.root, &hub).await;
    assert!(
        leaks.is_empty(),
        "tokens the hub accepts are in files: {leaks:?}"
    );

    // The next launch reads the token back from the keychain, once: straight to live data,
    // no welcome screen, no password.
    let before = sessions.settled().await;
    let app = env.launch(&[], &[], STATUS).await;
    app.wait_text(STATUS, "live", UI_DEADLINE).await;
    assert_eq!(
        sessions.settled().await - before,
        SESSIONS_PER_READ,
        "Secret Service sessions opened by a launch with a stored token"
    );
    assert_eq!(
        app.count("[data-testid=welcome]").await,
        0,
        "the welcome screen came back"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_without_a_keychain_warns_and_stores_no_token() {
    // No gnome-keyring on this test's bus, and no bus activation: no Secret Service at all.
    let env = TestEnv::new("sign_in_without_keychain");
    let hub = TestHub::start(&env.root.join("hub")).await;
    let app = env.launch(&[], &[], "[data-testid=welcome]").await;

    // The welcome screen may know before the sign-in (the shell probes the keychain at
    // launch) or only after it: the warning must show at one of the two.
    let before = tokio::time::timeout(Duration::from_secs(10), async {
        app.wait_for("[data-testid=keychain-warning]").await
    })
    .await
    .is_ok();
    if before {
        app.screenshot("keychain-warning").await;
    }
    sign_in(&app, &hub.url(), "agent04", PASSWORD).await;
    if !before {
        app.wait_for("[data-testid=keychain-warning]").await;
        app.screenshot("keychain-warning").await;
    }
    println!(
        "keychain warning {} the sign-in",
        if before { "before" } else { "after" }
    );
    assert_eq!(app.text(STATUS).await.trim(), "live");

    app.stop().await;
    let leaks = valid_tokens_in_files(&env.root, &hub).await;
    assert!(
        leaks.is_empty(),
        "tokens the hub accepts are in files: {leaks:?}"
    );
}
