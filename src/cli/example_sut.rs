//! `insilab example-sut`: a small software under test that speaks the command-driver protocol
//! (`docs/driver-protocol.md`), built on the reference client. It shows publishers what their
//! adapter must print, and lets the docs and CI run the `command` driver for real.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use insilab_client::{ClientConfig, InsiClient, TlsIdentity};
use insilab_harness::driver::reference::{to_outcome, to_query};
use insilab_harness::outcome::TraitsInput;

/// Arguments of `insilab example-sut`.
#[derive(Debug, clap::Args)]
pub struct ExampleSutArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Searches by traits and prints the outcome JSON of the driver protocol on stdout.
    SearchTraits {
        /// INSi endpoint to call (the command driver's `{endpoint}`).
        #[arg(long)]
        endpoint: String,
        /// The traits as the driver gives them (the command driver's `{traits_json}`).
        #[arg(long)]
        traits_json: String,
        /// PKI directory holding the client identity.
        #[arg(long, default_value = insilab_certs::DEFAULT_DIR)]
        pki: PathBuf,
        /// Client identity in that PKI.
        #[arg(long, default_value = "insi-auto")]
        identity: String,
    },
}

/// Runs the action; the outcome goes to stdout as one JSON document. Exit 0 whenever an
/// outcome was printed (the harness judges it), 2 when the input cannot be read.
pub fn run(args: ExampleSutArgs) -> anyhow::Result<ExitCode> {
    let Action::SearchTraits {
        endpoint,
        traits_json,
        pki,
        identity,
    } = args.action;
    let input: TraitsInput = serde_json::from_str(&traits_json)
        .context("--traits-json is not the driver's traits JSON")?;
    let config = ClientConfig {
        url: endpoint,
        tls: TlsIdentity::Pki { dir: pki, identity },
        ..ClientConfig::default()
    };
    let client = InsiClient::new(config).context("failed to set up the INSi client")?;
    let outcome = super::runtime()?.block_on(client.search_traits(&to_query(&input)));
    println!("{}", serde_json::to_string_pretty(&to_outcome(&outcome))?);
    Ok(ExitCode::SUCCESS)
}
