//! `cargo xtask fuzz [CASES]`: the decoders' property tests in release mode, `CASES` cases in all
//! (default 10,000,000), shared among the properties by [`PLAN`], one property at a time so each
//! gets its own count (`PROPTEST_CASES`) and time. Prints a line per property and the totals;
//! fails if a property does, after running the others.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::process::{Step, TestTally};
use crate::{Result, root};

/// Cases of a run without an argument.
const DEFAULT_CASES: u64 = 10_000_000;

/// One property test and its share of the cases.
struct Property {
    /// Cargo package.
    package: &'static str,
    /// Its integration test target.
    target: &'static str,
    /// The test function (run with `--exact`).
    name: &'static str,
    /// Cases out of 10,000 of the run's total: the decoders of arbitrary and damaged input get
    /// the most, the narrow properties (one type, one string) fewer. The hub's HTTP bodies share
    /// one hub whose store grows with every accepted body, so their cases slow down as a run
    /// goes on (a million took 22 minutes, 300,000 took one): they get 3%.
    share: u64,
}

const PROTOCOL: (&str, &str) = ("sideline-protocol", "decoder_properties");
const HUB: (&str, &str) = ("sideline-hub", "http_bodies");

const fn property(
    target: (&'static str, &'static str),
    name: &'static str,
    share: u64,
) -> Property {
    Property {
        package: target.0,
        target: target.1,
        name,
        share,
    }
}

/// Every property of `crates/protocol/tests/decoder_properties` and `crates/hub/tests/
/// http_bodies.rs` that is not `#[ignore]`d for a known bug.
const PLAN: &[Property] = &[
    property(
        PROTOCOL,
        "client_events_decode_any_json_without_panicking",
        1_500,
    ),
    property(
        PROTOCOL,
        "server_events_decode_any_json_without_panicking",
        1_500,
    ),
    property(
        PROTOCOL,
        "damaged_client_events_decode_without_panicking",
        1_600,
    ),
    property(
        PROTOCOL,
        "damaged_server_events_decode_without_panicking",
        1_600,
    ),
    property(PROTOCOL, "every_client_event_round_trips", 800),
    property(PROTOCOL, "every_server_event_round_trips", 800),
    property(
        PROTOCOL,
        "the_durable_envelope_carries_exactly_a_u64_event_id",
        500,
    ),
    property(
        PROTOCOL,
        "event_ids_are_exactly_the_non_negative_integers",
        400,
    ),
    property(
        PROTOCOL,
        "handshake_auth_decodes_any_json_without_panicking",
        300,
    ),
    property(PROTOCOL, "handshake_auth_round_trips", 150),
    property(
        PROTOCOL,
        "string_decoders_take_any_string_and_keep_what_they_take",
        300,
    ),
    property(PROTOCOL, "rooms_round_trip", 150),
    property(PROTOCOL, "calendar_dates_round_trip", 100),
    property(
        HUB,
        "http_bodies_never_panic_a_handler_or_fail_the_hub",
        300,
    ),
];

/// One property's run.
struct Outcome {
    name: &'static str,
    cases: u64,
    took: Duration,
    passed: bool,
}

pub fn fuzz(args: &[String]) -> Result {
    let total = match args.first() {
        None => DEFAULT_CASES,
        Some(arg) => arg
            .replace(['_', ','], "")
            .parse::<u64>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("fuzz: CASES must be a positive number, got `{arg}`"))?,
    };
    let shares: u64 = PLAN.iter().map(|p| p.share).sum();

    let mut binaries: BTreeMap<&str, PathBuf> = BTreeMap::new();
    for property in PLAN {
        if binaries.contains_key(property.target) {
            continue;
        }
        let binary = Step::new(
            &format!("build {} (release)", property.target),
            "cargo",
            &[
                "test",
                "--release",
                "-p",
                property.package,
                "--test",
                property.target,
                "--no-run",
                "--message-format=json-render-diagnostics",
            ],
        )
        .built_executable(property.target)?;
        binaries.insert(property.target, binary);
    }

    let started = Instant::now();
    let mut outcomes = Vec::new();
    for property in PLAN {
        // Rounded up, so the run makes at least `total` cases.
        let cases = (total * property.share).div_ceil(shares);
        let package_dir = root()
            .join("crates")
            .join(property.package.trim_start_matches("sideline-"));
        let mut tally = TestTally::default();
        let began = Instant::now();
        let ran = Step::new(
            &format!("{cases} cases of {}", property.name),
            &binaries[property.target].display().to_string(),
            &["--exact", property.name, "--test-threads=1"],
        )
        .dir(package_dir)
        .env("PROPTEST_CASES", cases.to_string())
        .run_tallied(&mut tally);
        // `--exact` with a renamed property runs nothing: that is a failure too.
        let passed = ran.is_ok() && tally.passed == 1 && tally.failed == 0;
        outcomes.push(Outcome {
            name: property.name,
            cases,
            took: began.elapsed(),
            passed,
        });
    }

    println!("\nxtask: fuzz results (release build, one property at a time)");
    for outcome in &outcomes {
        println!(
            "  {:<58} {:>12} cases {:>9.1} s  {}",
            outcome.name,
            outcome.cases,
            outcome.took.as_secs_f64(),
            if outcome.passed { "ok" } else { "FAILED" }
        );
    }
    let cases: u64 = outcomes.iter().map(|o| o.cases).sum();
    println!(
        "  {:<58} {:>12} cases {:>9.1} s",
        "total",
        cases,
        started.elapsed().as_secs_f64()
    );
    let failed: Vec<&str> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| o.name)
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzz: these properties failed: {}",
            failed.join(", ")
        ))
    }
}
