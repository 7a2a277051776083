//! `insilab lint` (scaffolding: replaced by the issue that builds it).

use std::process::ExitCode;

/// Arguments of `insilab lint`.
#[derive(Debug, clap::Args)]
pub struct LintArgs {}

/// Runs `insilab lint`.
pub fn run(_args: LintArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`insilab lint` is not available in this build yet")
}
