//! Reading what the app put in the Secret Service, with libsecret's own `secret-tool`;
//! finding tokens; and counting how often the app opens a Secret Service session.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::StreamExt;

use crate::harness::{TestEnv, poll};

/// One Secret Service item.
#[derive(Debug, Clone, Default)]
pub struct SecretItem {
    pub label: String,
    pub secret: String,
    /// `attribute.<name> = <value>` lines, as (name, value).
    pub attributes: Vec<(String, String)>,
}

/// Every item whose attribute `service` is `service`, unlocked and read through the test's
/// session bus.
pub fn items_for_service(env: &TestEnv, service: &str) -> Vec<SecretItem> {
    let output = std::process::Command::new("secret-tool")
        .args(["search", "--all", "--unlock", "service", service])
        .envs(env.env())
        .output()
        .expect("run secret-tool (package libsecret-tools)");
    // secret-tool prints the attributes on stderr and the rest on stdout in some versions:
    // read both, in order of appearance within each.
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut items: Vec<SecretItem> = Vec::new();
    for line in text.lines() {
        if line.starts_with('[') && line.ends_with(']') {
            items.push(SecretItem::default());
            continue;
        }
        let Some((key, value)) = line.split_once(" = ") else {
            continue;
        };
        if items.is_empty() {
            items.push(SecretItem::default());
        }
        let item = items.last_mut().expect("an item");
        match key {
            "label" => item.label = value.to_owned(),
            "secret" => item.secret = value.to_owned(),
            _ => {
                if let Some(name) = key.strip_prefix("attribute.") {
                    item.attributes.push((name.to_owned(), value.to_owned()));
                }
            }
        }
    }
    items.retain(|i| !i.secret.is_empty());
    items
}

/// The first JWT (`eyJ….….…`) inside `text`, if any: the keychain entry may hold the token
/// alone or inside a small JSON document.
pub fn find_jwt(text: &str) -> Option<String> {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let start = text.find("eyJ")?;
    let candidate: String = text[start..]
        .chars()
        .take_while(|c| is_b64(*c) || *c == '.')
        .collect();
    let parts: Vec<&str> = candidate.split('.').collect();
    (parts.len() == 3 && parts.iter().all(|p| !p.is_empty())).then_some(candidate)
}

/// A D-Bus monitor on a test's bus that counts `OpenSession` calls to the Secret Service:
/// every client of the keychain opens one, so the count is how often the app went there.
pub struct SecretSessions {
    /// A plain connection, for the marker calls of [`SecretSessions::settled`].
    caller: zbus::Connection,
    opened: Arc<AtomicUsize>,
    markers: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl SecretSessions {
    /// Starts watching the bus of `env` (its Secret Service running or not).
    pub async fn watch(env: &TestEnv) -> Self {
        let connect = async || {
            zbus::connection::Builder::address(env.bus_address())
                .expect("bus address")
                .build()
                .await
                .expect("connect to the test bus")
        };
        let monitor = connect().await;
        let rules = [
            zbus::MatchRule::builder()
                .msg_type(zbus::message::Type::MethodCall)
                .interface("org.freedesktop.Secret.Service")
                .and_then(|rule| rule.member("OpenSession"))
                .expect("OpenSession rule")
                .build(),
            zbus::MatchRule::builder()
                .msg_type(zbus::message::Type::MethodCall)
                .path("/org/freedesktop/secrets")
                .and_then(|rule| rule.interface("org.freedesktop.DBus.Peer"))
                .and_then(|rule| rule.member("Ping"))
                .expect("marker rule")
                .build(),
        ];
        // The stream first, so that nothing the bus sends after BecomeMonitor is missed.
        let mut stream = zbus::MessageStream::from(&monitor);
        zbus::fdo::MonitoringProxy::new(&monitor)
            .await
            .expect("monitoring proxy")
            .become_monitor(&rules, 0)
            .await
            .expect("become a monitor of the test bus");
        let opened = Arc::new(AtomicUsize::new(0));
        let markers = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn({
            let (opened, markers) = (opened.clone(), markers.clone());
            async move {
                // Keeps the monitor connection for as long as it counts.
                let _monitor = monitor;
                while let Some(Ok(message)) = stream.next().await {
                    let header = message.header();
                    match header.member().map(|m| m.as_str()) {
                        Some("OpenSession") => opened.fetch_add(1, Ordering::SeqCst),
                        Some("Ping") => markers.fetch_add(1, Ordering::SeqCst),
                        _ => continue,
                    };
                }
            }
        });
        Self {
            caller: connect().await,
            opened,
            markers,
            task,
        }
    }

    /// The sessions opened so far, counted once every call that reached the bus before this
    /// one has reached the monitor: a marker (`Peer.Ping` to the Secret Service) goes through
    /// the bus after them, and the bus hands a monitor its messages in the order it routes
    /// them.
    pub async fn settled(&self) -> usize {
        let seen = self.markers.load(Ordering::SeqCst);
        // The answer does not matter (the bus routes the call to the monitor either way).
        let _ = self
            .caller
            .call_method(
                Some("org.freedesktop.secrets"),
                "/org/freedesktop/secrets",
                Some("org.freedesktop.DBus.Peer"),
                "Ping",
                &(),
            )
            .await;
        poll(
            "the marker call to reach the D-Bus monitor",
            Duration::from_secs(10),
            async || (self.markers.load(Ordering::SeqCst) > seen).then_some(()),
        )
        .await;
        self.opened.load(Ordering::SeqCst)
    }
}

impl Drop for SecretSessions {
    fn drop(&mut self) {
        self.task.abort();
    }
}
