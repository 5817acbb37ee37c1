//! Authentication: who a request or a socket acts for.
//!
//! - [`Principal`]: the authenticated user (or wall display) and their team.
//! - [`TokenKeys`]: signs and checks HS256 JWTs ([`Claims`]); expiry is checked against the
//!   hub's [`Clock`](crate::clock::Clock), not the system time, so tests control it.
//! - Passwords are stored as argon2id PHC strings; service API keys (`sk_...`) as SHA-256
//!   digests (they are long random strings, so a fast hash is enough and lets us look them up).
//! - [`load_or_create_secret`]: the JWT secret kept in the data directory when none is given.

use std::fmt;
use std::path::Path;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, TimeZone, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sideline_protocol::{ConnectRefusal, ErrorCode, Id, UserRef};

use crate::error::{HubError, Result};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Team leader: reads and writes for their team.
    Leader,
    /// Agent: their own data and their team's shared views.
    Agent,
    /// A wall display: read-only, bound to one team.
    Display,
}

impl Role {
    /// The stored and wire spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Leader => "leader",
            Role::Agent => "agent",
            Role::Display => "display",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "leader" => Some(Role::Leader),
            "agent" => Some(Role::Agent),
            "display" => Some(Role::Display),
            _ => None,
        }
    }
}

/// Whether a token belongs to a person or to a wall display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// Issued by login / refresh.
    User,
    /// Issued by the admin endpoint for a wall display.
    Display,
}

/// The JWT claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claims {
    /// User id.
    pub sub: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// The user's team.
    pub team_id: String,
    /// Person or display.
    pub kind: TokenKind,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Token id (display tokens, so one can be told apart in logs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

/// Who a socket or a request acts for, taken from a verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// User id.
    pub user_id: Id,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Team.
    pub team_id: Id,
    /// When the token expires.
    pub expires_at: DateTime<Utc>,
}

impl Principal {
    /// A principal for a stored user, for server-side work on their behalf (no token; it
    /// "expires" at `expires_at`).
    pub fn from_record(
        record: &crate::store::users::UserRecord,
        expires_at: DateTime<Utc>,
    ) -> Self {
        Principal {
            user_id: record.id.clone(),
            name: record.name.clone(),
            role: record.role,
            team_id: record.team_id.clone(),
            expires_at,
        }
    }

    /// The principal as it appears inside payloads.
    pub fn user_ref(&self) -> UserRef {
        UserRef {
            id: self.user_id.clone(),
            name: self.name.clone(),
        }
    }

    /// Wall displays may not write.
    pub fn is_display(&self) -> bool {
        self.role == Role::Display
    }

    /// Refuses a write by a display.
    pub fn ensure_can_write(&self) -> Result<()> {
        if self.is_display() {
            Err(HubError::Forbidden("a display is read-only".into()))
        } else {
            Ok(())
        }
    }

    /// Refuses anyone but a leader.
    pub fn ensure_leader(&self) -> Result<()> {
        if self.role == Role::Leader {
            Ok(())
        } else {
            Err(HubError::Forbidden("only a team leader may do this".into()))
        }
    }
}

/// A user record as the token issuer needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSubject {
    /// User id.
    pub id: Id,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Team.
    pub team_id: Id,
}

/// HS256 signing and verification keys.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        f.write_str("TokenKeys(..)")
    }
}

impl TokenKeys {
    /// Keys from a shared secret.
    pub fn new(secret: &[u8]) -> Self {
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    /// Signs a token for `subject` valid from `now` for `ttl`.
    pub fn issue(
        &self,
        subject: &TokenSubject,
        kind: TokenKind,
        now: DateTime<Utc>,
        ttl: std::time::Duration,
    ) -> Result<(String, DateTime<Utc>)> {
        let ttl = chrono::Duration::from_std(ttl)
            .map_err(|_| HubError::Config("token lifetime too long".into()))?;
        let expires_at = now + ttl;
        let claims = Claims {
            sub: subject.id.to_string(),
            name: subject.name.clone(),
            role: subject.role,
            team_id: subject.team_id.to_string(),
            kind,
            exp: expires_at.timestamp(),
            iat: now.timestamp(),
            jti: (kind == TokenKind::Display).then(|| uuid::Uuid::now_v7().to_string()),
        };
        self.sign(&claims).map(|token| (token, expires_at))
    }

    /// Signs arbitrary claims (tests use it to forge expired tokens).
    pub fn sign(&self, claims: &Claims) -> Result<String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| HubError::Internal(format!("signing a token: {e}")))
    }

    /// Checks the signature and the shape, then expiry against `now`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Principal> {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked below against the hub's clock.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(
            |e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature => {
                    HubError::Unauthorized("the token's signature is invalid".into())
                }
                _ => HubError::Unauthorized("the token is malformed".into()),
            },
        )?;
        let claims = data.claims;
        if claims.exp <= now.timestamp() {
            return Err(HubError::TokenExpired);
        }
        let bad = |_| HubError::Unauthorized("the token's claims are malformed".into());
        let role_matches_kind =
            (claims.kind == TokenKind::Display) == (claims.role == Role::Display);
        if !role_matches_kind {
            return Err(HubError::Unauthorized(
                "the token's claims are inconsistent".into(),
            ));
        }
        Ok(Principal {
            user_id: Id::new(claims.sub).map_err(bad)?,
            name: claims.name,
            role: claims.role,
            team_id: Id::new(claims.team_id).map_err(bad)?,
            expires_at: Utc
                .timestamp_opt(claims.exp, 0)
                .single()
                .ok_or_else(|| HubError::Unauthorized("the token's expiry is malformed".into()))?,
        })
    }
}

/// The message of a refused Socket.IO connect: `"CODE: sentence"`, because socketioxide's
/// `connect_error` carries a single message string (see `docs/protocol.md`, conventions).
pub fn connect_refusal(err: &HubError) -> String {
    let code = match err {
        HubError::TokenExpired => ErrorCode::TokenExpired,
        other => other.code(),
    };
    ConnectRefusal::new(code, err.public_message()).to_message()
}

/// Hashes a password with argon2id and a fresh salt (slow on purpose: run off the executor).
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| HubError::Internal(format!("hashing a password: {e}")))
}

/// Whether `password` matches a stored argon2 PHC string.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A new service API key: `sk_` and 32 random bytes in hex.
pub fn generate_api_key() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("sk_{}", hex(&bytes))
}

/// The stored form of an API key (SHA-256, hex).
pub fn hash_api_key(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the JWT secret from `dir/jwt.secret`, or generates one there (mode 0600 on Unix).
pub fn load_or_create_secret(dir: &Path) -> Result<Vec<u8>> {
    let path = dir.join("jwt.secret");
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => return Ok(text.trim().as_bytes().to_vec()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    std::fs::create_dir_all(dir)?;
    let mut bytes = [0u8; 48];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = hex(&bytes);
    write_private(&path, secret.as_bytes())?;
    tracing::info!(path = %path.display(), "generated a new JWT secret");
    Ok(secret.into_bytes())
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> TokenSubject {
        TokenSubject {
            id: Id::new("u1").unwrap(),
            name: "Ana".into(),
            role: Role::Agent,
            team_id: Id::new("t1").unwrap(),
        }
    }

    #[test]
    fn issued_tokens_verify_until_they_expire() {
        let keys = TokenKeys::new(b"secret");
        let now = Utc::now();
        let (token, exp) = keys
            .issue(
                &subject(),
                TokenKind::User,
                now,
                std::time::Duration::from_secs(60),
            )
            .unwrap();
        let p = keys.verify(&token, now).unwrap();
        assert_eq!(p.user_id.as_str(), "u1");
        assert_eq!(p.expires_at.timestamp(), exp.timestamp());
        assert!(matches!(
            keys.verify(&token, now + chrono::Duration::seconds(61)),
            Err(HubError::TokenExpired)
        ));
        assert!(matches!(
            TokenKeys::new(b"other").verify(&token, now),
            Err(HubError::Unauthorized(_))
        ));
        assert!(matches!(
            keys.verify("nope", now),
            Err(HubError::Unauthorized(_))
        ));
    }

    #[test]
    fn refusal_messages_start_with_the_code() {
        assert!(connect_refusal(&HubError::TokenExpired).starts_with("TOKEN_EXPIRED: "));
        assert!(connect_refusal(&HubError::Unauthorized("x".into())).starts_with("UNAUTHORIZED: "));
    }

    #[test]
    fn passwords_and_api_keys() {
        let hash = hash_password("demo").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("demo", &hash));
        assert!(!verify_password("demo2", &hash));
        let key = generate_api_key();
        assert!(key.starts_with("sk_") && key.len() == 67);
        assert_eq!(hash_api_key(&key), hash_api_key(&key));
        assert_ne!(hash_api_key(&key), hash_api_key("sk_other"));
    }

    #[test]
    fn secret_is_generated_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create_secret(dir.path()).unwrap();
        let b = load_or_create_secret(dir.path()).unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("jwt.secret"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
