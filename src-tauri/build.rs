//! Build script of the desktop app: Tauri's code generation, plus an ACL in which the app's own
//! commands are denied unless a capability grants them (see `capabilities/main-window.json`).

/// Every command the UI may call. A command missing here cannot be granted, and a granted one
/// missing from the invoke handler fails loudly at first call.
const COMMANDS: &[&str] = &["app_info", "connection_status"];

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
