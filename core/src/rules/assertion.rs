//! Rules of the CPx assertion (card mode, insi-protocol.md §4): `INSI-CPX-*`.
//!
//! [`check_assertion`] takes the raw message (a SOAP envelope whose `wsse:Security` holds the
//! assertion, or a bare `saml:Assertion` document) and answers every breached rule, the
//! professional's id and the card certificate. The signature itself is verified by the
//! XML-signature library behind [`crate::assertion`]; this module decides which element must be
//! signed, how, and by whom.

use time::{Duration, OffsetDateTime};
use uppsala::{Document, NodeId};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;
use x509_parser::time::ASN1Time;

use super::{Finding, Findings, RuleId, quote};
use crate::assertion::{
    DSIG_NS, ENVELOPED_SIGNATURE, EXC_C14N, QUALIFIER_CARD, QUALIFIER_PSC, REQUIRED_ATTRIBUTES,
    RSA_SHA1, RSA_SHA256, SAML_NS, SHA1, SHA256, SOAP12_NS, SignatureVerdict, WSSE_NS,
    X509_SUBJECT_FORMAT, verify_signature,
};

/// How long an assertion is accepted after its `IssueInstant` (§4: "about one hour").
pub const DEFAULT_ASSERTION_VALIDITY: Duration = Duration::hours(1);
/// Clock difference tolerated between the client and the simulator.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::minutes(5);
/// Largest message the assertion checks read.
pub const MAX_ASSERTION_MESSAGE_BYTES: usize = 512 * 1024;
/// Deepest element nesting the assertion checks read.
pub const MAX_ASSERTION_DEPTH: u32 = 64;

/// What an assertion is checked against.
#[derive(Debug, Clone)]
pub struct AssertionPolicy<'a> {
    /// DER of the CA that issues card certificates ("TEST AC IGC-SANTE FORT PERSONNES").
    pub card_ca_der: &'a [u8],
    /// DER of that CA's CRL, when one is published.
    pub crl_der: Option<&'a [u8]>,
    /// The current time.
    pub now: OffsetDateTime,
    /// How long after `IssueInstant` the assertion is accepted.
    pub validity: Duration,
    /// Clock difference tolerated both ways.
    pub clock_skew: Duration,
}

/// The card certificate found in `KeyInfo`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CardCertificate {
    /// Subject DN (RFC 4514 order as x509-parser prints it).
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number, upper-case hexadecimal.
    pub serial: String,
}

/// The result of [`check_assertion`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AssertionReport {
    /// Every breached rule, in the order the checks ran.
    pub findings: Vec<Finding>,
    /// `Subject/NameID`, when present.
    pub professional_id: Option<String>,
    /// The certificate of `KeyInfo`, when readable.
    pub certificate: Option<CardCertificate>,
}

impl AssertionReport {
    /// The first finding of fault severity: the check a server refuses the call for.
    pub fn refusal(&self) -> Option<&Finding> {
        self.findings
            .iter()
            .find(|f| f.severity == super::Severity::Fault)
    }
}

const P_ASSERTION: &str = "Header/Security/Assertion";

/// Checks the card assertion carried by `message`.
pub fn check_assertion(message: &[u8], policy: &AssertionPolicy<'_>) -> AssertionReport {
    let mut f = Findings::default();
    let mut report = AssertionReport::default();
    if message.len() > MAX_ASSERTION_MESSAGE_BYTES {
        f.push(
            RuleId::Cpx002,
            None,
            format!(
                "the message is {} bytes, more than the {MAX_ASSERTION_MESSAGE_BYTES} read",
                message.len()
            ),
        );
        report.findings = f.0;
        return report;
    }
    let text = match std::str::from_utf8(message) {
        Ok(t) => t,
        Err(e) => {
            f.push(
                RuleId::Cpx002,
                None,
                format!("the message is not utf-8: {e}"),
            );
            report.findings = f.0;
            return report;
        }
    };
    if has_doctype(text) {
        f.push(
            RuleId::Cpx002,
            None,
            "the message holds a DOCTYPE declaration".into(),
        );
        report.findings = f.0;
        return report;
    }
    let parser = uppsala::Parser::new()
        .with_forbid_dtd(true)
        .with_forbid_entities(true)
        .with_max_depth(MAX_ASSERTION_DEPTH);
    let doc = match parser.parse(text) {
        Ok(d) => d,
        Err(e) => {
            f.push(
                RuleId::Cpx002,
                None,
                format!("the message is not well-formed xml: {e}"),
            );
            report.findings = f.0;
            return report;
        }
    };
    let Some(assertion) = locate_assertion(&doc) else {
        f.push(
            RuleId::Cpx001,
            Some("Header/Security".into()),
            "wsse:Security holds no saml:Assertion".into(),
        );
        report.findings = f.0;
        return report;
    };
    let view = AssertionView::read(&doc, assertion);
    report.professional_id = view.name_id.clone();
    check_shape(&mut f, &view);
    check_subject(&mut f, &view);
    check_instant(&mut f, &view, policy);
    let certificate_der = view.signature.and_then(|s| certificate_of(&doc, s));
    match (view.signature, view.signature_after_issuer) {
        (None, _) => f.push(
            RuleId::Cpx004,
            Some(P_ASSERTION.into()),
            "the assertion carries no ds:Signature".into(),
        ),
        (Some(_), false) => f.push(
            RuleId::Cpx004,
            Some(format!("{P_ASSERTION}/Signature")),
            "ds:Signature is not the element right after saml:Issuer".into(),
        ),
        (Some(signature), true) => {
            check_signature(&mut f, &doc, assertion, signature, view.id.as_deref());
        }
    }
    if view.signature.is_some() {
        match certificate_der.as_deref() {
            None => f.push(
                RuleId::Cpx009,
                Some(format!("{P_ASSERTION}/Signature/KeyInfo")),
                "KeyInfo holds no X509Certificate".into(),
            ),
            Some(der) => {
                report.certificate = check_certificate(&mut f, der, &view, policy);
            }
        }
    }
    report.findings = f.0;
    report
}

/// A DOCTYPE anywhere before the first element (or anywhere at all: it is never legitimate).
fn has_doctype(text: &str) -> bool {
    text.contains("<!DOCTYPE") || text.contains("<!doctype")
}

/// The assertion to judge: the document element when it is a `saml:Assertion`, otherwise the
/// first `saml:Assertion` child of `Envelope/Header/Security`.
fn locate_assertion(doc: &Document<'_>) -> Option<NodeId> {
    let root = doc.document_element()?;
    if is(doc, root, SAML_NS, "Assertion") {
        return Some(root);
    }
    if !is(doc, root, SOAP12_NS, "Envelope") {
        return None;
    }
    let header = child(doc, root, SOAP12_NS, "Header")?;
    let security = child(doc, header, WSSE_NS, "Security")?;
    child(doc, security, SAML_NS, "Assertion")
}

fn is(doc: &Document<'_>, node: NodeId, ns: &str, local: &str) -> bool {
    doc.element(node)
        .is_some_and(|e| e.name.matches(Some(ns), local))
}

fn elements(doc: &Document<'_>, node: NodeId) -> Vec<NodeId> {
    doc.children(node)
        .into_iter()
        .filter(|c| doc.element(*c).is_some())
        .collect()
}

fn child(doc: &Document<'_>, node: NodeId, ns: &str, local: &str) -> Option<NodeId> {
    elements(doc, node)
        .into_iter()
        .find(|c| is(doc, *c, ns, local))
}

fn attr(doc: &Document<'_>, node: NodeId, name: &str) -> Option<String> {
    doc.element(node)
        .and_then(|e| e.get_attribute(name))
        .map(str::to_owned)
}

fn text(doc: &Document<'_>, node: NodeId) -> String {
    doc.text_content_deep(node).trim().to_owned()
}

/// What the checks read of the assertion.
struct AssertionView {
    id: Option<String>,
    version: Option<String>,
    issue_instant: Option<String>,
    issuer: Option<String>,
    issuer_format: Option<String>,
    signature: Option<NodeId>,
    signature_after_issuer: bool,
    name_id: Option<String>,
    name_qualifier: Option<String>,
    attributes: Vec<(String, String)>,
}

impl AssertionView {
    fn read(doc: &Document<'_>, assertion: NodeId) -> Self {
        let children = elements(doc, assertion);
        let issuer = children
            .iter()
            .copied()
            .find(|c| is(doc, *c, SAML_NS, "Issuer"));
        let signature = children
            .iter()
            .copied()
            .find(|c| is(doc, *c, DSIG_NS, "Signature"));
        let signature_after_issuer = match (issuer, signature) {
            (Some(i), Some(s)) => {
                children
                    .iter()
                    .position(|c| *c == i)
                    .and_then(|p| children.get(p + 1))
                    == Some(&s)
            }
            _ => false,
        };
        let subject = child(doc, assertion, SAML_NS, "Subject");
        let name_id = subject.and_then(|s| child(doc, s, SAML_NS, "NameID"));
        let mut attributes = Vec::new();
        for statement in children
            .iter()
            .filter(|c| is(doc, **c, SAML_NS, "AttributeStatement"))
        {
            for a in elements(doc, *statement) {
                if !is(doc, a, SAML_NS, "Attribute") {
                    continue;
                }
                let name = attr(doc, a, "Name").unwrap_or_default();
                let value = child(doc, a, SAML_NS, "AttributeValue")
                    .map(|v| text(doc, v))
                    .unwrap_or_default();
                attributes.push((name, value));
            }
        }
        Self {
            id: attr(doc, assertion, "ID"),
            version: attr(doc, assertion, "Version"),
            issue_instant: attr(doc, assertion, "IssueInstant"),
            issuer: issuer.map(|i| text(doc, i)),
            issuer_format: issuer.and_then(|i| attr(doc, i, "Format")),
            signature,
            signature_after_issuer,
            name_id: name_id.map(|n| text(doc, n)).filter(|t| !t.is_empty()),
            name_qualifier: name_id.and_then(|n| attr(doc, n, "NameQualifier")),
            attributes,
        }
    }
}

fn check_shape(f: &mut Findings, v: &AssertionView) {
    let path = || Some(P_ASSERTION.to_owned());
    if v.id.as_deref().is_none_or(str::is_empty) {
        f.push(RuleId::Cpx003, path(), "the assertion has no ID".into());
    }
    if v.version.as_deref() != Some("2.0") {
        let got = v.version.as_deref().map_or("missing".into(), quote);
        f.push(
            RuleId::Cpx003,
            path(),
            format!("assertion Version is {got}, expected \"2.0\""),
        );
    }
    match (&v.issuer, &v.issuer_format) {
        (None, _) => f.push(RuleId::Cpx003, path(), "saml:Issuer is missing".into()),
        (Some(_), format) if format.as_deref() != Some(X509_SUBJECT_FORMAT) => {
            let got = format.as_deref().map_or("missing".into(), quote);
            f.push(
                RuleId::Cpx003,
                Some(format!("{P_ASSERTION}/Issuer/@Format")),
                format!("Issuer/@Format is {got}, expected the X509SubjectName format"),
            );
        }
        _ => {}
    }
}

fn check_subject(f: &mut Findings, v: &AssertionView) {
    if v.name_id.is_none() {
        f.push(
            RuleId::Cpx015,
            Some(format!("{P_ASSERTION}/Subject/NameID")),
            "the assertion names no professional (Subject/NameID missing or empty)".into(),
        );
    } else if !matches!(
        v.name_qualifier.as_deref(),
        Some(QUALIFIER_CARD | QUALIFIER_PSC)
    ) {
        let got = v.name_qualifier.as_deref().map_or("missing".into(), quote);
        f.push(
            RuleId::Cpx016,
            Some(format!("{P_ASSERTION}/Subject/NameID/@NameQualifier")),
            format!("NameID/@NameQualifier is {got}, expected \"CPS\" or \"PSC\""),
        );
    }
    for required in REQUIRED_ATTRIBUTES {
        if !v
            .attributes
            .iter()
            .any(|(n, value)| n == required && !value.is_empty())
        {
            f.push(
                RuleId::Cpx017,
                Some(format!("{P_ASSERTION}/AttributeStatement")),
                format!("the professional's attribute {required} is missing or empty"),
            );
        }
    }
}

fn check_instant(f: &mut Findings, v: &AssertionView, policy: &AssertionPolicy<'_>) {
    let path = || Some(format!("{P_ASSERTION}/@IssueInstant"));
    let Some(raw) = v.issue_instant.as_deref() else {
        f.push(
            RuleId::Cpx003,
            path(),
            "the assertion has no IssueInstant".into(),
        );
        return;
    };
    let Ok(instant) = OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
    else {
        f.push(
            RuleId::Cpx003,
            path(),
            format!(
                "IssueInstant {} is not an xs:dateTime with a zone",
                quote(raw)
            ),
        );
        return;
    };
    if instant > policy.now + policy.clock_skew {
        f.push(
            RuleId::Cpx014,
            path(),
            format!(
                "IssueInstant {} is {} s ahead of the server clock (tolerance {} s)",
                quote(raw),
                (instant - policy.now).whole_seconds(),
                policy.clock_skew.whole_seconds()
            ),
        );
    } else if instant + policy.validity + policy.clock_skew < policy.now {
        f.push(
            RuleId::Cpx013,
            path(),
            format!(
                "IssueInstant {} is {} s old; assertions are valid {} s (plus {} s skew)",
                quote(raw),
                (policy.now - instant).whole_seconds(),
                policy.validity.whole_seconds(),
                policy.clock_skew.whole_seconds()
            ),
        );
    }
}

/// Algorithms, the single reference, wrapping defences, then the library's verdict.
fn check_signature(
    f: &mut Findings,
    doc: &Document<'_>,
    assertion: NodeId,
    signature: NodeId,
    id: Option<&str>,
) {
    let sig_path = format!("{P_ASSERTION}/Signature");
    let mut structural = false;
    let Some(signed_info) = child(doc, signature, DSIG_NS, "SignedInfo") else {
        f.push(
            RuleId::Cpx006,
            Some(sig_path),
            "ds:Signature has no SignedInfo".into(),
        );
        return;
    };
    let algorithm = |parent: NodeId, local: &str| {
        child(doc, parent, DSIG_NS, local).and_then(|n| attr(doc, n, "Algorithm"))
    };
    let refuse_algorithm = |f: &mut Findings, what: &str, got: Option<String>, expected: &str| {
        let got_text = got.as_deref().map_or("missing".into(), quote);
        let sha1 = matches!(got.as_deref(), Some(SHA1 | RSA_SHA1));
        f.push(
            RuleId::Cpx005,
            Some(format!("{sig_path}/SignedInfo")),
            format!(
                "{what} is {got_text}{}, expected {expected:?}",
                if sha1 { " (SHA-1 is refused)" } else { "" }
            ),
        );
    };
    let c14n = algorithm(signed_info, "CanonicalizationMethod");
    if c14n.as_deref() != Some(EXC_C14N) {
        refuse_algorithm(f, "CanonicalizationMethod", c14n, EXC_C14N);
        structural = true;
    }
    let method = algorithm(signed_info, "SignatureMethod");
    if method.as_deref() != Some(RSA_SHA256) {
        refuse_algorithm(f, "SignatureMethod", method, RSA_SHA256);
        structural = true;
    }
    let references: Vec<NodeId> = elements(doc, signed_info)
        .into_iter()
        .filter(|n| is(doc, *n, DSIG_NS, "Reference"))
        .collect();
    for reference in &references {
        let digest = algorithm(*reference, "DigestMethod");
        if digest.as_deref() != Some(SHA256) {
            refuse_algorithm(f, "DigestMethod", digest, SHA256);
            structural = true;
        }
        let transforms: Vec<Option<String>> = child(doc, *reference, DSIG_NS, "Transforms")
            .map(|t| {
                elements(doc, t)
                    .into_iter()
                    .map(|n| attr(doc, n, "Algorithm"))
                    .collect()
            })
            .unwrap_or_default();
        let expected = [
            Some(ENVELOPED_SIGNATURE.to_owned()),
            Some(EXC_C14N.to_owned()),
        ];
        if transforms != expected {
            f.push(
                RuleId::Cpx005,
                Some(format!("{sig_path}/SignedInfo/Reference/Transforms")),
                "the reference's transforms are not enveloped-signature then exclusive c14n".into(),
            );
            structural = true;
        }
    }
    let expected_uri = id.map(|id| format!("#{id}"));
    match references.as_slice() {
        [only] => {
            let uri = attr(doc, *only, "URI");
            if uri.is_none() || uri != expected_uri {
                let got = uri.as_deref().map_or("missing".into(), quote);
                f.push(
                    RuleId::Cpx006,
                    Some(format!("{sig_path}/SignedInfo/Reference/@URI")),
                    format!(
                        "Reference/@URI is {got}, expected {}",
                        expected_uri.as_deref().map_or("\"#<ID>\"".into(), quote)
                    ),
                );
                structural = true;
            }
        }
        other => {
            f.push(
                RuleId::Cpx006,
                Some(format!("{sig_path}/SignedInfo")),
                format!(
                    "SignedInfo holds {} references, expected exactly 1",
                    other.len()
                ),
            );
            structural = true;
        }
    }
    // Signature wrapping: the id must designate exactly one element, the assertion judged.
    if let Some(id) = id {
        let holders = elements_with_id(doc, id);
        if holders.len() > 1 {
            f.push(
                RuleId::Cpx008,
                Some(P_ASSERTION.into()),
                format!(
                    "{} elements carry the ID {} (signature wrapping)",
                    holders.len(),
                    quote(id)
                ),
            );
            structural = true;
        }
    }
    if structural {
        return;
    }
    match verify_signature(doc, signature) {
        SignatureVerdict::Valid { targets } => {
            if targets != [Some(assertion)] {
                f.push(
                    RuleId::Cpx008,
                    Some(P_ASSERTION.into()),
                    "the signature covers another element than the assertion (signature wrapping)"
                        .into(),
                );
            }
        }
        SignatureVerdict::Invalid(reason) => f.push(
            RuleId::Cpx007,
            Some(sig_path),
            format!("the signature does not verify: {}", cut(&reason)),
        ),
    }
}

/// Library reasons are bounded before they reach a finding.
fn cut(reason: &str) -> String {
    const MAX: usize = 200;
    let mut out: String = reason.chars().take(MAX).collect();
    if reason.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out.to_lowercase()
}

/// Elements whose `ID`, `Id` or `id` attribute is `id` (the names the library resolves).
fn elements_with_id(doc: &Document<'_>, id: &str) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut stack = vec![doc.root()];
    while let Some(node) = stack.pop() {
        if let Some(e) = doc.element(node)
            && e.attributes
                .iter()
                .any(|a| matches!(&*a.name.local_name, "ID" | "Id" | "id") && a.value == id)
        {
            out.push(node);
        }
        stack.extend(doc.children(node));
    }
    out
}

/// DER of `KeyInfo/X509Data/X509Certificate`.
fn certificate_of(doc: &Document<'_>, signature: NodeId) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let key_info = child(doc, signature, DSIG_NS, "KeyInfo")?;
    let data = child(doc, key_info, DSIG_NS, "X509Data")?;
    let cert = child(doc, data, DSIG_NS, "X509Certificate")?;
    let b64: String = text(doc, cert)
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

fn check_certificate(
    f: &mut Findings,
    der: &[u8],
    view: &AssertionView,
    policy: &AssertionPolicy<'_>,
) -> Option<CardCertificate> {
    let path = || Some(format!("{P_ASSERTION}/Signature/KeyInfo/X509Data"));
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        f.push(
            RuleId::Cpx009,
            path(),
            "the X509Certificate of KeyInfo is not a readable certificate".into(),
        );
        return None;
    };
    let summary = CardCertificate {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        serial: hex_upper(cert.raw_serial()),
    };
    let ca = X509Certificate::from_der(policy.card_ca_der)
        .ok()
        .map(|(_, c)| c);
    let chained = ca.as_ref().is_some_and(|ca| {
        cert.issuer() == ca.subject() && cert.verify_signature(Some(ca.public_key())).is_ok()
    });
    if !chained {
        f.push(
            RuleId::Cpx010,
            path(),
            format!(
                "the card certificate (issuer {}) is not issued by the card CA",
                quote(&summary.issuer)
            ),
        );
    }
    let now = ASN1Time::from_timestamp(policy.now.unix_timestamp()).ok();
    if now.is_none_or(|now| !cert.validity().is_valid_at(now)) {
        f.push(
            RuleId::Cpx011,
            path(),
            format!(
                "the card certificate is valid from {} to {}, not now",
                cert.validity().not_before,
                cert.validity().not_after
            ),
        );
    }
    if chained && let (Some(ca), Some(crl_der)) = (ca.as_ref(), policy.crl_der) {
        let crl = CertificateRevocationList::from_der(crl_der)
            .ok()
            .map(|(_, crl)| crl)
            .filter(|crl| crl.verify_signature(ca.public_key()).is_ok());
        if crl.is_some_and(|crl| {
            crl.iter_revoked_certificates()
                .any(|r| r.raw_serial() == cert.raw_serial())
        }) {
            f.push(
                RuleId::Cpx012,
                path(),
                format!("the card certificate {} is revoked", summary.serial),
            );
        }
    }
    if let Some(issuer) = &view.issuer
        && !same_dn(issuer, &summary.subject)
    {
        f.push(
            RuleId::Cpx018,
            Some(format!("{P_ASSERTION}/Issuer")),
            format!(
                "Issuer {} is not the card certificate's subject {}",
                quote(issuer),
                quote(&summary.subject)
            ),
        );
    }
    Some(summary)
}

/// DNs compared as sets of `type=value` parts, spaces around separators ignored (clients
/// print DNs in either order).
fn same_dn(a: &str, b: &str) -> bool {
    let parts = |s: &str| {
        let mut v: Vec<String> = s
            .split(',')
            .map(|p| p.trim().replace(" = ", "=").to_owned())
            .collect();
        v.sort();
        v
    };
    parts(a) == parts(b)
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
