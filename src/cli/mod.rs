//! One module per subcommand. Each exposes its clap `…Args` and `run(args) -> Result<ExitCode>`.
//! Exit codes follow one convention everywhere: 0 success, 1 findings/failures/not found,
//! 2 usage or setup error (an `Err` returned from `run` becomes 2 in `main`).

pub mod acceptance;
pub mod card;
pub mod datamatrix;
pub mod demo;
pub mod example_sut;
pub mod ins;
pub mod lint;
pub mod pki;
pub mod query;
pub mod report;
pub mod rule;
pub mod run;
pub mod serve;

/// One finding as the text commands print it: `  error  RULE-ID message at path` (the path left
/// out when the message already starts with it, as the lexical checks' messages do).
pub fn finding_line(f: &insilab_core::rules::Finding) -> String {
    let at = f
        .path
        .as_deref()
        .filter(|p| !f.message.starts_with(p))
        .map(|p| format!(" at {p}"))
        .unwrap_or_default();
    format!(
        "  {:<6} {} {}{at}",
        f.severity.as_str(),
        f.rule_id,
        f.message
    )
}

/// Logs go to stderr; `RUST_LOG` overrides the default level.
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::env::var_os("NO_COLOR").is_none())
        .try_init();
}

/// Builds the multi-thread tokio runtime used by the async subcommands.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context as _;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")
}
