//! Tauri commands: each takes state, calls the core, maps the error.

use serde::Serialize;
use tauri::{AppHandle, Manager};

use crate::error::{CommandError, ErrorCode};
use sideline_client::ConnectionStatus;

/// What the About line and the diagnostics show.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// The app's version, from `Cargo.toml`.
    pub version: String,
    /// Where the app keeps its outbox, event cache and settings.
    pub data_dir: String,
    /// How many events the protocol defines, a quick check the UI and core agree.
    pub protocol_events: u32,
}

#[tauri::command]
pub fn app_info(app: AppHandle) -> Result<AppInfo, CommandError> {
    let data_dir = app
        .path()
        .app_data_dir()
        .map_err(|err| CommandError::new(ErrorCode::DataDirUnavailable, err.to_string()))?;
    Ok(AppInfo {
        version: app.package_info().version.to_string(),
        data_dir: data_dir.display().to_string(),
        protocol_events: sideline_protocol::catalogue().count() as u32,
    })
}

/// The status bar's connection state. No hub is configured yet in this build (sign-in and the
/// engine arrive with the desktop-app step), so the honest answer is `Offline`.
#[tauri::command]
pub fn connection_status() -> ConnectionStatus {
    ConnectionStatus::Offline
}
