//! Sideline's client engine: everything the desktop app does that is neither drawing nor OS
//! integration, with no Tauri dependency, shared by the app and the `sideline` CLI.
//!
//! # Layout
//!
//! - [`connection`]: [`HubConnection`], one Socket.IO connection per namespace — the only code
//!   that touches `rust_socketio` (every defect of that library is absorbed there); its
//!   callbacks only forward [`ConnectionEvent`]s into a channel. [`Connector`] / [`Link`] are
//!   the transport seam tests replace.
//! - [`supervisor`]: per namespace, connect / reconnect with jittered exponential backoff
//!   ([`backoff_delay`], pure), the silence watchdog, sign-in-needed, and the
//!   [`ConnectionStatus`] ([`status`]) on a watch channel.
//! - [`tokens`]: where credentials come from — the OS keychain ([`KeyringTokens`]), the
//!   environment ([`EnvTokens`]), or a test ([`StaticTokens`]); login / refresh over HTTP.
//! - [`profiles`]: the desktop app's hub profiles (`profiles.json`) and app settings
//!   (`settings.json`), sign-in / sign-out with the keychain (or the token in memory when there
//!   is none), the TV exit PIN.
//! - [`store`]: the SQLite file (outbox, events cache, cursors, alerts seen, settings).
//! - [`outbox`]: capture validation and the [`outbox::Drainer`] (window, confirmations,
//!   rejections, retries).
//! - [`state`]: [`state::AppState`] and its reducers, idempotent by `eventId`.
//! - [`alerts`]: the pure alert policy (switches, do-not-disturb, quiet hours, storms, dedupe).
//! - [`engine`]: [`engine::Engine`], which runs all of it for the app and the CLI.
//! - [`hub_api`]: reads of the hub's HTTP API the live state does not cover (an agent's note
//!   and action-item history and the user's notification history, a page at a time).
//! - [`error`]: [`ClientError`], one enum with stable codes.
//! - [`typescript`]: the TypeScript declarations of the state the desktop app's UI renders.
//! - `src/main.rs`: the `sideline` CLI.
//!
//! # Data flow
//!
//! ```text
//! rust_socketio callbacks ─▶ ConnectionEvent ─▶ Supervisor (status, reconnect, watchdog)
//!     ─▶ SupervisedEvent (all namespaces, one channel) ─▶ one applier task:
//!          decode ─▶ outbox confirmations ─▶ AppState ─▶ alerts ─▶ one SQLite commit
//!          ─▶ watch<StateUpdate> (≤ 30 Hz), broadcast<Alert>
//! capture ─▶ validate ─▶ SQLite (FULL) ─▶ applier's Drainer ─▶ emit on `/`
//! ```

pub mod alerts;
pub mod connection;
pub mod engine;
pub mod error;
pub mod hub_api;
pub mod outbox;
pub mod profiles;
pub mod state;
pub mod status;
pub mod store;
pub mod supervisor;
pub mod tokens;
pub mod typescript;

pub use connection::{ConnectionEvent, Connector, HubConnection, Link, SocketIoConnector};
pub use engine::{Engine, EngineConfig};
pub use error::{ClientError, ErrorReport, Result};
pub use profiles::{AppSettings, KeychainState, Profile, ProfileKind, Profiles};
pub use status::ConnectionStatus;
pub use supervisor::{Mode, SupervisedEvent, Supervisor, SupervisorConfig, backoff_delay};
pub use tokens::{Credentials, EnvTokens, KeyringTokens, StaticTokens, TokenSource};
