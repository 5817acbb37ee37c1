//! Starting the real app under tauri-driver and talking WebDriver to it.
//!
//! Every test gets a [`TestEnv`]: its own `HOME` and `XDG_*` directories (so profiles, app
//! data, logs, WebKit data and keyrings are isolated, and left behind for inspection under
//! `SIDELINE_E2E_WORK/<test>/`), and its own D-Bus session bus, a private `dbus-daemon` with no
//! service directories: nothing is started by bus activation, so a test sees a Secret Service
//! or a notification server only if it started one itself, and the app's single-instance name
//! never collides with an earlier test's app. [`TestEnv::launch`] starts tauri-driver (on
//! free ports) with that environment, which the app inherits through WebKitWebDriver, and
//! passes the app's arguments through the `tauri:options` capability.
//!
//! `cargo xtask test` runs these tests inside `xvfb-run` (the display) with
//! `--test-threads=1`, and passes `SIDELINE_APP_BIN`, `TAURI_DRIVER`, `SIDELINE_E2E_ARTIFACTS`
//! and `SIDELINE_E2E_WORK` through the environment.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child as StdChild, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use fantoccini::elements::Element;
use fantoccini::wd::WindowHandle;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::process::{Child, Command};

/// How long the app gets to start and show its first window.
pub const START_DEADLINE: Duration = Duration::from_secs(90);

/// How long a test waits for the UI to show something that should happen soon.
pub const UI_DEADLINE: Duration = Duration::from_secs(30);

fn env_path(key: &str) -> PathBuf {
    std::env::var_os(key).map(PathBuf::from).unwrap_or_else(|| {
        panic!("{key} is not set: run the end-to-end tests with `cargo xtask test`")
    })
}

/// Where screenshots go (`target/e2e-artifacts/`).
pub fn artifacts_dir() -> PathBuf {
    let dir = env_path("SIDELINE_E2E_ARTIFACTS");
    std::fs::create_dir_all(&dir).expect("create the artifacts directory");
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

/// Polls `probe` every 100 ms until it returns `Some`, and panics naming `what` when
/// `within` has passed. The one way these tests wait: never a bare sleep.
pub async fn poll<T>(what: &str, within: Duration, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {within:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A private D-Bus session bus (`dbus-daemon` with no service directories), ended when
/// dropped.
struct SessionBus {
    daemon: StdChild,
    address: String,
}

impl SessionBus {
    fn start(dir: &Path) -> Self {
        let services = dir.join("dbus-services");
        std::fs::create_dir_all(&services).expect("create the bus's service directory");
        let config = dir.join("dbus-session.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                services.display()
            ),
        )
        .expect("write the bus configuration");
        let log = std::fs::File::create(dir.join("dbus-daemon.log")).expect("create the bus log");
        let mut daemon = StdCommand::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--nosyslog", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start dbus-daemon (package dbus-daemon / dbus)");
        let mut address = String::new();
        BufReader::new(daemon.stdout.take().expect("dbus-daemon stdout"))
            .read_line(&mut address)
            .expect("read the bus address");
        let address = address.trim().to_owned();
        assert!(
            address.starts_with("unix:"),
            "dbus-daemon printed no address"
        );
        Self { daemon, address }
    }
}

impl Drop for SessionBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// One test's private world: directories, session bus, and optionally a keyring daemon.
pub struct TestEnv {
    pub name: String,
    /// `SIDELINE_E2E_WORK/<name>/`: the home, the bus configuration, the driver's log.
    pub root: PathBuf,
    /// The app's `HOME` (its XDG directories are inside).
    pub home: PathBuf,
    /// `XDG_RUNTIME_DIR`: short, under /tmp (sockets have a path length limit).
    runtime: PathBuf,
    bus: SessionBus,
    keyring: Option<StdChild>,
}

impl TestEnv {
    /// Fresh directories (an earlier run's are removed) and a private session bus.
    pub fn new(name: &str) -> Self {
        let work = std::env::var_os("SIDELINE_E2E_WORK")
            .map(PathBuf::from)
            .unwrap_or_else(|| std::env::temp_dir().join("sideline-e2e-work"));
        let root = work.join(name);
        let _ = std::fs::remove_dir_all(&root);
        let home = root.join("home");
        for dir in [".config", ".local/share", ".local/state", ".cache"] {
            std::fs::create_dir_all(home.join(dir)).expect("create the test's HOME");
        }
        let runtime = std::env::temp_dir().join(format!("sle2e-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&runtime);
        std::fs::create_dir_all(&runtime).expect("create XDG_RUNTIME_DIR");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700))
                .expect("XDG_RUNTIME_DIR is private");
        }
        let bus = SessionBus::start(&root);
        println!("[{name}] work dir {}, bus {}", root.display(), bus.address);
        Self {
            name: name.to_owned(),
            root,
            home,
            runtime,
            bus,
            keyring: None,
        }
    }

    /// The address of this test's session bus.
    pub fn bus_address(&self) -> &str {
        &self.bus.address
    }

    /// The environment every process of this test gets (on top of the test's own: DISPLAY,
    /// XAUTHORITY, PATH).
    pub fn env(&self) -> Vec<(&'static str, OsString)> {
        vec![
            ("HOME", self.home.clone().into()),
            ("XDG_CONFIG_HOME", self.home.join(".config").into()),
            ("XDG_DATA_HOME", self.home.join(".local/share").into()),
            ("XDG_STATE_HOME", self.home.join(".local/state").into()),
            ("XDG_CACHE_HOME", self.home.join(".cache").into()),
            ("XDG_RUNTIME_DIR", self.runtime.clone().into()),
            ("DBUS_SESSION_BUS_ADDRESS", self.bus.address.clone().into()),
            // No accessibility bus and no dconf: neither runs on the private session bus.
            ("NO_AT_BRIDGE", "1".into()),
            ("GSETTINGS_BACKEND", "memory".into()),
        ]
    }

    /// Starts gnome-keyring's Secret Service on this test's bus, its login keyring created
    /// and unlocked with `password`, and waits until `org.freedesktop.secrets` answers.
    pub async fn start_keyring(&mut self, password: &str) {
        let mut daemon = StdCommand::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .envs(self.env())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start gnome-keyring-daemon (package gnome-keyring)");
        {
            let mut stdin = daemon.stdin.take().expect("keyring stdin");
            stdin
                .write_all(password.as_bytes())
                .expect("give the keyring its password");
        }
        // It prints GNOME_KEYRING_CONTROL=… once it runs; keep reading its stdout so it never
        // blocks on a full pipe.
        if let Some(mut stdout) = daemon.stdout.take() {
            std::thread::spawn(move || {
                let mut sink = Vec::new();
                let _ = stdout.read_to_end(&mut sink);
            });
        }
        self.keyring = Some(daemon);
        let bus = zbus::connection::Builder::address(self.bus_address())
            .expect("bus address")
            .build()
            .await
            .expect("connect to the test bus");
        let dbus = zbus::fdo::DBusProxy::new(&bus).await.expect("DBus proxy");
        poll(
            "gnome-keyring to own org.freedesktop.secrets",
            Duration::from_secs(15),
            async || {
                let name = zbus::names::BusName::try_from("org.freedesktop.secrets").ok()?;
                dbus.name_has_owner(name).await.ok().filter(|owned| *owned)
            },
        )
        .await;
    }

    /// Every regular file under `dir` whose bytes contain `needle`.
    pub fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                let path = entry.path();
                if kind.is_dir() {
                    stack.push(path);
                } else if kind.is_file()
                    && let Ok(bytes) = std::fs::read(&path)
                    && bytes.windows(needle.len()).any(|w| w == needle)
                {
                    found.push(path);
                }
            }
        }
        found
    }

    /// Every regular file under `dir` (for reports).
    pub fn count_files(dir: &Path) -> usize {
        let mut count = 0;
        let mut stack = vec![dir.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                match entry.file_type() {
                    Ok(kind) if kind.is_dir() => stack.push(entry.path()),
                    Ok(kind) if kind.is_file() => count += 1,
                    _ => {}
                }
            }
        }
        count
    }

    /// Starts the app with `args` (and `env` on top of this test's environment) under a new
    /// tauri-driver, and returns once the UI shows `ready_selector`.
    pub async fn launch(
        &self,
        args: &[&str],
        env: &[(&str, &str)],
        ready_selector: &str,
    ) -> RunningApp {
        let app = env_path("SIDELINE_APP_BIN");
        assert!(
            app.exists(),
            "the app binary {} does not exist",
            app.display()
        );
        let port = free_port();
        let native_port = free_port();
        let log_path = self.root.join("driver.log");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .expect("open the driver log");
        let mut command = Command::new(env_path("TAURI_DRIVER"));
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .envs(self.env())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .kill_on_drop(true);
        // The app reads these; only what this test asks for reaches it.
        for key in [
            "SIDELINE_DEMO_RATE",
            "SIDELINE_STARTUP_PROBE",
            "SIDELINE_LOG",
        ] {
            command.env_remove(key);
        }
        command.env("SIDELINE_LOG", "info,sideline=debug");
        for (key, value) in env {
            command.env(key, value);
        }
        let mut driver = command.spawn().expect("start tauri-driver");

        // tauri-driver listens at once but forwards to WebKitWebDriver, which needs a moment
        // longer (the first start of a run especially): wait for both ports.
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let native = SocketAddr::from(([127, 0, 0, 1], native_port));
        let deadline = Instant::now() + START_DEADLINE;
        for listening in [addr, native] {
            while TcpStream::connect_timeout(&listening, Duration::from_millis(200)).is_err() {
                if let Ok(Some(status)) = driver.try_wait() {
                    panic!(
                        "tauri-driver exited before listening: {status}\n{}",
                        tail(&log_path, 40)
                    );
                }
                assert!(
                    Instant::now() < deadline,
                    "tauri-driver / WebKitWebDriver did not listen on {listening}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }

        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app, "args": args }),
        );
        capabilities.insert("browserName".into(), "wry".into());
        let client = match tokio::time::timeout(
            START_DEADLINE,
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities)
                .connect(&format!("http://{addr}")),
        )
        .await
        {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => panic!(
                "the app did not start under tauri-driver: {e}\n{}",
                tail(&log_path, 60)
            ),
            Err(_) => panic!(
                "the app's WebDriver session did not start in time\n{}",
                tail(&log_path, 60)
            ),
        };
        let running = RunningApp {
            client,
            driver,
            app,
            home: self.home.clone(),
            log: log_path,
            name: self.name.clone(),
        };
        // `--tv` opens the TV window beside the main one: whichever window shows the ready
        // element becomes the current one.
        running
            .switch_to_window_with(ready_selector, START_DEADLINE)
            .await;
        running
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        if let Some(mut keyring) = self.keyring.take() {
            // A daemon that ended on its own explains a keychain failure: say so.
            if let Ok(Some(status)) = keyring.try_wait() {
                println!("[{}] gnome-keyring-daemon had exited: {status}", self.name);
            }
            let _ = keyring.kill();
            let _ = keyring.wait();
        }
        let _ = std::fs::remove_dir_all(&self.runtime);
    }
}

/// The last `lines` lines of a log file, for failure messages.
pub fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    let start = all.len().saturating_sub(lines);
    format!(
        "--- last {} lines of {} ---\n{}",
        all.len() - start,
        path.display(),
        all[start..].join("\n")
    )
}

/// A running app: tauri-driver, the WebKitWebDriver it started, and the app's windows.
/// [`RunningApp::stop`] ends it; dropping it (a failed test) kills what is left.
pub struct RunningApp {
    pub client: Client,
    driver: Child,
    app: PathBuf,
    home: PathBuf,
    log: PathBuf,
    name: String,
}

impl RunningApp {
    /// The first element matching `selector` once it exists, within [`UI_DEADLINE`].
    pub async fn wait_for(&self, selector: &str) -> Element {
        self.wait_for_within(selector, UI_DEADLINE).await
    }

    /// The first element matching `selector` once it exists, within `within`.
    pub async fn wait_for_within(&self, selector: &str, within: Duration) -> Element {
        let found = tokio::time::timeout(within, async {
            loop {
                if let Ok(element) = self.client.find(Locator::Css(selector)).await {
                    return element;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
        .await;
        match found {
            Ok(element) => element,
            Err(_) => panic!(
                "[{}] the UI never showed {selector} within {within:?}\n{}",
                self.name,
                tail(&self.log, 40)
            ),
        }
    }

    /// Waits until no element matches `selector`.
    pub async fn wait_gone(&self, selector: &str, within: Duration) {
        poll(&format!("{selector} to disappear"), within, async || {
            self.count(selector).await.eq(&0).then_some(())
        })
        .await;
    }

    /// How many elements match `selector` now.
    pub async fn count(&self, selector: &str) -> usize {
        self.client
            .find_all(Locator::Css(selector))
            .await
            .map(|all| all.len())
            .unwrap_or(0)
    }

    /// The text of every element matching `selector` now, in document order, read at once.
    pub async fn texts(&self, selector: &str) -> Vec<String> {
        let read = self
            .js(
                "return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent)",
                vec![selector.into()],
            )
            .await;
        serde_json::from_value(read).unwrap_or_else(|e| panic!("texts of {selector}: {e}"))
    }

    /// Moves the mouse pointer onto the centre of the element matching `selector`, through
    /// WebDriver actions (the page sees pointer events as from a real mouse).
    pub async fn hover(&self, selector: &str) {
        let element = self.wait_for(selector).await;
        self.move_pointer(PointerAction::MoveToElement {
            element,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .await;
    }

    /// Moves the mouse pointer to `(x, y)` in the window's viewport.
    pub async fn pointer_to(&self, x: f64, y: f64) {
        self.move_pointer(PointerAction::MoveTo {
            duration: None,
            x,
            y,
        })
        .await;
    }

    async fn move_pointer(&self, action: PointerAction) {
        self.client
            .perform_actions(MouseActions::new("mouse".into()).then(action))
            .await
            .unwrap_or_else(|e| panic!("[{}] move the pointer: {e}", self.name));
    }

    /// Text of the first element matching `selector` now, if there is one.
    pub async fn try_text(&self, selector: &str) -> Option<String> {
        let element = self.client.find(Locator::Css(selector)).await.ok()?;
        element.text().await.ok()
    }

    /// Text of the element matching `selector` (waiting for it to exist).
    pub async fn text(&self, selector: &str) -> String {
        self.wait_for(selector)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("no text in {selector}: {e}"))
    }

    /// An attribute of the first element matching `selector` now.
    pub async fn try_attr(&self, selector: &str, name: &str) -> Option<String> {
        let element = self.client.find(Locator::Css(selector)).await.ok()?;
        element.attr(name).await.ok().flatten()
    }

    /// Waits until the text of `selector` equals `expected`; panics with the last text seen.
    pub async fn wait_text(&self, selector: &str, expected: &str, within: Duration) {
        let mut last = None;
        let deadline = Instant::now() + within;
        loop {
            last = self.try_text(selector).await.or(last);
            if last.as_deref().map(str::trim) == Some(expected) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "[{}] {selector} never read {expected:?} within {within:?}; last seen {last:?}\n{}",
                self.name,
                tail(&self.log, 40)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the element matching `selector` (waiting for it to exist).
    pub async fn click(&self, selector: &str) {
        self.wait_for(selector)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {selector}: {e}"));
    }

    /// Replaces the value of the input matching `selector` with `text`.
    pub async fn type_into(&self, selector: &str, text: &str) {
        let input = self.wait_for(selector).await;
        input
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clear {selector}: {e}"));
        input
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {selector}: {e}"));
    }

    /// Chooses the option of the `<select>` matching `selector` whose value is `value`.
    pub async fn select(&self, selector: &str, value: &str) {
        let select = self.wait_for(selector).await;
        select
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("choose {value:?} in {selector}: {e}"));
    }

    /// Runs JavaScript in the current window and returns its result.
    pub async fn js(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("run {script:?}: {e}"))
    }

    /// Calls a Tauri command from the current window, as the UI does, and returns
    /// `Ok(value)` or `Err(the command's error)`.
    pub async fn invoke(
        &self,
        command: &str,
        args: serde_json::Value,
    ) -> Result<serde_json::Value, serde_json::Value> {
        let outcome = self
            .client
            .execute_async(
                "const [command, args, done] = arguments;
                 window.__TAURI_INTERNALS__.invoke(command, args)
                   .then((value) => done({ ok: value ?? null }))
                   .catch((error) => done({ err: error ?? null }));",
                vec![command.into(), args],
            )
            .await
            .unwrap_or_else(|e| panic!("invoke {command}: {e}"));
        match outcome.get("ok") {
            Some(value) => Ok(value.clone()),
            None => Err(outcome.get("err").cloned().unwrap_or_default()),
        }
    }

    /// Saves a PNG of the current window as `target/e2e-artifacts/{name}.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        // Two animation frames: the last DOM change is painted before the picture is taken.
        // Then the page keeps invalidating an invisible outline for two seconds: WebKit takes
        // the picture after the next presentation update, and a window drawn without
        // compositing (no GPU) that was hidden and shown again presents nothing until
        // something is damaged, so the screenshot would wait for ever.
        let _ = self
            .client
            .execute_async(
                "const done = arguments[0];
                 const style = document.documentElement.style;
                 const until = performance.now() + 2000;
                 const repaint = () => {
                   style.outline = style.outline ? '' : '1px solid transparent';
                   if (performance.now() < until) setTimeout(repaint, 50);
                   else style.outline = '';
                 };
                 requestAnimationFrame(() => requestAnimationFrame(() => { repaint(); done(null); }));",
                vec![],
            )
            .await;
        let png = self.client.screenshot().await.expect("take a screenshot");
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        let path = artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("save the screenshot");
        println!("[{}] screenshot {}", self.name, path.display());
        path
    }

    /// Waits for a window (other than those in `known`) to appear, switches to it and returns
    /// its handle.
    pub async fn switch_to_new_window(
        &self,
        known: &[WindowHandle],
        within: Duration,
    ) -> WindowHandle {
        let handle = poll("a new window", within, async || {
            let all = self.client.windows().await.ok()?;
            all.into_iter().find(|h| !known.contains(h))
        })
        .await;
        self.client
            .switch_to_window(handle.clone())
            .await
            .expect("switch to the new window");
        handle
    }

    /// Switches to the first window that shows `selector` (polling every window).
    pub async fn switch_to_window_with(&self, selector: &str, within: Duration) -> WindowHandle {
        let found = tokio::time::timeout(within, async {
            loop {
                for handle in self.client.windows().await.unwrap_or_default() {
                    if self.client.switch_to_window(handle.clone()).await.is_ok()
                        && self.count(selector).await > 0
                    {
                        return handle;
                    }
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
        .await;
        found.unwrap_or_else(|_| {
            panic!(
                "[{}] no window showed {selector} within {within:?}\n{}",
                self.name,
                tail(&self.log, 40)
            )
        })
    }

    /// Switches to the window whose document title is `title`.
    #[allow(dead_code)] // for windows known by title; the current tests know them by handle
    pub async fn switch_to_window_titled(&self, title: &str, within: Duration) -> WindowHandle {
        poll(&format!("a window titled {title:?}"), within, async || {
            for handle in self.client.windows().await.ok()? {
                self.client.switch_to_window(handle.clone()).await.ok()?;
                if self.client.title().await.ok()? == title {
                    return Some(handle);
                }
            }
            None
        })
        .await
    }

    /// The app's log (tauri-driver's output, which includes the app's stderr).
    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.log, lines)
    }

    /// The app's own log file (`sideline.<date>.log` in its log directory under the test's
    /// HOME), the newest if there are several.
    pub fn app_log(&self) -> Option<PathBuf> {
        let mut logs = Vec::new();
        let mut stack = vec![self.home.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                match entry.file_type() {
                    Ok(kind) if kind.is_dir() => stack.push(path),
                    Ok(kind)
                        if kind.is_file()
                            && name.starts_with("sideline.")
                            && name.ends_with(".log") =>
                    {
                        logs.push(path)
                    }
                    _ => {}
                }
            }
        }
        logs.into_iter().max()
    }

    /// The pids of this test's app processes (the app binary running with this test's HOME).
    pub fn app_pids(&self) -> Vec<u32> {
        let home = format!("HOME={}", self.home.display());
        processes()
            .filter(|(_, dir)| {
                std::fs::read_link(dir.join("exe")).ok().as_deref() == Some(self.app.as_path())
            })
            .filter(|(_, dir)| {
                let environ = std::fs::read(dir.join("environ")).unwrap_or_default();
                environ.split(|b| *b == 0).any(|var| var == home.as_bytes())
            })
            .map(|(pid, _)| pid)
            .collect()
    }

    /// Whether Tauri says the main window is visible (asked from the current window's
    /// webview, through the window plugin's `is_visible`).
    pub async fn main_window_visible(&self) -> bool {
        let visible = self
            .invoke(
                "plugin:window|is_visible",
                serde_json::json!({ "label": "main" }),
            )
            .await
            .unwrap_or_else(|e| panic!("[{}] plugin:window|is_visible: {e}", self.name));
        visible == serde_json::Value::Bool(true)
    }

    /// Waits until the main window is `visible` (or hidden) both for Tauri and for the X
    /// server (a viewable X window titled `Sideline`).
    pub async fn wait_main_window_visible(&self, visible: bool, within: Duration) {
        let what = if visible { "shown" } else { "hidden" };
        poll(
            &format!("the main window to be {what}"),
            within,
            async || {
                let tauri = self.main_window_visible().await;
                let x = !viewable_x_windows("^Sideline$").is_empty();
                (tauri == visible && x == visible).then_some(())
            },
        )
        .await;
    }

    /// The app binary this test runs.
    pub fn app_binary(&self) -> &Path {
        &self.app
    }

    /// Sends SIGTERM to the app (which quits cleanly on it, as on the tray's Quit).
    pub fn terminate(&self) {
        for pid in self.app_pids() {
            let _ = StdCommand::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
        }
    }

    /// Waits until no process of this test's app is left (it quit by itself).
    pub async fn wait_exited(&self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let pids = self.app_pids();
            if pids.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "[{}] the app (pids {pids:?}) was still running after {within:?}\n{}",
                self.name,
                tail(&self.log, 40)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Ends the WebDriver session (closing the app), tauri-driver and the WebKitWebDriver it
    /// started (which a killed tauri-driver would leave behind).
    pub async fn stop(mut self) {
        let _ = self.client.clone().close().await;
        self.end_driver_tree();
        let _ = self.driver.wait().await;
        self.kill_leftovers();
    }

    /// Kills tauri-driver and every process below it (WebKitWebDriver, the app, WebKit's
    /// processes), each by pid.
    fn end_driver_tree(&mut self) {
        let Some(driver) = self.driver.id() else {
            return;
        };
        let below = descendants(driver);
        let _ = self.driver.start_kill();
        for pid in below {
            let _ = StdCommand::new("kill")
                .args(["-9", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
    }

    /// Kills this test's app processes that outlived the session: the app binary running with
    /// this test's HOME (nothing else is touched).
    fn kill_leftovers(&self) {
        for pid in self.app_pids() {
            let _ = StdCommand::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
        }
    }
}

impl Drop for RunningApp {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("{}", tail(&self.log, 80));
            if let Some(log) = self.app_log() {
                eprintln!("{}", tail(&log, 80));
            }
        }
        self.end_driver_tree();
        self.kill_leftovers();
    }
}

/// Runs `xdotool` with `args` against the test's X display (real input through XTEST, or a
/// query of the X server's windows) and returns its standard output.
pub fn xdotool(args: &[&str]) -> String {
    let output = StdCommand::new("xdotool")
        .args(args)
        .output()
        .expect("run xdotool (package xdotool)");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The ids of the X windows whose name matches the regular expression `name` and which the X
/// server reports viewable (mapped, with every ancestor mapped): what a user can see.
pub fn viewable_x_windows(name: &str) -> Vec<String> {
    xdotool(&["search", "--onlyvisible", "--name", name])
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Every process on the machine: its pid and its `/proc/<pid>` directory.
pub fn processes() -> impl Iterator<Item = (u32, PathBuf)> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((pid, entry.path()))
        })
}

/// A process's `stat` line (proc(5)): its command name, and the fields after it, from field 3
/// (`state`) on.
pub fn process_stat(dir: &Path) -> Option<(String, Vec<String>)> {
    let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
    // `pid (comm) state ppid …`: comm may hold spaces and parentheses; split at the last ')'.
    let (open, close) = (stat.find('(')?, stat.rfind(')')?);
    let fields = stat[close + 1..]
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    Some((stat[open + 1..close].to_owned(), fields))
}

/// Every process below `root` (from the parent pids in `/proc/<pid>/stat`).
fn descendants(root: u32) -> Vec<u32> {
    let table: Vec<(u32, u32)> = processes()
        .filter_map(|(pid, dir)| {
            let (_, fields) = process_stat(&dir)?;
            Some((pid, fields.get(1)?.parse().ok()?))
        })
        .collect();
    let mut found = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for (pid, ppid) in &table {
            if *ppid == parent {
                found.push(*pid);
                frontier.push(*pid);
            }
        }
    }
    found
}
