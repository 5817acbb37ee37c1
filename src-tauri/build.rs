//! Build script of the desktop app: Tauri's code generation, plus an ACL in which the app's own
//! commands are denied unless a capability grants them (see `capabilities/*.json`: one file per window).

/// Every command the UI may call. A command missing here cannot be granted, and a granted one
/// missing from the invoke handler fails loudly at first call.
const COMMANDS: &[&str] = &[
    "app_info",
    "connection_status",
    "session",
    "sign_in",
    "sign_in_display",
    "start_demo",
    "switch_profile",
    "sign_out",
    "remove_profile",
    "app_state",
    "capture_note",
    "capture_action_item",
    "note_history",
    "action_item_history",
    "notification_history",
    "send_event",
    "retry_now",
    "settings",
    "set_settings",
    "set_do_not_disturb",
    "open_quick_capture",
    "open_tv",
    "close_window",
    "state_feed",
    "set_tv_pin",
    "verify_tv_pin",
];

fn main() {
    // Tauri embeds `ui/dist` at compile time with the `custom-protocol` feature; say how to get
    // it instead of failing deep inside a macro.
    if std::env::var_os("CARGO_FEATURE_CUSTOM_PROTOCOL").is_some()
        && !std::path::Path::new("ui/dist/index.html").exists()
    {
        println!(
            "cargo::error=ui/dist is missing: run `cargo xtask build-ui` (or `npm --prefix ui ci && npm --prefix ui run build`) first"
        );
    }
    println!("cargo::rerun-if-changed=ui/dist");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step failed");
}
