//! What the harness tells a person when it needs them to act or when a check fails for a
//! setting: the manual driver's prompt to point the software at another INSi endpoint (a
//! negative server identity), and the late-answer scenario's hint naming the setting that
//! decides the delay.
#![expect(clippy::unwrap_used, reason = "test harness")]

use std::sync::{Arc, Mutex};

use insilab_harness::driver::command::CommandDriver;
use insilab_harness::driver::manual::{ManualConfig, ManualDriver};
use insilab_harness::{DriverSpec, RunOptions, run_suites};
use insilab_reports::model::Status;

fn pki_dir() -> std::path::PathBuf {
    insilab_certs::testing::shared_pki()
        .unwrap()
        .dir()
        .to_owned()
}

#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manual_driver_asks_to_point_the_software_at_the_negative_server_endpoint() {
    let out = Shared::default();
    let config = ManualConfig {
        wait_seconds: 1,
        ..ManualConfig::default()
    };
    // Enter after each search (the software refused: no call), then "yes" to every question.
    let script = "\ny\ny\ny\n\ny\ny\ny\n".repeat(2);
    let input = std::io::Cursor::new(script.into_bytes());
    let driver = Arc::new(ManualDriver::new(config, input, Box::new(out.clone())));
    let dir = tempfile::tempdir().unwrap();
    let mut opts = RunOptions::new("protocol", dir.path().to_owned());
    opts.driver = DriverSpec::Custom(driver);
    opts.pki = pki_dir();
    opts.tags = Some("@INSI-TLS-02".to_owned());
    opts.formats = Vec::new();
    // The verdicts do not matter here, only what the operator was told.
    let _ = run_suites(opts).await;
    let shown = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    let redirect = "For this search only, point the software under test at ANOTHER INSi endpoint: https://127.0.0.1:";
    assert_eq!(shown.matches(redirect).count(), 2, "{shown}");
    // The other endpoint is not the simulator's own, which the operator is told to set back.
    let line = shown.lines().find(|l| l.contains(redirect)).unwrap();
    let other = line.rsplit(' ').next().unwrap();
    let back = shown
        .lines()
        .find_map(|l| l.strip_prefix("(set it back to "))
        .and_then(|l| l.split(' ').next())
        .unwrap();
    assert!(back.starts_with("https://127.0.0.1:"), "{shown}");
    assert_ne!(other, back, "{shown}");
    assert!(shown.contains("server-expired") && shown.contains("server-untrusted"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_late_answer_failure_names_the_setting_that_decides_the_delay() {
    if !insilab_testkit::SH.require("the late-answer hint") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A software that never reports a technical error (it would wait forever).
    let cfg = dir.path().join("sut.yaml");
    std::fs::write(
        &cfg,
        r#"search-traits: [sh, -c, "echo '{\"outcome\":\"not_found\"}'"]
software_timeout_seconds: 1
timeout_seconds: 30
"#,
    )
    .unwrap();
    let driver = Arc::new(CommandDriver::load(&cfg).unwrap());
    let mut opts = RunOptions::new("protocol", dir.path().join("out"));
    opts.driver = DriverSpec::Custom(driver);
    opts.pki = pki_dir();
    opts.tags = Some("@INSI-NET-01 and @slow".to_owned());
    opts.formats = Vec::new();
    let summary = run_suites(opts).await.unwrap();
    assert_eq!(summary.results.scenarios.len(), 1);
    let s = &summary.results.scenarios[0];
    assert_eq!(s.status, Status::Failed);
    let message = &s.failure.as_ref().unwrap().message;
    assert!(
        message.contains("the answer was held 3 s, software_timeout_seconds (1 s) of the driver configuration + 2 s"),
        "{message}"
    );
    assert!(
        message.contains(
            "if your software waits longer, set software_timeout_seconds to its total timeout"
        ),
        "{message}"
    );
}
