//! Prometheus metrics served at `/metrics` (text format, `prometheus-client`).

use std::sync::Mutex;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

type Labels = Vec<(String, String)>;

fn label(key: &str, value: &str) -> Labels {
    vec![(key.to_owned(), value.to_owned())]
}

/// Every metric of the hub.
#[derive(Debug)]
pub struct HubMetrics {
    registry: Mutex<Registry>,
    connections: Family<Labels, Gauge>,
    events_emitted: Family<Labels, Counter>,
    emit_failures: Counter,
    event_log_size: Gauge,
    refused_events: Family<Labels, Counter>,
    http_latency: Family<Labels, Histogram>,
}

impl Default for HubMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl HubMetrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let connections = Family::<Labels, Gauge>::default();
        let events_emitted = Family::<Labels, Counter>::default();
        let emit_failures = Counter::default();
        let event_log_size = Gauge::default();
        let refused_events = Family::<Labels, Counter>::default();
        let http_latency = Family::<Labels, Histogram>::new_with_constructor(
            (|| Histogram::new(exponential_buckets(0.0005, 2.0, 14))) as fn() -> Histogram,
        );
        registry.register(
            "sideline_connections",
            "Connected sockets per namespace",
            connections.clone(),
        );
        registry.register(
            "sideline_events_emitted",
            "Events emitted by the hub, per namespace",
            events_emitted.clone(),
        );
        registry.register(
            "sideline_emit_failures",
            "Emits that failed (socket buffer full or closed)",
            emit_failures.clone(),
        );
        registry.register(
            "sideline_event_log_size",
            "Durable events held in the log",
            event_log_size.clone(),
        );
        registry.register(
            "sideline_refused_events",
            "Client events refused, per error code",
            refused_events.clone(),
        );
        registry.register(
            "sideline_http_request_duration_seconds",
            "HTTP request latency per route",
            http_latency.clone(),
        );
        HubMetrics {
            registry: Mutex::new(registry),
            connections,
            events_emitted,
            emit_failures,
            event_log_size,
            refused_events,
            http_latency,
        }
    }

    /// A socket connected to `namespace`.
    pub fn connected(&self, namespace: &str) {
        self.connections
            .get_or_create(&label("namespace", namespace))
            .inc();
    }

    /// A socket left `namespace`.
    pub fn disconnected(&self, namespace: &str) {
        self.connections
            .get_or_create(&label("namespace", namespace))
            .dec();
    }

    /// An event went out on `namespace`.
    pub fn emitted(&self, namespace: &str) {
        self.events_emitted
            .get_or_create(&label("namespace", namespace))
            .inc();
    }

    /// `n` emits failed.
    pub fn emit_failed(&self, n: usize) {
        self.emit_failures.inc_by(n as u64);
    }

    /// Emit failures so far.
    pub fn emit_failures(&self) -> u64 {
        self.emit_failures.get()
    }

    /// A client event was refused with `code`.
    pub fn refused(&self, code: &str) {
        self.refused_events
            .get_or_create(&label("code", code))
            .inc();
    }

    /// An HTTP request on `route` took `seconds`.
    pub fn http_request(&self, route: &str, seconds: f64) {
        self.http_latency
            .get_or_create(&label("route", route))
            .observe(seconds);
    }

    /// The Prometheus text exposition, with the log size as of now.
    pub fn render(&self, event_log_size: u64) -> String {
        self.event_log_size
            .set(i64::try_from(event_log_size).unwrap_or(i64::MAX));
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &registry);
        out
    }
}
