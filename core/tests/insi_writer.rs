//! Byte-exact output of the writer, pinned by insta snapshots (one long line each: what goes
//! on the wire), and what the reader makes of it.

use insilab_core::insi::faults::FaultVariant;
use insilab_core::insi::samples;
use insilab_core::insi::{
    Dialect, FaultDialect, Limits, Response, SearchResult, XML_DECLARATION, faults, parse_request,
    parse_response, write_fault, write_request, write_response, write_result,
};

/// The two captured fault envelopes of insi-protocol.md §5, literally, with the placeholders
/// `USER TEXT`, `uuid:…` and `TECHNICAL TEXT` left to fill.
const CAPTURED_CURRENT_FAULT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><env:Body xmlns:env="http://www.w3.org/2003/05/soap-envelope"><soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value><soap:Subcode><soap:Value>soap:siram_100</soap:Value></soap:Subcode></soap:Code><soap:Reason><soap:Text xml:lang="fr">USER TEXT</soap:Text></soap:Reason><soap:Detail><siram:Erreur code="desir_550" messageID="uuid:…" severite="erreur" xmlns:siram="urn:siram">TECHNICAL TEXT</siram:Erreur></soap:Detail></soap:Fault></env:Body></soap:Envelope>"#;
const CAPTURED_OLDER_FAULT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><env:Body xmlns:S="http://www.w3.org/2003/05/soap-envelope" xmlns:env="http://www.w3.org/2003/05/soap-envelope"><S:Fault xmlns:ns4="http://schemas.xmlsoap.org/soap/envelope/"><S:Code><S:Value>S:Sender</S:Value><S:Subcode><S:Value>S:siram_100</S:Value></S:Subcode></S:Code><S:Reason><S:Text xml:lang="en">USER TEXT</S:Text></S:Reason><S:Detail><siram:Erreur code="desir_550" messageID="uuid:…" severite="erreur" xmlns:siram="urn:siram">TECHNICAL TEXT</siram:Erreur></S:Detail></S:Fault></env:Body></soap:Envelope>"#;
/// The start of the live result envelope, literally (insi-protocol.md §5, dialect 1).
const CAPTURED_LIVE_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><env:Body xmlns:S="http://www.w3.org/2003/05/soap-envelope" xmlns:env="http://www.w3.org/2003/05/soap-envelope"><RESULTAT xmlns="http://www.cnamts.fr/INSiResultat" xmlns:ns0="http://www.cnamts.fr/INSiRecVit" xmlns:ns1="http://www.cnamts.fr/INSiRecSans"><CR>"#;

const MID: &str = "uuid:2d0f3a5e-7c1b-4c55-9a2e-3f1c0b8d6e41";

fn filled(template: &str) -> String {
    template
        .replace("USER TEXT", insilab_core::insi::names::REASON_DESIR_550)
        .replace("uuid:…", MID)
        .replace("TECHNICAL TEXT", insilab_core::insi::names::TEXT_DESIR_550)
}

#[test]
fn faults_are_byte_for_byte_the_captured_envelopes() {
    let fault = faults::desir_550(Some(MID));
    assert_eq!(
        write_fault(&fault, FaultDialect::Current),
        filled(CAPTURED_CURRENT_FAULT)
    );
    assert_eq!(
        write_fault(&fault, FaultDialect::Legacy),
        filled(CAPTURED_OLDER_FAULT)
    );
}

#[test]
fn every_answer_starts_with_the_declaration_and_a_line_feed() {
    assert_eq!(
        XML_DECLARATION,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    );
    let live = write_result(&SearchResult::not_found(), Dialect::Live);
    assert_eq!(
        live,
        format!(
            "{CAPTURED_LIVE_START}<CodeCR>01</CodeCR><LibelleCR>Aucune identite trouvee</LibelleCR></CR></RESULTAT></env:Body></soap:Envelope>"
        )
    );
    for dialect in Dialect::ALL {
        let r = write_result(&samples::found_two_histories(), dialect);
        assert!(r.starts_with(XML_DECLARATION), "{dialect}");
        let f = write_response(&Response::Fault(faults::insi_102(None)), dialect);
        assert!(f.starts_with(XML_DECLARATION), "{dialect}");
    }
}

#[test]
fn the_older_insi_102_variant_puts_severite_first_without_message_id() {
    let fault = FaultVariant::Older.apply(faults::insi_102(Some(MID)));
    let xml = write_fault(&fault, FaultDialect::Legacy);
    assert!(
        xml.contains(
            "<siram:Erreur severite=\"fatal\" code=\"insi_102\" xmlns:siram=\"urn:siram\">"
        ),
        "{xml}"
    );
    assert!(!xml.contains("messageID"));
    insta::assert_snapshot!("insi_102_older_legacy", xml.clone());
    let back = parse_response(xml.as_bytes(), &Limits::default()).expect("parse");
    assert_eq!(back, Response::Fault(fault));
}

#[test]
fn the_2022_dialect_binds_ns3_ns2_and_a_default_namespace() {
    let xml = write_result(&samples::found_two_histories(), Dialect::Y2022);
    assert!(xml.contains("<ns2:RESULTAT xmlns:ns3=\"http://www.cnamts.fr/INSiRecVit\" xmlns:ns2=\"http://www.cnamts.fr/INSiResultat\" xmlns=\"http://www.cnamts.fr/INSiRecSans\">"), "{xml}");
}

#[test]
fn request_traits_search() {
    let req = samples::traits_search_request();
    let xml = write_request(&req);
    insta::assert_snapshot!(xml);
    assert_eq!(parse_request(xml.as_bytes(), &Limits::default()), Ok(req));
}

#[test]
fn result_found_two_histories_in_each_dialect() {
    let result = samples::found_two_histories();
    for dialect in Dialect::ALL {
        let xml = write_result(&result, dialect);
        insta::assert_snapshot!(format!("found_two_histories_{dialect}"), xml);
        let back = parse_response(xml.as_bytes(), &Limits::default()).expect("parse");
        let mut expected = result.clone();
        if dialect == Dialect::Live {
            // Live strips TIQ/Prenom and TypeMatricule.
            if let Some(ind) = expected.individu.as_mut() {
                ind.tiq.prenom = None;
            }
        }
        assert_eq!(back, Response::Result(expected), "{dialect}");
    }
}

#[test]
fn live_strips_prenom_and_type_matricule_others_keep_them() {
    let result = samples::found_nia();
    let live = write_result(&result, Dialect::Live);
    assert!(!live.contains("TypeMatricule") && !live.contains("<Prenom>"));
    for dialect in [Dialect::Y2022, Dialect::CndaFiles] {
        let xml = write_result(&result, dialect);
        assert!(xml.contains("TypeMatricule>NIA<"), "{dialect}");
        assert!(xml.contains("Prenom>MATRICULE</"), "{dialect}");
    }
    insta::assert_snapshot!("found_nia_2022", write_result(&result, Dialect::Y2022));
}

#[test]
fn not_found_and_several() {
    insta::assert_snapshot!(
        "not_found_live",
        write_result(&SearchResult::not_found(), Dialect::Live)
    );
    insta::assert_snapshot!(
        "several_cnda",
        write_result(&SearchResult::several(), Dialect::CndaFiles)
    );
}

#[test]
fn faults_in_both_dialects() {
    let fault = faults::desir_550(Some(MID));
    let current = write_fault(&fault, FaultDialect::Current);
    let legacy = write_fault(&fault, FaultDialect::Legacy);
    insta::assert_snapshot!("desir_550_current", current);
    insta::assert_snapshot!("desir_550_legacy", legacy);
    assert!(legacy.contains("xml:lang=\"en\">L'accès par ce progiciel"));
    for xml in [&current, &legacy] {
        let back = parse_response(xml.as_bytes(), &Limits::default()).expect("parse");
        assert_eq!(back, Response::Fault(fault.clone()));
    }
    let resp = Response::Fault(fault);
    assert_eq!(write_response(&resp, Dialect::Live), current);
    assert_eq!(write_response(&resp, Dialect::Y2022), current);
    assert_eq!(write_response(&resp, Dialect::CndaFiles), legacy);
}

#[test]
fn text_is_escaped() {
    let mut fault = faults::invalid_request(Some("uuid:\"x\"&<y>"), "nom <D&apos;ÆION> refusé");
    fault.reason = "a\r\nb".to_owned();
    let xml = write_fault(&fault, FaultDialect::Current);
    assert!(xml.contains("messageID=\"uuid:&quot;x&quot;&amp;&lt;y&gt;\""));
    assert!(xml.contains(">nom &lt;D&amp;apos;ÆION&gt; refusé<"));
    assert!(xml.contains(">a&#13;\nb<"));
    let back = parse_response(xml.as_bytes(), &Limits::default()).expect("parse");
    assert_eq!(back, Response::Fault(fault));
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/insi/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

#[test]
fn requests_read_from_fixtures_are_rewritten_clean() {
    for (name, file) in [
        ("request_vitale", "request_vitale.xml"),
        ("request_verification", "request_verification.xml"),
        ("request_cpx", "request_traits_cpx.xml"),
        ("request_shuffled", "request_traits_shuffled.xml"),
    ] {
        let req = parse_request(&fixture(file), &Limits::default()).expect("parse fixture");
        let xml = write_request(&req);
        insta::assert_snapshot!(name, xml);
        assert_eq!(
            parse_request(xml.as_bytes(), &Limits::default()),
            Ok(req),
            "{name}"
        );
    }
}
