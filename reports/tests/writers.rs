//! Every writer on the fixed results model: snapshots (redacted), and the properties a user
//! relies on: escaping, self-containment, unique JUnit names, rule names in failures, DSR
//! grouping, the JUnit XSD and the JSON schema.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on an unexpected error"
)]

mod common;

use std::path::Path;
use std::process::Command;

use insilab_reports::model::Status;
use insilab_reports::writers::{CoverageState, ReportView};
use insilab_reports::{
    Format, ReportInput, write_all, write_html, write_json, write_junit, write_markdown,
};

fn render(format: Format, with_dsr: bool, problems: &[String]) -> String {
    let results = common::results();
    let catalogue = common::catalogue();
    let dsr = common::dsr();
    let input = ReportInput {
        results: &results,
        catalogue: &catalogue,
        dsr: with_dsr.then_some(&dsr),
        evidence_problems: problems,
    };
    format.render(&input).unwrap()
}

fn tampered() -> Vec<String> {
    vec![
        "modified: results.json".to_owned(),
        "unlisted: exchanges/x/<evil>.xml".to_owned(),
    ]
}

#[test]
fn html_snapshot() {
    let html = render(Format::Html, true, &tampered());
    common::redacted().bind(|| insta::assert_snapshot!("report.html", html));
}

#[test]
fn junit_snapshot() {
    let xml = render(Format::Junit, false, &tampered());
    common::redacted().bind(|| insta::assert_snapshot!("junit.xml", xml));
}

#[test]
fn json_snapshot() {
    let json = render(Format::Json, true, &[]);
    common::redacted().bind(|| insta::assert_snapshot!("report.json", json));
}

#[test]
fn markdown_snapshot() {
    let md = render(Format::Markdown, true, &tampered());
    common::redacted().bind(|| insta::assert_snapshot!("summary.md", md));
}

#[test]
fn html_escapes_everything_and_needs_nothing_external() {
    let html = render(Format::Html, true, &tampered());
    assert!(
        !html.contains("<script"),
        "raw markup from the model leaked"
    );
    // minijinja also escapes `/`.
    assert!(html.contains("&lt;script&gt;x&lt;&#x2f;script&gt;"));
    assert!(html.contains("&lt;soap:Envelope&gt;"));
    assert!(html.contains("Identity statuses &lt;manual&gt;"));
    for external in ["<link", " src=", "@import", "url(", "<script"] {
        assert!(!html.contains(external), "found {external}");
    }
    // The only URL is the SVG namespace, which is an identifier, not a fetch.
    assert_eq!(html.matches("http://").count(), 1);
    assert!(html.contains(r#"xmlns="http://www.w3.org/2000/svg""#));
    assert!(html.contains("@media print"));
    assert!(html.contains("Evidence check failed"));
    assert!(html.contains("<strong>INSI-ALG-03</strong>: the all-names call was not made"));
}

#[test]
fn junit_names_are_unique_and_failures_name_the_rule() {
    let xml = render(Format::Junit, false, &[]);
    let results = common::results();
    for s in &results.scenarios {
        let needle = format!(r#"name="{}""#, s.id);
        assert_eq!(xml.matches(&needle).count(), 1, "{needle}");
    }
    // The rule id once, as the type; the message says what happened and what the software
    // reported.
    assert!(xml.contains(r#"message="the all-names call was not made (3 calls, expected 4) (the software reported not_found &quot;aucune identité trouvée&quot;)" type="INSI-ALG-03""#), "{xml}");
    assert!(!xml.contains("[INSI-ALG-03] the all-names"));
    assert!(xml.contains(r#"<property name="requirement" value="CNDA-2.07-cas1"/>"#));
    assert!(xml.contains(r#"<property name="case" value="2.07 cas 1"/>"#));
    assert!(xml.contains(r#"classname="CNDA 2.07 — first-name loop""#));
    assert!(!xml.contains("evidence/manifest"));
    let tampered = render(Format::Junit, false, &tampered());
    assert!(tampered.contains(r#"name="evidence/manifest""#));
}

#[test]
fn junit_validates_against_the_xsd() {
    if !insilab_testkit::XMLLINT.require("JUnit checked against its XSD with xmllint") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, problems) in [("clean.xml", vec![]), ("tampered.xml", tampered())] {
        let path = dir.path().join(name);
        std::fs::write(&path, render(Format::Junit, false, &problems)).unwrap();
        let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/junit.xsd");
        let out = Command::new("xmllint")
            .args(["--noout", "--nonet", "--schema"])
            .arg(&xsd)
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name} is not valid: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The XSD is not a rubber stamp: a test case without a name, or two outcomes, is refused.
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/junit.xsd");
    for (name, bad) in [
        (
            "no-name.xml",
            r#"<testsuites><testsuite name="s" tests="1"><testcase classname="c"/></testsuite></testsuites>"#,
        ),
        (
            "two-outcomes.xml",
            r#"<testsuites><testsuite name="s" tests="1"><testcase name="t"><failure/><skipped/></testcase></testsuite></testsuites>"#,
        ),
        (
            "bad-count.xml",
            r#"<testsuites><testsuite name="s" tests="many"/></testsuites>"#,
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bad).unwrap();
        let out = Command::new("xmllint")
            .args(["--noout", "--nonet", "--schema"])
            .arg(&xsd)
            .arg(&path)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{name} was accepted");
    }
}

#[test]
fn json_validates_against_the_documented_schema() {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/report-schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for (dsr, problems) in [(true, vec![]), (false, tampered())] {
        let report: serde_json::Value =
            serde_json::from_str(&render(Format::Json, dsr, &problems)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
    // The schema is not a rubber stamp: a wrong verdict is rejected.
    let mut bad: serde_json::Value =
        serde_json::from_str(&render(Format::Json, false, &[])).unwrap();
    bad["verdict"] = "green".into();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn markdown_lists_failures_with_their_rule() {
    let md = render(Format::Markdown, false, &[]);
    assert!(md.starts_with("## ❌ insilab: FAILED"));
    assert!(md.contains("**7 scenarios**: 3 passed, 2 failed, 1 skipped, 1 not run"));
    assert!(md.contains("| INSI-ALG-03 | the all-names call was not made"));
    // A pipe in a message cannot break the table.
    assert!(md.contains("after a fault \\| see step 1"));
    assert!(md.contains("Requirement ids not in the catalogue: `EXI-NOT-IN-CATALOGUE`"));
    assert!(!md.contains("DSR item"));
}

#[test]
fn coverage_and_dsr_grouping() {
    let results = common::results();
    let catalogue = common::catalogue();
    let dsr = common::dsr();
    let input = ReportInput {
        results: &results,
        catalogue: &catalogue,
        dsr: Some(&dsr),
        evidence_problems: &[],
    };
    let view = ReportView::new(&input);
    let state = |id: &str| view.requirements.iter().find(|r| r.id == id).unwrap().state;
    assert_eq!(state("CNDA-2.07-cas1"), CoverageState::Passed);
    assert_eq!(
        state("INSI-ALG-01"),
        CoverageState::Failed,
        "one of two failed"
    );
    assert_eq!(state("RNIV-EXI-SI-07"), CoverageState::Attested);
    assert_eq!(state("INSI-TLS-02"), CoverageState::NotRun, "skipped");
    assert_eq!(state("INSI-NET-01"), CoverageState::NotRun);
    assert_eq!(
        state("EXI-DIF-02"),
        CoverageState::Pending,
        "attestation, none given"
    );
    assert_eq!(
        state("EXI-ID-15"),
        CoverageState::NotRun,
        "tagged on a passed scenario that evaluates none of its rules"
    );
    assert_eq!(state("INSI-RSP-01"), CoverageState::Passed);
    assert_eq!(state("INSI-FLT-01"), CoverageState::Failed);
    assert_eq!(view.unknown_requirements, vec!["EXI-NOT-IN-CATALOGUE"]);

    let items = view.dsr.as_ref().unwrap();
    let ids: Vec<(&str, CoverageState)> = items.iter().map(|i| (i.id.as_str(), i.state)).collect();
    assert_eq!(
        ids,
        vec![
            ("DSR-INS-12", CoverageState::Failed),
            ("DSR-INS-15", CoverageState::Failed),
            ("DSR-INS-20", CoverageState::Passed),
            ("DSR-INS-99", CoverageState::Pending),
        ]
    );
    assert_eq!(items[0].requirements.len(), 3);

    let html = write_html(&input).unwrap();
    assert!(html.contains("By DSR item"));
    assert!(html.contains("DSR-INS-12"));
    let md = write_markdown(&input).unwrap();
    assert!(md.contains("| DSR-INS-20 | passed |"));
    let json: serde_json::Value = serde_json::from_str(&write_json(&input).unwrap()).unwrap();
    assert_eq!(json["dsr"][0]["state"], "failed");
    let no_dsr = ReportInput { dsr: None, ..input };
    assert!(!write_html(&no_dsr).unwrap().contains("By DSR item"));
    assert!(write_junit(&no_dsr).unwrap().contains("<testsuites"));
}

#[test]
fn write_all_writes_the_named_files_once() {
    let results = common::results();
    let catalogue = common::catalogue();
    let input = ReportInput {
        results: &results,
        catalogue: &catalogue,
        dsr: None,
        evidence_problems: &[],
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new/sub");
    let formats = [
        Format::Markdown,
        Format::Html,
        Format::Markdown,
        Format::Json,
    ];
    let paths = write_all(&out, &input, &formats).unwrap();
    let names: Vec<_> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["summary.md", "report.html", "report.json"]);
    for p in &paths {
        assert!(std::fs::metadata(p).unwrap().len() > 0);
    }
}

#[test]
fn markdown_lists_at_most_the_limit_of_failures() {
    use insilab_reports::model::Failure;
    use insilab_reports::writers::markdown::MAX_LISTED_FAILURES;
    let catalogue = common::catalogue();
    for (n, listed, more) in [
        (MAX_LISTED_FAILURES, MAX_LISTED_FAILURES, false),
        (MAX_LISTED_FAILURES + 1, MAX_LISTED_FAILURES, true),
    ] {
        let mut results = common::results();
        let template = results.scenarios[1].clone();
        results.scenarios = (0..n)
            .map(|i| {
                let mut s = template.clone();
                s.id = format!("many/{i}");
                s.status = Status::Failed;
                s.failure = Some(Failure {
                    rule: Some("INSI-ALG-01".into()),
                    message: format!("failure {i}"),
                    rules: vec![],
                    reported: None,
                });
                s
            })
            .collect();
        let md = write_markdown(&ReportInput {
            results: &results,
            catalogue: &catalogue,
            dsr: None,
            evidence_problems: &[],
        })
        .unwrap();
        assert_eq!(md.matches("| `many/").count(), listed);
        assert_eq!(md.contains("and 1 more failed scenarios"), more);
    }
}

/// The HTML row of requirement `id`: from its anchor to the end of the row.
fn html_row<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(r#"<tr id="req-{id}">"#))
        .unwrap_or_else(|| panic!("no row for {id}"));
    let end = html[start..]
        .find("</tr>")
        .map_or(html.len(), |e| start + e);
    &html[start..end]
}

/// The JUnit test case of requirement `id`.
fn junit_case<'a>(xml: &'a str, id: &str) -> &'a str {
    let start = xml
        .find(&format!(r#"name="requirement/{id}""#))
        .unwrap_or_else(|| panic!("no test case for {id}"));
    let end = xml[start..]
        .find("</testcase>")
        .map_or(xml.len(), |e| start + e);
    &xml[start..end]
}

#[test]
fn a_requirement_whose_linked_rule_fired_is_failed_in_html_junit_and_json() {
    // INSI-ALG-01 is linked to INSI-ALG-03, which fired in cnda/2.07-cas2.
    let html = render(Format::Html, false, &[]);
    assert!(
        html_row(&html, "INSI-ALG-01").contains(r#"<span class="pill failed">failed</span>"#),
        "{}",
        html_row(&html, "INSI-ALG-01")
    );
    assert!(html_row(&html, "INSI-ALG-01").contains("<code>INSI-ALG-03</code>"));
    let xml = render(Format::Junit, false, &[]);
    let case = junit_case(&xml, "INSI-ALG-01");
    assert!(case.contains("<failure"), "{case}");
    assert!(case.contains(r#"type="INSI-ALG-03""#), "{case}");
    let json: serde_json::Value = serde_json::from_str(&render(Format::Json, false, &[])).unwrap();
    let req = json["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "INSI-ALG-01")
        .unwrap();
    assert_eq!(req["state"], "failed");
    assert_eq!(req["fired_rules"], serde_json::json!(["INSI-ALG-03"]));
    // The same rule evaluated without firing: passed everywhere.
    assert!(html_row(&html, "INSI-RSP-01").contains(r#"<span class="pill passed">"#));
    assert!(!junit_case(&xml, "INSI-RSP-01").contains("<failure"));
}

#[test]
fn an_attestation_requirement_without_an_attestation_is_never_passed() {
    // EXI-DIF-02 is carried by a passed scenario, with no attestation: pending in every report.
    let html = render(Format::Html, false, &[]);
    assert!(html_row(&html, "EXI-DIF-02").contains(r#"<span class="pill pending">pending</span>"#));
    let xml = render(Format::Junit, false, &[]);
    let case = junit_case(&xml, "EXI-DIF-02");
    assert!(
        case.contains("<skipped") && case.contains("pending"),
        "{case}"
    );
    let json: serde_json::Value = serde_json::from_str(&render(Format::Json, false, &[])).unwrap();
    let state = |id: &str| {
        json["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(state("EXI-DIF-02"), "pending");

    // Whatever the scenario status and the rules it evaluated, no attestation means no pass.
    let catalogue = common::catalogue();
    let attestation_ids: Vec<String> = catalogue
        .requirements
        .iter()
        .filter(|r| r.check == insilab_reports::CheckMode::Attestation)
        .map(|r| r.id.clone())
        .collect();
    for status in [
        Status::Passed,
        Status::Failed,
        Status::Skipped,
        Status::NotRun,
    ] {
        let mut results = common::results();
        for s in &mut results.scenarios {
            s.status = status;
            s.attestations.clear();
            s.requirements.extend(attestation_ids.iter().cloned());
            // Even a rule that claims the requirement does not make it passed.
            s.rules.push(common::check(
                "INSI-STO-01",
                &attestation_ids
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
                false,
            ));
        }
        let input = ReportInput {
            results: &results,
            catalogue: &catalogue,
            dsr: None,
            evidence_problems: &[],
        };
        let view = ReportView::new(&input);
        for r in view
            .requirements
            .iter()
            .filter(|r| attestation_ids.contains(&r.id))
        {
            assert!(
                !matches!(r.state, CoverageState::Passed | CoverageState::Attested),
                "{} is {:?} without an attestation ({status:?})",
                r.id,
                r.state
            );
        }
    }
}
