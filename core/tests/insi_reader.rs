//! The reader against our fixtures (core/fixtures/insi/, each commented) and hand-made
//! hostile documents: what a client or the simulator gets out of real-looking envelopes.

use insilab_core::insi::faults;
use insilab_core::insi::names::{self, Operation};
use insilab_core::insi::{
    Limits, ParseErrorKind, RequestBody, Response, parse_request, parse_response,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/insi/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn req(name: &str) -> insilab_core::insi::Request {
    parse_request(&fixture(name), &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn typical_traits_search_is_read_completely() {
    let r = req("request_traits_typical.xml");
    assert_eq!(r.operation(), Operation::TraitsSearch);
    assert_eq!(
        r.headers.action.as_deref(),
        Some(Operation::TraitsSearch.action())
    );
    assert_eq!(
        r.headers.message_id.as_deref(),
        Some("uuid:2d0f3a5e-7c1b-4c55-9a2e-3f1c0b8d6e41")
    );
    let bam = r.headers.bam.as_ref().expect("bam");
    assert_eq!(bam.version.as_deref(), Some("01_02"));
    assert_eq!(bam.nature, None);
    assert_eq!(bam.emetteur.as_deref(), Some("10B0152872"));
    assert_eq!(bam.couverture, Some(Default::default()));
    let lps = r.headers.lps.as_ref().expect("lps");
    assert_eq!(lps.version.as_deref(), Some("01_00"));
    assert_eq!(lps.nature.as_deref(), Some("CTXLPS"));
    assert_eq!(lps.idam.as_deref(), Some("PDP17NF21DD0"));
    assert_eq!(lps.idam_r.as_deref(), Some("4"));
    assert_eq!(lps.nom.as_deref(), Some("urn:lps:insilab-demo:1.0.0"));
    assert_eq!(r.headers.security, None);
    assert_eq!(r.body_id, None);
    let RequestBody::TraitsSearch(t) = &r.body else {
        panic!("not a traits search: {:?}", r.body)
    };
    assert_eq!(t.nom_naissance.as_deref(), Some("D'ARTAGNAN DE L'HERAULT"));
    assert_eq!(t.prenoms, vec!["PIERRE-ALAIN".to_owned()]);
    assert_eq!(t.sexe.as_deref(), Some("M"));
    assert_eq!(t.date_naissance.as_deref(), Some("2001-06-17"));
    assert_eq!(t.lieu_naissance.as_deref(), Some("63220"));
}

#[test]
fn header_order_prefixes_whitespace_and_body_id_do_not_matter() {
    let typical = req("request_traits_typical.xml");
    let shuffled = req("request_traits_shuffled.xml");
    assert_eq!(shuffled.body_id.as_deref(), Some("id-7d2a"));
    assert_eq!(shuffled.headers.action, typical.headers.action);
    assert_eq!(shuffled.headers.message_id, typical.headers.message_id);
    assert_eq!(
        shuffled.headers.lps.as_ref().map(|l| &l.idam),
        typical.headers.lps.as_ref().map(|l| &l.idam)
    );
    let (RequestBody::TraitsSearch(a), RequestBody::TraitsSearch(b)) =
        (&typical.body, &shuffled.body)
    else {
        panic!("not traits searches")
    };
    assert_eq!(a.nom_naissance, b.nom_naissance, "&apos; resolved");
    assert_eq!(a.prenoms, b.prenoms);
    assert_eq!(b.lieu_naissance, None);
}

#[test]
fn cpx_assertion_is_kept_raw_with_its_fields() {
    let r = req("request_traits_cpx.xml");
    assert_eq!(r.body_id.as_deref(), Some("body"));
    let sec = r.headers.security.as_ref().expect("security");
    assert_eq!(sec.assertions.len(), 1);
    let a = &sec.assertions[0];
    assert!(a.raw_xml.starts_with("<saml:Assertion ID=\"_4e0b7c7a"));
    assert!(a.raw_xml.ends_with("</saml:Assertion>"));
    let text = String::from_utf8(fixture("request_traits_cpx.xml")).expect("utf-8");
    assert!(text.contains(&a.raw_xml), "raw_xml is a verbatim slice");
    assert_eq!(
        a.id.as_deref(),
        Some("_4e0b7c7a-1d2e-4f3a-8b9c-0d1e2f3a4b5c")
    );
    assert_eq!(a.issue_instant.as_deref(), Some("2026-11-27T10:15:00Z"));
    assert!(a.issuer.as_deref().is_some_and(|i| i.contains("T=Médecin")));
    assert_eq!(a.name_id.as_deref(), Some("899900063480"));
    assert_eq!(a.name_qualifier.as_deref(), Some("CPS"));
    assert!(a.has_signature);
    assert_eq!(
        a.attributes,
        vec![
            ("identifiantFacturation".to_owned(), "991130972".to_owned()),
            ("codeSpecialite".to_owned(), "SM26".to_owned()),
            ("secteurActivite".to_owned(), "SA07".to_owned()),
        ]
    );
    let RequestBody::TraitsSearch(t) = &r.body else {
        panic!("not a traits search")
    };
    assert_eq!(t.prenoms, vec!["OLA".to_owned(), "CATARINA".to_owned()]);
}

#[test]
fn vitale_search_and_couverture() {
    let r = req("request_vitale.xml");
    assert_eq!(r.operation(), Operation::CardSearch);
    let c = r
        .headers
        .bam
        .as_ref()
        .and_then(|b| b.couverture.clone())
        .expect("couverture");
    assert_eq!(c.assure_id_num.as_deref(), Some("1090763220834"));
    assert_eq!(c.beneficiaire_nir_num.as_deref(), Some("1090763220834"));
    assert_eq!(c.beneficiaire_date_nai.as_deref(), Some("2009-07-14"));
    assert_eq!(c.beneficiaire_rang.as_deref(), Some("1"));
    let RequestBody::CardSearch(b) = &r.body else {
        panic!("not a card search")
    };
    let mi = b.matricule_individu.as_ref().expect("MatriculeIndividu");
    assert_eq!(mi.num_identifiant, "1090763220834");
    assert_eq!(mi.cle.as_deref(), Some("89"));
    assert_eq!(mi.type_matricule, None);
    let od = b.matricule_od.as_ref().expect("MatriculeOD");
    assert_eq!(od.type_matricule.as_deref(), Some("NIR"));
    assert_eq!(b.rang_naissance.as_deref(), Some("1"));
}

#[test]
fn verification_request_reconstructed_contract() {
    let r = req("request_verification.xml");
    assert_eq!(r.operation(), Operation::Verification);
    assert_eq!(r.headers.bam, None);
    let RequestBody::Verification(v) = &r.body else {
        panic!("not a verification")
    };
    assert_eq!(v.ins_fourni.id.num_identifiant, "1810163220751");
    assert_eq!(v.ins_fourni.id.cle.as_deref(), Some("40"));
    assert_eq!(v.ins_fourni.oid, "1.2.250.1.213.1.4.8");
    assert_eq!(v.traits.nom_naissance.as_deref(), Some("PATB-QUATRE"));
    assert_eq!(v.traits.liste_prenom.as_deref(), Some("LAURENCE"));
    assert_eq!(v.traits.lieu_naissance.as_deref(), Some("63220"));
}

#[test]
fn cnda_file_with_dates_before_id_and_two_histories() {
    let resp =
        parse_response(&fixture("response_cnda_2.04_cas2.xml"), &Limits::default()).expect("parse");
    let Response::Result(r) = resp else {
        panic!("not a result")
    };
    assert_eq!((r.code_cr.as_str(), r.libelle_cr.as_str()), names::CR_OK);
    let ind = r.individu.expect("individu");
    assert_eq!(ind.ins_actif.id.num_identifiant, "1090763220834");
    assert_eq!(ind.ins_actif.id.type_matricule.as_deref(), Some("NIR"));
    assert_eq!(ind.ins_histo.len(), 2);
    assert_eq!(ind.ins_histo[0].id.num_identifiant, "2090763220834");
    assert_eq!(ind.ins_histo[0].date_deb.as_deref(), Some("2019-03-01"));
    assert_eq!(ind.ins_histo[0].date_fin.as_deref(), Some("2019-02-28"));
    assert_eq!(ind.ins_histo[1].id.cle.as_deref(), Some("55"));
    assert_eq!(ind.tiq.prenom.as_deref(), Some("PIERRE-ALAIN"));
    assert_eq!(
        ind.tiq.liste_prenom.as_deref(),
        Some("PIERRE-ALAIN MURIEL FLORIANT")
    );
}

#[test]
fn wrong_keys_are_kept_for_later_checks() {
    let resp = parse_response(&fixture("response_live_2.08_cas2.xml"), &Limits::default())
        .expect("an invalid key is not a parse error");
    let Response::Result(r) = resp else {
        panic!("not a result")
    };
    let ind = r.individu.expect("individu");
    assert_eq!(ind.ins_actif.id.cle.as_deref(), Some("60"));
    assert_eq!(ind.ins_histo[1].id.cle.as_deref(), Some("10"));
    assert_eq!(ind.tiq.prenom, None, "live answers carry no TIQ/Prenom");
}

#[test]
fn legacy_fault_is_read() {
    let resp =
        parse_response(&fixture("fault_legacy_insi_102.xml"), &Limits::default()).expect("parse");
    let expected = faults::insi_102(Some("uuid:2d0f3a5e-7c1b-4c55-9a2e-3f1c0b8d6e41"));
    assert_eq!(resp, Response::Fault(expected));
}

fn kind(xml: &str) -> ParseErrorKind {
    parse_request(xml.as_bytes(), &Limits::default())
        .expect_err("must be refused")
        .kind
}

const ENV: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><RECSANSVITALE xmlns="http://www.cnamts.fr/INSiRecSans"><NomNaissance>X</NomNaissance></RECSANSVITALE></s:Body></s:Envelope>"#;

#[test]
fn minimal_envelope_is_accepted_with_a_declaration() {
    let with_decl = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{ENV}");
    let r = parse_request(with_decl.as_bytes(), &Limits::default()).expect("parse");
    assert_eq!(r.headers, Default::default());
}

#[test]
fn doctype_entities_and_processing_instructions_are_refused() {
    let doctype = format!("<!DOCTYPE x [<!ENTITY e \"boom\">]>{ENV}");
    assert_eq!(kind(&doctype), ParseErrorKind::DoctypeForbidden);
    let entity = ENV.replace(">X<", ">&e;<");
    assert!(matches!(kind(&entity), ParseErrorKind::EntityForbidden(e) if e == "e"));
    let pi = ENV.replace("<s:Body>", "<s:Body><?php evil()?>");
    assert!(matches!(kind(&pi), ParseErrorKind::ProcessingInstructionForbidden(t) if t == "php"));
    let late_decl = format!("{ENV}<?xml version=\"1.0\"?>");
    assert!(matches!(
        kind(&late_decl),
        ParseErrorKind::ProcessingInstructionForbidden(_) | ParseErrorKind::Xml(_)
    ));
}

#[test]
fn structural_errors_are_typed_with_offset_and_path() {
    assert!(matches!(
        kind("<Envelope/>"),
        ParseErrorKind::NotSoapEnvelope(_)
    ));
    let truncated = &ENV[..ENV.len() - 5];
    let err = parse_request(truncated.as_bytes(), &Limits::default()).expect_err("truncated");
    assert!(
        matches!(err.kind, ParseErrorKind::Truncated | ParseErrorKind::Xml(_)),
        "{err}"
    );
    let unknown = ENV.replace("INSiRecSans", "INSiOther");
    assert!(
        matches!(kind(&unknown), ParseErrorKind::UnknownOperation { name, .. } if name == "RECSANSVITALE")
    );
    let dup = ENV.replace(
        "<NomNaissance>X</NomNaissance>",
        "<NomNaissance>X</NomNaissance><NomNaissance>Y</NomNaissance>",
    );
    let err = parse_request(dup.as_bytes(), &Limits::default()).expect_err("duplicate");
    assert_eq!(err.kind, ParseErrorKind::DuplicateElement("NomNaissance"));
    assert_eq!(err.path, "/Envelope/Body/RECSANSVITALE/NomNaissance");
    let msg = err.to_string();
    assert!(
        msg.starts_with("duplicate element NomNaissance at byte "),
        "{msg}"
    );
    assert!(
        msg.ends_with(" in /Envelope/Body/RECSANSVITALE/NomNaissance"),
        "{msg}"
    );
    let mixed = ENV.replace(">X<", "><b>X</b><");
    assert!(matches!(kind(&mixed), ParseErrorKind::UnexpectedElement { name, .. } if name == "b"));
    assert_eq!(
        kind(&ENV.replace("s:Body", "s:Bodie")),
        ParseErrorKind::MissingElement("Body")
    );
    assert_eq!(
        parse_request(b"\xff\xfe<a/>", &Limits::default())
            .expect_err("bad utf-8")
            .kind,
        ParseErrorKind::InvalidUtf8
    );
}

#[test]
fn utf8_bom_and_declaration_are_accepted() {
    let doc = format!("\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n{ENV}");
    parse_request(doc.as_bytes(), &Limits::default()).expect("BOM + declaration");
}
