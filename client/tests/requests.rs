//! The requests the client writes: they pass every `core::rules` check, round-trip through the
//! core reader, validate against the published XSDs, and look exactly as the snapshot says.

mod common;

use insilab_client::envelope::{self, Stamp};
use insilab_client::{CardQuery, ClientConfig, VerifyQuery};
use insilab_core::insi::{Request, parse_request, writer};
use insilab_core::rules::{CheckContext, check_request};

fn config() -> ClientConfig {
    ClientConfig {
        instance: insilab_client::uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
        software_version: "1.0.0".into(),
        emetteur: Some("10B0152872".into()),
        ..ClientConfig::default()
    }
}

/// One request of each shape the client sends.
fn requests() -> Vec<(&'static str, Request)> {
    let c = config();
    vec![
        (
            "traits search, one first name",
            envelope::traits_search(
                &c,
                &Stamp::now(),
                "TCHITCHI",
                vec!["OLA".into()],
                "F",
                "1936-06-21",
                None,
            ),
        ),
        (
            "traits search, whole list and birthplace",
            envelope::traits_search(
                &c,
                &Stamp::now(),
                "D'ARTAGNAN DE L'HERAULT",
                vec!["PIERRE-ALAIN MURIEL FLORIANT".into()],
                "M",
                "2001-06-17",
                Some("63220"),
            ),
        ),
        (
            "vitale card search",
            envelope::card_search(
                &c,
                &Stamp::now(),
                &CardQuery {
                    insured_nir: "275126322074974".into(),
                    beneficiary_nir: Some("2751263220749".into()),
                    birth_name: "ADRUN".into(),
                    birth_date: "1975-12-31".into(),
                    birth_rank: "1".into(),
                },
            ),
        ),
        (
            "verification",
            envelope::verification(
                &c,
                &Stamp::now(),
                &VerifyQuery {
                    ins: "275126322074974".into(),
                    oid: "1.2.250.1.213.1.4.8".into(),
                    birth_name: "ADRUN".into(),
                    first_names: vec!["ZOE".into()],
                    sex: "F".into(),
                    birth_date: "1975-12-31".into(),
                    birthplace: Some("63220".into()),
                },
            ),
        ),
    ]
}

#[test]
fn every_request_passes_every_core_rule_and_round_trips() {
    for (what, request) in requests() {
        let xml = writer::write_request(&request);
        let content_type = writer::content_type(request.operation());
        assert!(
            content_type.contains(&format!("action=\"{}\"", request.operation().action())),
            "{what}: {content_type}"
        );
        let parsed = parse_request(xml.as_bytes(), &Default::default())
            .unwrap_or_else(|e| panic!("{what}: the core reader refuses our request: {e}"));
        assert_eq!(parsed, request, "{what}: the request does not round-trip");
        let findings = check_request(
            &parsed,
            &CheckContext {
                content_type: Some(&content_type),
                http_action: None,
            },
        );
        assert!(findings.is_empty(), "{what}: {findings:#?}");
    }
}

#[test]
fn every_request_validates_against_the_published_xsds() {
    for (what, request) in requests() {
        let xml = writer::write_request(&request);
        // The lax wrapper skips unknown elements: make sure the ones that must be validated are
        // there (the verification body has no published schema: its headers still are checked).
        assert!(
            xml.contains("ContexteBAM") && xml.contains("ContexteLPS"),
            "{what}"
        );
        match common::xsd::validate(&format!("XSD validation of the {what} request"), &xml) {
            None => return,
            Some(Err(report)) => {
                panic!("{what}: invalid against the published XSDs:\n{report}\n{xml}")
            }
            Some(Ok(())) => {}
        }
    }
}

#[test]
fn the_xsd_check_does_catch_an_invalid_request() {
    let (_, mut request) = requests().remove(0);
    if let Some(bam) = request.headers.bam.as_mut() {
        bam.temps = Some("yesterday".into());
    }
    let xml = writer::write_request(&request);
    if let Some(result) = common::xsd::validate("XSD negative check", &xml) {
        assert!(result.is_err(), "a bad Temps must not validate");
    }
}

/// Indents an XML document for a readable snapshot (text content kept as is).
fn pretty(xml: &str) -> String {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut writer = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    loop {
        match reader.read_event().expect("well-formed request") {
            Event::Eof => break,
            e => writer.write_event(e).expect("write"),
        }
    }
    String::from_utf8(writer.into_inner()).expect("utf-8")
}

#[test]
fn traits_search_envelope_snapshot() {
    let (_, request) = requests().remove(1);
    let xml = pretty(&writer::write_request(&request));
    insta::with_settings!({filters => vec![
        (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "[UUID]"),
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", "[TEMPS]"),
    ]}, {
        insta::assert_snapshot!(xml);
    });
}

#[test]
fn card_search_envelope_snapshot() {
    let (_, request) = requests().remove(2);
    let xml = pretty(&writer::write_request(&request));
    insta::with_settings!({filters => vec![
        (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "[UUID]"),
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", "[TEMPS]"),
    ]}, {
        insta::assert_snapshot!(xml);
    });
}
