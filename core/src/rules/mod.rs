//! The catalogue of checks applied to INSi requests (simulator, `lint`) and answers (`lint`, the
//! reference client): each check has a stable id, a severity and requirement links
//! ([`CATALOGUE`]); a check returns [`Finding`]s and never panics.

mod catalogue;
pub mod formats;
mod request;
mod response;

pub use catalogue::{CATALOGUE, Rule, Severity, markdown_table, rule};
pub use request::{CheckContext, UNKNOWN_YEAR, check_request};
pub use response::check_response;

use serde::Serialize;

/// One breach of a rule, where it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule id (`INSI-HDR-001`).
    pub rule_id: &'static str,
    /// The rule's severity.
    pub severity: Severity,
    /// Lower-case message naming the offending value.
    pub message: String,
    /// Where, as an element path (`Header/ContexteBAM/@Version`), when it applies.
    pub path: Option<String>,
}

/// Longest value quoted in a message (keeps findings bounded on hostile input).
const MAX_QUOTED: usize = 64;

/// `value` cut to [`MAX_QUOTED`] characters, for messages.
fn quote(value: &str) -> String {
    let mut out: String = value.chars().take(MAX_QUOTED).collect();
    if value.chars().nth(MAX_QUOTED).is_some() {
        out.push('…');
    }
    format!("{out:?}")
}

/// Collects findings; looks the severity up in the catalogue.
#[derive(Debug, Default)]
struct Findings(Vec<Finding>);

impl Findings {
    fn push(&mut self, rule_id: &'static str, path: impl Into<Option<String>>, message: String) {
        // Every id pushed is a literal of this module, tested against CATALOGUE; Advice is a safe
        // fallback should one ever be missing.
        let severity = rule(rule_id).map_or(Severity::Advice, |r| r.severity);
        self.0.push(Finding {
            rule_id,
            severity,
            message,
            path: path.into(),
        });
    }
}
