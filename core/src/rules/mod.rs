//! The catalogue of checks applied to INSi requests (simulator, `lint`) and answers (`lint`, the
//! reference client) and client behaviour (the harness, [`behaviour`]): each check has a stable id, a severity and requirement links
//! ([`CATALOGUE`]); a check returns [`Finding`]s and never panics.

mod assertion;
pub mod behaviour;
mod catalogue;
pub mod formats;
mod request;
mod response;
pub mod values;

pub use assertion::{
    AssertionPolicy, AssertionReport, CardCertificate, DEFAULT_ASSERTION_VALIDITY,
    DEFAULT_CLOCK_SKEW, MAX_ASSERTION_DEPTH, MAX_ASSERTION_MESSAGE_BYTES, check_assertion,
};
pub use catalogue::{
    CATALOGUE, Component, Rule, RuleId, Severity, UnknownRule, all, find, markdown_document,
    markdown_table, rule,
};
pub use request::{CheckContext, MAX_FIRST_NAMES, MAX_TRAIT_CHARS, UNKNOWN_YEAR, check_request};
pub use response::{check_found, check_response};

use serde::{Deserialize, Serialize};

/// One breach of a rule, where it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule id (`INSI-HDR-001`).
    pub rule_id: RuleId,
    /// The rule's severity.
    pub severity: Severity,
    /// Lower-case message naming the offending value.
    pub message: String,
    /// Where, as an element path (`Header/ContexteBAM/@Version`), when it applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
    fn push(&mut self, rule_id: RuleId, path: impl Into<Option<String>>, message: String) {
        self.0.push(Finding::new(rule_id, path, message));
    }
}

impl Finding {
    /// A finding of `rule_id` (its severity comes from the catalogue).
    pub fn new(rule_id: RuleId, path: impl Into<Option<String>>, message: String) -> Self {
        Finding {
            rule_id,
            severity: rule_id.severity(),
            message,
            path: path.into(),
        }
    }
}
