//! The identity-management actions of the driver protocol (issue 12): what the receiving and
//! business suites ask a software to do with a *local identity*, and what it reports back.
//!
//! One JSON message per action, tagged by `action` (kebab-case), answered by one
//! [`ActionOutcome`]. The `command` driver passes the message as `{action_json}` (and the
//! configuration key is the action name), the `http` hook receives it as the request body, the
//! `manual` driver turns it into a guided prompt, the `reference` driver hands it to the
//! reference identity manager in process. `docs/driver-protocol.md` is the user-facing contract.
//!
//! Identities are named by the software: `create` and `deliver` answer the software's own
//! `local_id`, which the harness passes back in every later action on that identity.

use serde::{Deserialize, Serialize};

use crate::outcome::{OutcomeKind, StoredIns, StoredTraits, TraitsInput};

pub use insilab_core::ins::status::{Attributes, IdentityStatus};

/// A carrier of INS-referenced data (ins-rules.md §2.3–§2.5, §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Carrier {
    /// An HL7 v2.5 message (IHE PAM France): ADT with PID-3 / PID-32.
    Hl7v2,
    /// A FHIR R4 `Patient` (FR Core) or a `Bundle` holding one, JSON.
    Fhir,
    /// A CDA R2 document (CI-SIS), XML.
    Cda,
    /// A scanned or printed page carrying the INS Datamatrix (PNG).
    Datamatrix,
}

/// How delivered data reaches the software, or how emitted data reaches insilab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Transport {
    /// Handed over in the driver call itself (`payload`).
    Inline,
    /// HL7 v2 over MLLP to `host:port`.
    Mllp {
        /// `127.0.0.1:2575`.
        address: String,
    },
    /// FHIR REST: `POST {base_url}/Patient` (or `/` for a Bundle).
    Fhir {
        /// `http://127.0.0.1:8080/fhir`.
        base_url: String,
    },
    /// A file written into a folder the software watches (or insilab's drop folder).
    DropFolder {
        /// Absolute folder path.
        path: String,
    },
}

/// A high-trust (or not) identity document checked by a user (EXI SI 04/05).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityDocument {
    /// `passport`, `national_id_card`, `residence_permit`, `birth_certificate`, `family_booklet`…
    pub kind: String,
    /// Whether the document is of high trust (passport, ID card, residence permit).
    pub high_trust: bool,
}

/// An identity attribute the user sets or clears (ins-rules.md §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    /// *Identité douteuse*.
    Doubtful,
    /// *Identité fictive*.
    Fictitious,
    /// *Identité homonyme*.
    Homonym,
}

/// How the identity's traits were collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CollectionMethod {
    /// Typed by a user.
    Manual,
    /// Read from an identity document.
    Document,
    /// Returned by INSi.
    Insi,
    /// Read from the Appli carte Vitale (`AV`).
    VitaleApp,
    /// Received from another identification domain (HL7, FHIR, CDA, Datamatrix).
    Received,
}

/// One identity-management action.
#[expect(
    clippy::large_enum_variant,
    reason = "one message per action, built once and serialised: boxing `create` would burden every constructor"
)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum IdentityAction {
    /// Create an identity (manual entry, identity document, Appli carte Vitale).
    Create {
        /// The traits as entered.
        traits: TraitsInput,
        /// How they were collected (`manual`, `document`, `vitale_app`).
        method: CollectionMethod,
        /// The document checked at creation, when any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        document: Option<IdentityDocument>,
        /// The INS read with the traits (Appli carte Vitale), when any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ins: Option<StoredIns>,
        /// Used first name / used name, when entered.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        used_first_name: Option<String>,
        /// Used name, when entered.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        used_name: Option<String>,
        /// The first first name as entered in its own field, when the software has one (it
        /// must be the beginning of the list, EXI ID 10).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_name: Option<String>,
    },
    /// Receive INS-referenced data from another identification domain.
    Deliver {
        /// What carries it.
        carrier: Carrier,
        /// How it travels. Anything but `inline` has already been sent by insilab to the
        /// channel the driver configuration declares when the action reaches the software:
        /// the software finishes processing it and answers.
        transport: Transport,
        /// The message (HL7, FHIR JSON, CDA XML) or the PNG page in base64.
        payload: String,
        /// The HL7 message control id, FHIR `Patient.id` or CDA id, to find what arrived.
        message_id: String,
        /// Whether the software runs in production mode (a test OID is then refused).
        #[serde(default)]
        production: bool,
    },
    /// Search the INS of a local identity with its traits (INSi traits search).
    Search {
        /// The software's id of the identity.
        local_id: String,
    },
    /// Verify the INS of a local identity (INSi verification). Tagged `verify-identity`, its
    /// name (`verify` is read too).
    #[serde(rename = "verify-identity", alias = "verify")]
    Verify {
        /// The software's id of the identity.
        local_id: String,
    },
    /// Set or clear an attribute.
    SetAttribute {
        /// The software's id of the identity.
        local_id: String,
        /// Which attribute.
        attribute: Attribute,
        /// Set (`true`) or clear.
        value: bool,
    },
    /// Record that an identity document was checked.
    RecordIdentityDocument {
        /// The software's id of the identity.
        local_id: String,
        /// The document.
        document: IdentityDocument,
    },
    /// Report the identity as stored.
    ReadIdentity {
        /// The software's id of the identity.
        local_id: String,
    },
    /// Send or print the identity: the software emits it to `destination`, where insilab
    /// receives it and the format rules judge it (or answers it inline in `emitted`).
    Emit {
        /// The software's id of the identity.
        local_id: String,
        /// What to emit (`datamatrix`: print a document with the INS Datamatrix, PNG).
        carrier: Carrier,
        /// Where to send it.
        destination: Transport,
    },
}

impl IdentityAction {
    /// The action's name in the protocol (`set-attribute`), also the `command` driver's
    /// configuration key.
    pub fn name(&self) -> &'static str {
        match self {
            IdentityAction::Create { .. } => "create",
            IdentityAction::Deliver { .. } => "deliver",
            IdentityAction::Search { .. } => "search",
            IdentityAction::Verify { .. } => "verify-identity",
            IdentityAction::SetAttribute { .. } => "set-attribute",
            IdentityAction::RecordIdentityDocument { .. } => "record-identity-document",
            IdentityAction::ReadIdentity { .. } => "read-identity",
            IdentityAction::Emit { .. } => "emit",
        }
    }
}

/// A local identity as the software reports it (`read-identity`, and after every action).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityView {
    /// The software's id of the identity.
    pub local_id: String,
    /// The confidence status.
    pub status: IdentityStatus,
    /// The attributes.
    #[serde(default)]
    pub attributes: Attributes,
    /// The INS, when the software stores one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ins: Option<StoredIns>,
    /// The INS history, as stored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<StoredIns>,
    /// The strict traits.
    pub traits: StoredTraits,
    /// Used first name (*prénom utilisé*), when stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_first_name: Option<String>,
    /// Used name (*nom utilisé*), when stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_name: Option<String>,
    /// How the traits were collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<CollectionMethod>,
    /// The identity document checked, when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<IdentityDocument>,
    /// Whether the birth date was completed from an incomplete entry (fictive-date flag).
    #[serde(default)]
    pub birth_date_completed: bool,
}

/// What the software emitted, when it answers it in the driver call instead of sending it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Emitted {
    /// The carrier.
    pub carrier: Carrier,
    /// The message text, or the PNG in base64.
    pub payload: String,
}

/// The software's answer to an [`IdentityAction`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionOutcome {
    /// How the action ended: `done` for an action carried out, `refused` for one the software
    /// refused (with `alerts`), or the search/verification outcomes of [`OutcomeKind`].
    pub outcome: OutcomeKind,
    /// The identity after the action (always for `create`, `deliver` when one was stored,
    /// `read-identity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<IdentityView>,
    /// What the user was alerted of (traits mismatch, inconsistent first name…), as shown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<String>,
    /// INSi requests the software sent for this action, when it knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls: Option<u32>,
    /// Free text for the evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What was emitted, when answered inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emitted: Option<Emitted>,
}

impl ActionOutcome {
    /// An outcome of the given kind with nothing else.
    pub fn bare(outcome: OutcomeKind) -> Self {
        ActionOutcome {
            outcome,
            identity: None,
            alerts: Vec::new(),
            calls: None,
            message: None,
            emitted: None,
        }
    }
}

/// Parses an action answer, bounded by [`crate::outcome::MAX_DRIVER_ANSWER_BYTES`].
pub fn parse_action_outcome(
    bytes: &[u8],
    source: &str,
) -> Result<ActionOutcome, crate::HarnessError> {
    let limit = crate::outcome::MAX_DRIVER_ANSWER_BYTES;
    if bytes.len() > limit {
        return Err(crate::HarnessError::Driver(format!(
            "answer of {source} is {} bytes, more than the limit of {limit}",
            bytes.len()
        )));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        crate::HarnessError::Driver(format!(
            "answer of {source} is not a valid action outcome: {e}"
        ))
    })
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;

    #[test]
    fn actions_are_tagged_kebab_case_and_round_trip() {
        let action = IdentityAction::SetAttribute {
            local_id: "42".to_owned(),
            attribute: Attribute::Doubtful,
            value: true,
        };
        let json = serde_json::to_string(&action).unwrap();
        assert_eq!(
            json,
            r#"{"action":"set-attribute","local_id":"42","attribute":"doubtful","value":true}"#
        );
        assert_eq!(action.name(), "set-attribute");
        let back: IdentityAction = serde_json::from_str(&json).unwrap();
        assert_eq!(back, action);
        // Every action's tag is its name (the command driver's key).
        let verify = IdentityAction::Verify {
            local_id: "42".to_owned(),
        };
        let json = serde_json::to_value(&verify).unwrap();
        assert_eq!(json["action"], verify.name());
    }

    #[test]
    fn an_identity_view_reads_status_codes() {
        let json = r#"{"outcome":"done","identity":{"local_id":"p1","status":"QUAL","traits":{"birth_name":"X","first_names_list":"A","sex":"F","birth_date":"2000-01-01"}}}"#;
        let outcome = parse_action_outcome(json.as_bytes(), "test").unwrap();
        assert_eq!(outcome.outcome, OutcomeKind::Done);
        assert_eq!(
            outcome.identity.map(|i| i.status),
            Some(IdentityStatus::Qual)
        );
    }
}
