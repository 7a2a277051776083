//! The `reference` driver: insilab's own INSi client plays the software under test. It is
//! correct by construction, so the whole CNDA suite passes with it (the demo), and it is the
//! base of the faulty self-test drivers.

use std::sync::Arc;
use std::time::Duration;

use insilab_client::{
    CardQuery, ClientConfig, InsiClient, SearchOutcome, TraitsQuery, Verdict, VerifyQuery, kind,
};

use crate::HarnessError;
use crate::driver::{ActionContext, CardAction, Driver};
use crate::manager::{Defect, Manager};
use crate::outcome::{
    CardInput, OutcomeKind, StoredIdentity, StoredIns, StoredTraits, SutOutcome, TraitsInput,
};
use crate::sim::BoxFuture;

/// Total timeout of one reference-client attempt: shorter than the harness's injected delay
/// ([`crate::steps::BEYOND_TIMEOUT`]) so the timeout scenario is meaningful.
pub const REFERENCE_TOTAL_TIMEOUT: Duration = Duration::from_secs(1);

/// The reference driver.
pub struct ReferenceDriver {
    pki: Arc<insilab_certs::Pki>,
    identity: String,
    /// The reference identity manager of the running scenario (its id, its store): reset when
    /// another scenario acts.
    manager: tokio::sync::Mutex<Option<(String, Manager)>>,
    defect: Option<Defect>,
}

impl ReferenceDriver {
    /// A reference driver calling with the PKI identity `identity` (normally `insi-auto`).
    pub fn new(pki: Arc<insilab_certs::Pki>, identity: &str) -> Self {
        ReferenceDriver {
            pki,
            identity: identity.to_owned(),
            manager: tokio::sync::Mutex::new(None),
            defect: None,
        }
    }

    /// The same driver whose identity manager has one deliberate defect (faulty drivers).
    pub fn with_defect(mut self, defect: Option<Defect>) -> Self {
        self.defect = defect;
        self
    }

    /// Builds a client for `url` presenting the driver's identity.
    pub fn client(&self, url: &str) -> Result<InsiClient, HarnessError> {
        self.client_with(url, &self.identity)
    }

    /// Builds a client for `url` presenting another PKI identity.
    pub fn client_with(&self, url: &str, identity: &str) -> Result<InsiClient, HarnessError> {
        let tls = self.pki.client_config(identity).map_err(|e| {
            HarnessError::Driver(format!("cannot load the client identity {identity}: {e}"))
        })?;
        let config = ClientConfig {
            url: url.to_owned(),
            total_timeout: REFERENCE_TOTAL_TIMEOUT,
            connect_timeout: REFERENCE_TOTAL_TIMEOUT,
            ..ClientConfig::default()
        };
        InsiClient::from_rustls(config, tls)
            .map_err(|e| HarnessError::Driver(format!("cannot build the reference client: {e}")))
    }

    /// Builds a card-mode client for `url`: no client certificate, every call signed with the
    /// virtual card of `card`.
    pub fn card_client(&self, url: &str, card: &CardAction) -> Result<InsiClient, HarnessError> {
        let tls = self.pki.anonymous_client_config().map_err(|e| {
            HarnessError::Driver(format!(
                "cannot build a tls configuration without client certificate: {e}"
            ))
        })?;
        let signer = insilab_client::CardSigner::new((*self.pki).clone(), &card.professional_id)
            .and_then(|s| s.with_case(&card.case))
            .map_err(|e| HarnessError::Driver(format!("cannot use the virtual card: {e}")))?;
        let config = ClientConfig {
            url: url.to_owned(),
            total_timeout: REFERENCE_TOTAL_TIMEOUT,
            connect_timeout: REFERENCE_TOTAL_TIMEOUT,
            ..ClientConfig::default()
        };
        Ok(InsiClient::from_rustls(config, tls)
            .map_err(|e| HarnessError::Driver(format!("cannot build the reference client: {e}")))?
            .with_card(signer))
    }

    /// The URL the software must call in this scenario.
    pub fn url(ctx: &ActionContext) -> String {
        ctx.endpoint_override
            .clone()
            .unwrap_or_else(|| ctx.sim.endpoint_url())
    }
}

/// Converts the harness's traits into the client's query.
pub fn to_query(input: &TraitsInput) -> TraitsQuery {
    TraitsQuery {
        birth_name: input.birth_name.clone(),
        first_names: input.first_names.clone(),
        sex: input.sex.clone(),
        birth_date: input.birth_date.clone(),
        birthplace: input.birthplace.clone(),
    }
}

/// Splits a 15-character INS into matricule and key.
pub fn split_ins(ins: &str) -> (String, String) {
    match (ins.get(..13), ins.get(13..)) {
        (Some(m), Some(k)) => (m.to_owned(), k.to_owned()),
        _ => (ins.to_owned(), String::new()),
    }
}

/// What a conforming software reports after the reference client's search.
pub fn to_outcome(search: &SearchOutcome) -> SutOutcome {
    let mut calls = search.attempts.len();
    let mut out = match &search.verdict {
        Verdict::Found(f) => {
            let (matricule, key) = split_ins(&f.ins);
            let history = f
                .history
                .iter()
                .map(|h| {
                    let (matricule, key) = split_ins(&h.ins);
                    StoredIns {
                        matricule,
                        key,
                        oid: h.oid.clone().unwrap_or_else(|| f.oid.clone()),
                        date_deb: h.date_deb.clone(),
                        date_fin: h.date_fin.clone(),
                    }
                })
                .collect();
            let t = &f.traits;
            let mut o = SutOutcome::bare(OutcomeKind::Found);
            o.stored = Some(StoredIdentity {
                ins: StoredIns {
                    matricule,
                    key,
                    oid: f.oid.clone(),
                    ..StoredIns::default()
                },
                traits: StoredTraits {
                    birth_name: t.birth_name.clone(),
                    first_name: t.first_name.clone(),
                    first_names_list: t.first_names.clone(),
                    sex: t.sex.clone(),
                    birth_date: t.birth_date.clone(),
                    birthplace: Some(t.birthplace.clone()),
                },
                history,
                status: Some("RECUP".to_owned()),
            });
            o
        }
        Verdict::Verified { .. } => SutOutcome::bare(OutcomeKind::Verified),
        Verdict::NotFound => SutOutcome::bare(OutcomeKind::NotFound),
        Verdict::Ambiguous => SutOutcome::bare(OutcomeKind::Ambiguous),
        Verdict::RefusedInput { violations } => {
            let mut o = SutOutcome::bare(OutcomeKind::RefusedInput);
            o.message = Some(
                violations
                    .iter()
                    .map(|v| format!("{} {}: {}", v.field, v.rule_id, v.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            o
        }
        Verdict::RefusedAnswer { reason, rule } => {
            let mut o = SutOutcome::bare(OutcomeKind::RefusedAnswer);
            o.error_shown = Some(reason.clone());
            o.message = Some(format!("{rule}: {reason}"));
            o
        }
        Verdict::Fault { code, reason, .. } => {
            let mut o = SutOutcome::bare(OutcomeKind::Fault);
            o.error_shown = Some(format!("{code}: {reason}"));
            o
        }
        Verdict::TechnicalError { kind: k, message } => {
            // No journal entry to wait for: these failures happen before the request is sent,
            // and a request the client gave up on (timeout) is dropped by the simulator with
            // the connection, unanswered and unrecorded.
            if [
                kind::CONNECT,
                kind::TLS,
                kind::CONNECT_TIMEOUT,
                kind::TIMEOUT,
                kind::CARD,
            ]
            .contains(&k.as_str())
            {
                calls = calls.saturating_sub(1);
            }
            // An answer that arrived whole (HTTP 200) but cannot be read as INSi is an answer
            // the client refuses (INSI-RSP-03); transport, timeout and HTTP errors are technical
            // errors (INSI-NET-01).
            let kind = if k == kind::MALFORMED {
                OutcomeKind::RefusedAnswer
            } else {
                OutcomeKind::TechnicalError
            };
            let mut o = SutOutcome::bare(kind);
            o.error_shown = Some(format!("{k}: {message}"));
            o
        }
        _ => {
            let mut o = SutOutcome::bare(OutcomeKind::TechnicalError);
            o.message = Some(format!("unknown verdict {:?}", search.verdict));
            o
        }
    };
    out.calls = u32::try_from(calls).ok();
    out
}

/// The client's card query for the card of a step.
pub fn to_card_query(input: &CardInput) -> CardQuery {
    CardQuery {
        insured_nir: input.insured_nir.clone(),
        beneficiary_nir: input.beneficiary_nir.clone(),
        birth_name: input.birth_name.clone(),
        birth_date: input.birth_date.clone(),
        birth_rank: input.birth_rank.to_string(),
    }
}

/// The verification query for an INS and the traits the scenario gives.
pub fn to_verify_query(ins: &StoredIns, input: &TraitsInput) -> VerifyQuery {
    VerifyQuery {
        ins: format!("{}{}", ins.matricule, ins.key),
        oid: ins.oid.clone(),
        birth_name: input.birth_name.clone(),
        first_names: input.first_names.clone(),
        sex: input.sex.clone(),
        birth_date: input.birth_date.clone(),
        birthplace: input.birthplace.clone(),
    }
}

/// Maps a verification's outcome to the driver protocol: a verification stores nothing; its
/// answer is "verified" or "not verified" (or the error it met).
pub fn to_verify_outcome(search: &SearchOutcome) -> SutOutcome {
    let mut out = to_outcome(search);
    match search.verdict {
        Verdict::Found(_) | Verdict::Verified { .. } => {
            out.outcome = OutcomeKind::Verified;
            out.stored = None;
        }
        Verdict::NotFound => out.outcome = OutcomeKind::NotVerified,
        _ => {}
    }
    out
}

impl Driver for ReferenceDriver {
    fn name(&self) -> String {
        "reference".to_owned()
    }

    fn search_traits<'a>(
        &'a self,
        ctx: &'a ActionContext,
        input: &'a TraitsInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let client = self.client(&Self::url(ctx))?;
            Ok(to_outcome(&client.search_traits(&to_query(input)).await))
        })
    }

    fn search_traits_with_card<'a>(
        &'a self,
        ctx: &'a ActionContext,
        input: &'a TraitsInput,
        card: &'a CardAction,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let Some(url) = ctx.sim.card_url() else {
                return Err(HarnessError::Skipped(
                    "this simulator has no card-mode endpoint".to_owned(),
                ));
            };
            let client = self.card_client(&url, card)?;
            Ok(to_outcome(&client.search_traits(&to_query(input)).await))
        })
    }

    fn search_card<'a>(
        &'a self,
        ctx: &'a ActionContext,
        input: &'a CardInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let client = self.client(&Self::url(ctx))?;
            Ok(to_outcome(&client.search_card(&to_card_query(input)).await))
        })
    }

    fn verify<'a>(
        &'a self,
        ctx: &'a ActionContext,
        ins: &'a StoredIns,
        input: &'a TraitsInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let client = self.client(&Self::url(ctx))?;
            let search = client.verify(&to_verify_query(ins, input)).await;
            let out = to_verify_outcome(&search);
            Ok(out)
        })
    }

    fn act<'a>(
        &'a self,
        ctx: &'a ActionContext,
        action: &'a crate::actions::IdentityAction,
    ) -> BoxFuture<'a, Result<crate::actions::ActionOutcome, HarnessError>> {
        Box::pin(async move {
            let mut guard = self.manager.lock().await;
            let fresh = guard
                .as_ref()
                .is_none_or(|(scenario, _)| *scenario != ctx.scenario_id);
            if fresh {
                *guard = Some((ctx.scenario_id.clone(), Manager::with_defect(self.defect)));
            }
            let Some((_, manager)) = guard.as_mut() else {
                return Err(HarnessError::Driver("no identity manager".into()));
            };
            let url = Self::url(ctx);
            let factory = || self.client(&url);
            Ok(manager.act(action, &factory).await)
        })
    }
}
