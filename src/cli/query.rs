//! `insilab query` (scaffolding: replaced by the issue that builds it).

use std::process::ExitCode;

/// Arguments of `insilab query`.
#[derive(Debug, clap::Args)]
pub struct QueryArgs {}

/// Runs `insilab query`.
pub fn run(_args: QueryArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`insilab query` is not available in this build yet")
}
