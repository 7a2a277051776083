//! `insilab lint`: request/response detection, findings, exit code by worst severity, JSON.
#![expect(clippy::unwrap_used, reason = "test harness")]

use std::path::Path;
use std::process::Command;

use insilab_core::insi::{Dialect, samples, write_request, write_result};

fn lint(args: &[&Path], json: bool) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_insilab"));
    cmd.arg("lint").args(args).env("NO_COLOR", "1");
    if json {
        cmd.arg("--json");
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn exit_code_follows_the_worst_severity() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("request.xml");
    std::fs::write(&good, write_request(&samples::traits_search_request())).unwrap();
    let answer = dir.path().join("answer.xml");
    std::fs::write(
        &answer,
        write_result(&samples::found_two_histories(), Dialect::Live),
    )
    .unwrap();
    let (code, out) = lint(&[&good, &answer], false);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("(request)") && out.contains("(response)"),
        "{out}"
    );

    // Drop ContexteLPS and break the MessageID: fault/CNDA findings, exit 1.
    let mut req = samples::traits_search_request();
    req.headers.lps = None;
    req.headers.message_id = Some("12345".into());
    let bad = dir.path().join("bad.xml");
    std::fs::write(&bad, write_request(&req)).unwrap();
    let (code, out) = lint(&[&good, &bad], true);
    assert_eq!(code, 1, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["exit_code"], 1);
    let findings = doc["files"][1]["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(
        findings.iter().all(|f| f["rule_id"]
            .as_str()
            .is_some_and(|r| r.starts_with("INSI-"))),
        "{out}"
    );

    // Not XML at all: exit 2.
    let junk = dir.path().join("junk.xml");
    std::fs::write(&junk, "hello").unwrap();
    let (code, out) = lint(&[&bad, &junk], false);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("unreadable"));
    let (code, _) = lint(&[&dir.path().join("missing.xml")], false);
    assert_eq!(code, 2);
}

#[test]
fn lint_reads_standard_input_and_groups_findings_per_value() {
    use std::io::Write as _;
    let trace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/traces/request-lowercase.xml");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["lint", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(trace).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("- (request)"), "{stdout}");
    // One finding for the lower-case first name "Catarina", not one per letter.
    assert_eq!(stdout.matches("LEX-002").count(), 1, "{stdout}");
    assert!(stdout.contains("6 more in \"Catarina\""), "{stdout}");
}

fn fixture(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("formats/tests/fixtures")
        .join(rel)
}

#[test]
fn recognises_every_carrier_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("page.png");
    let payload = std::fs::read_to_string(fixture("datamatrix/clean.txt")).unwrap();
    std::fs::write(
        &png,
        insilab_formats::datamatrix::encode_png(payload.trim_end(), 6).unwrap(),
    )
    .unwrap();
    // A printed page: the symbol embedded in a PDF as raw grey samples.
    let pdf = dir.path().join("letter.bin");
    let (width, height, samples) =
        insilab_formats::datamatrix::encode_gray(payload.trim_end(), 4).unwrap();
    std::fs::write(
        &pdf,
        insilab_testkit::pdf_with_image(&insilab_testkit::PdfImage {
            width,
            height,
            color_space: Some("/DeviceGray"),
            bits: 8,
            filter: None,
            data: &samples,
        }),
    )
    .unwrap();
    // Misleading extensions: the content decides.
    let hl7 = dir.path().join("message.txt");
    std::fs::copy(fixture("hl7/clean.hl7"), &hl7).unwrap();
    let files = [
        hl7,
        fixture("fhir/clean.json"),
        fixture("fhir/clean.xml"),
        fixture("cda/clean.xml"),
        fixture("datamatrix/clean.txt"),
        png,
        pdf,
    ];
    let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let (code, out) = lint(&refs, true);
    assert_eq!(code, 0, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kinds: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "hl7",
            "fhir-json",
            "fhir-xml",
            "cda",
            "datamatrix-payload",
            "datamatrix-image",
            "datamatrix-image"
        ]
    );
    for page in [5, 6] {
        assert_eq!(
            doc["files"][page]["payload"].as_str(),
            Some(payload.trim_end())
        );
    }
    assert!(
        doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["findings"].as_array().unwrap().is_empty())
    );
}

#[test]
fn format_findings_set_the_exit_code_and_format_can_be_forced() {
    let (code, out) = lint(
        &[
            &fixture("fhir/INS-FHIR-002.json"),
            &fixture("cda/INS-CDA-010.xml"),
        ],
        false,
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("INS-FHIR-002") && out.contains("Patient.identifier[1].value"),
        "{out}"
    );
    assert!(out.contains("INS-CDA-010"), "{out}");
    // Advice only: exit 0.
    let (code, out) = lint(&[&fixture("cda/INS-CDA-010.xml")], false);
    assert_eq!(code, 0, "{out}");

    // Forced: a FHIR document read as HL7 is unreadable (exit 2) and says why.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_insilab"));
    let out = cmd
        .args(["lint", "--format", "hl7"])
        .arg(fixture("fhir/clean.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("read as hl7"), "{text}");
    let out = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["lint", "--format", "fhir"])
        .arg(fixture("fhir/clean.xml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}
