//! `insilab serve` (scaffolding: replaced by the issue that builds it).

use std::process::ExitCode;

/// Arguments of `insilab serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {}

/// Runs `insilab serve`.
pub fn run(_args: ServeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`insilab serve` is not available in this build yet")
}
