//! The app as a desktop citizen: one instance per session (a second launch hands over to the
//! first and exits), the main window's size and place kept across restarts, the global
//! quick-capture shortcut pressed on the real X server, and idling at the X server turning
//! the user `away` on the hub (and input turning them `online` again).

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use sideline_client::{Engine, EngineConfig, StaticTokens};
use sideline_protocol::{Namespace, PresenceStatus};

use crate::flows::{open_view, sign_in};
use crate::harness::{TestEnv, UI_DEADLINE, poll, viewable_x_windows, xdotool};
use crate::hub::{PASSWORD, TestHub};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_second_launch_shows_the_first_instance_and_exits() {
    let env = TestEnv::new("single_instance");
    let app = env.launch(&[], &[], "[data-testid=welcome]").await;
    app.wait_main_window_visible(true, UI_DEADLINE).await;
    let first = app.app_pids();
    assert_eq!(first.len(), 1, "one app process: {first:?}");

    // Closing the main window hides it (the app stays, in the tray).
    app.invoke("close_window", json!({}))
        .await
        .unwrap_or_else(|e| panic!("close_window: {e}"));
    app.wait_main_window_visible(false, UI_DEADLINE).await;
    assert_eq!(app.app_pids(), first, "the app still runs, hidden");

    // The same binary again, in the same session (HOME, XDG directories, bus, display).
    let log = std::fs::File::create(env.root.join("second-instance.log")).expect("log file");
    let started = Instant::now();
    let mut second = tokio::process::Command::new(app.app_binary())
        .envs(env.env())
        .env("SIDELINE_LOG", "info,sideline=debug")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log handle"))
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("start a second instance");
    let status = tokio::time::timeout(Duration::from_secs(30), second.wait())
        .await
        .unwrap_or_else(|_| {
            panic!(
                "the second instance was still running after 30 s\n{}",
                crate::harness::tail(&env.root.join("second-instance.log"), 40)
            )
        })
        .expect("wait for the second instance");
    println!("second instance: {status} after {:?}", started.elapsed());
    assert!(
        status.success(),
        "the second instance exits cleanly: {status}"
    );

    // The first instance showed its main window, and is still the only one.
    app.wait_main_window_visible(true, UI_DEADLINE).await;
    assert_eq!(app.app_pids(), first, "the first instance is the one left");
    app.wait_for("[data-testid=welcome]").await;
    app.screenshot("single-instance-shown").await;
    app.stop().await;
}

/// The path of the window-state plugin's file in the app's config directory.
fn window_state_file(env: &TestEnv) -> std::path::PathBuf {
    env.home
        .join(".config")
        .join("app.sideline.desktop")
        .join(".window-state.json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_main_window_size_and_place_survive_a_restart() {
    let env = TestEnv::new("window_state");
    let app = env.launch(&[], &[], "[data-testid=welcome]").await;
    let before = app.client.get_window_rect().await.expect("window rect");
    println!("first start: window rect {before:?}");
    let (x, y, width, height) = (140u32, 90u32, 900u32, 620u32);
    assert_ne!(
        (before.2, before.3),
        (u64::from(width), u64::from(height)),
        "the test's size differs from the default"
    );
    app.client
        .set_window_rect(x, y, width, height)
        .await
        .expect("set the window rect");
    let set = poll("the new window size", UI_DEADLINE, async || {
        let rect = app.client.get_window_rect().await.ok()?;
        ((rect.2, rect.3) == (u64::from(width), u64::from(height))).then_some(rect)
    })
    .await;
    println!("resized and moved: window rect {set:?}");
    let moved = (set.0, set.1) == (u64::from(x), u64::from(y));

    // Quit cleanly (SIGTERM quits like the tray's Quit), then start again with the same HOME.
    app.terminate();
    app.wait_exited(Duration::from_secs(30)).await;
    app.stop().await;
    let saved = std::fs::read_to_string(window_state_file(&env))
        .unwrap_or_else(|e| panic!("the window state was not saved: {e}"));
    println!("saved window state: {saved}");

    let app = env.launch(&[], &[], "[data-testid=welcome]").await;
    let after = app.client.get_window_rect().await.expect("window rect");
    println!("second start: window rect {after:?}");
    assert_eq!(
        (after.2, after.3),
        (u64::from(width), u64::from(height)),
        "the main window's size is restored"
    );
    if moved {
        assert_eq!(
            (after.0, after.1),
            (u64::from(x), u64::from(y)),
            "the main window's position is restored"
        );
    } else {
        println!("the X server did not place the window where asked: position not checked");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_global_shortcut_opens_quick_capture() {
    let env = TestEnv::new("global_shortcut");
    let app = env
        .launch(
            &["--demo"],
            &[("SIDELINE_DEMO_RATE", "0")],
            "[data-testid=connection-status]",
        )
        .await;
    let known = app.client.windows().await.expect("window handles");
    assert_eq!(known.len(), 1, "only the main window before the shortcut");
    assert!(
        viewable_x_windows("quick note").is_empty(),
        "no quick-capture window before the shortcut"
    );

    // The real key press, through the X server (XTEST), to whichever window has the focus:
    // only the app's global grab can turn it into the quick-capture window.
    xdotool(&["key", "--clearmodifiers", "ctrl+shift+n"]);
    app.switch_to_new_window(&known, UI_DEADLINE).await;
    app.wait_for("[data-testid=quick-capture]").await;
    app.wait_for("[data-testid=note-form]").await;
    poll(
        "the quick-capture window on screen",
        UI_DEADLINE,
        async || (!viewable_x_windows("quick note").is_empty()).then_some(()),
    )
    .await;
    app.screenshot("global-shortcut-quick-capture").await;
    app.stop().await;
}

/// Moves the pointer somewhere new (a move to where it already is is no input).
fn move_pointer(step: &mut u32) {
    *step += 1;
    let x = 200 + (*step % 40) * 7;
    xdotool(&["mousemove", &x.to_string(), "300"]);
}

/// agent01's presence as the lead's client sees it.
fn presence_of(engine: &Engine, user: &str) -> Option<PresenceStatus> {
    engine.state().team.presence.get(user).map(|p| p.status)
}

/// Whether `user` is active in the demo's coaching session, as the lead's client sees it;
/// `None` while they are not in it.
fn session_activity(engine: &Engine, user: &str) -> Option<bool> {
    let state = engine.state();
    let session = state.team.sessions.get("session-demo")?;
    let participant = session
        .participants
        .iter()
        .find(|p| p.id.as_str() == user)?;
    Some(
        session
            .activity
            .get(user)
            .copied()
            .unwrap_or(participant.is_active),
    )
}

/// Waits until the lead's client sees `user` in the demo's session, active or idle.
async fn wait_session_activity(engine: &Engine, user: &str, active: bool, within: Duration) {
    poll(
        &format!(
            "{user} {} in the coaching session",
            if active { "active" } else { "idle" }
        ),
        within,
        async || (session_activity(engine, user) == Some(active)).then_some(()),
    )
    .await;
}

/// Waits until the lead's client sees `user` as `status`; returns when (after `since`).
async fn wait_presence(
    engine: &Engine,
    user: &str,
    status: PresenceStatus,
    within: Duration,
    since: Instant,
) -> Duration {
    let mut last = None;
    poll(
        &format!("the hub to report {user} {status:?}"),
        within,
        async || {
            let now = presence_of(engine, user);
            if now != last {
                println!("{:?}: {user} is {now:?}", since.elapsed());
                last = now;
            }
            (now == Some(status)).then(|| since.elapsed())
        },
    )
    .await
}

/// The idle limit the app gets through its test hook.
const AWAY_AFTER: Duration = Duration::from_secs(6);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_idle_at_the_x_server_turns_the_user_away_and_input_back_online() {
    let mut env = TestEnv::new("idle_away");
    env.start_keyring("e2e-keyring-password").await;
    let hub = TestHub::start(&env.root.join("hub")).await;

    // The other side: the team leader's client, watching the team's presence on the hub.
    let lead_dir = env.root.join("lead-client");
    std::fs::create_dir_all(&lead_dir).expect("lead client's directory");
    let lead = Engine::open(
        &lead_dir,
        EngineConfig {
            namespaces: vec![Namespace::Main],
            ..EngineConfig::default()
        },
        Arc::new(StaticTokens::new(hub.url(), hub.login("lead").await)),
    )
    .await
    .expect("the lead's client starts");

    let poll_ms = "250";
    let away_secs = AWAY_AFTER.as_secs().to_string();
    let app = env
        .launch(
            &[],
            &[
                ("SIDELINE_IDLE_POLL_MS", poll_ms),
                ("SIDELINE_IDLE_AWAY_SECS", &away_secs),
            ],
            "[data-testid=welcome]",
        )
        .await;
    sign_in(&app, &hub.url(), "agent01", PASSWORD).await;
    // The agent joins the demo's coaching session (the lead's client is in its room): idling
    // marks them idle there too.
    open_view(&app, "team").await;
    app.click("[data-session-id=session-demo] [data-testid=session-join]")
        .await;
    poll("agent01 in the coaching session", UI_DEADLINE, async || {
        session_activity(&lead, "agent01").map(|_| ())
    })
    .await;
    // WebDriver's typing goes through WebKit, not the X server: the X idle time ran on, and the
    // app may already have reported away. Input for a few of its polls (so that any such away
    // is taken back first), then none until the app reports away.
    let mut step = 0;
    for _ in 0..6 {
        move_pointer(&mut step);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    move_pointer(&mut step);
    let last_input = Instant::now();
    wait_presence(
        &lead,
        "agent01",
        PresenceStatus::Online,
        UI_DEADLINE,
        last_input,
    )
    .await;
    let away = wait_presence(
        &lead,
        "agent01",
        PresenceStatus::Away,
        AWAY_AFTER + Duration::from_secs(20),
        last_input,
    )
    .await;
    println!("away {away:?} after the last input (limit {AWAY_AFTER:?})");
    assert!(
        away >= AWAY_AFTER - Duration::from_millis(500),
        "away only once the X server was idle for the limit: after {away:?}"
    );
    wait_session_activity(&lead, "agent01", false, Duration::from_secs(10)).await;

    // Input at the X server: online again within a few polls.
    move_pointer(&mut step);
    let moved = Instant::now();
    let back = wait_presence(
        &lead,
        "agent01",
        PresenceStatus::Online,
        Duration::from_secs(10),
        moved,
    )
    .await;
    println!("online {back:?} after the pointer moved");
    wait_session_activity(&lead, "agent01", true, Duration::from_secs(10)).await;
    app.stop().await;
    lead.shutdown().await;
}

/// The `.desktop` files in the test's XDG autostart directory.
fn autostart_entries(env: &TestEnv) -> Vec<(std::path::PathBuf, String)> {
    let dir = env.home.join(".config").join("autostart");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "desktop"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            (p, text)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_autostart_setting_writes_and_removes_the_login_entry() {
    let env = TestEnv::new("autostart");
    let app = env
        .launch(
            &["--demo"],
            &[("SIDELINE_DEMO_RATE", "0")],
            crate::flows::STATUS,
        )
        .await;
    crate::flows::open_view(&app, "settings").await;
    assert!(
        autostart_entries(&env).is_empty(),
        "no login entry before the setting is on: {:?}",
        autostart_entries(&env)
    );

    // On: the session's autostart directory gets an entry that starts this binary.
    app.click("[data-testid=autostart]").await;
    let (path, text) = poll("an autostart entry", UI_DEADLINE, async || {
        autostart_entries(&env).into_iter().next()
    })
    .await;
    println!("{}:\n{text}", path.display());
    let binary = app.app_binary();
    assert!(
        text.lines()
            .any(|l| l.starts_with("Exec=") && l.contains(&*binary.to_string_lossy())),
        "the entry starts {}: {text}",
        binary.display()
    );
    let settings = app
        .invoke("settings", json!({}))
        .await
        .unwrap_or_else(|e| panic!("settings: {e}"));
    assert_eq!(settings["autostart"], true, "the setting is on: {settings}");

    // Off: the entry is gone.
    app.click("[data-testid=autostart]").await;
    poll("the autostart entry to go", UI_DEADLINE, async || {
        autostart_entries(&env).is_empty().then_some(())
    })
    .await;
    app.stop().await;
}
