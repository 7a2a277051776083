//! The report view: run + requirement coverage + evidence problems, computed once.

use serde::Serialize;

use super::ReportInput;
use crate::catalogue::{CheckMode, Family, Source};
use crate::model::{Counts, RunResults, SCHEMA_VERSION, Status, Verdict};

/// Value of the `report_kind` field of the JSON report.
pub const REPORT_KIND: &str = "insilab-compliance-report";

/// How well a requirement (or a DSR item) is covered by the run, computed from the rules the
/// scenarios evaluated (never from tags alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CoverageState {
    /// A rule linked to it fired in a scenario exercising it, or an operator answered "no".
    Failed,
    /// An attestation requirement an operator confirmed, with no "no".
    Attested,
    /// An automated requirement: scenarios exercising it evaluated at least one of its rules
    /// and none fired.
    Passed,
    /// An attestation requirement whose scenarios ran but nobody attested it yet.
    Pending,
    /// Scenarios exercise it but none evaluated one of its rules (skipped, not reached, or the
    /// scenario does not perform its check).
    #[serde(rename = "notrun")]
    NotRun,
    /// No scenario of this run exercises it.
    Uncovered,
}

impl CoverageState {
    /// Lowercase word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageState::Failed => "failed",
            CoverageState::Attested => "attested",
            CoverageState::Passed => "passed",
            CoverageState::Pending => "pending",
            CoverageState::NotRun => "notrun",
            CoverageState::Uncovered => "uncovered",
        }
    }
}

/// Scenario counts with their total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CountsView {
    /// Passed scenarios.
    pub passed: usize,
    /// Failed scenarios.
    pub failed: usize,
    /// Skipped scenarios.
    pub skipped: usize,
    /// Scenarios not reached.
    pub not_run: usize,
    /// All scenarios.
    pub total: usize,
}

impl From<Counts> for CountsView {
    fn from(c: Counts) -> Self {
        CountsView {
            passed: c.passed,
            failed: c.failed,
            skipped: c.skipped,
            not_run: c.not_run,
            total: c.total(),
        }
    }
}

/// Results of one suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuiteView {
    /// Suite name.
    pub name: String,
    /// Its scenario counts.
    pub counts: CountsView,
}

/// One row of the coverage matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequirementView {
    /// Tag-form id.
    pub id: String,
    /// Id as the source writes it.
    pub label: String,
    /// Source document.
    pub source: Source,
    /// Title of the source document.
    pub source_title: &'static str,
    /// One-line summary.
    pub summary: String,
    /// Software families bound.
    pub families: Vec<Family>,
    /// How it is checked.
    pub check: CheckMode,
    /// Coverage verdict.
    pub state: CoverageState,
    /// Ids of the scenarios exercising it (tagged with it).
    pub scenarios: Vec<String>,
    /// How many of them evaluated at least one of its rules, none of which fired.
    pub passed: usize,
    /// How many had a rule linked to it fire.
    pub failed: usize,
    /// How many evaluated none of its rules (skipped, not reached, or check not performed; for an
    /// attestation requirement: skipped or not reached).
    pub not_run: usize,
    /// How many ran to a verdict (passed or failed), whatever they evaluated.
    pub ran: usize,
    /// Ids of the rules linked to it that the run evaluated.
    pub rules: Vec<String>,
    /// Ids of the rules linked to it that fired.
    pub fired_rules: Vec<String>,
    /// Operator answers "yes" on those scenarios.
    pub attested_yes: usize,
    /// Operator answers "no" on those scenarios.
    pub attested_no: usize,
}

/// One DSR item of the user's mapping with the state of its requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DsrView {
    /// DSR item id.
    pub id: String,
    /// Its title, when given.
    pub title: Option<String>,
    /// Failed if any requirement failed; passed when all passed or were attested; uncovered
    /// when none is exercised; not run otherwise.
    pub state: CoverageState,
    /// Its requirements, with their state.
    pub requirements: Vec<DsrRequirementView>,
}

/// A requirement inside a DSR item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DsrRequirementView {
    /// Tag-form id.
    pub id: String,
    /// Its coverage state.
    pub state: CoverageState,
}

/// Everything a writer renders.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: &'static str,
    /// Always [`REPORT_KIND`].
    pub report_kind: &'static str,
    /// Verdict of the run.
    pub verdict: Verdict,
    /// True when the manifest check found nothing.
    pub evidence_intact: bool,
    /// Problems the manifest check found.
    pub evidence_problems: Vec<String>,
    /// Scenario counts.
    pub counts: CountsView,
    /// Per-suite counts, in run order.
    pub suites: Vec<SuiteView>,
    /// Every catalogue requirement, in catalogue order.
    pub requirements: Vec<RequirementView>,
    /// Requirement ids carried by scenarios but absent from the catalogue.
    pub unknown_requirements: Vec<String>,
    /// DSR items, when a mapping was given.
    pub dsr: Option<Vec<DsrView>>,
    /// The full run.
    pub run: &'a RunResults,
}

impl<'a> ReportView<'a> {
    /// Computes the view.
    pub fn new(input: &ReportInput<'a>) -> ReportView<'a> {
        let results = input.results;
        let requirements: Vec<RequirementView> = input
            .catalogue
            .requirements
            .iter()
            .map(|req| {
                let mut row = RequirementView {
                    id: req.id.clone(),
                    label: req.label.clone(),
                    source: req.source,
                    source_title: req.source.title(),
                    summary: req.summary.clone(),
                    families: req.families.clone(),
                    check: req.check,
                    state: CoverageState::Uncovered,
                    scenarios: Vec::new(),
                    passed: 0,
                    failed: 0,
                    not_run: 0,
                    ran: 0,
                    rules: Vec::new(),
                    fired_rules: Vec::new(),
                    attested_yes: 0,
                    attested_no: 0,
                };
                // A CNDA test case is its scenario: every rule the scenario evaluates judges it.
                let whole_scenario = req.source == Source::CndaTestGuide;
                for scenario in results
                    .scenarios
                    .iter()
                    .filter(|s| s.requirements.contains(&req.id))
                {
                    row.scenarios.push(scenario.id.clone());
                    let linked: Vec<_> = scenario
                        .rules
                        .iter()
                        .filter(|c| whole_scenario || c.requirements.contains(&req.id))
                        .collect();
                    for c in &linked {
                        push_unique(&mut row.rules, &c.rule);
                        if c.fired {
                            push_unique(&mut row.fired_rules, &c.rule);
                        }
                    }
                    let ran = matches!(scenario.status, Status::Passed | Status::Failed);
                    row.ran += usize::from(ran);
                    if ran && linked.iter().any(|c| c.fired) {
                        row.failed += 1;
                    } else if ran && !linked.is_empty() {
                        row.passed += 1;
                    } else if !(ran && req.check == CheckMode::Attestation) {
                        // An attestation requirement has no rule: its ran scenarios await an
                        // operator's answer (counted in `ran`), they are not "not run".
                        row.not_run += 1;
                    }
                    for att in &scenario.attestations {
                        match att.answer.to_ascii_lowercase().as_str() {
                            "yes" => row.attested_yes += 1,
                            "no" => row.attested_no += 1,
                            _ => {}
                        }
                    }
                }
                row.state = requirement_state(&row);
                row
            })
            .collect();

        let mut unknown_requirements: Vec<String> = results
            .scenarios
            .iter()
            .flat_map(|s| s.requirements.iter())
            .filter(|id| input.catalogue.get(id).is_none())
            .cloned()
            .collect();
        unknown_requirements.sort();
        unknown_requirements.dedup();

        let dsr = input.dsr.map(|mapping| {
            mapping
                .items
                .iter()
                .map(|item| {
                    let reqs: Vec<DsrRequirementView> = item
                        .requirements
                        .iter()
                        .map(|id| DsrRequirementView {
                            id: id.clone(),
                            state: requirements
                                .iter()
                                .find(|r| &r.id == id)
                                .map_or(CoverageState::Uncovered, |r| r.state),
                        })
                        .collect();
                    DsrView {
                        id: item.id.clone(),
                        title: item.title.clone(),
                        state: dsr_state(&reqs),
                        requirements: reqs,
                    }
                })
                .collect()
        });

        ReportView {
            schema_version: SCHEMA_VERSION,
            report_kind: REPORT_KIND,
            verdict: results.verdict(),
            evidence_intact: input.evidence_problems.is_empty(),
            evidence_problems: input.evidence_problems.to_vec(),
            counts: results.counts().into(),
            suites: results
                .suite_names()
                .into_iter()
                .map(|name| SuiteView {
                    counts: results.suite_counts(&name).into(),
                    name,
                })
                .collect(),
            requirements,
            unknown_requirements,
            dsr,
            run: results,
        }
    }

    /// Requirements of one source, in catalogue order.
    pub fn requirements_of(&self, source: Source) -> Vec<&RequirementView> {
        self.requirements
            .iter()
            .filter(|r| r.source == source)
            .collect()
    }

    /// Number of requirements per coverage state: (passed or attested, failed, not run or
    /// pending, uncovered).
    pub fn coverage_totals(&self) -> (usize, usize, usize, usize) {
        let mut t = (0, 0, 0, 0);
        for r in &self.requirements {
            match r.state {
                CoverageState::Passed | CoverageState::Attested => t.0 += 1,
                CoverageState::Failed => t.1 += 1,
                CoverageState::NotRun | CoverageState::Pending => t.2 += 1,
                CoverageState::Uncovered => t.3 += 1,
            }
        }
        t
    }
}

fn push_unique(list: &mut Vec<String>, id: &str) {
    if !list.iter().any(|r| r == id) {
        list.push(id.to_owned());
    }
}

/// The computed state: failed if a linked rule fired (or an operator said no); an attestation
/// requirement is attested only with a "yes" and pending while its scenarios ran unattested,
/// never passed; an automated one is passed only when its rules were evaluated and none fired.
fn requirement_state(row: &RequirementView) -> CoverageState {
    if row.failed > 0 || row.attested_no > 0 {
        return CoverageState::Failed;
    }
    if row.scenarios.is_empty() {
        return CoverageState::Uncovered;
    }
    match row.check {
        CheckMode::Attestation if row.attested_yes > 0 => CoverageState::Attested,
        CheckMode::Attestation if row.ran > 0 => CoverageState::Pending,
        CheckMode::Attestation => CoverageState::NotRun,
        CheckMode::Automated if row.passed > 0 => CoverageState::Passed,
        CheckMode::Automated => CoverageState::NotRun,
    }
}

fn dsr_state(reqs: &[DsrRequirementView]) -> CoverageState {
    let states: Vec<CoverageState> = reqs.iter().map(|r| r.state).collect();
    if states.contains(&CoverageState::Failed) {
        CoverageState::Failed
    } else if states.is_empty() || states.iter().all(|s| *s == CoverageState::Uncovered) {
        CoverageState::Uncovered
    } else if states
        .iter()
        .all(|s| matches!(s, CoverageState::Passed | CoverageState::Attested))
    {
        CoverageState::Passed
    } else if states.iter().all(|s| {
        matches!(
            s,
            CoverageState::Passed | CoverageState::Attested | CoverageState::Pending
        )
    }) {
        CoverageState::Pending
    } else {
        CoverageState::NotRun
    }
}
