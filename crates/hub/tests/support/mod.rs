//! Test support: an in-process hub on 127.0.0.1:0 with a temp database and the demo team
//! (simulator off), HTTP login, and rust_socketio clients whose callbacks only push into a
//! channel that the test polls with a deadline.

#![allow(dead_code)]

use std::time::Duration;

use futures_util::FutureExt;
use rust_socketio::asynchronous::{Client, ClientBuilder};
use rust_socketio::{Event, Payload, TransportType};
use serde_json::{Value, json};
use sideline_hub::{Hub, HubConfig, RunningHub};
use tokio::sync::mpsc;

/// The JWT secret of every test hub (tests forge expired / foreign tokens with it).
pub const SECRET: &str = "test-secret-test-secret-test-secret";

/// How long a test waits for something that should happen.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// A hub with its temporary data directory.
pub struct TestHub {
    pub hub: RunningHub,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
}

impl TestHub {
    pub fn url(&self) -> String {
        self.hub.url()
    }

    /// Logs in over HTTP; returns the token.
    pub async fn login(&self, username: &str) -> String {
        let body = self.login_response(username, "demo").await;
        body["token"].as_str().expect("token").to_owned()
    }

    /// The full login answer.
    pub async fn login_response(&self, username: &str, password: &str) -> Value {
        let response = self
            .http
            .post(format!("{}/api/v1/auth/login", self.url()))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("login request");
        assert_eq!(response.status(), 200, "login of {username}");
        response.json().await.expect("login json")
    }

    /// GET with a bearer token; returns (status, json or null).
    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.url()))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// POST JSON with a bearer token; returns (status, json or null).
    pub async fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.url()))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("POST");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Connects to a namespace as `username`.
    pub async fn connect_as(&self, username: &str, namespace: &str) -> TestClient {
        let token = self.login(username).await;
        TestClient::connect(&self.url(), namespace, json!({ "token": token }))
            .await
            .expect("connect")
    }

    pub async fn stop(self) {
        self.hub.shutdown().await.expect("shutdown");
    }
}

/// Starts a demo-seeded hub (no simulator), after `adjust` tweaks the config.
pub async fn start_hub_with(adjust: impl FnOnce(&mut HubConfig)) -> TestHub {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = HubConfig::ephemeral(dir.path().join("hub.db"));
    config.jwt_secret = Some(SECRET.to_owned());
    config.demo = true;
    config.demo_rate = 0.0;
    config.presence_grace = Duration::from_millis(300);
    adjust(&mut config);
    let hub = Hub::start(config).await.expect("hub starts");
    TestHub {
        hub,
        dir,
        http: reqwest::Client::new(),
    }
}

/// Starts a demo-seeded hub with the test defaults.
pub async fn start_hub() -> TestHub {
    start_hub_with(|_| {}).await
}

/// Something a client received.
#[derive(Debug, Clone)]
pub enum Received {
    /// The namespace connect succeeded.
    Connected,
    /// A server event (an `error` event arrives here too, as name `error`).
    Event(String, Value),
    /// A transport error or a refused connect (the text of rust_socketio's error).
    Failure(String),
}

/// A rust_socketio client on one namespace.
pub struct TestClient {
    pub client: Client,
    rx: mpsc::UnboundedReceiver<Received>,
    /// Events received while waiting for another one, in order.
    backlog: Vec<(String, Value)>,
}

fn first_arg(payload: Payload) -> Value {
    match payload {
        Payload::Text(mut values) if !values.is_empty() => values.swap_remove(0),
        Payload::Text(_) => Value::Null,
        #[allow(deprecated)]
        Payload::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
        Payload::Binary(_) => Value::Null,
    }
}

impl TestClient {
    /// Connects with the given handshake auth and waits for the namespace connect (or its
    /// refusal, returned as `Err(message)`).
    pub async fn connect(url: &str, namespace: &str, auth: Value) -> Result<TestClient, String> {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (tx_any, tx_open, tx_err) = (tx.clone(), tx.clone(), tx);
        let client = ClientBuilder::new(url)
            .namespace(namespace)
            .transport_type(TransportType::Websocket)
            .reconnect(false)
            .auth(auth)
            .on(Event::Connect, move |_, _| {
                let _ = tx_open.send(Received::Connected);
                async {}.boxed()
            })
            .on(Event::Error, move |payload, _| {
                // rust_socketio maps a server event named "error" to Event::Error.
                let received = match payload {
                    Payload::Text(values) if !values.is_empty() && values[0].is_object() => {
                        Received::Event("error".into(), values[0].clone())
                    }
                    other => Received::Failure(format!("{:?}", first_arg(other))),
                };
                let _ = tx_err.send(received);
                async {}.boxed()
            })
            .on_any(move |event, payload, _| {
                let name: String = event.into();
                let _ = tx_any.send(Received::Event(name, first_arg(payload)));
                async {}.boxed()
            })
            .connect()
            .await
            .map_err(|e| format!("transport: {e}"))?;
        let mut backlog = Vec::new();
        let outcome = tokio::time::timeout(DEADLINE, async {
            loop {
                match rx.recv().await {
                    Some(Received::Connected) => return Ok(()),
                    Some(Received::Failure(text)) => return Err(text),
                    Some(Received::Event(name, value)) => backlog.push((name, value)),
                    None => return Err("channel closed".to_owned()),
                }
            }
        })
        .await
        .unwrap_or_else(|_| Err("no connect within the deadline".to_owned()));
        if let Err(text) = outcome {
            let _ = client.disconnect().await;
            return Err(text);
        }
        Ok(TestClient {
            client,
            rx,
            backlog,
        })
    }

    /// Emits an event with one JSON argument.
    pub async fn emit(&self, event: &str, data: Value) {
        self.client
            .emit(event, Payload::Text(vec![data]))
            .await
            .expect("emit");
    }

    /// Waits for the next event called `name` (earlier other events are kept in the backlog).
    pub async fn expect_event(&mut self, name: &str) -> Value {
        self.expect_event_within(name, DEADLINE).await
    }

    /// Like [`Self::expect_event`] with a custom deadline.
    pub async fn expect_event_within(&mut self, name: &str, within: Duration) -> Value {
        self.try_event_within(name, within)
            .await
            .unwrap_or_else(|| panic!("no `{name}` within {within:?}; backlog: {:?}", self.backlog))
    }

    /// The next `name` event within `within`, or `None`.
    pub async fn try_event_within(&mut self, name: &str, within: Duration) -> Option<Value> {
        if let Some(i) = self.backlog.iter().position(|(n, _)| n == name) {
            return Some(self.backlog.remove(i).1);
        }
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(Received::Event(n, v))) if n == name => return Some(v),
                Ok(Some(Received::Event(n, v))) => self.backlog.push((n, v)),
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => return None,
            }
        }
    }

    /// Every event received so far and within `within`, in order (drains the backlog).
    pub async fn drain_within(&mut self, within: Duration) -> Vec<(String, Value)> {
        let mut out = std::mem::take(&mut self.backlog);
        let deadline = tokio::time::Instant::now() + within;
        while let Ok(Some(received)) = tokio::time::timeout_at(deadline, self.rx.recv()).await {
            if let Received::Event(n, v) = received {
                out.push((n, v));
            }
        }
        out
    }

    /// Asserts that no `name` event arrives within `within`.
    pub async fn expect_no_event(&mut self, name: &str, within: Duration) {
        if let Some(v) = self.try_event_within(name, within).await {
            panic!("unexpected `{name}`: {v}");
        }
    }

    pub async fn disconnect(self) {
        let _ = self.client.disconnect().await;
    }
}

/// A fresh clientId.
pub fn client_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The rooms a user's socket on `namespace` is in, read from the hub (the first socket of the
/// user found).
pub fn rooms_of(hub: &TestHub, namespace: &str, user: &str) -> Vec<String> {
    let ns = hub.hub.state().io.of(namespace).expect("namespace");
    for socket in ns.sockets() {
        if let Some(ctx) = socket
            .extensions
            .get::<sideline_hub::realtime::SocketContext>()
            && ctx.principal().user_id.as_str() == user
        {
            return socket.rooms().iter().map(|r| r.to_string()).collect();
        }
    }
    panic!("{user} has no socket on {namespace}");
}

/// Polls until the user's socket on `namespace` is in `room` (a join has no answer event).
pub async fn wait_in_room(hub: &TestHub, namespace: &str, user: &str, room: &str) {
    wait_membership(hub, namespace, user, room, true).await;
}

/// Polls until the user's socket on `namespace` is no longer in `room`.
pub async fn wait_out_of_room(hub: &TestHub, namespace: &str, user: &str, room: &str) {
    wait_membership(hub, namespace, user, room, false).await;
}

async fn wait_membership(hub: &TestHub, namespace: &str, user: &str, room: &str, inside: bool) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while rooms_of(hub, namespace, user).iter().any(|r| r == room) != inside {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{user} never {} {room}",
            if inside { "joined" } else { "left" }
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
