//! Tauri commands: each takes state, calls the core, maps the error.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sideline_client::ConnectionStatus;
use sideline_client::alerts::AlertSettings;
use sideline_client::engine::StateUpdate;
use sideline_client::hub_api::HistoryPage;
use sideline_client::outbox::{ActionItemInput, NoteInput};
use sideline_client::profiles::{self, AppSettings, TvSettings};
use sideline_client::state::work::{ActionItemView, NoteView};
use sideline_protocol::notes::{ActionItem, QuickNote};
use sideline_protocol::notifications::Notification;
use sideline_protocol::{ClientEvent, Id, Namespace};
use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewWindow};

use crate::error::{CommandError, ErrorCode};
use crate::feeds::{FeedRequests, StateFeed};
use crate::session::{SessionExt, SessionInfo};
use crate::{tray, windows};

/// What the About line and the diagnostics show.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// The app's version, from `Cargo.toml`.
    pub version: String,
    /// Where the app keeps its profiles, outboxes, event caches and settings.
    pub data_dir: String,
    /// How many events the protocol defines, a quick check the UI and core agree.
    pub protocol_events: u32,
}

/// `sign_in`'s argument.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SignInRequest {
    /// The hub's URL (`http://host:4600`).
    pub server: String,
    pub username: String,
    pub password: String,
}

/// `sign_in_display`'s argument: a display token issued by the hub (TV mode).
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DisplaySignInRequest {
    pub server: String,
    pub token: String,
}

/// The settings screen: the active profile's alert settings and the app-level ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Per profile (kept in that profile's engine database); defaults while signed out.
    pub alerts: AlertSettings,
    /// Start the app at login.
    pub autostart: bool,
    /// Minutes without input before presence goes to away; 0 = never.
    pub idle_away_minutes: u32,
    /// TV mode.
    pub tv: TvSettings,
}

#[tauri::command]
pub fn app_info<R: Runtime>(app: AppHandle<R>) -> Result<AppInfo, CommandError> {
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

/// The engine's connection status; `offline` while signed out.
#[tauri::command]
pub async fn connection_status<R: Runtime>(
    app: AppHandle<R>,
) -> Result<ConnectionStatus, CommandError> {
    Ok(match app.session().engine().await {
        Ok(engine) => engine.status().borrow().clone(),
        Err(_) => ConnectionStatus::Offline,
    })
}

#[tauri::command]
pub async fn session<R: Runtime>(app: AppHandle<R>) -> Result<SessionInfo, CommandError> {
    app.session().info().await
}

#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    request: SignInRequest,
) -> Result<SessionInfo, CommandError> {
    let info = app
        .session()
        .sign_in(&app, &request.server, &request.username, &request.password)
        .await?;
    emit_settings(&app).await;
    Ok(info)
}

#[tauri::command]
pub async fn sign_in_display<R: Runtime>(
    app: AppHandle<R>,
    request: DisplaySignInRequest,
) -> Result<SessionInfo, CommandError> {
    let info = app
        .session()
        .sign_in_display(&app, &request.server, &request.token)
        .await?;
    emit_settings(&app).await;
    Ok(info)
}

#[tauri::command]
pub async fn start_demo<R: Runtime>(app: AppHandle<R>) -> Result<SessionInfo, CommandError> {
    let info = app.session().start_demo(&app).await?;
    emit_settings(&app).await;
    Ok(info)
}

#[tauri::command]
pub async fn switch_profile<R: Runtime>(
    app: AppHandle<R>,
    id: String,
    password: Option<String>,
) -> Result<SessionInfo, CommandError> {
    let info = app
        .session()
        .switch_profile(&app, &id, password.as_deref())
        .await?;
    emit_settings(&app).await;
    Ok(info)
}

#[tauri::command]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    id: String,
) -> Result<SessionInfo, CommandError> {
    app.session().sign_out(&app, &id).await
}

#[tauri::command]
pub async fn remove_profile<R: Runtime>(
    app: AppHandle<R>,
    id: String,
) -> Result<SessionInfo, CommandError> {
    app.session().remove_profile(&app, &id).await
}

/// The whole state; an empty, offline one while signed out.
#[tauri::command]
pub async fn app_state<R: Runtime>(app: AppHandle<R>) -> Result<StateUpdate, CommandError> {
    Ok(app.session().snapshot().await)
}

#[tauri::command]
pub async fn capture_note<R: Runtime>(
    app: AppHandle<R>,
    note: NoteInput,
) -> Result<String, CommandError> {
    let engine = app.session().engine().await?;
    Ok(engine.capture_note(note).await?.to_string())
}

#[tauri::command]
pub async fn capture_action_item<R: Runtime>(
    app: AppHandle<R>,
    item: ActionItemInput,
) -> Result<String, CommandError> {
    let engine = app.session().engine().await?;
    Ok(engine.capture_action_item(item).await?.to_string())
}

/// A page of the hub's notes about an agent older than the note `before` (the newest when
/// `null`): what the state no longer keeps.
#[tauri::command]
pub async fn note_history<R: Runtime>(
    app: AppHandle<R>,
    agent_id: String,
    before: Option<String>,
) -> Result<HistoryPage<NoteView>, CommandError> {
    let (agent, before) = history_query(&agent_id, before.as_deref())?;
    let engine = app.session().engine().await?;
    Ok(engine.history::<QuickNote>(&agent, before.as_ref()).await?)
}

/// A page of the hub's action items for an agent older than the item `before`.
#[tauri::command]
pub async fn action_item_history<R: Runtime>(
    app: AppHandle<R>,
    agent_id: String,
    before: Option<String>,
) -> Result<HistoryPage<ActionItemView>, CommandError> {
    let (agent, before) = history_query(&agent_id, before.as_deref())?;
    let engine = app.session().engine().await?;
    Ok(engine
        .history::<ActionItem>(&agent, before.as_ref())
        .await?)
}

/// A page of the user's notifications older than the one `before` (the newest when `null`):
/// those the notification centre no longer keeps.
#[tauri::command]
pub async fn notification_history<R: Runtime>(
    app: AppHandle<R>,
    before: Option<String>,
) -> Result<HistoryPage<Notification>, CommandError> {
    let before = before.as_deref().map(|b| id_of("before", b)).transpose()?;
    let engine = app.session().engine().await?;
    Ok(engine.notification_history(before.as_ref()).await?)
}

/// The ids of an agent's history command, checked before anything reaches the hub.
fn history_query(agent: &str, before: Option<&str>) -> Result<(Id, Option<Id>), CommandError> {
    Ok((
        id_of("agentId", agent)?,
        before.map(|b| id_of("before", b)).transpose()?,
    ))
}

/// A command's id argument, checked: the error names the field.
fn id_of(field: &str, value: &str) -> Result<Id, CommandError> {
    Id::new(value)
        .map_err(|e| CommandError::new(ErrorCode::InvalidInput, format!("{field}: {}", e.rule)))
}

/// Emits a client event after decoding and validating it like the hub will.
#[tauri::command]
pub async fn send_event<R: Runtime>(
    app: AppHandle<R>,
    namespace: String,
    name: String,
    payload: Value,
) -> Result<(), CommandError> {
    let namespace = Namespace::parse(&namespace)
        .map_err(|e| CommandError::new(ErrorCode::InvalidInput, e.to_string()))?;
    let event = ClientEvent::decode_valid(namespace, &name, payload)?;
    let engine = app.session().engine().await?;
    Ok(engine.send(event).await?)
}

#[tauri::command]
pub async fn retry_now<R: Runtime>(app: AppHandle<R>) -> Result<(), CommandError> {
    app.session().engine().await?.retry_now();
    Ok(())
}

#[tauri::command]
pub async fn settings<R: Runtime>(app: AppHandle<R>) -> Result<Settings, CommandError> {
    current_settings(&app).await
}

/// Stores every setting (alerts in the active profile, the rest app-wide), applies autostart,
/// and tells every window (`settings` event).
#[tauri::command]
pub async fn set_settings<R: Runtime>(
    app: AppHandle<R>,
    settings: Settings,
) -> Result<Settings, CommandError> {
    store_settings(&app, settings).await
}

#[tauri::command]
pub async fn set_do_not_disturb<R: Runtime>(
    app: AppHandle<R>,
    on: bool,
) -> Result<Settings, CommandError> {
    apply_do_not_disturb(&app, on).await
}

#[tauri::command]
pub fn open_quick_capture<R: Runtime>(app: AppHandle<R>) -> Result<(), CommandError> {
    Ok(windows::open_quick_capture(&app)?)
}

#[tauri::command]
pub fn open_tv<R: Runtime>(app: AppHandle<R>) -> Result<(), CommandError> {
    Ok(windows::open_tv(&app)?)
}

/// How often the calling window takes `state` patches: paused while hidden, or at most one per
/// `minIntervalMs` (see [`crate::feeds`]).
#[tauri::command]
pub fn state_feed<R: Runtime>(window: WebviewWindow<R>, feed: StateFeed) {
    window.state::<FeedRequests>().set(window.label(), feed);
}

/// Closes the calling window (the main window hides to the tray instead).
#[tauri::command]
pub fn close_window<R: Runtime>(window: WebviewWindow<R>) -> Result<(), CommandError> {
    Ok(window.close()?)
}

#[tauri::command]
pub async fn set_tv_pin(pin: Option<String>) -> Result<(), CommandError> {
    Ok(profiles::set_tv_pin(pin).await?)
}

#[tauri::command]
pub async fn verify_tv_pin(pin: String) -> Result<bool, CommandError> {
    Ok(profiles::verify_tv_pin(pin).await?)
}

/// Whether do-not-disturb is on for the active profile.
pub async fn do_not_disturb<R: Runtime>(app: &AppHandle<R>) -> bool {
    current_settings(app)
        .await
        .is_ok_and(|s| s.alerts.do_not_disturb)
}

/// Sets do-not-disturb (the command and the tray item).
pub async fn apply_do_not_disturb<R: Runtime>(
    app: &AppHandle<R>,
    on: bool,
) -> Result<Settings, CommandError> {
    let mut settings = current_settings(app).await?;
    settings.alerts.do_not_disturb = on;
    store_settings(app, settings).await
}

async fn current_settings<R: Runtime>(app: &AppHandle<R>) -> Result<Settings, CommandError> {
    let session = app.session();
    let app_settings = session.profiles().settings()?;
    let alerts = match session.engine().await {
        Ok(engine) => engine.alert_settings()?,
        Err(_) => AlertSettings::default(),
    };
    Ok(Settings {
        alerts,
        autostart: app_settings.autostart,
        idle_away_minutes: app_settings.idle_away_minutes,
        tv: app_settings.tv,
    })
}

async fn store_settings<R: Runtime>(
    app: &AppHandle<R>,
    settings: Settings,
) -> Result<Settings, CommandError> {
    let session = app.session();
    let previous = session.profiles().settings()?;
    let app_settings = AppSettings {
        autostart: settings.autostart,
        idle_away_minutes: settings.idle_away_minutes,
        tv: settings.tv,
    };
    session.profiles().set_settings(&app_settings)?;
    if let Ok(engine) = session.engine().await {
        engine.set_alert_settings(settings.alerts)?;
    }
    if previous.autostart != app_settings.autostart {
        apply_autostart(app, app_settings.autostart);
    }
    let current = current_settings(app).await?;
    tray::show_do_not_disturb(app, current.alerts.do_not_disturb);
    let _ = app.emit("settings", &current);
    Ok(current)
}

/// Turns start-at-login on or off; a failure (no autostart directory) is logged.
pub fn apply_autostart<R: Runtime>(app: &AppHandle<R>, on: bool) {
    let Some(autolaunch) = app.try_state::<tauri_plugin_autostart::AutoLaunchManager>() else {
        return;
    };
    let result = if on {
        autolaunch.enable()
    } else {
        autolaunch.disable()
    };
    if let Err(err) = result {
        tracing::warn!(error = %err, on, "could not change start at login");
    }
}

/// At launch: makes start-at-login match the stored setting (the entry may have been removed
/// by hand, or the app reinstalled).
pub fn sync_autostart<R: Runtime>(app: &AppHandle<R>) {
    let Ok(settings) = app.session().profiles().settings() else {
        return;
    };
    let Some(autolaunch) = app.try_state::<tauri_plugin_autostart::AutoLaunchManager>() else {
        return;
    };
    if autolaunch
        .is_enabled()
        .is_ok_and(|on| on != settings.autostart)
    {
        apply_autostart(app, settings.autostart);
    }
}

/// Sends the current settings to every window (after a session change: alert settings are
/// per profile) and syncs the tray's do-not-disturb mark.
pub async fn emit_settings<R: Runtime>(app: &AppHandle<R>) {
    if let Ok(current) = current_settings(app).await {
        tray::show_do_not_disturb(app, current.alerts.do_not_disturb);
        let _ = app.emit("settings", &current);
    }
}
