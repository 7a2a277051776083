//! `insilab run` against software written the way a publisher would: the Python program of
//! `examples/publisher-sut` through the command driver. A copy that skips server-certificate
//! verification fails the server-certificate scenarios; one pointed at a wrong trust root fails
//! under the TLS rule with its own message shown; a missing driver program is a setup error
//! (exit 2) and no report claims a requirement failed.
#![expect(clippy::unwrap_used, reason = "test harness")]

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::pki;

fn python() -> bool {
    insilab_testkit::require_program("python3", &["--version"], "publisher-style SUT (python3)")
}

/// A command-driver configuration running the example program with `extra` arguments, its
/// trust root `ca` (the PKI's root when `None`).
fn config(dir: &Path, name: &str, extra: &[&str], ca: Option<&Path>) -> PathBuf {
    let pki = pki();
    let program = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/publisher-sut/insi_sut.py");
    let ca = ca.map_or_else(|| pki.join("ca/root.pem"), Path::to_owned);
    let mut args = vec![
        "python3".to_owned(),
        program.display().to_string(),
        "--endpoint".into(),
        "{endpoint}".into(),
        "--traits-json".into(),
        "{traits_json}".into(),
        "--cert".into(),
        pki.join("identities/insi-auto/chain.pem")
            .display()
            .to_string(),
        "--key".into(),
        pki.join("identities/insi-auto/key.pem")
            .display()
            .to_string(),
        "--ca".into(),
        ca.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let yaml = format!(
        "search-traits: {}\ntimeout_seconds: 30\n",
        serde_json::to_string(&args).unwrap()
    );
    let path = dir.join(name);
    std::fs::write(&path, yaml).unwrap();
    path
}

/// Runs `scenarios/protocol/<feature>` with the command driver.
fn run(out: &Path, driver_config: &Path, feature: &str) -> (i32, String, String) {
    let suite = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/protocol")
        .join(feature);
    let output = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["run", "--driver", "command", "--formats", "json,junit,html"])
        .arg("--suite")
        .arg(suite)
        .arg("--driver-config")
        .arg(driver_config)
        .arg("--out")
        .arg(out)
        .arg("--pki")
        .arg(pki())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

const TLS_SCENARIOS: &str = "tls.feature";

#[test]
fn a_compliant_program_passes_the_tls_scenarios() {
    if !python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "sut.yaml", &[], None);
    let (code, stdout, stderr) = run(&dir.path().join("out"), &cfg, TLS_SCENARIOS);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(
            "PASS protocol/the-software-refuses-a-server-certificate-it-cannot-trust-server-expired"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("PASS protocol/the-software-refuses-a-server-certificate-it-cannot-trust-server-untrusted"), "{stdout}");
}

#[test]
fn a_program_that_skips_server_verification_fails_the_server_certificate_scenarios() {
    if !python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "sut.yaml", &["--no-verify-server"], None);
    let (code, stdout, stderr) = run(&dir.path().join("out"), &cfg, TLS_SCENARIOS);
    assert_eq!(code, 1, "{stdout}{stderr}");
    for server in ["server-expired", "server-untrusted"] {
        assert!(
            stdout.contains(&format!(
                "FAIL protocol/the-software-refuses-a-server-certificate-it-cannot-trust-{server}"
            )),
            "{stdout}"
        );
    }
    assert!(stdout.contains("[INSI-TLS-02]"), "{stdout}");
    assert!(
        stdout.contains("PASS protocol/calls-use-an-organisation-certificate"),
        "{stdout}"
    );
}

#[test]
fn a_program_with_a_wrong_trust_root_fails_under_the_tls_rule_with_its_own_message() {
    if !python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // The look-alike root of the PKI: the simulator's certificate does not chain to it.
    let cfg = config(
        dir.path(),
        "sut.yaml",
        &[],
        Some(&pki().join("ca/unknown-root.pem")),
    );
    let out = dir.path().join("out");
    let (code, stdout, stderr) = run(&out, &cfg, "tls.feature");
    assert_eq!(code, 1, "{stdout}{stderr}");
    let line = stdout
        .lines()
        .skip_while(|l| !l.contains("FAIL protocol/calls-use-an-organisation-certificate"))
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    assert!(
        line.contains("[INSI-TLS-01] no call reached the simulator"),
        "{stdout}"
    );
    // The software's own words.
    assert!(line.contains("CERTIFICATE_VERIFY_FAILED"), "{line}");
    assert!(!stdout.contains("INSI-ALG-01"), "{stdout}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let failures = html.find("id=\"failures\"").unwrap();
    assert!(failures < html.find("Requirement coverage").unwrap());
    assert!(html[failures..].contains("CERTIFICATE_VERIFY_FAILED"));
}

#[test]
fn a_missing_driver_program_exits_2_and_no_requirement_is_marked_failed() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sut.yaml");
    std::fs::write(
        &cfg,
        "search-traits: [/nonexistent/publisher-sut, \"{traits_json}\"]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let (code, stdout, stderr) = run(&out, &cfg, "tls.feature");
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("/nonexistent/publisher-sut"), "{stderr}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
    assert!(!out.join("report.html").exists());
    assert!(!out.join("junit.xml").exists());
    let results = std::fs::read_to_string(out.join("results.json")).unwrap();
    assert!(results.contains("\"stopped\""), "{results}");
    // `insilab report --from` says it is incomplete, not altered.
    let report = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["report", "--format", "md", "--from"])
        .arg(&out)
        .arg("--out")
        .arg(dir.path().join("reports"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(report.stderr).unwrap();
    assert!(
        stderr.contains("incomplete: 0 of 3 scenarios ran"),
        "{stderr}"
    );
    assert!(!stderr.contains("ALTERED"), "{stderr}");
}

#[test]
fn a_run_where_everything_was_skipped_does_not_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sut.yaml");
    // No search-traits-card command: the card-mode scenarios are all skipped.
    std::fs::write(&cfg, "search-traits: [/bin/false]\n").unwrap();
    let out = dir.path().join("out");
    let (code, stdout, stderr) = run(&out, &cfg, "card-mode.feature");
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("nothing was judged"), "{stderr}");
    // The JSON report gives each skipped scenario its reason in a field of its own.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let scenarios = report["run"]["scenarios"].as_array().unwrap();
    assert!(!scenarios.is_empty());
    let reasons: Vec<&str> = scenarios
        .iter()
        .map(|s| {
            assert_eq!(s["status"], "skipped");
            s["skip_reason"].as_str().unwrap_or_default()
        })
        .collect();
    assert!(reasons.iter().all(|r| !r.is_empty()), "{reasons:?}");
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("no search-traits-card command configured")),
        "{reasons:?}"
    );
    assert!(stdout.contains("Skipped:"), "{stdout}");
    assert!(
        stdout.contains("no search-traits-card command configured"),
        "{stdout}"
    );
}

#[test]
fn the_software_s_own_authorisation_number_is_accepted_with_allow_idam() {
    if !python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "sut.yaml", &["--idam", "EDITEUR00042"], None);
    let (code, stdout, stderr) = run(&dir.path().join("refused"), &cfg, "tls.feature");
    assert_eq!(code, 1, "an unknown IDAM must be refused\n{stdout}{stderr}");
    let output = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args([
            "run",
            "--driver",
            "command",
            "--formats",
            "json",
            "--allow-idam",
            "EDITEUR00042",
        ])
        .arg("--suite")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/protocol/tls.feature"))
        .arg("--driver-config")
        .arg(&cfg)
        .arg("--out")
        .arg(dir.path().join("accepted"))
        .arg("--pki")
        .arg(pki())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}");
}

#[test]
fn an_interrupted_run_is_sealed_as_incomplete() {
    if !insilab_testkit::SH.require("interrupted run") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sut.yaml");
    // A software that takes its time: the run is stopped while it works.
    std::fs::write(
        &cfg,
        "search-traits: [sh, -c, 'sleep 5; echo {\"outcome\":\"not_found\"}']\ntimeout_seconds: 60\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let child = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["run", "--driver", "command", "--formats", "html,md"])
        .arg("--suite")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/protocol/tls.feature"))
        .arg("--driver-config")
        .arg(&cfg)
        .arg("--out")
        .arg(&out)
        .arg("--pki")
        .arg(pki())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the run has claimed its directory and started, then stop it.
    while !out.join("results.json").exists() {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("incomplete: 0 of 3 scenarios ran (interrupted (SIGTERM))"),
        "{stderr}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("incomplete: 0 of 3 scenarios ran"));
    // Sealed: `report --from` finds the evidence intact and says it is incomplete.
    let report = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["report", "--format", "md", "--from"])
        .arg(&out)
        .arg("--out")
        .arg(dir.path().join("again"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(report.stderr).unwrap();
    assert!(
        stderr.contains("incomplete: 0 of 3 scenarios ran"),
        "{stderr}"
    );
    assert!(!stderr.contains("ALTERED"), "{stderr}");
    // Altered afterwards: the HTML banner itself says so.
    std::fs::write(out.join("dataset.yaml"), "persons: []\n").unwrap();
    let report = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["report", "--format", "html", "--from"])
        .arg(&out)
        .arg("--out")
        .arg(dir.path().join("altered"))
        .output()
        .unwrap();
    assert_eq!(report.status.code(), Some(1));
    let html = std::fs::read_to_string(dir.path().join("altered/report.html")).unwrap();
    assert!(
        html.contains(r#"<section class="banner altered""#),
        "banner"
    );
}
