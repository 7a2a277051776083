//! What the harness asks the software under test to do, and what the software reports back.
//!
//! These types are the driver protocol: the `command` driver reads [`SutOutcome`] as JSON on
//! stdout, the `http` driver receives it as the hook's answer, the `reference` driver builds it
//! from the reference client's verdict. `docs/driver-protocol.md` documents the JSON form.

use serde::{Deserialize, Serialize};

/// Identity traits the software under test is asked to search with (as a person would type them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraitsInput {
    /// Birth name (`NomNaissance`), as entered.
    pub birth_name: String,
    /// Birth first names, in order, as entered (one name per item; a hyphenated name is one).
    pub first_names: Vec<String>,
    /// `M` or `F`.
    pub sex: String,
    /// Birth date, `YYYY-MM-DD`.
    pub birth_date: String,
    /// INSEE COG code of the birthplace, when the person entered it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthplace: Option<String>,
}

impl TraitsInput {
    /// One line for people: `TCHITCHI / OLA CATARINA BELLA / F / 1936-06-21`.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "{} / {} / {} / {}",
            self.birth_name,
            self.first_names.join(" "),
            self.sex,
            self.birth_date
        );
        if let Some(place) = &self.birthplace {
            line.push_str(" / ");
            line.push_str(place);
        }
        line
    }
}

/// Vitale card data for a search by card.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardInput {
    /// Beneficiary's own NIR when on the card (13 characters + key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beneficiary_nir: Option<String>,
    /// Insured person's number (13 characters + key).
    pub insured_nir: String,
    /// Birth name of the beneficiary.
    pub birth_name: String,
    /// Birth date of the beneficiary (`YYYY-MM-DD`, lunar dates allowed).
    pub birth_date: String,
    /// Birth rank.
    pub birth_rank: u8,
}

// The INS and traits as returned or stored are defined once, in the rule catalogue's
// behaviour module, and used here for the driver protocol.
pub use insilab_core::rules::behaviour::{StoredIns, StoredTraits};

/// The identity the software stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredIdentity {
    /// The active INS.
    pub ins: StoredIns,
    /// Traits stored with it.
    pub traits: StoredTraits,
    /// INS history (`INSHISTO`), as stored.
    #[serde(default)]
    pub history: Vec<StoredIns>,
    /// Identity status the software gave (`PROV`, `RECUP`, `VALI`, `QUAL`), when it reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// How the action ended, as the software shows it to its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// An INS was found and stored.
    Found,
    /// No identity found.
    NotFound,
    /// Several identities found.
    Ambiguous,
    /// The software refused the traits before calling (invalid input).
    RefusedInput,
    /// The software refused the answer (incomplete, invalid key…) and stored nothing.
    RefusedAnswer,
    /// The service answered a fault the software showed.
    Fault,
    /// Transport error, timeout, unreadable answer.
    TechnicalError,
    /// Verification answered "the INS and traits match".
    Verified,
    /// Verification answered "no match".
    NotVerified,
    /// An identity-management action was carried out (`create`, `set-attribute`…, see
    /// [`crate::actions`]).
    Done,
    /// The software refused an identity-management action and alerted its user.
    Refused,
}

impl OutcomeKind {
    /// The snake-case word used in the JSON protocol and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Found => "found",
            OutcomeKind::NotFound => "not_found",
            OutcomeKind::Ambiguous => "ambiguous",
            OutcomeKind::RefusedInput => "refused_input",
            OutcomeKind::RefusedAnswer => "refused_answer",
            OutcomeKind::Fault => "fault",
            OutcomeKind::TechnicalError => "technical_error",
            OutcomeKind::Verified => "verified",
            OutcomeKind::NotVerified => "not_verified",
            OutcomeKind::Done => "done",
            OutcomeKind::Refused => "refused",
        }
    }
}

/// What the software reports after an action: the driver protocol's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SutOutcome {
    /// How the action ended.
    pub outcome: OutcomeKind,
    /// The identity the software stored, if it stored one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored: Option<StoredIdentity>,
    /// The error the software showed its user (fault code such as `insi_102`, or a message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_shown: Option<String>,
    /// Free text for the evidence (e.g. the validation messages of a refused input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Number of INSi requests the software sent, when it knows: the harness then waits for
    /// exactly that many journal entries instead of waiting for the journal to settle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls: Option<u32>,
}

impl SutOutcome {
    /// An outcome of the given kind with nothing stored.
    pub fn bare(outcome: OutcomeKind) -> Self {
        SutOutcome {
            outcome,
            stored: None,
            error_shown: None,
            message: None,
            calls: None,
        }
    }
}

/// Largest driver answer accepted (JSON on stdout or HTTP body): far above any real identity.
pub const MAX_DRIVER_ANSWER_BYTES: usize = 256 * 1024;

/// Parses a driver's JSON answer, bounded by [`MAX_DRIVER_ANSWER_BYTES`].
pub fn parse_outcome(bytes: &[u8], source: &str) -> Result<SutOutcome, crate::HarnessError> {
    if bytes.len() > MAX_DRIVER_ANSWER_BYTES {
        return Err(crate::HarnessError::Driver(format!(
            "answer of {source} is {} bytes, more than the limit of {MAX_DRIVER_ANSWER_BYTES}",
            bytes.len()
        )));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        crate::HarnessError::Driver(format!("answer of {source} is not a valid outcome: {e}"))
    })
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;

    #[test]
    fn outcome_json_round_trips_and_is_snake_case() {
        let json = r#"{"outcome":"found","stored":{"ins":{"matricule":"1090763220834","key":"89","oid":"1.2.250.1.213.1.4.8"},"traits":{"birth_name":"ECETINSI","first_names_list":"PIERRE-ALAIN MURIEL FLORIANT","sex":"M","birth_date":"2009-07-14","birthplace":"63220"},"history":[]}}"#;
        let outcome = parse_outcome(json.as_bytes(), "test").unwrap();
        assert_eq!(outcome.outcome, OutcomeKind::Found);
        let back = serde_json::to_string(&outcome).unwrap();
        assert_eq!(parse_outcome(back.as_bytes(), "test").unwrap(), outcome);
    }

    #[test]
    fn answer_limit_is_enforced_at_the_boundary() {
        let mut at_limit = br#"{"outcome":"not_found"}"#.to_vec();
        at_limit.resize(MAX_DRIVER_ANSWER_BYTES, b' ');
        assert!(parse_outcome(&at_limit, "t").is_ok());
        at_limit.push(b' ');
        assert!(parse_outcome(&at_limit, "t").is_err());
    }
}
