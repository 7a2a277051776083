//! One identity model: the same identity written to every carrier, read back and projected,
//! is the same core identity; and the ANS-style carriers project to the same identity.

use insilab_core::ins::status::IdentityStatus;
use insilab_core::ins::{BirthDate, Cog, Ins, Matricule, Oid, Sex, Traits};
use insilab_formats::datamatrix::payload::{build, parse_payload};
use insilab_formats::hl7::adt::build_adt;
use insilab_formats::hl7::{AdtEvent, Header, Pid};
use insilab_formats::identity::{self, Identity};
use insilab_formats::{cda, fhir, hl7, rules};

fn qualified() -> Identity {
    Identity {
        ins: Some(Ins::new(
            Matricule::parse("279035121518989").expect("matricule"),
            Oid::Nir,
        )),
        traits: Traits {
            birth_name: "PAT-TROIS".into(),
            first_names: vec!["DOMINIQUE".into(), "MARIE-LOUISE".into()],
            sex: Sex::F,
            birth_date: BirthDate::parse("1979-03-28").expect("date"),
            birthplace: Some(Cog::parse("63220").expect("cog")),
        },
        status: Some(IdentityStatus::Qual),
    }
}

fn header() -> Header {
    Header {
        sending_application: "INSILAB".into(),
        sending_facility: "LAB".into(),
        receiving_application: "SUT".into(),
        receiving_facility: "SUT".into(),
        timestamp: "20261201101500".into(),
        event: AdtEvent::A28,
        control_id: "1".into(),
        processing_id: "T".into(),
        version: "2.5".into(),
        country: "FRA".into(),
        charset: "UNICODE UTF-8".into(),
        profile: vec!["2.11".into(), "IHE_FR".into()],
    }
}

#[test]
fn every_carrier_round_trips_to_the_same_identity() {
    let id = qualified();

    let pid = identity::to_pid(&id, Some(("000003", "CHU-X", "1.2.250.1.71.4.2.7")));
    let msg = build_adt(&header(), &pid, Vec::new());
    let read = hl7::parse(hl7::write(&msg).as_bytes()).expect("er7");
    assert!(rules::hl7::check_message(&read).is_empty());
    let pid = Pid::from_message(&read).expect("pid");
    assert_eq!(identity::from_pid(&pid), Ok(id.clone()));

    let p = fhir::Resource::Patient(Box::new(identity::to_patient(&id)));
    for syntax in [fhir::Syntax::Json, fhir::Syntax::Xml] {
        let back = fhir::read(fhir::write(&p, syntax).as_bytes()).expect("fhir");
        assert!(rules::fhir::check_resource(&back).is_empty(), "{syntax:?}");
        let fhir::Resource::Patient(back) = back else {
            panic!("patient")
        };
        assert_eq!(identity::from_patient(&back), Ok(id.clone()));
    }

    let role =
        identity::to_patient_role(&id, Some(("1.2.250.1.71.4.2.7", "000003"))).expect("qualified");
    let h = cda::CdaHeader {
        record_targets: vec![role],
    };
    let back = cda::read(cda::write(&h).as_bytes()).expect("cda");
    assert!(rules::cda::check_header(&back).is_empty());
    assert_eq!(
        identity::from_patient_role(&back.record_targets[0]),
        Ok(id.clone())
    );

    let payload = identity::to_payload(&id).expect("qualified");
    let back = parse_payload(&build(&payload)).expect("payload");
    assert_eq!(identity::from_payload(&back), id);
}

#[test]
fn the_ins_travels_only_with_a_qualified_identity() {
    let mut id = qualified();
    id.status = Some(IdentityStatus::Vali);
    let pid = identity::to_pid(&id, None);
    assert!(pid.ins_identifiers().next().is_none());
    assert_eq!(pid.reliability, vec!["VALI"]);
    assert_eq!(
        identity::from_pid(&pid).map(|i| i.status),
        Ok(Some(IdentityStatus::Vali))
    );
    assert!(identity::to_patient(&id).identifiers.is_empty());
    assert!(identity::to_patient_role(&id, None).is_none());
    assert!(identity::to_payload(&id).is_none());
    // PAM flows cannot tell RECUP from PROV.
    id.status = Some(IdentityStatus::Recup);
    let pid = identity::to_pid(&id, None);
    assert_eq!(
        identity::from_pid(&pid).map(|i| i.status),
        Ok(Some(IdentityStatus::Prov))
    );
}

#[test]
fn the_fixtures_of_each_carrier_project_to_the_same_identity() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let read = |p: &str| std::fs::read(fixtures.join(p)).expect("fixture");
    let mut want = qualified();
    let from_fhir = match fhir::read(&read("fhir/clean.json")).expect("fhir") {
        fhir::Resource::Patient(p) => identity::from_patient(&p).expect("projects"),
        fhir::Resource::Bundle(_) => panic!("patient"),
    };
    assert_eq!(from_fhir, want);
    let h = cda::read(&read("cda/clean.xml")).expect("cda");
    assert_eq!(
        identity::from_patient_role(&h.record_targets[0]),
        Ok(want.clone())
    );
    // The HL7 clean fixture is the ANS example: one first name.
    let msg = hl7::parse(&read("hl7/clean.hl7")).expect("hl7");
    let from_hl7 = identity::from_pid(&Pid::from_message(&msg).expect("pid")).expect("projects");
    want.traits.first_names.truncate(1);
    assert_eq!(from_hl7, want);
}
