//! The CPx "assertion PS" of card mode (insi-protocol.md §4): the known test professionals,
//! the shape of the assertion, and its signature.
//!
//! The checks an assertion must pass live in the rule catalogue
//! ([`crate::rules::check_assertion`]); this module builds and signs assertions, and its
//! private `dsig` module is the only place that talks to the XML-signature library
//! (`bergshamra`): canonicalisation and signature arithmetic are never written by hand here.

mod dsig;

pub use dsig::sign_template;
pub(crate) use dsig::{SignatureVerdict, verify_signature};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// SAML 2.0 assertion namespace.
pub const SAML_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// XML-DSig namespace.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// WS-Security (secext 1.0) namespace of the `Security` header.
pub const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/// SOAP 1.2 envelope namespace.
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// `Issuer/@Format` of a card assertion: the certificate subject DN.
pub const X509_SUBJECT_FORMAT: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName";
/// Exclusive canonicalisation (the only one accepted).
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// RSA with SHA-256 (the only signature method accepted).
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
/// SHA-256 (the only digest accepted).
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
/// SHA-1 digest URI (refused; named so that the rule can say so).
pub const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
/// RSA with SHA-1 signature URI (refused).
pub const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
/// The enveloped-signature transform.
pub const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// `NameID/@NameQualifier` of a card-holder.
pub const QUALIFIER_CARD: &str = "CPS";
/// `NameID/@NameQualifier` of a Pro Santé Connect holder.
pub const QUALIFIER_PSC: &str = "PSC";
/// Attributes a card assertion must carry (§4 names them for every professional; the
/// physician's `codeSpecialite` depends on the profession, so it is not required).
pub const REQUIRED_ATTRIBUTES: &[&str] = &["secteurActivite", "identifiantFacturation"];

/// A known test professional (cnda-test-data.md, "Test professionals").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownProfessional {
    /// The professional's id (`899900063480`), also the card's key name.
    pub id: &'static str,
    /// Profession in plain words.
    pub profession: &'static str,
    /// Given name written on the virtual card (ours: the real test cards' names are not public).
    pub given_name: &'static str,
    /// Surname written on the virtual card (ours).
    pub surname: &'static str,
    /// SAML attributes (name, value), in the order they are written.
    pub attributes: &'static [(&'static str, &'static str)],
}

/// The three test professionals. The physician's and the nurse's attributes are the published
/// ones; the physiotherapist's are not public: ours are marked as such in `docs/card-mode.md`.
pub const TEST_PROFESSIONALS: &[KnownProfessional] = &[
    KnownProfessional {
        id: "899900063480",
        profession: "physician",
        given_name: "MEDECIN",
        surname: "RPPS0063480",
        attributes: &[
            ("identifiantFacturation", "991130972"),
            ("codeSpecialite", "SM26"),
            ("secteurActivite", "SA07"),
        ],
    },
    KnownProfessional {
        id: "00B6087510",
        profession: "nurse",
        given_name: "INFIRMIER",
        surname: "ADELI6087510",
        attributes: &[
            ("identifiantFacturation", "123456789"),
            ("secteurActivite", "SA05"),
        ],
    },
    KnownProfessional {
        id: "899700870589",
        profession: "physiotherapist",
        given_name: "KINE",
        surname: "RPPS0870589",
        attributes: &[
            ("identifiantFacturation", "991130980"),
            ("secteurActivite", "SA07"),
        ],
    },
];

/// The known test professional `id`, if any.
pub fn known_professional(id: &str) -> Option<&'static KnownProfessional> {
    TEST_PROFESSIONALS.iter().find(|p| p.id == id)
}

/// What goes into one assertion, before signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertionContent {
    /// `@ID` (`_` followed by a UUID).
    pub id: String,
    /// `@IssueInstant`.
    pub issue_instant: OffsetDateTime,
    /// `Issuer`: the card certificate's subject DN.
    pub issuer: String,
    /// `Subject/NameID`: the professional's id; `None` leaves the NameID out (negative case).
    pub professional_id: Option<String>,
    /// `NameID/@NameQualifier` (`CPS`).
    pub name_qualifier: String,
    /// Attributes (name, value).
    pub attributes: Vec<(String, String)>,
}

impl AssertionContent {
    /// The content of an assertion for a known professional, issued by `issuer_dn`.
    pub fn for_professional(
        professional: &KnownProfessional,
        issuer_dn: &str,
        id: &str,
        issue_instant: OffsetDateTime,
    ) -> Self {
        Self {
            id: id.to_owned(),
            issue_instant,
            issuer: issuer_dn.to_owned(),
            professional_id: Some(professional.id.to_owned()),
            name_qualifier: QUALIFIER_CARD.to_owned(),
            attributes: professional
                .attributes
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }
}

/// Algorithms written into a signature template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Algorithms {
    /// `SignatureMethod/@Algorithm`.
    pub signature: &'static str,
    /// `DigestMethod/@Algorithm`.
    pub digest: &'static str,
}

impl Default for Algorithms {
    /// RSA-SHA256 and SHA-256, as §4 says.
    fn default() -> Self {
        Self {
            signature: RSA_SHA256,
            digest: SHA256,
        }
    }
}

/// Escapes text for an XML attribute or element.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// `IssueInstant` text: UTC, whole seconds, `Z`.
fn instant_text(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// The assertion of `content` as a signature template: a `ds:Signature` right after `Issuer`
/// with empty `DigestValue` and `SignatureValue`, one reference to `#ID`, the transforms
/// enveloped-signature then exclusive c14n, and `certificate_der` in `KeyInfo`.
pub fn template(
    content: &AssertionContent,
    algorithms: Algorithms,
    certificate_der: &[u8],
) -> String {
    use base64::Engine as _;
    let cert = base64::engine::general_purpose::STANDARD.encode(certificate_der);
    let mut xml = format!(
        "<saml:Assertion xmlns:saml=\"{SAML_NS}\" ID=\"{id}\" IssueInstant=\"{instant}\" Version=\"2.0\">\
<saml:Issuer Format=\"{X509_SUBJECT_FORMAT}\">{issuer}</saml:Issuer>\
<ds:Signature xmlns:ds=\"{DSIG_NS}\"><ds:SignedInfo>\
<ds:CanonicalizationMethod Algorithm=\"{EXC_C14N}\"/>\
<ds:SignatureMethod Algorithm=\"{sig}\"/>\
<ds:Reference URI=\"#{id}\"><ds:Transforms>\
<ds:Transform Algorithm=\"{ENVELOPED_SIGNATURE}\"/>\
<ds:Transform Algorithm=\"{EXC_C14N}\"/>\
</ds:Transforms><ds:DigestMethod Algorithm=\"{digest}\"/><ds:DigestValue></ds:DigestValue>\
</ds:Reference></ds:SignedInfo><ds:SignatureValue></ds:SignatureValue>\
<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>\
</ds:Signature><saml:Subject>",
        id = escape(&content.id),
        instant = instant_text(content.issue_instant),
        issuer = escape(&content.issuer),
        sig = algorithms.signature,
        digest = algorithms.digest,
    );
    if let Some(pid) = &content.professional_id {
        xml.push_str(&format!(
            "<saml:NameID NameQualifier=\"{}\">{}</saml:NameID>",
            escape(&content.name_qualifier),
            escape(pid)
        ));
    }
    xml.push_str("</saml:Subject><saml:AttributeStatement>");
    for (name, value) in &content.attributes {
        xml.push_str(&format!(
            "<saml:Attribute Name=\"{}\"><saml:AttributeValue>{}</saml:AttributeValue></saml:Attribute>",
            escape(name),
            escape(value)
        ));
    }
    xml.push_str("</saml:AttributeStatement></saml:Assertion>");
    xml
}

/// Builds and signs the assertion of `content` with `key_pkcs8_pem` (the card's signature key)
/// and `certificate_der` (its certificate, put in `KeyInfo`).
pub fn sign_assertion(
    content: &AssertionContent,
    key_pkcs8_pem: &str,
    certificate_der: &[u8],
) -> Result<String, AssertionError> {
    sign_template(
        &template(content, Algorithms::default(), certificate_der),
        key_pkcs8_pem,
    )
}

/// A new assertion id: `_` followed by a random UUID.
pub fn new_assertion_id(uuid: &str) -> String {
    format!("_{uuid}")
}

/// Why an assertion could not be built or signed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssertionError {
    /// The signature key could not be read.
    #[error("cannot read the card's signature key: {0}")]
    Key(String),
    /// The XML-signature library refused to sign.
    #[error("cannot sign the assertion: {0}")]
    Sign(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_puts_the_signature_right_after_the_issuer_and_escapes_values() {
        let content = AssertionContent {
            id: "_a".into(),
            issue_instant: time::macros::datetime!(2026-01-02 03:04:05.678 UTC),
            issuer: "CN=A&B".into(),
            professional_id: Some("899900063480".into()),
            name_qualifier: "CPS".into(),
            attributes: vec![("secteurActivite".into(), "SA<07".into())],
        };
        let xml = template(&content, Algorithms::default(), b"x");
        assert!(xml.contains("IssueInstant=\"2026-01-02T03:04:05Z\""));
        assert!(xml.contains(">CN=A&amp;B</saml:Issuer><ds:Signature "));
        assert!(xml.contains("SA&lt;07"));
        assert!(xml.contains("<ds:Reference URI=\"#_a\">"));
    }

    #[test]
    fn the_three_test_professionals_are_known() {
        for id in ["899900063480", "00B6087510", "899700870589"] {
            assert!(known_professional(id).is_some(), "{id}");
        }
        assert!(known_professional("1").is_none());
    }
}
