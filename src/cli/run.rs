//! `insilab run`: replays a suite against a software under test through a driver and writes
//! the evidence bundle and the reports.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use insilab_harness::{DriverSpec, Existing, Progress, RunOptions, SimulatorSpec, run_suites};
use insilab_reports::model::Status;
use insilab_reports::writers::Format;

/// Arguments of `insilab run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// `cnda`, `protocol`, `receiving`, `business`, `all`, or a .feature file or directory of them.
    #[arg(long, default_value = "all")]
    pub suite: String,
    /// `reference`, `command`, `http` or `manual` (`faulty:<bug>` runs a self-test bug).
    #[arg(long, default_value = "reference")]
    pub driver: String,
    /// YAML configuration of the driver (required by command and http).
    #[arg(long, value_name = "FILE")]
    pub driver_config: Option<PathBuf>,
    /// `in-process` (start one here) or the admin URL of a running `insilab serve`.
    #[arg(long, default_value = "in-process")]
    pub simulator: String,
    /// Bearer token of the remote simulator's admin API.
    #[arg(long, env = "INSILAB_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// INSi endpoint of the remote simulator (the URL the software calls).
    #[arg(long, default_value = "https://127.0.0.1:8443/lps")]
    pub endpoint: String,
    /// Gherkin tag expression (`@cnda and not @slow`).
    #[arg(long)]
    pub tags: Option<String>,
    /// The kind of software judged: `non-repository` (receives INS-referenced data, does not
    /// manage identities), `identity-repository`, or `all`. Only the scenarios whose
    /// requirements bind that family run (`scenarios/requirements.yaml`, `families`).
    #[arg(long, default_value = "all", value_parser = ["non-repository", "identity-repository", "all"])]
    pub family: String,
    /// Evidence and report directory (default `insilab-out/<UTC timestamp>`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace the `--out` directory whole when it is not empty (refused otherwise).
    #[arg(long)]
    pub force: bool,
    /// PKI directory (generated when missing).
    #[arg(long, value_name = "DIR", default_value = insilab_certs::DEFAULT_DIR)]
    pub pki: PathBuf,
    /// Report formats, comma-separated (`html,junit,json,md`).
    #[arg(long, value_delimiter = ',', default_value = "html,junit,json,md")]
    pub formats: Vec<String>,
    /// Delay, in seconds, of the "answer comes after the software's timeout" scenario (at most
    /// 120). Default: `software_timeout_seconds` of the driver configuration plus 2, else 3.
    #[arg(long, value_name = "SECS")]
    pub timeout_delay: Option<u64>,
    /// Your software's own authorisation number (`LPS/IDAM`): the in-process simulator accepts
    /// it besides the test ones (repeatable; also `allow_idam` in the driver configuration).
    #[arg(long = "allow-idam", value_name = "ID")]
    pub allow_idam: Vec<String>,
    /// Ségur DSR mapping file (DSR item → requirement ids): the reports also group by DSR item.
    #[arg(long, value_name = "FILE")]
    pub dsr_mapping: Option<PathBuf>,
    /// Also draft the CNDA acceptance file (acceptance.html, acceptance-traces.zip, and
    /// acceptance.pdf when Chromium is installed) into the evidence directory.
    #[arg(long)]
    pub acceptance: bool,
    /// YAML completing the acceptance file's cover (publisher, software, version, idam,
    /// structure, client_certificate).
    #[arg(long, value_name = "FILE", requires = "acceptance")]
    pub acceptance_config: Option<PathBuf>,
    /// Also copy the JUnit report to this path (for CI).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// Runs `insilab run`: exit 0 all passed, 1 failures, 2 setup error.
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let out = args
        .out
        .unwrap_or_else(insilab_harness::runner::default_out_dir);
    let mut opts = RunOptions::new(&args.suite, out);
    opts.driver = DriverSpec::parse(&args.driver, args.driver_config)?;
    opts.simulator = match args.simulator.as_str() {
        "in-process" => SimulatorSpec::InProcess,
        url => SimulatorSpec::Remote {
            admin_url: url.to_owned(),
            admin_token: args.admin_token.context(
                "--admin-token (or INSILAB_ADMIN_TOKEN) is needed with a remote simulator",
            )?,
            endpoint_url: args.endpoint,
        },
    };
    opts.tags = args.tags;
    opts.family = insilab_reports::catalogue::Family::parse(&args.family)
        .with_context(|| format!("--family {:?} is not a software family", args.family))?;
    opts.dsr_mapping = args.dsr_mapping;
    opts.timeout_delay = args.timeout_delay.map(std::time::Duration::from_secs);
    opts.allow_idam = args.allow_idam;
    opts.stop_on_signals = true;
    opts.pki = args.pki.clone();
    opts.existing = if args.force {
        Existing::Replace
    } else {
        Existing::Refuse
    };
    let mut formats: Vec<Format> = args
        .formats
        .iter()
        .map(|f| f.parse::<Format>())
        .collect::<Result<_, _>>()?;
    if args.junit.is_some() && !formats.contains(&Format::Junit) {
        formats.push(Format::Junit);
    }
    opts.formats = formats;
    opts.progress = if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        Progress::Tty(Box::new(std::io::stdout()))
    } else {
        Progress::Lines(Box::new(std::io::stdout()))
    };
    let summary = crate::cli::runtime()?.block_on(run_suites(opts))?;
    if summary.results.scenarios.is_empty() && summary.results.stopped.is_none() {
        anyhow::bail!(
            "no scenario of suite {:?} matches the tag expression and applies to the family {}",
            args.suite,
            args.family
        );
    }
    if let Some(path) = &args.junit {
        std::fs::copy(summary.out.join(Format::Junit.file_name()), path)
            .with_context(|| format!("cannot copy the JUnit report to {}", path.display()))?;
    }
    let mut acceptance = Vec::new();
    if args.acceptance {
        let sources = super::acceptance::CoverSources {
            config: args.acceptance_config.clone(),
            pki: Some(args.pki.clone()),
            screenshots: None,
        };
        acceptance = super::acceptance::write(
            &summary.out,
            &summary.out,
            &summary.results,
            &insilab_reports::Catalogue::embedded(),
            &[],
            &sources,
        )?;
    }
    println!();
    let failed: Vec<_> = summary
        .results
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Failed)
        .collect();
    if !failed.is_empty() {
        println!("Failures:");
        for s in &failed {
            let message = s.failure.as_ref().map(|f| f.message.as_str()).unwrap_or("");
            println!("  {} — {}\n    {message}", s.id, s.name);
        }
    }
    let skipped: Vec<_> = summary
        .results
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Skipped)
        .collect();
    if !skipped.is_empty() {
        println!("Skipped:");
        for s in &skipped {
            println!(
                "  {} — {}",
                s.id,
                s.skip_reason().unwrap_or("no reason given")
            );
        }
    }
    println!("Evidence: {}", summary.out.display());
    for report in &summary.reports {
        println!("Report:   {}", report.display());
    }
    for file in &acceptance {
        println!("Acceptance: {}", file.display());
    }
    println!("{}", summary.last_line());
    if let Some(incomplete) = summary.results.incomplete() {
        eprintln!("error: {incomplete}; the evidence is marked incomplete and sealed");
        return Ok(ExitCode::from(if summary.failed() > 0 { 1 } else { 2 }));
    }
    if summary.failed() > 0 {
        return Ok(ExitCode::from(1));
    }
    if summary.passed() == 0 {
        // Nothing was judged: a green exit would claim a compliance nobody checked.
        eprintln!(
            "error: nothing was judged: all {} scenarios were skipped (reasons above)",
            summary.results.scenarios.len()
        );
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}
