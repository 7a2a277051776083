//! The attack catalogue, sent over mutual TLS to the running simulator (and over plain HTTP to
//! its admin API): each hostile input gets a SOAP fault or an HTTP error (or, for a client too
//! slow to finish its request, a closed connection), bounded by the server's own limits and
//! timeouts; nothing is journalled twice or lost; and the server keeps serving: a good request
//! afterwards succeeds.
//!
//! The payloads are built here from a conforming request (`attack_catalogue()` says what each
//! one represents); waiting is bounded by the server's timeouts, which the test sets low. The
//! only wall-clock bound is the guard [`GUARD`] that turns a hang into a failure.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on any unexpected error"
)]

#[expect(
    dead_code,
    reason = "the helpers are shared with e2e.rs; not all are used here"
)]
mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use insilab_core::insi::model::RequestBody;
use insilab_core::insi::{Operation, Response, writer};
use insilab_simulator::{JournalQuery, SimulatorHandle};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Turns a hang into a failure; never reached when the server honours its timeouts.
const GUARD: Duration = Duration::from_secs(60);
/// The server's header and body read timeouts in this test.
const READ_TIMEOUT_MS: u64 = 500;
/// The request body limit in this test (the default).
const BODY_LIMIT: usize = insilab_simulator::config::DEFAULT_MAX_BODY_BYTES;

/// What the server must answer to an attack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// HTTP 500 with a SOAP fault that parses.
    Fault,
    /// This HTTP status.
    Status(u16),
    /// A fault, an HTTP 4xx, or (for a well-formed request in an accepted encoding) an answer.
    AnyAnswer,
    /// The server closes the connection (a 408 first is fine), no 200.
    Dropped,
}

struct Attack {
    name: &'static str,
    /// Raw bytes written on the connection (an HTTP request, or part of one).
    bytes: Vec<u8>,
    expect: Expect,
    /// Journal entries this attack adds (complete HTTP exchanges are journalled once).
    journalled: std::ops::RangeInclusive<usize>,
}

fn good_envelope() -> String {
    let req = request(
        RequestBody::TraitsSearch(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None)),
        "uuid:11111111-2222-3333-4444-555555555555",
        IDAM,
    );
    writer::write_request(&req)
}

fn http_post(body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "POST /lps HTTP/1.1\r\nhost: localhost\r\ncontent-type: {}\r\ncontent-length: {}\r\n\r\n",
        writer::content_type(Operation::TraitsSearch),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// `inner` inserted right after the opening `Body` tag of a good envelope.
fn inside_body(inner: &str) -> Vec<u8> {
    let env = good_envelope();
    let open = env.find(":Body").expect("a Body element");
    let at = open + env[open..].find('>').expect("the Body tag ends") + 1;
    format!("{}{inner}{}", &env[..at], &env[at..]).into_bytes()
}

/// A DOCTYPE put in front of a good envelope whose birth name is `reference`.
fn with_doctype(doctype: &str, reference: &str) -> Vec<u8> {
    let env = good_envelope();
    let body = env.replacen(">ADRUN<", &format!(">{reference}<"), 1);
    let body = match body.find("?>") {
        Some(end) if body.starts_with("<?xml") => {
            format!("{}{doctype}{}", &body[..end + 2], &body[end + 2..])
        }
        _ => format!("{doctype}{body}"),
    };
    body.into_bytes()
}

fn utf16(text: &str, little: bool, bom: bool) -> Vec<u8> {
    let text = text.replacen("encoding=\"UTF-8\"", "encoding=\"UTF-16\"", 1);
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if little { &[0xff, 0xfe] } else { &[0xfe, 0xff] });
    }
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if little {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

fn attack_catalogue() -> Vec<Attack> {
    let billion_laughs = {
        let mut d = String::from("<!DOCTYPE lolz [<!ENTITY lol0 \"lol\">");
        for i in 1..10 {
            d.push_str(&format!("<!ENTITY lol{i} \""));
            for _ in 0..10 {
                d.push_str(&format!("&lol{};", i - 1));
            }
            d.push_str("\">");
        }
        d.push_str("]>");
        with_doctype(&d, "&lol9;")
    };
    let one = 1..=1;
    vec![
        Attack {
            name: "billion laughs (nested entity expansion)",
            bytes: http_post(&billion_laughs),
            expect: Expect::Fault,
            journalled: one.clone(),
        },
        Attack {
            name: "external entity (XXE on /etc/passwd)",
            bytes: http_post(&with_doctype(
                "<!DOCTYPE e [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
                "&xxe;",
            )),
            expect: Expect::Fault,
            journalled: one.clone(),
        },
        Attack {
            name: "deep nesting (10 000 levels)",
            bytes: http_post(&inside_body(
                &("<x>".repeat(10_000) + &"</x>".repeat(10_000)),
            )),
            expect: Expect::Fault,
            journalled: one.clone(),
        },
        Attack {
            name: "one huge attribute (200 000 bytes)",
            bytes: http_post(&inside_body(&format!("<x a=\"{}\"/>", "A".repeat(200_000)))),
            expect: Expect::Fault,
            journalled: one.clone(),
        },
        Attack {
            name: "twenty thousand attributes",
            bytes: http_post(&inside_body(&format!(
                "<x {}/>",
                (0..20_000)
                    .map(|i| format!("a{i}=\"\" "))
                    .collect::<String>()
            ))),
            expect: Expect::Fault,
            journalled: one.clone(),
        },
        Attack {
            name: "invalid UTF-8 in the middle of a valid envelope",
            bytes: http_post(
                &good_envelope()
                    .replacen(">ADRUN<", ">AD\u{1}RUN<", 1)
                    .into_bytes()
                    .into_iter()
                    .map(|b| if b == 1 { 0xff } else { b })
                    .collect::<Vec<u8>>(),
            ),
            expect: Expect::Fault,
            journalled: one.clone(),
        },
        Attack {
            name: "UTF-8 with a byte order mark",
            bytes: http_post(&[&[0xef, 0xbb, 0xbf][..], good_envelope().as_bytes()].concat()),
            expect: Expect::AnyAnswer,
            journalled: one.clone(),
        },
        Attack {
            name: "UTF-16LE with a byte order mark",
            bytes: http_post(&utf16(&good_envelope(), true, true)),
            expect: Expect::AnyAnswer,
            journalled: one.clone(),
        },
        Attack {
            name: "UTF-16BE with a byte order mark",
            bytes: http_post(&utf16(&good_envelope(), false, true)),
            expect: Expect::AnyAnswer,
            journalled: one.clone(),
        },
        Attack {
            name: "UTF-16LE without a byte order mark",
            bytes: http_post(&utf16(&good_envelope(), true, false)),
            expect: Expect::AnyAnswer,
            journalled: one.clone(),
        },
        // Refused before the body is read: no exchange reaches the SOAP layer, none is
        // journalled.
        Attack {
            name: "10 MB body",
            bytes: http_post(&vec![b'<'; 10 * 1024 * 1024]),
            expect: Expect::Status(413),
            journalled: 0..=0,
        },
        Attack {
            name: "body one byte over the limit",
            bytes: http_post(&vec![b' '; BODY_LIMIT + 1]),
            expect: Expect::Status(413),
            journalled: 0..=0,
        },
        Attack {
            name: "slow headers (slowloris: the head never ends)",
            bytes: b"POST /lps HTTP/1.1\r\nhost: localhost\r\nx-slow: a".to_vec(),
            expect: Expect::Dropped,
            journalled: 0..=1,
        },
        Attack {
            name: "slow body (the announced body never arrives)",
            bytes: {
                let mut b = http_post(good_envelope().as_bytes());
                b.truncate(b.len() - 100);
                b
            },
            expect: Expect::Dropped,
            journalled: 0..=1,
        },
        Attack {
            name: "garbage instead of HTTP",
            bytes: b"\x16\x03\x01GARBAGE GARBAGE\r\n\r\n".to_vec(),
            expect: Expect::Status(400),
            journalled: 0..=1,
        },
    ]
}

/// Reads one HTTP/1.1 response (head and `content-length` body). `None` when the connection
/// ends (EOF or error) before a complete head.
async fn read_response<S: AsyncRead + Unpin>(
    s: &mut S,
    buf: &mut Vec<u8>,
) -> Option<(u16, Vec<u8>)> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let status: u16 = head.split_whitespace().nth(1)?.parse().ok()?;
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.trim()
                        .eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let mut chunk = [0u8; 16 * 1024];
                match s.read(&mut chunk).await {
                    Ok(0) | Err(_) => return None,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let body = buf[end + 4..end + 4 + length].to_vec();
            buf.drain(..end + 4 + length);
            return Some((status, body));
        }
        let mut chunk = [0u8; 16 * 1024];
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Writes `bytes` (a write error is fine: the server may answer and close early) and reads the
/// answer, if any, then whether the server closed the connection.
async fn send_raw<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    bytes: &[u8],
) -> Option<(u16, Vec<u8>)> {
    let _ = s.write_all(bytes).await;
    let _ = s.flush().await;
    let mut buf = Vec::new();
    tokio::time::timeout(GUARD, read_response(s, &mut buf))
        .await
        .expect("the server answered or closed within its own timeouts")
}

async fn tls(
    pki: &insilab_certs::Pki,
    addr: std::net::SocketAddr,
    config: rustls::ClientConfig,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = pki;
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .unwrap()
}

fn versioned_config(
    pki: &insilab_certs::Pki,
    version: &'static rustls::SupportedProtocolVersion,
) -> rustls::ClientConfig {
    let (chain, key) = pki
        .identity("insi-auto")
        .unwrap()
        .rustls_identity()
        .unwrap();
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(&[version])
        .unwrap()
        .with_root_certificates(pki.root_store().unwrap())
        .with_client_auth_cert(chain, key)
        .unwrap()
}

/// The journal's sequence numbers are unique and increasing: nothing is journalled twice.
fn assert_journal_consistent(sim: &SimulatorHandle) -> Vec<u64> {
    let seqs: Vec<u64> = sim
        .journal()
        .query(&JournalQuery::default())
        .iter()
        .map(|e| e.seq)
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    seqs
}

async fn good_request_succeeds(pki: &insilab_certs::Pki, sim: &SimulatorHandle, after: &str) {
    let before = sim.journal().len();
    let mut conn = connect(pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap_or_else(|e| panic!("after {after}: cannot connect: {e}"));
    let (s, body) = conn
        .search(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
        .await;
    assert_eq!(s, 200, "after {after}: {body}");
    assert!(
        matches!(parse(&body), Response::Result(r) if r.code_cr == "00"),
        "after {after}"
    );
    assert_eq!(
        sim.journal().len(),
        before + 1,
        "after {after}: journalled once"
    );
}

fn tight(c: &mut insilab_simulator::SimulatorConfig) {
    c.timeouts.header_read_ms = READ_TIMEOUT_MS;
    c.timeouts.body_read_ms = READ_TIMEOUT_MS;
    c.timeouts.handshake_ms = READ_TIMEOUT_MS * 4;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_attack_gets_a_fault_or_an_http_error_and_the_server_keeps_serving() {
    let pki = pki();
    let sim = start(&pki, tight).await;
    let addr = addr_of(&sim.endpoint_url());
    for attack in attack_catalogue() {
        let before = sim.journal().len();
        let mut s = tls(&pki, addr, pki.client_config("insi-auto").unwrap()).await;
        let got = send_raw(&mut s, &attack.bytes).await;
        let name = attack.name;
        match (attack.expect, &got) {
            (Expect::Fault, Some((500, body))) => {
                let text = String::from_utf8_lossy(body);
                assert!(matches!(parse(&text), Response::Fault(_)), "{name}: {text}");
                assert!(!text.contains("root:"), "{name}: a file leaked: {text}");
            }
            (Expect::Status(want), Some((status, _))) => assert_eq!(*status, want, "{name}"),
            (Expect::AnyAnswer, Some((status, body))) => {
                let text = String::from_utf8_lossy(body);
                match status {
                    200 | 500 => {
                        let parsed = insilab_core::insi::parse_response(body, &Default::default());
                        assert!(parsed.is_ok(), "{name}: {status} {text}");
                    }
                    400..=499 => {}
                    other => panic!("{name}: status {other}: {text}"),
                }
            }
            (Expect::Dropped, None) => {}
            (Expect::Dropped, Some((408, _))) => {}
            (expect, got) => panic!(
                "{name}: expected {expect:?}, got {:?}",
                got.as_ref().map(|(s, b)| (
                    s,
                    String::from_utf8_lossy(b)
                        .chars()
                        .take(300)
                        .collect::<String>()
                ))
            ),
        }
        drop(s);
        let added = sim.journal().len() - before;
        assert!(
            attack.journalled.contains(&added),
            "{name}: {added} journal entries, expected {:?}",
            attack.journalled
        );
        assert_journal_consistent(&sim);
        good_request_succeeds(&pki, &sim, name).await;
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_garbage_after_a_good_request_gets_the_answer_then_an_error() {
    let pki = pki();
    let sim = start(&pki, tight).await;
    let addr = addr_of(&sim.endpoint_url());
    let mut s = tls(&pki, addr, pki.client_config("insi-auto").unwrap()).await;
    let mut bytes = http_post(good_envelope().as_bytes());
    bytes.extend_from_slice(b"NOT HTTP AT ALL\r\n\r\n\x00\x01\x02");
    s.write_all(&bytes).await.unwrap();
    let mut buf = Vec::new();
    let first = tokio::time::timeout(GUARD, read_response(&mut s, &mut buf))
        .await
        .unwrap();
    assert_eq!(first.as_ref().map(|(s, _)| *s), Some(200));
    let second = tokio::time::timeout(GUARD, read_response(&mut s, &mut buf))
        .await
        .unwrap();
    assert!(
        matches!(second, None | Some((400, _))),
        "{:?}",
        second.map(|(s, _)| s)
    );
    assert_journal_consistent(&sim);
    good_request_succeeds(&pki, &sim, "pipelined garbage").await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_1_2_and_1_3_clients_are_served_and_journalled_with_their_version() {
    let pki = pki();
    let sim = start(&pki, tight).await;
    let addr = addr_of(&sim.endpoint_url());
    for (version, label) in [
        (&rustls::version::TLS12, "1_2"),
        (&rustls::version::TLS13, "1_3"),
    ] {
        let mut s = tls(&pki, addr, versioned_config(&pki, version)).await;
        let got = send_raw(&mut s, &http_post(good_envelope().as_bytes())).await;
        assert_eq!(got.map(|(s, _)| s), Some(200), "TLS {label}");
        let last = sim.journal().query(&JournalQuery::default()).pop().unwrap();
        let seen = last.tls_version.clone().unwrap_or_default();
        assert!(seen.contains(label), "TLS {label}: journalled {seen}");
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_vanishing_mid_answer_is_journalled_once_and_the_server_keeps_serving() {
    let pki = pki();
    let sim = start(&pki, tight).await;
    // The answer is held back 300 ms, so that the client is gone before it is written.
    sim.overrides()
        .add(
            serde_json::from_str(
                r#"{"match":{"birth_name":"ADRUN"},"count":1,"delay_ms":300,"answer":{"kind":"cr","code":"01"}}"#,
            )
            .unwrap(),
        )
        .unwrap();
    let addr = addr_of(&sim.endpoint_url());
    let before = sim.journal().len();
    let mut s = tls(&pki, addr, pki.client_config("insi-auto").unwrap()).await;
    s.write_all(&http_post(good_envelope().as_bytes()))
        .await
        .unwrap();
    s.flush().await.unwrap();
    // The override is taken when the request is processed: from then on the server holds the
    // answer for 300 ms, and the client vanishes during that time.
    let taken = tokio::time::timeout(GUARD, async {
        while !sim.overrides().list(None).is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(taken.is_ok(), "the request reached the server");
    drop(s);
    // Past the delay: the answer was written to a closed connection (or not at all).
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(sim.journal().len(), before + 1, "journalled exactly once");
    assert_journal_consistent(&sim);
    good_request_succeeds(&pki, &sim, "a vanished client").await;
    sim.shutdown().await;
}

/// Sends raw bytes to the admin API (plain HTTP on loopback).
async fn admin_raw(sim: &SimulatorHandle, bytes: &[u8]) -> Option<(u16, Vec<u8>)> {
    let mut s = tokio::net::TcpStream::connect(addr_of(&sim.admin_url()))
        .await
        .unwrap();
    send_raw(&mut s, bytes).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_api_refuses_every_bad_token_and_survives_hostile_input() {
    let pki = pki();
    let sim = start(&pki, |c| {
        tight(c);
        c.admin_token = Some("s3cret".into());
        c.tenant_tokens
            .insert("tenant-token".into(), "10B0152872".into());
    })
    .await;
    let get = |auth: Option<&str>| {
        let mut head = String::from("GET /journal HTTP/1.1\r\nhost: localhost\r\n");
        if let Some(a) = auth {
            head.push_str(&format!("authorization: {a}\r\n"));
        }
        head.push_str("\r\n");
        head.into_bytes()
    };
    for (what, auth) in [
        ("missing", None),
        ("wrong", Some("Bearer nope")),
        ("non-Bearer", Some("Basic czNjcmV0")),
        ("token without scheme", Some("s3cret")),
        ("empty", Some("Bearer ")),
        ("empty without space", Some("Bearer")),
        ("prefix of the right one", Some("Bearer s3cre")),
    ] {
        let got = admin_raw(&sim, &get(auth)).await;
        assert_eq!(got.map(|(s, _)| s), Some(401), "{what} token");
    }
    for auth in ["Bearer s3cret", "Bearer tenant-token"] {
        let got = admin_raw(&sim, &get(Some(auth))).await;
        assert_eq!(got.map(|(s, _)| s), Some(200), "{auth}");
    }
    // Hostile input on the admin port.
    let huge = format!(
        "POST /overrides HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer s3cret\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        10 * 1024 * 1024
    );
    let mut huge = huge.into_bytes();
    huge.extend(std::iter::repeat_n(b'[', 10 * 1024 * 1024));
    let got = admin_raw(&sim, &huge).await;
    assert!(
        matches!(got.as_ref().map(|(s, _)| *s), Some(400 | 413)),
        "10 MB body: {:?}",
        got.map(|(s, _)| s)
    );
    let deep = format!(
        "POST /overrides HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer s3cret\r\ncontent-type: application/json\r\ncontent-length: 200000\r\n\r\n{}",
        "[".repeat(200_000)
    );
    let got = admin_raw(&sim, deep.as_bytes()).await;
    assert!(
        matches!(got.as_ref().map(|(s, _)| *s), Some(400 | 413)),
        "deeply nested JSON: {:?}",
        got.map(|(s, _)| s)
    );
    let got = admin_raw(&sim, b"GARBAGE\x00\x01\r\n\r\n").await;
    assert!(matches!(got.map(|(s, _)| s), None | Some(400)), "garbage");
    let got = admin_raw(&sim, b"GET /health HTTP/1.1\r\nhost: local").await;
    assert!(
        matches!(got.map(|(s, _)| s), None | Some(408)),
        "slow headers"
    );
    let mut pipelined = b"GET /health HTTP/1.1\r\nhost: localhost\r\n\r\n".to_vec();
    pipelined.extend_from_slice(b"NOT HTTP\r\n\r\n");
    let mut s = tokio::net::TcpStream::connect(addr_of(&sim.admin_url()))
        .await
        .unwrap();
    s.write_all(&pipelined).await.unwrap();
    let mut buf = Vec::new();
    let first = tokio::time::timeout(GUARD, read_response(&mut s, &mut buf))
        .await
        .unwrap();
    assert_eq!(first.map(|(s, _)| s), Some(200), "pipelined: the good one");
    let second = tokio::time::timeout(GUARD, read_response(&mut s, &mut buf))
        .await
        .unwrap();
    assert!(
        matches!(second.map(|(s, _)| s), None | Some(400)),
        "pipelined garbage"
    );
    // Still serving.
    let got = admin_raw(&sim, &get(Some("Bearer s3cret"))).await;
    assert_eq!(got.map(|(s, _)| s), Some(200));
    good_request_succeeds(&pki, &sim, "the admin attacks").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn an_empty_configured_token_is_refused_at_start_up() {
    let pki = pki();
    for (what, tune) in [
        (
            "admin",
            Box::new(|c: &mut insilab_simulator::SimulatorConfig| c.admin_token = Some(" ".into()))
                as Box<dyn Fn(&mut insilab_simulator::SimulatorConfig)>,
        ),
        (
            "tenant",
            Box::new(|c: &mut insilab_simulator::SimulatorConfig| {
                c.tenant_tokens.insert(String::new(), "10B0152872".into());
            }),
        ),
    ] {
        let mut config = insilab_simulator::SimulatorConfig::ephemeral(
            insilab_simulator::TlsSource::Pki(Arc::clone(&pki)),
        );
        tune(&mut config);
        let err = insilab_simulator::Simulator::start(config)
            .await
            .err()
            .unwrap_or_else(|| panic!("an empty {what} token was accepted"));
        assert!(
            matches!(&err, insilab_simulator::SimulatorError::Config { message, .. } if message.contains("empty")),
            "{what}: {err}"
        );
    }
}
