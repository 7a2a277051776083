//! Drivers make the software under test act. One trait, several implementations:
//! [`reference`](mod@reference) (insilab's own client), [`faulty`] (the same with deliberate bugs: the
//! self-test), [`command`], [`http`] and [`manual`].

pub mod command;
pub mod faulty;
pub mod http;
pub mod manual;
pub mod reference;

use std::sync::{Arc, Mutex};

use insilab_reports::model::Attestation;

use crate::HarnessError;
use crate::outcome::{CardInput, StoredIns, SutOutcome, TraitsInput};
use crate::sim::{BoxFuture, Mark, SimControl};

/// Everything a driver may need while acting for one scenario.
pub struct ActionContext {
    /// Scenario id (`cnda/2.07-cas1`).
    pub scenario_id: String,
    /// Endpoint to call instead of the simulator's usual one (negative server identities);
    /// drivers that cannot redirect the software report it with [`Driver::can_redirect`].
    pub endpoint_override: Option<String>,
    /// The simulator (the manual driver watches its journal).
    pub sim: Arc<dyn SimControl>,
    /// Journal mark of the scenario's start.
    pub mark: Mark,
    /// Attestations recorded while acting.
    pub attestations: Mutex<Vec<Attestation>>,
}

impl ActionContext {
    /// Records one attestation.
    pub fn attest(&self, attestation: Attestation) {
        if let Ok(mut list) = self.attestations.lock() {
            list.push(attestation);
        }
    }
}

/// The card a card-mode action signs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardAction {
    /// The test professional whose virtual card signs (`899900063480`).
    pub professional_id: String,
    /// `valid`, or a case of the negative catalogue (`insilab_certs::card_cases`) that makes
    /// the software send a wrong assertion (the reference driver only).
    pub case: String,
}

/// How a software under test is made to act and asked what it did.
pub trait Driver: Send + Sync {
    /// Short name for reports (`reference`, `command`…).
    fn name(&self) -> String;

    /// Whether the driver can point the software at another endpoint for one scenario.
    fn can_redirect(&self) -> bool {
        false
    }

    /// Whether outcome checks are answered by a person (manual driver) rather than read from
    /// a reported outcome.
    fn attests(&self) -> bool {
        false
    }

    /// Asks the operator a yes/no question (manual driver); others answer `None`.
    fn ask<'a>(
        &'a self,
        _ctx: &'a ActionContext,
        _question: &'a str,
    ) -> BoxFuture<'a, Result<Option<bool>, HarnessError>> {
        Box::pin(async { Ok(None) })
    }

    /// Searches an INS with identity traits, as a user of the software would.
    fn search_traits<'a>(
        &'a self,
        ctx: &'a ActionContext,
        input: &'a TraitsInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>>;

    /// Searches an INS with identity traits in card mode: the software signs its assertion with
    /// the CPx card `card` (a virtual card of the test PKI) and calls the card endpoint.
    fn search_traits_with_card<'a>(
        &'a self,
        _ctx: &'a ActionContext,
        _input: &'a TraitsInput,
        _card: &'a CardAction,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        let name = self.name();
        Box::pin(async move {
            Err(HarnessError::Skipped(format!(
                "driver {name} cannot call in card mode"
            )))
        })
    }

    /// Searches with a Vitale card.
    fn search_card<'a>(
        &'a self,
        _ctx: &'a ActionContext,
        _input: &'a CardInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        let name = self.name();
        Box::pin(async move {
            Err(HarnessError::Skipped(format!(
                "driver {name} cannot search by card"
            )))
        })
    }

    /// Verifies an INS against traits.
    fn verify<'a>(
        &'a self,
        _ctx: &'a ActionContext,
        _ins: &'a StoredIns,
        _input: &'a TraitsInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        let name = self.name();
        Box::pin(async move {
            Err(HarnessError::Skipped(format!(
                "driver {name} cannot verify an INS"
            )))
        })
    }
}
