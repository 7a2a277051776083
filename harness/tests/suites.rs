//! End to end: the embedded suites against the in-process simulator with the reference driver
//! (everything passes) and with each faulty driver (each bug is caught: its rule fired).
#![expect(clippy::unwrap_used, reason = "test fixtures")]

use std::path::Path;

use insilab_harness::{DriverSpec, FaultyBug, RunOptions, RunSummary, run_self_test, run_suites};
use insilab_reports::model::Status;

mod common;
use common::{describe, pki_dir};

async fn run(suite: &str, driver: DriverSpec, out: &Path, tags: Option<&str>) -> RunSummary {
    let mut opts = RunOptions::new(suite, out.to_owned());
    opts.driver = driver;
    opts.pki = pki_dir();
    opts.tags = tags.map(str::to_owned);
    run_suites(opts).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_suite_passes_with_the_reference_driver_and_leaves_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let summary = run("all", DriverSpec::Reference, dir.path(), None).await;
    assert_eq!(summary.failed(), 0, "{}", describe(&summary));
    assert_eq!(summary.skipped(), 0, "{}", describe(&summary));
    assert!(summary.passed() >= 12 + 10);
    assert_eq!(
        summary.last_line(),
        format!("{} passed, 0 failed", summary.passed())
    );
    // Evidence: results, exchanges, manifest that verifies, reports.
    let out = dir.path();
    let results = insilab_reports::evidence::load_results(out).unwrap();
    assert_eq!(results.scenarios.len(), summary.results.scenarios.len());
    let tchitchi = results
        .scenarios
        .iter()
        .find(|s| s.id == "cnda/2.07-cas1")
        .unwrap();
    assert_eq!(tchitchi.exchanges.len(), 2);
    assert!(tchitchi.requirements.contains(&"EXI-REC-07".to_owned()));
    let request = std::fs::read_to_string(out.join(&tchitchi.exchanges[1].request_file)).unwrap();
    assert!(request.contains("CATARINA"));
    assert!(out.join("version.txt").exists() && out.join("dataset.yaml").exists());
    assert!(
        insilab_reports::evidence::verify_manifest(out)
            .unwrap()
            .is_empty()
    );
    for report in ["report.html", "junit.xml", "report.json", "summary.md"] {
        assert!(out.join(report).exists(), "{report} missing");
    }
    every_automated_requirement_is_evaluated_by_a_rule(&results);
}

/// Coverage: every automated requirement of `scenarios/requirements.yaml` is linked to at least
/// one rule that a scenario tagged with it really evaluated (not merely tagged), and the
/// computed state of each is passed on a clean run; no attestation requirement is passed.
fn every_automated_requirement_is_evaluated_by_a_rule(results: &insilab_reports::RunResults) {
    use insilab_reports::catalogue::{CheckMode, Source};
    use insilab_reports::writers::{CoverageState, ReportView};
    let catalogue = insilab_reports::Catalogue::embedded();
    let mut unevaluated = Vec::new();
    for req in &catalogue.requirements {
        let evaluated = results
            .scenarios
            .iter()
            .filter(|s| s.requirements.contains(&req.id))
            .flat_map(|s| s.rules.iter())
            .any(|c| c.requirements.contains(&req.id) || req.source == Source::CndaTestGuide);
        if req.check == CheckMode::Automated && !evaluated {
            unevaluated.push(req.id.as_str());
        }
    }
    assert!(
        unevaluated.is_empty(),
        "automated requirements no scenario evaluates a rule of: {unevaluated:?}"
    );
    let input = insilab_reports::ReportInput {
        results,
        catalogue: &catalogue,
        dsr: None,
        evidence_problems: &[],
    };
    let view = ReportView::new(&input);
    for r in &view.requirements {
        match r.check {
            CheckMode::Automated => assert_eq!(r.state, CoverageState::Passed, "{}", r.id),
            CheckMode::Attestation => assert_ne!(r.state, CoverageState::Passed, "{}", r.id),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_faulty_bug_fails_a_scenario_naming_its_rule() {
    let dir = tempfile::tempdir().unwrap();
    // Every suite: the bugs of the network, faults, verification and card families are caught
    // by protocol scenarios.
    let results = run_self_test("all", pki_dir(), dir.path().to_owned())
        .await
        .unwrap();
    assert_eq!(results.len(), FaultyBug::ALL.len());
    let missed: Vec<String> = results
        .iter()
        .filter(|r| !r.caught)
        .map(|r| {
            format!(
                "{} (expected a failure naming {}, {} failed)",
                r.bug.name(),
                r.bug.rule(),
                r.failed
            )
        })
        .collect();
    assert!(missed.is_empty(), "bugs not caught: {missed:#?}");
    // Evidence per bug, in catalogue order.
    assert_eq!(results[0].bug, FaultyBug::ALL[0]);
    assert!(
        dir.path()
            .join("history-dropped")
            .join("results.json")
            .exists()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_in_the_middle_of_the_loop_fails_a_client_without_the_loop() {
    // The scenario of issue 18 (02 on the first first name, then a fault on the next) passes with
    // the reference driver (suite test above) and fails with a client that sends all the names
    // in one call: it makes one call, gets neither the 02 nor the fault.
    let dir = tempfile::tempdir().unwrap();
    let summary = run(
        "protocol",
        DriverSpec::Faulty(FaultyBug::NoFirstNameLoop),
        dir.path(),
        Some("@INSI-FLT-01"),
    )
    .await;
    let failed: Vec<_> = summary
        .results
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Failed)
        .collect();
    assert!(
        failed
            .iter()
            .any(|s| s.name.contains("middle of the first-name loop")
                && s.failure
                    .as_ref()
                    .is_some_and(|f| f.message.contains("INSI-ALG-01"))),
        "{}",
        describe(&summary)
    );
}
