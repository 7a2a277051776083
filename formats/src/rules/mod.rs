//! The checks of the format rules. Each returns core [`Finding`]s named by typed ids of the one
//! catalogue (`insilab_core::rules`, the `INS-HL7`, `INS-DM` and `INS-DISP` entries).

pub mod cda;
pub mod datamatrix;
pub mod fhir;
pub mod hl7;

use insilab_core::rules::{Finding, RuleId};

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
    fn push(&mut self, rule_id: RuleId, path: impl Into<Option<String>>, message: String) {
        self.0.push(Finding::new(rule_id, path, message));
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

/// `YYYYMMDD`, a calendar date.
pub(crate) fn is_compact_date(s: &str) -> bool {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u16>().ok()).unwrap_or(0);
    let Ok(month) = time::Month::try_from(u8::try_from(n(4..6)).unwrap_or(0)) else {
        return false;
    };
    time::Date::from_calendar_date(
        i32::from(n(0..4)),
        month,
        u8::try_from(n(6..8)).unwrap_or(0),
    )
    .is_ok()
}
