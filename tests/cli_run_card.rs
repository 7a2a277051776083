//! `insilab run --suite protocol --driver command` with `insilab example-sut`: the valid
//! card-mode scenarios run through the command driver and pass, the negative card cases are
//! skipped with their reason, and a software signing with the wrong card or not signing at all
//! fails naming the INSI-CPX rule.
#![expect(clippy::unwrap_used, reason = "test harness")]

use std::path::Path;
use std::process::Command;

/// The command-driver configuration of `examples/command-driver.yaml`, with the test's own
/// `insilab` binary as the program and `extra` appended to the card-mode command.
fn config(dir: &Path, card_command: &str, extra: &[&str]) -> std::path::PathBuf {
    let exe = env!("CARGO_BIN_EXE_insilab");
    let quoted = |args: &[&str]| {
        args.iter()
            .map(|a| format!("{a:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let card: Vec<&str> = match card_command {
        "search-traits-card" => vec![
            exe,
            "example-sut",
            "search-traits-card",
            "--endpoint",
            "{card_endpoint}",
            "--pki",
            "{pki_dir}",
            "--professional-id",
            "{professional_id}",
            "--traits-json",
            "{traits_json}",
        ],
        // A software that calls the card endpoint without signing anything.
        _ => vec![
            exe,
            "example-sut",
            "search-traits",
            "--endpoint",
            "{card_endpoint}",
            "--pki",
            "{pki_dir}",
            "--traits-json",
            "{traits_json}",
        ],
    };
    let card: Vec<&str> = card.into_iter().chain(extra.iter().copied()).collect();
    let text = format!(
        "search-traits: [{}]\nsearch-traits-card: [{}]\ntimeout_seconds: 30\n",
        quoted(&[
            exe,
            "example-sut",
            "search-traits",
            "--endpoint",
            "{endpoint}",
            "--traits-json",
            "{traits_json}"
        ]),
        quoted(&card)
    );
    let path = dir.join("command-driver.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn run(dir: &Path, config: &Path) -> (i32, String, String) {
    let pki = insilab_certs::testing::shared_pki()
        .unwrap()
        .dir()
        .to_owned();
    let output = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .arg("run")
        .arg("--out")
        .arg(dir.join("evidence"))
        .arg("--pki")
        .arg(pki)
        .args(["--suite", "protocol", "--tags", "@INSI-CPX-01"])
        .args(["--driver", "command", "--driver-config"])
        .arg(config)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn the_valid_card_mode_scenarios_pass_through_the_command_driver_with_example_sut() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "search-traits-card", &[]);
    let (code, stdout, stderr) = run(dir.path(), &config);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout.lines().last(),
        Some("3 passed, 0 failed"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("SKIP").count(), 12, "{stdout}");
    assert!(
        stdout.contains("the negative card cases are forged by the reference driver"),
        "{stdout}"
    );
}

#[test]
fn a_software_signing_with_a_revoked_card_fails_naming_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(
        dir.path(),
        "search-traits-card",
        &["--card-case", "revoked-certificate"],
    );
    let (code, stdout, stderr) = run(dir.path(), &config);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(
        stdout.lines().last(),
        Some("0 passed, 3 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("INSI-CPX-012"), "{stdout}");
}

#[test]
fn a_software_that_does_not_sign_fails_naming_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "unsigned", &[]);
    let (code, stdout, stderr) = run(dir.path(), &config);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(
        stdout.lines().last(),
        Some("0 passed, 3 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("INSI-CPX-001"), "{stdout}");
}
