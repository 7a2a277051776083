//! Rules of the exchange formats that carry the INS outside INSi: HL7 v2 (`INS-HL7-*`), the INS
//! Datamatrix (`INS-DM-*`) and what a printed Datamatrix must show (`INS-DISP-*`). They are
//! entries of the one catalogue ([`super::CATALOGUE`], typed `RuleId`s); the checks live in the
//! `insilab-formats` crate (ins-rules.md §2.3, §6, §7.1, §8 `H-HL7-*`, `H-DM-*`, `H-DISP-*`).

use super::catalogue::{CATALOGUE, Rule};

/// Prefix of every format rule id.
const FORMAT_PREFIX: &str = "INS-";

/// Every format rule of the catalogue, HL7 v2 first, then the Datamatrix, then display.
pub fn format_rules() -> impl Iterator<Item = &'static Rule> {
    CATALOGUE
        .iter()
        .filter(|r| r.id.as_str().starts_with(FORMAT_PREFIX))
}

/// Renders the format rules as the Markdown table of `docs/formats.md`.
pub fn markdown_table() -> String {
    let mut out = String::from("| Id | Severity | Requirements | Summary |\n|---|---|---|---|\n");
    for r in format_rules() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            r.id,
            r.severity.as_str(),
            r.requirements.join(", "),
            r.summary
        ));
    }
    out
}
