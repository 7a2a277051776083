//! `insilab report` (scaffolding: replaced by the issue that builds it).

use std::process::ExitCode;

/// Arguments of `insilab report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {}

/// Runs `insilab report`.
pub fn run(_args: ReportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`insilab report` is not available in this build yet")
}
