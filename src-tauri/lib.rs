//! Sideline's desktop shell: a thin Tauri 2 layer over the Tauri-free core crates.
//!
//! # Layout
//! - [`commands`]: the Tauri commands the UI calls. Each takes state, calls the core, maps the
//!   error; nothing else lives there.
//! - [`session`]: [`session::Session`] in managed state (`app.session()`): the profiles
//!   (`sideline_client::profiles`), the active [`sideline_client::Engine`] and, in demo mode,
//!   the embedded hub. Switching stops the old engine before the new one starts.
//! - [`forward`]: per engine, tasks that push state patches (`state`), native alerts
//!   (notify-rust; a click emits `navigate`) and celebrations (`celebration`) out.
//!   [`feeds`]: how often each window takes state patches (paused while hidden, the TV slower).
//! - [`windows`]: `main`, `quick-capture` and `tv`, and whether WebKit composites them (not
//!   without a GPU). [`tray`]: the tray menu and unread count.
//! - [`idle`]: system idle time → presence away / online.
//! - [`logs`]: the rolling log file. [`error`]: [`CommandError`], the `{ code, message }`
//!   shape every command failure reaches the UI as.
//! - [`bindings`]: the TypeScript types of the command surface, generated into `ui/src/lib/ipc/`.
//!
//! # Data flow
//!
//! ```text
//! UI ─invoke─▶ commands ─▶ Session (profiles, Engine) ─▶ core crates ─▶ { code, message } | value
//! Engine ─watch<StateUpdate>─▶ forward ─emit_to("state", StatePatch)─▶ each window, at its pace
//!        ─broadcast<Alert>──▶ forward ─▶ notify-rust ─click─▶ show main + emit("navigate")
//!        ─broadcast<LiveEvent>▶ forward ─emit("celebration")─▶ TV window
//! tray / global shortcut / single instance ─▶ windows
//! ```

pub mod bindings;
pub mod commands;
pub mod error;
pub mod feeds;
pub mod forward;
pub mod idle;
pub mod logs;
pub mod session;
pub mod tray;
pub mod windows;

pub use error::{CommandError, ErrorCode};

use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use sideline_client::Profiles;
use tauri::{AppHandle, Manager, RunEvent, Runtime, WindowEvent};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, ShortcutState};

use crate::session::SessionExt;

/// When the process started (as near as the app can tell): the startup probe's origin.
pub static PROCESS_START: LazyLock<Instant> = LazyLock::new(Instant::now);

/// The quick-capture shortcut.
pub const QUICK_CAPTURE_SHORTCUT: &str = "CommandOrControl+Shift+N";

/// `sideline-app [--demo] [--tv]`.
#[derive(Debug, Clone, Default, Parser)]
#[command(
    name = "sideline-app",
    version,
    about = "Sideline, the desktop companion for team leaders"
)]
pub struct Args {
    /// Open straight into the demo (an embedded hub with its simulator).
    #[arg(long)]
    pub demo: bool,
    /// Open the TV window (fullscreen wall display) instead of the main window.
    #[arg(long)]
    pub tv: bool,
}

impl Args {
    /// The command line; unknown arguments (a WebDriver's, a desktop launcher's) are ignored.
    pub fn from_env() -> Args {
        match Args::try_parse() {
            Ok(args) => args,
            Err(err)
                if matches!(
                    err.kind(),
                    clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
                ) =>
            {
                err.exit()
            }
            Err(_) => Args::from_list(std::env::args()),
        }
    }

    fn from_list(args: impl IntoIterator<Item = String>) -> Args {
        let mut parsed = Args::default();
        for arg in args {
            match arg.as_str() {
                "--demo" => parsed.demo = true,
                "--tv" => parsed.tv = true,
                _ => {}
            }
        }
        parsed
    }
}

/// Set once the engine has been shut down for exit; the next exit request goes through.
static SHUT_DOWN: AtomicBool = AtomicBool::new(false);
/// Set when quitting starts.
static QUITTING: AtomicBool = AtomicBool::new(false);

/// Whether a tray icon exists (if not, closing the main window quits instead of hiding).
struct TrayAvailable(bool);

/// Builds and runs the app until Quit. `main` calls it first, before any other thread exists.
pub fn run() {
    LazyLock::force(&PROCESS_START);
    // SAFETY: `main` calls `run` first, before any other thread exists. This process embeds
    // the demo's hub, and WebKit's processes inherit the threshold (idle memory of the demo,
    // 376 → 329 MiB: `docs/benchmarks.md`); WebKit reads its compositing switch later.
    #[allow(unsafe_code)]
    let compositing_off = unsafe {
        sideline_hub::memory::pin_mmap_threshold();
        windows::draw_without_compositing_unless_gpu()
    };
    let args = Args::from_env();
    let app = tauri::Builder::default()
        // First, so that a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            if Args::from_list(argv).tv {
                if let Err(err) = windows::open_tv(app) {
                    tracing::warn!(error = %err, "could not open the TV window");
                }
            } else {
                windows::show_main(app);
            }
        }))
        .plugin(
            tauri_plugin_window_state::Builder::new()
                .with_denylist(&[windows::QUICK_CAPTURE, windows::TV])
                // Visibility is the app's business (hidden to the tray, or `--tv`).
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all()
                        - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .build(),
        )
        .plugin(
            tauri_plugin_global_shortcut::Builder::new()
                .with_handler(|app, _shortcut, event| {
                    if event.state == ShortcutState::Pressed
                        && let Err(err) = windows::open_quick_capture(app)
                    {
                        tracing::warn!(error = %err, "could not open the quick-capture window");
                    }
                })
                .build(),
        )
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .setup(move |app| {
            let handle = app.handle().clone();
            let data_dir = app.path().app_data_dir()?;
            if let Ok(log_dir) = app.path().app_log_dir() {
                logs::init(&log_dir);
            }
            tracing::info!(version = %app.package_info().version, demo = args.demo, tv = args.tv, compositing_off, "starting");
            // The data directory holds profiles, outboxes and event caches: create it up front
            // so a read-only or full disk is reported at start, not at the first capture.
            std::fs::create_dir_all(&data_dir)?;
            app.manage(session::Session::new(Profiles::new(&data_dir)));
            app.manage(feeds::FeedRequests::default());

            // On Linux the tray library is loaded at run time and panics when it is missing.
            let created = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                tray::create(&handle, false)
            }));
            let tray = match created {
                Ok(Ok(())) => true,
                Ok(Err(err)) => {
                    tracing::warn!(error = %err, "no tray icon");
                    false
                }
                Err(_) => {
                    tracing::warn!("no tray icon: libayatana-appindicator3 is not installed");
                    false
                }
            };
            app.manage(TrayAvailable(tray));
            if let Err(err) = app.global_shortcut().register(QUICK_CAPTURE_SHORTCUT) {
                tracing::warn!(error = %err, "the quick-capture shortcut is not available");
            }

            if args.tv {
                windows::open_tv(&handle)?;
            } else {
                windows::show_main(&handle);
            }

            let launch = handle.clone();
            tauri::async_runtime::spawn(async move {
                launch.session().launch(&launch, args.demo).await;
                commands::emit_settings(&launch).await;
                commands::sync_autostart(&launch);
            });
            #[cfg(unix)]
            tauri::async_runtime::spawn(quit_on_signal(handle.clone()));
            tauri::async_runtime::spawn(idle::run(handle));
            Ok(())
        })
        .on_window_event(|window, event| match event {
            WindowEvent::CloseRequested { api, .. }
                if window.label() == windows::MAIN
                    && window.app_handle().state::<TrayAvailable>().0 =>
            {
                api.prevent_close();
                let _ = window.hide();
            }
            WindowEvent::Destroyed => {
                window.state::<feeds::FeedRequests>().remove(window.label());
                // Leaving TV mode (started with `--tv`, the main window hidden) lands in the
                // app, not in an invisible process.
                if window.label() == windows::TV && !QUITTING.load(Ordering::SeqCst) {
                    windows::show_main(window.app_handle());
                }
            }
            _ => {}
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::connection_status,
            commands::session,
            commands::sign_in,
            commands::sign_in_display,
            commands::start_demo,
            commands::switch_profile,
            commands::sign_out,
            commands::remove_profile,
            commands::app_state,
            commands::capture_note,
            commands::capture_action_item,
            commands::note_history,
            commands::action_item_history,
            commands::notification_history,
            commands::send_event,
            commands::retry_now,
            commands::settings,
            commands::set_settings,
            commands::set_do_not_disturb,
            commands::open_quick_capture,
            commands::open_tv,
            commands::state_feed,
            commands::close_window,
            commands::set_tv_pin,
            commands::verify_tv_pin,
        ])
        .build(tauri::generate_context!())
        .expect("the Tauri runtime failed to start");
    app.run(|app, event| {
        if let RunEvent::ExitRequested { code, api, .. } = event
            && !SHUT_DOWN.load(Ordering::SeqCst)
        {
            api.prevent_exit();
            exit_cleanly(app, code.unwrap_or(0));
        }
    });
}

/// Quit (the tray's item): stops the engine cleanly, then exits.
pub fn quit<R: Runtime>(app: &AppHandle<R>) {
    exit_cleanly(app, 0);
}

/// SIGTERM or SIGINT (`cargo xtask run`'s Ctrl-C, a session logging out) quits like the tray's
/// Quit: the engine and the demo hub stop cleanly.
#[cfg(unix)]
async fn quit_on_signal<R: Runtime>(app: AppHandle<R>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    tracing::info!("signal received: quitting");
    quit(&app);
}

fn exit_cleanly<R: Runtime>(app: &AppHandle<R>, code: i32) {
    QUITTING.store(true, Ordering::SeqCst);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Some(session) = app.try_state::<session::Session>() {
            // An engine that hangs must not keep the app from quitting.
            let _ = tokio::time::timeout(Duration::from_secs(8), session.shutdown()).await;
        }
        tracing::info!("stopped");
        SHUT_DOWN.store(true, Ordering::SeqCst);
        app.exit(code);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_are_found_among_unknown_ones() {
        let args =
            Args::from_list(["sideline-app", "--tv", "--automation", "--demo"].map(String::from));
        assert!(args.demo && args.tv);
        assert!(!Args::from_list(["sideline-app".to_owned()]).demo);
    }
}
