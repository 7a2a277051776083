//! The step library: every Gherkin step the suites may use, with its documentation.
//! `docs/steps.md` is generated from [`registry`] (a test fails when it drifts).
//!
//! - [`registry`](mod@registry): step definitions, matching, the generated documentation;
//! - [`world`]: the state of one scenario and the rules its checks evaluated;
//! - [`tables`]: the data tables of the action steps;
//! - `given`, `when`, `then`: the definitions, by the keyword they read naturally with;
//! - [`judges`]: the call checks, pure functions over the observed calls returning typed
//!   problems named by rules of `core::rules`.
//!
//! Every check evaluates rules of the catalogue: the harness records which rules each scenario
//! evaluated and which fired, and the reports compute requirement states from that.

use std::time::Duration;

use insilab_core::rules::Finding;

use crate::HarnessError;

/// Defines a [`StepDef`] (kept beside the definitions it builds).
macro_rules! step {
    ($kind:literal, $pattern:literal, $example:literal, $doc:literal, $handler:expr) => {
        $crate::steps::StepDef {
            kind: $kind,
            pattern: $pattern,
            example: $example,
            doc: $doc,
            handler: $handler,
        }
    };
}

mod given;
pub mod identity;
pub mod judges;
pub mod registry;
pub mod tables;
mod then;
mod when;
pub mod world;

pub use registry::{Registry, StepArgs, StepDef, registry, render_docs};
pub use tables::{card_from_table, traits_from_table};
pub use world::World;

/// OID of the NIR authority.
pub const OID_NIR: &str = "1.2.250.1.213.1.4.8";
/// OID of the NIA authority.
pub const OID_NIA: &str = "1.2.250.1.213.1.4.9";
/// How long the harness waits for the journal to show the calls a driver reported.
pub const JOURNAL_WAIT: Duration = Duration::from_secs(5);
/// How long the harness waits for calls it cannot count in advance (drivers other than
/// reference): the journal must stay quiet this long.
pub const JOURNAL_SETTLE: Duration = Duration::from_millis(300);
/// Default delay injected by "beyond the client timeout" (the reference driver's timeout is
/// shorter); `insilab run --timeout-delay` sets it above the software's own timeout.
pub const BEYOND_TIMEOUT: Duration = Duration::from_secs(3);
/// What the late-answer scenario adds to the software's declared timeout
/// (`software_timeout_seconds`), so that the answer comes clearly after it.
pub const LATE_ANSWER_MARGIN: Duration = Duration::from_secs(2);

/// The delay of "beyond the client timeout" and where it came from (shown when the late-answer
/// scenario fails, so that the publisher knows which setting to change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateAnswer {
    /// How long the simulator holds the answer.
    pub delay: Duration,
    /// Where the delay came from, for people.
    pub source: String,
}

impl LateAnswer {
    /// The delay for a run: `--timeout-delay` when given, else the software's declared timeout
    /// plus [`LATE_ANSWER_MARGIN`], else [`BEYOND_TIMEOUT`].
    pub fn choose(explicit: Option<Duration>, declared: Option<Duration>) -> Self {
        match (explicit, declared) {
            (Some(delay), _) => LateAnswer {
                delay,
                source: "set by --timeout-delay".to_owned(),
            },
            (None, Some(timeout)) => LateAnswer {
                delay: timeout + LATE_ANSWER_MARGIN,
                source: format!(
                    "software_timeout_seconds ({} s) of the driver configuration + {} s",
                    timeout.as_secs(),
                    LATE_ANSWER_MARGIN.as_secs()
                ),
            },
            (None, None) => LateAnswer {
                delay: BEYOND_TIMEOUT,
                source: "the default: declare your software's total timeout as software_timeout_seconds in the driver configuration (or pass --timeout-delay)".to_owned(),
            },
        }
    }
}

impl Default for LateAnswer {
    fn default() -> Self {
        LateAnswer::choose(None, None)
    }
}

/// Longest delay the simulator accepts for an override.
pub const MAX_TIMEOUT_DELAY: Duration = Duration::from_secs(120);

/// One rule that fired in a step, with what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Rule id of the catalogue (`INSI-ALG-01`, `INSI-HDR-005`).
    pub rule: String,
    /// What was expected and what was seen.
    pub message: String,
}

impl From<Finding> for Problem {
    fn from(f: Finding) -> Self {
        Problem {
            rule: f.rule_id.as_str().to_owned(),
            message: f.message,
        }
    }
}

/// Why a step did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepError {
    /// Checks failed: every rule that fired, with its message (never empty).
    Failed(Vec<Problem>),
    /// The step cannot run with this driver or simulator (scenario skipped).
    Skipped(String),
    /// Setup broke (driver or simulator error): the scenario fails with this message.
    Broken(String),
    /// The software under test cannot be driven at all: the run stops (exit 2).
    Abort(String),
}

/// The human-readable message of a failure: `[RULE] message` per problem, joined.
pub fn failure_message(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("[{}] {}", p.rule, p.message))
        .collect::<Vec<_>>()
        .join("; ")
}

fn step_error(e: HarnessError) -> StepError {
    match e {
        HarnessError::Skipped(m) => StepError::Skipped(m),
        HarnessError::Unreachable(m) => StepError::Abort(m),
        other => StepError::Broken(other.to_string()),
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles_and_examples_match_their_own_step() {
        let reg = registry().unwrap();
        for def in reg.definitions() {
            let (found, _) = reg
                .find(def.example)
                .unwrap_or_else(|| panic!("no match for example {}", def.example));
            assert_eq!(
                found.pattern, def.pattern,
                "example {:?} matched another step",
                def.example
            );
        }
    }

    #[test]
    fn every_step_of_the_embedded_suites_is_defined() {
        let reg = registry().unwrap();
        for scenario in crate::suite::load("all").unwrap() {
            for step in &scenario.steps {
                assert!(
                    reg.find(&step.text).is_some(),
                    "{}: undefined step {:?}",
                    scenario.id,
                    step.text
                );
            }
        }
    }

    #[test]
    fn steps_doc_is_generated_from_the_registry() {
        let reg = registry().unwrap();
        let generated = render_docs(&reg);
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/steps.md");
        if std::env::var_os("UPDATE_STEPS_DOC").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == generated,
            "docs/steps.md drifted from the step library: run UPDATE_STEPS_DOC=1 cargo test -p insilab-harness steps_doc"
        );
    }

    #[test]
    fn every_rule_a_step_documents_is_in_the_catalogue() {
        let reg = registry().unwrap();
        let re = regex::Regex::new(r"`(INSI-[A-Z]{3}-\d{2,3}|EXI-[A-Z]+-\d+)`").unwrap();
        for def in reg.definitions() {
            for c in re.captures_iter(def.doc) {
                let id = &c[1];
                assert!(
                    insilab_core::rules::find(id).is_some(),
                    "step {:?} documents {id}, which is not a rule of the catalogue",
                    def.example
                );
            }
        }
    }
}
