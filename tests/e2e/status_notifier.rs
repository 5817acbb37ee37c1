//! A stand-in tray host: the test owns `org.kde.StatusNotifierWatcher` on its session bus (as
//! a desktop panel does), records every `RegisterStatusNotifierItem`, and then talks to the
//! registered item as a panel would — reading its `org.kde.StatusNotifierItem` properties,
//! reading its menu over `com.canonical.dbusmenu` (`GetLayout`) and clicking entries
//! (`Event(id, "clicked", …)`). No X server is involved: this is the tray as D-Bus sees it.
//!
//! libayatana-appindicator registers with the watcher only if the name is owned when the tray
//! is created (otherwise it falls back to an XEmbed icon), and asks the watcher whether a host
//! is registered: own the name before the app starts. It registers an object path (its
//! `/org/ayatana/NotificationItem/<id>`), not a bus name; the item lives on the sender's
//! connection, as the KDE watcher interprets it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use zbus::message::Header;
use zbus::names::{BusName, InterfaceName};
use zbus::object_server::SignalEmitter;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

use crate::harness::poll;

const WATCHER_PATH: &str = "/StatusNotifierWatcher";
const WATCHER_NAME: &str = "org.kde.StatusNotifierWatcher";
const ITEM_INTERFACE: &str = "org.kde.StatusNotifierItem";
const MENU_INTERFACE: &str = "com.canonical.dbusmenu";

/// One `RegisterStatusNotifierItem` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The caller's unique bus name (where the item lives).
    pub sender: String,
    /// What it passed: an object path (appindicator) or a bus name.
    pub service: String,
}

#[derive(Debug, Default)]
struct Watcher {
    items: Arc<Mutex<Vec<Registration>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    async fn register_status_notifier_item(
        &self,
        service: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) {
        let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
        println!("RegisterStatusNotifierItem({service:?}) from {sender}");
        let announced = if service.starts_with('/') {
            format!("{sender}{service}")
        } else {
            service.clone()
        };
        self.items
            .lock()
            .expect("watcher lock")
            .push(Registration { sender, service });
        let _ = Self::status_notifier_item_registered(&emitter, &announced).await;
    }

    async fn register_status_notifier_host(&self, service: String) {
        println!("RegisterStatusNotifierHost({service:?})");
    }

    #[zbus(property)]
    async fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items
            .lock()
            .expect("watcher lock")
            .iter()
            .map(|r| format!("{}{}", r.sender, r.service))
            .collect()
    }

    /// A panel (this test) shows the items.
    #[zbus(property)]
    async fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    async fn protocol_version(&self) -> i32 {
        0
    }

    #[zbus(signal)]
    async fn status_notifier_item_registered(
        emitter: &SignalEmitter<'_>,
        service: &str,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn status_notifier_item_unregistered(
        emitter: &SignalEmitter<'_>,
        service: &str,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn status_notifier_host_registered(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;
}

/// The running stand-in watcher; the name is released when dropped.
pub struct StatusNotifierWatcher {
    connection: zbus::Connection,
    items: Arc<Mutex<Vec<Registration>>>,
}

impl StatusNotifierWatcher {
    /// Owns `org.kde.StatusNotifierWatcher` on the bus at `address` and announces a host.
    pub async fn own(address: &str) -> Self {
        let watcher = Watcher::default();
        let items = watcher.items.clone();
        let connection = zbus::connection::Builder::address(address)
            .expect("bus address")
            .name(WATCHER_NAME)
            .expect("well-known name")
            .serve_at(WATCHER_PATH, watcher)
            .expect("serve the watcher interface")
            .build()
            .await
            .expect("own org.kde.StatusNotifierWatcher on the test bus");
        let emitter = SignalEmitter::new(&connection, WATCHER_PATH).expect("signal emitter");
        Watcher::status_notifier_host_registered(&emitter)
            .await
            .expect("emit StatusNotifierHostRegistered");
        Self { connection, items }
    }

    /// Every registration so far, in order.
    pub fn registrations(&self) -> Vec<Registration> {
        self.items.lock().expect("watcher lock").clone()
    }

    /// Waits for the first registration and returns its item, addressed as a panel would
    /// (the sender's connection and the registered path).
    pub async fn wait_for_item(&self, within: Duration) -> TrayItem {
        let registration = poll("RegisterStatusNotifierItem", within, async || {
            self.registrations().first().cloned()
        })
        .await;
        let (destination, path) = if registration.service.starts_with('/') {
            (registration.sender.clone(), registration.service.clone())
        } else {
            (
                registration.service.clone(),
                "/StatusNotifierItem".to_owned(),
            )
        };
        TrayItem {
            connection: self.connection.clone(),
            destination,
            path,
        }
    }

    /// Whether a bus name (an item's connection) still has an owner.
    pub async fn name_has_owner(&self, name: &str) -> bool {
        let dbus = zbus::fdo::DBusProxy::new(&self.connection)
            .await
            .expect("DBus proxy");
        let Ok(name) = BusName::try_from(name) else {
            return false;
        };
        dbus.name_has_owner(name).await.unwrap_or(false)
    }
}

/// One entry of the tray's menu, as `GetLayout` returns it.
#[derive(Debug, Clone, Default)]
pub struct MenuEntry {
    pub id: i32,
    /// The label without GTK's mnemonic underscores.
    pub label: String,
    /// `"separator"` for separators, empty for standard items.
    pub kind: String,
    /// `"checkmark"` for check items.
    pub toggle_type: String,
    /// 1 checked, 0 unchecked, -1 none.
    pub toggle_state: i32,
    pub enabled: bool,
    pub visible: bool,
}

/// A registered StatusNotifierItem, seen from the panel's side.
pub struct TrayItem {
    connection: zbus::Connection,
    /// The item's bus name (the app's unique name).
    pub destination: String,
    /// The item's object path.
    pub path: String,
}

impl TrayItem {
    async fn get(&self, path: &str, interface: &str, property: &str) -> zbus::Result<OwnedValue> {
        let properties = zbus::fdo::PropertiesProxy::builder(&self.connection)
            .destination(self.destination.as_str())?
            .path(path)?
            // appindicator announces changes with its own signals (NewTitle, XAyatanaNewLabel),
            // not PropertiesChanged: read afresh every time.
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await?;
        let interface = InterfaceName::try_from(interface).map_err(zbus::Error::from)?;
        Ok(properties.get(interface, property).await?)
    }

    /// A string property of the item (`Id`, `Title`, `Status`, `XAyatanaLabel`, `ToolTip`…);
    /// `Err` when the item does not have it.
    pub async fn string_property(&self, property: &str) -> zbus::Result<String> {
        let value = self.get(&self.path, ITEM_INTERFACE, property).await?;
        String::try_from(value).map_err(zbus::Error::from)
    }

    /// The path of the item's menu (its `Menu` property).
    pub async fn menu_path(&self) -> String {
        let value = self
            .get(&self.path, ITEM_INTERFACE, "Menu")
            .await
            .unwrap_or_else(|e| panic!("read the tray item's Menu property: {e}"));
        OwnedObjectPath::try_from(value)
            .expect("Menu is an object path")
            .to_string()
    }

    /// The menu's entries (the root's children, depth-first), through
    /// `com.canonical.dbusmenu.GetLayout(0, -1, [])`.
    pub async fn menu(&self) -> zbus::Result<Vec<MenuEntry>> {
        let menu = self.menu_path().await;
        let reply = self
            .connection
            .call_method(
                Some(self.destination.as_str()),
                menu.as_str(),
                Some(MENU_INTERFACE),
                "GetLayout",
                &(0i32, -1i32, Vec::<String>::new()),
            )
            .await?;
        type Layout = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);
        let (_revision, (_root, _props, children)): (u32, Layout) = reply.body().deserialize()?;
        let mut entries = Vec::new();
        for child in &children {
            collect(child, &mut entries);
        }
        Ok(entries)
    }

    /// The entry labelled `label` (mnemonics ignored), waiting for the menu to show it.
    pub async fn entry(&self, label: &str, within: Duration) -> MenuEntry {
        poll(
            &format!("the tray menu to show {label:?}"),
            within,
            async || {
                self.menu()
                    .await
                    .ok()?
                    .into_iter()
                    .find(|e| e.label == label)
            },
        )
        .await
    }

    /// Clicks the entry labelled `label`: `Event(id, "clicked", 0, 0)`, what a panel sends
    /// when the user picks it.
    pub async fn click(&self, label: &str) {
        let entry = self.entry(label, Duration::from_secs(10)).await;
        let menu = self.menu_path().await;
        println!("tray: clicking {label:?} (id {})", entry.id);
        self.connection
            .call_method(
                Some(self.destination.as_str()),
                menu.as_str(),
                Some(MENU_INTERFACE),
                "Event",
                &(entry.id, "clicked", Value::I32(0), 0u32),
            )
            .await
            .unwrap_or_else(|e| panic!("click {label:?} in the tray menu: {e}"));
    }
}

/// A variant's content (dbusmenu nests values in variants).
fn plain<'a>(value: &'a Value<'a>) -> &'a Value<'a> {
    match value {
        Value::Value(inner) => plain(inner),
        other => other,
    }
}

/// Adds the `(ia{sv}av)` layout node `value` and its children to `out`.
fn collect(value: &Value<'_>, out: &mut Vec<MenuEntry>) {
    let Value::Structure(node) = plain(value) else {
        return;
    };
    let [id, props, children] = node.fields() else {
        return;
    };
    let mut entry = MenuEntry {
        toggle_state: -1,
        enabled: true,
        visible: true,
        ..MenuEntry::default()
    };
    if let Value::I32(id) = plain(id) {
        entry.id = *id;
    }
    if let Value::Dict(props) = plain(props) {
        for (key, value) in props.iter() {
            let Value::Str(key) = plain(key) else {
                continue;
            };
            match (key.as_str(), plain(value)) {
                ("label", Value::Str(s)) => entry.label = s.as_str().replace('_', ""),
                ("type", Value::Str(s)) => entry.kind = s.as_str().to_owned(),
                ("toggle-type", Value::Str(s)) => entry.toggle_type = s.as_str().to_owned(),
                ("toggle-state", Value::I32(n)) => entry.toggle_state = *n,
                ("enabled", Value::Bool(b)) => entry.enabled = *b,
                ("visible", Value::Bool(b)) => entry.visible = *b,
                _ => {}
            }
        }
    }
    out.push(entry);
    if let Value::Array(children) = plain(children) {
        for child in children.inner() {
            collect(child, out);
        }
    }
}
