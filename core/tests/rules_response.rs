//! Answer rules: the CNDA answers (samples) and each defect a client must detect.
#![expect(clippy::unwrap_used, reason = "test fixtures")]

use insilab_core::insi::{
    Dialect, Erreur, Fault, FaultCodeValue, InsEntry, Limits, Response, SearchResult,
    WireMatricule, parse_response, write_response,
};
use insilab_core::insi::{faults, samples};
use insilab_core::rules::{Finding, check_response};

fn ids(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule_id.as_str()).collect()
}

fn entry(num: &str, cle: &str, oid: &str) -> InsEntry {
    InsEntry {
        id: WireMatricule {
            num_identifiant: num.into(),
            cle: Some(cle.into()),
            type_matricule: None,
        },
        oid: oid.into(),
        date_deb: None,
        date_fin: None,
    }
}

fn found() -> SearchResult {
    samples::found_nia()
}

fn individu(r: &mut SearchResult) -> &mut insilab_core::insi::Individu {
    r.individu.as_mut().unwrap()
}

#[test]
fn clean_answers_have_no_finding() {
    for r in [found(), SearchResult::not_found(), SearchResult::several()] {
        assert_eq!(check_response(&Response::Result(r.clone())), [], "{r:?}");
    }
    // Every dialect read back stays clean.
    for dialect in [Dialect::Live, Dialect::Y2022, Dialect::CndaFiles] {
        let xml = write_response(&Response::Result(found()), dialect);
        let back = parse_response(xml.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(check_response(&back), [], "{dialect:?}");
    }
}

#[test]
fn cnda_2_08_cas_1_corsica_active_repeated_in_history_is_clean() {
    let mut r = found();
    let i = individu(&mut r);
    i.ins_actif = entry("180032B020401", "23", samples::OID_NIR);
    i.ins_histo = vec![entry("180032B020401", "23", samples::OID_NIR)];
    i.tiq.lieu_naissance = Some("2B020".into());
    assert_eq!(check_response(&Response::Result(r)), []);
}

#[test]
fn cnda_2_04_odd_dates_are_advice() {
    let findings = check_response(&Response::Result(samples::found_two_histories()));
    assert_eq!(ids(&findings), ["INSI-RSP-010"]);
}

#[test]
fn cnda_2_08_cas_2_wrong_keys_are_flagged_on_active_and_history() {
    let mut r = found();
    let i = individu(&mut r);
    i.ins_actif = entry("1810363220456", "60", samples::OID_NIR);
    i.ins_histo = vec![
        entry("1810363220456", "60", samples::OID_NIR),
        entry("2810363220456", "10", samples::OID_NIR),
    ];
    let findings = check_response(&Response::Result(r));
    assert_eq!(ids(&findings), ["INSI-RSP-007"; 3]);
    insta::assert_yaml_snapshot!(findings);
}

type Mutation = (&'static str, &'static str, fn(&mut SearchResult));

const MUTATIONS: &[Mutation] = &[
    ("INSI-RSP-001", "CodeCR 03", |r| r.code_cr = "03".into()),
    ("INSI-RSP-002", "LibelleCR with accents", |r| {
        *r = SearchResult::not_found();
        r.libelle_cr = "Aucune identité trouvée".into();
    }),
    ("INSI-RSP-003", "00 without INDIVIDU", |r| r.individu = None),
    ("INSI-RSP-004", "01 with INDIVIDU", |r| {
        r.code_cr = "01".into();
        r.libelle_cr = "Aucune identite trouvee".into();
    }),
    ("INSI-RSP-005", "no ListePrenom", |r| {
        individu(r).tiq.liste_prenom = None
    }),
    ("INSI-RSP-005", "no LieuNaissance", |r| {
        individu(r).tiq.lieu_naissance = None
    }),
    ("INSI-RSP-005", "no Cle", |r| {
        individu(r).ins_actif.id.cle = None
    }),
    ("INSI-RSP-005", "no OID", |r| {
        individu(r).ins_actif.oid = String::new()
    }),
    ("INSI-RSP-006", "matricule with a letter", |r| {
        individu(r).ins_actif.id.num_identifiant = "10907632208X8".into()
    }),
    ("INSI-RSP-007", "wrong key", |r| {
        individu(r).ins_actif.id.cle = Some("36".into())
    }),
    ("INSI-RSP-008", "INS-C OID", |r| {
        individu(r).ins_actif.oid = "1.2.250.1.213.1.4.2".into()
    }),
    ("INSI-RSP-009", "NIA type with the NIR OID", |r| {
        individu(r).ins_actif.oid = samples::OID_NIR.into()
    }),
    ("INSI-RSP-011", "lower-case returned name", |r| {
        individu(r).tiq.nom_naissance = Some("Provisoire".into())
    }),
    ("INSI-RSP-012", "Prenom not first of the list", |r| {
        individu(r).tiq.prenom = Some("PIERRE".into())
    }),
    ("INSI-RSP-013", "test OID on a NIR", |r| {
        let i = individu(r);
        i.ins_actif.oid = "1.2.250.1.213.1.4.10".into();
        i.ins_actif.id.type_matricule = None;
    }),
];

#[test]
fn each_answer_mutation_triggers_exactly_its_rule() {
    let mut all = Vec::new();
    for (expected, what, mutate) in MUTATIONS {
        let mut r = found();
        mutate(&mut r);
        let findings = check_response(&Response::Result(r));
        let got = ids(&findings);
        assert!(!got.is_empty(), "{what}: no finding");
        assert!(
            got.iter().all(|id| id == expected),
            "{what}: {got:?}, expected only {expected}"
        );
        all.push((format!("{expected} {what}"), findings));
    }
    insta::assert_yaml_snapshot!(all);
}

#[test]
fn fault_rules() {
    let good = Fault {
        value: FaultCodeValue::Sender,
        subcode: "siram_100".into(),
        reason: "L'accès par ce progiciel au service n'est pas autorisé.".into(),
        erreur: Erreur {
            code: "desir_550".into(),
            severite: "erreur".into(),
            message_id: Some("uuid:2d0f3a5e-7c1b-4c55-9a2e-3f1c0b8d6e41".into()),
            text: "Numéro d'autorisation du logiciel inconnu.".into(),
        },
    };
    assert_eq!(check_response(&Response::Fault(good.clone())), []);
    let mid = Some("uuid:2d0f3a5e-7c1b-4c55-9a2e-3f1c0b8d6e41");
    for documented in [
        faults::desir_550(mid),
        faults::desir_560(mid),
        faults::insi_102(mid),
        faults::desir_1020(mid),
        faults::insi_19_missing_birth_name(mid),
    ] {
        assert_eq!(
            check_response(&Response::Fault(documented.clone())),
            [],
            "{documented:?}"
        );
    }
    let mut f = good.clone();
    f.erreur.message_id = None;
    assert_eq!(ids(&check_response(&Response::Fault(f))), ["INSI-FLT-001"]);
    let mut f = good.clone();
    f.erreur.code = String::new();
    assert_eq!(ids(&check_response(&Response::Fault(f))), ["INSI-FLT-002"]);
    let mut f = good;
    f.erreur.severite = "fatal".into();
    assert_eq!(ids(&check_response(&Response::Fault(f))), ["INSI-FLT-003"]);
}
