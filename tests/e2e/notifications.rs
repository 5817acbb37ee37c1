//! A stand-in notification server: the test owns `org.freedesktop.Notifications` on its
//! session bus, records every `Notify` call, and can "click" a notification by emitting
//! `ActionInvoked` — what a desktop's notification daemon does, with no X server involved.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedValue;

const PATH: &str = "/org/freedesktop/Notifications";

/// One `Notify` call.
#[derive(Debug, Clone)]
pub struct Notified {
    /// The id the server answered with.
    pub id: u32,
    pub app_name: String,
    pub summary: String,
    pub body: String,
    /// Action keys and labels, alternating (`["default", "Open"]`).
    pub actions: Vec<String>,
}

impl Notified {
    /// Summary and body, for matching.
    pub fn text(&self) -> String {
        format!("{} — {}", self.summary, self.body)
    }
}

#[derive(Debug, Default)]
struct Recorder {
    calls: Arc<Mutex<Vec<Notified>>>,
    closed: Arc<Mutex<Vec<u32>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Recorder {
    async fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    #[allow(clippy::too_many_arguments)]
    async fn notify(
        &self,
        app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut calls = self.calls.lock().expect("recorder lock");
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            u32::try_from(calls.len()).unwrap_or(u32::MAX - 1) + 1
        };
        println!("Notify #{id} from {app_name:?}: {summary:?} / {body:?} actions {actions:?}");
        calls.push(Notified {
            id,
            app_name,
            summary,
            body,
            actions,
        });
        id
    }

    async fn close_notification(&self, id: u32) {
        self.closed.lock().expect("recorder lock").push(id);
    }

    async fn get_server_information(&self) -> (String, String, String, String) {
        (
            "sideline-e2e".into(),
            "Sideline tests".into(),
            "1.0".into(),
            "1.2".into(),
        )
    }

    #[zbus(signal)]
    async fn action_invoked(
        emitter: &SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn notification_closed(
        emitter: &SignalEmitter<'_>,
        id: u32,
        reason: u32,
    ) -> zbus::Result<()>;
}

/// The running stand-in; the name is released when dropped.
pub struct NotificationServer {
    connection: zbus::Connection,
    calls: Arc<Mutex<Vec<Notified>>>,
}

impl NotificationServer {
    /// Owns `org.freedesktop.Notifications` on the bus at `address`.
    pub async fn own(address: &str) -> Self {
        let recorder = Recorder::default();
        let calls = recorder.calls.clone();
        let connection = zbus::connection::Builder::address(address)
            .expect("bus address")
            .name("org.freedesktop.Notifications")
            .expect("well-known name")
            .serve_at(PATH, recorder)
            .expect("serve the notification interface")
            .build()
            .await
            .expect("own org.freedesktop.Notifications on the test bus");
        Self { connection, calls }
    }

    /// Every `Notify` call so far, in order.
    pub fn calls(&self) -> Vec<Notified> {
        self.calls.lock().expect("recorder lock").clone()
    }

    /// Emits `ActionInvoked(id, key)` then `NotificationClosed(id, 2)` (dismissed by the
    /// user), as a daemon does when a notification is clicked.
    pub async fn click(&self, id: u32, key: &str) {
        let emitter = SignalEmitter::new(&self.connection, PATH).expect("signal emitter");
        Recorder::action_invoked(&emitter, id, key)
            .await
            .expect("emit ActionInvoked");
        Recorder::notification_closed(&emitter, id, 2)
            .await
            .expect("emit NotificationClosed");
    }
}
