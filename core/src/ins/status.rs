//! Identity statuses (RNIV EXI SI 07) and attributes (EXI ID 24/26) as a small state machine.
//!
//! Statuses come from two independent axes: traits retrieved from INSi (I) and a check against a
//! high-trust document (C): `PROV` (−,−), `RECUP` (I), `VALI` (C), `QUAL` (I+C). Attributes:
//! *homonyme* combines with anything; *douteuse* and *fictive* force `PROV` and forbid INSi
//! calls; *fictive* combines with nothing; *douteuse + homonyme* is allowed (ins-rules.md §2).

use std::fmt;

/// The four mutually exclusive confidence statuses.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum IdentityStatus {
    /// Identité provisoire.
    #[serde(rename = "PROV")]
    Prov,
    /// Identité récupérée (traits from INSi, compared with the person).
    #[serde(rename = "RECUP")]
    Recup,
    /// Identité validée (checked against a high-trust document).
    #[serde(rename = "VALI")]
    Vali,
    /// Identité qualifiée (both): the only status under which the INS may be referenced.
    #[serde(rename = "QUAL")]
    Qual,
}

impl IdentityStatus {
    /// FR Core code: `PROV`, `RECUP`, `VALI`, `QUAL`.
    pub fn code(self) -> &'static str {
        match self {
            IdentityStatus::Prov => "PROV",
            IdentityStatus::Recup => "RECUP",
            IdentityStatus::Vali => "VALI",
            IdentityStatus::Qual => "QUAL",
        }
    }

    /// Parses a FR Core code.
    pub fn from_code(code: &str) -> Option<IdentityStatus> {
        match code {
            "PROV" => Some(IdentityStatus::Prov),
            "RECUP" => Some(IdentityStatus::Recup),
            "VALI" => Some(IdentityStatus::Vali),
            "QUAL" => Some(IdentityStatus::Qual),
            _ => None,
        }
    }
}

impl fmt::Display for IdentityStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The RNIV attributes stored next to the status.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Attributes {
    /// Identité homonyme (vigilance flag).
    pub homonyme: bool,
    /// Identité douteuse.
    pub douteuse: bool,
    /// Identité fictive.
    pub fictive: bool,
}

impl Attributes {
    /// Checks the combination rule (EXI ID 24): *fictive* combines with nothing.
    pub fn check(self) -> Result<(), StatusError> {
        if self.fictive && (self.douteuse || self.homonyme) {
            return Err(StatusError::ForbiddenCombination { attributes: self });
        }
        Ok(())
    }

    /// Whether *douteuse* or *fictive* is set (both force `PROV` and block INSi).
    pub fn blocks_qualification(self) -> bool {
        self.douteuse || self.fictive
    }

    fn blocking_name(self) -> &'static str {
        if self.fictive { "fictive" } else { "douteuse" }
    }
}

/// An event in the life of a stored identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Event {
    /// Creation by manual entry (only to create, see [`IdentityState::create`]).
    ManualCreation,
    /// An INSi search answered `00`; `traits_match` is whether the returned traits were compared
    /// successfully with the person. A mismatch leaves the status unchanged (no silent
    /// overwrite).
    InsiRetrieval {
        /// Returned traits compared successfully.
        traits_match: bool,
    },
    /// Check against a high-trust identity document succeeded.
    DocumentCheck,
    /// Identity read from the Appli carte Vitale: qualified directly, no INSi call.
    AppliCarteVitale,
    /// Set the *homonyme* attribute.
    SetHomonyme,
    /// Clear the *homonyme* attribute.
    ClearHomonyme,
    /// Set the *douteuse* attribute (forces `PROV`).
    SetDouteuse,
    /// Clear the *douteuse* attribute (status stays `PROV`).
    ClearDouteuse,
    /// Set the *fictive* attribute (forces `PROV`).
    SetFictive,
    /// Clear the *fictive* attribute (status stays `PROV`).
    ClearFictive,
}

/// Why an event is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// The event creates an identity but the identity already exists.
    #[error("identity already exists: {event:?} can only create an identity")]
    AlreadyCreated {
        /// The event.
        event: Event,
    },
    /// The event cannot create an identity.
    #[error("{event:?} cannot create an identity")]
    NotACreation {
        /// The event.
        event: Event,
    },
    /// INSi may not be called for a *douteuse* or *fictive* identity (EXI ID 26, RNIV EXI SI 09).
    #[error("insi may not be called for an identity marked {attribute}")]
    InsiCallForbidden {
        /// `douteuse` or `fictive`.
        attribute: &'static str,
    },
    /// A *douteuse* or *fictive* identity cannot leave `PROV`.
    #[error("an identity marked {attribute} must stay PROV")]
    MustStayProvisional {
        /// `douteuse` or `fictive`.
        attribute: &'static str,
    },
    /// The attributes would break the combination rule (EXI ID 24).
    #[error("attributes {attributes:?} may not be combined: fictive combines with nothing")]
    ForbiddenCombination {
        /// The refused combination.
        attributes: Attributes,
    },
}

/// Status + attributes of one stored identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct IdentityState {
    /// Confidence status.
    pub status: IdentityStatus,
    /// Attributes.
    pub attributes: Attributes,
}

impl IdentityState {
    /// Creates an identity: manual entry ⇒ `PROV`; INSi retrieval with matching traits ⇒
    /// `RECUP` (otherwise `PROV`); document check ⇒ `VALI`; Appli carte Vitale ⇒ `QUAL`.
    pub fn create(event: Event) -> Result<IdentityState, StatusError> {
        let status = match event {
            Event::ManualCreation => IdentityStatus::Prov,
            Event::InsiRetrieval { traits_match: true } => IdentityStatus::Recup,
            Event::InsiRetrieval {
                traits_match: false,
            } => IdentityStatus::Prov,
            Event::DocumentCheck => IdentityStatus::Vali,
            Event::AppliCarteVitale => IdentityStatus::Qual,
            other => return Err(StatusError::NotACreation { event: other }),
        };
        Ok(IdentityState {
            status,
            attributes: Attributes::default(),
        })
    }

    /// Checks a state read from storage: attributes combine, and *douteuse*/*fictive* ⇒ `PROV`.
    pub fn check(self) -> Result<IdentityState, StatusError> {
        self.attributes.check()?;
        if self.attributes.blocks_qualification() && self.status != IdentityStatus::Prov {
            return Err(StatusError::MustStayProvisional {
                attribute: self.attributes.blocking_name(),
            });
        }
        Ok(self)
    }

    /// Applies `event`, returning the new status and attributes, or why it is refused.
    pub fn transition(&self, event: Event) -> Result<(IdentityStatus, Attributes), StatusError> {
        use IdentityStatus::{Prov, Qual, Recup, Vali};
        let mut attributes = self.attributes;
        let blocked = attributes.blocks_qualification();
        let status = match event {
            Event::ManualCreation => return Err(StatusError::AlreadyCreated { event }),
            Event::InsiRetrieval { traits_match } => {
                if blocked {
                    return Err(StatusError::InsiCallForbidden {
                        attribute: attributes.blocking_name(),
                    });
                }
                match (self.status, traits_match) {
                    (s, false) => s,
                    (Prov, true) => Recup,
                    (Vali, true) => Qual,
                    (s, true) => s,
                }
            }
            Event::DocumentCheck => {
                if blocked {
                    return Err(StatusError::MustStayProvisional {
                        attribute: attributes.blocking_name(),
                    });
                }
                match self.status {
                    Prov => Vali,
                    Recup => Qual,
                    s => s,
                }
            }
            Event::AppliCarteVitale => {
                if blocked {
                    return Err(StatusError::MustStayProvisional {
                        attribute: attributes.blocking_name(),
                    });
                }
                Qual
            }
            Event::SetHomonyme => {
                attributes.homonyme = true;
                self.status
            }
            Event::ClearHomonyme => {
                attributes.homonyme = false;
                self.status
            }
            Event::SetDouteuse => {
                attributes.douteuse = true;
                Prov
            }
            Event::ClearDouteuse => {
                attributes.douteuse = false;
                self.status
            }
            Event::SetFictive => {
                attributes.fictive = true;
                Prov
            }
            Event::ClearFictive => {
                attributes.fictive = false;
                self.status
            }
        };
        attributes.check()?;
        Ok((status, attributes))
    }

    /// Applies `event` and returns the new state.
    pub fn apply(&self, event: Event) -> Result<IdentityState, StatusError> {
        let (status, attributes) = self.transition(event)?;
        Ok(IdentityState { status, attributes })
    }

    /// Whether INSi may be called for this identity (not *douteuse*, not *fictive*).
    pub fn may_call_insi(&self) -> bool {
        !self.attributes.blocks_qualification()
    }

    /// Whether the INS may be transmitted / referenced (only `QUAL`, RNIV EXI SI 08, EXI ID 29).
    pub fn may_transmit_ins(&self) -> bool {
        self.status == IdentityStatus::Qual && !self.attributes.blocks_qualification()
    }
}
