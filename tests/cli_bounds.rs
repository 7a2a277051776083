//! No reader grows without bound: an endless input (`/dev/zero`) or a huge generated file given
//! to any command stops at the named limit with a clear error, instead of eating memory.
#![expect(clippy::unwrap_used, reason = "test harness")]

use std::path::Path;
use std::process::{Command, Output};

fn insilab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

fn dev_zero() -> Option<&'static str> {
    Path::new("/dev/zero").exists().then_some("/dev/zero")
}

#[test]
fn lint_stops_at_its_limit_on_dev_zero() {
    let Some(zero) = dev_zero() else { return };
    let out = insilab(&["lint", zero]);
    let all = text(&out);
    assert_ne!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("MAX_LINT_FILE_BYTES"), "{all}");
}

#[test]
fn lint_refuses_a_file_one_byte_over_the_limit_and_reads_one_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let limit = insilab_harness::lint::MAX_LINT_FILE_BYTES as usize;
    let over = dir.path().join("over.xml");
    std::fs::write(&over, vec![b' '; limit + 1]).unwrap();
    let all = text(&insilab(&["lint", over.to_str().unwrap()]));
    assert!(all.contains("more than the limit"), "{all}");
    let at = dir.path().join("at.xml");
    std::fs::write(&at, vec![b' '; limit]).unwrap();
    let all = text(&insilab(&["lint", at.to_str().unwrap()]));
    assert!(!all.contains("more than the limit"), "{all}");
}

#[test]
fn serve_refuses_an_endless_configuration_file() {
    let Some(zero) = dev_zero() else { return };
    let out = insilab(&["serve", "--config", zero]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("MAX_CONFIG_FILE_BYTES"), "{all}");
}

#[test]
fn run_refuses_an_endless_driver_configuration() {
    let Some(zero) = dev_zero() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = insilab(&[
        "run",
        "--suite",
        "cnda",
        "--driver",
        "command",
        "--driver-config",
        zero,
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("more than the limit"), "{all}");
}
