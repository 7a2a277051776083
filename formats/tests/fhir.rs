//! FHIR R4 Patient / Bundle reader and writer: typed errors with their location, Bundles,
//! never-panic and round-trip properties.

use insilab_formats::fhir::{
    self, Bundle, BundleEntry, Coding, EntryResource, FhirError, HumanName, Identifier,
    IdentityReliability, Patient, Resource, Syntax,
};
use insilab_formats::rules;
use proptest::prelude::*;

const CLEAN_JSON: &str = include_str!("fixtures/fhir/clean.json");
const CLEAN_XML: &str = include_str!("fixtures/fhir/clean.xml");

fn patient(r: Resource) -> Patient {
    match r {
        Resource::Patient(p) => *p,
        Resource::Bundle(_) => panic!("expected a Patient"),
    }
}

#[test]
fn reads_the_clean_patient_in_both_syntaxes() {
    let j = patient(fhir::read(CLEAN_JSON.as_bytes()).expect("json"));
    let x = patient(fhir::read(CLEAN_XML.as_bytes()).expect("xml"));
    assert_eq!(j.status_code(), Some("QUAL"));
    assert_eq!(x.status_code(), Some("QUAL"));
    let ins = |p: &Patient| p.identifiers.iter().find(|i| i.claims_ins()).cloned();
    assert_eq!(ins(&j), ins(&x));
    assert_eq!(
        ins(&x).and_then(|i| i.value),
        Some("279035121518989".to_owned())
    );
    assert_eq!(j.official_name(), x.official_name());
    assert_eq!(
        x.official_name()
            .and_then(|n| n.birth_list_given_name.clone()),
        Some("DOMINIQUE MARIE-LOUISE".to_owned())
    );
    assert_eq!(
        x.birth_place
            .as_ref()
            .and_then(|b| b.insee_code.as_ref())
            .and_then(|c| c.code.as_deref()),
        Some("63220")
    );
    assert_eq!(x.birth_date.as_deref(), Some("1979-03-28"));
    // The PI identifier is not an INS (typed PI, not under the INS arc).
    assert_eq!(j.identifiers.iter().filter(|i| i.claims_ins()).count(), 1);
}

#[test]
fn errors_name_the_json_path() {
    let e = fhir::read_json(br#"{"resourceType":"Patient","identifier":[{"use":"official"},"x"]}"#)
        .expect_err("string identifier");
    assert!(
        matches!(&e, FhirError::Invalid { at, .. } if at == "$.identifier[1]"),
        "{e}"
    );
    let e = fhir::read_json(br#"{"resourceType":"Patient","gender":null}"#).expect_err("null");
    assert!(
        matches!(&e, FhirError::Invalid { at, .. } if at == "$.gender"),
        "{e}"
    );
    let e = fhir::read_json(br#"{"resourceType":"Observation"}"#).expect_err("type");
    assert!(matches!(&e, FhirError::ResourceType { found, .. } if found == "Observation"));
    let e = fhir::read_json(br#"{"gender":"male"}"#).expect_err("no type");
    assert!(matches!(&e, FhirError::Missing { at } if at == "$.resourceType"));
    let e = fhir::read_json(b"{\"resourceType\":").expect_err("truncated");
    assert!(matches!(e, FhirError::Json { line: 1, .. }), "{e}");
    let e = fhir::read_json(
        br#"{"resourceType":"Patient","name":[{"use":"official","family":{"x":"y"}}]}"#,
    )
    .expect_err("object family");
    assert!(
        matches!(&e, FhirError::Invalid { at, .. } if at == "$.name[0].family"),
        "{e}"
    );
}

#[test]
fn errors_name_the_xpath() {
    let doc = br#"<Patient xmlns="http://hl7.org/fhir"><identifier><use value="official"/></identifier><identifier><system><x value="1"/></system></identifier></Patient>"#;
    let e = fhir::read_xml(doc).expect_err("complex system");
    assert!(
        matches!(&e, FhirError::Invalid { at, .. } if at == "/Patient/identifier[2]/system"),
        "{e}"
    );
    let e = fhir::read_xml(br#"<Patient><gender value="male"/></Patient>"#).expect_err("ns");
    assert!(matches!(e, FhirError::Invalid { .. }), "{e}");
    let e = fhir::read_xml(
        br#"<!DOCTYPE Patient [<!ENTITY x SYSTEM "file:///etc/passwd">]><Patient xmlns="http://hl7.org/fhir"/>"#,
    )
    .expect_err("doctype");
    assert!(matches!(e, FhirError::Xml(_)), "{e}");
    let e = fhir::read_xml(
        br#"<Patient xmlns="http://hl7.org/fhir"><gender value="male"/><gender value="female"/></Patient>"#,
    )
    .expect_err("repeated gender");
    assert!(
        matches!(&e, FhirError::Invalid { at, .. } if at == "/Patient/gender[2]"),
        "{e}"
    );
}

#[test]
fn bundles_carry_patients_and_other_resources() {
    let p = patient(fhir::read(CLEAN_JSON.as_bytes()).expect("json"));
    let b = Resource::Bundle(Bundle {
        id: Some("b1".into()),
        type_: Some("transaction".into()),
        entries: vec![
            BundleEntry {
                full_url: Some("urn:uuid:1".into()),
                resource: Some(EntryResource::Patient(Box::new(p.clone()))),
            },
            BundleEntry {
                full_url: None,
                resource: Some(EntryResource::Other("Encounter".into())),
            },
            BundleEntry {
                full_url: Some("urn:uuid:3".into()),
                resource: Some(EntryResource::Patient(Box::new(Patient {
                    identifiers: vec![Identifier {
                        value: Some("123".into()),
                        ..Identifier::ins(&insilab_core::ins::Ins::new(
                            insilab_core::ins::Matricule::parse("279035121518989")
                                .expect("matricule"),
                            insilab_core::ins::Oid::Nir,
                        ))
                    }],
                    ..p
                }))),
            },
        ],
    });
    for syntax in [Syntax::Json, Syntax::Xml] {
        let text = fhir::write(&b, syntax);
        assert_eq!(Syntax::sniff(text.as_bytes()), Some(syntax));
        let back = fhir::read(text.as_bytes()).expect("bundle parses");
        assert_eq!(back, b, "{text}");
        let findings = rules::fhir::check_resource(&back);
        let ids: Vec<_> = findings
            .iter()
            .map(|f| (f.rule_id.as_str(), f.path.clone().unwrap_or_default()))
            .collect();
        assert_eq!(
            ids,
            vec![(
                "INS-FHIR-002",
                "Bundle.entry[2].resource.identifier[0].value".to_owned()
            )]
        );
    }
}

#[test]
fn nss_identifier_is_not_an_ins() {
    let id = Identifier {
        use_: Some("official".into()),
        type_: vec![Coding::new(
            "http://terminology.hl7.org/CodeSystem/v2-0203",
            "NH",
        )],
        system: Some("urn:oid:1.2.250.1.213.1.4.8".into()),
        value: Some("279035121518989".into()),
    };
    assert!(!id.claims_ins());
}

#[test]
fn limits_are_enforced() {
    let big = vec![b' '; fhir::MAX_FHIR_BYTES + 1];
    assert!(matches!(
        fhir::read_json(&big),
        Err(FhirError::TooLarge { .. })
    ));
    let deep = format!(
        "{{\"resourceType\":\"Patient\",\"x\":{}1{}}}",
        "{\"a\":".repeat(100),
        "}".repeat(100)
    );
    assert!(fhir::read_json(deep.as_bytes()).is_err());
}

fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 '<>&\"é-]{0,10}"
}

fn opt() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn coding() -> impl Strategy<Value = Coding> {
    (opt(), opt(), opt()).prop_map(|(system, code, display)| Coding {
        system,
        code,
        display,
    })
}

fn arb_patient() -> impl Strategy<Value = Patient> {
    let ident = (
        opt(),
        proptest::collection::vec(coding(), 0..2),
        opt(),
        opt(),
    )
        .prop_map(|(use_, type_, system, value)| Identifier {
            use_,
            type_,
            system,
            value,
        });
    let name = (
        opt(),
        opt(),
        proptest::collection::vec(text(), 0..3),
        proptest::collection::vec(text(), 0..2),
        opt(),
    )
        .prop_map(|(use_, family, given, prefix, list)| HumanName {
            use_,
            family,
            given,
            prefix,
            birth_list_given_name: list,
        });
    let rel = (
        proptest::option::of(coding()),
        proptest::option::of(coding()),
        opt(),
        proptest::collection::vec(coding(), 0..3),
        opt(),
        proptest::option::of(coding()),
    )
        .prop_map(|(s, m, d, c, vd, vm)| IdentityReliability {
            identity_status: s,
            method_collection: m,
            date_collection: d,
            comments: c,
            validation_date: vd,
            validation_mode: vm,
        });
    let bp = proptest::option::of((proptest::option::of(coding()), opt(), opt()).prop_map(
        |(insee_code, city, country)| fhir::BirthPlace {
            insee_code,
            city,
            country,
        },
    ));
    (
        opt(),
        proptest::collection::vec(text(), 0..2),
        proptest::collection::vec(rel, 0..2),
        bp,
        proptest::collection::vec(ident, 0..3),
        proptest::collection::vec(name, 0..3),
        opt(),
        opt(),
    )
        .prop_map(
            |(id, profiles, reliability, birth_place, identifiers, names, gender, birth_date)| {
                Patient {
                    id,
                    profiles,
                    reliability,
                    birth_place,
                    identifiers,
                    names,
                    gender,
                    birth_date,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn round_trips_in_both_syntaxes(p in arb_patient()) {
        let r = Resource::Patient(Box::new(p));
        for syntax in [Syntax::Json, Syntax::Xml] {
            let text = fhir::write(&r, syntax);
            prop_assert_eq!(fhir::read(text.as_bytes()), Ok(r.clone()), "{}", text);
        }
        let _ = rules::fhir::check_resource(&r);
    }

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = fhir::read(&bytes);
        let mut json = b"{\"resourceType\":\"Patient\",".to_vec();
        json.extend_from_slice(&bytes);
        if let Ok(r) = fhir::read_json(&json) {
            let _ = rules::fhir::check_resource(&r);
        }
    }

    #[test]
    fn never_panics_on_mutations(
        xml in any::<bool>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..10)
    ) {
        let mut bytes = if xml { CLEAN_XML } else { CLEAN_JSON }.as_bytes().to_vec();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        if let Ok(r) = fhir::read(&bytes) {
            let _ = rules::fhir::check_resource(&r);
            // parse(write(x)) == x for whatever the reader produced.
            for syntax in [Syntax::Json, Syntax::Xml] {
                let text = fhir::write(&r, syntax);
                prop_assert_eq!(fhir::read(text.as_bytes()), Ok(r.clone()), "{}", text);
            }
        }
    }
}
