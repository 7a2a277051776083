//! `insilab run` against software written the way a publisher would: the Python program of
//! `examples/publisher-sut` through the command driver. A copy that skips server-certificate
//! verification fails the server-certificate scenarios; one pointed at a wrong trust root fails
//! under the TLS rule with its own message shown; a missing driver program is a setup error
//! (exit 2) and no report claims a requirement failed.
#![expect(clippy::unwrap_used, reason = "test harness")]

use std::path::{Path, PathBuf};
use std::process::Command;

fn pki() -> PathBuf {
    insilab_certs::testing::shared_pki()
        .unwrap()
        .dir()
        .to_owned()
}

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
