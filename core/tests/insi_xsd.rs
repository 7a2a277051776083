//! What the writer produces validates against the published XSDs (WSDL 1.5.0), checked by an
//! independent implementation: xmllint. The elements the XSDs define (`RESULTAT`,
//! `RECSANSVITALE`, `RECVITALE`, `ContexteBAM`, `ContexteLPS`, `siram:Erreur`) are cut out of
//! our envelopes as standalone documents (each carries its own namespace declarations).
//! Not covered: the SOAP envelope itself (its XSD is not in the published package), the
//! reconstructed verification body (no published XSD), and the CNDA-files dialect with dates,
//! whose `DateDeb`/`DateFin` before `IdIndividu` is a deliberate quirk (asserted invalid).
//!
//! Skipped, loudly, when xmllint or the reference XSDs are absent (`.ci/run` installs
//! xmllint; set `INSILAB_INSI_XSD_DIR` to point at the XSD folder elsewhere).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use insilab_core::insi::*;

/// The XSD folder, or `None` after a loud skip (a failure under `INSILAB_REQUIRE_TOOLS=1`).
fn setup(test: &str) -> Option<PathBuf> {
    let dir = insilab_testkit::require_xsd_dir(env!("CARGO_MANIFEST_DIR"), test)?;
    insilab_testkit::XMLLINT.require(test).then_some(dir)
}

/// Validates `doc` with xmllint against `schema`; returns xmllint's report on failure.
fn validate(dir: &Path, schema: &str, doc: &str) -> Result<(), String> {
    let mut child = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(dir.join(schema))
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn xmllint: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(doc.as_bytes())
        .map_err(|e| format!("write to xmllint: {e}"))?;
    let out = child
        .wait_with_output()
        .map_err(|e| format!("wait xmllint: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}\n--- document ---\n{doc}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The element `qname` (first occurrence) cut out of `xml`.
fn element<'a>(xml: &'a str, qname: &str) -> &'a str {
    let start = xml
        .find(&format!("<{qname}"))
        .unwrap_or_else(|| panic!("no <{qname} in {xml}"));
    let close = format!("</{qname}>");
    let end = xml[start..]
        .find(&close)
        .map(|i| start + i + close.len())
        .or_else(|| xml[start..].find("/>").map(|i| start + i + 2))
        .unwrap_or_else(|| panic!("no end of {qname}"));
    &xml[start..end]
}

fn results() -> Vec<(&'static str, SearchResult)> {
    vec![
        ("found_two_histories", samples::found_two_histories()),
        ("found_nia", samples::found_nia()),
        ("not_found", SearchResult::not_found()),
        ("several", SearchResult::several()),
    ]
}

#[test]
fn results_validate_against_insi_resultat_xsd() {
    let Some(dir) = setup("results_validate_against_insi_resultat_xsd") else {
        return;
    };
    let schema = "ServiceIdentiteCertifiee/INSi_RESULTAT_INS.xsd";
    let mut checked = 0;
    for (name, result) in results() {
        for dialect in Dialect::ALL {
            let xml = write_result(&result, dialect);
            let qname = if dialect == Dialect::Y2022 {
                "ns2:RESULTAT"
            } else {
                "RESULTAT"
            };
            let doc = element(&xml, qname);
            let has_dates = result.individu.as_ref().is_some_and(|i| {
                std::iter::once(&i.ins_actif)
                    .chain(&i.ins_histo)
                    .any(|e| e.date_deb.is_some() || e.date_fin.is_some())
            });
            let verdict = validate(&dir, schema, doc);
            if dialect == Dialect::CndaFiles && has_dates {
                assert!(
                    verdict.is_err(),
                    "{name}/{dialect}: dates before IdIndividu should break schema order"
                );
            } else {
                verdict.unwrap_or_else(|e| panic!("{name}/{dialect}: {e}"));
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 11);
}

fn card_search_request() -> Request {
    let m = WireMatricule {
        num_identifiant: "1090763220834".into(),
        cle: Some("89".into()),
        type_matricule: Some("NIR".into()),
    };
    let mut headers = samples::headers(Operation::CardSearch);
    if let Some(bam) = headers.bam.as_mut() {
        bam.date_ref = Some("2026-11-27T00:00:00Z".into());
        bam.couverture = Some(Couverture {
            assure_id_num: Some("1090763220834".into()),
            beneficiaire_nir_num: Some("1090763220834".into()),
            beneficiaire_date_nai: Some("2009-07-14".into()),
            beneficiaire_rang: Some("1".into()),
        });
    }
    Request {
        headers,
        body: RequestBody::CardSearch(CardSearch {
            matricule_individu: Some(m.clone()),
            matricule_od: Some(m),
            nom_naissance: Some("ECETINSI".into()),
            date_naissance: Some("2009-07-14".into()),
            rang_naissance: Some("1".into()),
        }),
        body_id: Some("body".into()),
    }
}

#[test]
fn requests_and_headers_validate_against_their_xsds() {
    let Some(dir) = setup("requests_and_headers_validate_against_their_xsds") else {
        return;
    };
    let mut traits = samples::traits_search_request();
    if let RequestBody::TraitsSearch(t) = &mut traits.body {
        t.prenoms = vec!["OLA".into(), "CATARINA".into()];
    }
    let card = card_search_request();
    for req in [samples::traits_search_request(), traits, card] {
        let xml = write_request(&req);
        let (qname, schema) = match req.body {
            RequestBody::TraitsSearch(_) => (
                "rs:RECSANSVITALE",
                "ServiceIdentiteCertifiee/INSi_RECSANS_INS.xsd",
            ),
            RequestBody::CardSearch(_) => (
                "rv:RECVITALE",
                "ServiceIdentiteCertifiee/INSi_RECVITALE_INS.xsd",
            ),
            RequestBody::Verification(_) => unreachable!("no published xsd"),
        };
        validate(&dir, schema, element(&xml, qname)).unwrap_or_else(|e| panic!("{e}"));
        validate(
            &dir,
            "CTX/ROOT_ctxbam_CTXBAM_V01_02.xsd",
            element(&xml, "ctxbam:ContexteBAM"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        validate(
            &dir,
            "CTX/ROOT_ctxlps_CTXLPS_V01_00.xsd",
            element(&xml, "ctxlps:ContexteLPS"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn fault_details_validate_against_the_siram_xsd() {
    let Some(dir) = setup("fault_details_validate_against_the_siram_xsd") else {
        return;
    };
    let all = [
        faults::desir_550(Some("uuid:1")),
        faults::desir_560(None),
        faults::insi_102(Some("uuid:2")),
        faults::desir_1020(None),
        faults::insi_19_missing_birth_name(None),
        faults::invalid_request(Some("uuid:3"), "Sexe \"X\" invalide"),
    ];
    for fault in all {
        for dialect in [FaultDialect::Current, FaultDialect::Legacy] {
            let xml = write_fault(&fault, dialect);
            // The captured shapes declare siram: on Erreur itself; where it is declared higher
            // up, give the cut-out element its own declaration.
            let cut = element(&xml, "siram:Erreur");
            let doc = if cut.contains("xmlns:siram=") {
                cut.to_owned()
            } else {
                cut.replacen(
                    "<siram:Erreur",
                    "<siram:Erreur xmlns:siram=\"urn:siram\"",
                    1,
                )
            };
            validate(&dir, "schema_faultSOAP_V01_01.xsd", &doc)
                .unwrap_or_else(|e| panic!("{}: {e}", fault.erreur.code));
        }
    }
}
