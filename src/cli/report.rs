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
    /// Reports to write, comma-separated: html, junit, json, md, and acceptance (the CNDA
    /// acceptance file: acceptance.html, acceptance-traces.zip, acceptance.pdf with Chromium).
    #[arg(
        long,
        value_name = "FORMATS",
        value_delimiter = ',',
        default_value = "html,junit,json,md",
        value_parser = parse_format
    )]
    pub format: Vec<ReportFormat>,
    /// Acceptance file: YAML with publisher, software, version, idam, structure,
    /// client_certificate (PEM), completing or overriding what the calls tell.
    #[arg(long, value_name = "FILE")]
    pub acceptance_config: Option<PathBuf>,
    /// Acceptance file: the PKI of the run (its insi-auto certificate is the one the reference
    /// driver presented).
    #[arg(long, value_name = "DIR", default_value = insilab_certs::DEFAULT_DIR)]
    pub pki: PathBuf,
    /// Acceptance file: screenshots taken after the run, one folder per scenario
    /// (`cnda_2.07-cas1/*.png`), besides the evidence's own `screenshots/`.
    #[arg(long, value_name = "DIR")]
    pub screenshots: Option<PathBuf>,
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

/// A format of `insilab report --format`: one of the reports, or the acceptance file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// A report of [`Format`].
    Report(Format),
    /// The CNDA acceptance file (several files).
    Acceptance,
}

fn parse_format(text: &str) -> Result<ReportFormat, String> {
    if text.trim().eq_ignore_ascii_case("acceptance") {
        return Ok(ReportFormat::Acceptance);
    }
    text.parse::<Format>()
        .map(ReportFormat::Report)
        .map_err(|_| {
            format!("unknown report format `{text}` (expected html, junit, json, md or acceptance)")
        })
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
    let formats: Vec<Format> = args
        .format
        .iter()
        .filter_map(|f| match f {
            ReportFormat::Report(format) => Some(*format),
            ReportFormat::Acceptance => None,
        })
        .collect();
    let mut paths = write_all(out, &input, &formats)
        .with_context(|| format!("failed to write the reports into {}", out.display()))?;
    if args.format.contains(&ReportFormat::Acceptance) {
        let sources = super::acceptance::CoverSources {
            config: args.acceptance_config.clone(),
            pki: Some(args.pki.clone()),
            screenshots: args.screenshots.clone(),
        };
        paths.extend(super::acceptance::write(
            from, out, &results, &catalogue, &problems, &sources,
        )?);
    }
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
    if let Some(incomplete) = results.incomplete() {
        eprintln!("{incomplete}");
    }
    Ok(if verdict == Verdict::Passed && problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
