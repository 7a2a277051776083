//! Card-mode assertions made with the PKI's virtual cards, judged by the rule catalogue:
//! a valid assertion passes, every case of the negative catalogue fails with exactly its named
//! rule, mutated bytes never verify, and an independent implementation (`xmlsec1`) agrees in
//! both directions. The xmlsec1 checks fail when the tool is missing and `CI=true` or
//! `INSILAB_REQUIRE_TOOLS=1`, and are skipped loudly otherwise.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on any unexpected error"
)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use insilab_certs::Pki;
use insilab_certs::card_cases::{NEGATIVE_CASES, VALID_CASE, case_assertion};
use insilab_certs::cards::{card_material, card_trust};
use insilab_certs::testing::shared_pki;
use insilab_core::assertion::{Algorithms, SHA1, template};
use insilab_core::rules::{AssertionPolicy, AssertionReport, RuleId, Severity, check_assertion};
use proptest::prelude::*;
use time::OffsetDateTime;
use time::macros::datetime;

/// Inside the shared PKI's validity (2026-01-01 + ten years).
const NOW: OffsetDateTime = datetime!(2026-06-01 10:00:00 UTC);
const ID: &str = "_6f1d2c1e-0000-4000-8000-000000000001";

fn judge(pki: &Pki, message: &[u8]) -> AssertionReport {
    let trust = card_trust(pki).unwrap();
    let policy = AssertionPolicy {
        card_ca_der: &trust.ca_der,
        crl_der: trust.crl_der.as_deref(),
        now: NOW,
        validity: insilab_core::rules::DEFAULT_ASSERTION_VALIDITY,
        clock_skew: insilab_core::rules::DEFAULT_CLOCK_SKEW,
    };
    check_assertion(message, &policy)
}

fn fault_rules(report: &AssertionReport) -> BTreeSet<RuleId> {
    report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Fault)
        .map(|f| f.rule_id)
        .collect()
}

/// The assertion inside a SOAP 1.2 envelope's `wsse:Security`, as a client sends it.
fn envelope(assertion: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\"><soap:Header><wsse:Security xmlns:wsse=\"{}\">{assertion}</wsse:Security></soap:Header><soap:Body/></soap:Envelope>",
        insilab_core::assertion::WSSE_NS
    )
}

#[test]
fn a_valid_assertion_of_each_test_professional_passes_every_rule() {
    let pki = shared_pki().unwrap();
    for id in ["899900063480", "00B6087510", "899700870589"] {
        let xml = case_assertion(&pki, id, VALID_CASE, ID, NOW).unwrap();
        for message in [xml.clone(), envelope(&xml)] {
            let report = judge(&pki, message.as_bytes());
            assert!(report.findings.is_empty(), "{id}: {:#?}", report.findings);
            assert_eq!(report.professional_id.as_deref(), Some(id));
            let cert = report.certificate.as_ref().unwrap();
            assert!(cert.subject.contains(id), "{cert:?}");
            assert!(cert.issuer.contains("TEST AC IGC-SANTE FORT PERSONNES"));
        }
    }
}

#[test]
fn every_negative_case_fails_with_exactly_its_named_rule() {
    let pki = shared_pki().unwrap();
    assert!(NEGATIVE_CASES.len() >= 12);
    for case in NEGATIVE_CASES {
        let xml = case_assertion(&pki, "899900063480", case.name, ID, NOW).unwrap();
        for message in [xml.clone(), envelope(&xml)] {
            let report = judge(&pki, message.as_bytes());
            assert_eq!(
                fault_rules(&report),
                BTreeSet::from([case.rule]),
                "{}: {:#?}",
                case.name,
                report.findings
            );
            assert_eq!(report.refusal().map(|f| f.rule_id), Some(case.rule));
        }
    }
}

#[test]
fn an_issuer_other_than_the_certificate_subject_is_only_advice() {
    let pki = shared_pki().unwrap();
    let card = card_material(&pki, "899900063480").unwrap();
    let mut content = card.content(ID, NOW);
    content.issuer = "CN=SOMEONE ELSE,C=FR".to_owned();
    let xml = card.sign(&content).unwrap();
    let report = judge(&pki, xml.as_bytes());
    let rules: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.rule_id, f.severity))
        .collect();
    assert_eq!(rules, [(RuleId::Cpx018, Severity::Advice)]);
    assert!(report.refusal().is_none());
}

#[test]
fn an_assertion_outside_the_envelope_security_header_is_missing() {
    let pki = shared_pki().unwrap();
    let xml = case_assertion(&pki, "899900063480", VALID_CASE, ID, NOW).unwrap();
    let body_only = envelope("").replace("<soap:Body/>", &format!("<soap:Body>{xml}</soap:Body>"));
    let report = judge(&pki, body_only.as_bytes());
    assert_eq!(fault_rules(&report), BTreeSet::from([RuleId::Cpx001]));
}

#[test]
fn the_validity_window_and_clock_skew_bound_the_issue_instant() {
    let pki = shared_pki().unwrap();
    let trust = card_trust(&pki).unwrap();
    let xml = case_assertion(&pki, "899900063480", VALID_CASE, ID, NOW).unwrap();
    let at = |now: OffsetDateTime| {
        let policy = AssertionPolicy {
            card_ca_der: &trust.ca_der,
            crl_der: trust.crl_der.as_deref(),
            now,
            validity: time::Duration::hours(1),
            clock_skew: time::Duration::minutes(5),
        };
        fault_rules(&check_assertion(xml.as_bytes(), &policy))
    };
    let none = BTreeSet::new();
    assert_eq!(
        at(NOW + time::Duration::minutes(65)),
        none,
        "limit included"
    );
    assert_eq!(
        at(NOW + time::Duration::minutes(65) + time::Duration::seconds(1)),
        BTreeSet::from([RuleId::Cpx013])
    );
    assert_eq!(at(NOW - time::Duration::minutes(5)), none, "skew included");
    assert_eq!(
        at(NOW - time::Duration::minutes(5) - time::Duration::seconds(1)),
        BTreeSet::from([RuleId::Cpx014])
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Changing any one byte of a signed assertion never leaves it valid, and never panics.
    #[test]
    fn mutating_any_byte_of_a_signed_assertion_never_verifies(pos in any::<prop::sample::Index>(), delta in 1u8..=255) {
        let pki = shared_pki().unwrap();
        let xml = signed_once(&pki);
        let mut bytes = xml.into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] = bytes[i].wrapping_add(delta);
        let report = judge(&pki, &bytes);
        prop_assert!(report.refusal().is_some(), "byte {i} changed, still accepted");
    }
}

fn signed_once(pki: &Pki) -> String {
    static SIGNED: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SIGNED
        .get_or_init(|| case_assertion(pki, "899900063480", VALID_CASE, ID, NOW).unwrap())
        .clone()
}

// --- xmlsec1, the independent implementation ---------------------------------------------

/// Whether `xmlsec1` is usable; fails the test run when it must be.
fn xmlsec1_available() -> bool {
    let found = Command::new("xmlsec1")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let required = std::env::var("INSILAB_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
        || std::env::var("CI").is_ok_and(|v| v == "true");
    if !found {
        assert!(
            !required,
            "xmlsec1 is required (CI=true or INSILAB_REQUIRE_TOOLS=1) but not on PATH: apt-get install xmlsec1"
        );
        eprintln!(
            "SKIPPED: xmlsec1 not found on PATH; install it (apt-get install xmlsec1) to run these checks"
        );
    }
    found
}

const ASSERTION_ID_ATTR: &str = "--id-attr:ID";
const ASSERTION_NODE: &str = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion";

fn xmlsec1(dir: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new("xmlsec1")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

/// xmlsec1 verifies with the certificate of KeyInfo, chained to the test root through the
/// PERSONNES CA, at a time inside the certificates' validity.
fn xmlsec1_verify(pki: &Pki, file: &Path) -> (bool, String) {
    let root = pki.dir().join("ca/root.pem");
    let personnes = pki.dir().join("ca/personnes.pem");
    xmlsec1(
        pki.dir(),
        &[
            "--verify",
            ASSERTION_ID_ATTR,
            ASSERTION_NODE,
            "--trusted-pem",
            root.to_str().unwrap(),
            "--untrusted-pem",
            personnes.to_str().unwrap(),
            "--verification-gmt-time",
            "2026-06-01 10:00:00",
            file.to_str().unwrap(),
        ],
    )
}

#[test]
fn assertions_signed_by_insilab_verify_with_xmlsec1_and_tampered_ones_do_not() {
    if !xmlsec1_available() {
        return;
    }
    let pki = shared_pki().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (case, expected) in [
        (VALID_CASE, true),
        ("tampered-text", false),
        ("tampered-signature", false),
    ] {
        for id in ["899900063480", "00B6087510", "899700870589"] {
            let xml = case_assertion(&pki, id, case, ID, NOW).unwrap();
            let file = dir.path().join(format!("{case}-{id}.xml"));
            std::fs::write(&file, &xml).unwrap();
            let (ok, text) = xmlsec1_verify(&pki, &file);
            assert_eq!(ok, expected, "{case} {id}: xmlsec1 said {text}");
        }
    }
}

/// xmlsec1 signs our template (its own c14n and RSA); the rules accept the result. The same
/// template with SHA-1, signed by xmlsec1 for real, is refused by the algorithm rule.
#[test]
fn assertions_signed_by_xmlsec1_pass_the_simulator_rules() {
    if !xmlsec1_available() {
        return;
    }
    let pki = shared_pki().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let card = card_material(&pki, "899900063480").unwrap();
    let identity = pki.identity("cpx-899900063480").unwrap();
    let key_and_cert = format!(
        "{},{}",
        identity.key_path.display(),
        identity.cert_path.display()
    );
    for (name, algorithms, expected) in [
        ("sha256", Algorithms::default(), BTreeSet::new()),
        (
            "sha1",
            Algorithms {
                digest: SHA1,
                ..Algorithms::default()
            },
            BTreeSet::from([RuleId::Cpx005]),
        ),
    ] {
        // An empty X509Data: xmlsec1 writes the certificate given with the key.
        let tmpl = template(&card.content(ID, NOW), algorithms, &card.cert_der);
        let start = tmpl.find("<ds:X509Data>").unwrap();
        let end = tmpl.find("</ds:X509Data>").unwrap() + "</ds:X509Data>".len();
        let tmpl = format!("{}<ds:X509Data/>{}", &tmpl[..start], &tmpl[end..]);
        let tmpl_file = dir.path().join(format!("{name}-template.xml"));
        let out_file = dir.path().join(format!("{name}-signed.xml"));
        std::fs::write(&tmpl_file, tmpl).unwrap();
        let (ok, text) = xmlsec1(
            dir.path(),
            &[
                "--sign",
                ASSERTION_ID_ATTR,
                ASSERTION_NODE,
                "--privkey-pem",
                &key_and_cert,
                "--output",
                out_file.to_str().unwrap(),
                tmpl_file.to_str().unwrap(),
            ],
        );
        assert!(ok, "xmlsec1 --sign ({name}): {text}");
        let signed = std::fs::read(&out_file).unwrap();
        let report = judge(&pki, &signed);
        assert_eq!(
            fault_rules(&report),
            expected,
            "{name}: {:#?}",
            report.findings
        );
        assert!(
            report.certificate.is_some(),
            "{name}: the certificate was written"
        );
    }
}
