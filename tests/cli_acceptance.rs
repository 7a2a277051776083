//! The CNDA acceptance file end to end: `insilab run --acceptance` on the reference run (HTML
//! snapshot, redacted; zip; PDF when Chromium is installed), `insilab report --format
//! acceptance` on a partial run with a publisher configuration, and the CI rule that a missing
//! Chromium is an error under `INSILAB_REQUIRE_TOOLS=1`.
#![expect(clippy::unwrap_used, reason = "test harness")]

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::pki;

fn insilab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn run(out: &Path, extra: &[&str]) -> Output {
    let pki = pki();
    let mut args = vec![
        "run",
        "--suite",
        "cnda",
        "--out",
        out.to_str().unwrap(),
        "--pki",
        pki.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    insilab(&args)
}

fn chromium_required() -> bool {
    std::env::var("INSILAB_REQUIRE_TOOLS").as_deref() == Ok("1")
}

#[test]
fn reference_run_drafts_the_acceptance_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("evidence");
    let result = run(&out, &["--acceptance"]);
    let stdout = text(&result.stdout);
    let stderr = text(&result.stderr);
    assert_eq!(result.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("Acceptance: "), "{stdout}");
    // Every automated case passed; only the two cases known by name only and the publisher
    // (which no call names) are missing.
    assert!(
        stderr.contains("INCOMPLETE draft, 3 item(s) missing"),
        "{stderr}"
    );

    let html = std::fs::read_to_string(out.join("acceptance.html")).unwrap();
    insta::with_settings!({filters => vec![
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", "[time]"),
        (r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "[uuid]"),
        (r"\b[0-9a-f]{64}\b", "[sha256]"),
        (r#"content="insilab [^"]+""#, r#"content="insilab [version]""#),
    ]}, {
        insta::assert_snapshot!("acceptance_html_reference_run", html);
    });

    let zip = std::fs::read(out.join("acceptance-traces.zip")).unwrap();
    assert!(zip.starts_with(b"PK\x03\x04"), "not a zip");
    let pdf = out.join("acceptance.pdf");
    if pdf.exists() {
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(
            bytes.starts_with(b"%PDF-") && bytes.len() > 10_000,
            "bad PDF"
        );
    } else {
        assert!(
            !chromium_required(),
            "INSILAB_REQUIRE_TOOLS=1 and no acceptance.pdf: {stderr}"
        );
        eprintln!("SKIPPED: acceptance.pdf not checked (chromium not found)");
    }
    // The acceptance files do not break the seal: a report run afterwards finds it intact.
    let report = insilab(&[
        "report",
        "--from",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(report.status.code(), Some(0), "{}", text(&report.stderr));
}

#[test]
fn report_drafts_a_partial_run_marked_incomplete_with_the_publisher_config() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("evidence");
    let result = run(&out, &["--tags", "@CNDA-2.07-cas1"]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));

    let pki = insilab_certs::Pki::load(&pki()).unwrap();
    let manu = pki
        .index()
        .identities
        .iter()
        .find(|i| i.name == "insi-manu")
        .unwrap();
    let cert = pki.dir().join(&manu.cert);
    let config = dir.path().join("acceptance.yaml");
    std::fs::write(
        &config,
        format!(
            "publisher: ACME Santé\nidam: ACME-IDAM-42\nclient_certificate: {}\n",
            cert.display()
        ),
    )
    .unwrap();
    let drafts = dir.path().join("drafts");
    let report = insilab(&[
        "report",
        "--from",
        out.to_str().unwrap(),
        "--format",
        "acceptance",
        "--acceptance-config",
        config.to_str().unwrap(),
        "--out",
        drafts.to_str().unwrap(),
    ]);
    let stderr = text(&report.stderr);
    assert_eq!(report.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("2.03 cas 1: not run."), "{stderr}");
    let html = std::fs::read_to_string(drafts.join("acceptance.html")).unwrap();
    assert!(html.contains("DRAFT — INCOMPLETE"));
    assert!(html.contains("ACME Santé"));
    // The configuration overrides the IDAM of the ContexteLPS and names the certificate.
    assert!(html.contains("ACME-IDAM-42"));
    assert!(html.contains("CN=INSI-MANU"));
    assert!(html.contains("2.07 cas 1"));
    // Only the case that ran has traces: section 09.
    let zip = std::fs::read(drafts.join("acceptance-traces.zip")).unwrap();
    let names = String::from_utf8_lossy(&zip);
    assert!(names.contains("09_2.07-cas1/001-request.xml"));
    assert!(!names.contains("01_2.03-cas1"));
}

#[test]
fn a_missing_chromium_is_an_error_when_tools_are_required() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("evidence");
    let result = run(&out, &["--tags", "@CNDA-2.05"]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let empty_path = tempfile::tempdir().unwrap();
    let report = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["report", "--from", out.to_str().unwrap(), "--format"])
        .arg("acceptance")
        .env("PATH", empty_path.path())
        .env_remove("INSILAB_CHROMIUM")
        .env("INSILAB_REQUIRE_TOOLS", "1")
        .output()
        .unwrap();
    assert_eq!(report.status.code(), Some(2), "{}", text(&report.stderr));
    assert!(text(&report.stderr).contains("chromium not found"));
    // Without the requirement the draft is written, without a PDF.
    let report = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["report", "--from", out.to_str().unwrap(), "--format"])
        .arg("acceptance")
        .env("PATH", empty_path.path())
        .env_remove("INSILAB_CHROMIUM")
        .env_remove("INSILAB_REQUIRE_TOOLS")
        .output()
        .unwrap();
    assert_eq!(report.status.code(), Some(0), "{}", text(&report.stderr));
    assert!(out.join("acceptance.html").exists());
    assert!(!out.join("acceptance.pdf").exists());
}
