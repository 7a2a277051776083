//! The run loop: plan the scenarios, run them one at a time against one simulator (they share
//! its journal and overrides, so concurrency is deliberately 1), record results and evidence.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use insilab_reports::model::{
    Failure, RuleCheck, RuleMessage, RunResults, SCHEMA_VERSION, ScenarioResult, Status, StepResult,
};
use sha2::Digest as _;

use crate::HarnessError;
use crate::driver::Driver;
use crate::evidence::Evidence;
use crate::sim::SimControl;
use crate::steps::{Registry, StepArgs, StepError, World};
use crate::suite::{PlannedScenario, TagFilter};

/// Version of insilab written into results and evidence.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How progress is shown while running.
pub enum Progress {
    /// Nothing.
    Quiet,
    /// One plain line per scenario (logs, CI).
    Lines(Box<dyn Write + Send + Sync>),
    /// A status line rewritten in place, then one line per scenario (terminal).
    Tty(Box<dyn Write + Send + Sync>),
}

/// Everything the loop needs, once the simulator and the driver exist.
pub struct LoopInput<'a> {
    /// Scenarios, already filtered.
    pub scenarios: Vec<PlannedScenario>,
    /// Suites selected (for the results).
    pub suites: Vec<String>,
    /// The simulator.
    pub sim: Arc<dyn SimControl>,
    /// The driver.
    pub driver: Arc<dyn Driver>,
    /// Evidence directory writer.
    pub evidence: &'a Evidence,
    /// Progress display.
    pub progress: &'a mut Progress,
    /// Delay injected by "beyond the client timeout", and where it came from.
    pub late_answer: crate::steps::LateAnswer,
    /// Turns `Some(reason)` when the run must stop (Ctrl-C, SIGTERM): the scenario under way
    /// is abandoned, the results so far are kept and marked incomplete.
    pub stop: Option<tokio::sync::watch::Receiver<Option<String>>>,
    /// The software family judged (`insilab run --family`), written into the results.
    pub family: Option<String>,
    /// insilab's receiving side for what the software emits, shared by every scenario.
    pub emission: Option<Arc<crate::emission::EmissionInbox>>,
}

/// Selects scenarios by tag expression and checks every step is defined.
pub fn plan(
    suite: &str,
    tags: Option<&str>,
    registry: &Registry,
) -> Result<Vec<PlannedScenario>, HarnessError> {
    let filter = tags.map(TagFilter::parse).transpose()?;
    let scenarios: Vec<PlannedScenario> = crate::suite::load(suite)?
        .into_iter()
        .filter(|s| filter.as_ref().is_none_or(|f| f.matches(&s.tags)))
        .collect();
    for scenario in &scenarios {
        for step in &scenario.steps {
            if registry.find(&step.text).is_none() {
                return Err(HarnessError::UndefinedStep {
                    file: scenario.feature_file.clone(),
                    line: step.line,
                    text: step.text.clone(),
                });
            }
        }
    }
    Ok(scenarios)
}

/// Runs every scenario and returns the results (also written to the evidence directory after
/// each scenario).
pub async fn run_loop(
    input: LoopInput<'_>,
    registry: &Registry,
) -> Result<RunResults, HarnessError> {
    let dataset = input.sim.dataset_yaml();
    let mut results = RunResults {
        schema_version: SCHEMA_VERSION.to_owned(),
        tool_version: TOOL_VERSION.to_owned(),
        run_id: uuid::Uuid::new_v4().to_string(),
        started_at: now(),
        finished_at: None,
        driver: input.driver.name(),
        simulator: input.sim.describe(),
        dataset_sha256: dataset.map(|d| hex::encode(sha2::Sha256::digest(d.as_bytes()))),
        suites: input.suites.clone(),
        family: input.family.clone(),
        scenarios: Vec::new(),
        planned: Some(input.scenarios.len()),
        stopped: None,
    };
    input.evidence.write_results(&results)?;
    let total = input.scenarios.len();
    let mut stop = input.stop.clone();
    for (index, scenario) in input.scenarios.iter().enumerate() {
        show_start(input.progress, index, total, scenario);
        let outcome = match stop.as_mut() {
            Some(stop) => tokio::select! {
                r = run_scenario(scenario, &input, registry) => Ok(r),
                reason = stopped(stop) => Err(reason),
            },
            None => Ok(run_scenario(scenario, &input, registry).await),
        };
        match outcome {
            Ok(Ok(result)) => {
                show_end(input.progress, index, total, &result);
                results.scenarios.push(result);
                input.evidence.write_results(&results)?;
            }
            Ok(Err(error)) => {
                // The software cannot be driven: keep what ran, marked incomplete, sealed.
                results.stopped = Some(format!("stopped: {error}"));
                input.evidence.write_results(&results)?;
                input.evidence.seal()?;
                return Err(error);
            }
            Err(reason) => {
                results.stopped = Some(reason);
                input.evidence.write_results(&results)?;
                return Ok(results);
            }
        }
    }
    results.finished_at = Some(now());
    input.evidence.write_results(&results)?;
    Ok(results)
}

/// Waits until the stop channel carries a reason (never, when its sender is gone).
async fn stopped(stop: &mut tokio::sync::watch::Receiver<Option<String>>) -> String {
    loop {
        if let Some(reason) = stop.borrow_and_update().clone() {
            return reason;
        }
        if stop.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

async fn run_scenario(
    scenario: &PlannedScenario,
    input: &LoopInput<'_>,
    registry: &Registry,
) -> Result<ScenarioResult, HarnessError> {
    let started = Instant::now();
    let mark = input.sim.begin_scenario().await?;
    let mut world = World::new(
        input.sim.clone(),
        input.driver.clone(),
        scenario.id.clone(),
        mark,
    );
    world.late_answer = input.late_answer.clone();
    if let Some(inbox) = &input.emission {
        inbox.begin(&scenario.id);
        world.emission = Some(inbox.clone());
    }
    let mut steps = Vec::new();
    let mut status = Status::Passed;
    let mut failure = None;
    for step in &scenario.steps {
        if status != Status::Passed {
            steps.push(StepResult {
                keyword: step.keyword.clone(),
                text: step.text.clone(),
                status: if status == Status::Skipped {
                    Status::Skipped
                } else {
                    Status::NotRun
                },
                message: None,
            });
            continue;
        }
        let Some((def, captures)) = registry.find(&step.text) else {
            return Err(HarnessError::UndefinedStep {
                file: scenario.feature_file.clone(),
                line: step.line,
                text: step.text.clone(),
            });
        };
        let args = StepArgs {
            captures,
            table: step.table.clone(),
        };
        let (step_status, message) = match registry.run(def, &mut world, &args).await {
            Ok(()) => (Status::Passed, None),
            Err(StepError::Failed(problems)) => {
                let message = crate::steps::failure_message(&problems);
                let rules: Vec<RuleMessage> = problems
                    .into_iter()
                    .map(|p| RuleMessage {
                        rule: p.rule,
                        message: p.message,
                    })
                    .collect();
                failure = Some(Failure {
                    rule: rules.first().map(|r| r.rule.clone()),
                    message: message.clone(),
                    rules,
                    reported: world.reported(),
                });
                (Status::Failed, Some(message))
            }
            Err(StepError::Broken(message)) => {
                let message = format!("setup: {message}");
                failure = Some(Failure {
                    rule: None,
                    message: message.clone(),
                    rules: Vec::new(),
                    reported: world.reported(),
                });
                (Status::Failed, Some(message))
            }
            Err(StepError::Skipped(message)) => (Status::Skipped, Some(message)),
            Err(StepError::Abort(message)) => {
                return Err(HarnessError::Unreachable(message));
            }
        };
        status = step_status;
        steps.push(StepResult {
            keyword: step.keyword.clone(),
            text: step.text.clone(),
            status: step_status,
            message,
        });
    }
    // Late calls (a software that goes on calling after reporting) belong to the evidence too.
    let exchanges = match input.sim.exchanges_since(mark).await {
        Ok(all) if all.len() >= world.exchanges.len() => all,
        _ => world.exchanges.clone(),
    };
    let facts = crate::facts::scenario_facts(scenario, world.outcome.as_ref(), &exchanges);
    input.evidence.write_facts(&scenario.id, &facts)?;
    let exchanges = input.evidence.write_exchanges(&scenario.id, &exchanges)?;
    let attestations = world
        .ctx
        .attestations
        .lock()
        .map(|mut a| std::mem::take(&mut *a))
        .unwrap_or_default();
    input.evidence.append_attestations(&attestations)?;
    let skip_reason = (status == Status::Skipped)
        .then(|| steps.iter().find_map(|s| s.message.clone()))
        .flatten();
    Ok(ScenarioResult {
        skip_reason,
        id: scenario.id.clone(),
        suite: scenario.suite.clone(),
        feature: scenario.feature.clone(),
        feature_file: scenario.feature_file.clone(),
        name: scenario.name.clone(),
        case_id: scenario.case_id(),
        requirements: scenario.requirements(),
        tags: scenario.other_tags(),
        status,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        steps,
        exchanges,
        rules: rule_checks(&world.evaluated, failure.as_ref()),
        attestations,
        failure,
    })
}

/// The rules a scenario evaluated, each with the requirements the catalogue links it to and
/// whether it fired.
fn rule_checks(evaluated: &[String], failure: Option<&Failure>) -> Vec<RuleCheck> {
    let fired = |id: &str| failure.is_some_and(|f| f.rules.iter().any(|r| r.rule == id));
    evaluated
        .iter()
        .map(|id| RuleCheck {
            rule: id.clone(),
            requirements: insilab_core::rules::find(id)
                .map(|r| r.requirements.iter().map(|s| (*s).to_owned()).collect())
                .unwrap_or_default(),
            fired: fired(id),
        })
        .collect()
}

/// RFC 3339 UTC timestamp of now.
pub fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn show_start(progress: &mut Progress, index: usize, total: usize, scenario: &PlannedScenario) {
    if let Progress::Tty(out) = progress {
        let _ = write!(out, "\r\x1b[2K[{}/{total}] {} …", index + 1, scenario.id);
        let _ = out.flush();
    }
}

fn show_end(progress: &mut Progress, index: usize, total: usize, result: &ScenarioResult) {
    let word = match result.status {
        Status::Passed => "PASS",
        Status::Failed => "FAIL",
        Status::Skipped => "SKIP",
        Status::NotRun => "NOT RUN",
    };
    let line = format!(
        "[{}/{total}] {word} {} — {} ({} ms)",
        index + 1,
        result.id,
        result.name,
        result.duration_ms
    );
    // A failure's message, or why a scenario was skipped (its skipped step's message).
    let detail = result
        .failure
        .as_ref()
        .map(|f| f.message.clone())
        .or_else(|| {
            (result.status == Status::Skipped)
                .then(|| result.steps.iter().find_map(|s| s.message.clone()))
                .flatten()
        })
        .map(|m| format!("\n      {m}"))
        .unwrap_or_default();
    match progress {
        Progress::Quiet => {}
        Progress::Lines(out) => {
            let _ = writeln!(out, "{line}{detail}");
        }
        Progress::Tty(out) => {
            let _ = writeln!(out, "\r\x1b[2K{line}{detail}");
        }
    }
}

/// Most runs started in the same second that get their own default directory.
pub const MAX_SAME_SECOND_RUNS: u32 = 100;

/// Where `insilab run` writes when `--out` is not given: `insilab-out/<UTC timestamp>`, or
/// `<UTC timestamp>-2`, `-3`… when a run of the same second already took it (the directory is
/// then refused only if [`MAX_SAME_SECOND_RUNS`] runs started in that second).
pub fn default_out_dir() -> PathBuf {
    let stamp = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]-[hour][minute][second]"
        ))
        .unwrap_or_else(|_| "run".to_owned());
    let base = PathBuf::from("insilab-out").join(&stamp);
    (2..=MAX_SAME_SECOND_RUNS)
        .map(|n| PathBuf::from("insilab-out").join(format!("{stamp}-{n}")))
        .fold(
            base,
            |chosen, next| if chosen.exists() { next } else { chosen },
        )
}
