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
    let window = builder.build()?;
    software_rendering_for_tv(&window);
    Ok(())
}

/// Without a GPU, WebKitGTK composites the page through software OpenGL (Mesa llvmpipe), and
/// on a wall display busy with live updates that costs more than it saves: the TV draws its
/// page without compositing there (in the TV benchmark, 51 → 59 fps). With a GPU render node,
/// and in the other windows (their pages are mostly static), WebKit's default stays.
#[cfg(target_os = "linux")]
fn software_rendering_for_tv<R: Runtime>(window: &tauri::WebviewWindow<R>) {
    if has_gpu_render_node(std::path::Path::new("/dev/dri")) {
        return;
    }
    tracing::info!("no GPU render node: the TV window draws without compositing");
    let set = window.with_webview(|webview| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
        if let Some(settings) = webview.inner().settings() {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
    if let Err(err) = set {
        tracing::warn!(error = %err, "could not set the TV window's rendering mode");
    }
}

#[cfg(not(target_os = "linux"))]
fn software_rendering_for_tv<R: Runtime>(_window: &tauri::WebviewWindow<R>) {}

/// Whether `dev_dri` (the DRM device directory) holds a render node (`renderD128`, …): a GPU
/// that OpenGL can draw on. Display-only devices (`card0` alone) and a missing directory
/// (Xvfb in a container) mean software OpenGL.
#[cfg(target_os = "linux")]
fn has_gpu_render_node(dev_dri: &std::path::Path) -> bool {
    std::fs::read_dir(dev_dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    })
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::has_gpu_render_node;

    #[test]
    fn only_a_render_node_counts_as_a_gpu() {
        let dri = tempfile::tempdir().unwrap();
        assert!(!has_gpu_render_node(&dri.path().join("missing")));
        assert!(!has_gpu_render_node(dri.path()));
        std::fs::write(dri.path().join("card0"), "").unwrap();
        assert!(!has_gpu_render_node(dri.path()));
        std::fs::write(dri.path().join("renderD128"), "").unwrap();
        assert!(has_gpu_render_node(dri.path()));
    }
}
