//! `insilab pki` (scaffolding: replaced by the issue that builds it).

use std::process::ExitCode;

/// Arguments of `insilab pki`.
#[derive(Debug, clap::Args)]
pub struct PkiArgs {}

/// Runs `insilab pki`.
pub fn run(_args: PkiArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`insilab pki` is not available in this build yet")
}
