//! The negative catalogue of card-mode assertions: each case is a named, reproducible way of
//! getting the CPx assertion wrong, produced from the PKI's virtual cards, with the rule of the
//! catalogue that must refuse it. Tests, `insilab card sign --case`, the reference client and
//! the protocol suite all draw their assertions from here.

use insilab_core::assertion::{Algorithms, SHA1, SHA256, sign_template, template};
use insilab_core::rules::RuleId;
use time::{Duration, OffsetDateTime};

use crate::cards::{CardFlaw, CardMaterial, VIRTUAL_CARDS, card_material};
use crate::{CertsError, Pki};

/// One way of getting the assertion wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssertionCase {
    /// Stable name (`tampered-signature`).
    pub name: &'static str,
    /// The rule that refuses it (`INSI-CPX-007`).
    pub rule: RuleId,
    /// What is wrong, in plain words.
    pub description: &'static str,
    /// How it is made.
    pub recipe: Recipe,
}

/// How an assertion is made, as data: which card signs it, when it says it was issued, what
/// is left out and what is changed around signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recipe {
    /// The card that signs it.
    pub card: SigningCard,
    /// `IssueInstant` relative to the signing time.
    pub issue_instant_shift: Duration,
    /// The subject's `NameID` (the professional id) is left out.
    pub without_professional_id: bool,
    /// What is done to the document around signing.
    pub alteration: Alteration,
}

impl Recipe {
    /// The correct assertion: the holder's card, issued now, complete, unaltered.
    pub const CORRECT: Recipe = Recipe {
        card: SigningCard::Holder,
        issue_instant_shift: Duration::ZERO,
        without_professional_id: false,
        alteration: Alteration::None,
    };
}

/// The card that signs a case's assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningCard {
    /// The professional's own valid card.
    Holder,
    /// The virtual card with this flaw ([`crate::cards::VIRTUAL_CARDS`]).
    Flawed(CardFlaw),
}

/// What is done to the assertion around signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alteration {
    /// Nothing: signed as is.
    None,
    /// A DOCTYPE declaration with an entity is put before the signed assertion.
    Doctype,
    /// The signed reference's DigestMethod is rewritten to SHA-1.
    Sha1Digest,
    /// Signed with a reference to the whole document (`URI=""`) instead of `#ID`.
    WholeDocumentReference,
    /// An attribute value is changed after signing.
    TamperedText,
    /// One character of `SignatureValue` is changed.
    TamperedSignature,
    /// A forged assertion (same ID, another professional, the copied signature) wraps the
    /// genuine one in its `saml:Advice`.
    SignatureWrapping,
}

/// Name of the correct assertion.
pub const VALID_CASE: &str = "valid";

/// Every negative case, in the order of the rule ids.
pub const NEGATIVE_CASES: &[AssertionCase] = &[
    AssertionCase {
        name: "doctype",
        rule: RuleId::Cpx002,
        description: "a DOCTYPE declaration (with an entity) precedes the assertion",
        recipe: Recipe {
            alteration: Alteration::Doctype,
            ..Recipe::CORRECT
        },
    },
    AssertionCase {
        name: "sha1-digest",
        rule: RuleId::Cpx005,
        description: "the reference's DigestMethod is SHA-1",
        recipe: Recipe {
            alteration: Alteration::Sha1Digest,
            ..Recipe::CORRECT
        },
    },
    AssertionCase {
        name: "wrong-reference-uri",
        rule: RuleId::Cpx006,
        description: "the signature's single reference has URI=\"\" (the whole document) instead of #ID",
        recipe: Recipe {
            alteration: Alteration::WholeDocumentReference,
            ..Recipe::CORRECT
        },
    },
    AssertionCase {
        name: "tampered-text",
        rule: RuleId::Cpx007,
        description: "an attribute value was changed after signing",
        recipe: Recipe {
            alteration: Alteration::TamperedText,
            ..Recipe::CORRECT
        },
    },
    AssertionCase {
        name: "tampered-signature",
        rule: RuleId::Cpx007,
        description: "one character of SignatureValue was changed",
        recipe: Recipe {
            alteration: Alteration::TamperedSignature,
            ..Recipe::CORRECT
        },
    },
    AssertionCase {
        name: "signature-wrapping",
        rule: RuleId::Cpx008,
        description: "a forged assertion with the same ID and the copied signature names another professional; the signed one is moved into its Advice",
        recipe: Recipe {
            alteration: Alteration::SignatureWrapping,
            ..Recipe::CORRECT
        },
    },
    AssertionCase {
        name: "unknown-ca",
        rule: RuleId::Cpx010,
        description: "signed by a card certificate from a CA outside the IGC-Santé hierarchy",
        recipe: Recipe {
            card: SigningCard::Flawed(CardFlaw::UnknownCa),
            ..Recipe::CORRECT
        },
    },
    AssertionCase {
        name: "expired-certificate",
        rule: RuleId::Cpx011,
        description: "signed by an expired card certificate",
        recipe: Recipe {
            card: SigningCard::Flawed(CardFlaw::Expired),
            ..Recipe::CORRECT
        },
    },
    AssertionCase {
        name: "revoked-certificate",
        rule: RuleId::Cpx012,
        description: "signed by a card certificate listed in the PERSONNES CRL",
        recipe: Recipe {
            card: SigningCard::Flawed(CardFlaw::Revoked),
            ..Recipe::CORRECT
        },
    },
    AssertionCase {
        name: "stale-issue-instant",
        rule: RuleId::Cpx013,
        description: "IssueInstant two hours in the past",
        recipe: Recipe {
            issue_instant_shift: Duration::hours(-2),
            ..Recipe::CORRECT
        },
    },
    AssertionCase {
        name: "future-issue-instant",
        rule: RuleId::Cpx014,
        description: "IssueInstant one hour in the future",
        recipe: Recipe {
            issue_instant_shift: Duration::hours(1),
            ..Recipe::CORRECT
        },
    },
    AssertionCase {
        name: "missing-professional-id",
        rule: RuleId::Cpx015,
        description: "Subject has no NameID",
        recipe: Recipe {
            without_professional_id: true,
            ..Recipe::CORRECT
        },
    },
];

/// The negative case `name`, if any.
pub fn negative_case(name: &str) -> Option<&'static AssertionCase> {
    NEGATIVE_CASES.iter().find(|c| c.name == name)
}

/// Names accepted by [`case_assertion`]: `valid` and every negative case.
pub fn case_names() -> Vec<&'static str> {
    std::iter::once(VALID_CASE)
        .chain(NEGATIVE_CASES.iter().map(|c| c.name))
        .collect()
}

/// The assertion of case `case` for professional `professional_id`, signed at `now` with that
/// professional's virtual card (or with the flawed card the case needs). `id` is the
/// assertion's ID (`_` + UUID).
pub fn case_assertion(
    pki: &Pki,
    professional_id: &str,
    case: &str,
    id: &str,
    now: OffsetDateTime,
) -> Result<String, CertsError> {
    let recipe = if case == VALID_CASE {
        Recipe::CORRECT
    } else {
        negative_case(case)
            .ok_or_else(|| CertsError::InvalidOption {
                option: "--case",
                reason: format!(
                    "{case:?} is not a case (known: {})",
                    case_names().join(", ")
                ),
            })?
            .recipe
    };
    let card_name = match recipe.card {
        SigningCard::Holder => professional_id,
        SigningCard::Flawed(flaw) => VIRTUAL_CARDS
            .iter()
            .find(|card| card.flaw == flaw)
            .map(|card| card.name)
            .ok_or_else(|| {
                CertsError::generation(case, format!("no virtual card has the flaw {flaw:?}"))
            })?,
    };
    let card = card_material(pki, card_name)?;
    let mut content = card.content(id, now + recipe.issue_instant_shift);
    if recipe.without_professional_id {
        content.professional_id = None;
    }
    let signed = match recipe.alteration {
        Alteration::WholeDocumentReference => {
            let whole = template(&content, Algorithms::default(), &card.cert_der).replacen(
                &format!("URI=\"#{}\"", xml_attr(id)),
                "URI=\"\"",
                1,
            );
            sign_with(&card, &whole)?
        }
        _ => card.sign(&content)?,
    };
    Ok(match recipe.alteration {
        Alteration::Doctype => {
            format!("<!DOCTYPE saml:Assertion [<!ENTITY insilab \"x\">]>{signed}")
        }
        Alteration::Sha1Digest => signed.replacen(
            &format!("Algorithm=\"{SHA256}\""),
            &format!("Algorithm=\"{SHA1}\""),
            1,
        ),
        Alteration::TamperedText => tamper_text(&signed, &card),
        Alteration::TamperedSignature => tamper_signature(&signed),
        Alteration::SignatureWrapping => wrap(&signed, &card),
        Alteration::None | Alteration::WholeDocumentReference => signed,
    })
}

fn xml_attr(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

fn sign_with(card: &CardMaterial, template: &str) -> Result<String, CertsError> {
    sign_template(template, &card.key_pem)
        .map_err(|e| CertsError::generation(format!("an assertion with {}", card.name), e))
}

/// The first attribute value changed (`SA07` becomes `SA99`, say).
fn tamper_text(signed: &str, card: &CardMaterial) -> String {
    match card.professional.attributes.first() {
        Some((_, value)) => signed.replacen(
            &format!(">{value}</saml:AttributeValue>"),
            &format!(">{value}0</saml:AttributeValue>"),
            1,
        ),
        None => signed.replacen("Version=\"2.0\"", "Version=\"2.0\" ", 1),
    }
}

/// One base64 character of `SignatureValue` changed.
fn tamper_signature(signed: &str) -> String {
    const OPEN: &str = "<ds:SignatureValue>";
    let Some(start) = signed.find(OPEN).map(|i| i + OPEN.len() + 10) else {
        return signed.to_owned();
    };
    let mut bytes = signed.as_bytes().to_vec();
    if let Some(b) = bytes.get_mut(start) {
        *b = if *b == b'A' { b'B' } else { b'A' };
    }
    String::from_utf8(bytes).unwrap_or_else(|_| signed.to_owned())
}

/// XSW: a forged assertion (same ID, another professional, the copied signature) whose
/// `saml:Advice` holds the genuine signed assertion.
fn wrap(signed: &str, card: &CardMaterial) -> String {
    let forged = signed.replacen(
        &format!(">{}</saml:NameID>", card.professional.id),
        ">899999999999</saml:NameID>",
        1,
    );
    let inner = signed.replacen(
        &format!(" xmlns:saml=\"{}\"", insilab_core::assertion::SAML_NS),
        "",
        1,
    );
    forged.replacen(
        "</saml:Subject>",
        &format!("</saml:Subject><saml:Advice>{inner}</saml:Advice>"),
        1,
    )
}
