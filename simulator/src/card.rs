//! Card mode: what the card listener checks before serving a request.
//!
//! One job: run the assertion rules of the catalogue ([`check_assertion`]) on the raw request
//! with the PKI's card CA, CRL and the configured validity window, and turn the first refusal
//! into the fault answered. The card holder (professional id, certificate) goes to the journal.

use insilab_core::insi::faults;
use insilab_core::insi::model::Fault;
use insilab_core::rules::{
    AssertionPolicy, AssertionReport, CardCertificate, DEFAULT_ASSERTION_VALIDITY,
    DEFAULT_CLOCK_SKEW, RuleId, check_assertion,
};
use serde::{Deserialize, Serialize};

/// Settings of the card-mode checks (`card_mode:` in the simulator's configuration file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CardSettings {
    /// How long an assertion is accepted after its `IssueInstant`, in seconds (§4: about one
    /// hour).
    pub validity_secs: u32,
    /// Clock difference tolerated between client and simulator, in seconds, both ways.
    pub clock_skew_secs: u32,
}

impl Default for CardSettings {
    fn default() -> Self {
        Self {
            validity_secs: u32::try_from(DEFAULT_ASSERTION_VALIDITY.whole_seconds())
                .unwrap_or(3600),
            clock_skew_secs: u32::try_from(DEFAULT_CLOCK_SKEW.whole_seconds()).unwrap_or(300),
        }
    }
}

/// The card CA and CRL the card listener trusts (from the PKI).
pub type CardTrust = insilab_certs::cards::CardTrust;

/// The card holder of one card-mode request, for the journal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardHolder {
    /// `Subject/NameID` of the assertion.
    pub professional_id: Option<String>,
    /// Subject of the certificate in `KeyInfo`.
    pub certificate_subject: Option<String>,
    /// Its issuer.
    pub certificate_issuer: Option<String>,
    /// Its serial number (upper-case hexadecimal).
    pub certificate_serial: Option<String>,
    /// The rule that refused the assertion, if any.
    pub refused_by: Option<RuleId>,
}

/// Prefix of the Erreur text of a card-mode refusal (our wording: the real text is not public).
pub const CARD_REFUSAL_PREFIX: &str = "assertion PS refusée";

/// The verdict on one card-mode request.
#[derive(Debug, Clone)]
pub struct CardVerdict {
    /// Every assertion finding.
    pub report: AssertionReport,
    /// The holder, for the journal.
    pub holder: CardHolder,
}

impl CardVerdict {
    /// The fault to answer when a rule of fault severity failed.
    ///
    /// **Reconstructed**: the real service's answer to a bad assertion is not public. We answer
    /// the simulator's invalid-request fault (Sender / `siram_10`, a visibly-ours code) whose
    /// Erreur text names the rule id and the check, so that a client's log says what to fix.
    pub fn fault(&self, message_id: Option<&str>) -> Option<Fault> {
        self.report.refusal().map(|f| {
            faults::invalid_request(
                message_id,
                &format!("{CARD_REFUSAL_PREFIX} ({}): {}", f.rule_id, f.message),
            )
        })
    }
}

/// Checks the assertion of `body` against `trust` and `settings` at `now`. Without a trust (a
/// simulator started from ready-made rustls configurations), every assertion is refused by the
/// certificate rule.
pub fn check(
    body: &[u8],
    trust: Option<&CardTrust>,
    settings: &CardSettings,
    now: time::OffsetDateTime,
) -> CardVerdict {
    let policy = AssertionPolicy {
        card_ca_der: trust.map_or(&[][..], |t| t.ca_der.as_slice()),
        crl_der: trust.and_then(|t| t.crl_der.as_deref()),
        now,
        validity: time::Duration::seconds(i64::from(settings.validity_secs)),
        clock_skew: time::Duration::seconds(i64::from(settings.clock_skew_secs)),
    };
    let report = check_assertion(body, &policy);
    let certificate: Option<&CardCertificate> = report.certificate.as_ref();
    let holder = CardHolder {
        professional_id: report.professional_id.clone(),
        certificate_subject: certificate.map(|c| c.subject.clone()),
        certificate_issuer: certificate.map(|c| c.issuer.clone()),
        certificate_serial: certificate.map(|c| c.serial.clone()),
        refused_by: report.refusal().map(|f| f.rule_id),
    };
    CardVerdict { report, holder }
}
