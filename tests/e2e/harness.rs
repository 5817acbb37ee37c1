//! Starting the real app under tauri-driver and talking WebDriver to it.
//!
//! `cargo xtask test` runs these tests inside `xvfb-run` and `dbus-run-session` with a throwaway
//! `HOME`, and passes the paths below through the environment.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::process::{Child, Command};

/// How long the app gets to start and show its first window.
const START_DEADLINE: Duration = Duration::from_secs(60);

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

/// A running app: tauri-driver, the WebKitWebDriver it started, and the app's window, ended
/// when dropped.
pub struct RunningApp {
    pub client: Client,
    driver: Child,
}

impl RunningApp {
    /// Starts tauri-driver, asks it for a session of the app binary, and returns once the UI's
    /// `ready_selector` element exists. Panics (failing the test) if any of that does not happen
    /// within the deadline.
    pub async fn start(ready_selector: &str) -> Self {
        let app = env_path("SIDELINE_APP_BIN");
        assert!(
            app.exists(),
            "the app binary {} does not exist",
            app.display()
        );
        let port = free_port();
        let native_port = free_port();
        let mut driver = Command::new(env_path("TAURI_DRIVER"))
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start tauri-driver");

        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + START_DEADLINE;
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = driver.try_wait() {
                panic!("tauri-driver exited before listening: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on {addr}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app }),
        );
        capabilities.insert("browserName".into(), "wry".into());
        let client = tokio::time::timeout(
            START_DEADLINE,
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities)
                .connect(&format!("http://{addr}")),
        )
        .await
        .expect("the app's WebDriver session did not start in time")
        .expect("the app did not start under tauri-driver");

        client
            .wait()
            .at_most(START_DEADLINE)
            .for_element(Locator::Css(ready_selector))
            .await
            .unwrap_or_else(|e| panic!("the UI never showed {ready_selector}: {e}"));
        Self { client, driver }
    }

    /// Text of the element matching `selector`.
    pub async fn text(&self, selector: &str) -> String {
        self.client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no element {selector}: {e}"))
            .text()
            .await
            .unwrap_or_else(|e| panic!("no text in {selector}: {e}"))
    }

    /// Saves a PNG of the window as `target/e2e-artifacts/{name}.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("take a screenshot");
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        let path = artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("save the screenshot");
        path
    }

    /// Ends the WebDriver session (closing the app) and tauri-driver.
    pub async fn stop(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill().await;
    }
}
