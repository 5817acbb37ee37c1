//! The app's windows: `main` (declared in `tauri.conf.json`; closing it hides it to the tray),
//! `quick-capture` and `tv`, created on demand and reused while open. All load the same
//! `index.html`; the UI picks its root component from the window label. How WebKit draws them
//! (compositing or not) is chosen once at start: [`draw_without_compositing_unless_gpu`].

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

/// WebKitGTK's own switch for drawing pages without compositing, read once at start.
#[cfg(target_os = "linux")]
const DISABLE_COMPOSITING_ENV: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Without a GPU render node, WebKitGTK composites every page through software OpenGL (Mesa's
/// llvmpipe): a GL stack loaded in the app and in WebKit's web process, and the CPU time of
/// emulating a GPU, for pages that a software painter draws directly. So without one, every
/// window draws without compositing (`docs/benchmarks.md`: the demo's idle memory 325 → 248
/// MiB, and the TV's frame rate under a ranking storm). With a GPU, WebKit's default stays; a
/// value the user set wins either way. Returns whether compositing was turned off.
///
/// # Safety
///
/// No other thread may exist yet: it changes the environment, which WebKit reads later and
/// its web process inherits. Call it first thing in `main`.
#[allow(unsafe_code)]
pub unsafe fn draw_without_compositing_unless_gpu() -> bool {
    #[cfg(target_os = "linux")]
    if should_disable_compositing(
        std::env::var_os(DISABLE_COMPOSITING_ENV).as_deref(),
        std::path::Path::new("/dev/dri"),
    ) {
        // SAFETY: the caller guarantees that no other thread exists to read the environment.
        unsafe { std::env::set_var(DISABLE_COMPOSITING_ENV, "1") };
        return true;
    }
    false
}

/// The rule of [`draw_without_compositing_unless_gpu`]: the user's value of WebKit's switch,
/// if any, stands; otherwise compositing goes when `dev_dri` has no render node.
#[cfg(target_os = "linux")]
fn should_disable_compositing(
    user_value: Option<&std::ffi::OsStr>,
    dev_dri: &std::path::Path,
) -> bool {
    user_value.is_none() && !has_gpu_render_node(dev_dri)
}

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
    use super::{has_gpu_render_node, should_disable_compositing};

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

    #[test]
    fn compositing_goes_only_without_a_gpu_and_without_a_user_choice() {
        let dri = tempfile::tempdir().unwrap();
        assert!(should_disable_compositing(None, dri.path()));
        let user_said = std::ffi::OsStr::new("0");
        assert!(!should_disable_compositing(Some(user_said), dri.path()));
        std::fs::write(dri.path().join("renderD128"), "").unwrap();
        assert!(!should_disable_compositing(None, dri.path()));
    }
}
