//! The verification operation, complete (reconstructed contract, insi-protocol.md §2): every
//! case by dataset (verified, unknown INS, traits mismatch, replaced INS, a person's fault) and
//! by override, with the answer templates of the dataset (`verification:`).
#![expect(clippy::unwrap_used, reason = "test fixtures and assertions")]
#![expect(
    dead_code,
    reason = "tests/common is shared with e2e.rs, which uses every helper"
)]

mod common;

use common::*;
use insilab_core::insi::model::{
    InsEntry, RequestBody, SearchResult, Verification, VerifiedTraits, WireMatricule,
};
use insilab_core::insi::writer;
use insilab_core::insi::{Operation, Response};
use insilab_simulator::dataset::VerificationCase;
use insilab_simulator::{OverrideAnswer, OverrideSpec, RequestPattern, SimulatorHandle};

/// ECETINSI's traits (cnda-2.04: active `1090763220834` 89, former `2090763220834` 39).
fn verification(matricule: &str, key: &str, first_name: &str) -> RequestBody {
    RequestBody::Verification(Verification {
        ins_fourni: InsEntry {
            id: WireMatricule {
                num_identifiant: matricule.into(),
                cle: Some(key.into()),
                type_matricule: None,
            },
            oid: "1.2.250.1.213.1.4.8".into(),
            date_deb: None,
            date_fin: None,
        },
        traits: VerifiedTraits {
            nom_naissance: Some("ECETINSI".into()),
            prenom: Some(first_name.into()),
            liste_prenom: Some(format!("{first_name} MURIEL FLORIANT")),
            sexe: Some("M".into()),
            date_naissance: Some("2009-07-14".into()),
            lieu_naissance: Some("63220".into()),
        },
    })
}

const VERIFIED: (&str, &str, &str) = ("1090763220834", "89", "PIERRE-ALAIN");
const MISMATCH: (&str, &str, &str) = ("1090763220834", "89", "PAUL");
const REPLACED: (&str, &str, &str) = ("2090763220834", "39", "PIERRE-ALAIN");
/// A valid NIR no person holds.
const UNKNOWN: (&str, &str, &str) = ("1090763220842", "81", "PIERRE-ALAIN");

/// Sends one verification; returns the HTTP status and the answer read.
async fn verify(sim: &SimulatorHandle, case: (&str, &str, &str)) -> (u16, Response, String) {
    let pki = pki();
    let mut conn = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    let req = request(
        verification(case.0, case.1, case.2),
        "uuid:11111111-2222-3333-4444-555555555557",
        IDAM,
    );
    let ct = writer::content_type(Operation::Verification);
    let (status, body) = conn.post(&ct, writer::write_request(&req)).await.unwrap();
    (status, parse(&body), body)
}

fn result(r: Response) -> SearchResult {
    match r {
        Response::Result(r) => r,
        other => panic!("not a RESULTAT: {other:?}"),
    }
}

/// The journal's findings and person of the last exchange.
fn last(sim: &SimulatorHandle) -> (Vec<String>, Option<String>) {
    let e = sim.journal().entries().pop().unwrap();
    (
        e.findings.iter().map(|f| f.rule_id.to_string()).collect(),
        e.person.clone(),
    )
}

async fn start_with(dataset: Option<&str>) -> (SimulatorHandle, Option<tempfile::TempDir>) {
    let pki = pki();
    let dir = dataset.map(|yaml| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("extra.yaml"), yaml).unwrap();
        dir
    });
    let file = dir.as_ref().map(|d| d.path().join("extra.yaml"));
    let sim = start(&pki, |c| c.datasets.extend(file)).await;
    (sim, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_by_the_default_dataset_and_templates() {
    let (sim, _dir) = start_with(None).await;
    let (s, r, _) = verify(&sim, VERIFIED).await;
    let r = result(r);
    assert_eq!((s, r.code_cr.as_str()), (200, "00"));
    assert_eq!(r.individu.unwrap().ins_actif.id.num_identifiant, VERIFIED.0);
    assert_eq!(last(&sim), (vec![], Some("cnda-2.04".into())));

    let r = result(verify(&sim, MISMATCH).await.1);
    assert_eq!(
        (r.code_cr.as_str(), r.libelle_cr.as_str()),
        ("01", "Aucune identite trouvee")
    );
    assert!(r.individu.is_none());
    // The journal names the person whose INS it is: a mismatch, not an unknown INS.
    assert_eq!(last(&sim), (vec![], Some("cnda-2.04".into())));

    let r = result(verify(&sim, REPLACED).await.1);
    assert_eq!(r.code_cr, "01");
    assert!(r.individu.is_none());
    assert_eq!(
        last(&sim),
        (vec!["INSI-VER-004".to_owned()], Some("cnda-2.04".into()))
    );

    let r = result(verify(&sim, UNKNOWN).await.1);
    assert_eq!(r.code_cr, "01");
    assert_eq!(last(&sim), (vec![], None));
    sim.shutdown().await;
}

/// A publisher's alignment: other codes and labels, the replaced INS answered with the active
/// one, and a person whose verification answers a fault.
const ALIGNED: &str = r#"
verification:
  traits_mismatch: {code: "03", label: "Traits non concordants"}
  replaced: {code: "04", label: "INS remplace", individu: true}
persons:
  - id: verif-fault
    birth_name: VERIFAULT
    first_names: [JEAN]
    sex: M
    birth_date: "1980-01-01"
    ins: {matricule: "1800163220999"}
    behaviour: {fault: insi_102}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dataset_templates_align_the_answers_without_code() {
    let (sim, _dir) = start_with(Some(ALIGNED)).await;
    let r = result(verify(&sim, MISMATCH).await.1);
    assert_eq!(
        (r.code_cr.as_str(), r.libelle_cr.as_str()),
        ("03", "Traits non concordants")
    );
    assert!(r.individu.is_none());
    // The replaced INS names the active one.
    let (_, r, body) = verify(&sim, REPLACED).await;
    let r = result(r);
    assert_eq!(r.code_cr, "04");
    let individu = r.individu.unwrap();
    assert_eq!(individu.ins_actif.id.num_identifiant, VERIFIED.0);
    assert_eq!(individu.ins_histo[0].id.num_identifiant, REPLACED.0);
    insta::assert_snapshot!("verification_replaced_aligned", body);
    assert_eq!(
        last(&sim).0,
        ["INSI-VER-004"],
        "the finding stays with any template"
    );
    // Unchanged cases keep the defaults.
    assert_eq!(result(verify(&sim, VERIFIED).await.1).code_cr, "00");
    assert_eq!(result(verify(&sim, UNKNOWN).await.1).code_cr, "01");
    // A person's fault behaviour answers a verification of their INS.
    let key = insilab_simulator::dataset::compute_key("1800163220999").unwrap();
    let (s, r, _) = verify(&sim, ("1800163220999", &key, "JEAN")).await;
    assert_eq!(s, 500);
    assert!(matches!(r, Response::Fault(f) if f.erreur.code == "insi_102"));
    sim.shutdown().await;
}

#[test]
fn a_bad_template_is_refused_naming_the_case() {
    for (yaml, expected) in [
        (
            "verification: {unknown: {code: \"01\", label: x, individu: true}}",
            "verification.unknown",
        ),
        (
            "verification: {verified: {code: \"0\", label: OK}}",
            "verification.verified",
        ),
        (
            "verification: {replaced: {code: \"01\", label: \" \"}}",
            "verification.replaced",
        ),
    ] {
        let e = insilab_simulator::dataset::Dataset::from_yaml(yaml, "t").unwrap_err();
        assert!(e.to_string().contains(expected), "{e}");
    }
    assert!(
        insilab_simulator::dataset::Dataset::from_yaml("verification: {nope: 1}", "t").is_err()
    );
}

fn forced(case: VerificationCase) -> OverrideSpec {
    OverrideSpec {
        pattern: RequestPattern {
            operation: Some("verification".into()),
            birth_name: Some("ECETINSI".into()),
            ..Default::default()
        },
        count: 1,
        answer: OverrideAnswer::Verification { case },
        delay_ms: 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_by_override() {
    let (sim, _dir) = start_with(None).await;
    // An INS no one holds, forced verified: the INDIVIDU is the INS and traits as sent.
    sim.overrides()
        .add(forced(VerificationCase::Verified))
        .unwrap();
    let r = result(verify(&sim, UNKNOWN).await.1);
    assert_eq!(r.code_cr, "00");
    let individu = r.individu.unwrap();
    assert_eq!(individu.ins_actif.id.num_identifiant, UNKNOWN.0);
    assert_eq!(individu.tiq.nom_naissance.as_deref(), Some("ECETINSI"));
    // The active INS with matching traits, forced unknown / mismatch / replaced: 01.
    for case in [
        VerificationCase::Unknown,
        VerificationCase::TraitsMismatch,
        VerificationCase::Replaced,
    ] {
        sim.overrides().add(forced(case)).unwrap();
        let r = result(verify(&sim, VERIFIED).await.1);
        assert_eq!(r.code_cr, "01", "{case:?}");
        assert!(
            last(&sim).0.is_empty(),
            "no historised finding for an active INS"
        );
    }
    // A fault by override, on the verification only.
    sim.overrides()
        .add(OverrideSpec {
            answer: OverrideAnswer::Fault {
                code: "insi_102".into(),
                variant: Default::default(),
            },
            ..forced(VerificationCase::Verified)
        })
        .unwrap();
    let (s, r, _) = verify(&sim, VERIFIED).await;
    assert_eq!(s, 500);
    assert!(matches!(r, Response::Fault(_)));
    // Consumed: the next one is normal again.
    assert_eq!(result(verify(&sim, VERIFIED).await.1).code_cr, "00");
    sim.shutdown().await;
}
