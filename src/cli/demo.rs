//! `insilab demo` (scaffolding: replaced by the issue that builds it).

use std::process::ExitCode;

/// Arguments of `insilab demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {}

/// Runs `insilab demo`.
pub fn run(_args: DemoArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`insilab demo` is not available in this build yet")
}
