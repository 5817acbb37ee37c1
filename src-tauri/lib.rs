//! Sideline's desktop shell: a thin Tauri 2 layer over the Tauri-free core crates.
//!
//! # Layout
//! - [`commands`]: the Tauri commands the UI calls. Each takes state, calls the core, maps the
//!   error; nothing else lives there.
//! - [`error`]: [`CommandError`], the `{ code, message }` shape every command failure reaches
//!   the UI as, so the UI branches on codes, never on message text.
//! - [`bindings`]: the TypeScript types of the command surface, generated into `ui/src/lib/ipc/`.
//!
//! Data flows one way: the UI invokes a command, the command asks the core crates
//! (`sideline-client`, `sideline-protocol`), the answer goes back as JSON. Later, engine
//! changes are pushed to the UI as Tauri events.

pub mod bindings;
pub mod commands;
pub mod error;

pub use error::{CommandError, ErrorCode};

use tauri::Manager;

/// Builds and runs the app until the last window closes.
pub fn run() {
    tauri::Builder::default()
        .setup(|app| {
            // The data directory holds the outbox and the event cache: create it up front so a
            // read-only or full disk is reported at start, not at the first capture.
            let data_dir = app.path().app_data_dir()?;
            std::fs::create_dir_all(&data_dir)?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::connection_status
        ])
        .run(tauri::generate_context!())
        .expect("the Tauri runtime failed to start");
}
