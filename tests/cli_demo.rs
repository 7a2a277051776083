//! End-to-end test of `insilab demo` in a fresh directory: it generates the PKI, runs both suites
//! with the reference driver, writes every report, and catches every deliberate bug of the
//! faulty-reference catalogue.

use std::process::Command;

#[test]
fn demo_generates_the_pki_runs_the_suites_writes_reports_and_catches_every_bug() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .arg("demo")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run insilab demo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "demo failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );

    // The PKI was generated where the README says.
    assert!(
        stdout.contains("Test PKI generated in certs/generated"),
        "{stdout}"
    );
    assert!(dir.path().join("certs/generated/index.yaml").is_file());

    // Every report and the sealed evidence bundle.
    let out = dir.path().join("insilab-out/demo");
    for file in [
        "report.html",
        "junit.xml",
        "report.json",
        "summary.md",
        "results.json",
        "manifest.sha256",
    ] {
        assert!(
            out.join(file).is_file(),
            "missing {file} in {}",
            out.display()
        );
    }
    assert!(
        stdout.contains("Open the HTML report: insilab-out/demo/report.html"),
        "{stdout}"
    );

    // Every bug of the catalogue is caught, none missed.
    for bug in insilab_harness::FaultyBug::ALL {
        let line = stdout
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(bug.name()))
            .unwrap_or_else(|| panic!("no self-test line for {}\n{stdout}", bug.name()));
        assert!(line.trim_start().starts_with("caught"), "{line}");
    }
    assert!(!stdout.contains("MISSED"), "{stdout}");

    // Each carrier once: a checked HL7 message (ACK over MLLP), a FHIR Patient (posted), a CDA
    // header and a Datamatrix PNG decoded back; no failing rule (test OID advice only).
    for (prefix, expect) in [
        ("HL7 v2", "ACK AA; 0 failing rule(s)"),
        ("FHIR", "HTTP 201; 0 failing rule(s)"),
        ("CDA", "0 failing rule(s)"),
        ("Datamatrix", "decoded back identical; 0 failing rule(s)"),
    ] {
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} line\n{stdout}"));
        assert!(line.contains(expect), "{line}");
    }
    let carriers = dir.path().join("insilab-out/demo-carriers");
    for file in [
        "adt-a28.hl7",
        "adt-a28.ack.hl7",
        "patient.json",
        "patient.outcome.json",
        "cda-header.xml",
        "datamatrix.png",
        "carriers.md",
    ] {
        assert!(carriers.join(file).is_file(), "missing {file}");
    }

    // The last line is the summary, with no failure.
    let last = stdout.lines().last().expect("some output");
    let (passed, failed) = last
        .split_once(" passed, ")
        .expect("summary line `N passed, N failed`");
    assert!(passed.parse::<u32>().expect("a count") > 0, "{last}");
    assert_eq!(failed, "0 failed", "{last}");
}

#[test]
fn demo_reuses_an_existing_pki() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pki = insilab_certs::testing::shared_pki().expect("shared test PKI");
    let output = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["demo", "--skip-self-test", "--pki"])
        .arg(pki.dir())
        .arg("--out")
        .arg(dir.path().join("out"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run insilab demo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("Test PKI found in"), "{stdout}");
    assert!(stdout.contains("Self-test skipped"), "{stdout}");
}
