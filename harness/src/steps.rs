//! The step library: every Gherkin step the suites may use, with its documentation.
//! `docs/steps.md` is generated from [`registry`] (a test fails when it drifts).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use regex::Regex;

use crate::HarnessError;
use crate::driver::{ActionContext, Driver};
use crate::exchange::{Exchange, FindingSeverity};
use crate::outcome::{CardInput, OutcomeKind, StoredIns, SutOutcome, TraitsInput};
use crate::sim::{Answer, BoxFuture, DialectChoice, Mark, OverrideSpec, SimControl};

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
/// Longest delay the simulator accepts for an override.
pub const MAX_TIMEOUT_DELAY: Duration = Duration::from_secs(120);

/// Why a step did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepError {
    /// A check failed; `rule` names the rule or requirement it enforces.
    Failed {
        /// Rule id (`INSI-ALG-01`).
        rule: Option<String>,
        /// What was expected and what was seen.
        message: String,
    },
    /// The step cannot run with this driver or simulator (scenario skipped).
    Skipped(String),
    /// Setup broke (driver or simulator error): the scenario fails with this message.
    Broken(String),
}

fn fail(rule: &str, message: impl Into<String>) -> StepError {
    StepError::Failed {
        rule: Some(rule.to_owned()),
        message: format!("[{rule}] {}", message.into()),
    }
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
    /// What the software reported.
    pub outcome: Option<SutOutcome>,
    /// Calls observed since the scenario started (fetched after each action).
    pub exchanges: Vec<Exchange>,
    /// Delay injected by "beyond the client timeout".
    pub timeout_delay: Duration,
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
            outcome: None,
            exchanges: Vec::new(),
            timeout_delay: BEYOND_TIMEOUT,
        }
    }

    fn outcome(&self) -> Result<&SutOutcome, StepError> {
        self.outcome.as_ref().ok_or_else(|| {
            StepError::Broken("no action was run before this check (missing When step)".into())
        })
    }

    /// For the manual driver, asks the operator; otherwise runs `check` on the outcome.
    async fn judge(
        &self,
        rule: &str,
        question: String,
        check: impl FnOnce(&SutOutcome) -> Result<(), StepError>,
    ) -> Result<(), StepError> {
        if self.driver.attests() {
            return match self.driver.ask(&self.ctx, &question).await {
                Ok(Some(true)) => Ok(()),
                Ok(Some(false)) => Err(fail(
                    rule,
                    format!("the operator answered no to: {question}"),
                )),
                Ok(None) => Err(StepError::Skipped(format!(
                    "the operator skipped: {question}"
                ))),
                Err(e) => Err(step_error(e)),
            };
        }
        check(self.outcome()?)
    }

    /// The last answer with CR 00, parsed.
    fn last_found_answer(&self) -> Option<&Exchange> {
        self.exchanges
            .iter()
            .rev()
            .find(|e| e.answer.cr.as_deref() == Some("00"))
    }
}

/// Arguments a step receives: regex captures and the data table.
pub struct StepArgs {
    /// Capture groups 1.. of the step pattern.
    pub captures: Vec<String>,
    /// Data table rows.
    pub table: Option<Vec<Vec<String>>>,
}

type Handler = for<'a> fn(&'a mut World, &'a StepArgs) -> BoxFuture<'a, Result<(), StepError>>;

/// One step definition.
pub struct StepDef {
    /// `Given`, `When` or `Then` (documentation only: any keyword may use any step).
    pub kind: &'static str,
    /// Anchored regular expression.
    pub pattern: &'static str,
    /// A readable example for `docs/steps.md`.
    pub example: &'static str,
    /// What the step does or checks, with the rule it names on failure.
    pub doc: &'static str,
    handler: Handler,
}

/// Compiled step library.
pub struct Registry {
    steps: Vec<(Regex, &'static StepDef)>,
}

impl Registry {
    /// Finds the step matching `text`, with its captures.
    pub fn find(&self, text: &str) -> Option<(&'static StepDef, Vec<String>)> {
        self.steps.iter().find_map(|(re, def)| {
            re.captures(text).map(|c| {
                let caps = c
                    .iter()
                    .skip(1)
                    .map(|m| m.map(|m| m.as_str().to_owned()).unwrap_or_default())
                    .collect();
                (*def, caps)
            })
        })
    }

    /// Every definition, in documentation order.
    pub fn definitions(&self) -> impl Iterator<Item = &'static StepDef> + '_ {
        self.steps.iter().map(|(_, d)| *d)
    }

    /// Runs a step.
    pub async fn run(
        &self,
        def: &'static StepDef,
        world: &mut World,
        args: &StepArgs,
    ) -> Result<(), StepError> {
        (def.handler)(world, args).await
    }
}

/// Builds the registry (patterns are constants: a bad one is caught by the tests).
pub fn registry() -> Result<Registry, HarnessError> {
    let mut steps = Vec::new();
    for def in STEPS {
        let re = Regex::new(&format!("^{}$", def.pattern))
            .map_err(|e| HarnessError::Driver(format!("bad step pattern {}: {e}", def.pattern)))?;
        steps.push((re, def));
    }
    Ok(Registry { steps })
}

/// Renders `docs/steps.md` from the registry.
pub fn render_docs(registry: &Registry) -> String {
    let mut out = String::from(
        "# Step library\n\n\
         <!-- generated from harness/src/steps.rs by `insilab-harness`; a test fails when this \
         file drifts. Regenerate with `UPDATE_STEPS_DOC=1 cargo test -p insilab-harness steps_doc`. -->\n\n\
         Every step the suites under `scenarios/` may use. Keywords are free (`Given`, `When`, \
         `Then`, `And`, `But`); the section says where a step reads naturally. A failed check names \
         the rule it enforces in its message (`[INSI-ALG-01] …`).\n\n\
         Outcome checks (\"the software stored …\") read the outcome the driver reports; with the \
         `manual` driver they become yes/no questions to the operator.\n\n",
    );
    for kind in ["Given", "When", "Then"] {
        out.push_str(&format!("## {kind}\n\n"));
        for def in registry.definitions().filter(|d| d.kind == kind) {
            out.push_str(&format!(
                "### `{}`\n\nPattern: `{}`\n\n{}\n\n",
                def.example, def.pattern, def.doc
            ));
        }
    }
    out
}

fn quoted_list(text: &str) -> Vec<String> {
    text.split('"')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_owned())
        .collect()
}

macro_rules! step {
    ($kind:literal, $pattern:literal, $example:literal, $doc:literal, $handler:expr) => {
        StepDef {
            kind: $kind,
            pattern: $pattern,
            example: $example,
            doc: $doc,
            handler: $handler,
        }
    };
}

static STEPS: &[StepDef] = &[
    step!(
        "Given",
        r#"the simulator answers the next search for "([^"]+)" with the CNDA file "([^"]+)""#,
        r#"the simulator answers the next search for "ECETINSI" with the CNDA file "TEST_2.04_cas2""#,
        "Overrides the answer to the next traits search carrying this birth name with a CNDA answer file (`REP_CR01`, `TEST_2.04_cas2`, `TEST_2.05`, `TEST_2.08_cas1`, `TEST_2.08_cas2`).",
        |w, a| Box::pin(override_step(w, a, Answer::CndaFile(a.captures[1].clone())))
    ),
    step!(
        "Given",
        r#"the simulator answers the next search for "([^"]+)" with the fault "([^"]+)""#,
        r#"the simulator answers the next search for "ADRUN" with the fault "desir_550""#,
        "Overrides the next matching search with a SOAP fault by its `Erreur` code (`insi_102`, `desir_1020`, `desir_550`, `DESIR_560`).",
        |w, a| Box::pin(override_step(w, a, Answer::Fault(a.captures[1].clone())))
    ),
    step!(
        "Given",
        r#"the simulator answers the next search for "([^"]+)" with the older fault "([^"]+)""#,
        r#"the simulator answers the next search for "ADRUN" with the older fault "insi_102""#,
        "Overrides the next matching search with a SOAP fault in its older captured form: `severite=\"fatal\"` written before `code`, no `messageID` (seen for `insi_102`).",
        |w, a| Box::pin(override_step(
            w,
            a,
            Answer::OlderFault(a.captures[1].clone())
        ))
    ),
    step!(
        "Given",
        r#"the simulator answers the next search for "([^"]+)" with first name "([^"]+)" with (?:CR "(0[12])"|the fault "([^"]+)")"#,
        r#"the simulator answers the next search for "TCHITCHI" with first name "CATARINA" with the fault "insi_102""#,
        "Overrides the next search carrying this birth name and exactly this first name (one call of the first-name loop) with a `CodeCR` (`CR \"02\"`, `CR \"01\"`) or a SOAP fault by its `Erreur` code: a fault in the middle of the loop, as seen on the platform.",
        |w, a| {
            let answer = match a.captures.get(2).filter(|c| !c.is_empty()) {
                Some(code) => Answer::Cr(code.clone()),
                None => Answer::Fault(a.captures.get(3).cloned().unwrap_or_default()),
            };
            let spec = OverrideSpec {
                birth_name: a.captures[0].clone(),
                first_name: Some(a.captures[1].clone()),
                count: 1,
                answer,
            };
            Box::pin(async move { w.sim.add_override(spec).await.map_err(step_error) })
        }
    ),
    step!(
        "Given",
        r#"the simulator answers the next search for "([^"]+)" with HTTP status (\d{3})"#,
        r#"the simulator answers the next search for "ADRUN" with HTTP status 503"#,
        "Overrides the next matching search with a bare HTTP status.",
        |w, a| {
            let status = a.captures[1].parse().unwrap_or(500);
            Box::pin(override_step(w, a, Answer::HttpStatus(status)))
        }
    ),
    step!(
        "Given",
        r#"the simulator answers the next search for "([^"]+)" with a (truncated|malformed) body"#,
        r#"the simulator answers the next search for "ADRUN" with a truncated body"#,
        "Overrides the next matching search with a truncated SOAP answer or a body that is not XML.",
        |w, a| {
            let answer = if a.captures[1] == "truncated" {
                Answer::Truncated
            } else {
                Answer::Malformed
            };
            Box::pin(override_step(w, a, answer))
        }
    ),
    step!(
        "Given",
        r#"the simulator delays the next search for "([^"]+)" beyond the client timeout"#,
        r#"the simulator delays the next search for "ADRUN" beyond the client timeout"#,
        "Delays the answer to the next matching search by 3 s, or by `insilab run --timeout-delay SECS` (set it above your software's total timeout; the reference driver's is 1 s). Tagged `@slow` in the shipped suite.",
        |w, a| {
            let delay = w.timeout_delay;
            Box::pin(override_step(w, a, Answer::Delay(delay)))
        }
    ),
    step!(
        "Given",
        r#"the simulator resets the connection for the next search for "([^"]+)""#,
        r#"the simulator resets the connection for the next search for "ADRUN""#,
        "Closes the connection without answering the next matching search.",
        |w, a| Box::pin(override_step(w, a, Answer::Reset))
    ),
    step!(
        "Given",
        r#"the simulator answers in the "(live|2022|cnda)" dialect"#,
        r#"the simulator answers in the "2022" dialect"#,
        "Selects the response dialect for this scenario (insi-protocol.md §5).",
        |w, a| Box::pin(async move {
            let dialect = DialectChoice::parse(&a.captures[0])
                .ok_or_else(|| StepError::Broken(format!("unknown dialect {:?}", a.captures[0])))?;
            w.sim.set_dialect(dialect).await.map_err(step_error)
        })
    ),
    step!(
        "Given",
        r#"the simulator presents the server certificate "([^"]+)""#,
        r#"the simulator presents the server certificate "server-expired""#,
        "Points the software at a second endpoint presenting a negative server identity of the PKI (`server-expired`, `server-untrusted`). Needs the in-process simulator and a driver that can redirect the software (reference); skipped otherwise.",
        |w, a| Box::pin(async move {
            if !w.driver.can_redirect() {
                return Err(StepError::Skipped(format!(
                    "driver {} cannot point the software at another endpoint",
                    w.driver.name()
                )));
            }
            match w.sim.endpoint_with_server_identity(&a.captures[0]).await {
                Ok(Some(url)) => {
                    w.ctx.endpoint_override = Some(url);
                    Ok(())
                }
                Ok(None) => Err(StepError::Skipped(
                    "this simulator cannot present another server identity".into(),
                )),
                Err(e) => Err(step_error(e)),
            }
        })
    ),
    step!(
        "When",
        r#"the software searches by traits:?"#,
        "the software searches by traits:",
        "Makes the software search an INS with the traits of the data table (rows `nom de naissance`, `prénoms` (space-separated birth first names), `sexe`, `date de naissance`, optional `lieu de naissance`), then collects the calls that reached the simulator.",
        |w, a| Box::pin(search_traits_step(w, a))
    ),
    step!(
        "When",
        r#"the software searches by traits in card mode with the card of "([^"]+)"(?: signing an? "([a-z0-9-]+)" assertion)?:?"#,
        r#"the software searches by traits in card mode with the card of "899900063480" signing a "revoked-certificate" assertion:"#,
        "Makes the software search by traits (same table as the traits search) in card mode: TLS without client certificate, each call carrying a CPx assertion signed with the virtual card of this test professional, on the simulator's card endpoint. The optional case (`tampered-signature`, … see `docs/card-mode.md`) makes the reference driver send that wrong assertion; other drivers skip.",
        |w, a| Box::pin(search_traits_card_step(w, a))
    ),
    step!(
        "Then",
        r#"the simulator refused the card assertion with the rule "(INSI-CPX-\d{3})""#,
        r#"the simulator refused the card assertion with the rule "INSI-CPX-012""#,
        "Every call got a fault and the simulator's findings on it name this assertion rule (first of severity fault). Fails naming the rule and the findings seen (`INSI-CPX-01`).",
        |w, a| Box::pin(async move { check_card_refusal(w, &a.captures[0]) })
    ),
    step!(
        "Then",
        r#"the simulator accepted the card assertion"#,
        "the simulator accepted the card assertion",
        "At least one call reached the simulator and none has an `INSI-CPX-*` finding of severity fault (`INSI-CPX-01`).",
        |w, _| Box::pin(async move { check_card_accepted(w) })
    ),
    step!(
        "When",
        r#"the software searches with the Vitale card:?"#,
        "the software searches with the Vitale card:",
        "Makes the software search an INS with the data of a Vitale card (rows `NIR de l'assuré`, optional `NIR du bénéficiaire` (13 or 15 characters), `nom de naissance`, `date de naissance`, `rang de naissance`), then collects the calls that reached the simulator.",
        |w, a| Box::pin(search_card_step(w, a))
    ),
    step!(
        "When",
        r#"the software verifies the INS "(\w{13})" key "(\d{2})" with OID "([0-9.]+)" for the traits:?"#,
        r#"the software verifies the INS "1090763220834" key "89" with OID "1.2.250.1.213.1.4.8" for the traits:"#,
        "Makes the software verify that this INS belongs to the person of the traits table (same rows as the search), then collects the calls that reached the simulator.",
        |w, a| Box::pin(verify_step(w, a))
    ),
    step!(
        "Then",
        r#"the software reported the INS (verified|not verified)"#,
        "the software reported the INS verified",
        "The verification ended as stated. Fails naming `INSI-VER-01`.",
        |w, a| Box::pin(async move {
            let (kind, question) = if a.captures[0] == "verified" {
                (
                    OutcomeKind::Verified,
                    "Did the software report the INS as verified?",
                )
            } else {
                (
                    OutcomeKind::NotVerified,
                    "Did the software report that the INS does not match the traits?",
                )
            };
            expect_kind(w, "INSI-VER-01", kind, question).await
        })
    ),
    step!(
        "Then",
        r#"the simulator received (\d+) calls?"#,
        "the simulator received 2 calls",
        "Exactly this many calls reached the simulator during the scenario. Fails naming `INSI-ALG-01` (first-name algorithm).",
        |w, a| Box::pin(async move {
            let expected: usize = a.captures[0].parse().unwrap_or(usize::MAX);
            if w.exchanges.len() == expected {
                return Ok(());
            }
            Err(fail(
                "INSI-ALG-01",
                format!(
                    "expected {expected} call(s) at the simulator, saw {}: first names {}",
                    w.exchanges.len(),
                    describe_first_names(&w.exchanges)
                ),
            ))
        })
    ),
    step!(
        "Then",
        r#"no call reached the simulator"#,
        "no call reached the simulator",
        "No call at all (invalid traits must be refused before calling; untrusted servers must not get a request). Fails naming `INSI-LEX-01`, or `INSI-TLS-02` after a negative server certificate.",
        |w, _| Box::pin(async move {
            if w.exchanges.is_empty() {
                return Ok(());
            }
            let rule = if w.ctx.endpoint_override.is_some() {
                "INSI-TLS-02"
            } else {
                "INSI-LEX-01"
            };
            Err(fail(
                rule,
                format!(
                    "expected no call, saw {}: first names {}",
                    w.exchanges.len(),
                    describe_first_names(&w.exchanges)
                ),
            ))
        })
    ),
    step!(
        "Then",
        r#"the first names sent were (.+)"#,
        r#"the first names sent were "OLA", "CATARINA""#,
        "The `Prenom` values of the calls, in order (one call per item; a call with several `Prenom` elements counts as their space-joined list). Fails naming `INSI-ALG-01`.",
        |w, a| Box::pin(async move {
            let expected = quoted_list(&a.captures[0]);
            let seen: Vec<String> = w
                .exchanges
                .iter()
                .map(|e| e.sent.first_names.join(" "))
                .collect();
            if seen == expected {
                return Ok(());
            }
            Err(fail(
                "INSI-ALG-01",
                format!("first-name algorithm: expected the calls {expected:?}, saw {seen:?}"),
            ))
        })
    ),
    step!(
        "Then",
        r#"the answers were (.+)"#,
        r#"the answers were "01", "00""#,
        "The simulator's answers, in order: a CR code (`00`, `01`, `02`) or `fault <code>`. Fails naming `INSI-ALG-01`.",
        |w, a| Box::pin(async move {
            let expected = quoted_list(&a.captures[0]);
            let seen: Vec<String> = w.exchanges.iter().map(Exchange::answer_word).collect();
            if seen == expected {
                return Ok(());
            }
            Err(fail(
                "INSI-ALG-01",
                format!("expected the answers {expected:?}, saw {seen:?}"),
            ))
        })
    ),
    step!(
        "Then",
        r#"the last answer was "([^"]+)""#,
        r#"the last answer was "00""#,
        "The last call's answer. Fails naming `INSI-ALG-02`.",
        |w, a| Box::pin(async move {
            let seen = w.exchanges.last().map(Exchange::answer_word);
            if seen.as_deref() == Some(a.captures[0].as_str()) {
                return Ok(());
            }
            Err(fail(
                "INSI-ALG-02",
                format!(
                    "expected the last answer {:?}, saw {seen:?} (calls: {})",
                    a.captures[0],
                    describe_first_names(&w.exchanges)
                ),
            ))
        })
    ),
    step!(
        "Then",
        r#"the first call carried no birthplace"#,
        "the first call carried no birthplace",
        "The first call sent no `LieuNaissance`: the birthplace only resolves a `02` (CNDA 2.06 cas 2 expects the call without it first). Fails naming `INSI-ALG-02`.",
        |w, _| Box::pin(async move {
            let Some(first) = w.exchanges.first() else {
                return Err(fail("INSI-ALG-02", "expected a first call, saw none"));
            };
            match &first.sent.birthplace {
                None => Ok(()),
                Some(place) => Err(fail(
                    "INSI-ALG-02",
                    format!(
                        "expected the first call without LieuNaissance (it resolves a 02 only), saw {place:?}"
                    ),
                )),
            }
        })
    ),
    step!(
        "Then",
        r#"the last call carried the birthplace "([^"]+)""#,
        r#"the last call carried the birthplace "63220""#,
        "The last call sent this `LieuNaissance` (retry after a 02). Fails naming `INSI-ALG-02`.",
        |w, a| Box::pin(async move {
            let seen = w.exchanges.last().and_then(|e| e.sent.birthplace.clone());
            if seen.as_deref() == Some(a.captures[0].as_str()) {
                return Ok(());
            }
            Err(fail(
                "INSI-ALG-02",
                format!(
                    "expected the last call to carry LieuNaissance {:?}, saw {seen:?}",
                    a.captures[0]
                ),
            ))
        })
    ),
    step!(
        "Then",
        r#"every call used an organisation certificate"#,
        "every call used an organisation certificate",
        "Every call came over mutual TLS with a client certificate whose CN is `INSI-AUTO` or `INSI-MANU` and whose OU (the structure id) is present. Fails naming `INSI-TLS-01`.",
        |w, _| Box::pin(async move { check_all(&w.exchanges, &[check_certificate]) })
    ),
    step!(
        "Then",
        r#"every call carried complete headers"#,
        "every call carried complete headers",
        "Every call carried `wsa:Action`, a `wsa:MessageID` of the form `uuid:<uuid>`, `ContexteBAM` (Version 01_02), `ContexteLPS` (Version 01_00) with an `IDAM`, and a SOAP 1.2 Content-Type. Fails naming `INSI-HDR-01`.",
        |w, _| Box::pin(async move { check_all(&w.exchanges, &[check_headers]) })
    ),
    step!(
        "Then",
        r#"every call sent traits in the INSi lexical profile"#,
        "every call sent traits in the INSi lexical profile",
        "Every name sent is in the INSi lexical profile (upper case A–Z, space, apostrophe, hyphen). Fails naming `INSI-LEX-01`.",
        |w, _| Box::pin(async move { check_all(&w.exchanges, &[check_lexical]) })
    ),
    step!(
        "Then",
        r#"no call has a finding of severity fault or CNDA"#,
        "no call has a finding of severity fault or CNDA",
        "`core::rules` found nothing of severity fault or CNDA in any request. Fails naming the rule ids found.",
        |w, _| Box::pin(async move { check_all(&w.exchanges, &[check_findings]) })
    ),
    step!(
        "Then",
        r#"every call is conform to the INSi contract"#,
        "every call is conform to the INSi contract",
        "All four call checks above at once: organisation certificate (`INSI-TLS-01`), complete headers (`INSI-HDR-01`), lexical profile (`INSI-LEX-01`), no fault/CNDA finding (rule ids). Every failure is listed.",
        |w, _| Box::pin(async move {
            check_all(
                &w.exchanges,
                &[
                    check_certificate,
                    check_headers,
                    check_lexical,
                    check_findings,
                ],
            )
        })
    ),
    step!(
        "Then",
        r#"the software stored the INS "(\w{13})" key "(\d{2})" with OID "([0-9.]+)""#,
        r#"the software stored the INS "2360663220836" key "56" with OID "1.2.250.1.213.1.4.8""#,
        "The software stored this active INS with this OID, and its key is valid. Fails naming `INSI-RSP-01` (key, refusal) or `EXI-REC-07` (another INS or OID).",
        |w, a| Box::pin(async move {
            let expected = StoredIns {
                matricule: a.captures[0].clone(),
                key: a.captures[1].clone(),
                oid: a.captures[2].clone(),
                ..StoredIns::default()
            };
            let question = format!("Did the software store the INS {expected}?");
            w.judge("EXI-REC-07", question, |o| check_stored_ins(o, &expected))
                .await
        })
    ),
    step!(
        "Then",
        r#"the software stored the INS returned by the simulator"#,
        "the software stored the INS returned by the simulator",
        "The software stored the active INS and OID of the last `00` answer. Fails naming `EXI-REC-07` or `INSI-RSP-01`.",
        |w, _| Box::pin(async move {
            let expected = w
                .last_found_answer()
                .and_then(|e| e.answer.active.clone())
                .ok_or_else(|| fail("INSI-ALG-02", "no call was answered 00 with an active INS"))?;
            let question = format!("Did the software store the INS {expected}?");
            w.judge("EXI-REC-07", question, |o| check_stored_ins(o, &expected))
                .await
        })
    ),
    step!(
        "Then",
        r#"the software stored the traits exactly as returned"#,
        "the software stored the traits exactly as returned",
        "The stored traits equal the `TIQ` of the last `00` answer, character for character (no re-casing, no edits); the first first name, when kept apart, is the first name of the list. Fails naming `EXI-REC-07` or `EXI-ID-10`.",
        |w, _| Box::pin(async move {
            let returned = w
                .last_found_answer()
                .and_then(|e| e.answer.traits.clone())
                .ok_or_else(|| fail("EXI-REC-07", "no call was answered 00 with traits (TIQ)"))?;
            let question = format!(
                "Did the software store the traits exactly as returned: {} / {} / {} / {} / {}?",
                returned.birth_name,
                returned.first_names_list,
                returned.sex,
                returned.birth_date,
                returned.birthplace.clone().unwrap_or_default()
            );
            w.judge("EXI-REC-07", question, |o| {
                check_stored_traits(o, &returned)
            })
            .await
        })
    ),
    step!(
        "Then",
        r#"the software stored the history exactly as returned"#,
        "the software stored the history exactly as returned",
        "The stored INS history equals the `INSHISTO` entries of the last `00` answer (matricule, key, OID, `DateDeb`, `DateFin`; order free). Fails naming `EXI-REC-08`.",
        |w, _| Box::pin(async move {
            let returned = w
                .last_found_answer()
                .map(|e| e.answer.history.clone())
                .ok_or_else(|| fail("EXI-REC-08", "no call was answered 00"))?;
            let question = format!(
                "Did the software keep the INS history as returned ({} entr{})?",
                returned.len(),
                if returned.len() == 1 { "y" } else { "ies" }
            );
            w.judge("EXI-REC-08", question, |o| check_history(o, &returned))
                .await
        })
    ),
    step!(
        "Then",
        r#"the software stored (\d+) historical INS"#,
        "the software stored 2 historical INS",
        "The stored history has this many entries. Fails naming `EXI-REC-08`.",
        |w, a| Box::pin(async move {
            let expected: usize = a.captures[0].parse().unwrap_or(usize::MAX);
            let question = format!("Does the software show {expected} historical INS?");
            w.judge("EXI-REC-08", question, |o| {
                let seen = o.stored.as_ref().map_or(0, |s| s.history.len());
                if seen == expected {
                    Ok(())
                } else {
                    Err(fail(
                        "EXI-REC-08",
                        format!(
                            "expected {expected} historical INS stored, the software stored {seen}"
                        ),
                    ))
                }
            })
            .await
        })
    ),
    step!(
        "Then",
        r#"the software stored no INS"#,
        "the software stored no INS",
        "Nothing was stored. Fails naming `INSI-RSP-01`.",
        |w, _| Box::pin(async move {
            w.judge(
                "INSI-RSP-01",
                "Did the software leave the identity without any INS?".into(),
                |o| match &o.stored {
                    None => Ok(()),
                    Some(s) => Err(fail(
                        "INSI-RSP-01",
                        format!(
                            "the software stored the INS {} although it should store none",
                            s.ins
                        ),
                    )),
                },
            )
            .await
        })
    ),
    step!(
        "Then",
        r#"the software refused the input"#,
        "the software refused the input",
        "The software refused the traits before calling. Fails naming `INSI-LEX-01`.",
        |w, _| Box::pin(expect_kind(
            w,
            "INSI-LEX-01",
            OutcomeKind::RefusedInput,
            "Did the software refuse the traits as invalid?"
        ))
    ),
    step!(
        "Then",
        r#"the software refused the answer"#,
        "the software refused the answer",
        "The software refused the answer (invalid key, incomplete answer) and told its user. Fails naming `INSI-RSP-01`.",
        |w, _| Box::pin(expect_kind(
            w,
            "INSI-RSP-01",
            OutcomeKind::RefusedAnswer,
            "Did the software refuse the answer (invalid INS key) and store nothing?"
        ))
    ),
    step!(
        "Then",
        r#"the software reported several identities"#,
        "the software reported several identities",
        "The software told its user that several identities match. Fails naming `INSI-ALG-02`.",
        |w, _| Box::pin(expect_kind(
            w,
            "INSI-ALG-02",
            OutcomeKind::Ambiguous,
            "Did the software report that several identities match?"
        ))
    ),
    step!(
        "Then",
        r#"the software reported no identity found"#,
        "the software reported no identity found",
        "The software told its user that no identity was found. Fails naming `INSI-ALG-01`.",
        |w, _| Box::pin(expect_kind(
            w,
            "INSI-ALG-01",
            OutcomeKind::NotFound,
            "Did the software report that no identity was found?"
        ))
    ),
    step!(
        "Then",
        r#"the software reported a technical error"#,
        "the software reported a technical error",
        "The software reported a transport error or timeout (or a fault). Fails naming `INSI-NET-01`, or `INSI-TLS-02` after a negative server certificate.",
        |w, _| Box::pin(async move {
            let rule = if w.ctx.endpoint_override.is_some() {
                "INSI-TLS-02"
            } else {
                "INSI-NET-01"
            };
            w.judge(
                rule,
                "Did the software report a technical error?".into(),
                |o| match o.outcome {
                    OutcomeKind::TechnicalError | OutcomeKind::Fault => Ok(()),
                    other => Err(fail(
                        rule,
                        format!(
                            "expected a technical error, the software reported {}",
                            other.as_str()
                        ),
                    )),
                },
            )
            .await
        })
    ),
    step!(
        "Then",
        r#"the software reported an unusable answer"#,
        "the software reported an unusable answer",
        "The software refused an answer it could not read (technical error or refused answer). Fails naming `INSI-RSP-03`.",
        |w, _| Box::pin(async move {
            w.judge(
                "INSI-RSP-03",
                "Did the software report that the answer could not be read?".into(),
                |o| match o.outcome {
                    OutcomeKind::TechnicalError | OutcomeKind::RefusedAnswer => Ok(()),
                    other => Err(fail(
                        "INSI-RSP-03",
                        format!(
                            "expected the answer to be refused, the software reported {}",
                            other.as_str()
                        ),
                    )),
                },
            )
            .await
        })
    ),
    step!(
        "Then",
        r#"the software showed the error "([^"]+)""#,
        r#"the software showed the error "insi_102""#,
        "The software showed its user the fault with this code (the `error_shown` of the outcome contains it, case-insensitive). Fails naming `INSI-FLT-01` (insi_…, desir_1020) or `INSI-FLT-02` (desir_550, DESIR_560).",
        |w, a| Box::pin(async move {
            let code = a.captures[0].clone();
            let rule = if code.eq_ignore_ascii_case("desir_550")
                || code.eq_ignore_ascii_case("desir_560")
            {
                "INSI-FLT-02"
            } else {
                "INSI-FLT-01"
            };
            let question = format!("Did the software show the error {code}?");
            w.judge(rule, question, |o| {
                let shown = o.error_shown.clone().unwrap_or_default();
                if o.outcome == OutcomeKind::Fault && shown.to_lowercase().contains(&code.to_lowercase()) { Ok(()) } else {
                    Err(fail(rule, format!("expected the software to show the fault {code}, it reported {} with error {:?}", o.outcome.as_str(), o.error_shown)))
                }
            }).await
        })
    ),
];

fn step_error(e: HarnessError) -> StepError {
    match e {
        HarnessError::Skipped(m) => StepError::Skipped(m),
        other => StepError::Broken(other.to_string()),
    }
}

async fn override_step(w: &mut World, a: &StepArgs, answer: Answer) -> Result<(), StepError> {
    let spec = OverrideSpec {
        birth_name: a.captures[0].clone(),
        first_name: None,
        count: 1,
        answer,
    };
    w.sim.add_override(spec).await.map_err(step_error)
}

async fn expect_kind(
    w: &mut World,
    rule: &'static str,
    kind: OutcomeKind,
    question: &str,
) -> Result<(), StepError> {
    w.judge(rule, question.to_owned(), |o| {
        if o.outcome == kind {
            Ok(())
        } else {
            Err(fail(
                rule,
                format!(
                    "expected the software to report {}, it reported {}{}",
                    kind.as_str(),
                    o.outcome.as_str(),
                    o.message
                        .as_deref()
                        .map(|m| format!(" ({m})"))
                        .unwrap_or_default()
                ),
            ))
        }
    })
    .await
}

/// Reads the traits table of a search step.
pub fn traits_from_table(table: &[Vec<String>]) -> Result<TraitsInput, String> {
    let mut input = TraitsInput::default();
    for row in table {
        let [key, value] = row.as_slice() else {
            return Err(format!("a traits row must have two cells, found {row:?}"));
        };
        match key.trim().to_lowercase().as_str() {
            "nom de naissance" | "birth name" => input.birth_name = value.clone(),
            "prénoms" | "prenoms" | "first names" => {
                input.first_names = value
                    .split(' ')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            "sexe" | "sex" => input.sex = value.clone(),
            "date de naissance" | "birth date" => input.birth_date = value.clone(),
            "lieu de naissance" | "birthplace" => input.birthplace = Some(value.clone()),
            other => return Err(format!("unknown traits row {other:?}")),
        }
    }
    Ok(input)
}

/// Reads the card table of the Vitale search step.
pub fn card_from_table(table: &[Vec<String>]) -> Result<CardInput, String> {
    let mut input = CardInput {
        birth_rank: 1,
        ..CardInput::default()
    };
    for row in table {
        let [key, value] = row.as_slice() else {
            return Err(format!("a card row must have two cells, found {row:?}"));
        };
        match key.trim().to_lowercase().as_str() {
            "nir de l'assuré" | "nir de l'assure" | "insured nir" => {
                input.insured_nir = value.clone()
            }
            "nir du bénéficiaire" | "nir du beneficiaire" | "beneficiary nir" => {
                input.beneficiary_nir = Some(value.clone())
            }
            "nom de naissance" | "birth name" => input.birth_name = value.clone(),
            "date de naissance" | "birth date" => input.birth_date = value.clone(),
            "rang de naissance" | "birth rank" => {
                input.birth_rank = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("birth rank {value:?} is not a small number"))?
            }
            other => return Err(format!("unknown card row {other:?}")),
        }
    }
    Ok(input)
}

/// The data table of an action step, or a broken-step error naming what the step needs.
fn step_table<'a>(a: &'a StepArgs, needs: &str) -> Result<&'a [Vec<String>], StepError> {
    a.table
        .as_deref()
        .ok_or_else(|| StepError::Broken(format!("the {needs} step needs a table")))
}

/// Ends an action step: keeps the outcome the driver reported and the calls that reached the
/// simulator.
async fn finish_action(
    w: &mut World,
    outcome: Result<SutOutcome, HarnessError>,
) -> Result<(), StepError> {
    let outcome = outcome.map_err(step_error)?;
    collect_calls(w, &outcome).await?;
    w.outcome = Some(outcome);
    Ok(())
}

async fn search_card_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let input = card_from_table(step_table(a, "card search")?).map_err(StepError::Broken)?;
    let outcome = w.driver.search_card(&w.ctx, &input).await;
    finish_action(w, outcome).await
}

async fn search_traits_card_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let input = traits_from_table(step_table(a, "card-mode search")?).map_err(StepError::Broken)?;
    let card = crate::driver::CardAction {
        professional_id: a.captures[0].clone(),
        case: a
            .captures
            .get(1)
            .filter(|c| !c.is_empty())
            .cloned()
            .unwrap_or_else(|| insilab_certs::card_cases::VALID_CASE.to_owned()),
    };
    if card.case != insilab_certs::card_cases::VALID_CASE && w.driver.name() != "reference" {
        return Err(StepError::Skipped(format!(
            "{} (case {:?})",
            crate::driver::FORGED_CARD_CASES_REASON,
            card.case
        )));
    }
    let outcome = w
        .driver
        .search_traits_with_card(&w.ctx, &input, &card)
        .await;
    w.input = Some(input);
    finish_action(w, outcome).await
}

/// The assertion rule every call was refused with.
fn check_card_refusal(w: &World, rule: &str) -> Result<(), StepError> {
    const RULE: &str = "INSI-CPX-01";
    if w.exchanges.is_empty() {
        return Err(fail(RULE, "no call reached the card endpoint"));
    }
    for (i, e) in w.exchanges.iter().enumerate() {
        let first = e
            .findings
            .iter()
            .find(|f| f.rule_id.starts_with("INSI-CPX-") && f.severity == FindingSeverity::Fault)
            .map(|f| f.rule_id.as_str());
        if first != Some(rule) || e.answer.fault.is_none() {
            let seen: Vec<&str> = e.findings.iter().map(|f| f.rule_id.as_str()).collect();
            return Err(fail(
                RULE,
                format!(
                    "call {}: expected a fault for {rule}, got answer {} with findings {seen:?}",
                    i + 1,
                    e.answer_word()
                ),
            ));
        }
    }
    Ok(())
}

/// No call was refused by an assertion rule.
fn check_card_accepted(w: &World) -> Result<(), StepError> {
    const RULE: &str = "INSI-CPX-01";
    if w.exchanges.is_empty() {
        return Err(fail(RULE, "no call reached the card endpoint"));
    }
    let refused: Vec<String> = w
        .exchanges
        .iter()
        .flat_map(|e| &e.findings)
        .filter(|f| f.rule_id.starts_with("INSI-CPX-") && f.severity == FindingSeverity::Fault)
        .map(|f| format!("{}: {}", f.rule_id, f.message))
        .collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(fail(
            RULE,
            format!("the assertion was refused: {}", refused.join("; ")),
        ))
    }
}

async fn search_traits_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let input = traits_from_table(step_table(a, "search")?).map_err(StepError::Broken)?;
    let outcome = w.driver.search_traits(&w.ctx, &input).await;
    w.input = Some(input);
    finish_action(w, outcome).await
}

async fn verify_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let input = traits_from_table(step_table(a, "verify")?).map_err(StepError::Broken)?;
    let ins = StoredIns {
        matricule: a.captures[0].clone(),
        key: a.captures[1].clone(),
        oid: a.captures[2].clone(),
        ..StoredIns::default()
    };
    let outcome = w.driver.verify(&w.ctx, &ins, &input).await;
    w.input = Some(input);
    finish_action(w, outcome).await
}

/// Reads the journal for the calls of the action that just ended.
async fn collect_calls(w: &mut World, outcome: &SutOutcome) -> Result<(), StepError> {
    let already = w.exchanges.len();
    let exchanges = match outcome_attempts_hint(outcome) {
        Some(n) => w.sim.wait_for(w.ctx.mark, already + n, JOURNAL_WAIT).await,
        None => settle(w.sim.as_ref(), w.ctx.mark).await,
    }
    .map_err(step_error)?;
    w.exchanges = exchanges;
    Ok(())
}

/// Number of calls the driver says the software made: the harness then waits for exactly
/// those journal entries instead of waiting for the journal to settle.
fn outcome_attempts_hint(outcome: &SutOutcome) -> Option<usize> {
    outcome.calls.and_then(|n| usize::try_from(n).ok())
}

/// Reads the journal until it stays unchanged for [`JOURNAL_SETTLE`].
async fn settle(sim: &dyn SimControl, mark: Mark) -> Result<Vec<Exchange>, HarnessError> {
    let mut last = sim.exchanges_since(mark).await?;
    loop {
        tokio::time::sleep(JOURNAL_SETTLE).await;
        let now = sim.exchanges_since(mark).await?;
        if now.len() == last.len() {
            return Ok(now);
        }
        last = now;
    }
}

fn describe_first_names(exchanges: &[Exchange]) -> String {
    let names: Vec<String> = exchanges
        .iter()
        .map(|e| format!("{:?}→{}", e.sent.first_names.join(" "), e.answer_word()))
        .collect();
    format!("[{}]", names.join(", "))
}

type CallCheck = fn(usize, &Exchange) -> Vec<(String, String)>;

fn check_all(exchanges: &[Exchange], checks: &[CallCheck]) -> Result<(), StepError> {
    let mut problems: Vec<(String, String)> = Vec::new();
    for (i, e) in exchanges.iter().enumerate() {
        for check in checks {
            problems.extend(check(i + 1, e));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let rule = problems.first().map(|p| p.0.clone());
    let message = problems
        .iter()
        .map(|(r, m)| format!("[{r}] {m}"))
        .collect::<Vec<_>>()
        .join("; ");
    Err(StepError::Failed { rule, message })
}

fn check_certificate(i: usize, e: &Exchange) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match e.cert_cn.as_deref() {
        Some("INSI-AUTO") | Some("INSI-MANU") => {}
        other => out.push((
            "INSI-TLS-01".into(),
            format!(
                "call {i}: client certificate CN is {other:?}, expected INSI-AUTO or INSI-MANU"
            ),
        )),
    }
    if e.cert_ou.as_deref().is_none_or(str::is_empty) {
        out.push((
            "INSI-TLS-01".into(),
            format!("call {i}: client certificate has no OU (structure id)"),
        ));
    }
    out
}

fn check_headers(i: usize, e: &Exchange) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut bad = |m: String| out.push(("INSI-HDR-01".to_owned(), format!("call {i}: {m}")));
    let h = &e.headers;
    if h.action.is_none() {
        bad("wsa:Action missing".into());
    }
    match h.message_id.as_deref() {
        None => bad("wsa:MessageID missing".into()),
        Some(id) => {
            let ok = id
                .strip_prefix("uuid:")
                .is_some_and(|u| uuid::Uuid::parse_str(u).is_ok());
            if !ok {
                bad(format!(
                    "wsa:MessageID {id:?} is not of the form uuid:<uuid>"
                ));
            }
        }
    }
    if h.bam_version.as_deref() != Some("01_02") {
        bad(format!(
            "ContexteBAM Version is {:?}, expected 01_02",
            h.bam_version
        ));
    }
    if h.lps_version.as_deref() != Some("01_00") {
        bad(format!(
            "ContexteLPS missing or Version {:?}, expected 01_00",
            h.lps_version
        ));
    }
    if h.idam.as_deref().is_none_or(str::is_empty) {
        bad("ContexteLPS/LPS/IDAM missing".into());
    }
    if let Some(ct) = &h.content_type
        && !ct.to_ascii_lowercase().starts_with("application/soap+xml")
    {
        bad(format!("Content-Type {ct:?} is not application/soap+xml"));
    }
    out
}

fn check_lexical(i: usize, e: &Exchange) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut names: Vec<(&str, &str)> = Vec::new();
    if let Some(n) = &e.sent.birth_name {
        names.push(("NomNaissance", n));
    }
    for p in &e.sent.first_names {
        names.push(("Prenom", p));
    }
    for (field, value) in names {
        if let Some(problem) = crate::lexical::violation(field, value) {
            out.push((
                "INSI-LEX-01".into(),
                format!(
                    "call {i}: {field} {value:?} is outside the INSi lexical profile ({problem})"
                ),
            ));
        }
    }
    out
}

fn check_findings(i: usize, e: &Exchange) -> Vec<(String, String)> {
    e.findings
        .iter()
        .filter(|f| f.severity != FindingSeverity::Advice)
        .map(|f| {
            (
                f.rule_id.clone(),
                format!(
                    "call {i}: {} finding {}: {}",
                    match f.severity {
                        FindingSeverity::Fault => "fault",
                        FindingSeverity::Cnda => "CNDA",
                        FindingSeverity::Advice => "advice",
                    },
                    f.rule_id,
                    f.message
                ),
            )
        })
        .collect()
}

fn check_stored_ins(o: &SutOutcome, expected: &StoredIns) -> Result<(), StepError> {
    let Some(stored) = &o.stored else {
        return Err(fail(
            "EXI-REC-07",
            format!(
                "expected the INS {expected} to be stored, the software stored nothing (reported {}{})",
                o.outcome.as_str(),
                o.message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ),
        ));
    };
    let ins = &stored.ins;
    if !crate::lexical::key_is_valid(&ins.matricule, &ins.key) {
        return Err(fail(
            "INSI-RSP-01",
            format!("the software stored the INS {ins} whose key is invalid"),
        ));
    }
    if ins.matricule != expected.matricule || ins.key != expected.key {
        return Err(fail(
            "EXI-REC-07",
            format!("expected the INS {expected} to be stored, the software stored {ins}"),
        ));
    }
    if ins.oid != expected.oid {
        let which = |oid: &str| match oid {
            OID_NIR => " (NIR)",
            OID_NIA => " (NIA)",
            _ => "",
        };
        return Err(fail(
            "EXI-REC-07",
            format!(
                "expected the OID {}{} to be stored with the INS, the software stored {}{}",
                expected.oid,
                which(&expected.oid),
                ins.oid,
                which(&ins.oid)
            ),
        ));
    }
    Ok(())
}

fn check_stored_traits(
    o: &SutOutcome,
    returned: &crate::outcome::StoredTraits,
) -> Result<(), StepError> {
    let Some(stored) = &o.stored else {
        return Err(fail(
            "EXI-REC-07",
            "expected the returned traits to be stored, the software stored nothing",
        ));
    };
    let t = &stored.traits;
    let mut diffs = Vec::new();
    let mut cmp = |field: &str, seen: &str, want: &str| {
        if seen != want {
            diffs.push(format!("{field}: returned {want:?}, stored {seen:?}"));
        }
    };
    cmp("NomNaissance", &t.birth_name, &returned.birth_name);
    cmp(
        "ListePrenom",
        &t.first_names_list,
        &returned.first_names_list,
    );
    cmp("Sexe", &t.sex, &returned.sex);
    cmp("DateNaissance", &t.birth_date, &returned.birth_date);
    if let Some(place) = &returned.birthplace {
        cmp(
            "LieuNaissance",
            t.birthplace.as_deref().unwrap_or(""),
            place,
        );
    }
    if !diffs.is_empty() {
        return Err(fail(
            "EXI-REC-07",
            format!(
                "traits not stored exactly as returned: {}",
                diffs.join("; ")
            ),
        ));
    }
    if let Some(first) = &t.first_name {
        let list_first = t.first_names_list.split(' ').next().unwrap_or("");
        if first != list_first {
            return Err(fail(
                "EXI-ID-10",
                format!(
                    "first first name {first:?} is not the first name of the list {:?}",
                    t.first_names_list
                ),
            ));
        }
    }
    Ok(())
}

fn check_history(o: &SutOutcome, returned: &[StoredIns]) -> Result<(), StepError> {
    let stored: Vec<StoredIns> = o
        .stored
        .as_ref()
        .map(|s| s.history.clone())
        .unwrap_or_default();
    if o.stored.is_none() && !returned.is_empty() {
        return Err(fail(
            "EXI-REC-08",
            "expected the INS history to be stored, the software stored nothing",
        ));
    }
    // DateDeb/DateFin count: the history is kept exactly as returned, odd dates included.
    let key = |i: &StoredIns| {
        (
            i.matricule.clone(),
            i.key.clone(),
            i.oid.clone(),
            i.start.clone(),
            i.end.clone(),
        )
    };
    let mut a: Vec<_> = stored.iter().map(key).collect();
    let mut b: Vec<_> = returned.iter().map(key).collect();
    a.sort();
    b.sort();
    if a == b {
        return Ok(());
    }
    let show = |l: &[StoredIns]| {
        l.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(fail(
        "EXI-REC-08",
        format!(
            "INS history not kept as returned: returned [{}], stored [{}]",
            show(returned),
            show(&stored)
        ),
    ))
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
    fn traits_table_reads_french_rows() {
        let table = vec![
            vec!["nom de naissance".to_owned(), "TCHITCHI".to_owned()],
            vec!["prénoms".to_owned(), "OLA CATARINA BELLA".to_owned()],
            vec!["sexe".to_owned(), "F".to_owned()],
            vec!["date de naissance".to_owned(), "1936-06-21".to_owned()],
        ];
        let t = traits_from_table(&table).unwrap();
        assert_eq!(t.first_names, ["OLA", "CATARINA", "BELLA"]);
        assert!(t.birthplace.is_none());
        assert!(traits_from_table(&[vec!["taille".into(), "1".into()]]).is_err());
    }
}
