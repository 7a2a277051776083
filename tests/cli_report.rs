//! End to end: `insilab report` on evidence directories built here with the library, as the
//! harness writes them: exit codes, files written, tampering reported, mapping errors.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on an unexpected error"
)]

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use insilab_reports::evidence::{exchange_paths, write_manifest, write_results};
use insilab_reports::model::*;

fn scenario(id: &str, status: Status) -> ScenarioResult {
    let (request, response) = exchange_paths(id, 1);
    ScenarioResult {
        id: id.into(),
        suite: "cnda".into(),
        feature: "CNDA 2.07 — first-name loop".into(),
        feature_file: "cnda/2.07-first-names.feature".into(),
        name: format!("scenario {id}"),
        case_id: Some("2.07 cas 1".into()),
        requirements: vec!["CNDA-2.07-cas1".into(), "INSI-ALG-01".into()],
        tags: vec!["cnda".into()],
        status,
        duration_ms: 10,
        steps: vec![StepResult {
            keyword: "Then".into(),
            text: "the answers were \"00\"".into(),
            status,
            message: None,
        }],
        exchanges: vec![ExchangeRef {
            index: 1,
            operation: "rechercherInsAvecTraitsIdentite".into(),
            outcome: "CR 00".into(),
            request_file: request,
            response_file: Some(response),
            request_xml: None,
            response_xml: None,
        }],
        attestations: vec![],
        failure: (status == Status::Failed).then(|| Failure {
            rule: Some("INSI-ALG-01".into()),
            message: "[INSI-ALG-01] the loop went on after 00".into(),
            rules: vec![RuleMessage {
                rule: "INSI-ALG-01".into(),
                message: "the loop went on after 00".into(),
            }],
            reported: None,
        }),
        skip_reason: None,
        rules: vec![RuleCheck {
            rule: "INSI-ALG-01".into(),
            requirements: vec!["INSI-ALG-01".into()],
            fired: status == Status::Failed,
        }],
    }
}

/// Writes a sealed evidence directory whose scenarios have these statuses.
fn evidence(dir: &Path, statuses: &[Status]) {
    let scenarios: Vec<_> = statuses
        .iter()
        .enumerate()
        .map(|(i, s)| scenario(&format!("cnda/case-{i}"), *s))
        .collect();
    for s in &scenarios {
        let ex = &s.exchanges[0];
        let request = dir.join(&ex.request_file);
        fs::create_dir_all(request.parent().unwrap()).unwrap();
        fs::write(&request, "<Envelope><Prenom>OLA</Prenom></Envelope>").unwrap();
        fs::write(
            dir.join(ex.response_file.as_ref().unwrap()),
            "<CodeCR>00</CodeCR>",
        )
        .unwrap();
    }
    let results = RunResults {
        schema_version: SCHEMA_VERSION.into(),
        tool_version: "test".into(),
        run_id: "run-1".into(),
        started_at: "2026-11-27T10:00:00Z".into(),
        finished_at: Some("2026-11-27T10:00:05Z".into()),
        driver: "reference".into(),
        simulator: "embedded".into(),
        dataset_sha256: None,
        suites: vec!["cnda".into()],
        family: None,
        scenarios,
        planned: None,
        stopped: None,
    };
    write_results(dir, &results).unwrap();
    fs::write(dir.join("attestations.jsonl"), "").unwrap();
    fs::write(dir.join("version.txt"), "insilab test\n").unwrap();
    write_manifest(dir).unwrap();
}

fn report(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_insilab"))
        .arg("report")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn passing_run_exits_0_and_writes_every_report() {
    let dir = tempfile::tempdir().unwrap();
    evidence(dir.path(), &[Status::Passed, Status::Passed]);
    let from = dir.path().to_str().unwrap();
    let out = report(&["--from", from]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let printed: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    assert_eq!(printed.len(), 4);
    for name in ["report.html", "junit.xml", "report.json", "summary.md"] {
        let path = dir.path().join(name);
        assert!(
            printed.contains(&path.display().to_string()),
            "{name} not printed"
        );
        assert!(fs::metadata(&path).unwrap().len() > 0);
    }
    assert!(text(&out.stderr).contains("passed: 2 passed, 0 failed"));
    // The XML of the exchange files is copied into the HTML report, escaped.
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("&lt;Prenom&gt;OLA&lt;&#x2f;Prenom&gt;"));
    // Reports written beside the evidence do not break the seal: a second run agrees.
    let again = report(&["--from", from]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
}

#[test]
fn failing_run_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    evidence(dir.path(), &[Status::Passed, Status::Failed]);
    let out_dir = dir.path().join("reports");
    let out = report(&[
        "--from",
        dir.path().to_str().unwrap(),
        "--format",
        "junit,md",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let mut names: Vec<_> = fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["junit.xml", "summary.md"]);
    let junit = fs::read_to_string(out_dir.join("junit.xml")).unwrap();
    // The rule id once, as the failure type; the message says what happened.
    assert!(
        junit.contains(r#"message="the loop went on after 00" type="INSI-ALG-01""#),
        "{junit}"
    );
}

#[test]
fn tampered_evidence_is_reported_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    evidence(dir.path(), &[Status::Passed]);
    let (_, response) = exchange_paths("cnda/case-0", 1);
    fs::write(dir.path().join(&response), "<CodeCR>01</CodeCR>").unwrap();
    let out = report(&[
        "--from",
        dir.path().to_str().unwrap(),
        "--format",
        "html,json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("evidence: modified: {response}")),
        "{stderr}"
    );
    assert!(stderr.contains("EVIDENCE ALTERED"));
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("Evidence check failed"));
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(json["evidence_intact"], false);
}

#[test]
fn dsr_mapping_groups_and_unknown_ids_are_setup_errors() {
    let dir = tempfile::tempdir().unwrap();
    evidence(dir.path(), &[Status::Passed]);
    let from = dir.path().to_str().unwrap();
    let good = dir.path().join("good-mapping.yaml");
    fs::write(
        &good,
        "items:\n  - id: DSR-7\n    requirements: [INSI-ALG-01]\n",
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = report(&[
        "--from",
        from,
        "--dsr-mapping",
        good.to_str().unwrap(),
        "--format",
        "md",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    // The mapping file sits in the evidence directory unlisted: that counts as tampering.
    assert_eq!(out.status.code(), Some(1));
    let md = fs::read_to_string(out_dir.join("summary.md")).unwrap();
    assert!(md.contains("| DSR-7 | passed |"), "{md}");

    let bad = tempfile::NamedTempFile::new().unwrap();
    fs::write(
        bad.path(),
        "items:\n  - id: DSR-8\n    requirements: [EXI-NOPE-1]\n",
    )
    .unwrap();
    let out = report(&[
        "--from",
        from,
        "--dsr-mapping",
        bad.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown requirement `EXI-NOPE-1`"));
}

#[test]
fn usage_and_setup_errors_exit_2() {
    let missing = report(&["--from", "/nonexistent/insilab-evidence"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("does not exist"));
    let dir = tempfile::tempdir().unwrap();
    let bad_format = report(&["--from", dir.path().to_str().unwrap(), "--format", "pdf"]);
    assert_eq!(bad_format.status.code(), Some(2));
    assert!(text(&bad_format.stderr).contains("unknown report format `pdf`"));
    let empty = report(&["--from", dir.path().to_str().unwrap()]);
    assert_eq!(
        empty.status.code(),
        Some(2),
        "no results.json is a setup error"
    );
}

/// What a user sees on a terminal: report paths on stdout, problems and the summary on stderr.
#[test]
fn output_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    evidence(
        dir.path(),
        &[Status::Passed, Status::Failed, Status::Skipped],
    );
    fs::write(dir.path().join("version.txt"), "edited\n").unwrap();
    let out = report(&["--from", dir.path().to_str().unwrap()]);
    let shown = format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
    .replace(&dir.path().display().to_string(), "[EVIDENCE]");
    insta::assert_snapshot!(shown);
}
