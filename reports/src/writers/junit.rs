//! The JUnit XML report (through `quick-junit`): one `<testsuite>` per suite, one
//! `<testcase>` per scenario named by its unique id, the feature as `classname`, requirement
//! and case ids as `<properties>`, failures naming the rule. Tampered evidence adds a failing
//! `evidence` suite so that CI shows it.

use std::collections::HashSet;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::{CoverageState, ReportInput, ReportView};
use crate::ReportError;
use crate::model::Status;

/// Renders the JUnit report.
pub fn write_junit(input: &ReportInput<'_>) -> Result<String, ReportError> {
    let results = input.results;
    let mut report = Report::new(format!("insilab {}", results.run_id));
    let mut used_names = HashSet::new();
    for suite_name in results.suite_names() {
        let mut suite = TestSuite::new(suite_name.as_str());
        suite.add_property(Property::new("driver", results.driver.as_str()));
        suite.add_property(Property::new("simulator", results.simulator.as_str()));
        if let Some(family) = &results.family {
            suite.add_property(Property::new("family", family.as_str()));
        }
        for scenario in results.scenarios.iter().filter(|s| s.suite == suite_name) {
            let status = match scenario.status {
                Status::Passed => TestCaseStatus::success(),
                Status::Failed => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    // The rule ids go in `type`, once; the message says what happened (each
                    // rule's message, then what the software itself reported).
                    let (rule, mut message) = match &scenario.failure {
                        Some(f) if !f.rules.is_empty() => (
                            Some(
                                f.rules
                                    .iter()
                                    .map(|r| r.rule.as_str())
                                    .collect::<Vec<_>>()
                                    .join(" "),
                            ),
                            f.rules
                                .iter()
                                .map(|r| r.message.as_str())
                                .collect::<Vec<_>>()
                                .join("; "),
                        ),
                        Some(f) => (f.rule.clone(), f.message.clone()),
                        None => (None, "scenario failed".to_owned()),
                    };
                    if let Some(reported) = scenario
                        .failure
                        .as_ref()
                        .and_then(|f| f.reported.as_ref())
                        .filter(|r| !message.contains(r.as_str()))
                    {
                        message.push_str(&format!(" (the software reported {reported})"));
                    }
                    status.set_message(message);
                    status.set_type(rule.unwrap_or_else(|| "failure".to_owned()));
                    status.set_description(step_trace(scenario));
                    status
                }
                Status::Skipped | Status::NotRun => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(match scenario.skip_reason() {
                        Some(reason) => format!("skipped: {reason}"),
                        None if scenario.status == Status::Skipped => "skipped".to_owned(),
                        None => "not run".to_owned(),
                    });
                    status
                }
            };
            let mut case = TestCase::new(unique_name(&mut used_names, &scenario.id), status);
            case.set_classname(scenario.feature.as_str());
            case.set_time(Duration::from_millis(scenario.duration_ms));
            for id in &scenario.requirements {
                case.add_property(Property::new("requirement", id.as_str()));
            }
            if let Some(case_id) = &scenario.case_id {
                case.add_property(Property::new("case", case_id.as_str()));
            }
            case.add_property(Property::new("scenario", scenario.name.as_str()));
            case.add_property(Property::new(
                "feature_file",
                scenario.feature_file.as_str(),
            ));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report.add_test_suite(requirements_suite(input, &mut used_names));
    if !input.evidence_problems.is_empty() {
        let mut suite = TestSuite::new("evidence");
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_message(format!(
            "evidence manifest check failed: {} problems",
            input.evidence_problems.len()
        ));
        status.set_type("evidence");
        status.set_description(input.evidence_problems.join("\n"));
        let mut case = TestCase::new(unique_name(&mut used_names, "evidence/manifest"), status);
        case.set_classname("evidence");
        suite.add_test_case(case);
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .map_err(|e| ReportError::Junit(e.to_string()))
}

/// Scenario ids are unique by contract; a duplicate still gets a distinct name so that CI
/// tools do not merge two results.
fn unique_name(used: &mut HashSet<String>, id: &str) -> String {
    let mut name = id.to_owned();
    let mut n = 2;
    while !used.insert(name.clone()) {
        name = format!("{id} ({n})");
        n += 1;
    }
    name
}

/// The steps with their status, for the failure body.
fn step_trace(scenario: &crate::model::ScenarioResult) -> String {
    scenario
        .steps
        .iter()
        .map(|step| {
            let mut line = format!("[{}] {} {}", step.status, step.keyword.trim(), step.text);
            if let Some(message) = &step.message {
                line.push_str("\n    ");
                line.push_str(message);
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `requirements` suite: one test case per catalogue requirement the run exercises, with its
/// computed state (failed: a linked rule fired; passed/attested: success; pending, not run:
/// skipped with the state as message).
fn requirements_suite(input: &ReportInput<'_>, used_names: &mut HashSet<String>) -> TestSuite {
    let view = ReportView::new(input);
    let mut suite = TestSuite::new("requirements");
    // Requirements this run does not exercise stay out: CI would show them as noise.
    for req in view
        .requirements
        .iter()
        .filter(|r| r.state != CoverageState::Uncovered)
    {
        let status = match req.state {
            CoverageState::Passed | CoverageState::Attested => TestCaseStatus::success(),
            CoverageState::Failed => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                // A requirement named after its rule (INSI-FLT-01) does not name it twice.
                let others: Vec<&str> = req
                    .fired_rules
                    .iter()
                    .map(String::as_str)
                    .filter(|r| *r != req.id)
                    .collect();
                let fired = if req.fired_rules.is_empty() {
                    "an operator answered no".to_owned()
                } else if others.is_empty() {
                    "its rule fired".to_owned()
                } else if others.len() < req.fired_rules.len() {
                    format!("its rule fired, and {}", others.join(" "))
                } else {
                    format!("rules fired: {}", others.join(" "))
                };
                status.set_message(format!("{} failed: {fired}", req.id));
                status.set_type(if req.fired_rules.is_empty() {
                    "attestation".to_owned()
                } else {
                    req.fired_rules.join(" ")
                });
                status
            }
            CoverageState::Pending | CoverageState::NotRun | CoverageState::Uncovered => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(req.state.as_str());
                status
            }
        };
        let mut case = TestCase::new(
            unique_name(used_names, &format!("requirement/{}", req.id)),
            status,
        );
        case.set_classname(req.source_title);
        case.add_property(Property::new("state", req.state.as_str()));
        case.add_property(Property::new(
            "check",
            match req.check {
                crate::catalogue::CheckMode::Automated => "automated",
                crate::catalogue::CheckMode::Attestation => "attestation",
            },
        ));
        for rule in &req.rules {
            case.add_property(Property::new("rule", rule.as_str()));
        }
        suite.add_test_case(case);
    }
    suite
}
