//! The `Given` steps: how the simulator answers the next call, which dialect, which server
//! identity.

use super::{StepArgs, StepDef, StepError, World, step_error};
use crate::sim::{Answer, DialectChoice, OverrideSpec};

pub(super) static STEPS: &[StepDef] = &[
    step!(
        "Given",
        r#"the simulator answers the next search for "([^"]+)" with the (?:CNDA|insilab answer) file "([^"]+)""#,
        r#"the simulator answers the next search for "ECETINSI" with the CNDA file "TEST_2.04_cas2""#,
        "Overrides the answer to the next traits search carrying this birth name with an answer file: a CNDA one (`REP_CR01`, `TEST_2.04_cas2`, `TEST_2.05`, `TEST_2.08_cas1`, `TEST_2.08_cas2`), or, written `the insilab answer file`, one of insilab's own (`INSILAB_HISTO_BAD_KEY`, `INSILAB_ACTIVE_BAD_KEY`, `INSILAB_HISTO_NIA`, `INSILAB_EMPTY_SEXE`, `INSILAB_RESULT_HTTP_500`; see `simulator.md`).",
        |w, a| Box::pin(override_step(w, a, Answer::CndaFile(a.captures[1].clone())))
    ),
    step!(
        "Given",
        r#"the simulator answers the next verification for "([^"]+)" with (?:the case "(verified|unknown|traits_mismatch|replaced)"|the fault "([^"]+)")"#,
        r#"the simulator answers the next verification for "ECETINSI" with the case "traits_mismatch""#,
        "Overrides the answer to the next **verification** carrying this birth name: as one of its cases (`verified`, `unknown`, `traits_mismatch`, `replaced`, answered by the dataset's verification templates, reconstructed contract: see `simulator.md`) or with a SOAP fault by its `Erreur` code.",
        |w, a| {
            let answer = verification_answer(a);
            Box::pin(override_step(w, a, answer))
        }
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
        "Delays the answer to the next matching search beyond the software's total timeout: `software_timeout_seconds` of the driver configuration plus 2 s, or `insilab run --timeout-delay SECS`, else 3 s (the reference driver's timeout is 1 s). Tagged `@slow` in the shipped suite.",
        |w, a| {
            let delay = w.late_answer.delay;
            w.late_answer_armed = true;
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
        "Serves this negative server identity of the PKI (`server-expired`, `server-untrusted`) on a listener of its own and points the software at it: the reference driver calls it, the command driver passes it as `{endpoint}`, the http driver as `endpoint`, the manual driver tells the operator. Needs the in-process simulator; skipped with a remote one.",
        |w, a| Box::pin(async move {
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
];

/// The answer of the verification override step: a case, else a fault.
fn verification_answer(a: &StepArgs) -> Answer {
    match a.captures.get(1).filter(|c| !c.is_empty()) {
        Some(case) => Answer::VerificationCase(case.clone()),
        None => Answer::VerificationFault(a.captures.get(2).cloned().unwrap_or_default()),
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
