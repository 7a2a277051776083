//! The Markdown summary: a few lines a CI job posts as a merge-request comment.

use std::fmt::Write as _;

use super::{CoverageState, ReportInput, ReportView};
use crate::ReportError;
use crate::model::{Status, Verdict};

/// Most failed scenarios listed by name; the rest are counted (a comment must stay short).
pub const MAX_LISTED_FAILURES: usize = 20;

/// Renders the Markdown summary.
pub fn write_markdown(input: &ReportInput<'_>) -> Result<String, ReportError> {
    let view = ReportView::new(input);
    let mut md = String::new();
    // Writing into a String cannot fail: the `let _ =` below discard an always-Ok result.
    let icon = match view.verdict {
        Verdict::Passed => "✅",
        Verdict::Failed => "❌",
        Verdict::Incomplete => "⚠️",
    };
    let _ = writeln!(
        md,
        "## {icon} insilab: {}",
        view.verdict.as_str().to_uppercase()
    );
    let _ = writeln!(md);
    let c = view.counts;
    let _ = writeln!(
        md,
        "**{} scenarios**: {} passed, {} failed, {} skipped, {} not run · driver `{}` · run `{}`",
        c.total,
        c.passed,
        c.failed,
        c.skipped,
        c.not_run,
        cell(&view.run.driver),
        cell(&view.run.run_id)
    );
    if let Some(family) = &view.run.family {
        let _ = writeln!(md);
        let _ = writeln!(md, "Software family judged: `{}`", cell(family));
    }
    if let Some(incomplete) = view.run.incomplete() {
        let _ = writeln!(md);
        let _ = writeln!(md, "> ⚠️ **{}**", cell(&incomplete));
    }
    if !view.evidence_problems.is_empty() {
        let _ = writeln!(md);
        let _ = writeln!(
            md,
            "> ⚠️ **Evidence check failed** ({} problems): the results may have been altered.",
            view.evidence_problems.len()
        );
        for problem in view.evidence_problems.iter().take(MAX_LISTED_FAILURES) {
            let _ = writeln!(md, "> - `{}`", cell(problem));
        }
    }

    let failed: Vec<_> = view
        .run
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Failed)
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(md);
        let _ = writeln!(md, "### Failed scenarios");
        let _ = writeln!(md);
        let _ = writeln!(md, "| Scenario | Rule | Why | The software reported |");
        let _ = writeln!(md, "|---|---|---|---|");
        for s in failed.iter().take(MAX_LISTED_FAILURES) {
            // Since results 1.1 a failure lists every rule that fired, each with its message.
            let (rule, why) = match &s.failure {
                Some(f) if !f.rules.is_empty() => (
                    f.rules
                        .iter()
                        .map(|r| r.rule.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    f.rules
                        .iter()
                        .map(|r| r.message.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                Some(f) => (
                    f.rule.clone().unwrap_or_else(|| "—".to_owned()),
                    f.message.clone(),
                ),
                None => ("—".to_owned(), String::new()),
            };
            let (rule, why) = (rule.as_str(), why.as_str());
            let reported = s
                .failure
                .as_ref()
                .and_then(|f| f.reported.as_deref())
                .unwrap_or("—");
            let _ = writeln!(
                md,
                "| `{}` {} | {} | {} | {} |",
                cell(&s.id),
                cell(&s.name),
                cell(rule),
                cell(why),
                cell(reported)
            );
        }
        if failed.len() > MAX_LISTED_FAILURES {
            let _ = writeln!(
                md,
                "\n…and {} more failed scenarios (see the HTML report).",
                failed.len() - MAX_LISTED_FAILURES
            );
        }
    }

    let skipped: Vec<_> = view
        .run
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Skipped)
        .collect();
    if !skipped.is_empty() {
        let _ = writeln!(md);
        let _ = writeln!(md, "### Skipped scenarios");
        let _ = writeln!(md);
        let _ = writeln!(md, "| Scenario | Why |");
        let _ = writeln!(md, "|---|---|");
        for s in skipped.iter().take(MAX_LISTED_FAILURES) {
            let _ = writeln!(
                md,
                "| `{}` {} | {} |",
                cell(&s.id),
                cell(&s.name),
                cell(s.skip_reason().unwrap_or("no reason given"))
            );
        }
        if skipped.len() > MAX_LISTED_FAILURES {
            let _ = writeln!(
                md,
                "\n…and {} more skipped scenarios (see the HTML report).",
                skipped.len() - MAX_LISTED_FAILURES
            );
        }
    }

    let (ok, ko, not_run, uncovered) = view.coverage_totals();
    let _ = writeln!(md);
    let _ = writeln!(md, "### Requirement coverage");
    let _ = writeln!(md);
    let _ = writeln!(
        md,
        "{} requirements: {ok} passed or attested, {ko} failed, {not_run} not run or pending an attestation, {uncovered} not exercised by this run.",
        view.requirements.len()
    );
    let failed_reqs: Vec<&str> = view
        .requirements
        .iter()
        .filter(|r| r.state == CoverageState::Failed)
        .map(|r| r.id.as_str())
        .collect();
    if !failed_reqs.is_empty() {
        let _ = writeln!(md);
        let _ = writeln!(md, "Failed requirements: `{}`", failed_reqs.join("`, `"));
    }
    if !view.unknown_requirements.is_empty() {
        let _ = writeln!(md);
        let _ = writeln!(
            md,
            "Requirement ids not in the catalogue: `{}`",
            view.unknown_requirements.join("`, `")
        );
    }
    if let Some(items) = &view.dsr {
        let _ = writeln!(md);
        let _ = writeln!(md, "| DSR item | State |");
        let _ = writeln!(md, "|---|---|");
        for item in items {
            let _ = writeln!(md, "| {} | {} |", cell(&item.id), item.state.as_str());
        }
    }
    Ok(md)
}

/// Makes text safe inside a table cell or inline code: no pipes, backticks or line breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('`', "'")
        .replace(['\n', '\r'], " ")
}
