//! `insilab demo`: the one-command tour. Generates the test PKI when it is missing, runs the
//! CNDA, protocol, receiving and business suites against an in-process simulator with the reference driver, writes
//! every report, then replays the suites once per bug of the faulty-reference catalogue to show
//! that the harness catches each of them.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use insilab_harness::{Existing, Progress, RunOptions, RunSummary, run_self_test, run_suites};
use insilab_reports::model::Status;

mod carriers;

/// Arguments of `insilab demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Directory for the evidence bundle and the reports.
    #[arg(long, default_value = "insilab-out/demo")]
    pub out: PathBuf,
    /// PKI directory; generated there when missing.
    #[arg(long, default_value = insilab_certs::DEFAULT_DIR)]
    pub pki: PathBuf,
    /// Skip the faulty-reference self-test.
    #[arg(long)]
    pub skip_self_test: bool,
}

/// Runs `insilab demo`: exit 0 when every scenario passed with the reference driver and every
/// deliberate bug was caught, 1 otherwise, 2 on a setup error.
pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let runtime = super::runtime()?;
    runtime.block_on(demo(args))
}

async fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    // Not locked for the whole demo: the scenario progress goes to the same stream, written
    // from the runtime's worker threads.
    let mut out = std::io::stdout();
    writeln!(
        out,
        "insilab demo — the INSi simulator and the CNDA harness in one run\n"
    )?;

    // 1. The PKI.
    let started = Instant::now();
    let generated = ensure_pki(&args.pki)?;
    if generated {
        writeln!(
            out,
            "1. Test PKI generated in {} ({:.1} s): IGC-Santé shaped, with the negative catalogue.",
            args.pki.display(),
            started.elapsed().as_secs_f64()
        )?;
    } else {
        writeln!(out, "1. Test PKI found in {}.", args.pki.display())?;
    }

    // 2. The suites with the reference driver.
    writeln!(
        out,
        "2. CNDA, protocol, receiving and business suites, reference driver (and its identity manager), simulator in-process on 127.0.0.1:"
    )?;
    out.flush()?;
    let mut options = RunOptions::new("all", args.out.clone());
    options.pki = args.pki.clone();
    // The demo's directory is its own: each demo replaces the previous one.
    options.existing = Existing::Replace;
    options.progress = if std::io::stdout().is_terminal() {
        Progress::Tty(Box::new(std::io::stdout()))
    } else {
        Progress::Lines(Box::new(std::io::stdout()))
    };
    let started = Instant::now();
    let summary = run_suites(options)
        .await
        .context("failed to run the suites")?;
    let elapsed = started.elapsed();
    print_suite_table(&mut out, &summary)?;
    writeln!(
        out,
        "   {} scenarios in {:.1} s; evidence in {}",
        summary.results.scenarios.len(),
        elapsed.as_secs_f64(),
        summary.out.display()
    )?;

    // 3. The self-test.
    let mut uncaught = Vec::new();
    if args.skip_self_test {
        writeln!(out, "3. Self-test skipped (--skip-self-test).")?;
    } else {
        writeln!(
            out,
            "3. Self-test: the same suites with a deliberately faulty client, one run per bug:"
        )?;
        out.flush()?;
        let results = run_self_test("all", args.pki.clone(), self_test_dir(&args.out))
            .await
            .context("failed to run the self-test")?;
        for result in results {
            let name = result.bug.name();
            match (&result.evidence, result.caught) {
                (Some((scenario, _)), true) => writeln!(
                    out,
                    "   caught   {name:<28} {:>2} scenario(s) failed, e.g. {scenario} [{}]",
                    result.failed,
                    result.bug.rule()
                )?,
                _ => {
                    writeln!(
                        out,
                        "   MISSED   {name:<28} no failure names {}",
                        result.bug.rule()
                    )?;
                    uncaught.push(name);
                }
            }
        }
    }

    // 4. The other carriers of the INS.
    writeln!(
        out,
        "4. The INS in the other carriers: one qualified identity, checked by the same catalogue:"
    )?;
    out.flush()?;
    let carriers_dir = carriers_dir(&args.out);
    let lines = carriers::show(&carriers_dir, &args.pki)
        .await
        .context("failed to show the carriers")?;
    for line in &lines {
        writeln!(out, "   {line}")?;
    }

    // 5. Where to look.
    writeln!(out, "\nReports:")?;
    for path in &summary.reports {
        writeln!(out, "   {}", path.display())?;
    }
    writeln!(out, "   {}", carriers_dir.join(carriers::SUMMARY).display())?;
    if let Some(html) = summary
        .reports
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "html"))
    {
        writeln!(out, "Open the HTML report: {}", html.display())?;
    }
    if !uncaught.is_empty() {
        writeln!(
            out,
            "The harness missed {} deliberate bug(s): {}",
            uncaught.len(),
            uncaught.join(", ")
        )?;
    }
    writeln!(out, "{}", summary.last_line())?;
    let passed = summary.failed() == 0 && uncaught.is_empty();
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Where the carriers' files go: beside the run's evidence (`insilab-out/demo-carriers`).
fn carriers_dir(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push("-carriers");
    out.with_file_name(name)
}

/// Loads the PKI, or generates it when the directory holds none. Returns whether it generated.
/// Where the self-test writes: beside the run's evidence, not inside it, so the run's manifest
/// covers that one run (`insilab-out/demo` → `insilab-out/demo-self-test`).
fn self_test_dir(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push("-self-test");
    out.with_file_name(name)
}

fn ensure_pki(dir: &Path) -> anyhow::Result<bool> {
    if dir.join(insilab_certs::INDEX_FILE).exists() {
        insilab_certs::Pki::load(dir)
            .with_context(|| format!("failed to load the PKI in {}", dir.display()))?;
        return Ok(false);
    }
    // A random seed, as `insilab pki init` draws: a fixed one would give every installation the
    // same, publicly reproducible root key.
    let options = insilab_certs::PkiOptions {
        seed: insilab_certs::random_seed(),
        ..insilab_certs::PkiOptions::default()
    };
    insilab_certs::init(dir, &options, false)
        .with_context(|| format!("failed to generate the PKI in {}", dir.display()))?;
    Ok(true)
}

fn print_suite_table(out: &mut impl std::io::Write, summary: &RunSummary) -> std::io::Result<()> {
    for suite in &summary.results.suites {
        let in_suite = || {
            summary
                .results
                .scenarios
                .iter()
                .filter(move |s| &s.suite == suite)
        };
        let passed = in_suite().filter(|s| s.status == Status::Passed).count();
        let failed = in_suite().filter(|s| s.status == Status::Failed).count();
        let other = in_suite().count() - passed - failed;
        writeln!(
            out,
            "   {suite:<10} {passed:>3} passed {failed:>3} failed {other:>3} skipped/not run"
        )?;
        for scenario in in_suite().filter(|s| s.status == Status::Failed) {
            let message = scenario
                .failure
                .as_ref()
                .map(|f| f.message.as_str())
                .unwrap_or("");
            writeln!(out, "     FAILED {}: {message}", scenario.id)?;
        }
    }
    Ok(())
}
