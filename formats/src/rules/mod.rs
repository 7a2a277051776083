//! The checks of the format rules. Each returns core [`Finding`]s whose ids, severities and
//! requirement links are those of `insilab_core::rules::formats::FORMAT_RULES`.

pub mod datamatrix;
pub mod hl7;

use insilab_core::rules::{Finding, Severity, rule};

/// Longest value quoted in a message.
const MAX_QUOTED: usize = 64;

fn quote(value: &str) -> String {
    let mut out: String = value.chars().take(MAX_QUOTED).collect();
    if value.chars().nth(MAX_QUOTED).is_some() {
        out.push('…');
    }
    format!("{out:?}")
}

/// Collects findings, severity from the catalogue.
#[derive(Debug, Default)]
struct Findings(Vec<Finding>);

impl Findings {
    fn push(&mut self, rule_id: &'static str, path: impl Into<Option<String>>, message: String) {
        // Every id pushed is a literal of this module, tested against the catalogue; Advice is a
        // safe fallback should one ever be missing.
        let severity = rule(rule_id).map_or(Severity::Advice, |r| r.severity);
        self.0.push(Finding {
            rule_id,
            severity,
            message,
            path: path.into(),
        });
    }
}

/// First-name equivalence of EXI ID 10: hyphen, apostrophe and space are the same separator.
fn fold_separators(s: &str) -> String {
    s.chars()
        .map(|c| if c == '-' || c == '\'' { ' ' } else { c })
        .collect()
}

/// Whether `first` is the beginning of `list` on name boundaries, separators being equivalent.
fn first_name_consistent(first: &str, list: &str) -> bool {
    let (f, l) = (fold_separators(first), fold_separators(list));
    !f.is_empty() && (l == f || l.starts_with(&format!("{f} ")))
}
