//! Native alerts: a rank change of the signed-in agent becomes exactly one real D-Bus
//! `Notify`, still one after the hub restarts and the app replays, and clicking it opens the
//! alert's view.

use std::time::Duration;

use serde_json::json;

use crate::flows::{RECONNECT_DEADLINE, STATUS, open_view, sign_in, wait_not_live};
use crate::harness::{TestEnv, UI_DEADLINE, poll};
use crate::hub::{PASSWORD, TestHub};
use crate::notifications::{NotificationServer, Notified};

/// How long "exactly one" is watched for after the first alert arrived.
const QUIET: Duration = Duration::from_secs(6);

/// Noon on 2 January of this year: a sale then counts on this year's boards only (not
/// today's, this week's, month's or quarter's), so it moves exactly one board. (From January
/// to March it also counts on the quarter's board, which would move a second board: the test
/// assumes it runs later in the year, and says so below when it does not.)
pub(crate) fn early_this_year() -> String {
    use chrono::Datelike;
    format!("{}-01-02T12:00:00Z", chrono::Utc::now().year())
}

fn rank_alerts(calls: &[Notified], rank: u32) -> Vec<Notified> {
    let needle = format!("#{rank}");
    calls
        .iter()
        .filter(|n| n.text().contains(&needle))
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rank_change_alerts_once_and_a_click_opens_the_leaderboard() {
    let mut env = TestEnv::new("rank_alert");
    env.start_keyring("e2e-keyring-password").await;
    let notifications = NotificationServer::own(env.bus_address()).await;
    let mut hub = TestHub::start(&env.root.join("hub")).await;

    // This year's revenue board before the agent signs in: agent01, agent02, agent03.
    let lead = hub.login("lead").await;
    let at = early_this_year();
    println!("sales dated {at} (this year's boards only, outside January to March)");
    for (seller, revenue) in [
        ("agent01", 3000.0),
        ("agent02", 2000.0),
        ("agent03", 1000.0),
    ] {
        let (status, body) = hub
            .post(
                "/api/v1/sales",
                &lead,
                json!({ "sellerId": seller, "values": { "revenue": revenue }, "at": at }),
            )
            .await;
        assert_eq!(status, 201, "record a sale of {seller}: {body}");
    }

    let app = env.launch(&[], &[], "[data-testid=welcome]").await;
    sign_in(&app, &hub.url(), "agent03", PASSWORD).await;
    open_view(&app, "leaderboard").await;
    let before = notifications.calls();
    assert!(
        rank_alerts(&before, 2).is_empty(),
        "an alert before the rank changed: {before:?}"
    );

    // 1,000 + 1,500 passes agent02's 2,000: agent03 moves from #3 to #2 on one board.
    let (status, body) = hub
        .post(
            "/api/v1/sales",
            &lead,
            json!({ "sellerId": "agent03", "values": { "revenue": 1500.0 }, "at": at }),
        )
        .await;
    assert_eq!(status, 201, "record agent03's sale: {body}");
    println!("sale recorded: {body}");

    let first = poll("a Notify naming rank #2", UI_DEADLINE, async || {
        rank_alerts(&notifications.calls(), 2).first().cloned()
    })
    .await;
    println!("alert: {first:?}");
    assert_eq!(first.app_name, "Sideline");
    assert!(
        first.actions.iter().step_by(2).any(|key| key == "default"),
        "the alert has a default action (what a click invokes): {:?}",
        first.actions
    );
    tokio::time::sleep(QUIET).await;
    let alerts = rank_alerts(&notifications.calls(), 2);
    assert_eq!(
        alerts.len(),
        1,
        "exactly one alert for the rank change: {:?}",
        notifications.calls()
    );

    // A reconnect replays what the app missed; the alert must not repeat.
    hub.stop().await;
    wait_not_live(&app, UI_DEADLINE).await;
    hub.restart().await;
    app.wait_text(STATUS, "live", RECONNECT_DEADLINE).await;
    tokio::time::sleep(QUIET).await;
    let alerts = rank_alerts(&notifications.calls(), 2);
    assert_eq!(
        alerts.len(),
        1,
        "still exactly one alert after the reconnect: {:?}",
        notifications.calls()
    );

    // Clicking it (the default action) brings the main window to the alert's view.
    open_view(&app, "notes").await;
    notifications.click(first.id, "default").await;
    app.wait_for("[data-testid=view-leaderboard]").await;
    app.screenshot("alert-clicked").await;

    // Do not disturb: the next rank change (#2 to #1) raises no alert.
    app.click("[data-testid=dnd-toggle]").await;
    poll("do-not-disturb to be on", UI_DEADLINE, async || {
        let pressed = app
            .try_attr("[data-testid=dnd-toggle]", "aria-pressed")
            .await;
        (pressed.as_deref() == Some("true")).then_some(())
    })
    .await;
    let (status, body) = hub
        .post(
            "/api/v1/sales",
            &lead,
            json!({ "sellerId": "agent03", "values": { "revenue": 1000.0 }, "at": at }),
        )
        .await;
    assert_eq!(status, 201, "record agent03's second sale: {body}");
    assert!(
        body["rankChanges"].as_u64() >= Some(1),
        "the sale moved agent03 to #1: {body}"
    );
    // The rank change reaches the app within milliseconds; the quiet window is what counts.
    tokio::time::sleep(QUIET).await;
    assert!(
        rank_alerts(&notifications.calls(), 1).is_empty(),
        "an alert while do-not-disturb was on: {:?}",
        notifications.calls()
    );
    println!("every Notify: {:?}", notifications.calls());
    app.stop().await;
}
