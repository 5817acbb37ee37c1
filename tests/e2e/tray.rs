//! The tray as a desktop panel sees it: the app registers a StatusNotifierItem with the test's
//! own `org.kde.StatusNotifierWatcher`; the test reads its label (the unread count) and its
//! menu over `com.canonical.dbusmenu`, and clicks the entries: Do not disturb toggles the
//! setting, Open shows the hidden main window, TV mode and Quick note open their windows, Quit
//! ends the app.

use std::time::Duration;

use serde_json::json;

use crate::flows::sign_in;
use crate::harness::{RunningApp, TestEnv, UI_DEADLINE, poll, viewable_x_windows};
use crate::hub::{PASSWORD, TestHub};
use crate::status_notifier::{MenuEntry, StatusNotifierWatcher, TrayItem};

/// The tray menu's entries in order (`None`: the separator).
const MENU: &[Option<&str>] = &[
    Some("Open Sideline"),
    Some("Quick note"),
    Some("TV mode"),
    Some("Do not disturb"),
    None,
    Some("Quit"),
];

/// The do-not-disturb setting as the `settings` command reports it.
async fn do_not_disturb(app: &RunningApp) -> bool {
    let settings = app
        .invoke("settings", json!({}))
        .await
        .unwrap_or_else(|e| panic!("settings: {e}"));
    settings["alerts"]["doNotDisturb"]
        .as_bool()
        .unwrap_or_else(|| panic!("no alerts.doNotDisturb in {settings}"))
}

/// Waits until do-not-disturb is `on` in the setting, the UI's toggle and the tray's check
/// mark.
async fn wait_do_not_disturb(app: &RunningApp, item: &TrayItem, on: bool) {
    let mut last = None;
    poll(
        &format!("do-not-disturb to be {on} in the settings, the UI and the tray"),
        UI_DEADLINE,
        async || {
            let setting = do_not_disturb(app).await;
            let pressed = app
                .try_attr("[data-testid=dnd-toggle]", "aria-pressed")
                .await;
            let entry = item.entry("Do not disturb", UI_DEADLINE).await;
            let now = (setting, pressed.clone(), entry.toggle_state);
            if last.as_ref() != Some(&now) {
                println!("do-not-disturb: setting {setting}, UI {pressed:?}, tray {entry:?}");
                last = Some(now);
            }
            (setting == on
                && pressed.as_deref() == Some(if on { "true" } else { "false" })
                && entry.toggle_state == i32::from(on))
            .then_some(())
        },
    )
    .await;
}

fn shape(menu: &[MenuEntry]) -> Vec<Option<&str>> {
    menu.iter()
        .filter(|e| e.visible)
        .map(|e| (e.kind != "separator").then_some(e.label.as_str()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tray_menu_drives_the_app_and_shows_the_unread_count() {
    let mut env = TestEnv::new("tray_menu");
    env.start_keyring("e2e-keyring-password").await;
    // The panel first: appindicator looks for a watcher when the tray is created.
    let watcher = StatusNotifierWatcher::own(env.bus_address()).await;
    let hub = TestHub::start(&env.root.join("hub")).await;
    let app = env.launch(&[], &[], "[data-testid=welcome]").await;
    let main = app.client.window().await.expect("main window handle");

    let item = watcher.wait_for_item(UI_DEADLINE).await;
    println!(
        "tray item {}{}: Id {:?}, Title {:?}, Status {:?}, registrations {:?}",
        item.destination,
        item.path,
        item.string_property("Id").await,
        item.string_property("Title").await,
        item.string_property("Status").await,
        watcher.registrations()
    );
    assert_eq!(
        item.string_property("Status").await.ok().as_deref(),
        Some("Active"),
        "the tray item is shown"
    );
    let menu = item.menu().await.expect("GetLayout of the tray menu");
    println!("tray menu: {menu:?}");
    assert_eq!(shape(&menu), MENU, "the tray menu's entries");
    let dnd = item.entry("Do not disturb", UI_DEADLINE).await;
    assert_eq!(
        dnd.toggle_type, "checkmark",
        "do-not-disturb is a check item"
    );
    assert_eq!(dnd.toggle_state, 0, "do-not-disturb starts off");

    // The unread count: nothing while there is nothing unread, the count once there is.
    sign_in(&app, &hub.url(), "agent01", PASSWORD).await;
    assert_eq!(
        item.string_property("XAyatanaLabel").await.ok().as_deref(),
        Some(""),
        "no count beside the tray icon with nothing unread"
    );
    let lead = hub.login("lead").await;
    for n in 1..=2 {
        let (status, body) = hub
            .post(
                "/api/v1/notifications",
                &lead,
                json!({
                    "clientId": format!("0190aaaa-0000-7000-8000-00000000000{n}"),
                    "userId": "agent01",
                    "type": "info",
                    "message": format!("Tray test notification {n}"),
                }),
            )
            .await;
        assert!(status == 201, "send notification {n} to agent01: {body}");
    }
    app.wait_text("[data-testid=unread-badge]", "2", UI_DEADLINE)
        .await;
    let mut label = None;
    poll(
        "the tray's label to show 2 unread",
        UI_DEADLINE,
        async || {
            label = item.string_property("XAyatanaLabel").await.ok();
            (label.as_deref() == Some("2")).then_some(())
        },
    )
    .await;

    // Do not disturb, from the tray, both ways.
    assert!(!do_not_disturb(&app).await, "do-not-disturb starts off");
    item.click("Do not disturb").await;
    wait_do_not_disturb(&app, &item, true).await;
    item.click("Do not disturb").await;
    wait_do_not_disturb(&app, &item, false).await;

    // Open: the main window, hidden to the tray, comes back.
    app.wait_main_window_visible(true, UI_DEADLINE).await;
    app.invoke("close_window", json!({}))
        .await
        .unwrap_or_else(|e| panic!("close_window: {e}"));
    app.wait_main_window_visible(false, UI_DEADLINE).await;
    assert!(
        !app.app_pids().is_empty(),
        "closing the main window kept the app running (in the tray)"
    );
    item.click("Open Sideline").await;
    app.wait_main_window_visible(true, UI_DEADLINE).await;

    // TV mode: a new, full-screen window.
    let known = app.client.windows().await.expect("window handles");
    assert!(
        viewable_x_windows("^Sideline TV$").is_empty(),
        "no TV window before the click"
    );
    item.click("TV mode").await;
    app.switch_to_new_window(&known, UI_DEADLINE).await;
    app.wait_for("[data-testid=tv-board]").await;
    poll("the TV window on screen", UI_DEADLINE, async || {
        (!viewable_x_windows("^Sideline TV$").is_empty()).then_some(())
    })
    .await;
    app.screenshot("tray-tv-mode").await;

    // Quick note: the small capture window.
    let known = app.client.windows().await.expect("window handles");
    item.click("Quick note").await;
    app.switch_to_new_window(&known, UI_DEADLINE).await;
    app.wait_for("[data-testid=quick-capture]").await;
    app.wait_for("[data-testid=note-form]").await;
    app.client
        .switch_to_window(main)
        .await
        .expect("back to the main window");

    // Quit: the process ends, and its tray item with it.
    item.click("Quit").await;
    app.wait_exited(Duration::from_secs(30)).await;
    poll(
        "the tray item's connection to leave the bus",
        Duration::from_secs(10),
        async || (!watcher.name_has_owner(&item.destination).await).then_some(()),
    )
    .await;
    app.stop().await;
}
