//! The carriers' channels over loopback: MLLP (ACKs, framing errors, a peer that disconnects
//! mid-frame, one that sends 10 MB, a slow peer, the sender's errors), FHIR REST (statuses,
//! OperationOutcome, content negotiation) and the drop folder. Every message received is in
//! the journal by the time its answer is read.
#![expect(clippy::unwrap_used, reason = "test harness")]

#[allow(
    dead_code,
    reason = "the helpers are shared with e2e.rs; only the start-up ones are used here"
)]
mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use insilab_formats::fhir::{self, Syntax};
use insilab_formats::mllp::{AckCode, MllpError};
use insilab_simulator::channels::mllp::{self, MllpSendError, MllpSettings, SendTimeouts};
use insilab_simulator::channels::{ChannelsConfig, fhir as fhir_channel};
use insilab_simulator::journal::{JournalEntry, Outcome};
use insilab_simulator::{Journal, JournalQuery, SimulatorHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Generous bound for waiting on the journal (never a timed assertion: only a hang guard).
const WAIT: Duration = Duration::from_secs(20);

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../formats/tests/fixtures")
            .join(rel),
    )
    .unwrap()
}

fn loopback() -> std::net::SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

async fn start(drop_dir: Option<PathBuf>) -> SimulatorHandle {
    let pki = common::pki();
    common::start(&pki, |c| {
        c.channels = ChannelsConfig {
            mllp_listen: Some(loopback()),
            fhir_listen: Some(loopback()),
            drop_dir,
            tenant: Some("CHANNELS".into()),
        };
    })
    .await
}

fn entries(j: &Journal, listener: &str) -> Vec<Arc<JournalEntry>> {
    j.entries()
        .into_iter()
        .filter(|e| e.listener == listener)
        .collect()
}

async fn wait_listener(j: &Journal, listener: &str, n: usize) -> Vec<Arc<JournalEntry>> {
    let mut rx = j.subscribe();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let found = entries(j, listener);
        if found.len() >= n {
            return found;
        }
        if tokio::time::timeout_at(deadline, rx.changed())
            .await
            .is_err()
        {
            return found;
        }
    }
}

#[tokio::test]
async fn mllp_acks_clean_failing_and_unreadable_messages_after_journalling_them() {
    let sim = start(None).await;
    let addr = sim.mllp_addr().unwrap();
    let j = sim.journal();

    let clean = mllp::send(addr, &fixture("hl7/clean.hl7"), SendTimeouts::default())
        .await
        .unwrap();
    assert_eq!(clean.summary.code, AckCode::Aa);
    assert_eq!(clean.summary.control_id, "MSG0001");
    assert!(clean.summary.errors.is_empty());
    // Journalled before the ACK was sent: already there when the ACK is read.
    let got = entries(&j, "mllp");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].outcome, Outcome::Ack { code: "AA".into() });
    assert_eq!(got[0].tenant.as_deref(), Some("CHANNELS"));
    assert_eq!(got[0].operation.as_deref(), Some("hl7 ADT^A28"));

    let bad = mllp::send(
        addr,
        &fixture("hl7/INS-HL7-004.hl7"),
        SendTimeouts::default(),
    )
    .await
    .unwrap();
    assert_eq!(bad.summary.code, AckCode::Ae);
    assert_eq!(bad.summary.errors, vec!["INS-HL7-004"]);
    let msa = bad.ack.segment("MSA").unwrap();
    assert_eq!(msa.value(3), "INS-HL7-004");
    let got = entries(&j, "mllp");
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].findings[0].rule_id.as_str(), "INS-HL7-004");

    let junk = mllp::send(addr, b"hello, not HL7", SendTimeouts::default())
        .await
        .unwrap();
    assert_eq!(junk.summary.code, AckCode::Ar);
    assert_eq!(
        entries(&j, "mllp")[2].outcome,
        Outcome::Ack { code: "AR".into() }
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn mllp_peer_disconnecting_mid_frame_is_journalled() {
    let sim = start(None).await;
    let addr = sim.mllp_addr().unwrap();
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"\x0bMSH|^~\\&|A|B|C|D|20261201||ADT^A28|1|P|2.5\rPID|1")
        .await
        .unwrap();
    drop(s);
    let got = wait_listener(&sim.journal(), "mllp", 1).await;
    let Outcome::ChannelError { error } = &got[0].outcome else {
        panic!("{:?}", got[0].outcome)
    };
    assert!(error.contains("middle of a frame"), "{error}");
    sim.shutdown().await;
}

#[tokio::test]
async fn mllp_ten_megabytes_are_refused_with_an_ar_and_the_listener_survives() {
    let sim = start(None).await;
    let addr = sim.mllp_addr().unwrap();
    let s = TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = s.into_split();
    let writer = tokio::spawn(async move {
        let mut big = vec![b'X'; 10 * 1024 * 1024];
        big[0] = 0x0B;
        // The listener stops reading at its limit: the write may fail, which is fine.
        let _ = wr.write_all(&big).await;
        let _ = wr.write_all(b"\x1c\r").await;
    });
    let mut answer = Vec::new();
    let _ = rd.read_to_end(&mut answer).await;
    let _ = writer.await;
    let text = String::from_utf8_lossy(&answer);
    assert!(text.contains("MSA|AR"), "{text}");
    assert!(text.contains("exceeds the limit"), "{text}");
    let got = wait_listener(&sim.journal(), "mllp", 1).await;
    assert!(
        matches!(&got[0].outcome, Outcome::ChannelError { error } if error.contains("exceeds the limit")),
        "{:?}",
        got[0].outcome
    );
    // Still serving.
    let ok = mllp::send(addr, &fixture("hl7/clean.hl7"), SendTimeouts::default())
        .await
        .unwrap();
    assert_eq!(ok.summary.code, AckCode::Aa);
    sim.shutdown().await;
}

#[tokio::test]
async fn mllp_framing_error_gets_an_ar() {
    let sim = start(None).await;
    let mut s = TcpStream::connect(sim.mllp_addr().unwrap()).await.unwrap();
    s.write_all(b"MSH|^~\\&|no start block\r").await.unwrap();
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.contains("MSA|AR") && text.contains("outside a frame"),
        "{text}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn mllp_slow_peer_is_dropped_and_journalled() {
    let listener = TcpListener::bind(loopback()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let journal = Journal::new(16, None).unwrap();
    let settings = Arc::new(MllpSettings {
        idle_timeout: Duration::from_millis(200),
        ..MllpSettings::default()
    });
    let (_tx, rx) = tokio::sync::watch::channel(false);
    let j = journal.clone();
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        mllp::serve_connection(stream, j, settings, rx).await;
    });
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"\x0bMSH|^~\\&|").await.unwrap();
    // The peer then says nothing: the listener gives up and closes.
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest).await;
    server.await.unwrap();
    let got = journal.query(&JournalQuery::default());
    assert!(
        matches!(&got[0].outcome, Outcome::ChannelError { error } if error.starts_with("slow peer")),
        "{:?}",
        got[0].outcome
    );
}

#[tokio::test]
async fn mllp_sender_reports_a_peer_closing_mid_ack_and_a_silent_peer() {
    // A peer that starts an ACK frame and hangs up.
    let listener = TcpListener::bind(loopback()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf).await;
        let _ = s.write_all(b"\x0bMSH|^~\\&|PEER").await;
    });
    let e = mllp::send(addr, &fixture("hl7/clean.hl7"), SendTimeouts::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            MllpSendError::PeerClosed {
                mid_frame: true,
                ..
            }
        ),
        "{e}"
    );

    // A peer that never answers.
    let listener = TcpListener::bind(loopback()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (hold_tx, hold_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let (_s, _) = listener.accept().await.unwrap();
        let _ = hold_rx.await;
    });
    let timeouts = SendTimeouts {
        ack: Duration::from_millis(200),
        ..SendTimeouts::default()
    };
    let e = mllp::send(addr, &fixture("hl7/clean.hl7"), timeouts)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            MllpSendError::Timeout {
                stage: "waiting for the ACK",
                ..
            }
        ),
        "{e}"
    );
    drop(hold_tx);

    // A peer answering garbage.
    let listener = TcpListener::bind(loopback()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf).await;
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    });
    let e = mllp::send(addr, &fixture("hl7/clean.hl7"), SendTimeouts::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            MllpSendError::Framing {
                source: MllpError::OutsideFrame { .. },
                ..
            }
        ),
        "{e}"
    );
}

#[tokio::test]
async fn fhir_endpoint_answers_operation_outcomes_and_negotiates_the_syntax() {
    let sim = start(None).await;
    let base = sim.fhir_url().unwrap();
    let j = sim.journal();

    let clean = fhir::read(&fixture("fhir/clean.json")).unwrap();
    let posted = fhir_channel::post(&base, &clean, Syntax::Json)
        .await
        .unwrap();
    assert_eq!(posted.status, 201);
    let issues = posted.issues.unwrap();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].severity, "information");
    assert_eq!(entries(&j, "fhir").len(), 1);

    let bad = fhir::read(&fixture("fhir/INS-FHIR-002.json")).unwrap();
    let posted = fhir_channel::post(&base, &bad, Syntax::Xml).await.unwrap();
    assert_eq!(posted.status, 422);
    assert!(
        posted
            .content_type
            .as_deref()
            .is_some_and(|c| c.starts_with("application/fhir+xml")),
        "{:?}",
        posted.content_type
    );
    let issues = posted.issues.unwrap();
    assert_eq!(issues[0].rule_id.as_deref(), Some("INS-FHIR-002"));
    assert_eq!(issues[0].expression, vec!["Patient.identifier[1].value"]);
    let e = &entries(&j, "fhir")[1];
    assert_eq!(e.http_status, 422);
    assert_eq!(e.findings[0].rule_id.as_str(), "INS-FHIR-002");

    // A Bundle at the base, answered in XML because _format says so.
    let bundle = fhir::Resource::Bundle(fhir::Bundle {
        type_: Some("transaction".into()),
        entries: vec![fhir::BundleEntry {
            full_url: None,
            resource: Some(fhir::EntryResource::Patient(Box::new(match clean {
                fhir::Resource::Patient(p) => *p,
                fhir::Resource::Bundle(_) => unreachable!(),
            }))),
        }],
        ..fhir::Bundle::default()
    });
    let (status, ct, body) = raw_post(
        &format!("{base}/?_format=xml"),
        "application/fhir+json",
        fhir::write(&bundle, Syntax::Json),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert!(ct.starts_with("application/fhir+xml"), "{ct}");
    assert!(
        body.contains("<OperationOutcome xmlns=\"http://hl7.org/fhir\">"),
        "{body}"
    );

    // Wrong content type, wrong resource type, unreadable body.
    let (status, _, _) = raw_post(&format!("{base}/Patient"), "text/plain", "x".into()).await;
    assert_eq!(status, 415);
    let (status, _, body) = raw_post(
        &format!("{base}/Patient"),
        "application/fhir+json",
        fhir::write(&bundle, Syntax::Json),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, _, body) = raw_post(
        &format!("{base}/Patient"),
        "application/fhir+json",
        "{\"resourceType\":\"Patient\",\"gender\":null}".into(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains("$.gender"), "{body}");

    // PUT: the id of the URL must be the resource's.
    let put = |id: &'static str| {
        let base = base.clone();
        async move {
            let uri: http::Uri = format!("{base}/Patient/{id}").parse().unwrap();
            let stream = TcpStream::connect(format!(
                "{}:{}",
                uri.host().unwrap(),
                uri.port_u16().unwrap()
            ))
            .await
            .unwrap();
            let (mut send, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .unwrap();
            tokio::spawn(conn);
            let req = http::Request::builder()
                .method("PUT")
                .uri(uri.path())
                .header("host", uri.authority().unwrap().as_str())
                .header("content-type", "application/fhir+json")
                .body(http_body_util::Full::new(bytes::Bytes::from(fixture(
                    "fhir/clean.json",
                ))))
                .unwrap();
            send.send_request(req).await.unwrap().status().as_u16()
        }
    };
    assert_eq!(put("pat-trois").await, 200);
    assert_eq!(put("someone-else").await, 400);
    sim.shutdown().await;
}

async fn raw_post(url: &str, content_type: &str, body: String) -> (u16, String, String) {
    let uri: http::Uri = url.parse().unwrap();
    let addr = format!("{}:{}", uri.host().unwrap(), uri.port_u16().unwrap());
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut send, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let req = http::Request::builder()
        .method("POST")
        .uri(uri.path_and_query().unwrap().as_str())
        .header("host", uri.authority().unwrap().as_str())
        .header("content-type", content_type)
        .body(http_body_util::Full::new(bytes::Bytes::from(body)))
        .unwrap();
    let resp = send.send_request(req).await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    use http_body_util::BodyExt;
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, ct, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn drop_folder_checks_and_files_away_documents() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start(Some(dir.path().to_owned())).await;
    // Written hidden, then renamed: only complete documents are picked up.
    let tmp = dir.path().join(".incoming");
    std::fs::write(&tmp, fixture("cda/INS-CDA-001.xml")).unwrap();
    std::fs::rename(&tmp, dir.path().join("letter.xml")).unwrap();
    // A printed page carrying the Datamatrix as an image (raw grey samples), and a broken PDF.
    let (width, height, samples) = insilab_formats::datamatrix::encode_gray(
        "IS010000000000000000000000S1279035121518989S21.2.250.1.213.1.4.10S3DOMINIQUE\u{1d}S4PAT-TROIS\u{1d}S5FS628-03-1979S763220",
        4,
    )
    .unwrap();
    let page = insilab_testkit::pdf_with_image(&insilab_testkit::PdfImage {
        width,
        height,
        color_space: Some("/DeviceGray"),
        bits: 8,
        filter: None,
        data: &samples,
    });
    std::fs::write(dir.path().join(".page"), page).unwrap();
    std::fs::rename(dir.path().join(".page"), dir.path().join("page.pdf")).unwrap();
    std::fs::write(dir.path().join("broken.pdf"), b"%PDF-1.7\n").unwrap();
    let got = wait_listener(&sim.journal(), "drop", 3).await;
    assert_eq!(got.len(), 3);
    let letter = got
        .iter()
        .find(|e| e.http_request == "DROP letter.xml")
        .unwrap();
    assert_eq!(letter.operation.as_deref(), Some("drop cda"));
    assert_eq!(letter.findings[0].rule_id.as_str(), "INS-CDA-001");
    let pdf = got
        .iter()
        .find(|e| e.http_request == "DROP page.pdf")
        .unwrap();
    assert_eq!(pdf.operation.as_deref(), Some("drop datamatrix-image"));
    assert!(
        matches!(&pdf.outcome, Outcome::Checked { verdict } if verdict == "ok"),
        "{:?}",
        pdf.outcome
    );
    // Journalled first, then filed away with its findings beside it.
    let findings = dir.path().join("done/page.pdf.findings.json");
    let mut text = Vec::new();
    for _ in 0..200 {
        text = std::fs::read(&findings).unwrap_or_default();
        if serde_json::from_slice::<serde_json::Value>(&text).is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let page: serde_json::Value = serde_json::from_slice(&text).unwrap();
    assert!(
        page["payload"].as_str().unwrap().contains("S4PAT-TROIS"),
        "{page}"
    );
    let broken = got
        .iter()
        .find(|e| e.http_request == "DROP broken.pdf")
        .unwrap();
    assert!(
        matches!(&broken.outcome, Outcome::Checked { verdict } if verdict == "unreadable"),
        "{:?}",
        broken.outcome
    );
    let done = dir.path().join("done");
    assert!(done.join("letter.xml").is_file());
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(done.join("letter.xml.findings.json")).unwrap())
            .unwrap();
    assert_eq!(report["findings"][0]["rule_id"], "INS-CDA-001");
    assert!(!dir.path().join("letter.xml").exists());
    sim.shutdown().await;
}

/// Channels per tenant: a tenant's FHIR base path (`/tenants/<t>`), its sending facility
/// (MSH-4) over MLLP and its subfolder of the drop folder file its documents under it, and the
/// admin API shows each tenant only its own channel entries.
#[tokio::test]
async fn each_tenant_sees_only_its_own_channel_entries() {
    let dir = tempfile::tempdir().unwrap();
    let pki = common::pki();
    let sim = common::start(&pki, |c| {
        c.channels = ChannelsConfig {
            mllp_listen: Some(loopback()),
            fhir_listen: Some(loopback()),
            drop_dir: Some(dir.path().to_owned()),
            tenant: Some("CHANNELS".into()),
        };
        c.tenant_tokens.insert("tok-one".into(), "T1".into());
        c.tenant_tokens.insert("tok-two".into(), "T2".into());
    })
    .await;
    let hl7 = String::from_utf8(fixture("hl7/clean.hl7")).unwrap();
    let base = sim.fhir_url().unwrap();
    let patient = fhir::read(&fixture("fhir/clean.json")).unwrap();
    for tenant in ["T1", "T2"] {
        let message = hl7.replacen("|INSILAB|INSILAB|", &format!("|INSILAB|{tenant}|"), 1);
        assert_ne!(message, hl7);
        mllp::send(
            sim.mllp_addr().unwrap(),
            message.as_bytes(),
            SendTimeouts::default(),
        )
        .await
        .unwrap();
        let posted =
            fhir_channel::post(&format!("{base}/tenants/{tenant}"), &patient, Syntax::Json)
                .await
                .unwrap();
        assert_eq!(posted.status, 201, "{:?}", posted.body);
        let sub = dir.path().join(tenant);
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join(".letter"), fixture("cda/clean.xml")).unwrap();
        std::fs::rename(sub.join(".letter"), sub.join("letter.xml")).unwrap();
    }
    // A facility that is no tenant: the channels' own tenant. An unknown tenant path: 404.
    mllp::send(
        sim.mllp_addr().unwrap(),
        hl7.as_bytes(),
        SendTimeouts::default(),
    )
    .await
    .unwrap();
    let unknown = fhir_channel::post(&format!("{base}/tenants/T3"), &patient, Syntax::Json)
        .await
        .unwrap();
    assert_eq!(unknown.status, 404, "{:?}", unknown.body);
    let j = sim.journal();
    assert_eq!(wait_listener(&j, "drop", 2).await.len(), 2);
    for (token, tenant) in [("tok-one", "T1"), ("tok-two", "T2")] {
        let admin = insilab_simulator::admin_client::AdminClient::connect(&sim.admin_url(), token)
            .await
            .unwrap();
        let seen = admin.journal_since(0).await.unwrap();
        let mut listeners: Vec<&str> = seen.iter().map(|e| e.listener.as_str()).collect();
        listeners.sort_unstable();
        assert_eq!(listeners, ["drop", "fhir", "mllp"], "{tenant}");
        assert!(seen.iter().all(|e| e.tenant.as_deref() == Some(tenant)));
        // Journalled first, then moved to the tenant's own done/.
        let done = dir.path().join(tenant).join("done/letter.xml");
        for _ in 0..200 {
            if done.is_file() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert!(done.is_file());
    }
    let channels: Vec<_> = j
        .entries()
        .into_iter()
        .filter(|e| e.tenant.as_deref() == Some("CHANNELS"))
        .map(|e| (e.listener.clone(), e.http_status))
        .collect();
    assert_eq!(channels, [("mllp".to_owned(), 0), ("fhir".to_owned(), 404)]);
    sim.shutdown().await;
}
