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
use serde::{Deserialize, Serialize};

use crate::HarnessError;
use crate::outcome::{CardInput, StoredIns, SutOutcome, TraitsInput};
use crate::sim::{BoxFuture, Mark, SimControl};

/// Everything a driver may need while acting for one scenario.
pub struct ActionContext {
    /// Scenario id (`cnda/2.07-cas1`).
    pub scenario_id: String,
    /// Endpoint to call instead of the simulator's usual one (a listener presenting a negative
    /// server identity): every driver hands it to the software (`{endpoint}`, the hook's
    /// `endpoint`, the manual prompt).
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

/// Why the command, http and manual drivers skip the negative card cases.
pub const FORGED_CARD_CASES_REASON: &str = "the negative card cases are forged by the reference driver: a software under test cannot be asked to send a wrong assertion";

/// Where a virtual card's signing material is, for a software under test that signs its own
/// assertions (command placeholders, the http hook's `cpx_card` object, the manual prompt).
/// Paths are absolute, read from the PKI's `index.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardSigning {
    /// The test professional holding the card (`899900063480`).
    pub professional_id: String,
    /// The card's identity name in `index.yaml` (`cpx-899900063480`).
    pub identity: String,
    /// The card's PKCS#12 bundle (key, certificate, chain), when the PKI wrote one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p12: Option<String>,
    /// The PKCS#12 password.
    pub p12_password: String,
    /// The signature key (PKCS#8 PEM, unencrypted).
    pub key: String,
    /// The signature certificate (PEM).
    pub cert: String,
    /// The certificate and its issuing CA (PEM, without the root).
    pub chain: String,
    /// The PKI directory (its roots verify the simulator's server certificate).
    pub pki_dir: String,
}

/// The signing material of `card` in `pki` (the valid card of its professional).
pub fn card_signing(
    pki: &insilab_certs::Pki,
    card: &CardAction,
) -> Result<CardSigning, HarnessError> {
    let bad = |message: String| HarnessError::Pki {
        path: pki.dir().to_owned(),
        message,
    };
    let spec = insilab_certs::cards::card_of(&card.professional_id).ok_or_else(|| {
        bad(format!(
            "{:?} is not a test professional with a virtual card",
            card.professional_id
        ))
    })?;
    let index = pki.index();
    let entry = index.identity(spec.name).ok_or_else(|| {
        bad(format!(
            "the card {} is not listed in index.yaml: regenerate with `insilab pki init --force`",
            spec.name
        ))
    })?;
    let absolute = |p: std::path::PathBuf| std::path::absolute(&p).unwrap_or(p);
    let path = |rel: &str| absolute(pki.dir().join(rel)).display().to_string();
    Ok(CardSigning {
        professional_id: card.professional_id.clone(),
        identity: spec.name.to_owned(),
        p12: entry.p12.as_deref().map(path),
        p12_password: index.p12_password.clone(),
        key: path(&entry.key),
        cert: path(&entry.cert),
        chain: path(&entry.chain),
        pki_dir: absolute(pki.dir().to_owned()).display().to_string(),
    })
}

/// The card endpoint and signing material of a card-mode action by a driver that makes the
/// software under test act: skipped (with the reason) for the negative cases, a simulator
/// without card endpoint, or a driver given no PKI.
pub fn card_action_setup(
    driver: &str,
    pki: Option<&insilab_certs::Pki>,
    ctx: &ActionContext,
    card: &CardAction,
) -> Result<(String, CardSigning), HarnessError> {
    if card.case != insilab_certs::card_cases::VALID_CASE {
        return Err(HarnessError::Skipped(format!(
            "{FORGED_CARD_CASES_REASON} (case {:?})",
            card.case
        )));
    }
    let Some(url) = ctx.sim.card_url() else {
        return Err(HarnessError::Skipped(
            "this simulator has no card-mode endpoint".to_owned(),
        ));
    };
    let Some(pki) = pki else {
        return Err(HarnessError::Skipped(format!(
            "driver {driver} has no test PKI to take the virtual card from (see --pki)"
        )));
    };
    Ok((url, card_signing(pki, card)?))
}

/// How a software under test is made to act and asked what it did.
pub trait Driver: Send + Sync {
    /// Short name for reports (`reference`, `command`…).
    fn name(&self) -> String;

    /// The software's own total timeout for one INSi search, as its driver configuration
    /// declares it (`software_timeout_seconds`): the late-answer scenario delays the answer
    /// beyond it. `None`: not declared.
    fn software_timeout(&self) -> Option<std::time::Duration> {
        None
    }

    /// The software's own authorisation numbers (`LPS/IDAM`) its driver configuration declares
    /// (`allow_idam`): the in-process simulator accepts them.
    fn allowed_idam(&self) -> Vec<String> {
        Vec::new()
    }

    /// The channels the software receives data on, as its driver configuration declares them
    /// (`channels`): [`crate::delivery`] sends there. Default: none (payloads go inline).
    fn channels(&self) -> crate::delivery::Channels {
        crate::delivery::Channels::default()
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

    /// Carries out an identity-management action (receiving and business suites,
    /// [`crate::actions`]). Drivers that cannot skip the scenario.
    fn act<'a>(
        &'a self,
        _ctx: &'a ActionContext,
        action: &'a crate::actions::IdentityAction,
    ) -> BoxFuture<'a, Result<crate::actions::ActionOutcome, HarnessError>> {
        let name = self.name();
        let action = action.name();
        Box::pin(async move {
            Err(HarnessError::Skipped(format!(
                "driver {name} cannot carry out the action {action}"
            )))
        })
    }
}
