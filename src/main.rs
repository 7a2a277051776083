//! The `insilab` command line: parses arguments and calls the libraries. No logic lives here
//! beyond wiring; each subcommand is one module of [`cli`].
#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

/// mimalloc rather than the system allocator: the simulator allocates a few dozen small values
/// per exchange, and mimalloc makes that work about a fifth cheaper (docs/performance.md). Built
/// with its `no_thp` feature (root `Cargo.toml`): without transparent huge pages on its arenas the
/// simulator's RSS at saturation stays near 54 MiB instead of 87 (docs/reliability.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};

/// INSi simulator and INS compliance harness.
///
/// Exit codes: 0 pass / found / valid, 1 failures found / not found / invalid, 2 usage or setup error.
#[derive(Debug, Parser)]
#[command(name = "insilab", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// One-command tour: PKI, simulator, CNDA + protocol suites, reports, self-test.
    Demo(cli::demo::DemoArgs),
    /// INS Datamatrix: encode an identity to PNG/SVG, decode and check an image or payload.
    Datamatrix(cli::datamatrix::DatamatrixArgs),
    /// INS matricule tools (check a matricule, compute a key).
    Ins(cli::ins::InsArgs),
    /// Generate and inspect the test PKI (IGC-Santé shaped).
    Pki(cli::pki::PkiArgs),
    /// Run the mock INSi teleservice.
    Serve(cli::serve::ServeArgs),
    /// Make one INSi call with the reference client.
    Query(cli::query::QueryArgs),
    /// Replay a suite against a software under test.
    Run(cli::run::RunArgs),
    /// Sign a CPx card-mode assertion with a virtual card, or check one offline.
    Card(cli::card::CardArgs),
    /// Check captured INSi requests/responses offline.
    Lint(cli::lint::LintArgs),
    /// Explain a rule of the catalogue, or list them all.
    Rule(cli::rule::RuleArgs),
    /// Regenerate reports from an evidence directory.
    Report(cli::report::ReportArgs),
    /// A sample software under test speaking the command-driver protocol.
    ExampleSut(cli::example_sut::ExampleSutArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    cli::init_tracing();
    let result = match cli.command {
        Command::Demo(args) => cli::demo::run(args),
        Command::Datamatrix(args) => cli::datamatrix::run(args),
        Command::Ins(args) => cli::ins::run(args),
        Command::Pki(args) => cli::pki::run(args),
        Command::Serve(args) => cli::serve::run(args),
        Command::Query(args) => cli::query::run(args),
        Command::Run(args) => cli::run::run(args),
        Command::Card(args) => cli::card::run(args),
        Command::Lint(args) => cli::lint::run(args),
        Command::Rule(args) => cli::rule::run(args),
        Command::Report(args) => cli::report::run(args),
        Command::ExampleSut(args) => cli::example_sut::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
