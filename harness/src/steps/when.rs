//! The `When` steps: make the software act (search by traits or card, verify), then collect the
//! calls that reached the simulator.

use super::tables::{card_from_table, step_table, traits_from_table};
use super::world::Action;
use super::{JOURNAL_SETTLE, JOURNAL_WAIT, StepArgs, StepDef, StepError, World, step_error};
use crate::HarnessError;
use crate::exchange::Exchange;
use crate::outcome::{StoredIns, SutOutcome};
use crate::sim::{Mark, SimControl};

pub(super) static STEPS: &[StepDef] = &[
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
];

/// Ends an action step: keeps the outcome the driver reported and the calls that reached the
/// simulator.
async fn finish_action(
    w: &mut World,
    action: Action,
    outcome: Result<SutOutcome, HarnessError>,
) -> Result<(), StepError> {
    let outcome = outcome.map_err(step_error)?;
    collect_calls(w, &outcome).await?;
    w.outcome = Some(outcome);
    w.action = Some(action);
    Ok(())
}

async fn search_card_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let input = card_from_table(step_table(a, "card search")?).map_err(StepError::Broken)?;
    let outcome = w.driver.search_card(&w.ctx, &input).await;
    finish_action(w, Action::SearchCard, outcome).await
}

async fn search_traits_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let input = traits_from_table(step_table(a, "search")?).map_err(StepError::Broken)?;
    let outcome = w.driver.search_traits(&w.ctx, &input).await;
    w.input = Some(input);
    finish_action(w, Action::SearchTraits, outcome).await
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
    finish_action(w, Action::SearchTraitsCardMode, outcome).await
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
    finish_action(w, Action::Verify, outcome).await
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
    if w.exchanges.is_empty() {
        w.tls_failures = w
            .sim
            .handshake_failures_since(w.ctx.mark)
            .await
            .map_err(step_error)?;
    }
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
