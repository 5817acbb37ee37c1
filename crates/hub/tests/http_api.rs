//! The served routes against the OpenAPI document, `/health` and `/metrics`.

mod support;

use serde_json::{Value, json};
use support::start_hub;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_route_is_served_and_nothing_else_is() {
    let hub = start_hub().await;
    let token = hub.login("lead").await;
    let (status, doc) = hub.get("/api/v1/openapi.json", &token).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    let mut checked = 0;
    for (path, item) in paths {
        // Path parameters get a placeholder; the handler may answer 404 NOT_FOUND for it, but
        // the router must have matched (axum's own 404/405 carry no `{code}` body).
        let concrete = path.replace("{id}", "no-such-id");
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            let request = hub
                .http
                .request(
                    method.to_uppercase().parse().unwrap(),
                    format!("{}{concrete}", hub.url()),
                )
                .bearer_auth(&token)
                .json(&json!({}));
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert_ne!(status, 405, "{method} {path} is documented but not routed");
            assert!(
                status != 404 || body.get("code").is_some(),
                "{method} {path} is documented but not routed"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} operations documented");
    // Routes are registered only through the OpenAPI router, so nothing undocumented is
    // served: an API path not in the document is unmatched.
    for undocumented in [
        "/api/v1/notes/all",
        "/api/v1/admin",
        "/api/v2/notes",
        "/api/v1/users",
    ] {
        assert!(!paths.contains_key(undocumented));
        let status = hub.get(undocumented, &token).await.0;
        assert_eq!(status, 404, "{undocumented} is served but not documented");
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_metrics() {
    let hub = start_hub().await;
    let (status, health) = hub.get("/health", "").await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));

    let mut lead = hub.connect_as("lead", "/").await;
    lead.expect_event("sync:done").await;
    lead.emit("nope", json!({})).await;
    lead.expect_event("error").await;
    let text = hub
        .http
        .get(format!("{}/metrics", hub.url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        "sideline_connections{namespace=\"/\"} 1",
        "sideline_events_emitted_total{namespace=\"/\"}",
        "sideline_emit_failures_total 0",
        "sideline_event_log_size",
        "sideline_refused_events_total{code=\"UNKNOWN_EVENT\"} 1",
        "sideline_http_request_duration_seconds_bucket{le=",
        "route=\"/api/v1/auth/login\"",
    ] {
        assert!(text.contains(expected), "missing {expected} in\n{text}");
    }
    lead.disconnect().await;
    hub.stop().await;
}
