//! CDA R2 header reader and writer: typed model, XPath errors, never-panic and round-trip
//! properties.

use insilab_formats::cda::{
    self, Birthplace, CdaError, CdaHeader, CdaName, Ii, NamePart, PartKind, PatientRole,
};
use insilab_formats::rules;
use proptest::prelude::*;

const CLEAN: &str = include_str!("fixtures/cda/clean.xml");

#[test]
fn reads_the_patient_role() {
    let h = cda::read(CLEAN.as_bytes()).expect("cda");
    let pr = &h.record_targets[0];
    assert_eq!(pr.ids.len(), 2);
    assert_eq!(pr.ids[0].root.as_deref(), Some("1.2.250.1.213.1.4.8"));
    assert_eq!(pr.ids[0].extension.as_deref(), Some("279035121518989"));
    assert_eq!(pr.birth_name(), Some("PAT-TROIS"));
    assert_eq!(pr.first_birth_given(), Some("DOMINIQUE"));
    assert_eq!(pr.given_list().as_deref(), Some("DOMINIQUE MARIE-LOUISE"));
    assert_eq!(pr.gender_code.as_deref(), Some("F"));
    assert_eq!(pr.birth_time.as_deref(), Some("19790328"));
    assert_eq!(
        pr.birthplace.as_ref().and_then(|b| b.county.as_deref()),
        Some("63220")
    );
    assert_eq!(pr.ins_ids().count(), 1);
}

#[test]
fn errors_name_the_xpath() {
    let e =
        cda::read(b"<ClinicalDocument xmlns='urn:hl7-org:v3'><recordTarget/></ClinicalDocument>")
            .expect_err("no patientRole");
    assert_eq!(
        e,
        CdaError::Missing {
            at: "/ClinicalDocument/recordTarget/patientRole".into()
        }
    );
    let e = cda::read(b"<ClinicalDocument xmlns='urn:hl7-org:v3'><title/></ClinicalDocument>")
        .expect_err("no recordTarget");
    assert_eq!(
        e,
        CdaError::Missing {
            at: "/ClinicalDocument/recordTarget".into()
        }
    );
    let e = cda::read(b"<ClinicalDocument><recordTarget/></ClinicalDocument>").expect_err("ns");
    assert!(matches!(e, CdaError::NotCda { .. }), "{e}");
    let e = cda::read(b"<ClinicalDocument xmlns='urn:hl7-org:v3'><recordTarget>")
        .expect_err("truncated");
    assert!(matches!(e, CdaError::Xml(_)), "{e}");
}

#[test]
fn test_oid_and_several_record_targets_are_located() {
    let two = CLEAN.replace(
        "</recordTarget>",
        "</recordTarget>\n  <recordTarget><patientRole><id root=\"1.2.250.1.213.1.4.10\" extension=\"279035121518988\"/></patientRole></recordTarget>",
    );
    let h = cda::read(two.as_bytes()).expect("cda");
    let f = rules::cda::check_header(&h);
    let got: Vec<_> = f
        .iter()
        .map(|f| (f.rule_id.as_str(), f.path.clone().unwrap_or_default()))
        .collect();
    let base = "/ClinicalDocument/recordTarget[2]/patientRole";
    assert!(
        got.contains(&("INS-CDA-001", format!("{base}/id/@extension"))),
        "{got:?}"
    );
    assert!(
        got.contains(&("INS-CDA-010", format!("{base}/id/@root"))),
        "{got:?}"
    );
    assert!(
        got.contains(&("INS-CDA-004", format!("{base}/id"))),
        "{got:?}"
    );
    assert!(got.iter().all(|(_, p)| p.starts_with(base)), "{got:?}");
}

fn text() -> impl Strategy<Value = String> {
    // Text content is read trimmed: no surrounding white space in generated values.
    "[A-Za-z0-9'<>&\"é-]([A-Za-z0-9 '<>&\"é-]{0,8}[A-Za-z0-9'<>&\"é-])?"
}

fn attr() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[A-Za-z0-9 .'<>&\"é-]{0,10}")
}

fn arb_role() -> impl Strategy<Value = PatientRole> {
    let ii = (attr(), attr(), attr(), attr(), attr()).prop_map(|(r, e, a, d, n)| Ii {
        root: r,
        extension: e,
        assigning_authority_name: a,
        displayable: d,
        null_flavor: n,
    });
    let part =
        (0..3u8, proptest::option::of("[A-Z]{1,3}"), text()).prop_map(|(k, q, t)| NamePart {
            kind: match k {
                0 => PartKind::Family,
                1 => PartKind::Given,
                _ => PartKind::Prefix,
            },
            qualifier: q,
            text: t,
        });
    let name = proptest::collection::vec(part, 0..4).prop_map(|parts| CdaName { parts });
    let bp = proptest::option::of(
        (proptest::option::of(text()), proptest::option::of(text()))
            .prop_map(|(county, city)| Birthplace { county, city }),
    );
    (
        proptest::collection::vec(ii, 0..3),
        proptest::collection::vec(name, 0..3),
        attr(),
        attr(),
        bp,
    )
        .prop_map(
            |(ids, names, gender_code, birth_time, birthplace)| PatientRole {
                ids,
                names,
                gender_code,
                birth_time,
                birthplace,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn round_trips(roles in proptest::collection::vec(arb_role(), 1..3)) {
        let h = CdaHeader { record_targets: roles };
        let text = cda::write(&h);
        prop_assert_eq!(cda::read(text.as_bytes()), Ok(h.clone()), "{}", text);
        let _ = rules::cda::check_header(&h);
    }

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = cda::read(&bytes);
        let mut doc = b"<ClinicalDocument xmlns='urn:hl7-org:v3'><recordTarget><patientRole>".to_vec();
        doc.extend_from_slice(&bytes);
        if let Ok(h) = cda::read(&doc) {
            let _ = rules::cda::check_header(&h);
        }
    }

    #[test]
    fn never_panics_on_mutations(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..10)
    ) {
        let mut bytes = CLEAN.as_bytes().to_vec();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        if let Ok(h) = cda::read(&bytes) {
            let _ = rules::cda::check_header(&h);
            prop_assert_eq!(cda::read(cda::write(&h).as_bytes()), Ok(h.clone()));
        }
    }
}
