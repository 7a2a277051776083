//! Access: the client certificate CN and the software authorisation number (`LPS/IDAM`), in
//! the order the real service is believed to apply them.

use std::collections::HashSet;

use insilab_core::insi::faults;
use insilab_core::insi::model::{Fault, Request};

use super::ExchangeContext;
use crate::config::ACCEPTED_CLIENT_CNS;

/// The access fault, if any: `DESIR_560` for a CN other than `INSI-AUTO`/`INSI-MANU`,
/// `desir_550` for an IDAM outside the registry.
pub(super) fn check(
    ctx: &ExchangeContext<'_>,
    request: &Request,
    idam_registry: &HashSet<String>,
) -> Option<Fault> {
    let mid = request.headers.message_id.as_deref();
    let cn = ctx.client.and_then(|c| c.cn.as_deref());
    if !cn.is_some_and(|cn| ACCEPTED_CLIENT_CNS.contains(&cn)) {
        return Some(faults::desir_560(mid));
    }
    let idam = request.headers.lps.as_ref().and_then(|l| l.idam.as_deref());
    if !idam.is_some_and(|i| idam_registry.contains(i.trim())) {
        return Some(faults::desir_550(mid));
    }
    None
}
