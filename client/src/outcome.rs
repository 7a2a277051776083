//! The typed result of a search: every attempt with its raw XML, and the final verdict.
//!
//! These types are serialised as the `--json` output of `insilab query` (see `docs/client.md`):
//! field names and variant tags are part of a stable schema.

use insilab_core::rules::RuleId;
use serde::{Deserialize, Serialize};

/// Which INSi operation an attempt called: the one core type (`snake_case` in JSON).
pub use insilab_core::insi::Operation;

/// The whole story of one logical search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchOutcome {
    /// Every call made, in order (empty when the input was refused).
    pub attempts: Vec<Attempt>,
    /// What the caller should do with the result.
    pub verdict: Verdict,
}

impl SearchOutcome {
    /// The attempts with their 1-based number, as shown to users (`#1`, `001-request.xml`,
    /// `index` in `insilab query --json`). The number is the position in [`Self::attempts`],
    /// not a field the client fills in: outcomes put together from several searches (the
    /// harness's faulty drivers) stay numbered in order.
    pub fn numbered_attempts(&self) -> impl Iterator<Item = NumberedAttempt<'_>> {
        self.attempts
            .iter()
            .enumerate()
            .map(|(position, attempt)| NumberedAttempt {
                index: position.saturating_add(1),
                attempt,
            })
    }

    /// The identity found, if any.
    pub fn found(&self) -> Option<&FoundIdentity> {
        match &self.verdict {
            Verdict::Found(f) => Some(f),
            _ => None,
        }
    }
}

/// The conclusion of a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
#[expect(
    clippy::large_enum_variant,
    reason = "one verdict per search; boxing would only make callers' patterns noisier"
)]
pub enum Verdict {
    /// A complete `00` answer with valid INS keys: the identity may be stored as returned.
    Found(FoundIdentity),
    /// Verification only: the service confirmed (`00`) that the supplied INS and traits belong
    /// together, without returning an identity.
    Verified {
        /// The INS that was checked (15 characters).
        ins: String,
        /// Its OID.
        oid: String,
    },
    /// No call answered `00` and none answered `02`.
    NotFound,
    /// No call answered `00` and at least one answered `02` (several persons match).
    Ambiguous,
    /// The traits break the INSi lexical profile or a format rule: no call was made.
    RefusedInput {
        /// Every violation found.
        violations: Vec<InputViolation>,
    },
    /// The service answered `00` but the answer must not be stored (incomplete, invalid key).
    RefusedAnswer {
        /// What is wrong, in words.
        reason: String,
        /// The catalogue rule that refused it (`INSI-RSP-007`, …; see `insilab rule`).
        rule: RuleId,
    },
    /// The service answered a SOAP fault. Never retried automatically.
    Fault {
        /// `Erreur/@code` (e.g. `insi_102`), or the subcode when the detail is absent.
        code: String,
        /// `Code/Subcode/Value` (e.g. `siram_40`).
        subcode: String,
        /// `Reason/Text`, the user-facing French text.
        reason: String,
    },
    /// The call did not produce a readable answer (network, TLS, timeout, HTTP status, body).
    /// Never retried automatically.
    TechnicalError {
        /// Stable category (see [`crate::kind`]).
        kind: String,
        /// Human-readable detail.
        message: String,
    },
}

/// One trait refused before calling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputViolation {
    /// Which input: `birth_name`, `first_names[0]`, `sex`, `birth_date`, `birthplace`, `ins`, …
    pub field: String,
    /// The catalogue rule that refuses it (`INSI-TRT-002`, …), the id the simulator journal and
    /// `insilab lint` give the same value.
    pub rule_id: RuleId,
    /// For a name outside the lexical profile, the lexical rule (`LEX-002`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lexical_rule: Option<RuleId>,
    /// 1-based character position when the rule points at one.
    pub position: Option<usize>,
    /// The offending character or text, when there is one.
    pub found: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// The identity of a complete `00` answer, exactly as returned (no re-casing, no edits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundIdentity {
    /// The active INS: `NumIdentifiant` (13) followed by `Cle` (2).
    pub ins: String,
    /// The active INS OID (`1.2.250.1.213.1.4.8` NIR, `.9` NIA).
    pub oid: String,
    /// `TypeMatricule` of the active INS when returned.
    pub type_matricule: Option<String>,
    /// `DateDeb` of the active INS when returned.
    pub date_deb: Option<String>,
    /// `DateFin` of the active INS when returned.
    pub date_fin: Option<String>,
    /// `INSHISTO` entries, in document order, as returned.
    pub history: Vec<HistoryEntry>,
    /// `TIQ`, as returned.
    pub traits: ReturnedTraits,
}

/// One `INSHISTO` entry, as returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// `NumIdentifiant` followed by `Cle`.
    pub ins: String,
    /// `OID`.
    pub oid: Option<String>,
    /// `TypeMatricule`.
    pub type_matricule: Option<String>,
    /// `DateDeb`.
    pub date_deb: Option<String>,
    /// `DateFin`.
    pub date_fin: Option<String>,
}

/// `TIQ`, the returned strict traits, exactly as returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnedTraits {
    /// `NomNaissance`.
    pub birth_name: String,
    /// `Prenom` (absent from live answers since late 2022).
    pub first_name: Option<String>,
    /// `ListePrenom`: all birth first names, space-separated.
    pub first_names: String,
    /// `Sexe`.
    pub sex: String,
    /// `DateNaissance`.
    pub birth_date: String,
    /// `LieuNaissance` (COG).
    pub birthplace: String,
}

/// An attempt and its 1-based number in the search (see [`SearchOutcome::numbered_attempts`]);
/// serialised as the attempt's fields preceded by `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NumberedAttempt<'a> {
    /// 1-based position in the search.
    pub index: usize,
    /// The attempt.
    #[serde(flatten)]
    pub attempt: &'a Attempt,
}

/// One call: what was sent, what came back, how long it took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// The operation called.
    pub operation: Operation,
    /// The `Prenom` values sent (one element per `Prenom`; the final call of the first-name loop
    /// sends one element holding the whole list).
    pub first_names_sent: Vec<String>,
    /// The `LieuNaissance` sent, if any.
    pub birthplace_sent: Option<String>,
    /// The `wsa:MessageID` of this attempt (`uuid:…`, new for every attempt).
    pub message_id: String,
    /// The request envelope as sent.
    pub request_xml: String,
    /// The answer body as received (lossy UTF-8), when one was received.
    pub response_xml: Option<String>,
    /// The HTTP status, when one was received.
    pub http_status: Option<u16>,
    /// Wall-clock duration of the attempt in milliseconds.
    pub duration_ms: u64,
    /// What this attempt produced.
    pub result: AttemptResult,
}

/// The result of one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AttemptResult {
    /// A `RESULTAT` with `CR/CodeCR` and `CR/LibelleCR`.
    Cr {
        /// `CodeCR` (`00`, `01`, `02`).
        code: String,
        /// `LibelleCR`.
        label: String,
    },
    /// A SOAP fault.
    Fault {
        /// `Erreur/@code`, or the subcode when the detail is absent.
        code: String,
    },
    /// No readable answer.
    Transport {
        /// What happened.
        message: String,
    },
}
