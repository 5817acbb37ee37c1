//! Hub profiles and the app-level settings of the desktop app, kept as two small JSON files in
//! the app's data directory — no secrets in either:
//!
//! - `profiles.json`: the hubs the user signed in to ([`Profile`]: id, name, server, username,
//!   kind, whether its token is in the keychain) and the last active profile's id.
//! - `settings.json`: [`AppSettings`] (autostart, idle → away, TV mode).
//!
//! Each profile's engine keeps its own database in `<app data>/profiles/<id>/`
//! ([`Profiles::engine_dir`]). Tokens live only in the OS keychain ([`KeyringTokens`], one entry
//! per hub URL); when there is none ([`ClientError::KeychainUnavailable`]) a sign-in still
//! succeeds with the token held in memory ([`StaticTokens`]) and [`KeychainState::Unavailable`]
//! says why, so the next launch asks for the password again.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{ClientError, Result};
use crate::tokens::{
    self, KEYCHAIN_SERVICE, KeyringTokens, StaticTokens, TokenSource, normalise_server,
};

/// The profile list's file in the app data directory.
pub const PROFILES_FILE: &str = "profiles.json";
/// The app settings' file in the app data directory.
pub const SETTINGS_FILE: &str = "settings.json";
/// The folder of the per-profile engine data directories.
pub const PROFILES_DIR: &str = "profiles";
/// The keychain account of the TV mode's exit PIN (service [`KEYCHAIN_SERVICE`]).
pub const TV_PIN_ACCOUNT: &str = "tv-pin";

/// Who a profile signs in as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum ProfileKind {
    /// A person, with user name and password.
    User,
    /// A wall display, with a read-only display token issued by the hub (TV mode).
    Display,
}

/// One hub the app can sign in to. No secret: the token is in the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Stable id (also the name of its engine data directory).
    pub id: String,
    /// What the UI shows (`lead @ 127.0.0.1:4600`).
    pub name: String,
    /// The hub's base URL, normalised (no trailing slash).
    pub server: String,
    /// The user name (`display` for a display profile).
    pub username: String,
    /// User or display.
    pub kind: ProfileKind,
    /// Whether this profile's token is in the keychain (false after sign-out, or when the
    /// keychain was unavailable at sign-in).
    #[serde(default)]
    pub signed_in: bool,
}

/// Whether the OS keychain could hold the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum KeychainState {
    /// Tokens are stored in the keychain.
    Available,
    /// No usable keychain: tokens are held in memory only, and the password is asked for at
    /// each launch.
    Unavailable {
        /// Why (the platform's sentence).
        message: String,
    },
}

/// A TV board (S5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum TvBoard {
    /// Top N and the movers.
    Leaderboard,
    /// Contest standings with a countdown.
    Contests,
    /// The achievements wall.
    Achievements,
    /// Team presence.
    Presence,
}

/// What the night schedule does to the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum NightMode {
    /// Dim the boards.
    Dim,
    /// Blank the screen.
    Blank,
}

/// TV mode options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct TvSettings {
    /// Rotation order.
    pub boards: Vec<TvBoard>,
    /// Seconds each board is shown (default 20).
    pub seconds_per_board: u32,
    /// Rows on the leaderboard board (default 10).
    pub top_n: u32,
    /// Night schedule start, local `HH:MM` (`22:00`), if any.
    pub night_start: Option<String>,
    /// Night schedule end, local `HH:MM` (`07:00`), if any.
    pub night_end: Option<String>,
    /// Dim or blank at night.
    pub night_mode: NightMode,
    /// Play a sound on celebrations.
    pub sound: bool,
    /// Leaving TV mode asks for the PIN (the PIN itself is in the keychain).
    pub exit_pin: bool,
}

impl Default for TvSettings {
    fn default() -> Self {
        TvSettings {
            boards: vec![
                TvBoard::Leaderboard,
                TvBoard::Contests,
                TvBoard::Achievements,
                TvBoard::Presence,
            ],
            seconds_per_board: 20,
            top_n: 10,
            night_start: None,
            night_end: None,
            night_mode: NightMode::Dim,
            sound: false,
            exit_pin: false,
        }
    }
}

/// App-level settings (not per profile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct AppSettings {
    /// Start the app at login.
    pub autostart: bool,
    /// Minutes without input before presence goes to away; 0 = never.
    pub idle_away_minutes: u32,
    /// TV mode.
    pub tv: TvSettings,
}

impl Default for AppSettings {
    fn default() -> Self {
        AppSettings {
            autostart: false,
            idle_away_minutes: 10,
            tv: TvSettings::default(),
        }
    }
}

impl AppSettings {
    /// Rejects values the app cannot honour; the message names the field.
    pub fn validate(&self) -> Result<()> {
        let tv = &self.tv;
        if !(1..=3600).contains(&tv.seconds_per_board) {
            return Err(ClientError::Config(
                "tv.secondsPerBoard must be between 1 and 3600".into(),
            ));
        }
        if !(1..=100).contains(&tv.top_n) {
            return Err(ClientError::Config(
                "tv.topN must be between 1 and 100".into(),
            ));
        }
        for (field, value) in [
            ("tv.nightStart", &tv.night_start),
            ("tv.nightEnd", &tv.night_end),
        ] {
            if let Some(text) = value
                && chrono::NaiveTime::parse_from_str(text, "%H:%M").is_err()
            {
                return Err(ClientError::Config(format!("{field} must be HH:MM")));
            }
        }
        if self.idle_away_minutes > 24 * 60 {
            return Err(ClientError::Config(
                "idleAwayMinutes must be at most 1440".into(),
            ));
        }
        Ok(())
    }
}

/// `profiles.json`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ProfilesFile {
    profiles: Vec<Profile>,
    last_active_id: Option<String>,
}

/// The profile list and app settings in one app data directory. Every call reads or writes
/// the file (they are tiny, and another window may have changed them); writes replace the
/// file atomically (temporary file + rename), so a crash never leaves half a file.
#[derive(Debug, Clone)]
pub struct Profiles {
    dir: PathBuf,
}

impl Profiles {
    /// The files in `app_data_dir`.
    pub fn new(app_data_dir: impl Into<PathBuf>) -> Self {
        Profiles {
            dir: app_data_dir.into(),
        }
    }

    /// The app data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every profile, in the order they were added.
    pub fn list(&self) -> Result<Vec<Profile>> {
        Ok(self.read()?.profiles)
    }

    /// One profile.
    pub fn get(&self, id: &str) -> Result<Option<Profile>> {
        Ok(self.read()?.profiles.into_iter().find(|p| p.id == id))
    }

    /// The id of the profile active when the app last ran (if it still exists).
    pub fn last_active(&self) -> Result<Option<String>> {
        let file = self.read()?;
        Ok(file
            .last_active_id
            .filter(|id| file.profiles.iter().any(|p| &p.id == id)))
    }

    /// Remembers the active profile (`None`: the welcome screen next time).
    pub fn set_last_active(&self, id: Option<&str>) -> Result<()> {
        self.update(|file| file.last_active_id = id.map(str::to_owned))
    }

    /// The profile for `server` + `username` + `kind`, added if new.
    pub fn upsert(&self, server: &str, username: &str, kind: ProfileKind) -> Result<Profile> {
        let server = normalise_server(server);
        check_server(&server)?;
        let username = username.trim().to_owned();
        let mut found = None;
        self.update(|file| {
            if let Some(p) = file
                .profiles
                .iter()
                .find(|p| p.server == server && p.username == username && p.kind == kind)
            {
                found = Some(p.clone());
                return;
            }
            let profile = Profile {
                id: uuid::Uuid::now_v7().simple().to_string(),
                name: format!("{username} @ {}", host_of(&server)),
                server: server.clone(),
                username: username.clone(),
                kind,
                signed_in: false,
            };
            file.profiles.push(profile.clone());
            found = Some(profile);
        })?;
        found.ok_or_else(|| ClientError::Config("profile not stored".into()))
    }

    /// Records whether `id`'s token is in the keychain. Signing in marks the other profiles of
    /// the same hub signed out: the keychain holds one token per hub URL.
    pub fn set_signed_in(&self, id: &str, signed_in: bool) -> Result<()> {
        self.update(|file| {
            let server = file
                .profiles
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.server.clone());
            for p in &mut file.profiles {
                if p.id == id {
                    p.signed_in = signed_in;
                } else if signed_in && Some(&p.server) == server.as_ref() {
                    p.signed_in = false;
                }
            }
        })
    }

    /// Removes a profile and its engine data directory; returns it if it existed.
    pub fn remove(&self, id: &str) -> Result<Option<Profile>> {
        let mut removed = None;
        self.update(|file| {
            if let Some(at) = file.profiles.iter().position(|p| p.id == id) {
                removed = Some(file.profiles.remove(at));
            }
            if file.last_active_id.as_deref() == Some(id) {
                file.last_active_id = None;
            }
        })?;
        if removed.is_some() {
            match std::fs::remove_dir_all(self.engine_dir(id)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(removed)
    }

    /// Where profile `id`'s engine keeps its database.
    pub fn engine_dir(&self, id: &str) -> PathBuf {
        self.dir.join(PROFILES_DIR).join(id)
    }

    /// The app settings (defaults when the file is missing).
    pub fn settings(&self) -> Result<AppSettings> {
        read_json(&self.dir.join(SETTINGS_FILE))
    }

    /// Validates and stores the app settings.
    pub fn set_settings(&self, settings: &AppSettings) -> Result<()> {
        settings.validate()?;
        write_json(&self.dir.join(SETTINGS_FILE), settings)
    }

    fn read(&self) -> Result<ProfilesFile> {
        read_json(&self.dir.join(PROFILES_FILE))
    }

    fn update(&self, change: impl FnOnce(&mut ProfilesFile)) -> Result<()> {
        let mut file = self.read()?;
        change(&mut file);
        write_json(&self.dir.join(PROFILES_FILE), &file)
    }
}

/// A finished sign-in: the profile and where the engine gets its token.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The profile (now the last active one).
    pub profile: Profile,
    /// The keychain, or the token in memory when there is no keychain.
    pub tokens: Arc<dyn TokenSource>,
    /// Whether the keychain holds the token.
    pub keychain: KeychainState,
}

/// Signs in to `server` with a user name and password (`POST /api/v1/auth/login`), stores the
/// token in the keychain (or keeps it in memory when there is none), and makes the profile the
/// last active one. The password is never stored.
pub async fn sign_in(
    profiles: &Profiles,
    server: &str,
    username: &str,
    password: &str,
) -> Result<SignedIn> {
    let server = normalise_server(server);
    check_server(&server)?;
    if username.trim().is_empty() {
        return Err(ClientError::Config("username must not be empty".into()));
    }
    let grant = tokens::login(&server, username.trim(), password).await?;
    let profile = profiles.upsert(&server, username, ProfileKind::User)?;
    keep_token(profiles, profile, &grant.token, Some(grant.expires_at)).await
}

/// Signs a display in with a display token issued by the hub (TV mode), kept like a user's.
/// Only its form is checked here (a JWT; its `name` or `sub` names the profile): the hub
/// judges it at the first connection, and a refused token shows as sign-in needed.
pub async fn sign_in_display(profiles: &Profiles, server: &str, token: &str) -> Result<SignedIn> {
    let server = normalise_server(server);
    check_server(&server)?;
    let token = token.trim();
    if token.is_empty() {
        return Err(ClientError::Config("token must not be empty".into()));
    }
    let claims = tokens::token_claims(token)
        .ok_or_else(|| ClientError::Config("token is not a display token (not a JWT)".into()))?;
    let expires_at = claims
        .exp
        .and_then(|exp| DateTime::<Utc>::from_timestamp(exp, 0));
    let name = claims.name.unwrap_or(claims.sub);
    let profile = profiles.upsert(&server, &name, ProfileKind::Display)?;
    keep_token(profiles, profile, token, expires_at).await
}

async fn keep_token(
    profiles: &Profiles,
    profile: Profile,
    token: &str,
    expires_at: Option<DateTime<Utc>>,
) -> Result<SignedIn> {
    let (tokens, keychain): (Arc<dyn TokenSource>, _) =
        match KeyringTokens::store(&profile.server, token, expires_at).await {
            Ok(stored) => (Arc::new(stored), KeychainState::Available),
            Err(ClientError::KeychainUnavailable(message)) => {
                tracing::warn!(%message, "no keychain: the token is kept in memory only");
                (
                    Arc::new(StaticTokens::new(&profile.server, token)),
                    KeychainState::Unavailable { message },
                )
            }
            Err(other) => return Err(other),
        };
    let stored = keychain == KeychainState::Available;
    profiles.set_signed_in(&profile.id, stored)?;
    profiles.set_last_active(Some(&profile.id))?;
    Ok(SignedIn {
        profile: Profile {
            signed_in: stored,
            ..profile
        },
        tokens,
        keychain,
    })
}

/// The token of a profile signed in earlier, if the keychain can give it: `Ok(tokens)` when it
/// could be read, [`ClientError::NotSignedIn`] when there is none,
/// [`ClientError::KeychainUnavailable`] when the keychain cannot be reached.
pub async fn stored_tokens(profile: &Profile) -> Result<Arc<dyn TokenSource>> {
    let tokens = KeyringTokens::new(&profile.server);
    tokens.credentials().await?;
    Ok(Arc::new(tokens))
}

/// Signs a profile out: deletes its keychain entry (missing is fine) and marks it signed out;
/// the profile (URL, user name) stays for the next sign-in.
pub async fn sign_out(profiles: &Profiles, id: &str) -> Result<Profile> {
    let profile = profiles
        .get(id)?
        .ok_or_else(|| ClientError::Config(format!("no profile {id}")))?;
    if profile.signed_in {
        KeyringTokens::delete(&profile.server).await?;
    }
    profiles.set_signed_in(id, false)?;
    if profiles.last_active()?.as_deref() == Some(id) {
        profiles.set_last_active(None)?;
    }
    Ok(Profile {
        signed_in: false,
        ..profile
    })
}

/// Sets (or with `None` removes) the TV exit PIN, kept in the keychain.
pub async fn set_tv_pin(pin: Option<String>) -> Result<()> {
    if let Some(pin) = &pin
        && (pin.len() < 4 || pin.len() > 12 || !pin.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(ClientError::Config("pin must be 4 to 12 digits".into()));
    }
    blocking_keychain(move || {
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, TV_PIN_ACCOUNT)?;
        match pin {
            Some(pin) => entry.set_password(&pin),
            None => match entry.delete_credential() {
                Err(keyring::Error::NoEntry) => Ok(()),
                other => other,
            },
        }
    })
    .await
}

/// Whether `pin` is the TV exit PIN; true when none is set.
pub async fn verify_tv_pin(pin: String) -> Result<bool> {
    let stored = blocking_keychain(|| {
        match keyring::Entry::new(KEYCHAIN_SERVICE, TV_PIN_ACCOUNT)?.get_password() {
            Ok(pin) => Ok(Some(pin)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await?;
    Ok(stored.is_none_or(|stored| stored == pin))
}

async fn blocking_keychain<T: Send + 'static>(
    op: impl FnOnce() -> keyring::Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(move || {
        op().map_err(|e| ClientError::KeychainUnavailable(e.to_string()))
    })
    .await
    .map_err(|e| ClientError::KeychainUnavailable(e.to_string()))?
}

/// An `http://` or `https://` URL with a host.
fn check_server(server: &str) -> Result<()> {
    let rest = server
        .strip_prefix("http://")
        .or_else(|| server.strip_prefix("https://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(()),
        _ => Err(ClientError::Config(
            "server must be an http:// or https:// URL".into(),
        )),
    }
}

fn host_of(server: &str) -> &str {
    server.split_once("://").map_or(server, |(_, rest)| rest)
}

fn read_json<T: serde::de::DeserializeOwned + Default>(path: &Path) -> Result<T> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(e.into()),
    }
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(value)?)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp() -> (tempfile::TempDir, Profiles) {
        let dir = tempfile::tempdir().unwrap();
        let profiles = Profiles::new(dir.path());
        (dir, profiles)
    }

    #[test]
    fn empty_dir_means_no_profiles_and_default_settings() {
        let (_dir, profiles) = temp();
        assert!(profiles.list().unwrap().is_empty());
        assert_eq!(profiles.last_active().unwrap(), None);
        let settings = profiles.settings().unwrap();
        assert_eq!(settings, AppSettings::default());
        assert_eq!(settings.tv.seconds_per_board, 20);
        assert_eq!(settings.tv.top_n, 10);
    }

    #[test]
    fn upsert_finds_the_same_profile_again() {
        let (_dir, profiles) = temp();
        let a = profiles
            .upsert("http://hub:4600/", "lead", ProfileKind::User)
            .unwrap();
        assert_eq!(a.server, "http://hub:4600");
        assert_eq!(a.name, "lead @ hub:4600");
        let again = profiles
            .upsert("http://hub:4600", "lead", ProfileKind::User)
            .unwrap();
        assert_eq!(a.id, again.id);
        let other = profiles
            .upsert("http://hub:4600", "rep", ProfileKind::User)
            .unwrap();
        assert_ne!(a.id, other.id);
        assert_eq!(profiles.list().unwrap().len(), 2);
    }

    #[test]
    fn bad_server_urls_are_refused() {
        let (_dir, profiles) = temp();
        for bad in ["", "hub:4600", "ftp://hub", "http://"] {
            let err = profiles.upsert(bad, "lead", ProfileKind::User).unwrap_err();
            assert_eq!(err.code(), "CONFIG", "{bad}");
        }
    }

    #[test]
    fn signing_in_one_profile_signs_out_the_others_of_the_same_hub() {
        let (_dir, profiles) = temp();
        let a = profiles
            .upsert("http://hub", "a", ProfileKind::User)
            .unwrap();
        let b = profiles
            .upsert("http://hub", "b", ProfileKind::User)
            .unwrap();
        let c = profiles
            .upsert("http://other", "c", ProfileKind::User)
            .unwrap();
        profiles.set_signed_in(&a.id, true).unwrap();
        profiles.set_signed_in(&c.id, true).unwrap();
        profiles.set_signed_in(&b.id, true).unwrap();
        let signed: Vec<_> = profiles
            .list()
            .unwrap()
            .into_iter()
            .map(|p| (p.username, p.signed_in))
            .collect();
        assert_eq!(
            signed,
            [("a".into(), false), ("b".into(), true), ("c".into(), true)]
        );
    }

    #[test]
    fn removing_forgets_the_profile_its_data_and_the_last_active_id() {
        let (_dir, profiles) = temp();
        let a = profiles
            .upsert("http://hub", "a", ProfileKind::User)
            .unwrap();
        profiles.set_last_active(Some(&a.id)).unwrap();
        std::fs::create_dir_all(profiles.engine_dir(&a.id)).unwrap();
        std::fs::write(profiles.engine_dir(&a.id).join("client.db"), b"x").unwrap();
        assert_eq!(
            profiles.last_active().unwrap().as_deref(),
            Some(a.id.as_str())
        );
        assert_eq!(profiles.remove(&a.id).unwrap(), Some(a.clone()));
        assert!(!profiles.engine_dir(&a.id).exists());
        assert_eq!(profiles.last_active().unwrap(), None);
        assert_eq!(profiles.remove(&a.id).unwrap(), None);
    }

    #[test]
    fn settings_round_trip_and_are_validated() {
        let (_dir, profiles) = temp();
        let mut settings = AppSettings {
            autostart: true,
            idle_away_minutes: 5,
            ..AppSettings::default()
        };
        settings.tv.night_start = Some("22:00".into());
        settings.tv.night_end = Some("07:00".into());
        profiles.set_settings(&settings).unwrap();
        assert_eq!(profiles.settings().unwrap(), settings);

        settings.tv.night_end = Some("7pm".into());
        let err = profiles.set_settings(&settings).unwrap_err();
        assert!(err.to_string().contains("tv.nightEnd"), "{err}");
        settings.tv.night_end = None;
        settings.tv.seconds_per_board = 0;
        let err = profiles.set_settings(&settings).unwrap_err();
        assert!(err.to_string().contains("tv.secondsPerBoard"), "{err}");
    }

    #[test]
    fn settings_files_are_camel_case_and_tolerate_missing_keys() {
        let (dir, profiles) = temp();
        std::fs::write(dir.path().join(SETTINGS_FILE), r#"{"idleAwayMinutes": 3}"#).unwrap();
        let settings = profiles.settings().unwrap();
        assert_eq!(settings.idle_away_minutes, 3);
        assert_eq!(settings.tv, TvSettings::default());
        let json = serde_json::to_value(&settings).unwrap();
        assert_eq!(json["tv"]["secondsPerBoard"], 20);
        assert_eq!(json["tv"]["nightMode"], "dim");
    }

    #[test]
    fn keychain_state_is_tagged() {
        assert_eq!(
            serde_json::to_value(KeychainState::Unavailable {
                message: "no bus".into()
            })
            .unwrap(),
            serde_json::json!({ "state": "unavailable", "message": "no bus" })
        );
    }

    /// A real sign-in against an embedded hub. Whatever keychain this machine has (none in a
    /// plain test run: no D-Bus session), the sign-in succeeds, the profile is stored as the
    /// last active one, and the token is in no file of the data directory.
    #[tokio::test]
    async fn sign_in_keeps_the_token_out_of_every_file() {
        let (dir, profiles) = temp();
        let mut config = sideline_hub::HubConfig::ephemeral(dir.path().join("hub.db"));
        config.demo = true;
        config.demo_rate = 0.0;
        let hub = sideline_hub::Hub::start(config).await.unwrap();

        let refused = sign_in(&profiles, &hub.url(), "lead", "wrong").await;
        assert_eq!(refused.unwrap_err().code(), "SIGN_IN_REFUSED");
        assert!(profiles.list().unwrap().is_empty());

        let signed = sign_in(&profiles, &hub.url(), "lead", "demo")
            .await
            .unwrap();
        assert_eq!(
            profiles.last_active().unwrap().as_deref(),
            Some(signed.profile.id.as_str())
        );
        assert_eq!(
            signed.profile.signed_in,
            signed.keychain == KeychainState::Available
        );
        let token = signed.tokens.credentials().await.unwrap().token;
        let text = std::fs::read_to_string(dir.path().join(PROFILES_FILE)).unwrap();
        assert!(!text.contains(&token));
        assert!(
            !text.contains("demo\""),
            "the password is not stored: {text}"
        );
        if signed.keychain == KeychainState::Available {
            sign_out(&profiles, &signed.profile.id).await.unwrap();
        }
        hub.shutdown().await.unwrap();
    }
}
