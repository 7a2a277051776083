//! Each fixture named after a rule triggers that rule (and the clean ones trigger nothing but
//! what their name allows); every rule of the format catalogue has a fixture.

use std::collections::BTreeSet;
use std::path::Path;

use insilab_core::rules::formats::format_rules;
use insilab_core::rules::{Finding, find};
use insilab_formats::{cda, fhir, hl7, rules};

fn fixtures(dir: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir);
    let mut out: Vec<_> = std::fs::read_dir(&root)
        .expect("fixture dir")
        .map(|e| {
            let p = e.expect("entry").path();
            let stem = p.file_stem().expect("stem").to_string_lossy().into_owned();
            (stem, std::fs::read(&p).expect("fixture"))
        })
        .collect();
    out.sort();
    out
}

fn ids(findings: &[Finding]) -> BTreeSet<&'static str> {
    findings.iter().map(|f| f.rule_id.as_str()).collect()
}

fn check_hl7(bytes: &[u8]) -> Vec<Finding> {
    let msg = hl7::parse(bytes).expect("fixture parses");
    rules::hl7::check_message(&msg)
}

fn check_dm(bytes: &[u8]) -> Vec<Finding> {
    rules::datamatrix::check_payload(std::str::from_utf8(bytes).expect("utf-8"))
}

fn check_fhir(bytes: &[u8]) -> Vec<Finding> {
    let r = fhir::read(bytes).expect("fixture parses");
    let findings = rules::fhir::check_resource(&r);
    // The same resource written as XML and as JSON and read back gives the same findings.
    for written in [fhir::write_xml(&r), fhir::write_json(&r)] {
        let again = fhir::read(written.as_bytes()).expect("written resource parses");
        assert_eq!(again, r, "{written}");
        assert_eq!(rules::fhir::check_resource(&again), findings);
    }
    findings
}

fn check_cda(bytes: &[u8]) -> Vec<Finding> {
    let h = cda::read(bytes).expect("fixture parses");
    let findings = rules::cda::check_header(&h);
    let again = cda::read(cda::write(&h).as_bytes()).expect("written header parses");
    assert_eq!(again, h);
    findings
}

fn run(dir: &str, check: fn(&[u8]) -> Vec<Finding>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for (name, bytes) in fixtures(dir) {
        let findings = check(&bytes);
        let got = ids(&findings);
        if name == "clean" {
            assert!(findings.is_empty(), "{dir}/clean: {findings:#?}");
        } else {
            assert!(find(&name).is_some(), "{dir}/{name}: not a catalogue id");
            // A matricule without OID is also a missing mandatory field: both rules fire.
            let companions: &[&str] = if name == "INS-DISP-001" {
                &["INS-DM-002"]
            } else {
                &[]
            };
            let mut expected = BTreeSet::from([name.as_str()]);
            expected.extend(companions);
            assert_eq!(got, expected, "{dir}/{name}: {findings:#?}");
            seen.insert(name);
        }
    }
    seen
}

#[test]
fn hl7_fixtures_trigger_their_rule_only() {
    let seen = run("hl7", check_hl7);
    let all: BTreeSet<String> = format_rules()
        .filter(|r| r.id.as_str().starts_with("INS-HL7-"))
        .map(|r| r.id.as_str().to_owned())
        .collect();
    assert_eq!(seen, all, "every INS-HL7 rule has a fixture");
}

#[test]
fn datamatrix_fixtures_trigger_their_rule_only() {
    let seen = run("datamatrix", check_dm);
    let all: BTreeSet<String> = format_rules()
        .filter(|r| r.id.as_str().starts_with("INS-DM-") || r.id.as_str().starts_with("INS-DISP-"))
        // INS-DM-011 compares with the INS held by the software: tested in datamatrix.rs.
        .filter(|r| r.id.as_str() != "INS-DM-011")
        .map(|r| r.id.as_str().to_owned())
        .collect();
    assert_eq!(seen, all, "every INS-DM/INS-DISP rule has a fixture");
}

fn family(prefix: &str) -> BTreeSet<String> {
    format_rules()
        .filter(|r| r.id.as_str().starts_with(prefix))
        .map(|r| r.id.as_str().to_owned())
        .collect()
}

#[test]
fn fhir_fixtures_trigger_their_rule_only() {
    let seen = run("fhir", check_fhir);
    assert_eq!(
        seen,
        family("INS-FHIR-"),
        "every INS-FHIR rule has a fixture"
    );
}

#[test]
fn cda_fixtures_trigger_their_rule_only() {
    let seen = run("cda", check_cda);
    assert_eq!(seen, family("INS-CDA-"), "every INS-CDA rule has a fixture");
}

#[test]
fn every_format_rule_is_in_the_catalogue_lookup() {
    let ids: Vec<&str> = format_rules().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), 49, "{ids:?}");
    for r in format_rules() {
        assert_eq!(find(r.id.as_str()).map(|f| f.id), Some(r.id), "{}", r.id);
    }
}

/// `docs/formats.md` carries the rule table as generated from the catalogue.
#[test]
fn docs_table_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/formats.md");
    let doc = std::fs::read_to_string(&path).expect("docs/formats.md");
    let table = insilab_core::rules::formats::markdown_table();
    if std::env::var("INSILAB_UPDATE_DOCS").is_ok_and(|v| v == "1") {
        let start = doc.find("| Id | Severity |").expect("table start");
        let end = doc[start..]
            .find("\n\n")
            .map_or(doc.len(), |e| start + e + 1);
        let updated = format!("{}{table}{}", &doc[..start], &doc[end..]);
        std::fs::write(&path, updated).expect("write docs");
        return;
    }
    assert!(
        doc.contains(&table),
        "docs/formats.md is out of date: run INSILAB_UPDATE_DOCS=1 cargo test -p insilab-formats --test fixtures"
    );
}

/// Every requirement a format rule links to is listed in `scenarios/requirements.yaml`.
#[test]
fn requirement_links_exist() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/requirements.yaml");
    let yaml = std::fs::read_to_string(path).expect("requirements.yaml");
    for r in format_rules() {
        assert!(!r.requirements.is_empty(), "{} has no requirement", r.id);
        for req in r.requirements {
            assert!(
                yaml.contains(&format!("- id: {req}\n")),
                "{}: {req} not in requirements.yaml",
                r.id
            );
        }
    }
}
