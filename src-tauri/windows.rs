//! The app's windows: `main` (declared in `tauri.conf.json`; closing it hides it to the tray),
//! `quick-capture` and `tv`, created on demand and reused while open. All load the same
//! `index.html`; the UI picks its root component from the window label.

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// The main window's label.
pub const MAIN: &str = "main";
/// The quick-capture window's label.
pub const QUICK_CAPTURE: &str = "quick-capture";
/// The TV window's label.
pub const TV: &str = "tv";

/// Shows, unminimises and focuses the main window.
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Opens (or focuses) the small always-on-top quick-capture window.
pub fn open_quick_capture<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(QUICK_CAPTURE) {
        window.show()?;
        return window.set_focus();
    }
    WebviewWindowBuilder::new(app, QUICK_CAPTURE, WebviewUrl::App("index.html".into()))
        .title("Sideline — quick note")
        .inner_size(420.0, 360.0)
        .always_on_top(true)
        .center()
        .resizable(false)
        .focused(true)
        .build()?;
    Ok(())
}

/// Opens (or focuses) the fullscreen, undecorated TV window.
pub fn open_tv<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(TV) {
        window.show()?;
        return window.set_focus();
    }
    let mut builder = WebviewWindowBuilder::new(app, TV, WebviewUrl::App("index.html".into()))
        .title("Sideline TV")
        .fullscreen(true)
        .decorations(false)
        .focused(true);
    // Without a window manager (a kiosk X session, Xvfb) "fullscreen" is only a hint nobody
    // acts on: cover the monitor explicitly as well.
    if let Ok(Some(monitor)) = app.primary_monitor() {
        let size = monitor.size().to_logical::<f64>(monitor.scale_factor());
        let at = monitor.position().to_logical::<f64>(monitor.scale_factor());
        builder = builder
            .inner_size(size.width, size.height)
            .position(at.x, at.y);
    }
    builder.build()?;
    Ok(())
}
