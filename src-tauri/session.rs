//! The active session: which hub the app is signed in to, its running [`Engine`] (and, in demo
//! mode, the embedded [`RunningHub`]), kept in Tauri's managed state and reached through
//! [`SessionExt`] (`app.session()`).
//!
//! Every change of session goes through one write lock: the old engine is shut down
//! ([`Engine::shutdown`]) and its forwarders stopped before the new one opens, so two engines
//! never run at once. Commands read the engine under the read lock.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use sideline_client::engine::StateUpdate;
use sideline_client::profiles::{self, KeychainState, Profile, Profiles, SignedIn};
use sideline_client::state::AppState;
use sideline_client::tokens::{self, StaticTokens, TokenSource};
use sideline_client::{ClientError, ConnectionStatus, Engine, EngineConfig};
use sideline_hub::{Hub, HubConfig, RunningHub};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::{RwLock, RwLockReadGuard};
use tokio::task::JoinHandle;

use crate::error::{CommandError, ErrorCode};
use crate::forward;

/// The `activeId` the UI sees while the demo runs (the demo is not a stored profile).
pub const DEMO_ID: &str = "demo";

/// What the UI knows about profiles and the active session (the `session` event and command).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// Every stored profile.
    pub profiles: Vec<Profile>,
    /// The active profile's id, `"demo"` in demo mode, `null` when signed out (the UI shows
    /// the welcome screen).
    pub active_id: Option<String>,
    /// Whether the embedded demo hub is running.
    pub demo: bool,
    /// Whether tokens can be kept in the OS keychain.
    pub keychain: KeychainState,
    /// The profile whose token could not be read (ask for its password).
    pub needs_password: Option<String>,
    /// Why the last automatic sign-in failed.
    pub error: Option<CommandError>,
}

/// The managed session state.
#[derive(Debug)]
pub struct Session {
    profiles: Profiles,
    active: RwLock<Active>,
    /// The highest state version sent to the UI, across engines: a new engine's versions
    /// start above it, so the UI (which ignores versions it has seen) never drops them.
    emitted: Arc<AtomicU64>,
}

#[derive(Debug)]
struct Active {
    engine: Option<Engine>,
    hub: Option<RunningHub>,
    demo: bool,
    active_id: Option<String>,
    keychain: KeychainState,
    needs_password: Option<String>,
    error: Option<CommandError>,
    forwarders: Vec<JoinHandle<()>>,
    /// Added to the engine's state versions (see [`Session::emitted`]).
    version_base: u64,
}

impl Default for Active {
    fn default() -> Self {
        Active {
            engine: None,
            hub: None,
            demo: false,
            active_id: None,
            keychain: KeychainState::Available,
            needs_password: None,
            error: None,
            forwarders: Vec::new(),
            version_base: 0,
        }
    }
}

/// `app.session()`.
pub trait SessionExt<R: Runtime> {
    /// The session in Tauri's managed state.
    fn session(&self) -> &Session;
}

impl<R: Runtime, M: Manager<R>> SessionExt<R> for M {
    fn session(&self) -> &Session {
        self.state::<Session>().inner()
    }
}

/// The engine of the active session, borrowed under the session's read lock.
#[derive(Debug)]
pub struct EngineRef<'a>(RwLockReadGuard<'a, Active>);

impl std::ops::Deref for EngineRef<'_> {
    type Target = Engine;
    fn deref(&self) -> &Engine {
        self.0.engine.as_ref().expect("EngineRef holds an engine")
    }
}

impl Session {
    /// A session over the profiles in `profiles`' directory; nothing running yet.
    pub fn new(profiles: Profiles) -> Self {
        Session {
            profiles,
            active: RwLock::new(Active::default()),
            emitted: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The profile list and app settings.
    pub fn profiles(&self) -> &Profiles {
        &self.profiles
    }

    /// The active engine, or [`ErrorCode::NotSignedIn`].
    pub async fn engine(&self) -> Result<EngineRef<'_>, CommandError> {
        let guard = self.active.read().await;
        if guard.engine.is_none() {
            return Err(CommandError::not_signed_in());
        }
        Ok(EngineRef(guard))
    }

    /// The active engine if there is one, without waiting for a session change.
    pub fn try_engine(&self) -> Option<EngineRef<'_>> {
        let guard = self.active.try_read().ok()?;
        guard.engine.as_ref()?;
        Some(EngineRef(guard))
    }

    /// The whole state as the UI numbers it; an empty, offline one while signed out.
    pub async fn snapshot(&self) -> StateUpdate {
        let active = self.active.read().await;
        match &active.engine {
            Some(engine) => {
                let mut update = engine.changes().borrow().clone();
                update.version += active.version_base;
                update
            }
            None => StateUpdate {
                version: self.emitted.load(Ordering::SeqCst),
                sections: Vec::new(),
                state: Arc::new(AppState {
                    connection: Some(ConnectionStatus::Offline),
                    ..AppState::default()
                }),
            },
        }
    }

    /// The UI's view of profiles and the session.
    pub async fn info(&self) -> Result<SessionInfo, CommandError> {
        let active = self.active.read().await;
        self.info_of(&active)
    }

    fn info_of(&self, active: &Active) -> Result<SessionInfo, CommandError> {
        Ok(SessionInfo {
            profiles: self.profiles.list()?,
            active_id: active.active_id.clone(),
            demo: active.demo,
            keychain: active.keychain.clone(),
            needs_password: active.needs_password.clone(),
            error: active.error.clone(),
        })
    }

    /// At launch: the demo with `--demo`; else the last active profile if its token is
    /// readable; else nothing (the welcome screen). Failures are kept in
    /// [`SessionInfo::error`], never fatal.
    pub async fn launch<R: Runtime>(&self, app: &AppHandle<R>, demo: bool) -> SessionInfo {
        if demo {
            if let Err(err) = self.start_demo(app).await {
                tracing::error!(code = ?err.code, error = %err, "the demo did not start");
                self.active.write().await.error = Some(err);
            }
        } else if let Err(err) = self.resume_last(app).await {
            tracing::warn!(code = ?err.code, error = %err, "no automatic sign-in");
        }
        let info = self.info().await.unwrap_or_else(|err| SessionInfo {
            profiles: Vec::new(),
            active_id: None,
            demo: false,
            keychain: KeychainState::Available,
            needs_password: None,
            error: Some(err),
        });
        let _ = app.emit("session", &info);
        info
    }

    async fn resume_last<R: Runtime>(&self, app: &AppHandle<R>) -> Result<(), CommandError> {
        let Some(id) = self.profiles.last_active()? else {
            return Ok(());
        };
        let Some(profile) = self.profiles.get(&id)? else {
            return Ok(());
        };
        match profiles::stored_tokens(&profile).await {
            Ok(tokens) => {
                self.activate(app, &profile, tokens, KeychainState::Available)
                    .await
            }
            Err(err) => {
                let mut active = self.active.write().await;
                active.needs_password = Some(profile.id.clone());
                if let ClientError::KeychainUnavailable(message) = &err {
                    active.keychain = KeychainState::Unavailable {
                        message: message.clone(),
                    };
                }
                let err = CommandError::from(err);
                active.error = Some(err.clone());
                Err(err)
            }
        }
    }

    /// Signs in with a user name and password and makes that profile active.
    pub async fn sign_in<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        server: &str,
        username: &str,
        password: &str,
    ) -> Result<SessionInfo, CommandError> {
        let signed = profiles::sign_in(&self.profiles, server, username, password).await?;
        self.activate_signed(app, signed).await
    }

    /// Signs a display in with a display token and makes it active.
    pub async fn sign_in_display<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        server: &str,
        token: &str,
    ) -> Result<SessionInfo, CommandError> {
        let signed = profiles::sign_in_display(&self.profiles, server, token).await?;
        self.activate_signed(app, signed).await
    }

    async fn activate_signed<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        signed: SignedIn,
    ) -> Result<SessionInfo, CommandError> {
        self.activate(app, &signed.profile, signed.tokens, signed.keychain)
            .await?;
        self.emit_info(app).await
    }

    /// Switches to a stored profile: with `password`, signs in again; without, uses the token in
    /// the keychain. When there is none the current session stays and the answer's
    /// `needsPassword` names the profile.
    pub async fn switch_profile<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        id: &str,
        password: Option<&str>,
    ) -> Result<SessionInfo, CommandError> {
        let profile = self.profile(id)?;
        if let Some(password) = password {
            return match profile.kind {
                profiles::ProfileKind::User => {
                    self.sign_in(app, &profile.server, &profile.username, password)
                        .await
                }
                profiles::ProfileKind::Display => {
                    self.sign_in_display(app, &profile.server, password).await
                }
            };
        }
        match profiles::stored_tokens(&profile).await {
            Ok(tokens) => {
                self.activate(app, &profile, tokens, KeychainState::Available)
                    .await?;
                self.profiles.set_last_active(Some(&profile.id))?;
            }
            Err(err) => {
                let mut active = self.active.write().await;
                active.needs_password = Some(profile.id.clone());
                if let ClientError::KeychainUnavailable(message) = &err {
                    active.keychain = KeychainState::Unavailable {
                        message: message.clone(),
                    };
                }
                active.error = Some(err.into());
            }
        }
        self.emit_info(app).await
    }

    /// Signs a profile out: stops its engine if it is the active one, deletes its keychain
    /// entry, keeps the profile for re-sign-in. [`DEMO_ID`] leaves the demo.
    pub async fn sign_out<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        id: &str,
    ) -> Result<SessionInfo, CommandError> {
        if id == DEMO_ID {
            // Leaving the demo: nothing is stored for it.
            self.stop_if_active(id).await;
            return self.emit_info(app).await;
        }
        self.profile(id)?;
        self.stop_if_active(id).await;
        profiles::sign_out(&self.profiles, id).await?;
        self.emit_info(app).await
    }

    /// Forgets a profile (signing it out first) and its local data.
    pub async fn remove_profile<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        id: &str,
    ) -> Result<SessionInfo, CommandError> {
        if id == DEMO_ID {
            return self.sign_out(app, id).await;
        }
        self.profile(id)?;
        self.stop_if_active(id).await;
        if let Err(err) = profiles::sign_out(&self.profiles, id).await {
            // A keychain that cannot be reached holds nothing of ours to delete.
            tracing::warn!(code = err.code(), "sign-out before removal failed");
        }
        self.profiles.remove(id)?;
        self.emit_info(app).await
    }

    /// Starts the demo: a fresh embedded hub with its simulator, signed in as the demo leader.
    pub async fn start_demo<R: Runtime>(
        &self,
        app: &AppHandle<R>,
    ) -> Result<SessionInfo, CommandError> {
        let mut active = self.active.write().await;
        stop(&mut active).await;
        let demo_dir = self.profiles.dir().join("demo");
        match std::fs::remove_dir_all(&demo_dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(demo_failed(format!("wiping {}: {e}", demo_dir.display()))),
        }
        std::fs::create_dir_all(&demo_dir)
            .map_err(|e| demo_failed(format!("creating {}: {e}", demo_dir.display())))?;
        let mut config = HubConfig::ephemeral(demo_dir.join("hub.db"));
        config.demo = true;
        config.demo_rate = demo_rate();
        let hub = Hub::start(config)
            .await
            .map_err(|e| demo_failed(format!("the demo hub did not start: {e}")))?;
        let grant = match tokens::login(&hub.url(), "lead", sideline_hub::demo::PASSWORD).await {
            Ok(grant) => grant,
            Err(err) => {
                let _ = hub.shutdown().await;
                return Err(demo_failed(format!("signing in to the demo hub: {err}")));
            }
        };
        let tokens: Arc<dyn TokenSource> = Arc::new(StaticTokens::new(hub.url(), grant.token));
        let engine =
            match Engine::open(&demo_dir.join("client"), EngineConfig::default(), tokens).await {
                Ok(engine) => engine,
                Err(err) => {
                    let _ = hub.shutdown().await;
                    return Err(err.into());
                }
            };
        tracing::info!(hub = %hub.url(), "demo started");
        active.version_base = self.emitted.load(Ordering::SeqCst);
        active.forwarders = forward::spawn(app, &engine, active.version_base, self.emitted.clone());
        active.engine = Some(engine);
        active.hub = Some(hub);
        active.demo = true;
        active.active_id = Some(DEMO_ID.to_owned());
        active.needs_password = None;
        active.error = None;
        let info = self.info_of(&active)?;
        drop(active);
        let _ = app.emit("session", &info);
        Ok(info)
    }

    /// Stops the engine (and the demo hub) cleanly; the app is quitting.
    pub async fn shutdown(&self) {
        let mut active = self.active.write().await;
        stop(&mut active).await;
    }

    async fn activate<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        profile: &Profile,
        tokens: Arc<dyn TokenSource>,
        keychain: KeychainState,
    ) -> Result<(), CommandError> {
        let mut active = self.active.write().await;
        stop(&mut active).await;
        let engine = Engine::open(
            &self.profiles.engine_dir(&profile.id),
            EngineConfig::default(),
            tokens,
        )
        .await?;
        tracing::info!(profile = %profile.id, server = %profile.server, "session started");
        active.version_base = self.emitted.load(Ordering::SeqCst);
        active.forwarders = forward::spawn(app, &engine, active.version_base, self.emitted.clone());
        active.engine = Some(engine);
        active.active_id = Some(profile.id.clone());
        active.keychain = keychain;
        active.needs_password = None;
        active.error = None;
        Ok(())
    }

    async fn stop_if_active(&self, id: &str) {
        let mut active = self.active.write().await;
        if active.active_id.as_deref() == Some(id) {
            stop(&mut active).await;
        }
    }

    fn profile(&self, id: &str) -> Result<Profile, CommandError> {
        self.profiles
            .get(id)?
            .ok_or_else(|| CommandError::new(ErrorCode::NoProfile, format!("no profile {id}")))
    }

    async fn emit_info<R: Runtime>(&self, app: &AppHandle<R>) -> Result<SessionInfo, CommandError> {
        let info = self.info().await?;
        if info.active_id.is_none() {
            crate::tray::show_unread(app, 0);
        }
        let _ = app.emit("session", &info);
        Ok(info)
    }
}

/// Stops forwarders, the engine and the demo hub, and forgets the active id.
async fn stop(active: &mut Active) {
    for task in active.forwarders.drain(..) {
        task.abort();
    }
    if let Some(engine) = active.engine.take() {
        engine.shutdown().await;
    }
    if let Some(hub) = active.hub.take()
        && let Err(err) = hub.shutdown().await
    {
        tracing::warn!(error = %err, "the demo hub did not stop cleanly");
    }
    active.demo = false;
    active.active_id = None;
}

fn demo_failed(message: String) -> CommandError {
    CommandError::new(ErrorCode::DemoFailed, message)
}

/// `SIDELINE_DEMO_RATE` (simulator events per second), default 2.
fn demo_rate() -> f64 {
    std::env::var("SIDELINE_DEMO_RATE")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
        .unwrap_or(2.0)
}
