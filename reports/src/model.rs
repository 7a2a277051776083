//! The results model: what one harness run produced, independent of cucumber.
//!
//! The same structure is the on-disk `results.json` of an evidence directory, so it is
//! versioned ([`SCHEMA_VERSION`]) and every field is serialised with a stable name.

use serde::{Deserialize, Serialize};

/// Version of the results model and of the JSON report built from it. Bump the major part on
/// any change that removes or renames a field; add fields with `#[serde(default)]`.
pub const SCHEMA_VERSION: &str = "1.2";

/// Everything one run of the harness produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunResults {
    /// Always [`SCHEMA_VERSION`] when written by this version of insilab.
    pub schema_version: String,
    /// Version of the insilab binary that ran the suites.
    pub tool_version: String,
    /// Unique id of the run (a uuid in practice).
    pub run_id: String,
    /// Start of the run, RFC 3339.
    pub started_at: String,
    /// End of the run, RFC 3339; `None` when the run was interrupted.
    #[serde(default)]
    pub finished_at: Option<String>,
    /// Driver that made the software under test act (`reference`, `command`, `http`, `manual`).
    pub driver: String,
    /// Where the INSi endpoint was (`embedded`, or the simulator URL).
    pub simulator: String,
    /// SHA-256 (hex) of the dataset the simulator served, when known.
    #[serde(default)]
    pub dataset_sha256: Option<String>,
    /// Suites that were selected for the run (`cnda`, `protocol`, …).
    #[serde(default)]
    pub suites: Vec<String>,
    /// The software family judged (`insilab run --family`): `non-repository`,
    /// `identity-repository` or `all`; absent in results written before the option existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// One entry per scenario, in run order.
    #[serde(default)]
    pub scenarios: Vec<ScenarioResult>,
    /// How many scenarios the run selected (more than [`RunResults::scenarios`] when it
    /// stopped early).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned: Option<usize>,
    /// Why the run stopped before its last scenario (interrupted, software unreachable): the
    /// evidence is incomplete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

/// The outcome of one scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// Unique id inside the run, e.g. `cnda/2.07-cas1`.
    pub id: String,
    /// Suite the scenario belongs to (`cnda`, `protocol`, …).
    pub suite: String,
    /// Name of the feature.
    pub feature: String,
    /// Path of the feature file, relative to the scenarios directory.
    pub feature_file: String,
    /// Name of the scenario.
    pub name: String,
    /// CNDA case id when the scenario rehearses one (`2.07 cas 1`).
    #[serde(default)]
    pub case_id: Option<String>,
    /// Requirement ids in tag form (`EXI-REC-07`, `CNDA-2.07-cas1`).
    #[serde(default)]
    pub requirements: Vec<String>,
    /// Every other tag of the scenario, without the `@`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Overall status.
    pub status: Status,
    /// Wall-clock duration in milliseconds.
    #[serde(default)]
    pub duration_ms: u64,
    /// The steps, in order.
    #[serde(default)]
    pub steps: Vec<StepResult>,
    /// The INSi exchanges the scenario observed.
    #[serde(default)]
    pub exchanges: Vec<ExchangeRef>,
    /// What the operator attested (manual driver).
    #[serde(default)]
    pub attestations: Vec<Attestation>,
    /// Why the scenario failed, when it did.
    #[serde(default)]
    pub failure: Option<Failure>,
    /// Why the scenario was skipped, when it was (the driver cannot do what it needs, the
    /// simulator lacks the feature, an operator skipped it); `null` otherwise (since 1.2).
    #[serde(default)]
    pub skip_reason: Option<String>,
    /// Every rule the scenario's steps evaluated, with the requirements it evidences and whether
    /// it fired: the requirement states of the reports are computed from these (since 1.1).
    #[serde(default)]
    pub rules: Vec<RuleCheck>,
}

/// One rule of the catalogue a scenario evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCheck {
    /// Rule id (`INSI-ALG-01`, `INSI-HDR-005`).
    pub rule: String,
    /// Requirement ids (tag form) the rule evidences, from the rule catalogue.
    #[serde(default)]
    pub requirements: Vec<String>,
    /// Whether a finding of this rule failed the scenario.
    pub fired: bool,
}

/// Status of a scenario or a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every check held.
    Passed,
    /// At least one check did not hold.
    Failed,
    /// Deliberately not run (tag filter, operator skip, driver lacks the capability).
    Skipped,
    /// Not reached (earlier step failed, run interrupted).
    #[serde(rename = "notrun")]
    NotRun,
}

impl Status {
    /// The lowercase word used in every report (`passed`, `failed`, `skipped`, `notrun`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::NotRun => "notrun",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ScenarioResult {
    /// Why a skipped scenario was skipped: [`ScenarioResult::skip_reason`], else (results
    /// written before 1.2) the message of its first skipped step.
    pub fn skip_reason(&self) -> Option<&str> {
        if self.status != Status::Skipped {
            return None;
        }
        self.skip_reason.as_deref().or_else(|| {
            self.steps
                .iter()
                .find(|s| s.status == Status::Skipped)
                .and_then(|s| s.message.as_deref())
        })
    }
}

/// The outcome of one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepResult {
    /// Gherkin keyword as written (`Given`, `When`, `Then`, `And`…).
    pub keyword: String,
    /// Step text.
    pub text: String,
    /// Step status.
    pub status: Status,
    /// Failure or skip message.
    #[serde(default)]
    pub message: Option<String>,
}

/// Why a scenario failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The first rule of [`Failure::rules`] (kept for readers of schema 1.0).
    #[serde(default)]
    pub rule: Option<String>,
    /// Human-readable explanation (every rule's message, joined).
    pub message: String,
    /// The rules that fired, each with its message; empty for a setup failure (since 1.1).
    #[serde(default)]
    pub rules: Vec<RuleMessage>,
    /// What the software itself reported: its outcome and its own message
    /// (`technical_error: certificate verify failed`), when it reported one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported: Option<String>,
}

/// One rule that fired, with what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleMessage {
    /// Rule id.
    pub rule: String,
    /// What was expected and what was seen.
    pub message: String,
}

/// One INSi exchange observed during a scenario, stored in the evidence directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeRef {
    /// Position in the scenario, from 1.
    pub index: u32,
    /// INSi operation (`rechercherInsAvecTraitsIdentite`, `verifierInsAvecTraitsIdentite`…).
    pub operation: String,
    /// Outcome as shown to people: `CR 00`, `fault desir_550`, `timeout`.
    pub outcome: String,
    /// Request file, relative to the evidence directory.
    pub request_file: String,
    /// Response file, relative to the evidence directory; `None` when there was no answer.
    #[serde(default)]
    pub response_file: Option<String>,
    /// Inline copy of the request (optional; the HTML writer shows it).
    #[serde(default)]
    pub request_xml: Option<String>,
    /// Inline copy of the response (optional; the HTML writer shows it).
    #[serde(default)]
    pub response_xml: Option<String>,
}

/// One answer an operator gave to a question about what the software under test showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attestation {
    /// Scenario the question belongs to.
    pub scenario_id: String,
    /// The question asked.
    pub question: String,
    /// `yes`, `no` or `skip`.
    pub answer: String,
    /// Free comment of the operator.
    #[serde(default)]
    pub comment: Option<String>,
    /// Who answered, when given.
    #[serde(default)]
    pub operator: Option<String>,
    /// When the answer was given, RFC 3339.
    pub at: String,
    /// The screenshot the operator attached to the answer, as kept in the evidence
    /// (`screenshots/<scenario slug>/<file>`), when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screenshot: Option<String>,
}

/// A labelled value shown as one line of a table (`nom de naissance` → `TCHITCHI`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactPair {
    /// What the value is, as the feature or the driver protocol names it.
    pub label: String,
    /// The value, verbatim.
    pub value: String,
}

/// TLS facts of one call as the simulator saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallFacts {
    /// Position in the scenario, from 1 (matches [`ExchangeRef::index`]).
    pub index: u32,
    /// Client certificate subject CN.
    #[serde(default)]
    pub client_cn: Option<String>,
    /// Client certificate subject OU (the structure id).
    #[serde(default)]
    pub client_ou: Option<String>,
    /// TLS protocol version.
    #[serde(default)]
    pub tls_version: Option<String>,
}

/// What one scenario asked the software to do and what the software said it did, stored next
/// to its exchanges (`exchanges/<scenario slug>/facts.json`, see
/// [`crate::evidence::facts_path`]). Kept out of [`ScenarioResult`] so that older evidence
/// without it stays readable; the acceptance file shows it per CNDA case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioFacts {
    /// The input the software was asked to enter (the action step's table), in order.
    #[serde(default)]
    pub entered: Vec<FactPair>,
    /// What the software reported or stored (its driver answer), in order.
    #[serde(default)]
    pub reported: Vec<FactPair>,
    /// TLS facts per call.
    #[serde(default)]
    pub calls: Vec<CallFacts>,
}

/// Number of scenarios per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Scenarios that passed.
    pub passed: usize,
    /// Scenarios that failed.
    pub failed: usize,
    /// Scenarios deliberately skipped.
    pub skipped: usize,
    /// Scenarios not reached.
    pub not_run: usize,
}

impl Counts {
    /// Total number of scenarios.
    pub fn total(&self) -> usize {
        self.passed + self.failed + self.skipped + self.not_run
    }

    fn add(&mut self, status: Status) {
        match status {
            Status::Passed => self.passed += 1,
            Status::Failed => self.failed += 1,
            Status::Skipped => self.skipped += 1,
            Status::NotRun => self.not_run += 1,
        }
    }
}

/// Overall verdict of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// At least one scenario ran, and none failed or was left unrun.
    Passed,
    /// At least one scenario failed.
    Failed,
    /// Nothing failed, but nothing passed either or some scenarios were not reached: the run
    /// proves nothing.
    Incomplete,
}

impl Verdict {
    /// The lowercase word used in every report.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::Incomplete => "incomplete",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl RunResults {
    /// Number of scenarios per status.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for scenario in &self.scenarios {
            counts.add(scenario.status);
        }
        counts
    }

    /// Failed if anything failed; passed if something passed and nothing was left unrun;
    /// incomplete otherwise (an empty or interrupted run must not look green).
    pub fn verdict(&self) -> Verdict {
        let counts = self.counts();
        if counts.failed > 0 {
            Verdict::Failed
        } else if counts.passed > 0 && counts.not_run == 0 && self.incomplete().is_none() {
            Verdict::Passed
        } else {
            Verdict::Incomplete
        }
    }

    /// `incomplete: N of M scenarios ran (why)` when the run stopped before its last
    /// scenario.
    pub fn incomplete(&self) -> Option<String> {
        let ran = self.scenarios.len();
        let planned = self.planned.unwrap_or(ran);
        if self.stopped.is_none() && ran >= planned {
            return None;
        }
        let why = self
            .stopped
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        Some(format!("incomplete: {ran} of {planned} scenarios ran{why}"))
    }

    /// Number of scenarios per status for one suite.
    pub fn suite_counts(&self, suite: &str) -> Counts {
        let mut counts = Counts::default();
        for scenario in self.scenarios.iter().filter(|s| s.suite == suite) {
            counts.add(scenario.status);
        }
        counts
    }

    /// Suites in order of first appearance: the declared ones, then any other seen in scenarios.
    pub fn suite_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        let declared = self.suites.iter();
        let seen = self.scenarios.iter().map(|s| &s.suite);
        for name in declared.chain(seen) {
            if !names.iter().any(|n| n == name) {
                names.push(name.clone());
            }
        }
        names
    }
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on an unexpected error"
)]
mod tests {
    use super::*;

    fn scenario(id: &str, status: Status) -> ScenarioResult {
        ScenarioResult {
            id: id.into(),
            suite: "cnda".into(),
            feature: "f".into(),
            feature_file: "f.feature".into(),
            name: id.into(),
            case_id: None,
            requirements: vec![],
            tags: vec![],
            status,
            duration_ms: 0,
            steps: vec![],
            exchanges: vec![],
            attestations: vec![],
            failure: None,
            skip_reason: None,
            rules: vec![],
        }
    }

    fn run(statuses: &[Status]) -> RunResults {
        RunResults {
            schema_version: SCHEMA_VERSION.into(),
            tool_version: "0".into(),
            run_id: "r".into(),
            started_at: "2026-11-27T00:00:00Z".into(),
            finished_at: None,
            driver: "reference".into(),
            simulator: "embedded".into(),
            dataset_sha256: None,
            suites: vec![],
            family: None,
            scenarios: statuses
                .iter()
                .enumerate()
                .map(|(i, s)| scenario(&format!("s{i}"), *s))
                .collect(),
            planned: None,
            stopped: None,
        }
    }

    #[test]
    fn verdict_follows_counts() {
        use Status::*;
        assert_eq!(run(&[Passed, Skipped]).verdict(), Verdict::Passed);
        assert_eq!(run(&[Passed, Failed]).verdict(), Verdict::Failed);
        assert_eq!(run(&[]).verdict(), Verdict::Incomplete);
        assert_eq!(run(&[Skipped]).verdict(), Verdict::Incomplete);
        assert_eq!(run(&[Passed, NotRun]).verdict(), Verdict::Incomplete);
        let mut stopped = run(&[Passed, Passed]);
        stopped.planned = Some(5);
        stopped.stopped = Some("interrupted (Ctrl-C)".into());
        assert_eq!(stopped.verdict(), Verdict::Incomplete);
        assert_eq!(
            stopped.incomplete().as_deref(),
            Some("incomplete: 2 of 5 scenarios ran (interrupted (Ctrl-C))")
        );
        assert_eq!(run(&[Passed]).incomplete(), None);
        let c = run(&[Passed, Failed, Skipped, NotRun, Passed]).counts();
        assert_eq!(
            (c.passed, c.failed, c.skipped, c.not_run, c.total()),
            (2, 1, 1, 1, 5)
        );
    }

    #[test]
    fn status_serialises_lowercase() {
        let json = serde_json::to_string(&[Status::Passed, Status::NotRun]).unwrap();
        assert_eq!(json, r#"["passed","notrun"]"#);
    }
}
