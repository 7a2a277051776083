//! The HTML report: one self-contained page (inline CSS and SVG, no script, no external
//! asset) rendered from `templates/report.html` with minijinja, autoescape on.

use minijinja::Environment;
use serde::Serialize;

use super::{ReportInput, ReportView, RequirementView};
use crate::ReportError;
use crate::catalogue::Source;
use crate::model::Status;

const TEMPLATE_NAME: &str = "report.html";
const TEMPLATE: &str = include_str!("../../templates/report.html");

/// Width of the longest bar of the suite chart, in pixels.
const CHART_BAR_WIDTH: u32 = 640;
/// Left margin of the chart reserved for suite names.
const CHART_LABEL_WIDTH: u32 = 140;
/// Height of one bar.
const CHART_BAR_HEIGHT: u32 = 22;
/// Vertical distance between two bars.
const CHART_ROW_HEIGHT: u32 = 32;

/// Renders the HTML report.
pub fn write_html(input: &ReportInput<'_>) -> Result<String, ReportError> {
    let view = ReportView::new(input);
    let context = HtmlContext {
        groups: Source::ALL
            .iter()
            .map(|source| Group {
                title: source.title(),
                requirements: view.requirements_of(*source),
            })
            .filter(|g| !g.requirements.is_empty())
            .collect(),
        chart: chart(&view),
        coverage: {
            let (ok, failed, not_run, uncovered) = view.coverage_totals();
            CoverageTotals {
                ok,
                failed,
                not_run,
                uncovered,
            }
        },
        banner: if view.evidence_problems.is_empty() {
            view.verdict.as_str()
        } else {
            "altered"
        },
        incomplete: view.run.incomplete(),
        failures: failures(&view),
        skipped: view
            .run
            .scenarios
            .iter()
            .filter(|s| s.status == Status::Skipped)
            .map(|s| SkipView {
                id: &s.id,
                name: &s.name,
                reason: s.skip_reason().unwrap_or("no reason given"),
            })
            .collect(),
        view: &view,
    };
    let template_error = |e: minijinja::Error| ReportError::Template {
        template: TEMPLATE_NAME,
        message: format!("{e:#}"),
    };
    let mut env = Environment::new();
    // The default callback turns HTML escaping on for `.html` names: make it explicit.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template(TEMPLATE_NAME, TEMPLATE)
        .map_err(template_error)?;
    let template = env.get_template(TEMPLATE_NAME).map_err(template_error)?;
    template.render(&context).map_err(template_error)
}

#[derive(Serialize)]
struct HtmlContext<'v, 'a> {
    #[serde(flatten)]
    view: &'v ReportView<'a>,
    /// The banner's word: the verdict, or `altered` when the evidence check failed (a green
    /// "passed" never stands above altered evidence).
    banner: &'static str,
    /// `incomplete: N of M scenarios ran (why)` for a run that stopped early.
    incomplete: Option<String>,
    failures: Vec<FailureView<'a>>,
    skipped: Vec<SkipView<'a>>,
    groups: Vec<Group<'v>>,
    chart: Chart,
    coverage: CoverageTotals,
}

/// One failed scenario, as the failures section opens the report with it.
#[derive(Serialize)]
struct FailureView<'a> {
    id: &'a str,
    name: &'a str,
    /// Every rule that fired with its expected/observed message (one row without rule for a
    /// set-up failure).
    rules: Vec<RuleRow<'a>>,
    /// What the software itself reported.
    reported: Option<&'a str>,
}

#[derive(Serialize)]
struct RuleRow<'a> {
    rule: Option<&'a str>,
    message: &'a str,
}

#[derive(Serialize)]
struct SkipView<'a> {
    id: &'a str,
    name: &'a str,
    reason: &'a str,
}

fn failures<'a>(view: &ReportView<'a>) -> Vec<FailureView<'a>> {
    let run: &'a crate::model::RunResults = view.run;
    run.scenarios
        .iter()
        .filter(|s| s.status == Status::Failed)
        .map(|s| {
            let rules = match &s.failure {
                Some(f) if !f.rules.is_empty() => f
                    .rules
                    .iter()
                    .map(|r| RuleRow {
                        rule: Some(&r.rule),
                        message: &r.message,
                    })
                    .collect(),
                Some(f) => vec![RuleRow {
                    rule: f.rule.as_deref(),
                    message: &f.message,
                }],
                None => vec![RuleRow {
                    rule: None,
                    message: "scenario failed",
                }],
            };
            FailureView {
                id: &s.id,
                name: &s.name,
                rules,
                reported: s.failure.as_ref().and_then(|f| f.reported.as_deref()),
            }
        })
        .collect()
}

#[derive(Serialize)]
struct Group<'v> {
    title: &'static str,
    requirements: Vec<&'v RequirementView>,
}

#[derive(Serialize)]
struct CoverageTotals {
    ok: usize,
    failed: usize,
    not_run: usize,
    uncovered: usize,
}

#[derive(Serialize)]
struct Chart {
    width: u32,
    height: u32,
    bar: u32,
    label_x: u32,
    rows: Vec<ChartRow>,
}

#[derive(Serialize)]
struct ChartRow {
    name: String,
    y: u32,
    text_y: u32,
    total: usize,
    bar_width: u32,
    segments: Vec<Segment>,
}

#[derive(Serialize)]
struct Segment {
    x: u32,
    width: u32,
    count: usize,
    status: &'static str,
    color: &'static str,
}

/// Horizontal stacked bars, one per suite, scaled to the largest suite.
fn chart(view: &ReportView<'_>) -> Chart {
    let max = view
        .suites
        .iter()
        .map(|s| s.counts.total)
        .max()
        .unwrap_or(0)
        .max(1);
    let rows = view
        .suites
        .iter()
        .zip(0u32..)
        .map(|(suite, i)| {
            let y = 4 + i * CHART_ROW_HEIGHT;
            let mut x = CHART_LABEL_WIDTH;
            let mut segments = Vec::new();
            let c = suite.counts;
            for (count, status, color) in [
                (c.passed, "passed", "#1a7f37"),
                (c.failed, "failed", "#cf222e"),
                (c.skipped, "skipped", "#8c959f"),
                (c.not_run, "not run", "#bf8700"),
            ] {
                if count == 0 {
                    continue;
                }
                let width = scale(count, max);
                segments.push(Segment {
                    x,
                    width,
                    count,
                    status,
                    color,
                });
                x += width;
            }
            ChartRow {
                name: suite.name.clone(),
                y,
                text_y: y + CHART_BAR_HEIGHT - 6,
                total: c.total,
                bar_width: x - CHART_LABEL_WIDTH,
                segments,
            }
        })
        .collect::<Vec<_>>();
    let n = u32::try_from(rows.len()).unwrap_or(u32::MAX).max(1);
    Chart {
        width: CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 60,
        height: 8 + n * CHART_ROW_HEIGHT,
        bar: CHART_BAR_HEIGHT,
        label_x: CHART_LABEL_WIDTH,
        rows,
    }
}

/// Width of `count` scenarios when `max` fills the bar; at least 2 px so one scenario shows.
fn scale(count: usize, max: usize) -> u32 {
    let width = (count as u64 * u64::from(CHART_BAR_WIDTH)) / (max as u64).max(1);
    u32::try_from(width).unwrap_or(CHART_BAR_WIDTH).max(2)
}
