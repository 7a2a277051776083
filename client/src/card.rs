//! Card mode: the reference client signs a fresh CPx assertion with a virtual card for every
//! call and puts it in `wsse:Security` (insi-protocol.md §4). TLS then carries no client
//! certificate.

use std::path::Path;

use insilab_certs::Pki;
use insilab_certs::card_cases::{VALID_CASE, case_assertion, case_names};
use insilab_core::assertion::new_assertion_id;
use insilab_core::insi::model::{Assertion, Security};
use time::OffsetDateTime;

use crate::error::ClientError;

/// Signs card-mode assertions with the virtual card of one test professional.
#[derive(Debug, Clone)]
pub struct CardSigner {
    pki: Pki,
    professional_id: String,
    case: String,
}

impl CardSigner {
    /// The virtual card of `professional_id` (`899900063480`) in the PKI of `dir`, signing valid
    /// assertions.
    pub fn from_pki(dir: &Path, professional_id: &str) -> Result<Self, ClientError> {
        let pki = Pki::load(dir).map_err(|e| ClientError::Pki {
            dir: dir.to_path_buf(),
            identity: professional_id.to_owned(),
            reason: e.to_string(),
        })?;
        Self::new(pki, professional_id)
    }

    /// The virtual card of `professional_id` in `pki`, signing valid assertions.
    pub fn new(pki: Pki, professional_id: &str) -> Result<Self, ClientError> {
        insilab_certs::cards::card_material(&pki, professional_id).map_err(|e| {
            ClientError::Pki {
                dir: pki.dir().to_path_buf(),
                identity: professional_id.to_owned(),
                reason: e.to_string(),
            }
        })?;
        Ok(Self {
            pki,
            professional_id: professional_id.to_owned(),
            case: VALID_CASE.to_owned(),
        })
    }

    /// Signs the assertions of this case of the negative catalogue instead (rehearsing a
    /// simulator refusal: `tampered-signature`, `revoked-certificate`, …).
    pub fn with_case(mut self, case: &str) -> Result<Self, ClientError> {
        if !case_names().contains(&case) {
            return Err(ClientError::InvalidSetting {
                name: "card case",
                reason: format!("{case:?} is not one of {}", case_names().join(", ")),
            });
        }
        case.clone_into(&mut self.case);
        Ok(self)
    }

    /// The card holder's id.
    pub fn professional_id(&self) -> &str {
        &self.professional_id
    }

    /// A freshly signed assertion (new ID, `IssueInstant` = `now`).
    pub fn sign(&self, now: OffsetDateTime) -> Result<String, ClientError> {
        let id = new_assertion_id(&uuid::Uuid::new_v4().to_string());
        case_assertion(&self.pki, &self.professional_id, &self.case, &id, now)
            .map_err(|e| ClientError::Card(e.to_string()))
    }

    /// The `wsse:Security` header of one call: one freshly signed assertion.
    pub fn security(&self, now: OffsetDateTime) -> Result<Security, ClientError> {
        let raw_xml = self.sign(now)?;
        Ok(Security {
            assertions: vec![Assertion {
                raw_xml,
                name_id: Some(self.professional_id.clone()),
                name_qualifier: Some(insilab_core::assertion::QUALIFIER_CARD.to_owned()),
                has_signature: true,
                ..Assertion::default()
            }],
        })
    }
}
