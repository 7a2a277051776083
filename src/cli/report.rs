//! `insilab report`: checks an evidence directory against its manifest, then regenerates the
//! reports from its `results.json`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use insilab_reports::evidence::{inline_exchanges, load_results, verify_manifest};
use insilab_reports::{Catalogue, DsrMapping, Format, ReportInput, Verdict, write_all};

/// Arguments of `insilab report`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes: 0 the run passed and the evidence is intact; 1 the run had failures, \
                  was incomplete, or the evidence was altered; 2 setup error."
)]
pub struct ReportArgs {
    /// Evidence directory written by `insilab run` (holds results.json and manifest.sha256).
    #[arg(long, value_name = "EVIDENCE_DIR")]
    pub from: PathBuf,
    /// Reports to write, comma-separated: html, junit, json, md.
    #[arg(
        long,
        value_name = "FORMATS",
        value_delimiter = ',',
        default_value = "html,junit,json,md",
        value_parser = parse_format
    )]
    pub format: Vec<Format>,
    /// Ségur DSR mapping (YAML, DSR item id -> requirement ids) to group results by DSR item.
    #[arg(long, value_name = "FILE")]
    pub dsr_mapping: Option<PathBuf>,
    /// Directory for the reports [default: the evidence directory].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Requirement catalogue to use instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub requirements: Option<PathBuf>,
}

fn parse_format(text: &str) -> Result<Format, String> {
    text.parse::<Format>().map_err(|e| e.to_string())
}

/// Runs `insilab report`.
pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let from = &args.from;
    anyhow::ensure!(
        from.is_dir(),
        "evidence directory {} does not exist (pass the --out directory of `insilab run`)",
        from.display()
    );
    let problems = verify_manifest(from)
        .with_context(|| format!("failed to check the manifest of {}", from.display()))?;
    for problem in &problems {
        eprintln!("evidence: {problem}");
    }
    let mut results = load_results(from)
        .with_context(|| format!("failed to read the results in {}", from.display()))?;
    inline_exchanges(from, &mut results);
    let catalogue = match &args.requirements {
        Some(path) => Catalogue::load(path).with_context(|| {
            format!(
                "failed to load the requirement catalogue {}",
                path.display()
            )
        })?,
        None => Catalogue::embedded(),
    };
    let dsr = match &args.dsr_mapping {
        Some(path) => Some(
            DsrMapping::load(path, &catalogue)
                .with_context(|| format!("failed to load the DSR mapping {}", path.display()))?,
        ),
        None => None,
    };
    let input = ReportInput {
        results: &results,
        catalogue: &catalogue,
        dsr: dsr.as_ref(),
        evidence_problems: &problems,
    };
    let out = args.out.as_ref().unwrap_or(from);
    let paths = write_all(out, &input, &args.format)
        .with_context(|| format!("failed to write the reports into {}", out.display()))?;
    for path in &paths {
        println!("{}", path.display());
    }
    let counts = results.counts();
    let verdict = results.verdict();
    eprintln!(
        "{}: {} passed, {} failed, {} skipped, {} not run{}",
        verdict,
        counts.passed,
        counts.failed,
        counts.skipped,
        counts.not_run,
        if problems.is_empty() {
            String::new()
        } else {
            format!("; EVIDENCE ALTERED ({} problems)", problems.len())
        }
    );
    Ok(if verdict == Verdict::Passed && problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
