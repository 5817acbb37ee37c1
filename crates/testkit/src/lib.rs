//! Test tools for Sideline's reliability tests. Never shipped (`publish = false`), no Tauri.
//!
//! # Layout
//!
//! - [`fault_proxy`]: [`FaultProxy`], a TCP proxy on `127.0.0.1:0` in front of the hub whose
//!   [`Fault`] (latency and jitter, a bandwidth cap, reset now, cut after N bytes, black hole,
//!   refuse, healthy) changes while connections are open; [`ProxyStats`] count what it did.
//! - [`cycle`]: [`CyclePlan`], a seeded schedule of faults, and [`CycleRun`], a proxy
//!   rotating through it for a bounded time, healing it at the end.
//! - [`hub_process`]: [`HubProcess`], the real `sideline-hub` binary as a child process
//!   (free port, temporary database) that can be killed with SIGKILL and started again on the
//!   same port and database.
//!
//! # How a test uses them
//!
//! ```text
//! client ──▶ FaultProxy (127.0.0.1:P, fault set by the test or a CycleRun) ──▶ hub
//!                                                  (in-process, or a HubProcess)
//! ```

pub mod cycle;
pub mod fault_proxy;
pub mod hub_process;

pub use cycle::{CyclePlan, CycleRun, CycleStep};
pub use fault_proxy::{Fault, FaultProxy, ProxyStats};
pub use hub_process::HubProcess;
