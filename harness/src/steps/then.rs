//! The `Then` steps: each evaluates rules of the catalogue (`core::rules`, the behaviour rules
//! for what the software did and reported, the request rules for what it sent) and fails with
//! every rule that fired.
//!
//! Expectation checks ("the simulator received 2 calls") compare what the scenario states with
//! what was observed; a mismatch fires the behaviour rule the expectation stands for.

use insilab_core::rules::behaviour::{
    self as b, ALL_NAMES_LAST_CALL, ANSWER_ACCEPTANCE, BIRTHPLACE_RETRY, FIRST_NAME_LOOP,
    REFUSAL_WITHOUT_CALL, SERVER_CERTIFICATE, STORED_HISTORY, STORED_HISTORY_DATES, STORED_INS,
    STORED_OID, STORED_TRAITS, TECHNICAL_ERROR, UNREADABLE_ANSWER, VERIFICATION_OUTCOME,
};

use insilab_core::rules::{RuleId, Severity};

use super::judges::{CallCheck, judge_calls};
use super::tables::quoted_list;
use super::world::Action;
use super::{Problem, StepDef, StepError, World};
use crate::exchange::Exchange;
use crate::outcome::{OutcomeKind, StoredIns, SutOutcome};

pub(super) static STEPS: &[StepDef] = &[
    step!(
        "Then",
        r#"the software reported the INS (verified|not verified)"#,
        "the software reported the INS verified",
        "The verification ended as stated. Evaluates `INSI-VER-01`.",
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
            expect_kind(w, VERIFICATION_OUTCOME, kind, question).await
        })
    ),
    step!(
        "Then",
        r#"the simulator received (\d+) calls?"#,
        "the simulator received 2 calls",
        "Exactly this many calls reached the simulator during the scenario. After a search by traits, evaluates the first-name loop (`INSI-ALG-01`, `INSI-ALG-03`) first; a count that differs fires `INSI-ALG-01`.",
        |w, a| Box::pin(async move {
            let expected: usize = a.captures[0].parse().unwrap_or(usize::MAX);
            let (rules, mut problems) = first_name_loop(w);
            if problems.is_empty() && w.exchanges.len() != expected {
                problems.push(problem(
                    FIRST_NAME_LOOP,
                    format!(
                        "expected {expected} call(s) at the simulator, saw {}: first names {}",
                        w.exchanges.len(),
                        describe_first_names(&w.exchanges)
                    ),
                ));
            }
            w.verdict(&rules, problems)
        })
    ),
    step!(
        "Then",
        r#"no call reached the simulator"#,
        "no call reached the simulator",
        "No call at all (invalid traits must be refused before calling; untrusted servers must not get a request). Evaluates `INSI-ALG-04`, or `INSI-TLS-02` after a negative server certificate.",
        |w, _| Box::pin(async move {
            let rule = if w.ctx.endpoint_override.is_some() {
                SERVER_CERTIFICATE
            } else {
                REFUSAL_WITHOUT_CALL
            };
            let problems = if w.exchanges.is_empty() {
                Vec::new()
            } else {
                vec![problem(
                    rule,
                    format!(
                        "expected no call, saw {}: first names {}",
                        w.exchanges.len(),
                        describe_first_names(&w.exchanges)
                    ),
                )]
            };
            w.verdict(&[rule], problems)
        })
    ),
    step!(
        "Then",
        r#"the first names sent were (.+)"#,
        r#"the first names sent were "OLA", "CATARINA""#,
        "The `Prenom` values of the calls, in order (one call per item; a call with several `Prenom` elements counts as their space-joined list). After a search by traits, evaluates the first-name loop (`INSI-ALG-01`, `INSI-ALG-03`) first; a list that differs fires `INSI-ALG-01`.",
        |w, a| Box::pin(async move {
            let expected = quoted_list(&a.captures[0]);
            let seen: Vec<String> = w
                .exchanges
                .iter()
                .map(|e| e.sent.first_names.join(" "))
                .collect();
            let (rules, mut problems) = first_name_loop(w);
            if problems.is_empty() && seen != expected {
                problems.push(problem(
                    FIRST_NAME_LOOP,
                    format!("first-name algorithm: expected the calls {expected:?}, saw {seen:?}"),
                ));
            }
            w.verdict(&rules, problems)
        })
    ),
    step!(
        "Then",
        r#"the answers were (.+)"#,
        r#"the answers were "01", "00""#,
        "The simulator's answers, in order: a CR code (`00`, `01`, `02`) or `fault <code>`. A list that differs fires `INSI-ALG-01`.",
        |w, a| Box::pin(async move {
            let expected = quoted_list(&a.captures[0]);
            let seen: Vec<String> = w.exchanges.iter().map(Exchange::answer_word).collect();
            let problems = if seen == expected {
                Vec::new()
            } else {
                vec![problem(
                    FIRST_NAME_LOOP,
                    format!("expected the answers {expected:?}, saw {seen:?}"),
                )]
            };
            w.verdict(&[FIRST_NAME_LOOP], problems)
        })
    ),
    step!(
        "Then",
        r#"the last answer was "([^"]+)""#,
        r#"the last answer was "00""#,
        "The last call's answer. A different answer fires `INSI-ALG-02`.",
        |w, a| Box::pin(async move {
            let seen = w.exchanges.last().map(Exchange::answer_word);
            let problems = if seen.as_deref() == Some(a.captures[0].as_str()) {
                Vec::new()
            } else {
                vec![problem(
                    BIRTHPLACE_RETRY,
                    format!(
                        "expected the last answer {:?}, saw {seen:?} (calls: {})",
                        a.captures[0],
                        describe_first_names(&w.exchanges)
                    ),
                )]
            };
            w.verdict(&[BIRTHPLACE_RETRY], problems)
        })
    ),
    step!(
        "Then",
        r#"the first call carried no birthplace"#,
        "the first call carried no birthplace",
        "The first call sent no `LieuNaissance`: the birthplace only resolves a `02` (CNDA 2.06 cas 2 expects the call without it first). Evaluates `INSI-ALG-02`.",
        |w, _| Box::pin(async move {
            let problems = match w.exchanges.first() {
                None => vec![problem(
                    BIRTHPLACE_RETRY,
                    "expected a first call, saw none".into(),
                )],
                Some(first) => match &first.sent.birthplace {
                    None => Vec::new(),
                    Some(place) => vec![problem(
                        BIRTHPLACE_RETRY,
                        format!(
                            "expected the first call without LieuNaissance (it resolves a 02 only), saw {place}"
                        ),
                    )],
                },
            };
            w.verdict(&[BIRTHPLACE_RETRY], problems)
        })
    ),
    step!(
        "Then",
        r#"the simulator refused the card assertion with the rule "(INSI-CPX-\d{3})""#,
        r#"the simulator refused the card assertion with the rule "INSI-CPX-012""#,
        "Every call got a fault and the simulator's first finding of severity fault on it is this assertion rule (`INSI-CPX-001` … `INSI-CPX-017`). Evaluates that rule; a call accepted or refused under another rule fires it.",
        |w, a| Box::pin(async move { check_card_refusal(w, &a.captures[0]) })
    ),
    step!(
        "Then",
        r#"the simulator accepted the card assertion"#,
        "the simulator accepted the card assertion",
        "At least one call reached the simulator and none has an `INSI-CPX-*` finding of severity fault. Evaluates the assertion rules that fired, or `INSI-CPX-007` (signature verified) when no call arrived.",
        |w, _| Box::pin(async move { check_card_accepted(w) })
    ),
    step!(
        "Then",
        r#"the last call carried the birthplace "([^"]+)""#,
        r#"the last call carried the birthplace "63220""#,
        "After a 02, the retry carried this `LieuNaissance`. Evaluates `INSI-ALG-02`.",
        |w, a| Box::pin(async move {
            let place = a.captures[0].clone();
            let mut problems: Vec<Problem> =
                b::check_birthplace_retry(Some(&place), &w.observed_calls())
                    .into_iter()
                    .map(Problem::from)
                    .collect();
            let seen = w.exchanges.last().and_then(|e| e.sent.birthplace.clone());
            if problems.is_empty() && seen.as_deref() != Some(place.as_str()) {
                problems.push(problem(
                    BIRTHPLACE_RETRY,
                    format!(
                        "expected the last call to carry LieuNaissance \"{place}\", {}",
                        match &seen {
                            Some(s) => format!("saw \"{s}\""),
                            None => "it carried none".to_owned(),
                        }
                    ),
                ));
            }
            w.verdict(&[BIRTHPLACE_RETRY], problems)
        })
    ),
    step!(
        "Then",
        r#"every call used an organisation certificate"#,
        "every call used an organisation certificate",
        "Every call came over mutual TLS with a client certificate whose CN is `INSI-AUTO` or `INSI-MANU` and whose OU (the structure id) is present. Evaluates `INSI-TLS-01`.",
        |w, _| Box::pin(async move { calls_step(w, &[CallCheck::Certificate]) })
    ),
    step!(
        "Then",
        r#"every call carried complete headers"#,
        "every call carried complete headers",
        "No call has a finding of severity fault or CNDA of the header rules (`INSI-HDR-0xx`, `INSI-SEC-0xx`: `wsa:Action`, `wsa:MessageID` as `uuid:<uuid>`, `ContexteBAM`, `ContexteLPS` with an `IDAM`, a SOAP 1.2 Content-Type…), as the simulator found them. Fails naming the rules that fired.",
        |w, _| Box::pin(async move { calls_step(w, &[CallCheck::Headers]) })
    ),
    step!(
        "Then",
        r#"every call sent traits in the INSi lexical profile"#,
        "every call sent traits in the INSi lexical profile",
        "No call has a finding of the lexical-profile rules (the `INSI-TRT-0xx` rules of requirement INSI-LEX-01: upper case A–Z, space, apostrophe, hyphen). Fails naming the rules that fired.",
        |w, _| Box::pin(async move { calls_step(w, &[CallCheck::Lexical]) })
    ),
    step!(
        "Then",
        r#"no call has a finding of severity fault or CNDA"#,
        "no call has a finding of severity fault or CNDA",
        "`core::rules` found nothing of severity fault or CNDA in any request. Fails naming the rule ids found.",
        |w, _| Box::pin(async move { calls_step(w, &[CallCheck::Findings]) })
    ),
    step!(
        "Then",
        r#"every call is conform to the INSi contract"#,
        "every call is conform to the INSi contract",
        "All four call checks above at once: organisation certificate (`INSI-TLS-01`), header rules, lexical-profile rules, no fault/CNDA finding of any request rule. Every rule that fired is listed.",
        |w, _| Box::pin(async move {
            calls_step(
                w,
                &[
                    CallCheck::Certificate,
                    CallCheck::Headers,
                    CallCheck::Lexical,
                    CallCheck::Findings,
                ],
            )
        })
    ),
    step!(
        "Then",
        r#"the software stored the INS "(\w{13})" key "(\d{2})" with OID "([0-9.]+)""#,
        r#"the software stored the INS "2360663220836" key "56" with OID "1.2.250.1.213.1.4.8""#,
        "The software stored this active INS with a valid key (`INSI-STO-01`) and this OID (`INSI-STO-05`), and it could accept the answer (`INSI-STO-04`).",
        |w, a| Box::pin(async move {
            let expected = StoredIns {
                matricule: a.captures[0].clone(),
                key: a.captures[1].clone(),
                oid: a.captures[2].clone(),
                ..StoredIns::default()
            };
            stored_ins_step(w, expected).await
        })
    ),
    step!(
        "Then",
        r#"the software stored the INS returned by the simulator"#,
        "the software stored the INS returned by the simulator",
        "The software stored the active INS (`INSI-STO-01`) and OID (`INSI-STO-05`) of the last `00` answer, and it could accept that answer (`INSI-STO-04`).",
        |w, _| Box::pin(async move {
            let Some(expected) = w.last_found_answer().and_then(|e| e.answer.active.clone()) else {
                return w.verdict(
                    &[BIRTHPLACE_RETRY],
                    vec![problem(
                        BIRTHPLACE_RETRY,
                        "no call was answered 00 with an active INS".into(),
                    )],
                );
            };
            stored_ins_step(w, expected).await
        })
    ),
    step!(
        "Then",
        r#"the software stored the traits exactly as returned"#,
        "the software stored the traits exactly as returned",
        "The stored traits equal the `TIQ` of the last `00` answer, character for character (no re-casing, no edits); the first first name, when kept apart, is the first name of the list. Evaluates `INSI-STO-02`.",
        |w, _| Box::pin(async move {
            let Some(returned) = w.last_found_answer().and_then(|e| e.answer.traits.clone()) else {
                return w.verdict(
                    &[STORED_TRAITS],
                    vec![problem(
                        STORED_TRAITS,
                        "no call was answered 00 with traits (TIQ)".into(),
                    )],
                );
            };
            let question = format!(
                "Did the software store the traits exactly as returned: {} / {} / {} / {} / {}?",
                returned.birth_name,
                returned.first_names_list,
                returned.sex,
                returned.birth_date,
                returned.birthplace.clone().unwrap_or_default()
            );
            w.judge(&[STORED_TRAITS], question, |o| {
                problems(b::check_stored_traits(
                    &returned,
                    o.stored.as_ref().map(|s| &s.traits),
                ))
            })
            .await
        })
    ),
    step!(
        "Then",
        r#"the software stored the history exactly as returned"#,
        "the software stored the history exactly as returned",
        "The stored INS history equals the `INSHISTO` entries of the last `00` answer (matricule, key, OID; order free). Evaluates `INSI-STO-03`.",
        |w, _| Box::pin(async move {
            let Some(returned) = w.last_found_answer().map(|e| e.answer.history.clone()) else {
                return w.verdict(
                    &[STORED_HISTORY],
                    vec![problem(STORED_HISTORY, "no call was answered 00".into())],
                );
            };
            let question = format!(
                "Did the software keep the INS history as returned ({} entr{})?",
                returned.len(),
                if returned.len() == 1 { "y" } else { "ies" }
            );
            w.judge(&[STORED_HISTORY, STORED_HISTORY_DATES], question, |o| {
                problems(b::check_stored_history(
                    &returned,
                    o.stored.as_ref().map(|s| s.history.as_slice()),
                ))
            })
            .await
        })
    ),
    step!(
        "Then",
        r#"the software stored (\d+) historical INS"#,
        "the software stored 2 historical INS",
        "The stored history has this many entries. A different count fires `INSI-STO-03`.",
        |w, a| Box::pin(async move {
            let expected: usize = a.captures[0].parse().unwrap_or(usize::MAX);
            let question = format!("Does the software show {expected} historical INS?");
            w.judge(&[STORED_HISTORY, STORED_HISTORY_DATES], question, |o| {
                let seen = o.stored.as_ref().map_or(0, |s| s.history.len());
                if seen == expected {
                    Vec::new()
                } else {
                    vec![problem(
                        STORED_HISTORY,
                        format!(
                            "expected {expected} historical INS stored, the software stored {seen}"
                        ),
                    )]
                }
            })
            .await
        })
    ),
    step!(
        "Then",
        r#"the software stored no INS"#,
        "the software stored no INS",
        "Nothing was stored (an identity is stored only from a complete `00` answer with valid keys). Evaluates `INSI-STO-04`.",
        |w, _| Box::pin(async move {
            w.judge(
                &[ANSWER_ACCEPTANCE],
                "Did the software leave the identity without any INS?".into(),
                |o| match &o.stored {
                    None => Vec::new(),
                    Some(s) => vec![problem(
                        ANSWER_ACCEPTANCE,
                        format!(
                            "the software stored the INS {} although it should store none",
                            s.ins
                        ),
                    )],
                },
            )
            .await
        })
    ),
    step!(
        "Then",
        r#"the software refused the input"#,
        "the software refused the input",
        "The software refused the traits, and before calling. Evaluates `INSI-ALG-04`.",
        |w, _| Box::pin(async move {
            let calls = w.exchanges.len();
            w.judge(
                &[REFUSAL_WITHOUT_CALL],
                "Did the software refuse the traits as invalid?".into(),
                |o| {
                    problems(b::check_refusal_without_call(
                        o.outcome == OutcomeKind::RefusedInput,
                        calls,
                    ))
                },
            )
            .await
        })
    ),
    step!(
        "Then",
        r#"the software refused the answer"#,
        "the software refused the answer",
        "The software refused the answer (invalid key, incomplete answer), told its user and stored nothing. Evaluates `INSI-STO-04`.",
        |w, _| Box::pin(async move {
            let returned = w.returned_identity();
            w.judge(
                &[ANSWER_ACCEPTANCE],
                "Did the software refuse the answer (invalid INS key) and store nothing?".into(),
                |o| {
                    let mut found = returned
                        .map(|r| problems(b::check_answer_acceptance(&r, o.stored.is_some())))
                        .unwrap_or_default();
                    if found.is_empty() && o.outcome != OutcomeKind::RefusedAnswer {
                        found.push(kind_problem(
                            ANSWER_ACCEPTANCE,
                            OutcomeKind::RefusedAnswer,
                            o,
                        ));
                    }
                    found
                },
            )
            .await
        })
    ),
    step!(
        "Then",
        r#"the software reported several identities"#,
        "the software reported several identities",
        "The software told its user that several identities match. Evaluates `INSI-ALG-02`.",
        |w, _| Box::pin(expect_kind(
            w,
            BIRTHPLACE_RETRY,
            OutcomeKind::Ambiguous,
            "Did the software report that several identities match?"
        ))
    ),
    step!(
        "Then",
        r#"the software reported no identity found"#,
        "the software reported no identity found",
        "The software told its user that no identity was found (after the last call with all the first names). Evaluates `INSI-ALG-03`.",
        |w, _| Box::pin(expect_kind(
            w,
            ALL_NAMES_LAST_CALL,
            OutcomeKind::NotFound,
            "Did the software report that no identity was found?"
        ))
    ),
    step!(
        "Then",
        r#"the software reported a technical error"#,
        "the software reported a technical error",
        "The software reported a transport error or timeout (or a fault). Evaluates `INSI-NET-01`, or `INSI-TLS-02` after a negative server certificate.",
        |w, _| Box::pin(async move {
            let rule = if w.ctx.endpoint_override.is_some() {
                SERVER_CERTIFICATE
            } else {
                TECHNICAL_ERROR
            };
            let verdict = w
                .judge(
                    &[rule],
                    "Did the software report a technical error?".into(),
                    |o| match o.outcome {
                        OutcomeKind::TechnicalError | OutcomeKind::Fault => Vec::new(),
                        _ => vec![kind_problem(rule, OutcomeKind::TechnicalError, o)],
                    },
                )
                .await;
            match verdict {
                // Say which setting decides the delay: the software's timeout may just be longer.
                Err(StepError::Failed(mut problems)) if w.late_answer_armed => {
                    for p in &mut problems {
                        p.message.push_str(&format!(
                            " (the answer was held {} s, {}; if your software waits longer, set software_timeout_seconds to its total timeout)",
                            w.late_answer.delay.as_secs(),
                            w.late_answer.source
                        ));
                    }
                    Err(StepError::Failed(problems))
                }
                other => other,
            }
        })
    ),
    step!(
        "Then",
        r#"the software reported an unusable answer"#,
        "the software reported an unusable answer",
        "The software refused an answer it could not read (technical error or refused answer). Evaluates `INSI-RSP-03`.",
        |w, _| Box::pin(async move {
            w.judge(
                &[UNREADABLE_ANSWER],
                "Did the software report that the answer could not be read?".into(),
                |o| match o.outcome {
                    OutcomeKind::TechnicalError | OutcomeKind::RefusedAnswer => Vec::new(),
                    other => vec![problem(
                        UNREADABLE_ANSWER,
                        format!(
                            "expected the answer to be refused, the software reported {}",
                            other.as_str()
                        ),
                    )],
                },
            )
            .await
        })
    ),
    step!(
        "Then",
        r#"the software showed the error "([^"]+)""#,
        r#"the software showed the error "insi_102""#,
        "The software showed its user the fault with this code (the `error_shown` of the outcome contains it, case-insensitive). Evaluates `INSI-FLT-01` (insi_…, desir_1020) or `INSI-FLT-02` (desir_550, DESIR_560).",
        |w, a| Box::pin(async move {
            let code = a.captures[0].clone();
            let rule = b::fault_rule(&code);
            let question = format!("Did the software show the error {code}?");
            w.judge(&[rule], question, |o| {
                let shown = o.error_shown.clone().unwrap_or_default();
                if o.outcome == OutcomeKind::Fault
                    && shown.to_lowercase().contains(&code.to_lowercase())
                {
                    Vec::new()
                } else {
                    vec![problem(
                        rule,
                        format!(
                            "expected the software to show the fault {code}, it reported {}",
                            super::world::describe_outcome(o)
                        ),
                    )]
                }
            })
            .await
        })
    ),
];

/// The assertion rule every call was refused with.
fn check_card_refusal(w: &mut World, rule: &str) -> Result<(), StepError> {
    let expected = RuleId::parse(rule).map_err(|e| StepError::Broken(e.to_string()))?;
    let mut problems = Vec::new();
    if w.exchanges.is_empty() {
        problems.push(problem(
            expected,
            "no call reached the card endpoint".into(),
        ));
    }
    for (i, e) in w.exchanges.iter().enumerate() {
        let first = e
            .findings
            .iter()
            .find(|f| f.rule_id.starts_with("INSI-CPX-") && f.severity == Severity::Fault)
            .and_then(|f| RuleId::parse(&f.rule_id).ok());
        if first != Some(expected) || e.answer.fault.is_none() {
            let seen: Vec<&str> = e.findings.iter().map(|f| f.rule_id.as_str()).collect();
            problems.push(problem(
                expected,
                format!(
                    "call {}: expected a fault for {rule}, got answer {} with findings {}",
                    i + 1,
                    e.answer_word(),
                    if seen.is_empty() {
                        "none".to_owned()
                    } else {
                        seen.join(", ")
                    }
                ),
            ));
            break;
        }
    }
    w.verdict(&[expected], problems)
}

/// No call was refused by an assertion rule.
fn check_card_accepted(w: &mut World) -> Result<(), StepError> {
    if w.exchanges.is_empty() {
        let rule = RuleId::Cpx007;
        return w.verdict(
            &[rule],
            vec![problem(rule, "no call reached the card endpoint".into())],
        );
    }
    let refused: Vec<Problem> = w
        .exchanges
        .iter()
        .flat_map(|e| &e.findings)
        .filter(|f| f.rule_id.starts_with("INSI-CPX-") && f.severity == Severity::Fault)
        .map(|f| Problem {
            rule: f.rule_id.clone(),
            message: format!("the assertion was refused: {}", f.message),
        })
        .collect();
    w.verdict(&[], refused)
}

fn problem(rule: RuleId, message: String) -> Problem {
    Problem {
        rule: rule.as_str().to_owned(),
        message,
    }
}

fn problems(findings: Vec<insilab_core::rules::Finding>) -> Vec<Problem> {
    findings.into_iter().map(Problem::from).collect()
}

/// The call checks over every call.
fn calls_step(w: &mut World, checks: &[CallCheck]) -> Result<(), StepError> {
    let (rules, problems) = judge_calls(&w.exchanges, checks);
    w.verdict(&rules, problems)
}

/// After a search by traits: the first-name loop rules over the calls (up to the first 02,
/// whose retry [`BIRTHPLACE_RETRY`] judges). Other actions evaluate nothing here.
fn first_name_loop(w: &World) -> (Vec<RuleId>, Vec<Problem>) {
    let (Some(Action::SearchTraits | Action::SearchTraitsCardMode), Some(input)) =
        (w.action, &w.input)
    else {
        return (vec![FIRST_NAME_LOOP], Vec::new());
    };
    // A card-mode call refused under an assertion rule was not read: what it sent is unknown,
    // so the loop is not judged on it (the assertion rules are).
    if w.action == Some(Action::SearchTraitsCardMode)
        && w.exchanges.iter().any(|e| {
            e.findings
                .iter()
                .any(|f| f.rule_id.starts_with("INSI-CPX-") && f.severity == Severity::Fault)
        })
    {
        return (vec![FIRST_NAME_LOOP], Vec::new());
    }
    let mut calls = w.observed_calls();
    if let Some(first_02) = calls.iter().position(|c| c.cr.as_deref() == Some("02")) {
        calls.truncate(first_02 + 1);
    }
    (
        vec![FIRST_NAME_LOOP, ALL_NAMES_LAST_CALL],
        problems(b::check_first_name_loop(&input.first_names, &calls)),
    )
}

/// The stored INS: key and value (`INSI-STO-01`), OID (`INSI-STO-05`), and the answer it came
/// from could be accepted (`INSI-STO-04`).
async fn stored_ins_step(w: &mut World, expected: StoredIns) -> Result<(), StepError> {
    let question = format!("Did the software store the INS {expected}?");
    let returned = w.returned_identity();
    w.judge(
        &[STORED_INS, STORED_OID, ANSWER_ACCEPTANCE],
        question,
        |o| {
            let stored = o.stored.as_ref().map(|s| &s.ins);
            let mut found = problems(b::check_stored_ins(&expected, stored));
            if let Some(r) = returned {
                found.extend(problems(b::check_answer_acceptance(&r, stored.is_some())));
            }
            if stored.is_none() {
                // Say why nothing was stored, as the software reported it.
                if let Some(p) = found.first_mut() {
                    p.message.push_str(&format!(
                        " (reported {}{})",
                        o.outcome.as_str(),
                        o.message
                            .as_deref()
                            .map(|m| format!(": {m}"))
                            .unwrap_or_default()
                    ));
                }
            }
            found
        },
    )
    .await
}

async fn expect_kind(
    w: &mut World,
    rule: RuleId,
    kind: OutcomeKind,
    question: &str,
) -> Result<(), StepError> {
    w.judge(&[rule], question.to_owned(), |o| {
        if o.outcome == kind {
            Vec::new()
        } else {
            vec![kind_problem(rule, kind, o)]
        }
    })
    .await
}

fn kind_problem(rule: RuleId, kind: OutcomeKind, o: &SutOutcome) -> Problem {
    problem(
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
    )
}

fn describe_first_names(exchanges: &[Exchange]) -> String {
    let names: Vec<String> = exchanges
        .iter()
        .map(|e| format!("{:?}→{}", e.sent.first_names.join(" "), e.answer_word()))
        .collect();
    format!("[{}]", names.join(", "))
}
