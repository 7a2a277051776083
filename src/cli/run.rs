//! `insilab run` (scaffolding: replaced by the issue that builds it).

use std::process::ExitCode;

/// Arguments of `insilab run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {}

/// Runs `insilab run`.
pub fn run(_args: RunArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`insilab run` is not available in this build yet")
}
