//! The state of one running scenario, and how its checks record the rules they evaluate.

use std::sync::{Arc, Mutex};

use insilab_core::rules::RuleId;
use insilab_core::rules::behaviour::{
    ORGANISATION_CERTIFICATE, ObservedCall, REFUSAL_WITHOUT_CALL, ReturnedIdentity,
};

use super::{LateAnswer, Problem, StepError, step_error};
use crate::driver::{ActionContext, Driver};
use crate::exchange::Exchange;
use crate::outcome::{SutOutcome, TraitsInput};
use crate::sim::{Mark, SimControl};

/// What the last action step asked the software to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A search by traits.
    SearchTraits,
    /// A search by traits in card mode (CPx assertion).
    SearchTraitsCardMode,
    /// A search with the Vitale card.
    SearchCard,
    /// A verification of an INS.
    Verify,
}

/// State of one running scenario.
pub struct World {
    /// The simulator.
    pub sim: Arc<dyn SimControl>,
    /// The driver.
    pub driver: Arc<dyn Driver>,
    /// Action context (mark, endpoint override, attestations).
    pub ctx: ActionContext,
    /// The last traits the software was asked to search with.
    pub input: Option<TraitsInput>,
    /// The last action.
    pub action: Option<Action>,
    /// What the software reported.
    pub outcome: Option<SutOutcome>,
    /// Calls observed since the scenario started (fetched after each action).
    pub exchanges: Vec<Exchange>,
    /// Delay injected by "beyond the client timeout", and where it came from.
    pub late_answer: LateAnswer,
    /// Whether this scenario delayed an answer beyond the client timeout.
    pub late_answer_armed: bool,
    /// Ids of the rules the scenario's checks evaluated, in first-evaluation order.
    pub evaluated: Vec<String>,
    /// TLS handshakes the simulator refused during the scenario (`listener: error`).
    pub tls_failures: Vec<String>,
    /// The identity-management state (receiving and business suites).
    pub identity: super::identity::IdentityWorld,
    /// insilab's receiving side for what the software emits (`emit`), when the run has one:
    /// the software is then given its MLLP, FHIR or drop-folder address instead of answering
    /// inline.
    pub emission: Option<Arc<crate::emission::EmissionInbox>>,
}

impl World {
    /// A fresh world for one scenario.
    pub fn new(
        sim: Arc<dyn SimControl>,
        driver: Arc<dyn Driver>,
        scenario_id: String,
        mark: Mark,
    ) -> Self {
        let ctx = ActionContext {
            scenario_id,
            endpoint_override: None,
            sim: sim.clone(),
            mark,
            attestations: Mutex::new(Vec::new()),
        };
        World {
            sim,
            driver,
            ctx,
            input: None,
            action: None,
            outcome: None,
            exchanges: Vec::new(),
            late_answer: LateAnswer::default(),
            late_answer_armed: false,
            evaluated: Vec::new(),
            tls_failures: Vec::new(),
            identity: Default::default(),
            emission: None,
        }
    }

    /// The outcome of the last action, or a broken step when no action ran.
    pub(super) fn outcome(&self) -> Result<&SutOutcome, StepError> {
        self.outcome.as_ref().ok_or_else(|| {
            StepError::Broken("no action was run before this check (missing When step)".into())
        })
    }

    /// Records that `rules` were evaluated.
    pub(super) fn evaluate<'r>(&mut self, rules: impl IntoIterator<Item = &'r str>) {
        for rule in rules {
            if !self.evaluated.iter().any(|r| r == rule) {
                self.evaluated.push(rule.to_owned());
            }
        }
    }

    /// Records that `rules` were evaluated and fails with `findings`, if any (their rules are
    /// recorded as evaluated too).
    pub(super) fn verdict(
        &mut self,
        rules: &[RuleId],
        problems: Vec<Problem>,
    ) -> Result<(), StepError> {
        self.evaluate(rules.iter().map(|r| r.as_str()));
        let problems = self.explain_no_call(problems)?;
        let fired: Vec<String> = problems.iter().map(|p| p.rule.clone()).collect();
        self.evaluate(fired.iter().map(String::as_str));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(StepError::Failed(problems))
        }
    }

    /// What the software reported, for people: `technical_error: certificate verify failed`.
    pub fn reported(&self) -> Option<String> {
        self.outcome.as_ref().map(describe_outcome)
    }

    /// When checks fail and no call reached the simulator, that is what happened, and it is
    /// said first: a refused TLS handshake is the organisation-certificate rule's failure
    /// (`INSI-TLS-01`) with what the simulator saw; a software that reported a technical error
    /// while the simulator saw nothing is a set-up problem (wrong endpoint); otherwise the
    /// rules stand, their message prefixed. Scenarios expecting no call (refusal of invalid
    /// traits, negative server certificates) are left as they are.
    fn explain_no_call(&self, problems: Vec<Problem>) -> Result<Vec<Problem>, StepError> {
        let expects_no_call = self.ctx.endpoint_override.is_some()
            || self
                .evaluated
                .iter()
                .any(|r| r == REFUSAL_WITHOUT_CALL.as_str());
        if problems.is_empty()
            || self.action.is_none()
            || !self.exchanges.is_empty()
            || expects_no_call
        {
            return Ok(problems);
        }
        let reported = self.reported().unwrap_or_else(|| "nothing".to_owned());
        if !self.tls_failures.is_empty() {
            return Ok(vec![Problem {
                rule: ORGANISATION_CERTIFICATE.as_str().to_owned(),
                message: format!(
                    "no call reached the simulator: it refused {} TLS handshake{} ({}); the software reported {reported}",
                    self.tls_failures.len(),
                    if self.tls_failures.len() == 1 {
                        ""
                    } else {
                        "s"
                    },
                    self.tls_failures.join("; ")
                ),
            }]);
        }
        let reported_kind = self.outcome.as_ref().map(|o| o.outcome);
        if reported_kind == Some(crate::outcome::OutcomeKind::TechnicalError) {
            return Err(StepError::Broken(format!(
                "no call reached the simulator and it saw no TLS handshake: the software reported {reported}. Check that it calls the endpoint it is given ({})",
                self.sim.endpoint_url()
            )));
        }
        let mut problems = problems;
        if let Some(first) = problems.first_mut() {
            first.message = format!(
                "no call reached the simulator (the software reported {reported}): {}",
                first.message
            );
        }
        Ok(problems)
    }

    /// An outcome check: for the manual driver, asks the operator (a "no" fires `rules[0]`);
    /// otherwise runs `check` on the outcome. Either way `rules` are recorded as evaluated.
    pub(super) async fn judge(
        &mut self,
        rules: &[RuleId],
        question: String,
        check: impl FnOnce(&SutOutcome) -> Vec<Problem>,
    ) -> Result<(), StepError> {
        if self.driver.attests() {
            let answer = self.driver.ask(&self.ctx, &question).await;
            return match answer {
                Ok(Some(true)) => self.verdict(rules, Vec::new()),
                Ok(Some(false)) => {
                    let Some(&rule) = rules.first() else {
                        return Err(StepError::Broken(format!(
                            "the check {question:?} names no rule"
                        )));
                    };
                    let finding = insilab_core::rules::behaviour::finding(
                        rule,
                        format!("the operator answered no to: {question}"),
                    );
                    self.verdict(rules, vec![finding.into()])
                }
                Ok(None) => Err(StepError::Skipped(format!(
                    "the operator skipped: {question}"
                ))),
                Err(e) => Err(step_error(e)),
            };
        }
        let findings = check(self.outcome()?);
        self.verdict(rules, findings)
    }

    /// The last exchange answered with CR 00.
    pub(super) fn last_found_answer(&self) -> Option<&Exchange> {
        self.exchanges
            .iter()
            .rev()
            .find(|e| e.answer.cr.as_deref() == Some("00"))
    }

    /// What the last `00` answer returned, as far as storing it goes.
    pub(super) fn returned_identity(&self) -> Option<ReturnedIdentity> {
        self.last_found_answer().map(|e| ReturnedIdentity {
            active: e.answer.active.clone(),
            history: e.answer.history.clone(),
            traits: e.answer.traits.clone(),
        })
    }

    /// The calls as the behaviour rules read them.
    pub(super) fn observed_calls(&self) -> Vec<ObservedCall> {
        self.exchanges
            .iter()
            .map(|e| ObservedCall {
                first_names: e.sent.first_names.clone(),
                birthplace: e.sent.birthplace.clone(),
                cr: e.answer.cr.clone(),
            })
            .collect()
    }
}

/// An outcome for people: its kind, then the software's own message (`error_shown`, then
/// `message`, each once).
pub fn describe_outcome(outcome: &SutOutcome) -> String {
    let mut text = outcome.outcome.as_str().to_owned();
    let mut said: Vec<&str> = Vec::new();
    for m in [outcome.error_shown.as_deref(), outcome.message.as_deref()]
        .into_iter()
        .flatten()
    {
        let m = m.trim();
        if !m.is_empty() && !said.contains(&m) {
            said.push(m);
        }
    }
    if !said.is_empty() {
        text.push_str(&format!(" \"{}\"", said.join(" / ")));
    }
    text
}
