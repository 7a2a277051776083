//! Virtual CPx cards: for each known test professional, a signature key and a certificate
//! shaped like a test CPx card's signature certificate (issued by
//! `TEST AC IGC-SANTE FORT PERSONNES`, key usage non-repudiation only), plus the card
//! certificates of the negative catalogue (expired, revoked, unknown CA). The PKI generator
//! turns each row into an identity of `index.yaml`.

use insilab_core::assertion::{
    AssertionContent, KnownProfessional, TEST_PROFESSIONALS, known_professional, sign_assertion,
};
use insilab_core::rules::RuleId;
use time::OffsetDateTime;

use crate::ca::{COUNTRY, Dn};
use crate::pki::read_bytes;
use crate::{CertsError, Pki};

/// Organisation (`O`) of the virtual cards' subjects (ours: the test cards' own is not public).
pub const CARD_ORGANISATION: &str = "INSILAB CARTES DE TEST";

/// How a virtual card's certificate differs from a valid one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardFlaw {
    /// A valid card.
    None,
    /// Its validity ended 30 days before the PKI's `now`.
    Expired,
    /// Listed in the PERSONNES CRL.
    Revoked,
    /// Issued by a CA outside the IGC-Santé hierarchy.
    UnknownCa,
}

/// One virtual card of the PKI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VirtualCard {
    /// Identity name in `index.yaml` (`cpx-899900063480`).
    pub name: &'static str,
    /// Card holder: a known test professional's id.
    pub professional_id: &'static str,
    /// What is wrong with it, if anything.
    pub flaw: CardFlaw,
    /// One line for `index.yaml`.
    pub description: &'static str,
    /// The rule that refuses an assertion signed with it, if any.
    pub refused_by: Option<RuleId>,
}

/// Every virtual card, valid ones first.
pub const VIRTUAL_CARDS: &[VirtualCard] = &[
    VirtualCard {
        name: "cpx-899900063480",
        professional_id: "899900063480",
        flaw: CardFlaw::None,
        description: "virtual CPx card of test physician 899900063480: signature certificate (non-repudiation) for card-mode assertions",
        refused_by: None,
    },
    VirtualCard {
        name: "cpx-00B6087510",
        professional_id: "00B6087510",
        flaw: CardFlaw::None,
        description: "virtual CPx card of test nurse 00B6087510: signature certificate (non-repudiation) for card-mode assertions",
        refused_by: None,
    },
    VirtualCard {
        name: "cpx-899700870589",
        professional_id: "899700870589",
        flaw: CardFlaw::None,
        description: "virtual CPx card of test physiotherapist 899700870589: signature certificate (non-repudiation) for card-mode assertions",
        refused_by: None,
    },
    VirtualCard {
        name: "cpx-expired",
        professional_id: "899900063480",
        flaw: CardFlaw::Expired,
        description: "card certificate of 899900063480 whose validity ended 30 days before `now`",
        refused_by: Some(RuleId::Cpx011),
    },
    VirtualCard {
        name: "cpx-revoked",
        professional_id: "899900063480",
        flaw: CardFlaw::Revoked,
        description: "card certificate of 899900063480 listed in the PERSONNES CRL",
        refused_by: Some(RuleId::Cpx012),
    },
    VirtualCard {
        name: "cpx-unknown-ca",
        professional_id: "899900063480",
        flaw: CardFlaw::UnknownCa,
        description: "card certificate of 899900063480 issued by a CA outside the IGC-Santé hierarchy",
        refused_by: Some(RuleId::Cpx010),
    },
];

/// The valid virtual card of professional `id` (`899900063480`), if any.
pub fn card_of(professional_id: &str) -> Option<&'static VirtualCard> {
    VIRTUAL_CARDS
        .iter()
        .find(|c| c.professional_id == professional_id && c.flaw == CardFlaw::None)
}

/// The virtual card named `name` (`cpx-revoked`), if any.
pub fn card_named(name: &str) -> Option<&'static VirtualCard> {
    VIRTUAL_CARDS.iter().find(|c| c.name == name)
}

impl VirtualCard {
    /// The card holder.
    pub fn professional(&self) -> Option<&'static KnownProfessional> {
        known_professional(self.professional_id)
    }
}

/// The subject of a card signature certificate:
/// `CN=<professional id>/<SURNAME> <GIVEN NAME>, OU=<profession>, O=INSILAB CARTES DE TEST, C=FR`.
/// The `id/name` common name follows the CPS signature certificates; the other attributes
/// are ours (see `docs/pki.md`).
pub fn card_subject(professional: &KnownProfessional) -> Dn {
    Dn::new()
        .country(COUNTRY)
        .organisation(CARD_ORGANISATION)
        .organisational_unit(professional.profession.to_uppercase())
        .common_name(format!(
            "{}/{} {}",
            professional.id, professional.surname, professional.given_name
        ))
}

/// What a verifier needs to judge card certificates: the PERSONNES CA and its CRL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardTrust {
    /// DER of `TEST AC IGC-SANTE FORT PERSONNES`.
    pub ca_der: Vec<u8>,
    /// DER of its CRL, when the PKI publishes one.
    pub crl_der: Option<Vec<u8>>,
}

/// Reads the card trust of `pki` (`ca/personnes.der`, `crl/personnes.crl.der`).
pub fn card_trust(pki: &Pki) -> Result<CardTrust, CertsError> {
    let index = pki.index();
    let ca = index.ca("personnes").ok_or_else(|| {
        CertsError::decode(
            pki.dir().join(crate::INDEX_FILE).display().to_string(),
            "the personnes ca is not listed: regenerate with `insilab pki init --force`",
        )
    })?;
    let ca_der = read_bytes(&pki.dir().join(&ca.cert_der))?;
    let crl_der = match index.crls.iter().find(|c| c.name == "personnes") {
        Some(crl) => Some(read_bytes(&pki.dir().join(&crl.der))?),
        None => None,
    };
    Ok(CardTrust { ca_der, crl_der })
}

/// A virtual card read from a PKI: holder, signature key and certificate.
#[derive(Debug, Clone)]
pub struct CardMaterial {
    /// The card's identity name (`cpx-899900063480`).
    pub name: String,
    /// The holder.
    pub professional: &'static KnownProfessional,
    /// The signature key (PKCS#8 PEM).
    pub key_pem: String,
    /// The signature certificate (DER).
    pub cert_der: Vec<u8>,
    /// The certificate's subject DN, as written in the assertion's `Issuer`.
    pub subject: String,
}

/// Reads the card `card` of `pki`: a professional id (`899900063480`, their valid card) or a
/// card name (`cpx-revoked`).
pub fn card_material(pki: &Pki, card: &str) -> Result<CardMaterial, CertsError> {
    let spec =
        card_of(card)
            .or_else(|| card_named(card))
            .ok_or_else(|| CertsError::InvalidOption {
                option: "--card",
                reason: format!(
                    "{card:?} is neither a test professional nor a virtual card (known: {})",
                    VIRTUAL_CARDS
                        .iter()
                        .map(|c| c.name)
                        .chain(TEST_PROFESSIONALS.iter().map(|p| p.id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })?;
    let professional = spec.professional().ok_or_else(|| {
        CertsError::decode(spec.name, "the card holder is not a known professional")
    })?;
    let entry = pki.index().identity(spec.name).ok_or_else(|| {
        CertsError::decode(
            pki.dir().join(crate::INDEX_FILE).display().to_string(),
            format!(
                "the card {} is not listed: regenerate with `insilab pki init --force`",
                spec.name
            ),
        )
    })?;
    let identity = pki.identity(spec.name)?;
    let cert_der = {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject as _;
        CertificateDer::from_pem_slice(identity.cert_pem.as_bytes())
            .map_err(|e| CertsError::decode(identity.cert_path.display().to_string(), e))?
            .to_vec()
    };
    Ok(CardMaterial {
        name: spec.name.to_owned(),
        professional,
        key_pem: identity.key_pem,
        cert_der,
        subject: entry.facts.subject.clone(),
    })
}

impl CardMaterial {
    /// The assertion content this card signs, with `id` and `issue_instant`.
    pub fn content(&self, id: &str, issue_instant: OffsetDateTime) -> AssertionContent {
        AssertionContent::for_professional(self.professional, &self.subject, id, issue_instant)
    }

    /// Signs `content` with this card.
    pub fn sign(&self, content: &AssertionContent) -> Result<String, CertsError> {
        sign_assertion(content, &self.key_pem, &self.cert_der)
            .map_err(|e| CertsError::generation(format!("an assertion with {}", self.name), e))
    }
}

/// Every known professional has a valid card (checked by a test).
pub fn every_professional_has_a_card() -> bool {
    TEST_PROFESSIONALS.iter().all(|p| card_of(p.id).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_test_professional_has_one_valid_card_and_each_flaw_names_its_rule() {
        assert!(every_professional_has_a_card());
        for card in VIRTUAL_CARDS {
            assert!(card.professional().is_some(), "{}", card.name);
            assert_eq!(card.flaw == CardFlaw::None, card.refused_by.is_none());
            if let Some(rule) = card.refused_by {
                assert!(insilab_core::rules::find(rule.as_str()).is_some(), "{rule}");
            }
        }
    }

    #[test]
    fn the_subject_common_name_is_the_id_then_the_name() {
        let p = known_professional("899900063480").expect("known");
        let dn = card_subject(p);
        assert_eq!(
            dn.attributes().last(),
            Some((
                crate::dn::DnAttribute::CommonName,
                "899900063480/RPPS0063480 MEDECIN"
            ))
        );
    }
}
