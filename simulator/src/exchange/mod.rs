//! One SOAP exchange, from request bytes to response bytes, without sockets.
//!
//! One job: envelope parsing and dispatch by `wsa:Action` (checked against the body element),
//! the checks (`core::rules` findings, certificate CN, IDAM registry, traits), then the
//! behaviour (overrides first, then the person's behaviour, then the dataset match) and the
//! writer in the chosen dialect. Every fault echoes the request's MessageID.
//!
//! The pipeline, one module per stage, each returning a typed value:
//! [`dispatch`] (read the envelope, route by `wsa:Action`) → [`access`] (certificate CN, IDAM) →
//! validation (`crate::validation`: core rules, fault policy) → [`behaviour`] (overrides,
//! dataset) → [`respond`] (the dialect writer).

mod access;
mod behaviour;
mod dispatch;
mod respond;

use std::time::Duration;

use bytes::Bytes;
use insilab_core::insi::writer::Dialect;
use insilab_core::insi::{Operation, reader};

use crate::dataset::Dataset;
use crate::journal::{ClientCertificate, JournalFinding, Outcome};
use crate::overrides::Overrides;
use crate::validation::{self, FaultPolicy};

pub use behaviour::{individu, op_name};
pub use respond::sniff_message_id;

/// Content type of SOAP 1.2 answers.
pub const SOAP_CONTENT_TYPE: &str = "application/soap+xml; charset=utf-8";

/// Which listener a request arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// Mutual TLS (organisation certificate).
    Mtls,
    /// Card mode (no client certificate; a signed CPx assertion in `wsse:Security`).
    Card,
}

impl Listener {
    /// `mtls` or `card`.
    pub fn name(self) -> &'static str {
        match self {
            Listener::Mtls => "mtls",
            Listener::Card => "card",
        }
    }
}

/// What the simulator must do on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A complete HTTP answer.
    Full {
        /// HTTP status.
        status: u16,
        /// `Content-Type`.
        content_type: &'static str,
        /// Body.
        body: Bytes,
    },
    /// Close the connection without answering.
    Reset,
    /// Announce `body` (its full length) but send only its first half, then close.
    Truncated {
        /// The complete body whose first half is sent.
        body: Bytes,
    },
}

impl Reply {
    /// The body bytes that reach the client.
    pub fn sent_body(&self) -> &[u8] {
        match self {
            Reply::Full { body, .. } => body,
            Reply::Reset => &[],
            Reply::Truncated { body } => &body[..body.len() / 2],
        }
    }

    /// The body bytes that reach the client, sharing the reply's buffer.
    pub fn sent_bytes(&self) -> Bytes {
        match self {
            Reply::Full { body, .. } => body.clone(),
            Reply::Reset => Bytes::new(),
            Reply::Truncated { body } => body.slice(..body.len() / 2),
        }
    }

    /// The HTTP status (0 when no status is sent).
    pub fn status(&self) -> u16 {
        match self {
            Reply::Full { status, .. } => *status,
            Reply::Reset => 0,
            Reply::Truncated { .. } => 200,
        }
    }
}

/// Facts about the request besides its body.
#[derive(Debug, Clone)]
pub struct ExchangeContext<'a> {
    /// Listener.
    pub listener: Listener,
    /// Verified client certificate (mutual TLS only).
    pub client: Option<&'a ClientCertificate>,
    /// Request `Content-Type`.
    pub content_type: Option<&'a str>,
    /// The verdict on the card assertion (card listener only; `None` elsewhere).
    pub card: Option<&'a crate::card::CardVerdict>,
}

/// The shared state an exchange reads.
#[derive(Debug)]
pub struct Behaviourals<'a> {
    /// Persons.
    pub dataset: &'a Dataset,
    /// Dialect of generated answers.
    pub dialect: Dialect,
    /// Accepted IDAM.
    pub idam_registry: &'a std::collections::HashSet<String>,
    /// Overrides.
    pub overrides: &'a Overrides,
    /// Reader limits.
    pub reader_limits: &'a reader::Limits,
    /// Which rules fault the exchange.
    pub fault_policy: &'a FaultPolicy,
}

/// The result of processing one exchange.
#[derive(Debug, Clone)]
pub struct Processed {
    /// What to send.
    pub reply: Reply,
    /// Wait this long first.
    pub delay: Duration,
    /// Operation, when recognised.
    pub operation: Option<Operation>,
    /// `wsa:MessageID`.
    pub message_id: Option<String>,
    /// Parsed body.
    pub request_body: Option<insilab_core::insi::model::RequestBody>,
    /// Outcome.
    pub outcome: Outcome,
    /// Answering person.
    pub person: Option<String>,
    /// Override used.
    pub override_id: Option<u64>,
    /// Findings.
    pub findings: Vec<JournalFinding>,
    /// The reader limits `request_body` was read with from the request, when it was.
    pub read_with: Option<reader::Limits>,
}

/// Text of the fault answered on the card listener when no card verdict was made.
pub const CARD_MODE_DISABLED: &str = "card mode is not enabled in this version";

/// Processes one SOAP request body: dispatch → access → validation → behaviour → respond.
pub fn process(b: &Behaviourals<'_>, ctx: &ExchangeContext<'_>, body: &[u8]) -> Processed {
    let request = match dispatch::read(b, ctx, body) {
        Ok(r) => r,
        Err(refused) => return *refused,
    };
    let mut findings = validation::judge(&request, ctx.content_type);
    if ctx.listener == Listener::Card
        && let Some(card) = ctx.card
    {
        findings.extend(card_findings(card));
    }
    let mid = request.headers.message_id.as_deref();
    let refusal = dispatch::route(ctx, &findings, b.fault_policy, mid)
        .or_else(|| access::check(ctx, &request, b.idam_registry))
        .or_else(|| {
            validation::decisive(&findings, b.fault_policy, None)
                .map(|f| validation::fault_for(f, mid))
        });
    let mut processed = match refusal {
        Some(fault) => respond::refused(b.dialect, request, fault, findings),
        None => behaviour::answer_request(b, ctx, request, findings),
    };
    if processed.request_body.is_some() {
        processed.read_with = Some(*b.reader_limits);
    }
    processed
}

/// What the journal keeps of the transport of one exchange (the server's side of it).
#[derive(Debug, Clone, Copy)]
pub struct Transport<'a> {
    /// Negotiated TLS version (`TLSv1_3`).
    pub tls_version: Option<&'a str>,
    /// The request path (`/lps`).
    pub path: &'a str,
    /// Time spent from the complete request to the answer.
    pub elapsed: Duration,
}

/// The journal entry of one processed exchange, and what is left to send: the reply and the
/// delay before it. `seq` is assigned by [`crate::journal::Journal::record`]. The server
/// records the same entry in place with [`record_exchange`].
pub fn journal_entry(
    ctx: &ExchangeContext<'_>,
    transport: &Transport<'_>,
    request: &Bytes,
    processed: Processed,
    card: Option<crate::card::CardHolder>,
) -> (crate::journal::JournalEntry, Reply, Duration) {
    let mut entry = crate::journal::JournalEntry::empty();
    filler(ctx, transport, request, &processed, card.as_ref())(&mut entry);
    entry.request_body = processed.request_body;
    (entry, processed.reply, processed.delay)
}

/// Records the journal entry of one processed exchange (the entry [`journal_entry`] makes)
/// in place in `journal`'s ring, so that nothing is allocated for it once the ring has turned;
/// returns what is left to send: the reply and the delay before it.
pub fn record_exchange(
    journal: &crate::journal::Journal,
    ctx: &ExchangeContext<'_>,
    transport: &Transport<'_>,
    request: &Bytes,
    processed: Processed,
    card: Option<crate::card::CardHolder>,
) -> (Reply, Duration) {
    journal.record_in_place(
        filler(ctx, transport, request, &processed, card.as_ref()),
        processed.request_body.as_ref(),
        processed.read_with.as_ref(),
    );
    (processed.reply, processed.delay)
}

/// What writes one exchange's entry into a slot ([`fill_entry`]), timed now: the same for
/// [`journal_entry`] and [`record_exchange`].
fn filler<'a>(
    ctx: &'a ExchangeContext<'_>,
    transport: &'a Transport<'_>,
    request: &'a Bytes,
    processed: &'a Processed,
    card: Option<&'a crate::card::CardHolder>,
) -> impl FnOnce(&mut crate::journal::JournalEntry) + 'a {
    let time = crate::rfc3339::Rfc3339Now::new();
    move |slot| {
        fill_entry(
            slot,
            time.as_str(),
            ctx,
            transport,
            request,
            processed,
            card,
        )
    }
}

/// Writes every field of `slot` but `seq` and `request_body` (the journal's, see
/// [`crate::journal::Journal::record_in_place`]) for one exchange, reusing the blocks `slot`
/// holds from its previous entry. Destructured whole: a field added to the entry does not
/// compile until it is written here (a slot must never keep a value of the entry it held
/// before).
fn fill_entry(
    slot: &mut crate::journal::JournalEntry,
    time: &str,
    ctx: &ExchangeContext<'_>,
    transport: &Transport<'_>,
    request: &Bytes,
    processed: &Processed,
    card: Option<&crate::card::CardHolder>,
) {
    use crate::journal::ring::{Refill as _, refill_opt, refill_opt_str, refill_raw, refill_str};
    let crate::journal::JournalEntry {
        seq: _,
        time: slot_time,
        tenant,
        listener,
        client_certificate,
        card: slot_card,
        tls_version,
        http_request,
        operation,
        message_id,
        content_type,
        request_body: _,
        outcome,
        person,
        override_id,
        http_status,
        duration_us,
        findings,
        raw_request,
        raw_response,
    } = slot;
    refill_str(slot_time, time);
    refill_opt_str(tenant, ctx.client.and_then(|c| c.ou.as_deref()));
    refill_str(listener, ctx.listener.name());
    refill_opt(client_certificate, ctx.client);
    refill_opt(slot_card, card);
    refill_opt_str(tls_version, transport.tls_version);
    http_request.clear();
    http_request.push_str("POST ");
    http_request.push_str(transport.path);
    refill_opt_str(operation, processed.operation.map(op_name));
    message_id.refill(&processed.message_id);
    refill_opt_str(content_type, ctx.content_type);
    outcome.refill(&processed.outcome);
    person.refill(&processed.person);
    *override_id = processed.override_id;
    *http_status = processed.reply.status();
    *duration_us = u64::try_from(transport.elapsed.as_micros()).unwrap_or(u64::MAX);
    findings.refill(&processed.findings);
    refill_raw(raw_request, request);
    *raw_response = crate::journal::raw_body(&processed.reply.sent_bytes());
}

/// The assertion findings of a card verdict, for the journal.
fn card_findings(verdict: &crate::card::CardVerdict) -> Vec<JournalFinding> {
    verdict.report.findings.clone()
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn with_state<T>(f: impl FnOnce(&Behaviourals<'_>) -> T) -> T {
        with_limits(reader::Limits::default(), f)
    }

    fn with_limits<T>(limits: reader::Limits, f: impl FnOnce(&Behaviourals<'_>) -> T) -> T {
        let dataset = Dataset::embedded_default().unwrap();
        let registry = ["PDP17NF21DD0".to_string()].into_iter().collect();
        let overrides = Overrides::default();
        let b = Behaviourals {
            dataset: &dataset,
            dialect: Dialect::Live,
            idam_registry: &registry,
            overrides: &overrides,
            reader_limits: &limits,
            fault_policy: &FaultPolicy::default(),
        };
        f(&b)
    }

    fn client() -> ClientCertificate {
        ClientCertificate {
            cn: Some("INSI-AUTO".into()),
            ou: Some("T".into()),
            ..Default::default()
        }
    }

    proptest! {
        #[test]
        fn any_bytes_get_an_answer_never_a_panic(body in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let c = client();
            let ctx = ExchangeContext { listener: Listener::Mtls, client: Some(&c), content_type: None, card: None };
            let p = with_state(|b| process(b, &ctx, &body));
            let is_fault = matches!(p.reply, Reply::Full { status: 500, .. });
            prop_assert!(is_fault, "any bytes get a 500 fault");
        }

        #[test]
        fn sniffing_a_message_id_never_panics(text in ".{0,300}") {
            let _ = sniff_message_id(text.as_bytes());
        }
    }

    /// Requests with different outcomes, shapes and sizes: a found person, an unknown one,
    /// a wrong action (fault), garbage, non-UTF-8 bytes.
    fn varied_requests() -> Vec<Vec<u8>> {
        use insilab_core::insi::model::{Headers, Request, RequestBody, TraitsSearch};
        use insilab_core::insi::writer;
        let search = |nom: &str, prenom: &str, date: &str, action: Option<&str>| {
            let req = Request {
                headers: Headers {
                    action: Some(
                        action
                            .unwrap_or(Operation::TraitsSearch.action())
                            .to_owned(),
                    ),
                    message_id: Some(format!("uuid:{nom}-{prenom}")),
                    ..Headers::default()
                },
                body: RequestBody::TraitsSearch(TraitsSearch {
                    nom_naissance: Some(nom.into()),
                    prenoms: vec![prenom.into()],
                    sexe: Some("F".into()),
                    date_naissance: Some(date.into()),
                    lieu_naissance: None,
                }),
                body_id: None,
            };
            writer::write_request(&req).into_bytes()
        };
        vec![
            search("ADRUN", "ZOE", "1975-12-31", None),
            search("NOBODY", "KNOWN", "1901-01-01", None),
            search("ADRUN", "ZOE", "1975-12-31", Some("urn:wrong")),
            b"<broken".to_vec(),
            vec![0xff, 0xfe, b'<'],
            search("ADRUN", "ZOE-MARIE-CHRISTINE-ANNE", "1975-12-31", None),
        ]
    }

    /// The server records each exchange in place in the ring's oldest slot; the entry read
    /// back (its parsed request body read again from the raw request) and its line in the
    /// JSONL file must be exactly the entry `journal_entry` makes, whatever entry the slot held
    /// before, and whatever the reader limits are when the journal is read.
    #[test]
    fn an_exchange_recorded_in_place_is_the_journal_entry() {
        let c = client();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let file_settings = crate::JournalFileSettings::default();
        let journals = [
            crate::journal::Journal::new(2, None).unwrap(),
            crate::journal::Journal::with_file_settings(2, Some(&path), file_settings).unwrap(),
        ];
        let mut requests = varied_requests();
        // Read only with limits looser than the defaults: a text of 9 KiB.
        let long_name = "A".repeat(reader::DEFAULT_MAX_TEXT_BYTES + 1024);
        let long = String::from_utf8(requests[0].clone())
            .unwrap()
            .replace("ADRUN", &long_name);
        requests.push(long.into_bytes());
        let loose = reader::Limits {
            max_text_bytes: 4 * reader::DEFAULT_MAX_TEXT_BYTES,
            ..reader::Limits::default()
        };
        let mut parsed = 0;
        for (journal, with_file) in journals.iter().zip([false, true]) {
            let mut recorded = Vec::new();
            for (i, body) in requests.iter().chain(requests.iter().rev()).enumerate() {
                let body = Bytes::from(body.clone());
                let listener = if i % 3 == 0 {
                    Listener::Card
                } else {
                    Listener::Mtls
                };
                let ctx = ExchangeContext {
                    listener,
                    client: (i % 2 == 0).then_some(&c),
                    content_type: (i % 4 != 1).then_some("application/soap+xml; charset=utf-8"),
                    card: None,
                };
                let transport = Transport {
                    tls_version: (i % 2 == 1).then_some("TLSv1_3"),
                    path: "/lps",
                    elapsed: Duration::from_micros(i as u64),
                };
                let card = (i % 3 == 0).then(|| crate::card::CardHolder {
                    professional_id: Some(format!("80000{i}")),
                    ..Default::default()
                });
                let processed = with_limits(loose, |b| process(b, &ctx, &body));
                let (mut expected, reply, delay) =
                    journal_entry(&ctx, &transport, &body, processed.clone(), card.clone());
                let (got_reply, got_delay) =
                    record_exchange(journal, &ctx, &transport, &body, processed, card);
                assert_eq!((got_reply, got_delay), (reply, delay));
                let got = journal.entries().pop().unwrap();
                expected.seq = got.seq;
                // Times are read twice, a moment apart: compared apart.
                let rfc3339 = &time::format_description::well_known::Rfc3339;
                assert!(
                    time::OffsetDateTime::parse(&got.time, rfc3339).is_ok(),
                    "{}",
                    got.time
                );
                expected.time.clone_from(&got.time);
                assert_eq!(*got, expected, "request {i}");
                parsed += usize::from(expected.request_body.is_some());
                recorded.push(expected);
            }
            assert_eq!(journal.len(), 2);
            journal.flush().unwrap();
            if with_file {
                let text = std::fs::read_to_string(&path).unwrap();
                let lines: Vec<_> = text.lines().collect();
                let expected: Vec<_> = recorded
                    .iter()
                    .map(|e| serde_json::to_string(e).unwrap())
                    .collect();
                assert_eq!(lines, expected);
            }
        }
        // Both journals, the long request included: the parsed bodies were read back.
        assert!(parsed >= 2 * 8, "only {parsed} parsed bodies");
    }

    #[test]
    fn the_message_id_of_an_unparsable_request_is_still_echoed() {
        let body = b"<Envelope><wsa:MessageID>uuid:abc</wsa:MessageID><broken";
        assert_eq!(sniff_message_id(body).as_deref(), Some("uuid:abc"));
        let c = client();
        let ctx = ExchangeContext {
            listener: Listener::Mtls,
            client: Some(&c),
            content_type: None,
            card: None,
        };
        let p = with_state(|b| process(b, &ctx, body));
        assert_eq!(p.message_id.as_deref(), Some("uuid:abc"));
        assert!(String::from_utf8_lossy(p.reply.sent_body()).contains("messageID=\"uuid:abc\""));
    }
}
