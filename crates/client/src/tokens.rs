//! Where the engine gets its hub address and bearer token: the [`TokenSource`] trait and its
//! three sources — [`KeyringTokens`] (the OS keychain, after `sideline login` or the app's
//! sign-in), [`EnvTokens`] (`SIDELINE_SERVER` + `SIDELINE_TOKEN`, headless use, no login) and
//! [`StaticTokens`] (tests). Also [`login`] and [`refresh`] over the hub's HTTP API.
//!
//! Secrets never reach a file, a log line or an error message: only the keychain holds them.

use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::error::{ClientError, Result};

/// The keychain service name of every Sideline entry.
pub const KEYCHAIN_SERVICE: &str = "sideline";

/// A token is refreshed when it expires sooner than this.
pub const REFRESH_MARGIN_MINUTES: i64 = 10;

/// What the engine needs to connect.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The hub's base URL (`http://127.0.0.1:4600`).
    pub server: String,
    /// The bearer token (JWT).
    pub token: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token is a secret: never printed.
        f.debug_struct("Credentials")
            .field("server", &self.server)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// A source of credentials, asked before every connection attempt (so a refreshed or newly
/// signed-in token is picked up without restarting the engine).
pub trait TokenSource: Send + Sync + fmt::Debug + 'static {
    /// The current credentials. [`ClientError::NotSignedIn`] when there are none;
    /// [`ClientError::KeychainUnavailable`] when the store cannot be read.
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>>;

    /// The hub refused the token the last credentials carried: a source that keeps its
    /// store's answer in memory reads the store again at the next ask (a sign-in elsewhere,
    /// `sideline login` say, may have stored a new token).
    fn forget(&self) {}
}

/// Fixed credentials (tests), replaceable at run time to simulate a new sign-in.
#[derive(Debug, Clone)]
pub struct StaticTokens {
    inner: Arc<Mutex<Option<Credentials>>>,
}

impl StaticTokens {
    /// Credentials for `server` with `token`.
    pub fn new(server: impl Into<String>, token: impl Into<String>) -> Self {
        StaticTokens {
            inner: Arc::new(Mutex::new(Some(Credentials {
                server: server.into(),
                token: token.into(),
            }))),
        }
    }

    /// No credentials (the engine will report sign-in needed).
    pub fn none() -> Self {
        StaticTokens {
            inner: Arc::new(Mutex::new(None)),
        }
    }

    /// Replaces the credentials.
    pub fn set(&self, credentials: Option<Credentials>) {
        *self.inner.lock().unwrap_or_else(|e| e.into_inner()) = credentials;
    }
}

impl TokenSource for StaticTokens {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>> {
        let current = self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone();
        async move { current.ok_or(ClientError::NotSignedIn) }.boxed()
    }
}

/// `SIDELINE_SERVER` and `SIDELINE_TOKEN` from the environment (read once, at creation).
#[derive(Debug, Clone)]
pub struct EnvTokens {
    credentials: Credentials,
}

impl EnvTokens {
    /// The environment's credentials, or `None` unless both variables are set and non-empty.
    pub fn from_env() -> Option<EnvTokens> {
        let server = std::env::var("SIDELINE_SERVER")
            .ok()
            .filter(|s| !s.is_empty())?;
        let token = std::env::var("SIDELINE_TOKEN")
            .ok()
            .filter(|s| !s.is_empty())?;
        Some(EnvTokens {
            credentials: Credentials { server, token },
        })
    }
}

impl TokenSource for EnvTokens {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>> {
        let credentials = self.credentials.clone();
        async move { Ok(credentials) }.boxed()
    }
}

/// What one keychain entry holds (JSON): the token and when it expires.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredToken {
    token: String,
    expires_at: Option<DateTime<Utc>>,
}

/// The OS keychain: service [`KEYCHAIN_SERVICE`], account = the hub URL (one entry per hub
/// profile). Refreshes the token over HTTP when it is about to expire and stores the new one.
///
/// The entry is read once and then kept in memory, with this source's own refreshes, until
/// the hub refuses the token ([`TokenSource::forget`]). Every namespace asks before every
/// connect, and asking the keychain each time would open a Secret Service session per
/// namespace at once: such a burst of new clients is what crashes gnome-keyring 42 to 50
/// (a race on the new client's record; GNOME/gnome-keyring work items 190, 196 and 199).
/// Concurrent askers wait for the one read, and for one refresh.
#[derive(Clone)]
pub struct KeyringTokens {
    server: String,
    /// The entry as last read or written here.
    known: Arc<Mutex<Option<StoredToken>>>,
    /// Taken for a read or a refresh of the entry.
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl fmt::Debug for KeyringTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // What is known is a secret: never printed.
        f.debug_struct("KeyringTokens")
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl KeyringTokens {
    /// The keychain entry of the hub at `server`, read at the first ask.
    pub fn new(server: impl Into<String>) -> Self {
        KeyringTokens {
            server: normalise_server(&server.into()),
            known: Arc::default(),
            turn: Arc::default(),
        }
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Option<StoredToken>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The hub URL this source reads.
    pub fn server(&self) -> &str {
        &self.server
    }

    fn entry(server: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(KEYCHAIN_SERVICE, server).map_err(keyring_error)
    }

    /// Stores a token for `server` (after a sign-in), and returns the source of that entry,
    /// which already knows the token: no read follows the write.
    pub async fn store(
        server: &str,
        token: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<KeyringTokens> {
        let stored = StoredToken {
            token: token.to_owned(),
            expires_at,
        };
        let tokens = KeyringTokens::new(server);
        tokens.write(&stored).await?;
        *tokens.known() = Some(stored);
        Ok(tokens)
    }

    async fn write(&self, stored: &StoredToken) -> Result<()> {
        let server = self.server.clone();
        let text = serde_json::to_string(stored)?;
        tokio::task::spawn_blocking(move || {
            Self::entry(&server)?
                .set_password(&text)
                .map_err(keyring_error)
        })
        .await
        .map_err(|e| ClientError::KeychainUnavailable(e.to_string()))?
    }

    /// Deletes the entry (sign-out). Missing entries are fine.
    pub async fn delete(server: &str) -> Result<()> {
        let server = normalise_server(server);
        tokio::task::spawn_blocking(move || match Self::entry(&server)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        })
        .await
        .map_err(|e| ClientError::KeychainUnavailable(e.to_string()))?
    }

    async fn load(&self) -> Result<StoredToken> {
        let server = self.server.clone();
        let text = tokio::task::spawn_blocking(move || {
            Self::entry(&server)?.get_password().map_err(keyring_error)
        })
        .await
        .map_err(|e| ClientError::KeychainUnavailable(e.to_string()))??;
        serde_json::from_str(&text).map_err(|_| ClientError::NotSignedIn)
    }
}

impl TokenSource for KeyringTokens {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials>> {
        async move {
            // One read or refresh at a time: whoever asks meanwhile waits, then uses its result.
            let _turn = self.turn.lock().await;
            let known = self.known().clone();
            let mut stored = match known {
                Some(stored) => stored,
                None => {
                    let stored = self.load().await?;
                    *self.known() = Some(stored.clone());
                    stored
                }
            };
            let near_expiry = stored.expires_at.is_some_and(|at| {
                at - Utc::now() < ChronoDuration::minutes(REFRESH_MARGIN_MINUTES)
            });
            if near_expiry {
                match refresh(&self.server, &stored.token).await {
                    Ok(fresh) => {
                        stored = StoredToken {
                            token: fresh.token,
                            expires_at: Some(fresh.expires_at),
                        };
                        *self.known() = Some(stored.clone());
                        // The hub has moved on to the fresh token: connect with it even if the
                        // keychain does not take it (the next launch then signs in again).
                        if let Err(err) = self.write(&stored).await {
                            tracing::warn!(error = %err, "the refreshed token is kept in memory only");
                        }
                    }
                    Err(ClientError::SignInRefused(_)) => {
                        self.forget();
                        return Err(ClientError::NotSignedIn);
                    }
                    // Unreachable hub: try the old token; the connect will say if it is dead.
                    Err(_) => {}
                }
            }
            Ok(Credentials {
                server: self.server.clone(),
                token: stored.token,
            })
        }
        .boxed()
    }

    fn forget(&self) {
        *self.known() = None;
    }
}

fn keyring_error(err: keyring::Error) -> ClientError {
    match err {
        keyring::Error::NoEntry => ClientError::NotSignedIn,
        keyring::Error::NoStorageAccess(e) | keyring::Error::PlatformFailure(e) => {
            ClientError::KeychainUnavailable(e.to_string())
        }
        other => ClientError::KeychainUnavailable(other.to_string()),
    }
}

/// `http://host:port` without a trailing slash.
pub fn normalise_server(server: &str) -> String {
    server.trim().trim_end_matches('/').to_owned()
}

/// The hub's answer to a login or refresh.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenGrant {
    /// The JWT (never logged: `Debug` of the grant is only used in tests).
    pub token: String,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
}

/// `POST /api/v1/auth/login`.
pub async fn login(server: &str, username: &str, password: &str) -> Result<TokenGrant> {
    let url = format!("{}/api/v1/auth/login", normalise_server(server));
    let response = reqwest::Client::new()
        .post(url)
        .json(&serde_json::json!({ "username": username, "password": password }))
        .send()
        .await
        .map_err(|e| ClientError::Network(e.without_url().to_string()))?;
    grant(response).await
}

/// `POST /api/v1/auth/refresh` with the current token.
pub async fn refresh(server: &str, token: &str) -> Result<TokenGrant> {
    let url = format!("{}/api/v1/auth/refresh", normalise_server(server));
    let response = reqwest::Client::new()
        .post(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| ClientError::Network(e.without_url().to_string()))?;
    grant(response).await
}

async fn grant(response: reqwest::Response) -> Result<TokenGrant> {
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        let message = body["message"]
            .as_str()
            .unwrap_or("unknown user or wrong password")
            .to_owned();
        return Err(ClientError::SignInRefused(message));
    }
    if !status.is_success() {
        return Err(ClientError::Network(format!("the hub answered {status}")));
    }
    response
        .json()
        .await
        .map_err(|e| ClientError::Network(format!("unreadable answer: {e}")))
}

/// The claims of a JWT we need (`sub`, `name`, `exp`), read without verifying the signature:
/// the hub verifies; the client only wants to know who it is and when to refresh.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TokenClaims {
    /// The user id.
    pub sub: String,
    /// The display name, if the hub put one in.
    #[serde(default)]
    pub name: Option<String>,
    /// Expiry, seconds since the epoch.
    #[serde(default)]
    pub exp: Option<i64>,
}

/// Reads a JWT's claims; `None` when it is not a JWT.
pub fn token_claims(token: &str) -> Option<TokenClaims> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64url_decode(payload)?;
    serde_json::from_slice(&bytes).ok()
}

/// Base64url without padding (RFC 4648 §5), as JWTs use it.
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0u32;
    for byte in text.bytes().filter(|b| *b != b'=') {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_jwt_claims_without_verifying() {
        // {"alg":"HS256"} . {"sub":"lead","name":"Lea","exp":1700000000} . signature
        let token =
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFkIiwibmFtZSI6IkxlYSIsImV4cCI6MTcwMDAwMDAwMH0.sig";
        let claims = token_claims(token).unwrap();
        assert_eq!(claims.sub, "lead");
        assert_eq!(claims.name.as_deref(), Some("Lea"));
        assert_eq!(claims.exp, Some(1_700_000_000));
        assert_eq!(token_claims("not-a-jwt"), None);
    }

    #[test]
    fn credentials_debug_hides_the_token() {
        let c = Credentials {
            server: "http://h".into(),
            token: "secret-token".into(),
        };
        assert!(!format!("{c:?}").contains("secret-token"));
    }

    #[tokio::test]
    async fn static_tokens_can_be_emptied() {
        let tokens = StaticTokens::new("http://h", "t");
        assert_eq!(tokens.credentials().await.unwrap().token, "t");
        tokens.set(None);
        assert!(matches!(
            tokens.credentials().await,
            Err(ClientError::NotSignedIn)
        ));
    }
}
