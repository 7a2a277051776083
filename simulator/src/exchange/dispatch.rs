//! Dispatch: read the envelope (a Sender fault when it is not one) and route it by `wsa:Action`
//! and `wsa:MessageID`, judged by the catalogue's dispatch and addressing rules.

use insilab_core::insi::model::{Fault, Request};
use insilab_core::insi::{faults, reader};
use insilab_core::rules::Finding;

use super::respond::{fault_processed, sniff_message_id};
use super::{Behaviourals, CARD_MODE_DISABLED, ExchangeContext, Listener, Processed};
use crate::validation::{ADDRESSING_RULES, DISPATCH_RULES, FaultPolicy, decisive, fault_for};

/// The request read from `body`, or the fault answering an unreadable envelope.
pub(super) fn read(b: &Behaviourals<'_>, body: &[u8]) -> Result<Request, Box<Processed>> {
    reader::parse_request(body, b.reader_limits).map_err(|e| {
        let message_id = sniff_message_id(body);
        let fault = faults::invalid_request(
            message_id.as_deref(),
            &format!("the request is not a valid INSi SOAP 1.2 envelope: {e}"),
        );
        Box::new(fault_processed(
            b.dialect,
            None,
            message_id,
            None,
            fault,
            vec![],
        ))
    })
}

/// The fault ending the exchange at dispatch: card mode, then the dispatch and addressing
/// findings whose rule faults.
pub(super) fn route(
    ctx: &ExchangeContext<'_>,
    findings: &[Finding],
    policy: &FaultPolicy,
    mid: Option<&str>,
) -> Option<Fault> {
    if ctx.listener == Listener::Card {
        return Some(faults::invalid_request(mid, CARD_MODE_DISABLED));
    }
    [DISPATCH_RULES, ADDRESSING_RULES]
        .into_iter()
        .find_map(|stage| decisive(findings, policy, Some(stage)))
        .map(|f| fault_for(f, mid))
}
