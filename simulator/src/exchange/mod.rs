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
    match refusal {
        Some(fault) => respond::refused(b.dialect, request, fault, findings),
        None => behaviour::answer_request(b, ctx, request, findings),
    }
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
/// delay before it. `seq` is assigned by [`crate::journal::Journal::record`].
pub fn journal_entry(
    ctx: &ExchangeContext<'_>,
    transport: &Transport<'_>,
    request: &Bytes,
    processed: Processed,
    card: Option<crate::card::CardHolder>,
) -> (crate::journal::JournalEntry, Reply, Duration) {
    let Processed {
        reply,
        delay,
        operation,
        message_id,
        request_body,
        outcome,
        person,
        override_id,
        findings,
    } = processed;
    let entry = crate::journal::JournalEntry {
        seq: 0,
        time: crate::server::now_rfc3339(),
        tenant: ctx.client.and_then(|c| c.ou.clone()),
        listener: ctx.listener.name().into(),
        client_certificate: ctx.client.cloned(),
        card,
        tls_version: transport.tls_version.map(str::to_owned),
        http_request: format!("POST {}", transport.path),
        operation: operation.map(|o| op_name(o).to_owned()),
        message_id,
        content_type: ctx.content_type.map(str::to_owned),
        request_body,
        outcome,
        person,
        override_id,
        http_status: reply.status(),
        duration_us: u64::try_from(transport.elapsed.as_micros()).unwrap_or(u64::MAX),
        findings,
        raw_request: crate::journal::raw_body(request),
        raw_response: crate::journal::raw_body(&reply.sent_bytes()),
    };
    (entry, reply, delay)
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
        let dataset = Dataset::embedded_default().unwrap();
        let registry = ["PDP17NF21DD0".to_string()].into_iter().collect();
        let overrides = Overrides::default();
        let limits = reader::Limits::default();
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
