//! End to end on loopback with the generated test PKI and a rustls + hyper client: the CNDA
//! rows in every dialect, the PKI catalogue, byte-exact faults, overrides, journal tenancy,
//! limits and timeouts, the served contract, the admin API and curl.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test fixtures and assertions"
)]

mod common;

use common::*;
use insilab_core::insi::model::{
    InsEntry, RequestBody, Verification, VerifiedTraits, WireMatricule,
};
use insilab_core::insi::{Operation, Response, writer};
use insilab_core::rules::RuleId;
use insilab_simulator::validation::RuleAction;
use insilab_simulator::{Dialect, JournalQuery, OverrideAnswer, OverrideSpec, RequestPattern};

const NIR: &str = "1.2.250.1.213.1.4.8";
const NIA: &str = "1.2.250.1.213.1.4.9";

/// What a row of `cnda-test-data.md` must answer.
enum Expect {
    Cr(&'static str),
    Fault(&'static str),
    Found {
        ins: (&'static str, &'static str),
        oid: &'static str,
        histo: &'static [(&'static str, &'static str)],
        liste: &'static str,
        lieu: &'static str,
        /// Served from an answer file, with this `TIQ/Prenom` (checked whatever the dialect).
        file: Option<Option<&'static str>>,
    },
}

type Row = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    Option<&'static str>,
    Expect,
);

fn rows() -> Vec<Row> {
    use Expect::*;
    vec![
        (
            "2.03 cas 1",
            "D'ARTAGNAN DE L'HERAULT",
            &["PIERRE-ALAIN"],
            "M",
            "2001-06-17",
            Some("63220"),
            Found {
                ins: ("1010663220754", "60"),
                oid: NIR,
                histo: &[],
                liste: "PIERRE-ALAIN MURIEL FLORIANT",
                lieu: "63220",
                file: None,
            },
        ),
        (
            "2.03 cas 2",
            "ADRTROIS",
            &["TOUSSAINT"],
            "M",
            "1960-01-01",
            Some("2B020"),
            Found {
                ins: ("160012B020777", "13"),
                oid: NIR,
                histo: &[],
                liste: "TOUSSAINT",
                lieu: "2B020",
                file: None,
            },
        ),
        (
            "2.03 cas 3 (refused input)",
            "D’ÆION",
            &["CŒUR"],
            "M",
            "1987-01-01",
            Some("2B020"),
            Fault("insilab_requete_invalide"),
        ),
        (
            "2.04 cas 1",
            "ECETINSI",
            &["PIERRE-ALAIN"],
            "M",
            "2009-07-14",
            None,
            Found {
                ins: ("1090763220834", "89"),
                oid: NIR,
                histo: &[("2090763220834", "39")],
                liste: "PIERRE-ALAIN MURIEL FLORIANT",
                lieu: "63220",
                file: None,
            },
        ),
        (
            "2.05",
            "PROVISOIRE",
            &["MATRICULE"],
            "M",
            "2009-07-01",
            None,
            Found {
                ins: ("1090763220888", "35"),
                oid: NIA,
                histo: &[],
                liste: "MATRICULE",
                lieu: "63220",
                file: Some(Some("MATRICULE")),
            },
        ),
        (
            "2.06 cas 1",
            "DE VINCI",
            &["LEONARDO"],
            "M",
            "2014-02-01",
            None,
            Cr("02"),
        ),
        (
            "2.06 cas 2",
            "DE VINCI",
            &["LEONARDO"],
            "M",
            "2014-02-01",
            Some("63220"),
            Found {
                ins: ("1140263220101", "12"),
                oid: NIR,
                histo: &[],
                liste: "LEONARDO",
                lieu: "63220",
                file: None,
            },
        ),
        (
            "2.07 cas 1 OLA",
            "TCHITCHI",
            &["OLA"],
            "F",
            "1936-06-21",
            None,
            Cr("01"),
        ),
        (
            "2.07 cas 1 CATARINA",
            "TCHITCHI",
            &["CATARINA"],
            "F",
            "1936-06-21",
            None,
            Found {
                ins: ("2360663220836", "56"),
                oid: NIR,
                histo: &[],
                liste: "CATARINA BELLA",
                lieu: "63220",
                file: None,
            },
        ),
        (
            "2.07 cas 2 PIERRE",
            "HOUILLES",
            &["PIERRE"],
            "M",
            "1993-01-27",
            None,
            Cr("01"),
        ),
        (
            "2.07 cas 2 PAUL",
            "HOUILLES",
            &["PAUL"],
            "M",
            "1993-01-27",
            None,
            Cr("01"),
        ),
        (
            "2.07 cas 2 JACQUES",
            "HOUILLES",
            &["JACQUES"],
            "M",
            "1993-01-27",
            None,
            Cr("01"),
        ),
        (
            "2.07 cas 2 all",
            "HOUILLES",
            &["PIERRE PAUL JACQUES"],
            "M",
            "1993-01-27",
            None,
            Cr("01"),
        ),
        (
            "2.08 cas 1",
            "CORSE",
            &["ANTHONY"],
            "M",
            "1980-03-02",
            None,
            Found {
                ins: ("180032B020401", "23"),
                oid: NIR,
                histo: &[("180032B020401", "23")],
                liste: "ANTHONY",
                lieu: "2B020",
                file: Some(Some("ANTHONY")),
            },
        ),
        (
            "2.08 cas 2",
            "HERMANN",
            &["GATIEN"],
            "M",
            "1981-03-24",
            None,
            Found {
                ins: ("1810363220456", "60"),
                oid: NIR,
                histo: &[("1810363220456", "60"), ("2810363220456", "10")],
                liste: "GATIEN",
                lieu: "63220",
                file: Some(Some("GATIEN")),
            },
        ),
        (
            "ADRUN ZOE",
            "ADRUN",
            &["ZOE"],
            "F",
            "1975-12-31",
            None,
            Found {
                ins: ("2751263220749", "74"),
                oid: NIR,
                histo: &[],
                liste: "ZOE",
                lieu: "63220",
                file: None,
            },
        ),
        (
            "ADRTROIS DOMINIQUE",
            "ADRTROIS",
            &["DOMINIQUE"],
            "F",
            "1997-02-26",
            None,
            Found {
                ins: ("297022A020778", "78"),
                oid: NIR,
                histo: &[],
                liste: "DOMINIQUE",
                lieu: "2A020",
                file: None,
            },
        ),
        (
            "NESSI MICHELANGELO",
            "NESSI",
            &["MICHELANGELO"],
            "M",
            "2010-08-07",
            None,
            Found {
                ins: ("1100863220830", "60"),
                oid: NIR,
                histo: &[],
                liste: "MICHELANGELO ANTHONY",
                lieu: "63220",
                file: None,
            },
        ),
        (
            "DE VINCI RUTH",
            "DE VINCI",
            &["RUTH"],
            "F",
            "1976-07-14",
            None,
            Fault("insi_102"),
        ),
        (
            "DE VINCI DICAPRIO",
            "DE VINCI",
            &["DICAPRIO"],
            "M",
            "2014-02-01",
            None,
            Fault("desir_1020"),
        ),
        (
            "D'AEION COEUR",
            "D'AEION",
            &["COEUR"],
            "M",
            "1987-01-25",
            None,
            Fault("insi_102"),
        ),
        (
            "DE VINCI LEONARDODINO",
            "DE VINCI",
            &["LEONARDODINO DICAPRIO BUFFALO"],
            "M",
            "2004-02-01",
            None,
            Cr("01"),
        ),
    ]
}

fn check_row(row: &Row, dialect: Dialect, status: u16, body: &str) {
    let (case, ..) = row;
    let ctx = format!("{case} in dialect {dialect}");
    match (&row.6, parse(body)) {
        (Expect::Cr(code), Response::Result(r)) => {
            assert_eq!(status, 200, "{ctx}");
            assert_eq!(r.code_cr, *code, "{ctx}");
            assert!(r.individu.is_none(), "{ctx}");
        }
        (Expect::Fault(code), Response::Fault(f)) => {
            assert_eq!(status, 500, "{ctx}");
            assert_eq!(f.erreur.code, *code, "{ctx}");
            assert_eq!(
                f.erreur.message_id.as_deref(),
                Some("uuid:11111111-2222-3333-4444-555555555555"),
                "{ctx}: MessageID echoed"
            );
        }
        (
            Expect::Found {
                ins,
                oid,
                histo,
                liste,
                lieu,
                file,
            },
            Response::Result(r),
        ) => {
            assert_eq!(status, 200, "{ctx}");
            assert_eq!(
                (r.code_cr.as_str(), r.libelle_cr.as_str()),
                ("00", "OK"),
                "{ctx}"
            );
            let ind = r.individu.expect("INDIVIDU with 00");
            assert_eq!(ind.ins_actif.id.num_identifiant, ins.0, "{ctx}");
            assert_eq!(ind.ins_actif.id.cle.as_deref(), Some(ins.1), "{ctx}");
            assert_eq!(ind.ins_actif.oid, *oid, "{ctx}");
            let got: Vec<(String, String)> = ind
                .ins_histo
                .iter()
                .map(|h| {
                    (
                        h.id.num_identifiant.clone(),
                        h.id.cle.clone().unwrap_or_default(),
                    )
                })
                .collect();
            let want: Vec<(String, String)> = histo
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
            assert_eq!(got, want, "{ctx}");
            assert_eq!(ind.tiq.nom_naissance.as_deref(), Some(row.1), "{ctx}");
            assert_eq!(ind.tiq.liste_prenom.as_deref(), Some(*liste), "{ctx}");
            assert_eq!(ind.tiq.sexe.as_deref(), Some(row.3), "{ctx}");
            assert_eq!(ind.tiq.date_naissance.as_deref(), Some(row.4), "{ctx}");
            // The 2022 dialect codes Corsica birthplaces the pre-2022 way (2B020 → 20020).
            let lieu = match (dialect, file) {
                (Dialect::Y2022, None) => insilab_simulator::dialect::pre_2022_corsica_cog(lieu)
                    .unwrap_or_else(|| (*lieu).to_owned()),
                _ => (*lieu).to_owned(),
            };
            assert_eq!(ind.tiq.lieu_naissance, Some(lieu), "{ctx}");
            match file {
                Some(p) => assert_eq!(ind.tiq.prenom.as_deref(), *p, "{ctx}"),
                None if dialect == Dialect::Live => assert_eq!(ind.tiq.prenom, None, "{ctx}"),
                None if dialect == Dialect::Y2022 => {
                    assert_eq!(ind.tiq.prenom.as_deref(), liste.split(' ').next(), "{ctx}")
                }
                None => {}
            }
            if *case == "2.04 cas 1" {
                assert_eq!(
                    ind.ins_histo[0].date_deb.as_deref(),
                    Some("2019-03-01"),
                    "{ctx}"
                );
                assert_eq!(
                    ind.ins_histo[0].date_fin.as_deref(),
                    Some("2019-02-28"),
                    "{ctx}"
                );
            }
        }
        (_, other) => panic!("{ctx}: unexpected answer {other:?}\n{body}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_cnda_row_answers_as_written_in_every_dialect() {
    let pki = pki();
    let sim = start(&pki, |_| {}).await;
    let mut conn = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    for dialect in Dialect::ALL {
        sim.set_dialect(dialect);
        for row in rows() {
            let (status, body) = conn.search(traits(row.1, row.2, row.3, row.4, row.5)).await;
            check_row(&row, dialect, status, &body);
        }
        // 2.04 cas 2 and the generic REP_CR01 are answer files selected by an override.
        sim.overrides()
            .add(OverrideSpec {
                pattern: RequestPattern {
                    birth_name: Some("ECETINSI".into()),
                    ..Default::default()
                },
                count: 1,
                answer: OverrideAnswer::AnswerFile {
                    name: "TEST_2.04_cas2".into(),
                },
                delay_ms: 0,
            })
            .unwrap();
        let (status, body) = conn
            .search(traits(
                "ECETINSI",
                &["PIERRE-ALAIN"],
                "M",
                "2009-07-14",
                None,
            ))
            .await;
        let row: Row = (
            "2.04 cas 2",
            "ECETINSI",
            &["PIERRE-ALAIN"],
            "M",
            "2009-07-14",
            None,
            Expect::Found {
                ins: ("1090763220834", "89"),
                oid: NIR,
                histo: &[("2090763220834", "39"), ("2090663220123", "55")],
                liste: "PIERRE-ALAIN MURIEL FLORIANT",
                lieu: "63220",
                file: Some(None),
            },
        );
        check_row(&row, Dialect::CndaFiles, status, &body);
        assert_eq!(
            body,
            insilab_simulator::answers::answer_file("TEST_2.04_cas2")
                .unwrap()
                .body,
            "served verbatim"
        );
        sim.overrides()
            .add(OverrideSpec {
                pattern: RequestPattern {
                    birth_name: Some("DE VINCI".into()),
                    first_name: Some("RUTH".into()),
                    ..Default::default()
                },
                count: 1,
                answer: OverrideAnswer::AnswerFile {
                    name: "REP_CR01".into(),
                },
                delay_ms: 0,
            })
            .unwrap();
        let (_, body) = conn
            .search(traits("DE VINCI", &["RUTH"], "F", "1976-07-14", None))
            .await;
        match parse(&body) {
            Response::Result(r) => assert_eq!(
                (r.code_cr.as_str(), r.libelle_cr.as_str()),
                ("01", "Aucune identite trouvee")
            ),
            other => panic!("{other:?}"),
        }
    }
    // PATB-QUATRE LAURENCE: the training kit's verification sample.
    let verif = RequestBody::Verification(Verification {
        ins_fourni: InsEntry {
            id: WireMatricule {
                num_identifiant: "1810163220751".into(),
                cle: Some("40".into()),
                type_matricule: None,
            },
            oid: NIR.into(),
            date_deb: None,
            date_fin: None,
        },
        traits: VerifiedTraits {
            nom_naissance: Some("PATB-QUATRE".into()),
            prenom: Some("LAURENCE".into()),
            liste_prenom: None,
            sexe: Some("F".into()),
            date_naissance: Some("1907-05-25".into()),
            lieu_naissance: None,
        },
    });
    let req = request(verif, "uuid:verif-1", IDAM);
    let (status, body) = conn
        .post(
            &writer::content_type(Operation::Verification),
            writer::write_request(&req),
        )
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    match parse(&body) {
        Response::Result(r) => assert_eq!(r.code_cr, "00"),
        other => panic!("{other:?}"),
    }
    let entries = sim.journal().entries();
    assert!(
        entries.iter().all(|e| e.tenant.is_some()
            && e.client_certificate.is_some()
            && e.tls_version.is_some())
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_identity_of_the_pki_catalogue_gets_its_documented_outcome() {
    use insilab_certs::{ExpectedOutcome, Role};
    let pki = pki();
    let sim = start(&pki, |_| {}).await;
    let addr = addr_of(&sim.endpoint_url());
    let mut checked = 0;
    for entry in pki
        .index()
        .identities
        .iter()
        .filter(|e| e.role == Role::Client)
    {
        let name = entry.name.as_str();
        // One request on a raw TLS stream (`connection: close`), so that the error the client
        // sees is the TLS stream's own, with the server's alert inside (hyper's client would
        // report only "channel closed").
        let attempt = async {
            use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
            let cfg = pki.client_config(name)?;
            let tcp = tokio::net::TcpStream::connect(addr).await?;
            let server = rustls_pki_types::ServerName::try_from("localhost")?;
            let mut tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(cfg))
                .connect(server, tcp)
                .await?;
            let req = request(
                RequestBody::TraitsSearch(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None)),
                "uuid:pki-1",
                IDAM,
            );
            let body = writer::write_request(&req);
            let head = format!(
                "POST /lps HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-type: {}\r\ncontent-length: {}\r\n\r\n",
                writer::content_type(Operation::TraitsSearch),
                body.len()
            );
            // The server may have sent its alert and closed already: a failed write is
            // followed by a read, which yields the alert if it arrived.
            let mut wire = head.into_bytes();
            wire.extend_from_slice(body.as_bytes());
            let written = async {
                tls.write_all(&wire).await?;
                tls.flush().await
            }
            .await;
            let mut answer = Vec::new();
            let read = tls.read_to_end(&mut answer).await;
            read?;
            written?;
            let answer = String::from_utf8_lossy(&answer).into_owned();
            let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
            let status: u16 = head
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>((status, body.to_owned()))
        };
        let result = attempt.await;
        match (&entry.expected, result) {
            (ExpectedOutcome::Accepted, Ok((status, body))) => {
                assert_eq!(status, 200, "{name}: {body}");
                assert!(
                    matches!(parse(&body), Response::Result(r) if r.code_cr == "00"),
                    "{name}"
                );
            }
            (ExpectedOutcome::Fault(code), Ok((status, body))) => {
                assert_eq!(status, 500, "{name}");
                match parse(&body) {
                    Response::Fault(f) => assert_eq!(f.erreur.code, *code, "{name}"),
                    other => panic!("{name}: {other:?}"),
                }
            }
            (ExpectedOutcome::TlsAlert(alert), Err(e)) => {
                // Under TLS 1.3 the client learns of the rejection on its first read: the
                // error surfaces from the exchange, carrying the server's alert. Only that
                // alert passes: a reset, a timeout or another alert fails the test.
                let r = rustls_error(&*e)
                    .unwrap_or_else(|| panic!("{name}: expected the TLS alert {alert}, got {e}"));
                assert_eq!(
                    insilab_certs::tls_alert_of(r).as_deref(),
                    Some(alert.as_str()),
                    "{name}: {r}"
                );
            }
            (expected, got) => panic!("{name}: expected {expected}, got {got:?}"),
        }
        checked += 1;
    }
    assert!(
        checked >= 8,
        "the catalogue lists the negative client identities ({checked})"
    );
    let failures = sim
        .journal()
        .query(&JournalQuery::default())
        .into_iter()
        .filter(|e| {
            matches!(
                e.outcome,
                insilab_simulator::journal::Outcome::TlsFailure { .. }
            )
        })
        .count();
    assert!(failures >= 1, "tls failures are journaled");
    // A refused client certificate (expired, revoked…) is journalled under the tenant its OU
    // names, with the certificate: the tenant sees its own handshake failures.
    let tenant = pki.index().structure_id.clone();
    let own = sim.journal().query(&JournalQuery {
        tenant: Some(tenant.clone()),
        since: None,
        limit: None,
    });
    let refused: Vec<_> = own
        .iter()
        .filter(|e| {
            matches!(
                e.outcome,
                insilab_simulator::journal::Outcome::TlsFailure { .. }
            )
        })
        .collect();
    assert!(
        !refused.is_empty(),
        "the tenant {tenant} sees its refused handshakes"
    );
    assert!(refused.iter().all(|e| {
        e.client_certificate
            .as_ref()
            .is_some_and(|c| c.ou.as_deref() == Some(tenant.as_str()))
    }));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_idam_and_wrong_cn_give_byte_exact_faults() {
    let pki = pki();
    let sim = start(&pki, |_| {}).await;
    let addr = addr_of(&sim.endpoint_url());
    let body = RequestBody::TraitsSearch(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None));
    let ct = writer::content_type(Operation::TraitsSearch);
    for dialect in Dialect::ALL {
        sim.set_dialect(dialect);
        let mut conn = connect(&pki, Some("insi-auto"), addr).await.unwrap();
        let req = request(
            body.clone(),
            "uuid:0b7c8a3e-0000-4000-8000-00000000d550",
            "FAKE-IDAM",
        );
        let (status, text) = conn.post(&ct, writer::write_request(&req)).await.unwrap();
        assert_eq!(status, 500);
        insta::assert_snapshot!(format!("desir_550_{dialect}"), text);
        let mut conn = connect(&pki, Some("cn-organisation"), addr).await.unwrap();
        let req = request(
            body.clone(),
            "uuid:0b7c8a3e-0000-4000-8000-00000000d560",
            IDAM,
        );
        let (status, text) = conn.post(&ct, writer::write_request(&req)).await.unwrap();
        assert_eq!(status, 500);
        insta::assert_snapshot!(format!("desir_560_{dialect}"), text);
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overrides_fire_for_exactly_n_matching_requests() {
    let pki = pki();
    let sim = start(&pki, |_| {}).await;
    let mut conn = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    let tenant = pki.index().structure_id.clone();
    sim.overrides()
        .add(OverrideSpec {
            pattern: RequestPattern {
                operation: Some("traits_search".into()),
                birth_name: Some("TCHITCHI".into()),
                first_name: Some("CATARINA".into()),
                tenant: Some(tenant),
            },
            count: 2,
            answer: OverrideAnswer::Fault {
                code: "insi_102".into(),
                variant: Default::default(),
            },
            delay_ms: 0,
        })
        .unwrap();
    // Another tenant's override never fires for us.
    sim.overrides()
        .add(OverrideSpec {
            pattern: RequestPattern {
                tenant: Some("SOMEONE-ELSE".into()),
                ..Default::default()
            },
            count: 5,
            answer: OverrideAnswer::Reset,
            delay_ms: 0,
        })
        .unwrap();
    let catarina = || traits("TCHITCHI", &["CATARINA"], "F", "1936-06-21", None);
    let code = |body: &str| match parse(body) {
        Response::Result(r) => r.code_cr,
        Response::Fault(f) => f.erreur.code,
    };
    // A request that does not match (other first name) does not consume a use.
    let (_, b) = conn
        .search(traits("TCHITCHI", &["OLA"], "F", "1936-06-21", None))
        .await;
    assert_eq!(code(&b), "01");
    let (_, b) = conn.search(catarina()).await;
    assert_eq!(code(&b), "insi_102");
    let (_, b) = conn.search(catarina()).await;
    assert_eq!(code(&b), "insi_102");
    let (_, b) = conn.search(catarina()).await;
    assert_eq!(code(&b), "00");
    assert_eq!(
        sim.overrides().list(None).len(),
        1,
        "only the other tenant's override is left"
    );
    // Wire-level injections.
    for (answer, expect_ok) in [
        (OverrideAnswer::HttpStatus { status: 503 }, true),
        (OverrideAnswer::Malformed, true),
        (OverrideAnswer::Reset, false),
        (OverrideAnswer::Truncated, false),
    ] {
        sim.overrides()
            .add(OverrideSpec {
                pattern: RequestPattern {
                    birth_name: Some("ADRUN".into()),
                    ..Default::default()
                },
                count: 1,
                answer: answer.clone(),
                delay_ms: 0,
            })
            .unwrap();
        let mut c = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
            .await
            .unwrap();
        let req = request(
            RequestBody::TraitsSearch(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None)),
            "uuid:inj",
            IDAM,
        );
        let r = c
            .post(
                &writer::content_type(Operation::TraitsSearch),
                writer::write_request(&req),
            )
            .await;
        match (answer, r) {
            (OverrideAnswer::HttpStatus { .. }, Ok((s, _))) => assert_eq!(s, 503),
            (OverrideAnswer::Malformed, Ok((s, b))) => {
                assert_eq!(s, 200);
                assert!(
                    insilab_core::insi::parse_response(b.as_bytes(), &Default::default()).is_err()
                );
            }
            (a, r) => assert!(!expect_ok && r.is_err(), "{a:?}: {r:?}"),
        }
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_api_isolates_tenants_and_serves_metrics() {
    let pki = pki();
    let tenant = pki.index().structure_id.clone();
    // A second tenant: the same seeded CAs (so the simulator trusts it), another structure id
    // in the OU of its organisation certificates.
    let other_dir = tempfile::tempdir().unwrap();
    let other_pki = insilab_certs::init(
        other_dir.path(),
        &insilab_certs::PkiOptions {
            structure_id: OTHER_TENANT.into(),
            ..insilab_certs::testing::shared_options()
        },
        true,
    )
    .unwrap();
    assert_eq!(
        other_pki.ca_pem("root").unwrap(),
        pki.ca_pem("root").unwrap(),
        "the second tenant's PKI shares the root CA"
    );
    let t = tenant.clone();
    let sim = start(&pki, move |c| {
        c.tenant_tokens.insert("token-ours".into(), t);
        c.tenant_tokens
            .insert("token-theirs".into(), OTHER_TENANT.into());
    })
    .await;
    let mut conn = connect(&pki, Some("insi-manu"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    conn.search(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
        .await;
    let mut their_conn = connect(&other_pki, Some("insi-manu"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    let (s, _) = their_conn
        .search(traits("NESSI", &["MICHELANGELO"], "M", "2010-08-07", None))
        .await;
    assert_eq!(s, 200);
    conn.search(traits("NESSI", &["MICHELANGELO"], "M", "2010-08-07", None))
        .await;
    let admin = addr_of(&sim.admin_url());
    let get = |path: &'static str, token: &'static str| {
        admin_call(admin, hyper::Method::GET, path, token, "")
    };
    let (s, body) = get("/journal", "token-ours").await;
    assert_eq!(s, 200);
    let ours: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(ours.len(), 2);
    assert!(ours.iter().all(|e| e["tenant"] == tenant.as_str()));
    assert_eq!(
        ours[0]["request_body"]["traits_search"]["nom_naissance"],
        "ADRUN"
    );
    let (s, body) = get("/journal", "token-theirs").await;
    assert_eq!(s, 200);
    let theirs: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(theirs.len(), 1, "{body}");
    assert_eq!(theirs[0]["tenant"], OTHER_TENANT);
    // DELETE /journal with a tenant token removes that tenant's entries only.
    let (s, body) = admin_call(admin, hyper::Method::DELETE, "/journal", "token-theirs", "").await;
    assert_eq!((s, body.contains("\"removed\": 1")), (200, true), "{body}");
    let (_, body) = get("/journal", "token-theirs").await;
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&body)
            .unwrap()
            .len(),
        0
    );
    let (_, body) = get("/journal", "token-ours").await;
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&body)
            .unwrap()
            .len(),
        2
    );
    let (s, _) = admin_call(
        admin,
        hyper::Method::GET,
        &format!("/journal?tenant={tenant}"),
        "token-theirs",
        "",
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = get("/journal", "wrong").await;
    assert_eq!(s, 401);
    let (s, body) = admin_call(
        admin,
        hyper::Method::GET,
        "/journal?since=1",
        sim.admin_token(),
        "",
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&body)
            .unwrap()
            .len(),
        1
    );
    // Overrides through the admin API are forced to the caller's tenant.
    let (s, body) = admin_call(
        admin,
        hyper::Method::POST,
        "/overrides",
        "token-theirs",
        r#"{"match":{"birth_name":"ADRUN"},"answer":{"kind":"cr","code":"01"}}"#,
    )
    .await;
    assert_eq!(s, 201, "{body}");
    let (_, b) = conn
        .search(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
        .await;
    assert!(
        matches!(parse(&b), Response::Result(r) if r.code_cr == "00"),
        "the other tenant's override does not fire"
    );
    let (s, _) = admin_call(
        admin,
        hyper::Method::POST,
        "/overrides",
        "token-ours",
        r#"{"match":{"birth_name":"ADRUN"},"count":1,"answer":{"kind":"cr","code":"01"}}"#,
    )
    .await;
    assert_eq!(s, 201);
    let (_, b) = conn
        .search(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
        .await;
    assert!(matches!(parse(&b), Response::Result(r) if r.code_cr == "01"));
    let (s, _) = admin_call(
        admin,
        hyper::Method::POST,
        "/overrides",
        sim.admin_token(),
        r#"{"answer":{"kind":"answer_file","name":"NOPE"}}"#,
    )
    .await;
    assert_eq!(s, 400);
    let (s, body) = admin_call(admin, hyper::Method::DELETE, "/journal", "token-ours", "").await;
    assert_eq!((s, body.contains("\"removed\": 4")), (200, true), "{body}");
    let (s, body) = admin_call(admin, hyper::Method::GET, "/metrics", sim.admin_token(), "").await;
    assert_eq!(s, 200);
    assert!(
        body.contains("insilab_requests_total{operation=\"traits_search\",outcome=\"cr_00\"}"),
        "{body}"
    );
    assert!(
        body.contains("insilab_request_duration_seconds_bucket{le=\"+Inf\"} 5"),
        "{body}"
    );
    let (s, body) = admin_call(
        admin,
        hyper::Method::POST,
        "/dataset/reload",
        sim.admin_token(),
        "",
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let (s, _) = admin_call(
        admin,
        hyper::Method::POST,
        "/dataset/reload",
        "token-ours",
        "",
    )
    .await;
    assert_eq!(s, 403);
    let (s, body) = admin_call(admin, hyper::Method::GET, "/health", "", "").await;
    assert_eq!(s, 200, "{body}");
    sim.shutdown().await;
}

/// The structure id of the second tenant (a valid identifier, not the default one).
const OTHER_TENANT: &str = "10B0999999";

async fn admin_call(
    addr: std::net::SocketAddr,
    method: hyper::Method,
    path: &str,
    token: &str,
    body: &str,
) -> (u16, String) {
    use http_body_util::BodyExt;
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
            .await
            .unwrap();
    tokio::spawn(conn);
    let req = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .header("authorization", format!("Bearer {token}"))
        .body(http_body_util::Full::new(bytes::Bytes::from(
            body.to_owned(),
        )))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_limit_is_enforced_at_the_boundary() {
    let pki = pki();
    let sim = start(&pki, |c| c.limits.max_body_bytes = 4096).await;
    let addr = addr_of(&sim.endpoint_url());
    let ct = writer::content_type(Operation::TraitsSearch);
    let mut conn = connect(&pki, Some("insi-auto"), addr).await.unwrap();
    let (status, body) = conn.post(&ct, vec![b' '; 4096]).await.unwrap();
    assert_eq!(
        status, 500,
        "exactly the limit is read (and refused as not SOAP): {body}"
    );
    let mut conn = connect(&pki, Some("insi-auto"), addr).await.unwrap();
    let (status, _) = conn.post(&ct, vec![b' '; 4097]).await.unwrap();
    assert_eq!(status, 413);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_dropped() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let pki = pki();
    let sim = start(&pki, |c| {
        c.timeouts.body_read_ms = 200;
        c.timeouts.header_read_ms = 200;
    })
    .await;
    let addr = addr_of(&sim.endpoint_url());
    for partial in [
        "POST /lps HTTP/1.1\r\nhost: localhost\r\ncontent-length: 100\r\n\r\n<soap:Envelope"
            .to_string(),
        "POST /lps HTTP/1.1\r\nhost: loc".to_string(),
    ] {
        let mut tls = raw_tls(&pki, "insi-auto", addr).await;
        tls.write_all(partial.as_bytes()).await.unwrap();
        tls.flush().await.unwrap();
        // The server gives up on us: the read ends (EOF, an error, or a 408) instead of hanging.
        let mut buf = Vec::new();
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            tls.read_to_end(&mut buf),
        )
        .await;
        assert!(read.is_ok(), "the server dropped the slow client");
        let text = String::from_utf8_lossy(&buf);
        assert!(!text.contains("200 OK"), "{text}");
    }
    assert!(
        sim.metrics_text()
            .contains("insilab_slow_clients_dropped_total")
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wsdl_and_schemas_are_served_self_contained() {
    let pki = pki();
    let sim = start(&pki, |_| {}).await;
    let mut conn = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    let (s, wsdl) = conn
        .send(hyper::Method::GET, "/lps?wsdl", None, bytes::Bytes::new())
        .await
        .unwrap();
    assert_eq!(s, 200);
    assert!(wsdl.contains(&format!("location=\"{}\"", sim.endpoint_url())));
    let dir = tempfile::tempdir().unwrap();
    for part in wsdl.split("schemaLocation=\"").skip(1) {
        let loc = &part[..part.find('"').unwrap()];
        let (s, xsd) = conn
            .send(
                hyper::Method::GET,
                &format!("/{loc}"),
                None,
                bytes::Bytes::new(),
            )
            .await
            .unwrap();
        assert_eq!(s, 200, "{loc}");
        assert!(
            !xsd.contains("schemaLocation=\"http"),
            "{loc} imports nothing remote"
        );
        std::fs::write(dir.path().join(loc.trim_start_matches("lps?xsd=")), xsd).unwrap();
    }
    // Independent check: xmllint validates a served answer against the served RESULTAT schema.
    if insilab_testkit::XMLLINT.require("the served XSD checked with xmllint") {
        let (_, answer) = conn
            .search(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
            .await;
        let start = answer.find("<RESULTAT").unwrap();
        let end = answer.find("</RESULTAT>").unwrap() + "</RESULTAT>".len();
        std::fs::write(dir.path().join("r.xml"), &answer[start..end]).unwrap();
        let out = std::process::Command::new("xmllint")
            .args(["--noout", "--schema"])
            .arg(dir.path().join("INSi_RESULTAT_INS.xsd"))
            .arg(dir.path().join("r.xml"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (s, _) = conn
        .send(
            hyper::Method::GET,
            "/lps?xsd=../../etc/passwd",
            None,
            bytes::Bytes::new(),
        )
        .await
        .unwrap();
    assert_eq!(s, 404);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_mode_serves_a_signed_assertion_and_refuses_others_naming_the_rule() {
    use insilab_certs::card_cases::case_assertion;
    use insilab_core::insi::model::{Assertion, Security};
    let pki = pki();
    let sim = start(&pki, |c| {
        c.card_listen = Some("127.0.0.1:0".parse().unwrap())
    })
    .await;
    let card = sim.card_url().expect("card listener bound");
    let now = time::OffsetDateTime::now_utc();
    let mut answers = Vec::new();
    for (n, case) in [None, Some("valid"), Some("revoked-certificate")]
        .iter()
        .enumerate()
    {
        let mut conn = connect(&pki, None, addr_of(&card)).await.unwrap();
        let mut req = request(
            RequestBody::TraitsSearch(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None)),
            &format!("uuid:card-{n}"),
            IDAM,
        );
        if let Some(case) = case {
            let raw_xml =
                case_assertion(&pki, "899900063480", case, &format!("_a{n}"), now).unwrap();
            req.headers.security = Some(Security {
                assertions: vec![Assertion {
                    raw_xml,
                    ..Assertion::default()
                }],
            });
        }
        answers.push(
            conn.post(
                &writer::content_type(Operation::TraitsSearch),
                writer::write_request(&req),
            )
            .await
            .unwrap(),
        );
    }
    let fault_text = |body: &str| match parse(body) {
        Response::Fault(f) => f.erreur.text,
        other => panic!("{other:?}"),
    };
    assert_eq!(answers[0].0, 500);
    assert!(
        fault_text(&answers[0].1).contains("(INSI-CPX-001)"),
        "{}",
        answers[0].1
    );
    assert_eq!(answers[1].0, 200, "{}", answers[1].1);
    assert!(matches!(parse(&answers[1].1), Response::Result(r) if r.code_cr == "00"));
    assert_eq!(answers[2].0, 500);
    assert!(
        fault_text(&answers[2].1).contains("(INSI-CPX-012)"),
        "{}",
        answers[2].1
    );
    // The journal names the professional, the card certificate and the failed check.
    let entries = sim.journal().entries();
    let cards: Vec<_> = entries.iter().filter_map(|e| e.card.clone()).collect();
    assert_eq!(cards.len(), 3);
    assert_eq!(
        cards[0].refused_by,
        Some(insilab_core::rules::RuleId::Cpx001)
    );
    assert_eq!(cards[1].refused_by, None);
    assert_eq!(cards[1].professional_id.as_deref(), Some("899900063480"));
    assert!(
        cards[1]
            .certificate_issuer
            .as_deref()
            .is_some_and(|i| i.contains("FORT PERSONNES"))
    );
    assert_eq!(
        cards[2].refused_by,
        Some(insilab_core::rules::RuleId::Cpx012)
    );
    assert!(cards[2].certificate_serial.is_some());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_mismatch_and_missing_birth_name_are_sender_faults() {
    let pki = pki();
    let sim = start(&pki, |_| {}).await;
    let mut conn = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    let mut req = request(
        RequestBody::TraitsSearch(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None)),
        "uuid:mismatch",
        IDAM,
    );
    req.headers.action = Some(Operation::CardSearch.action().into());
    let (s, body) = conn
        .post(
            &writer::content_type(Operation::TraitsSearch),
            writer::write_request(&req),
        )
        .await
        .unwrap();
    assert_eq!(s, 500);
    match parse(&body) {
        Response::Fault(f) => {
            assert_eq!(f.value, insilab_core::insi::model::FaultCodeValue::Sender);
            assert!(f.erreur.text.contains("INSI-HDR-003"), "{}", f.erreur.text);
            assert_eq!(f.erreur.message_id.as_deref(), Some("uuid:mismatch"));
        }
        other => panic!("{other:?}"),
    }
    // core::rules findings reach the journal even when the service answers normally (a
    // MessageID without `uuid:` is a CNDA remark, journalled only).
    let lenient = request(
        RequestBody::TraitsSearch(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None)),
        "12345",
        IDAM,
    );
    let (s, _) = conn
        .post(
            "application/soap+xml; charset=utf-8",
            writer::write_request(&lenient),
        )
        .await
        .unwrap();
    assert_eq!(s, 200);
    let last = sim.journal().entries().pop().unwrap();
    assert!(
        last.findings.iter().any(|f| f.rule_id == RuleId::Hdr005),
        "{:?}",
        last.findings
    );
    // A wrong ContexteBAM/@Version is a fault rule: the simulator faults, naming it (issue 18).
    let mut wrong_version = request(
        RequestBody::TraitsSearch(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None)),
        "uuid:version",
        IDAM,
    );
    wrong_version.headers.bam.as_mut().unwrap().version = Some("01_01".into());
    let (s, body) = conn
        .post(
            "application/soap+xml; charset=utf-8",
            writer::write_request(&wrong_version),
        )
        .await
        .unwrap();
    assert_eq!(s, 500);
    assert!(
        matches!(parse(&body), Response::Fault(f) if f.erreur.text.contains("INSI-HDR-007")),
        "{}",
        body
    );
    let mut t = traits("X", &["ZOE"], "F", "1975-12-31", None);
    t.nom_naissance = None;
    let (s, body) = conn.search(t).await;
    assert_eq!(s, 500);
    assert!(matches!(parse(&body), Response::Fault(f) if f.erreur.code == "insi_19"));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_works_as_documented() {
    if !insilab_testkit::CURL.require("the documented curl command") {
        return;
    }
    let pki = pki();
    let sim = start(&pki, |_| {}).await;
    let id = pki.identity("insi-auto").unwrap();
    let root = pki.dir().join(&pki.index().ca("root").unwrap().cert);
    let dir = tempfile::tempdir().unwrap();
    let req = request(
        RequestBody::TraitsSearch(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None)),
        "uuid:curl-1",
        IDAM,
    );
    let file = dir.path().join("request.xml");
    std::fs::write(&file, writer::write_request(&req)).unwrap();
    let url = sim.endpoint_url();
    let mut cmd = std::process::Command::new("curl");
    cmd.args(["-sS", "--cert"])
        .arg(&id.chain_path)
        .arg("--key")
        .arg(&id.key_path)
        .arg("--cacert")
        .arg(&root)
        .args([
            "-H",
            &format!(
                "Content-Type: {}",
                writer::content_type(Operation::TraitsSearch)
            ),
        ])
        .arg("--data-binary")
        .arg(format!("@{}", file.display()))
        .arg(&url);
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        matches!(parse(&body), Response::Result(r) if r.code_cr == "00"),
        "{body}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negative_server_identities_are_refused_by_a_checking_client() {
    use insilab_certs::{ExpectedOutcome, Role};
    let pki = pki();
    let mut checked = 0;
    for entry in pki
        .index()
        .identities
        .iter()
        .filter(|e| e.role == Role::Server)
    {
        let name = entry.name.clone();
        let sim = start(&pki, |c| c.server_identity = name.clone()).await;
        let result = async {
            let mut conn = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url())).await?;
            conn.search_checked(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
                .await
        }
        .await;
        match (&entry.expected, result) {
            (ExpectedOutcome::Accepted, Ok((s, _))) => assert_eq!(s, 200, "{name}"),
            (ExpectedOutcome::TlsAlert(alert), Err(e)) => {
                let r = rustls_error(&*e).unwrap_or_else(|| panic!("{name}: not a tls error: {e}"));
                assert_eq!(
                    insilab_certs::tls_alert_of(r).as_deref(),
                    Some(alert.as_str()),
                    "{name}"
                );
            }
            (expected, got) => panic!("{name}: expected {expected}, got {got:?}"),
        }
        checked += 1;
        sim.shutdown().await;
    }
    assert!(
        checked >= 2,
        "the catalogue has negative server identities ({checked})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jsonl_journal_keeps_every_exchange_after_shutdown() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let p = path.clone();
    let sim = start(&pki, move |c| {
        c.journal_file = Some(p);
        c.journal_capacity = 1;
    })
    .await;
    let mut conn = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    for _ in 0..3 {
        conn.search(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
            .await;
    }
    assert_eq!(sim.journal().len(), 1, "the ring keeps one entry");
    sim.shutdown().await;
    let text = std::fs::read_to_string(&path).unwrap();
    let entries: Vec<insilab_simulator::JournalEntry> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3],
        "the file keeps them all"
    );
    assert!(
        entries
            .iter()
            .all(|e| e.raw_response.contains("<CodeCR>00</CodeCR>"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_keep_alive_connection_is_closed_at_shutdown() {
    let pki = pki();
    let sim = start(&pki, |_| {}).await;
    let mut conn = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    let (status, _) = conn
        .search(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
        .await;
    assert_eq!(status, 200);
    sim.shutdown().await;
    // The idle connection is closed by the server (hyper's graceful shutdown): the client's
    // next exchange fails instead of being served.
    let closed = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        loop {
            match conn
                .search_checked(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
                .await
            {
                Err(_) => break,
                Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the connection still serves after shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_cap_holds_further_clients_until_a_slot_frees() {
    let pki = pki();
    let sim = start(&pki, |c| c.limits.max_connections = 1).await;
    let addr = addr_of(&sim.endpoint_url());
    let mut first = connect(&pki, Some("insi-auto"), addr).await.unwrap();
    first
        .search(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
        .await;
    // The second client's handshake is polled while the first connection gets 20 more answers:
    // the server holds it before accepting (no ServerHello). The window is counted in answers
    // served to the first client, not in wall-clock time, and a missing cap would let the
    // handshake (a few round trips) finish well within it.
    let mut second = Box::pin(async {
        let mut c = connect(&pki, Some("insi-manu"), addr).await.unwrap();
        c.search(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
            .await
    });
    let served_first = async {
        for _ in 0..20 {
            let (s, _) = first
                .search(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
                .await;
            assert_eq!(s, 200);
        }
    };
    tokio::select! {
        biased;
        got = &mut second => panic!("the second client was served beyond the cap of 1: {got:?}"),
        () = served_first => {}
    }
    assert_eq!(sim.journal().len(), 21, "only the first client's exchanges");
    drop(first);
    let (s, _) = second.await;
    assert_eq!(s, 200, "served once the first connection closed");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fault_policy_is_configurable_per_rule() {
    let pki = pki();
    let sim = start(&pki, |c| {
        c.rules.insert(RuleId::Hdr007, RuleAction::Journal);
        c.rules.insert(RuleId::Hdr004, RuleAction::Fault);
    })
    .await;
    let mut conn = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    let mut wrong_version = request(
        RequestBody::TraitsSearch(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None)),
        "uuid:version",
        IDAM,
    );
    wrong_version.headers.bam.as_mut().unwrap().version = Some("01_01".into());
    let (s, _) = conn
        .post(
            "application/soap+xml; charset=utf-8",
            writer::write_request(&wrong_version),
        )
        .await
        .unwrap();
    assert_eq!(s, 200, "INSI-HDR-007 set to journal only");
    let last = sim.journal().entries().pop().unwrap();
    assert!(last.findings.iter().any(|f| f.rule_id == RuleId::Hdr007));

    let mut no_id = request(
        RequestBody::TraitsSearch(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None)),
        "uuid:x",
        IDAM,
    );
    no_id.headers.message_id = None;
    let (s, body) = conn
        .post(
            "application/soap+xml; charset=utf-8",
            writer::write_request(&no_id),
        )
        .await
        .unwrap();
    assert_eq!(s, 500, "INSI-HDR-004 set to fault");
    assert!(
        matches!(parse(&body), Response::Fault(f) if f.erreur.text.contains("INSI-HDR-004")),
        "{}",
        body
    );
    sim.shutdown().await;
}
