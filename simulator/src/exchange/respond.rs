//! Respond: the `Processed` values the other stages return, written by the dialect writer.

use std::time::Duration;

use bytes::Bytes;
use insilab_core::insi::Operation;
use insilab_core::insi::model::{Fault, Request};
use insilab_core::insi::writer::{self, Dialect};

use super::{Processed, Reply, SOAP_CONTENT_TYPE};
use crate::journal::{JournalFinding, Outcome};

/// The fault answering `request`, with its findings.
pub(super) fn refused(
    dialect: Dialect,
    request: Request,
    fault: Fault,
    findings: Vec<JournalFinding>,
) -> Processed {
    let op = request.operation();
    fault_processed(
        dialect,
        Some(op),
        request.headers.message_id,
        Some(request.body),
        fault,
        findings,
    )
}

pub(super) fn base(op: Operation, outcome: Outcome) -> Processed {
    Processed {
        reply: Reply::Reset,
        delay: Duration::ZERO,
        operation: Some(op),
        message_id: None,
        request_body: None,
        outcome,
        person: None,
        override_id: None,
        findings: vec![],
        read_with: None,
    }
}

/// A `RESULTAT` with `code` whose bytes were written once ([`crate::answer_cache`]).
pub(super) fn cached_processed(op: Operation, code: &str, body: Bytes) -> Processed {
    let mut p = base(
        op,
        Outcome::Cr {
            code: code.to_owned(),
        },
    );
    p.reply = Reply::Full {
        status: 200,
        content_type: SOAP_CONTENT_TYPE,
        body,
    };
    p
}

pub(super) fn file_processed(op: Operation, name: &str) -> Processed {
    let mut p = base(
        op,
        Outcome::AnswerFile {
            name: name.to_owned(),
        },
    );
    match crate::answers::answer_file(name) {
        Some(f) => {
            p.reply = Reply::Full {
                status: f.status,
                content_type: SOAP_CONTENT_TYPE,
                body: Bytes::from_static(f.body.as_bytes()),
            };
            p.outcome = Outcome::AnswerFile {
                name: f.name.to_owned(),
            };
        }
        None => {
            // Validated when the dataset or override was loaded; answer 500 rather than panic.
            p.reply = Reply::Full {
                status: 500,
                content_type: "text/plain; charset=utf-8",
                body: Bytes::from(format!("unknown answer file `{name}`\n")),
            };
            p.outcome = Outcome::Http {
                reason: format!("unknown answer file `{name}`"),
            };
        }
    }
    p
}

pub(super) fn fault_processed(
    dialect: Dialect,
    op: Option<Operation>,
    message_id: Option<String>,
    request_body: Option<insilab_core::insi::model::RequestBody>,
    fault: Fault,
    findings: Vec<JournalFinding>,
) -> Processed {
    Processed {
        reply: Reply::Full {
            status: 500,
            content_type: SOAP_CONTENT_TYPE,
            body: Bytes::from(writer::write_fault(&fault, dialect.fault_dialect())),
        },
        delay: Duration::ZERO,
        operation: op,
        message_id,
        request_body,
        outcome: Outcome::Fault {
            code: fault.erreur.code.clone(),
        },
        person: None,
        override_id: None,
        findings,
        read_with: None,
    }
}

/// Best-effort `wsa:MessageID` of a request that did not parse, so that even the "invalid
/// envelope" fault echoes it.
pub fn sniff_message_id(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("MessageID")?;
    let after = &text[start..];
    let open_end = after.find('>')?;
    if after[..open_end].ends_with('/') {
        return None;
    }
    let rest = &after[open_end + 1..];
    let close = rest.find('<')?;
    let id = rest[..close].trim();
    (!id.is_empty() && id.len() <= 200).then(|| id.to_owned())
}
