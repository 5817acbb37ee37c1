//! The tests' team hub: the real `sideline_hub` in the test process on `127.0.0.1:0`, with the
//! demo team seeded (`lead`, `agent01`..`agent10`, `wall`; password `demo`) and the simulator
//! off, so nothing moves unless a test makes it. "Killing" it is a graceful shutdown;
//! restarting it serves the same database on the same port.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use sideline_hub::{Hub, HubConfig, RunningHub};

use crate::harness::poll;

/// The password of every demo account.
pub const PASSWORD: &str = "demo";

/// A test hub that can be stopped and restarted.
pub struct TestHub {
    running: Option<RunningHub>,
    db: PathBuf,
    addr: SocketAddr,
    http: reqwest::Client,
}

impl TestHub {
    /// Starts a demo-seeded hub (no simulator) with its database in `dir`.
    pub async fn start(dir: &Path) -> Self {
        std::fs::create_dir_all(dir).expect("create the hub's directory");
        let db = dir.join("hub.db");
        let running = Hub::start(Self::config(&db, SocketAddr::from(([127, 0, 0, 1], 0))))
            .await
            .expect("the test hub starts");
        let addr = running.local_addr();
        println!("test hub at http://{addr}");
        Self {
            running: Some(running),
            db,
            addr,
            http: reqwest::Client::new(),
        }
    }

    fn config(db: &Path, addr: SocketAddr) -> HubConfig {
        let mut config = HubConfig::ephemeral(db);
        config.addr = addr;
        config.jwt_secret = Some("e2e-secret-e2e-secret-e2e-secret".to_owned());
        config.demo = true;
        config.demo_rate = 0.0;
        config.presence_grace = Duration::from_millis(300);
        config
    }

    /// `http://127.0.0.1:<port>`: what a user types into the sign-in form.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Graceful shutdown: every socket closes, the port stops answering.
    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await.expect("the test hub stops");
        }
    }

    /// Starts again on the same port and database (retrying the bind for a few seconds).
    pub async fn restart(&mut self) {
        assert!(self.running.is_none(), "restart a stopped hub only");
        let (db, addr) = (self.db.clone(), self.addr);
        let running = poll(
            "the test hub to start again on its port",
            Duration::from_secs(15),
            async || Hub::start(Self::config(&db, addr)).await.ok(),
        )
        .await;
        self.running = Some(running);
    }

    /// Logs `username` in over HTTP; returns the token.
    pub async fn login(&self, username: &str) -> String {
        let (status, body) = self
            .request(
                reqwest::Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({ "username": username, "password": PASSWORD })),
            )
            .await;
        assert_eq!(status, 200, "login of {username}: {body}");
        body["token"].as_str().expect("a token").to_owned()
    }

    /// GET with a bearer token; returns (status, JSON or null).
    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.request(reqwest::Method::GET, path, Some(token), None)
            .await
    }

    /// POST JSON with a bearer token; returns (status, JSON or null).
    pub async fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.request(reqwest::Method::POST, path, Some(token), Some(body))
            .await
    }

    async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.url()));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the test hub answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The quick notes about `agent` the hub holds (read as the team leader).
    pub async fn notes_about(&self, agent: &str) -> Vec<Value> {
        let lead = self.login("lead").await;
        let (status, body) = self
            .get(&format!("/api/v1/notes?agentId={agent}"), &lead)
            .await;
        assert_eq!(status, 200, "list notes about {agent}: {body}");
        body.as_array().cloned().unwrap_or_default()
    }
}

impl Drop for TestHub {
    fn drop(&mut self) {
        // A failed test leaves the hub running: its tasks end with the test's runtime.
        let _ = self.running.take();
    }
}
