//! One judge: the same wrong exchange yields the same rule ids whether a harness scenario judges
//! it (from the simulator's findings) or `insilab lint` reads the captured request offline.
#![expect(clippy::unwrap_used, reason = "test fixtures")]

use std::collections::BTreeSet;

use insilab_harness::lint::lint_file;
use insilab_harness::{DriverSpec, FaultyBug, RunOptions, run_suites};
use insilab_reports::model::Status;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_request_fires_the_same_rules_in_a_scenario_and_in_lint() {
    let pki = insilab_certs::testing::shared_pki().unwrap();
    for bug in [
        FaultyBug::MessageIdWithoutUuid,
        FaultyBug::MissingContexteLps,
        FaultyBug::LowerCaseTraits,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut opts = RunOptions::new("cnda", dir.path().to_owned());
        opts.driver = DriverSpec::Faulty(bug);
        opts.pki = pki.dir().to_owned();
        opts.tags = Some("@CNDA-2.04-cas1".into());
        let summary = run_suites(opts).await.unwrap();
        let scenario = &summary.results.scenarios[0];
        assert_eq!(scenario.status, Status::Failed, "{}", bug.name());
        let fired: BTreeSet<String> = scenario
            .failure
            .as_ref()
            .unwrap()
            .rules
            .iter()
            .map(|r| r.rule.clone())
            .collect();
        assert!(
            fired.contains(bug.rule().as_str()),
            "{}: {fired:?}",
            bug.name()
        );
        // The rule also appears as evaluated and fired in the scenario's rule records.
        assert!(
            scenario
                .rules
                .iter()
                .any(|c| c.rule == bug.rule().as_str() && c.fired)
        );

        let request = dir.path().join(&scenario.exchanges[0].request_file);
        let linted: BTreeSet<String> = lint_file(&request)
            .findings
            .into_iter()
            .filter(|f| f.severity != insilab_core::rules::Severity::Advice)
            .map(|f| f.rule_id.as_str().to_owned())
            .collect();
        let request_rules_fired: BTreeSet<String> = fired
            .iter()
            .filter(|id| {
                insilab_harness::steps::judges::request_rules()
                    .any(|r| r.id.as_str() == id.as_str())
            })
            .cloned()
            .collect();
        assert_eq!(
            request_rules_fired,
            linted,
            "{}: the scenario and lint disagree",
            bug.name()
        );
    }
}
