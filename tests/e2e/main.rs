//! End-to-end tests of the whole desktop app: the real binary in a real window under Xvfb,
//! driven through tauri-driver by WebDriver. Run them with `cargo xtask test`.

mod harness;

use harness::RunningApp;

#[tokio::test]
async fn main_window_shows_what_rust_reports() {
    let app = RunningApp::start("[data-testid=app-version]").await;

    // The UI has no version of its own: this text can only have come from the `app_info`
    // command, which reads the package version compiled into the Rust binary.
    assert_eq!(
        app.text("[data-testid=app-version]").await,
        env!("CARGO_PKG_VERSION")
    );

    // The data directory is computed by Rust from this run's throwaway HOME.
    let home = std::env::var("HOME").expect("HOME is set");
    let data_dir = app.text("[data-testid=data-dir]").await;
    assert!(
        data_dir.starts_with(&home) && data_dir.ends_with("app.sideline.desktop"),
        "data dir {data_dir:?} is not the app's directory under HOME {home:?}"
    );
    assert!(
        std::path::Path::new(&data_dir).is_dir(),
        "the app did not create its data directory {data_dir}"
    );

    let protocol_events: usize = app
        .text("[data-testid=protocol-events]")
        .await
        .parse()
        .expect("protocol event count is a number");
    assert_eq!(protocol_events, sideline_protocol::catalogue().count());

    // No hub is configured in this run, so the status bar must say so.
    let status = app
        .client
        .find(fantoccini::Locator::Css("[data-testid=connection-status]"))
        .await
        .expect("the status bar shows the connection status");
    assert_eq!(
        status.attr("data-state").await.unwrap().as_deref(),
        Some("offline")
    );
    assert_eq!(status.text().await.unwrap(), "Offline");

    let shot = app.screenshot("main-window").await;
    println!("screenshot: {}", shot.display());
    app.stop().await;
}
