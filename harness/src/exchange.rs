//! One INSi call as the harness judges it: what reached the simulator (headers, certificate,
//! traits sent, findings) and what it answered. Built from simulator journal entries by
//! [`crate::sim`]; the steps only look at this type.

use serde::{Deserialize, Serialize};

use crate::outcome::{StoredIns, StoredTraits};

/// Severity of a finding: the catalogue's own.
pub use insilab_core::rules::Severity as FindingSeverity;

/// A rule finding on a request or a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingFact {
    /// Rule id (`INSI-HDR-003`). Kept as text, not as a `RuleId`: a remote simulator of
    /// another version may name a rule this catalogue does not know, and its finding must
    /// still reach the verdict under its own id.
    pub rule_id: String,
    /// Severity.
    pub severity: FindingSeverity,
    /// Message.
    pub message: String,
}

/// Traits as they travelled in the request: the one core projection.
pub use insilab_core::insi::SentTraits;

/// Header facts of the request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderFacts {
    /// `wsa:Action`.
    pub action: Option<String>,
    /// `wsa:MessageID`.
    pub message_id: Option<String>,
    /// `ContexteBAM` present (with its `Version`).
    pub bam_version: Option<String>,
    /// `ContexteLPS` present (with its `Version`).
    pub lps_version: Option<String>,
    /// `ContexteLPS/LPS/IDAM`.
    pub idam: Option<String>,
    /// HTTP `Content-Type`.
    pub content_type: Option<String>,
}

/// What the simulator answered, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerFacts {
    /// `CR/CodeCR` when the answer was a `RESULTAT`.
    pub cr: Option<String>,
    /// Fault code (`Erreur/@code`) when the answer was a fault.
    pub fault: Option<String>,
    /// HTTP status code, when an HTTP answer was sent.
    pub http_status: Option<u16>,
    /// The active INS (`INSACTIF`).
    pub active: Option<StoredIns>,
    /// `INSHISTO`, in document order.
    pub history: Vec<StoredIns>,
    /// `TIQ`.
    pub traits: Option<StoredTraits>,
    /// Set when the simulator sent no complete answer (reset, truncated, malformed, delay).
    pub damaged: Option<String>,
}

/// One INSi call observed at the simulator.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// Operation name (`rechercherInsAvecTraitsIdentite`…).
    pub operation: String,
    /// Tenant (client certificate OU) the simulator attributed the call to.
    pub tenant: Option<String>,
    /// Client certificate subject CN.
    pub cert_cn: Option<String>,
    /// Client certificate subject OU.
    pub cert_ou: Option<String>,
    /// TLS protocol version.
    pub tls_version: Option<String>,
    /// Headers.
    pub headers: HeaderFacts,
    /// Traits sent.
    pub sent: SentTraits,
    /// Findings on the request (`core::rules`).
    pub findings: Vec<FindingFact>,
    /// The answer.
    pub answer: AnswerFacts,
    /// Raw request.
    pub request_xml: String,
    /// Raw response, when one was sent.
    pub response_xml: Option<String>,
}

impl Exchange {
    /// Outcome as shown to people: `CR 00`, `fault insi_102`, `HTTP 503`, `reset`.
    pub fn outcome_label(&self) -> String {
        if let Some(cr) = &self.answer.cr {
            format!("CR {cr}")
        } else if let Some(code) = &self.answer.fault {
            format!("fault {code}")
        } else if let Some(d) = &self.answer.damaged {
            d.clone()
        } else if let Some(status) = self.answer.http_status {
            format!("HTTP {status}")
        } else {
            "no answer".to_owned()
        }
    }

    /// The answer as written in feature files: `00`, `fault insi_102`, `HTTP 503`.
    pub fn answer_word(&self) -> String {
        match &self.answer.cr {
            Some(cr) => cr.clone(),
            None => self.outcome_label(),
        }
    }
}
