//! The receiving and business suites through the `command` and `http` drivers, with the
//! reference identity manager as a separate program (`insilab example-sut act` per action, and
//! `insilab example-sut serve` as the http hook): every scenario passes, none is skipped.
#![expect(clippy::unwrap_used, reason = "test harness")]

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// The identity-management actions of the driver protocol (`docs/driver-protocol.md`).
const ACTIONS: &[&str] = &[
    "create",
    "deliver",
    "search",
    "verify-identity",
    "set-attribute",
    "record-identity-document",
    "read-identity",
    "emit",
];

mod common;
use common::pki;

fn run(dir: &Path, suite: &str, driver: &str, config: &Path) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .arg("run")
        .arg("--out")
        .arg(dir.join(format!("evidence-{suite}")))
        .arg("--pki")
        .arg(pki())
        .args(["--suite", suite, "--driver", driver, "--driver-config"])
        .arg(config)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap(), text)
}

fn assert_all_passed(code: i32, text: &str) {
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("SKIP"), "{text}");
    assert!(!text.contains("FAIL"), "{text}");
    let last = text
        .lines()
        .rev()
        .find(|l| l.contains(" passed, "))
        .unwrap();
    let passed: u32 = last.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 15, "{text}");
}

#[test]
fn the_identity_suites_pass_through_the_command_driver_with_example_sut() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki();
    let command = [
        env!("CARGO_BIN_EXE_insilab"),
        "example-sut",
        "act",
        "--state",
        "{state_dir}",
        "--pki",
        pki.to_str().unwrap(),
        "--action-json",
        "{action_json}",
    ]
    .iter()
    .map(|a| format!("{a:?}"))
    .collect::<Vec<_>>()
    .join(", ");
    let mut text = String::new();
    for action in ACTIONS {
        text.push_str(&format!("{action}: [{command}]\n"));
    }
    text.push_str("timeout_seconds: 30\n");
    let config = dir.path().join("command-driver.yaml");
    std::fs::write(&config, text).unwrap();
    for suite in ["receiving", "business"] {
        let (code, text) = run(dir.path(), suite, "command", &config);
        assert_all_passed(code, &text);
    }
}

#[test]
fn the_identity_suites_pass_through_the_http_driver_with_example_sut_serve() {
    let dir = tempfile::tempdir().unwrap();
    let mut hook = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["example-sut", "serve", "--listen", "127.0.0.1:0", "--pki"])
        .arg(pki())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(hook.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let config = dir.path().join("hook.yaml");
    std::fs::write(&config, format!("url: {}\n", url.trim())).unwrap();
    let results: Vec<(i32, String)> = ["receiving", "business"]
        .iter()
        .map(|suite| run(dir.path(), suite, "http", &config))
        .collect();
    let _ = hook.kill();
    let _ = hook.wait();
    for (code, text) in results {
        assert_all_passed(code, &text);
    }
}
