//! The negative catalogue of card-mode assertions: each case is a named, reproducible way of
//! getting the CPx assertion wrong, produced from the PKI's virtual cards, with the rule of the
//! catalogue that must refuse it. Tests, `insilab card sign --case`, the reference client and
//! the protocol suite all draw their assertions from here.

use insilab_core::assertion::{
    Algorithms, AssertionContent, SHA1, SHA256, sign_template, template,
};
use insilab_core::rules::RuleId;
use time::{Duration, OffsetDateTime};

use crate::cards::{CardMaterial, card_material};
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
}

/// Name of the correct assertion.
pub const VALID_CASE: &str = "valid";

/// Every negative case, in the order of the rule ids.
pub const NEGATIVE_CASES: &[AssertionCase] = &[
    AssertionCase {
        name: "doctype",
        rule: RuleId::Cpx002,
        description: "a DOCTYPE declaration (with an entity) precedes the assertion",
    },
    AssertionCase {
        name: "sha1-digest",
        rule: RuleId::Cpx005,
        description: "the reference's DigestMethod is SHA-1",
    },
    AssertionCase {
        name: "wrong-reference-uri",
        rule: RuleId::Cpx006,
        description: "the signature's single reference has URI=\"\" (the whole document) instead of #ID",
    },
    AssertionCase {
        name: "tampered-text",
        rule: RuleId::Cpx007,
        description: "an attribute value was changed after signing",
    },
    AssertionCase {
        name: "tampered-signature",
        rule: RuleId::Cpx007,
        description: "one character of SignatureValue was changed",
    },
    AssertionCase {
        name: "signature-wrapping",
        rule: RuleId::Cpx008,
        description: "a forged assertion with the same ID and the copied signature names another professional; the signed one is moved into its Advice",
    },
    AssertionCase {
        name: "unknown-ca",
        rule: RuleId::Cpx010,
        description: "signed by a card certificate from a CA outside the IGC-Santé hierarchy",
    },
    AssertionCase {
        name: "expired-certificate",
        rule: RuleId::Cpx011,
        description: "signed by an expired card certificate",
    },
    AssertionCase {
        name: "revoked-certificate",
        rule: RuleId::Cpx012,
        description: "signed by a card certificate listed in the PERSONNES CRL",
    },
    AssertionCase {
        name: "stale-issue-instant",
        rule: RuleId::Cpx013,
        description: "IssueInstant two hours in the past",
    },
    AssertionCase {
        name: "future-issue-instant",
        rule: RuleId::Cpx014,
        description: "IssueInstant one hour in the future",
    },
    AssertionCase {
        name: "missing-professional-id",
        rule: RuleId::Cpx015,
        description: "Subject has no NameID",
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
    let unknown = || CertsError::InvalidOption {
        option: "--case",
        reason: format!(
            "{case:?} is not a case (known: {})",
            case_names().join(", ")
        ),
    };
    if case != VALID_CASE && negative_case(case).is_none() {
        return Err(unknown());
    }
    let card_name = match case {
        "unknown-ca" => "cpx-unknown-ca",
        "expired-certificate" => "cpx-expired",
        "revoked-certificate" => "cpx-revoked",
        _ => professional_id,
    };
    let card = card_material(pki, card_name)?;
    let instant = match case {
        "stale-issue-instant" => now - Duration::hours(2),
        "future-issue-instant" => now + Duration::hours(1),
        _ => now,
    };
    let mut content = card.content(id, instant);
    if case == "missing-professional-id" {
        content.professional_id = None;
    }
    let sign = |content: &AssertionContent| card.sign(content);
    let signed = match case {
        "wrong-reference-uri" => {
            let whole = template(&content, Algorithms::default(), &card.cert_der).replacen(
                &format!("URI=\"#{}\"", xml_attr(id)),
                "URI=\"\"",
                1,
            );
            sign_with(&card, &whole)?
        }
        _ => sign(&content)?,
    };
    Ok(match case {
        "doctype" => format!("<!DOCTYPE saml:Assertion [<!ENTITY insilab \"x\">]>{signed}"),
        "sha1-digest" => signed.replacen(
            &format!("Algorithm=\"{SHA256}\""),
            &format!("Algorithm=\"{SHA1}\""),
            1,
        ),
        "tampered-text" => tamper_text(&signed, &card),
        "tampered-signature" => tamper_signature(&signed),
        "signature-wrapping" => wrap(&signed, &card),
        _ => signed,
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
