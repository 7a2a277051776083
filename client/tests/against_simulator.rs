//! The reference client against the simulator in-process: the CNDA cases give the expected
//! attempt sequences, the requests pass the core rules and the published XSDs, and every
//! injected failure gives a clear typed outcome.

#![expect(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use std::time::Duration;

use insilab_client::{
    AttemptResult, ClientConfig, InsiClient, SearchOutcome, TlsIdentity, Verdict, kind,
};
use insilab_simulator::{OverrideAnswer, OverrideSpec, RequestPattern};

use common::traits;

/// `(Prenom values joined by " | ", birthplace sent, "CR code" | "fault code" | "transport")`.
fn sequence(outcome: &SearchOutcome) -> Vec<(String, Option<String>, String)> {
    outcome
        .attempts
        .iter()
        .map(|a| {
            let result = match &a.result {
                AttemptResult::Cr { code, .. } => code.clone(),
                AttemptResult::Fault { code } => format!("fault {code}"),
                AttemptResult::Transport { .. } => "transport".to_owned(),
            };
            (
                a.first_names_sent.join(" | "),
                a.birthplace_sent.clone(),
                result,
            )
        })
        .collect()
}

/// Every request actually sent passes every core rule (with the Content-Type it was sent with).
fn assert_requests_clean(outcome: &SearchOutcome) {
    for insilab_client::NumberedAttempt { index, attempt: a } in outcome.numbered_attempts() {
        let request =
            insilab_core::insi::parse_request(a.request_xml.as_bytes(), &Default::default())
                .expect("the core reader reads our request");
        let content_type = insilab_core::insi::writer::content_type(request.operation());
        let findings = insilab_core::rules::check_request(
            &request,
            &insilab_core::rules::CheckContext {
                content_type: Some(&content_type),
                http_action: None,
            },
        );
        assert!(findings.is_empty(), "attempt {index}: {findings:#?}");
    }
}

fn step(names: &str, place: Option<&str>, result: &str) -> (String, Option<String>, String) {
    (
        names.to_owned(),
        place.map(str::to_owned),
        result.to_owned(),
    )
}

fn found(outcome: &SearchOutcome) -> &insilab_client::FoundIdentity {
    match &outcome.verdict {
        Verdict::Found(f) => f,
        other => panic!("expected a found identity, got {other:?}"),
    }
}

fn override_answer(birth_name: &str, answer: OverrideAnswer, delay_ms: u64) -> OverrideSpec {
    OverrideSpec {
        pattern: RequestPattern {
            birth_name: Some(birth_name.to_owned()),
            ..RequestPattern::default()
        },
        count: 1,
        answer,
        delay_ms,
    }
}

#[tokio::test]
async fn tchitchi_stops_at_the_first_00_and_never_sends_bella() {
    let (sim, pki) = common::simulator().await;
    let client = common::client(&sim, &pki);
    let outcome = client
        .search_traits(&traits(
            "TCHITCHI",
            "OLA CATARINA BELLA",
            "F",
            "1936-06-21",
            None,
        ))
        .await;
    assert_eq!(
        sequence(&outcome),
        vec![step("OLA", None, "01"), step("CATARINA", None, "00")]
    );
    let f = found(&outcome);
    assert_eq!(f.ins, "236066322083656");
    assert_eq!(f.oid, "1.2.250.1.213.1.4.8");
    assert_eq!(f.traits.first_names, "CATARINA BELLA");
    // Every attempt carries its own MessageID and its raw XML.
    assert_ne!(
        outcome.attempts[0].message_id,
        outcome.attempts[1].message_id
    );
    for a in &outcome.attempts {
        assert!(a.request_xml.contains(&a.message_id));
        assert!(
            a.response_xml
                .as_deref()
                .is_some_and(|r| r.contains("RESULTAT"))
        );
        assert_eq!(a.http_status, Some(200));
    }
    assert_eq!(sim.journal().len(), 2);
    assert_requests_clean(&outcome);
}

#[tokio::test]
async fn houilles_tries_each_name_then_the_whole_list() {
    let (sim, pki) = common::simulator().await;
    let client = common::client(&sim, &pki);
    let outcome = client
        .search_traits(&traits(
            "HOUILLES",
            "PIERRE PAUL JACQUES",
            "M",
            "1993-01-27",
            None,
        ))
        .await;
    assert_eq!(
        sequence(&outcome),
        vec![
            step("PIERRE", None, "01"),
            step("PAUL", None, "01"),
            step("JACQUES", None, "01"),
            // One Prenom holding the whole list, not three Prenom elements.
            step("PIERRE PAUL JACQUES", None, "01"),
        ]
    );
    assert_eq!(outcome.attempts[3].first_names_sent.len(), 1);
    assert!(
        outcome.attempts[3]
            .request_xml
            .contains(">PIERRE PAUL JACQUES</")
    );
    assert_eq!(outcome.verdict, Verdict::NotFound);
    assert_requests_clean(&outcome);
}

#[tokio::test]
async fn de_vinci_resolves_02_with_the_birthplace() {
    let (sim, pki) = common::simulator().await;
    let client = common::client(&sim, &pki);
    let outcome = client
        .search_traits(&traits(
            "DE VINCI",
            "LEONARDO",
            "M",
            "2014-02-01",
            Some("63220"),
        ))
        .await;
    assert_eq!(
        sequence(&outcome),
        vec![
            step("LEONARDO", None, "02"),
            step("LEONARDO", Some("63220"), "00"),
        ]
    );
    assert!(!outcome.attempts[0].request_xml.contains("LieuNaissance"));
    assert!(outcome.attempts[1].request_xml.contains(">63220</"));
    assert_eq!(found(&outcome).traits.birthplace, "63220");
    assert_requests_clean(&outcome);
}

#[tokio::test]
async fn de_vinci_without_birthplace_is_ambiguous() {
    let (sim, pki) = common::simulator().await;
    let client = common::client(&sim, &pki);
    let outcome = client
        .search_traits(&traits("DE VINCI", "LEONARDO", "M", "2014-02-01", None))
        .await;
    assert_eq!(sequence(&outcome), vec![step("LEONARDO", None, "02")]);
    assert_eq!(outcome.verdict, Verdict::Ambiguous);
}

#[tokio::test]
async fn daeion_is_refused_without_any_call() {
    let (sim, pki) = common::simulator().await;
    let client = common::client(&sim, &pki);
    let outcome = client
        .search_traits(&traits("D’ÆION", "CŒUR", "M", "1987-01-01", Some("2B020")))
        .await;
    assert!(outcome.attempts.is_empty());
    let Verdict::RefusedInput { violations } = &outcome.verdict else {
        panic!("expected refused input, got {:?}", outcome.verdict);
    };
    let found: Vec<_> = violations
        .iter()
        .filter_map(|v| v.found.as_deref())
        .collect();
    assert!(
        found.contains(&"’") && found.contains(&"Æ") && found.contains(&"Œ"),
        "{violations:?}"
    );
    assert_eq!(
        sim.journal().len(),
        0,
        "the simulator must not have been called"
    );
}

#[tokio::test]
async fn hermann_answer_file_is_refused_for_its_invalid_key() {
    let (sim, pki) = common::simulator().await;
    sim.overrides()
        .add(override_answer(
            "HERMANN",
            OverrideAnswer::AnswerFile {
                name: "TEST_2.08_cas2".into(),
            },
            0,
        ))
        .unwrap();
    let client = common::client(&sim, &pki);
    let outcome = client
        .search_traits(&traits("HERMANN", "GATIEN", "M", "1981-03-24", None))
        .await;
    assert_eq!(sequence(&outcome), vec![step("GATIEN", None, "00")]);
    let Verdict::RefusedAnswer { rule, reason } = &outcome.verdict else {
        panic!("expected a refused answer, got {:?}", outcome.verdict);
    };
    assert_eq!(*rule, insilab_core::rules::RuleId::Rsp007);
    assert!(reason.contains("76"), "{reason}");
}

#[tokio::test]
async fn the_other_cnda_cases_give_complete_identities_as_returned() {
    let (sim, pki) = common::simulator().await;
    let client = common::client(&sim, &pki);

    // 2.03 cas 1: apostrophes and spaces; a hyphenated first name is one name.
    let o = client
        .search_traits(&traits(
            "D'ARTAGNAN DE L'HERAULT",
            "PIERRE-ALAIN",
            "M",
            "2001-06-17",
            Some("63220"),
        ))
        .await;
    assert_eq!(sequence(&o), vec![step("PIERRE-ALAIN", None, "00")]);
    assert_eq!(found(&o).ins, "101066322075460");

    // 2.03 cas 2: Corsica.
    let o = client
        .search_traits(&traits(
            "ADRTROIS",
            "TOUSSAINT",
            "M",
            "1960-01-01",
            Some("2B020"),
        ))
        .await;
    assert_eq!(found(&o).ins, "160012B02077713");
    assert_eq!(found(&o).traits.birthplace, "2B020");

    // 2.04 cas 1: one historical INS.
    let o = client
        .search_traits(&traits("ECETINSI", "PIERRE-ALAIN", "M", "2009-07-14", None))
        .await;
    let f = found(&o);
    assert_eq!(f.ins, "109076322083489");
    assert_eq!(f.history.len(), 1);
    assert_eq!(f.history[0].ins, "209076322083439");

    // 2.04 cas 2 (answer file): two historical INS, dates written before IdIndividu.
    sim.overrides()
        .add(override_answer(
            "ECETINSI",
            OverrideAnswer::AnswerFile {
                name: "TEST_2.04_cas2".into(),
            },
            0,
        ))
        .unwrap();
    let o = client
        .search_traits(&traits("ECETINSI", "PIERRE-ALAIN", "M", "2009-07-14", None))
        .await;
    let history: Vec<_> = found(&o).history.iter().map(|h| h.ins.as_str()).collect();
    assert_eq!(history, ["209076322083439", "209066322012355"]);

    // 2.05 (answer file): NIA.
    let o = client
        .search_traits(&traits("PROVISOIRE", "MATRICULE", "M", "2009-07-01", None))
        .await;
    assert_eq!(found(&o).oid, "1.2.250.1.213.1.4.9");
    assert_eq!(found(&o).traits.first_name.as_deref(), Some("MATRICULE"));

    // 2.08 cas 1 (answer file): Corsica key, active INS repeated in the history.
    let o = client
        .search_traits(&traits("CORSE", "ANTHONY", "M", "1980-03-02", None))
        .await;
    let f = found(&o);
    assert_eq!(f.ins, "180032B02040123");
    assert_eq!(f.history.len(), 1);
    assert_eq!(f.history[0].ins, f.ins);
}

#[tokio::test]
async fn faults_and_transport_failures_are_typed_and_not_retried() {
    let (sim, pki) = common::simulator().await;
    let zoe = || traits("ADRUN", "ZOE", "F", "1975-12-31", None);
    let cases: Vec<(OverrideAnswer, &str)> = vec![
        (
            OverrideAnswer::Fault {
                code: "insi_102".into(),
                variant: Default::default(),
            },
            "fault insi_102",
        ),
        (
            OverrideAnswer::Fault {
                code: "desir_1020".into(),
                variant: Default::default(),
            },
            "fault desir_1020",
        ),
        (
            OverrideAnswer::HttpStatus { status: 503 },
            kind::HTTP_STATUS,
        ),
        (OverrideAnswer::Reset, kind::CONNECTION_CLOSED),
        // The simulator's truncated answer is cut before any byte reaches the wire (its HTTP
        // server drops the buffered head when the body fails), so the client sees a connection
        // closed without an answer; `an_answer_cut_mid_body_is_truncated` covers a real cut.
        (OverrideAnswer::Truncated, kind::CONNECTION_CLOSED),
        (OverrideAnswer::Malformed, kind::MALFORMED),
    ];
    let client = common::client(&sim, &pki);
    for (answer, expected) in cases {
        sim.overrides()
            .add(override_answer("ADRUN", answer.clone(), 0))
            .unwrap();
        let outcome = client.search_traits(&zoe()).await;
        assert_eq!(
            outcome.attempts.len(),
            1,
            "{answer:?}: never retried on its own"
        );
        let got = match &outcome.verdict {
            Verdict::Fault {
                code,
                subcode,
                reason,
            } => {
                assert_eq!(subcode, "siram_40", "{answer:?}");
                assert!(!reason.is_empty());
                format!("fault {code}")
            }
            Verdict::TechnicalError { kind, message } => {
                assert!(!message.is_empty());
                kind.clone()
            }
            other => panic!("{answer:?}: unexpected verdict {other:?}"),
        };
        assert_eq!(got, expected, "{answer:?}: {:?}", outcome.verdict);
    }
    // After the injected failures, the same client still works.
    assert!(client.search_traits(&zoe()).await.found().is_some());
}

#[tokio::test]
async fn a_delay_longer_than_the_total_timeout_is_a_timeout() {
    let (sim, pki) = common::simulator().await;
    sim.overrides()
        .add(override_answer("ADRUN", OverrideAnswer::Normal, 5_000))
        .unwrap();
    let config = ClientConfig {
        total_timeout: Duration::from_millis(300),
        ..common::config(&sim)
    };
    let client = common::client_with(config, &pki);
    let outcome = client
        .search_traits(&traits("ADRUN", "ZOE", "F", "1975-12-31", None))
        .await;
    assert_eq!(outcome.attempts.len(), 1);
    assert!(
        matches!(&outcome.verdict, Verdict::TechnicalError { kind: k, .. } if k == kind::TIMEOUT),
        "{:?}",
        outcome.verdict
    );
}

#[tokio::test]
async fn nobody_listening_is_a_connect_error() {
    let pki = insilab_certs::testing::shared_pki().unwrap();
    // Bind then drop: the port is free and nobody listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = ClientConfig {
        url: format!("https://127.0.0.1:{port}/lps"),
        ..ClientConfig::default()
    };
    let client = common::client_with(config, &pki);
    let outcome = client
        .search_traits(&traits("ADRUN", "ZOE", "F", "1975-12-31", None))
        .await;
    assert!(
        matches!(&outcome.verdict, Verdict::TechnicalError { kind: k, .. } if k == kind::CONNECT),
        "{:?}",
        outcome.verdict
    );
}

#[tokio::test]
async fn pem_and_pkcs12_identities_authenticate() {
    let (sim, pki) = common::simulator().await;
    let root = pki
        .index()
        .cas
        .iter()
        .find(|c| c.name == "root")
        .map(|c| pki.dir().join(&c.cert))
        .unwrap();
    let manu = pki.identity("insi-manu").unwrap();
    let pem = TlsIdentity::Pem {
        cert_chain: manu.chain_path.clone(),
        key: manu.key_path.clone(),
        ca: root.clone(),
    };
    let p12 = TlsIdentity::Pkcs12 {
        path: manu.p12_path.clone().unwrap(),
        password: pki.index().p12_password.clone(),
        ca: root,
    };
    for tls in [pem, p12] {
        let client = InsiClient::new(ClientConfig {
            tls: tls.clone(),
            ..common::config(&sim)
        })
        .unwrap();
        let outcome = client
            .search_traits(&traits("ADRUN", "ZOE", "F", "1975-12-31", None))
            .await;
        assert_eq!(found(&outcome).ins, "275126322074974", "{tls:?}");
    }
}

#[tokio::test]
async fn card_search_and_verification_make_one_call_each() {
    let (sim, pki) = common::simulator().await;
    let client = common::client(&sim, &pki);
    let card = client
        .search_card(&insilab_client::CardQuery {
            insured_nir: "2751263220749".into(),
            beneficiary_nir: None,
            birth_name: "ADRUN".into(),
            birth_date: "1975-12-31".into(),
            birth_rank: "1".into(),
        })
        .await;
    assert_eq!(card.attempts.len(), 1);
    assert!(card.attempts[0].request_xml.contains("RECVITALE"));
    assert!(
        !matches!(
            card.verdict,
            Verdict::TechnicalError { .. } | Verdict::RefusedInput { .. }
        ),
        "{:?}",
        card.verdict
    );

    let verify = client
        .verify(&insilab_client::VerifyQuery {
            ins: "275126322074974".into(),
            oid: "1.2.250.1.213.1.4.8".into(),
            birth_name: "ADRUN".into(),
            first_names: vec!["ZOE".into()],
            sex: "F".into(),
            birth_date: "1975-12-31".into(),
            birthplace: Some("63220".into()),
        })
        .await;
    assert_requests_clean(&card);
    assert_eq!(verify.attempts.len(), 1);
    assert_requests_clean(&verify);
    assert!(
        matches!(verify.verdict, Verdict::Verified { .. } | Verdict::Found(_)),
        "{:?}",
        verify.verdict
    );
}

/// A one-shot TLS server: reads one request, writes `answer` verbatim, and closes.
async fn one_shot_server(
    pki: &insilab_certs::Pki,
    answer: Vec<u8>,
) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let server = pki
        .server_config("server", insilab_certs::ClientAuth::Required)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut tls = acceptor.accept(tcp).await.unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while !seen.windows(9).any(|w| w == b"Envelope>") {
            let n = tls.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
        }
        // The client may hang up early (e.g. on an over-long answer): ignore write errors.
        let _ = tls.write_all(&answer).await;
        let _ = tls.shutdown().await;
    });
    (addr, task)
}

async fn zoe_against(addr: std::net::SocketAddr, pki: &insilab_certs::Pki) -> SearchOutcome {
    let config = ClientConfig {
        url: format!("https://{addr}/lps"),
        ..ClientConfig::default()
    };
    common::client_with(config, pki)
        .search_traits(&traits("ADRUN", "ZOE", "F", "1975-12-31", None))
        .await
}

fn http_200(content_length: usize, body: &[u8]) -> Vec<u8> {
    let mut answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nContent-Length: {content_length}\r\n\r\n"
    )
    .into_bytes();
    answer.extend_from_slice(body);
    answer
}

#[tokio::test]
async fn an_answer_cut_mid_body_is_truncated() {
    let pki = insilab_certs::testing::shared_pki().unwrap();
    let (addr, task) = one_shot_server(&pki, http_200(1000, b"<soap:Env")).await;
    let outcome = zoe_against(addr, &pki).await;
    task.await.unwrap();
    assert!(
        matches!(&outcome.verdict, Verdict::TechnicalError { kind: k, .. } if k == kind::TRUNCATED),
        "{:?}",
        outcome.verdict
    );
    assert_eq!(outcome.attempts[0].http_status, Some(200));
}

#[tokio::test]
async fn answers_are_read_up_to_the_size_limit_and_no_further() {
    let pki = insilab_certs::testing::shared_pki().unwrap();
    // Exactly at the limit: read in full (then refused as unreadable: it is not XML).
    let at_limit = vec![b'x'; insilab_client::MAX_RESPONSE_BYTES];
    let (addr, task) = one_shot_server(&pki, http_200(at_limit.len(), &at_limit)).await;
    let outcome = zoe_against(addr, &pki).await;
    task.await.unwrap();
    assert!(
        matches!(&outcome.verdict, Verdict::TechnicalError { kind: k, .. } if k == kind::MALFORMED),
        "{:?}",
        outcome.verdict
    );
    // One byte over: refused without buffering it.
    let over = vec![b'x'; insilab_client::MAX_RESPONSE_BYTES + 1];
    let (addr, task) = one_shot_server(&pki, http_200(over.len(), &over)).await;
    let outcome = zoe_against(addr, &pki).await;
    task.await.unwrap();
    assert!(
        matches!(&outcome.verdict, Verdict::TechnicalError { kind: k, .. } if k == kind::TOO_LARGE),
        "{:?}",
        outcome.verdict
    );
}

#[tokio::test]
async fn every_answer_dialect_and_both_fault_dialects_are_read() {
    let (sim, pki) = common::simulator().await;
    let client = common::client(&sim, &pki);
    for dialect in insilab_simulator::Dialect::ALL {
        sim.set_dialect(dialect);
        let o = client
            .search_traits(&traits("ECETINSI", "PIERRE-ALAIN", "M", "2009-07-14", None))
            .await;
        let f = found(&o);
        assert_eq!(f.ins, "109076322083489", "{dialect}");
        assert_eq!(f.history.len(), 1, "{dialect}");
        assert_eq!(
            f.traits.first_names, "PIERRE-ALAIN MURIEL FLORIANT",
            "{dialect}"
        );
        // The 2022 dialect carries TIQ/Prenom and TypeMatricule; live does not.
        if dialect == insilab_simulator::Dialect::Live {
            assert_eq!(f.traits.first_name, None);
        }
        // Faults: the current dialect with live/2022, the legacy one (S:, xml:lang="en") with
        // the CNDA files.
        sim.overrides()
            .add(override_answer(
                "ECETINSI",
                OverrideAnswer::Fault {
                    code: "desir_1020".into(),
                    variant: Default::default(),
                },
                0,
            ))
            .unwrap();
        let o = client
            .search_traits(&traits("ECETINSI", "PIERRE-ALAIN", "M", "2009-07-14", None))
            .await;
        assert!(
            matches!(&o.verdict, Verdict::Fault { code, .. } if code == "desir_1020"),
            "{dialect}: {:?}",
            o.verdict
        );
    }
}

#[tokio::test]
async fn a_certificate_with_the_wrong_cn_gets_desir_560() {
    let (sim, pki) = common::simulator().await;
    let tls = pki.client_config("cn-lowercase").unwrap();
    let client = InsiClient::from_rustls(common::config(&sim), tls).unwrap();
    let outcome = client
        .search_traits(&traits("ADRUN", "ZOE", "F", "1975-12-31", None))
        .await;
    assert_eq!(outcome.attempts.len(), 1);
    assert!(
        matches!(&outcome.verdict, Verdict::Fault { code, .. } if code.eq_ignore_ascii_case("desir_560")),
        "{:?}",
        outcome.verdict
    );
}

#[tokio::test]
async fn an_expired_client_certificate_is_a_tls_error() {
    let (sim, pki) = common::simulator().await;
    let tls = pki.client_config("expired").unwrap();
    let client = InsiClient::from_rustls(common::config(&sim), tls).unwrap();
    let outcome = client
        .search_traits(&traits("ADRUN", "ZOE", "F", "1975-12-31", None))
        .await;
    assert!(
        matches!(&outcome.verdict, Verdict::TechnicalError { kind: k, .. } if k == kind::TLS),
        "{:?}",
        outcome.verdict
    );
}
