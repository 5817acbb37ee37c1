//! End-to-end tests of the whole desktop app: the real binary in a real window under Xvfb,
//! driven through tauri-driver by WebDriver, against a real hub in the test process. Run them
//! with `cargo xtask test` (one at a time: `--test-threads=1`).
//!
//! # Layout
//! - [`harness`]: each test's private HOME, XDG directories and D-Bus session bus; starting
//!   the app under tauri-driver; waiting on the DOM; screenshots.
//! - [`hub`]: the test hub (demo team, no simulator), stopped and restarted at will.
//! - [`notifications`]: a stand-in `org.freedesktop.Notifications` that records `Notify`.
//! - [`status_notifier`]: a stand-in tray host (`org.kde.StatusNotifierWatcher`) that records
//!   the app's StatusNotifierItem, reads its properties and menu (`com.canonical.dbusmenu`)
//!   and clicks menu entries.
//! - [`keychain`]: reading the Secret Service with `secret-tool`; finding tokens.
//! - [`flows`]: what a user does, in the UI's test ids (sign in, views, notes).
//! - the tests: [`demo`], [`sign_in`], [`notes`], [`alerts`], [`screenshots`], [`tv`],
//!   [`tray`] (the tray menu over D-Bus), [`desktop`] (single instance, window state, the
//!   global shortcut through `xdotool`, idle → away at the X server), [`feeds`] (a hidden
//!   window's state feed pauses and catches up), [`reconnect_storm`] (one `Notify` per rank
//!   change while the app is knocked off the hub through a fault-injecting proxy).

mod flows;
mod harness;
mod hub;
mod keychain;
mod notifications;
mod status_notifier;

mod alerts;
mod demo;
mod desktop;
mod feeds;
mod notes;
mod reconnect_storm;
mod screenshots;
mod sign_in;
mod tray;
mod tv;
