//! Request rules: a clean request has no finding; each mutation triggers exactly its rule.
#![expect(clippy::unwrap_used, reason = "test fixtures")]

use insilab_core::insi::samples;
use insilab_core::insi::{
    Assertion, CardSearch, Couverture, InsEntry, Limits, Operation, Request, RequestBody, Security,
    Verification, VerifiedTraits, WireMatricule, content_type, parse_request, write_request,
};
use insilab_core::rules::{CheckContext, Finding, Severity, check_request};
use proptest::prelude::*;

fn clean() -> Request {
    samples::traits_search_request()
}

fn ctx_ok() -> String {
    content_type(Operation::TraitsSearch)
}

fn check(req: &Request, content_type: Option<&str>) -> Vec<Finding> {
    check_request(
        req,
        &CheckContext {
            content_type,
            http_action: None,
        },
    )
}

fn traits(req: &mut Request) -> &mut insilab_core::insi::TraitsSearch {
    match &mut req.body {
        RequestBody::TraitsSearch(t) => t,
        _ => unreachable!("clean() is a traits search"),
    }
}

fn bam(req: &mut Request) -> &mut insilab_core::insi::ContexteBam {
    req.headers.bam.as_mut().unwrap()
}

fn lps(req: &mut Request) -> &mut insilab_core::insi::ContexteLps {
    req.headers.lps.as_mut().unwrap()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

type Mutation = (&'static str, &'static str, fn(&mut Request));

/// (rule expected, what the mutation does, the mutation). Each must give only that rule.
const MUTATIONS: &[Mutation] = &[
    ("INSI-HDR-001", "no wsa:Action", |r| r.headers.action = None),
    ("INSI-HDR-002", "unknown action", |r| {
        r.headers.action = s("urn:other:op")
    }),
    ("INSI-HDR-003", "vitale action on a traits body", |r| {
        r.headers.action = s(Operation::CardSearch.action())
    }),
    ("INSI-HDR-004", "no MessageID", |r| {
        r.headers.message_id = None
    }),
    ("INSI-HDR-005", "MessageID without uuid:", |r| {
        r.headers.message_id = s("2d0f3a5e-7c1b-4c55-9a2e-3f1c0b8d6e41")
    }),
    ("INSI-HDR-005", "MessageID not a uuid", |r| {
        r.headers.message_id = s("uuid:12345")
    }),
    ("INSI-HDR-006", "no ContexteBAM", |r| r.headers.bam = None),
    ("INSI-HDR-007", "BAM version 01_01", |r| {
        bam(r).version = s("01_01")
    }),
    ("INSI-HDR-007", "BAM version missing", |r| {
        bam(r).version = None
    }),
    ("INSI-HDR-008", "BAM nature wrong", |r| {
        bam(r).nature = s("CTXLPS")
    }),
    ("INSI-HDR-009", "BAM Id missing", |r| bam(r).id = None),
    ("INSI-HDR-010", "BAM Temps without milliseconds", |r| {
        bam(r).temps = s("2026-11-27T10:15:30Z")
    }),
    ("INSI-HDR-010", "BAM Temps with an offset", |r| {
        bam(r).temps = s("2026-11-27T10:15:30.123+01:00")
    }),
    ("INSI-HDR-011", "no COUVERTURE", |r| {
        bam(r).couverture = None
    }),
    (
        "INSI-HDR-012",
        "COUVERTURE filled in a traits search",
        |r| {
            bam(r).couverture = Some(Couverture {
                assure_id_num: s("1810363220456"),
                ..Couverture::default()
            })
        },
    ),
    ("INSI-HDR-013", "no ContexteLPS", |r| r.headers.lps = None),
    ("INSI-HDR-014", "LPS version 01_02", |r| {
        lps(r).version = s("01_02")
    }),
    ("INSI-HDR-015", "LPS nature wrong", |r| {
        lps(r).nature = s("LPS")
    }),
    ("INSI-HDR-016", "LPS Id empty", |r| lps(r).id = s("")),
    ("INSI-HDR-017", "LPS Temps local time", |r| {
        lps(r).temps = s("2026-11-27 10:15:30.123")
    }),
    ("INSI-HDR-018", "no IDAM", |r| lps(r).idam = None),
    ("INSI-HDR-019", "IDAM R=3", |r| lps(r).idam_r = s("3")),
    ("INSI-HDR-020", "no LPS Nom", |r| lps(r).nom = None),
    ("INSI-SEC-001", "unsigned assertion", |r| {
        r.headers.security = Some(Security {
            assertions: vec![Assertion {
                name_qualifier: s("CPS"),
                has_signature: false,
                ..Assertion::default()
            }],
        })
    }),
    ("INSI-SEC-002", "assertion qualifier XYZ", |r| {
        r.headers.security = Some(Security {
            assertions: vec![Assertion {
                name_qualifier: s("XYZ"),
                has_signature: true,
                ..Assertion::default()
            }],
        })
    }),
    ("INSI-TRT-001", "no birth name", |r| {
        traits(r).nom_naissance = None
    }),
    ("INSI-TRT-002", "CNDA 2.03 cas 3 birth name", |r| {
        traits(r).nom_naissance = s("D’ÆION")
    }),
    ("INSI-TRT-002", "lower-case birth name", |r| {
        traits(r).nom_naissance = s("Dupont")
    }),
    ("INSI-TRT-003", "no first name", |r| {
        traits(r).prenoms.clear()
    }),
    ("INSI-TRT-004", "CNDA 2.03 cas 3 first name", |r| {
        traits(r).prenoms = vec!["CŒUR".into()]
    }),
    ("INSI-TRT-004", "first name with --", |r| {
        traits(r).prenoms = vec!["JEAN--PIERRE".into()]
    }),
    ("INSI-TRT-004", "first name ending with -", |r| {
        traits(r).prenoms = vec!["PIERRE-".into()]
    }),
    ("INSI-TRT-005", "two Prenom elements", |r| {
        traits(r).prenoms = vec!["PIERRE-ALAIN".into(), "MURIEL".into()]
    }),
    ("INSI-TRT-006", "no sex", |r| traits(r).sexe = None),
    ("INSI-TRT-007", "sex U", |r| traits(r).sexe = s("U")),
    ("INSI-TRT-008", "no birth date", |r| {
        traits(r).date_naissance = None
    }),
    ("INSI-TRT-009", "birth date 17/06/2001", |r| {
        traits(r).date_naissance = s("17/06/2001")
    }),
    ("INSI-TRT-009", "birth date 2001-02-30", |r| {
        traits(r).date_naissance = s("2001-02-30")
    }),
    ("INSI-TRT-010", "birth date with unknown day", |r| {
        traits(r).date_naissance = s("2001-06-00")
    }),
    ("INSI-TRT-011", "COG 4 characters", |r| {
        traits(r).lieu_naissance = s("6322")
    }),
    ("INSI-TRT-011", "COG 2C020", |r| {
        traits(r).lieu_naissance = s("2C020")
    }),
    ("INSI-TRT-012", "legacy Corsica COG", |r| {
        traits(r).lieu_naissance = s("20020")
    }),
];

#[test]
fn clean_request_has_no_finding() {
    let ct = ctx_ok();
    assert_eq!(check(&clean(), Some(&ct)), []);
    assert_eq!(check(&clean(), None), []);
    // Birthplace is optional; Corsica and abroad COGs are fine.
    for lieu in [None, s("2B020"), s("99352"), s("97411")] {
        let mut r = clean();
        traits(&mut r).lieu_naissance = lieu;
        assert_eq!(check(&r, Some(&ct)), []);
    }
}

#[test]
fn clean_request_survives_the_wire_and_stays_clean() {
    let xml = write_request(&clean());
    let parsed = parse_request(xml.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(check(&parsed, Some(&ctx_ok())), []);
}

#[test]
fn each_mutation_triggers_exactly_its_rule() {
    let ct = ctx_ok();
    let mut all = Vec::new();
    for (expected, what, mutate) in MUTATIONS {
        let mut r = clean();
        mutate(&mut r);
        // A wrong action also breaks the Content-Type agreement: check without it.
        let findings = check(&r, None);
        let ids: Vec<_> = findings.iter().map(|f| f.rule_id.as_str()).collect();
        assert!(!ids.is_empty(), "{what}: no finding");
        assert!(
            ids.iter().all(|id| id == expected),
            "{what}: {ids:?}, expected only {expected}"
        );
        if !matches!(*expected, "INSI-HDR-001" | "INSI-HDR-002" | "INSI-HDR-003") {
            assert_eq!(
                check(&r, Some(&ct)),
                findings,
                "{what}: content type changes nothing"
            );
        }
        all.push((format!("{expected} {what}"), findings));
    }
    insta::assert_yaml_snapshot!(all);
}

#[test]
fn lexical_findings_report_every_violation() {
    let mut r = clean();
    traits(&mut r).nom_naissance = s("D’ÆION");
    traits(&mut r).prenoms = vec!["CŒUR".into()];
    let findings = check(&r, None);
    let got: Vec<_> = findings
        .iter()
        .map(|f| (f.rule_id.as_str(), f.path.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        got,
        [
            ("INSI-TRT-002", "Body/RECSANSVITALE/NomNaissance"),
            ("INSI-TRT-002", "Body/RECSANSVITALE/NomNaissance"),
            ("INSI-TRT-004", "Body/RECSANSVITALE/Prenom"),
        ]
    );
    assert!(findings.iter().all(|f| f.severity == Severity::Fault));
}

#[test]
fn content_type_rules() {
    let r = clean();
    let ids = |ct: &str| -> Vec<&'static str> {
        check(&r, Some(ct))
            .iter()
            .map(|f| f.rule_id.as_str())
            .collect()
    };
    assert_eq!(ids("application/soap+xml; charset=utf-8"), ["INSI-HDR-021"]);
    assert_eq!(
        ids(&format!(
            "application/soap+xml; charset=utf-8; action=\"{}\"",
            Operation::CardSearch.action()
        )),
        ["INSI-HDR-022"]
    );
    assert_eq!(
        ids(&format!(
            "text/xml; charset=utf-8; action=\"{}\"",
            Operation::TraitsSearch.action()
        )),
        ["INSI-HDR-023"]
    );
    let explicit = check_request(
        &r,
        &CheckContext {
            content_type: None,
            http_action: Some(Operation::Verification.action()),
        },
    );
    assert_eq!(
        explicit
            .iter()
            .map(|f| f.rule_id.as_str())
            .collect::<Vec<_>>(),
        ["INSI-HDR-022"]
    );
}

fn good_wire(num: &str, cle: &str) -> WireMatricule {
    WireMatricule {
        num_identifiant: num.into(),
        cle: s(cle),
        type_matricule: None,
    }
}

#[test]
fn card_search_rules() {
    let mut r = Request {
        headers: samples::headers(Operation::CardSearch),
        body: RequestBody::CardSearch(CardSearch {
            matricule_individu: Some(good_wire("1810363220456", "76")),
            ..CardSearch::default()
        }),
        body_id: None,
    };
    bam(&mut r).couverture = Some(Couverture {
        assure_id_num: s("1810363220456"),
        ..Couverture::default()
    });
    assert_eq!(check(&r, None), []);
    let RequestBody::CardSearch(c) = &mut r.body else {
        unreachable!()
    };
    c.matricule_individu = Some(good_wire("1810363220456", "60"));
    let ids: Vec<_> = check(&r, None).iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(ids, ["INSI-VIT-002"]);
    let RequestBody::CardSearch(c) = &mut r.body else {
        unreachable!()
    };
    c.matricule_individu = None;
    bam(&mut r).couverture = Some(Couverture::default());
    let ids: Vec<_> = check(&r, None).iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(ids, ["INSI-VIT-003", "INSI-VIT-001"]);
}

#[test]
fn verification_rules() {
    let verif = |oid: &str, cle: &str, prenom: &str| Request {
        headers: samples::headers(Operation::Verification),
        body: RequestBody::Verification(Verification {
            ins_fourni: InsEntry {
                id: good_wire("1810163220751", cle),
                oid: oid.into(),
                date_deb: None,
                date_fin: None,
            },
            traits: VerifiedTraits {
                nom_naissance: s("PATB-QUATRE"),
                prenom: s(prenom),
                liste_prenom: s("LAURENCE MARIE"),
                sexe: s("F"),
                date_naissance: s("1907-05-25"),
                lieu_naissance: s("63220"),
            },
        }),
        body_id: None,
    };
    assert_eq!(check(&verif(samples::OID_NIR, "40", "LAURENCE"), None), []);
    let ids = |r: &Request| {
        check(r, None)
            .iter()
            .map(|f| f.rule_id.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&verif(samples::OID_NIR, "41", "LAURENCE")),
        ["INSI-VER-001"]
    );
    assert_eq!(
        ids(&verif("1.2.250.1.213.1.4.2", "40", "LAURENCE")),
        ["INSI-VER-002"]
    );
    assert_eq!(
        ids(&verif(samples::OID_NIR, "40", "MARIE")),
        ["INSI-VER-003"]
    );
    // Separators are equivalent (EXI ID 10).
    assert_eq!(
        ids(&verif(samples::OID_NIR, "40", "LAURENCE-MARIE")),
        Vec::<&str>::new()
    );
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("\\PC{0,12}")
}

proptest! {
    /// Any wire values: the checks never panic and only emit catalogue ids.
    #[test]
    fn arbitrary_values_never_panic(
        action in opt_text(), mid in opt_text(), temps in opt_text(), idam in opt_text(),
        nom in opt_text(), prenom in "\\PC{0,12}", sexe in opt_text(), date in opt_text(),
        lieu in opt_text(), ct in opt_text(),
    ) {
        let mut r = clean();
        r.headers.action = action;
        r.headers.message_id = mid;
        bam(&mut r).temps = temps;
        lps(&mut r).idam = idam;
        let t = traits(&mut r);
        t.nom_naissance = nom;
        t.prenoms = vec![prenom];
        t.sexe = sexe;
        t.date_naissance = date;
        t.lieu_naissance = lieu;
        for f in check(&r, ct.as_deref()) {
            prop_assert!(insilab_core::rules::find(f.rule_id.as_str()).is_some());
        }
    }
}
