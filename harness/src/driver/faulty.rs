//! The self-test: the reference driver with one deliberate bug. Each [`FaultyBug`] must make at
//! least one scenario fail with a message naming its rule (a test asserts it for the whole
//! catalogue): a suite that passes everything proves nothing.

use std::sync::Arc;

use insilab_client::{SearchOutcome, Verdict};
use insilab_core::rules::RuleId;
use insilab_core::rules::behaviour as b;
use tokio::sync::OnceCell;

use crate::HarnessError;
use crate::driver::reference::{
    ReferenceDriver, to_card_query, to_outcome, to_query, to_verify_outcome, to_verify_query,
};
use crate::driver::{ActionContext, Driver};
use crate::manager::Defect;
use crate::outcome::{CardInput, OutcomeKind, StoredIns, SutOutcome, TraitsInput};
use crate::sim::BoxFuture;
use crate::steps::{OID_NIA, OID_NIR};
use crate::tamper::{Rewrite, TamperProxy, remove_element, rewrite_elements};

/// The catalogue of deliberately broken client behaviours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FaultyBug {
    /// Sends every first name in one call instead of one per call.
    NoFirstNameLoop,
    /// Loops over the first names but never makes the final all-names call.
    NoFinalAllNamesCall,
    /// Sends the traits in lower case.
    LowerCaseTraits,
    /// Sends characters outside the lexical profile instead of refusing them.
    InvalidCharactersSent,
    /// Calls with a certificate whose CN is not INSI-AUTO/INSI-MANU.
    WrongCertificate,
    /// Omits the `ContexteLPS` header.
    MissingContexteLps,
    /// Sends a MessageID without the `uuid:` prefix.
    MessageIdWithoutUuid,
    /// Stores the INS with a wrong key.
    WrongKeyStored,
    /// Stores a NIA with the NIR OID.
    NiaStoredWithNirOid,
    /// Drops the INS history.
    HistoryDropped,
    /// Re-cases the returned traits before storing them.
    TraitsRecased,
    /// Sends the birthplace on its first call instead of only to resolve a `02`.
    BirthplaceOnFirstCall,
    /// Keeps the historical INS but drops their `DateDeb`/`DateFin`.
    HistoryDatesDropped,
    /// Reports a transport error, a timeout or an HTTP error as "no identity found".
    TechnicalErrorAsNotFound,
    /// Shows a generic message instead of the fault's code.
    FaultCodeHidden,
    /// Reports every verification as verified, whatever the service answered.
    AlwaysVerified,
    /// Sends the Vitale card's matricule with a wrong key.
    CardMatriculeKeyWrong,
    /// Trusts an INS received from another domain without calling the INSi verification.
    SkipsVerificationOnReceipt,
    /// Stores an HL7 INS received with PID-32 `PROV` as if it were `VALI`.
    TrustsPid32Prov,
    /// Prints the INS Datamatrix for an identity that is not qualified (`RECUP`, `PROV`).
    DatamatrixForUnqualified,
    /// Puts the INS in PID-3 with a wrong assigning authority.
    InsInPid3WrongAuthority,
    /// Overwrites the local traits with differing INSi traits, silently.
    OverwritesLocalTraits,
    /// Keeps calling INSi for a doubtful identity.
    InsiForDoubtful,
}

impl FaultyBug {
    /// Every bug.
    pub const ALL: [FaultyBug; 23] = [
        FaultyBug::NoFirstNameLoop,
        FaultyBug::NoFinalAllNamesCall,
        FaultyBug::LowerCaseTraits,
        FaultyBug::InvalidCharactersSent,
        FaultyBug::WrongCertificate,
        FaultyBug::MissingContexteLps,
        FaultyBug::MessageIdWithoutUuid,
        FaultyBug::WrongKeyStored,
        FaultyBug::NiaStoredWithNirOid,
        FaultyBug::HistoryDropped,
        FaultyBug::TraitsRecased,
        FaultyBug::BirthplaceOnFirstCall,
        FaultyBug::HistoryDatesDropped,
        FaultyBug::TechnicalErrorAsNotFound,
        FaultyBug::FaultCodeHidden,
        FaultyBug::AlwaysVerified,
        FaultyBug::CardMatriculeKeyWrong,
        FaultyBug::SkipsVerificationOnReceipt,
        FaultyBug::TrustsPid32Prov,
        FaultyBug::DatamatrixForUnqualified,
        FaultyBug::InsInPid3WrongAuthority,
        FaultyBug::OverwritesLocalTraits,
        FaultyBug::InsiForDoubtful,
    ];

    /// Kebab-case name used by `--driver faulty:<name>`.
    pub fn name(self) -> &'static str {
        match self {
            FaultyBug::NoFirstNameLoop => "no-first-name-loop",
            FaultyBug::NoFinalAllNamesCall => "no-final-all-names-call",
            FaultyBug::LowerCaseTraits => "lower-case-traits",
            FaultyBug::InvalidCharactersSent => "invalid-characters-sent",
            FaultyBug::WrongCertificate => "wrong-certificate",
            FaultyBug::MissingContexteLps => "missing-contexte-lps",
            FaultyBug::MessageIdWithoutUuid => "message-id-without-uuid",
            FaultyBug::WrongKeyStored => "wrong-key-stored",
            FaultyBug::NiaStoredWithNirOid => "nia-stored-with-nir-oid",
            FaultyBug::HistoryDropped => "history-dropped",
            FaultyBug::TraitsRecased => "traits-recased",
            FaultyBug::BirthplaceOnFirstCall => "birthplace-on-first-call",
            FaultyBug::HistoryDatesDropped => "history-dates-dropped",
            FaultyBug::TechnicalErrorAsNotFound => "technical-error-as-not-found",
            FaultyBug::FaultCodeHidden => "fault-code-hidden",
            FaultyBug::AlwaysVerified => "always-verified",
            FaultyBug::CardMatriculeKeyWrong => "card-matricule-key-wrong",
            FaultyBug::SkipsVerificationOnReceipt => "skips-verification-on-receipt",
            FaultyBug::TrustsPid32Prov => "trusts-pid32-prov",
            FaultyBug::DatamatrixForUnqualified => "datamatrix-for-unqualified",
            FaultyBug::InsInPid3WrongAuthority => "ins-in-pid3-wrong-authority",
            FaultyBug::OverwritesLocalTraits => "overwrites-local-traits",
            FaultyBug::InsiForDoubtful => "insi-for-doubtful",
        }
    }

    /// Parses a kebab-case name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.name() == name)
    }

    /// The rule of the catalogue (`core::rules`) that must fire in a failed scenario when this
    /// bug is caught; no two bugs share one.
    pub fn rule(self) -> RuleId {
        match self {
            FaultyBug::NoFirstNameLoop => b::FIRST_NAME_LOOP,
            FaultyBug::NoFinalAllNamesCall => b::ALL_NAMES_LAST_CALL,
            FaultyBug::LowerCaseTraits => RuleId::Trt002,
            FaultyBug::InvalidCharactersSent => b::REFUSAL_WITHOUT_CALL,
            FaultyBug::WrongCertificate => b::ORGANISATION_CERTIFICATE,
            FaultyBug::MissingContexteLps => RuleId::Hdr013,
            FaultyBug::MessageIdWithoutUuid => RuleId::Hdr005,
            FaultyBug::WrongKeyStored => b::STORED_INS,
            FaultyBug::NiaStoredWithNirOid => b::STORED_OID,
            FaultyBug::HistoryDropped => b::STORED_HISTORY,
            FaultyBug::TraitsRecased => b::STORED_TRAITS,
            FaultyBug::TechnicalErrorAsNotFound => b::TECHNICAL_ERROR,
            FaultyBug::FaultCodeHidden => b::FAULT_SHOWN,
            FaultyBug::AlwaysVerified => b::VERIFICATION_OUTCOME,
            FaultyBug::CardMatriculeKeyWrong => RuleId::Vit002,
            FaultyBug::BirthplaceOnFirstCall => b::BIRTHPLACE_RETRY,
            FaultyBug::HistoryDatesDropped => b::STORED_HISTORY_DATES,
            FaultyBug::SkipsVerificationOnReceipt => b::VERIFICATION_ON_RECEIPT,
            FaultyBug::TrustsPid32Prov => b::PID32_NOT_VALI,
            FaultyBug::DatamatrixForUnqualified => b::INS_ONLY_WHEN_QUALIFIED,
            FaultyBug::InsInPid3WrongAuthority => RuleId::Hl7001,
            FaultyBug::OverwritesLocalTraits => b::NO_SILENT_OVERWRITE,
            FaultyBug::InsiForDoubtful => b::DOUBTFUL_BLOCKS_INSI,
        }
    }

    /// The step family whose failure this bug proves possible.
    pub fn family(self) -> &'static str {
        match self {
            FaultyBug::NoFirstNameLoop | FaultyBug::NoFinalAllNamesCall => "first-name loop",
            FaultyBug::LowerCaseTraits | FaultyBug::InvalidCharactersSent => "lexical profile",
            FaultyBug::WrongCertificate => "TLS",
            FaultyBug::MissingContexteLps | FaultyBug::MessageIdWithoutUuid => "headers",
            FaultyBug::WrongKeyStored
            | FaultyBug::NiaStoredWithNirOid
            | FaultyBug::HistoryDropped
            | FaultyBug::HistoryDatesDropped
            | FaultyBug::TraitsRecased => "storage",
            FaultyBug::BirthplaceOnFirstCall => "birthplace retry",
            FaultyBug::TechnicalErrorAsNotFound => "network",
            FaultyBug::FaultCodeHidden => "faults",
            FaultyBug::AlwaysVerified => "verification",
            FaultyBug::CardMatriculeKeyWrong => "card search",
            FaultyBug::SkipsVerificationOnReceipt
            | FaultyBug::TrustsPid32Prov
            | FaultyBug::DatamatrixForUnqualified
            | FaultyBug::InsInPid3WrongAuthority => "receiving",
            FaultyBug::OverwritesLocalTraits | FaultyBug::InsiForDoubtful => "identity lifecycle",
        }
    }

    /// The defect of the reference identity manager this bug is, for the identity-management
    /// bugs.
    pub fn defect(self) -> Option<Defect> {
        match self {
            FaultyBug::SkipsVerificationOnReceipt => Some(Defect::SkipVerificationOnReceipt),
            FaultyBug::TrustsPid32Prov => Some(Defect::TrustsPid32Prov),
            FaultyBug::DatamatrixForUnqualified => Some(Defect::DatamatrixForUnqualified),
            FaultyBug::InsInPid3WrongAuthority => Some(Defect::WrongPid3Authority),
            FaultyBug::OverwritesLocalTraits => Some(Defect::OverwritesTraitsSilently),
            FaultyBug::InsiForDoubtful => Some(Defect::InsiForDoubtful),
            _ => None,
        }
    }
}

/// The reference driver with one bug.
pub struct FaultyDriver {
    inner: ReferenceDriver,
    pki: Arc<insilab_certs::Pki>,
    bug: FaultyBug,
    proxy: OnceCell<TamperProxy>,
}

impl FaultyDriver {
    /// A faulty driver with this bug.
    pub fn new(pki: Arc<insilab_certs::Pki>, bug: FaultyBug) -> Self {
        FaultyDriver {
            inner: ReferenceDriver::new(pki.clone(), "insi-auto").with_defect(bug.defect()),
            pki,
            bug,
            proxy: OnceCell::new(),
        }
    }

    async fn proxy(&self, upstream: &str) -> Result<&TamperProxy, HarnessError> {
        self.proxy
            .get_or_try_init(|| TamperProxy::start(&self.pki, upstream, "insi-auto"))
            .await
    }

    /// The request rewrite that produces the bug on the wire (`original`: the traits as the
    /// user typed them).
    fn rewrite(&self, original: &TraitsInput) -> Option<Rewrite> {
        match self.bug {
            FaultyBug::LowerCaseTraits => Some(Arc::new(|xml: &str| {
                let lower = |t: &str| t.to_lowercase();
                let xml = rewrite_elements(xml, "NomNaissance", &lower);
                rewrite_elements(&xml, "Prenom", &lower)
            })),
            FaultyBug::InvalidCharactersSent => {
                let original = original.clone();
                Some(Arc::new(move |xml: &str| {
                    let birth = original.birth_name.clone();
                    let xml = rewrite_elements(xml, "NomNaissance", &|_| birth.clone());
                    let names = original.first_names.clone();
                    rewrite_elements(&xml, "Prenom", &|t| {
                        // The client sent the transliterated names: put the originals back.
                        let sent: Vec<&str> = t.split(' ').collect();
                        let back: Vec<String> = sent
                            .iter()
                            .map(|s| {
                                names
                                    .iter()
                                    .find(|n| transliterate(n) == *s)
                                    .cloned()
                                    .unwrap_or_else(|| (*s).to_owned())
                            })
                            .collect();
                        back.join(" ")
                    })
                }))
            }
            FaultyBug::MissingContexteLps => {
                Some(Arc::new(|xml: &str| remove_element(xml, "ContexteLPS")))
            }
            FaultyBug::BirthplaceOnFirstCall => {
                let place = original.birthplace.clone()?;
                Some(Arc::new(move |xml: &str| {
                    if xml.contains("LieuNaissance>") {
                        return xml.to_owned();
                    }
                    // The reference client writes the body with the `rs:` prefix.
                    xml.replacen(
                        "</rs:RECSANSVITALE>",
                        &format!("<rs:LieuNaissance>{place}</rs:LieuNaissance></rs:RECSANSVITALE>"),
                        1,
                    )
                }))
            }
            FaultyBug::MessageIdWithoutUuid => Some(Arc::new(|xml: &str| {
                rewrite_elements(xml, "MessageID", &|t| {
                    t.trim_start_matches("uuid:").to_owned()
                })
            })),
            _ => None,
        }
    }

    async fn search(
        &self,
        ctx: &ActionContext,
        input: &TraitsInput,
    ) -> Result<SearchOutcome, HarnessError> {
        let url = ReferenceDriver::url(ctx);
        let mut query_input = input.clone();
        if self.bug == FaultyBug::InvalidCharactersSent {
            query_input.birth_name = transliterate(&input.birth_name);
            query_input.first_names = input.first_names.iter().map(|n| transliterate(n)).collect();
        }
        if self.bug == FaultyBug::NoFirstNameLoop && input.first_names.len() > 1 {
            query_input.first_names = vec![input.first_names.join(" ")];
        }
        let rewrite = self.rewrite(input);
        let client = match (&rewrite, ctx.endpoint_override.is_some()) {
            (Some(_), false) => {
                let proxy = self.proxy(&url).await?;
                proxy.set(rewrite.clone());
                self.inner.client(proxy.url())?
            }
            _ if self.bug == FaultyBug::WrongCertificate => {
                self.inner.client_with(&url, "cn-organisation")?
            }
            _ => self.inner.client(&url)?,
        };
        if self.bug == FaultyBug::NoFinalAllNamesCall && input.first_names.len() > 1 {
            // One call per name, in order, but never the final all-names call.
            let mut attempts = Vec::new();
            let mut verdict = Verdict::NotFound;
            for name in &input.first_names {
                let mut one = query_input.clone();
                one.first_names = vec![name.clone()];
                let outcome = client.search_traits(&to_query(&one)).await;
                attempts.extend(outcome.attempts);
                verdict = outcome.verdict;
                if !matches!(verdict, Verdict::NotFound | Verdict::Ambiguous) {
                    break;
                }
            }
            return Ok(SearchOutcome { attempts, verdict });
        }
        Ok(client.search_traits(&to_query(&query_input)).await)
    }
}

/// Upper case, diacritics stripped, ligatures expanded, typographic apostrophe made plain.
fn transliterate(text: &str) -> String {
    insilab_core::ins::lexical::normalise(text)
        .map(|n| n.value)
        .unwrap_or_else(|_| text.to_uppercase())
}

impl Driver for FaultyDriver {
    fn name(&self) -> String {
        format!("faulty:{}", self.bug.name())
    }

    fn search_card<'a>(
        &'a self,
        ctx: &'a ActionContext,
        input: &'a CardInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let rewrite = if self.bug == FaultyBug::CardMatriculeKeyWrong {
                Some(card_key_rewrite())
            } else {
                None
            };
            let client = self.client_for(ctx, rewrite).await?;
            let search = client.search_card(&to_card_query(input)).await;
            Ok(self.misreport(to_outcome(&search)))
        })
    }

    fn act<'a>(
        &'a self,
        ctx: &'a ActionContext,
        action: &'a crate::actions::IdentityAction,
    ) -> BoxFuture<'a, Result<crate::actions::ActionOutcome, HarnessError>> {
        self.inner.act(ctx, action)
    }

    fn verify<'a>(
        &'a self,
        ctx: &'a ActionContext,
        ins: &'a StoredIns,
        input: &'a TraitsInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let client = self.client_for(ctx, None).await?;
            let search = client.verify(&to_verify_query(ins, input)).await;
            Ok(self.misreport(to_verify_outcome(&search)))
        })
    }

    fn search_traits<'a>(
        &'a self,
        ctx: &'a ActionContext,
        input: &'a TraitsInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let search = self.search(ctx, input).await?;
            let mut out = to_outcome(&search);
            if let Some(stored) = out.stored.as_mut() {
                match self.bug {
                    FaultyBug::WrongKeyStored => {
                        let key: u32 = stored.ins.key.parse().unwrap_or(0);
                        stored.ins.key = format!("{:02}", (key % 97) + 1);
                    }
                    FaultyBug::NiaStoredWithNirOid if stored.ins.oid == OID_NIA => {
                        stored.ins.oid = OID_NIR.to_owned();
                    }
                    FaultyBug::HistoryDropped => stored.history.clear(),
                    FaultyBug::HistoryDatesDropped => {
                        for h in &mut stored.history {
                            h.date_deb = None;
                            h.date_fin = None;
                        }
                    }
                    FaultyBug::TraitsRecased => {
                        stored.traits.birth_name = title_case(&stored.traits.birth_name);
                        stored.traits.first_names_list =
                            title_case(&stored.traits.first_names_list);
                    }
                    _ => {}
                }
            }
            if self.bug == FaultyBug::WrongKeyStored
                && let Verdict::RefusedAnswer { .. } = search.verdict
            {
                // The broken software stores the answer it should have refused.
                out.outcome = OutcomeKind::Found;
            }
            Ok(self.misreport(out))
        })
    }
}

impl FaultyDriver {
    /// The bugs of what the software tells its user, applied to a correct outcome.
    fn misreport(&self, mut out: SutOutcome) -> SutOutcome {
        match self.bug {
            FaultyBug::TechnicalErrorAsNotFound if out.outcome == OutcomeKind::TechnicalError => {
                out.outcome = OutcomeKind::NotFound;
            }
            FaultyBug::FaultCodeHidden if out.outcome == OutcomeKind::Fault => {
                out.error_shown = Some("the service answered an error".to_owned());
            }
            FaultyBug::AlwaysVerified if out.outcome == OutcomeKind::NotVerified => {
                out.outcome = OutcomeKind::Verified;
            }
            _ => {}
        }
        out
    }

    /// A client for this action: through the tampering proxy when the bug rewrites requests.
    async fn client_for(
        &self,
        ctx: &ActionContext,
        rewrite: Option<Rewrite>,
    ) -> Result<insilab_client::InsiClient, HarnessError> {
        let url = ReferenceDriver::url(ctx);
        match rewrite {
            Some(rewrite) if ctx.endpoint_override.is_none() => {
                let proxy = self.proxy(&url).await?;
                proxy.set(Some(rewrite));
                self.inner.client(proxy.url())
            }
            _ => self.inner.client(&url),
        }
    }
}

/// The card search request with the key (`Cle`, inside `MatriculeIndividu` and `MatriculeOD`:
/// the only keys of a card search) of every card matricule made wrong.
fn card_key_rewrite() -> Rewrite {
    Arc::new(|xml: &str| {
        rewrite_elements(xml, "Cle", &|key| {
            let key: u32 = key.trim().parse().unwrap_or(0);
            format!("{:02}", (key % 97) + 1)
        })
    })
}

fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphabetic();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bug_names_its_own_rule_of_the_catalogue() {
        let mut seen = std::collections::BTreeSet::new();
        for bug in FaultyBug::ALL {
            assert!(
                seen.insert(bug.rule()),
                "{} relies on {}, which another bug uses",
                bug.name(),
                bug.rule()
            );
        }
    }
}
