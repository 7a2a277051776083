//! Byte-exact output of the writer, pinned by insta snapshots (one long line each: what goes
//! on the wire), and what the reader makes of it.

use insilab_core::insi::samples;
use insilab_core::insi::{
    Dialect, FaultDialect, Limits, Response, SearchResult, faults, parse_request, parse_response,
    write_fault, write_request, write_response, write_result,
};

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
    let fault = faults::desir_550(Some("uuid:2d0f3a5e-7c1b-4c55-9a2e-3f1c0b8d6e41"));
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
