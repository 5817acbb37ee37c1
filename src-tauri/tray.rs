//! The tray icon: Open, Quick note, TV mode, Do not disturb (a check item kept in step with the
//! settings both ways), Quit; the tooltip (and the main window's badge where the platform has
//! one) shows the unread count. On Linux the tray needs libayatana-appindicator3 at run time:
//! when it cannot be created the app logs it and runs without one. A StatusNotifierItem from
//! appindicator has no tooltip, so there the count is the label beside the icon instead.

use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

use crate::windows;

/// The tray icon's id.
pub const TRAY_ID: &str = "sideline";

/// The tray's do-not-disturb item, kept in managed state to update its check mark.
struct DndItem<R: Runtime>(CheckMenuItem<R>);

/// Creates the tray; `dnd` is the current do-not-disturb setting.
pub fn create<R: Runtime>(app: &AppHandle<R>, dnd: bool) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Sideline", true, None::<&str>)?;
    let note = MenuItem::with_id(app, "quick-note", "Quick note", true, None::<&str>)?;
    let tv = MenuItem::with_id(app, "tv", "TV mode", true, None::<&str>)?;
    let dnd_item = CheckMenuItem::with_id(app, "dnd", "Do not disturb", true, dnd, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&open, &note, &tv, &dnd_item, &separator, &quit])?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .menu(&menu)
        .tooltip("Sideline")
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => windows::show_main(app),
            "quick-note" => {
                if let Err(err) = windows::open_quick_capture(app) {
                    tracing::warn!(error = %err, "could not open the quick-capture window");
                }
            }
            "tv" => {
                if let Err(err) = windows::open_tv(app) {
                    tracing::warn!(error = %err, "could not open the TV window");
                }
            }
            "dnd" => {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    let on = !crate::commands::do_not_disturb(&app).await;
                    if let Err(err) = crate::commands::apply_do_not_disturb(&app, on).await {
                        tracing::warn!(error = %err, "could not change do-not-disturb");
                    }
                });
            }
            "quit" => crate::quit(app),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    app.manage(DndItem(dnd_item));
    Ok(())
}

/// Puts the check mark of the tray's do-not-disturb item in step with the setting.
pub fn show_do_not_disturb<R: Runtime>(app: &AppHandle<R>, on: bool) {
    if let Some(item) = app.try_state::<DndItem<R>>() {
        let _ = item.0.set_checked(on);
    }
}

/// Shows the unread count in the tray tooltip and, where the platform has one, the badge.
pub fn show_unread<R: Runtime>(app: &AppHandle<R>, unread: usize) {
    let tooltip = if unread == 0 {
        "Sideline".to_owned()
    } else {
        format!("Sideline — {unread} unread")
    };
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        let _ = tray.set_tooltip(Some(tooltip));
        // Linux: set_tooltip does nothing (appindicator exports no tooltip); the label does
        // show, beside the icon (its `XAyatanaLabel`).
        #[cfg(target_os = "linux")]
        let _ = tray.set_title((unread > 0).then(|| unread.to_string()));
    }
    if let Some(window) = app.get_webview_window(windows::MAIN) {
        let count = (unread > 0).then_some(unread as i64);
        // Unsupported on some platforms and desktops: nothing to do then.
        let _ = window.set_badge_count(count);
    }
}
