//! What a client meets on the wire is what the real service sends (issue 18): the XML
//! declaration, the captured fault shapes and their variants, the CNDA files as handed out,
//! the 2022 dialect, the verification's OID check, the unknown-year fault, and the 413 of an
//! oversized request that reaches the client even while it is still sending.
#![expect(clippy::unwrap_used, reason = "test fixtures and assertions")]
#![expect(
    dead_code,
    reason = "tests/common is shared with e2e.rs, which uses every helper"
)]

mod common;

use common::*;
use insilab_core::insi::faults::FaultVariant;
use insilab_core::insi::model::{
    InsEntry, RequestBody, Verification, VerifiedTraits, WireMatricule,
};
use insilab_core::insi::writer::{self, Dialect};
use insilab_core::insi::{Operation, Response, XML_DECLARATION};
use insilab_simulator::{OverrideAnswer, OverrideSpec, RequestPattern};

const LIVE_START: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\"><env:Body xmlns:S=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"><RESULTAT xmlns=\"http://www.cnamts.fr/INSiResultat\" xmlns:ns0=\"http://www.cnamts.fr/INSiRecVit\" xmlns:ns1=\"http://www.cnamts.fr/INSiRecSans\"><CR>";

fn fault_override(name: &str, code: &str, variant: FaultVariant) -> OverrideSpec {
    OverrideSpec {
        pattern: RequestPattern {
            birth_name: Some(name.into()),
            ..Default::default()
        },
        count: 1,
        answer: OverrideAnswer::Fault {
            code: code.into(),
            variant,
        },
        delay_ms: 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_and_faults_are_the_captured_bytes() {
    let pki = pki();
    let sim = start(&pki, |_| {}).await;
    let mut conn = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    // A live result: declaration, LF, then the captured envelope start, attribute for attribute.
    let (s, body) = conn
        .search(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
        .await;
    assert_eq!(s, 200);
    assert!(body.starts_with(LIVE_START), "{body}");
    // A documented fault by its dataset behaviour: the current captured shape.
    let (s, body) = conn
        .search(traits("DE VINCI", &["RUTH"], "F", "1976-07-14", None))
        .await;
    assert_eq!(s, 500);
    assert!(body.starts_with(XML_DECLARATION), "{body}");
    assert!(
        body.contains("<soap:Value>soap:siram_40</soap:Value>")
            && body.contains("<siram:Erreur code=\"insi_102\" messageID=\"uuid:11111111-2222-3333-4444-555555555555\" severite=\"fatale\" xmlns:siram=\"urn:siram\">"),
        "{body}"
    );
    // The older insi_102 variant, by override; then insi_101 by code.
    sim.overrides()
        .add(fault_override("ADRUN", "insi_102", FaultVariant::Older))
        .unwrap();
    let (s, body) = conn
        .search(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
        .await;
    assert_eq!(s, 500);
    assert!(
        body.contains(
            "<siram:Erreur severite=\"fatal\" code=\"insi_102\" xmlns:siram=\"urn:siram\">"
        ),
        "{body}"
    );
    sim.overrides()
        .add(fault_override("ADRUN", "insi_101", FaultVariant::Current))
        .unwrap();
    let (_, body) = conn
        .search(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
        .await;
    match parse(&body) {
        Response::Fault(f) => assert_eq!(f.erreur.code, "insi_101"),
        other => panic!("expected the insi_101 fault, got {other:?}"),
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cnda_files_are_served_as_handed_out() {
    let pki = pki();
    let sim = start(&pki, |_| {}).await;
    let mut conn = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    let (s, body) = conn
        .search(traits(
            "PROVISOIRE",
            &["MATRICULE"],
            "M",
            "2009-07-01",
            None,
        ))
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        body,
        insilab_simulator::answers::answer_file("TEST_2.05")
            .unwrap()
            .body
    );
    assert!(body.contains("\r\n\t\t\t\t\t<!-- OID NIA -->\r\n"));
    let (_, body) = conn
        .search(traits("HERMANN", &["GATIEN"], "M", "1981-03-24", None))
        .await;
    match parse(&body) {
        Response::Result(r) => {
            assert_eq!(r.individu.unwrap().tiq.prenom.as_deref(), Some("GATIEN"))
        }
        other => panic!("expected TEST_2.08_cas2, got {other:?}"),
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_2022_dialect_is_the_captured_one() {
    let pki = pki();
    let sim = start(&pki, |c| c.dialect = Dialect::Y2022).await;
    let mut conn = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    let (s, body) = conn
        .search(traits("ADRTROIS", &["TOUSSAINT"], "M", "1960-01-01", None))
        .await;
    assert_eq!(s, 200);
    assert!(body.starts_with(XML_DECLARATION));
    assert!(
        body.contains("<ns2:RESULTAT xmlns:ns3=\"http://www.cnamts.fr/INSiRecVit\" xmlns:ns2=\"http://www.cnamts.fr/INSiResultat\" xmlns=\"http://www.cnamts.fr/INSiRecSans\">"),
        "{body}"
    );
    assert!(body.contains("<ns2:LieuNaissance>20020</ns2:LieuNaissance>"));
    assert!(body.contains("<ns2:Prenom>TOUSSAINT</ns2:Prenom>"));
    let (_, body) = conn
        .search(traits(
            "ECETINSI",
            &["PIERRE-ALAIN"],
            "M",
            "2009-07-14",
            None,
        ))
        .await;
    assert!(
        body.contains("<ns2:INSHISTO><ns2:IdIndividu><ns2:NumIdentifiant>2090763220834</ns2:NumIdentifiant><ns2:Cle>39</ns2:Cle><ns2:TypeMatricule>NIR</ns2:TypeMatricule>"),
        "{body}"
    );
    sim.shutdown().await;
}

fn verification(oid: &str) -> RequestBody {
    RequestBody::Verification(Verification {
        ins_fourni: InsEntry {
            id: WireMatricule {
                num_identifiant: "1090763220834".into(),
                cle: Some("89".into()),
                type_matricule: None,
            },
            oid: oid.into(),
            date_deb: None,
            date_fin: None,
        },
        traits: VerifiedTraits {
            nom_naissance: Some("ECETINSI".into()),
            prenom: Some("PIERRE-ALAIN".into()),
            liste_prenom: Some("PIERRE-ALAIN MURIEL FLORIANT".into()),
            sexe: Some("M".into()),
            date_naissance: Some("2009-07-14".into()),
            lieu_naissance: Some("63220".into()),
        },
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_judges_the_oid_with_the_ins() {
    let pki = pki();
    let sim = start(&pki, |_| {}).await;
    let mut conn = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    let ct = writer::content_type(Operation::Verification);
    let mut codes = vec![];
    for oid in ["1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9"] {
        let req = request(
            verification(oid),
            "uuid:11111111-2222-3333-4444-555555555556",
            IDAM,
        );
        let (s, body) = conn.post(&ct, writer::write_request(&req)).await.unwrap();
        assert_eq!(s, 200, "{body}");
        match parse(&body) {
            Response::Result(r) => codes.push(r.code_cr),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        codes,
        ["00", "01"],
        "the NIR OID verifies, the NIA OID does not"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_birth_year_gets_a_fault_from_its_rule() {
    let pki = pki();
    let sim = start(&pki, |_| {}).await;
    let mut conn = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    let (s, body) = conn
        .search(traits("ADRUN", &["ZOE"], "F", "0000-12-31", None))
        .await;
    assert_eq!(s, 500, "{body}");
    match parse(&body) {
        Response::Fault(f) => assert!(f.erreur.text.starts_with("INSI-TRT-013"), "{f:?}"),
        other => panic!("{other:?}"),
    }
    // An unknown day only is not a fault (the real service's handling is not public).
    let (s, _) = conn
        .search(traits("ADRUN", &["ZOE"], "F", "1975-12-00", None))
        .await;
    assert_eq!(s, 200);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_request_gets_its_413_while_the_client_is_still_sending() {
    use tokio::io::AsyncWriteExt;
    let pki = pki();
    let sim = start(&pki, |c| c.limits.max_body_bytes = 4096).await;
    let addr = addr_of(&sim.endpoint_url());
    // Announced (Content-Length) and unannounced (chunked) sizes both get their 413.
    for announced in [true, false] {
        let mut tls = raw_tls(&pki, "insi-auto", addr).await;
        let chunk = vec![b' '; 64 * 1024];
        let chunks = 32; // 2 MiB, far more than the socket buffers hold
        let head = if announced {
            format!(
                "POST /lps HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/soap+xml\r\ncontent-length: {}\r\n\r\n",
                chunk.len() * chunks
            )
        } else {
            "POST /lps HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/soap+xml\r\ntransfer-encoding: chunked\r\n\r\n".to_owned()
        };
        tls.write_all(head.as_bytes()).await.unwrap();
        for _ in 0..chunks {
            write_piece(&mut tls, &chunk, !announced).await;
        }
        end_body(&mut tls, !announced).await;
        let text = read_answer(&mut tls).await;
        assert!(
            text.starts_with("HTTP/1.1 413"),
            "announced={announced}: {text:?}"
        );
    }
    sim.shutdown().await;
}

/// Writes one piece of a request body: as a chunk (its size line, the bytes, CRLF) when
/// `chunked`, else the bytes alone.
async fn write_piece<S: tokio::io::AsyncWrite + Unpin>(tls: &mut S, piece: &[u8], chunked: bool) {
    use tokio::io::AsyncWriteExt;
    if chunked {
        tls.write_all(format!("{:x}\r\n", piece.len()).as_bytes())
            .await
            .unwrap();
    }
    tls.write_all(piece)
        .await
        .expect("the server keeps reading");
    if chunked {
        tls.write_all(b"\r\n").await.unwrap();
    }
}

/// Ends a request body: the last chunk when `chunked`; then flushes.
async fn end_body<S: tokio::io::AsyncWrite + Unpin>(tls: &mut S, chunked: bool) {
    use tokio::io::AsyncWriteExt;
    if chunked {
        tls.write_all(b"0\r\n\r\n").await.unwrap();
    }
    tls.flush().await.unwrap();
}

/// A request body that arrives in pieces (chunked, or announced and sent in several writes)
/// is gathered whole before it is read: the answer is the one of the same request sent at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_sent_in_pieces_is_read_whole() {
    use tokio::io::AsyncWriteExt;
    let pki = pki();
    let sim = start(&pki, |_| {}).await;
    let addr = addr_of(&sim.endpoint_url());
    let req = request(
        RequestBody::TraitsSearch(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None)),
        "uuid:11111111-2222-3333-4444-555555555555",
        IDAM,
    );
    let body = writer::write_request(&req).into_bytes();
    let content_type = writer::content_type(Operation::TraitsSearch);
    let pieces: Vec<&[u8]> = body.chunks(body.len() / 3 + 1).collect();
    assert_eq!(pieces.len(), 3);
    for chunked in [true, false] {
        let mut tls = raw_tls(&pki, "insi-auto", addr).await;
        let length = if chunked {
            "transfer-encoding: chunked".to_owned()
        } else {
            format!("content-length: {}", body.len())
        };
        let head = format!(
            "POST /lps HTTP/1.1\r\nhost: localhost\r\ncontent-type: {content_type}\r\n{length}\r\nconnection: close\r\n\r\n"
        );
        tls.write_all(head.as_bytes()).await.unwrap();
        tls.flush().await.unwrap();
        for piece in &pieces {
            // Each piece in its own TLS record, after a pause: hyper yields it as a frame.
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            write_piece(&mut tls, piece, chunked).await;
            tls.flush().await.unwrap();
        }
        end_body(&mut tls, chunked).await;
        let text = read_answer(&mut tls).await;
        assert!(
            text.starts_with("HTTP/1.1 200"),
            "chunked={chunked}: {text:?}"
        );
        assert!(
            text.contains("<CodeCR>00</CodeCR>"),
            "chunked={chunked}: {text:?}"
        );
    }
    let raw: Vec<String> = sim
        .journal()
        .entries()
        .iter()
        .map(|e| e.raw_request.to_string())
        .collect();
    let sent = String::from_utf8(body).unwrap();
    assert_eq!(
        raw,
        vec![sent.clone(), sent],
        "the journal keeps the whole body"
    );
    sim.shutdown().await;
}

/// Everything the server sends on `tls` until it closes (or 30 s pass), as text.
pub async fn read_answer(
    tls: &mut tokio_rustls::client::TlsStream<tokio::net::TcpStream>,
) -> String {
    use tokio::io::AsyncReadExt as _;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        tls.read_to_end(&mut answer),
    )
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}
