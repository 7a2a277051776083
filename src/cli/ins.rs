//! `insilab ins` (scaffolding: replaced by the issue that builds it).

use std::process::ExitCode;

/// Arguments of `insilab ins`.
#[derive(Debug, clap::Args)]
pub struct InsArgs {}

/// Runs `insilab ins`.
pub fn run(_args: InsArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`insilab ins` is not available in this build yet")
}
