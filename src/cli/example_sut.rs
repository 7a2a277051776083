//! `insilab example-sut`: a small software under test that speaks the command-driver protocol
//! (`docs/driver-protocol.md`), built on the reference client. It shows publishers what their
//! adapter must print, and lets the docs and CI run the `command` driver for real.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use insilab_client::{CardQuery, ClientConfig, InsiClient, TlsIdentity};
use insilab_harness::driver::reference::{
    to_outcome, to_query, to_verify_outcome, to_verify_query,
};
use insilab_harness::outcome::{CardInput, StoredIns, TraitsInput};

/// Arguments of `insilab example-sut`.
#[derive(Debug, clap::Args)]
pub struct ExampleSutArgs {
    #[command(subcommand)]
    action: Action,
    /// INSi endpoint to call (the command driver's `{endpoint}`).
    #[arg(long, global = true, default_value = insilab_client::DEFAULT_URL)]
    endpoint: String,
    /// The traits as the driver gives them (the command driver's `{traits_json}`).
    #[arg(long, global = true, default_value = "{}")]
    traits_json: String,
    /// PKI directory holding the client identity.
    #[arg(long, global = true, default_value = insilab_certs::DEFAULT_DIR)]
    pki: PathBuf,
    /// Client identity in that PKI.
    #[arg(long, global = true, default_value = "insi-auto")]
    identity: String,
    /// Total time limit of one INSi call, in milliseconds. Keep it below the harness's
    /// `--timeout-delay` so that the timeout scenario sees the software give up.
    #[arg(long, global = true, default_value_t = 2000)]
    timeout_ms: u64,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Searches by traits; prints the outcome JSON of the driver protocol on stdout.
    SearchTraits,
    /// Searches by traits in card mode: no client certificate, each call's assertion signed
    /// with the virtual CPx card of `--professional-id` (taken from `--pki`); call it with
    /// the card endpoint as `--endpoint`. Prints the outcome JSON on stdout.
    SearchTraitsCard {
        /// The test professional whose virtual card signs (the driver's `{professional_id}`).
        #[arg(long)]
        professional_id: String,
        /// Sign an assertion of this case of the negative catalogue instead
        /// (`docs/card-mode.md`): a deliberately wrong software, for rehearsals.
        #[arg(long, default_value = insilab_certs::card_cases::VALID_CASE)]
        card_case: String,
    },
    /// Searches with the Vitale card data; prints the outcome JSON on stdout.
    SearchCard {
        /// The card as the driver gives it (the command driver's `{card_json}`).
        #[arg(long)]
        card_json: String,
    },
    /// Carries out one identity-management action with the reference identity manager
    /// (`docs/driver-protocol.md`: the command driver's `{action_json}`); prints the action
    /// outcome JSON. The store is kept in `--state DIR` between processes, one per scenario.
    Act {
        /// Directory of the store (`example-sut-state.json`), created when missing.
        #[arg(long)]
        state: PathBuf,
        /// The action message (action JSON, with `scenario` and `endpoint`).
        #[arg(long)]
        action_json: String,
    },
    /// Serves the http hook of the driver protocol with the reference identity manager: each
    /// POST body is an action message, each answer its outcome. Prints the URL, then serves
    /// until stopped.
    Serve {
        /// Address to listen on (loopback; port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
    },
    /// Verifies an INS against the traits; prints the outcome JSON on stdout.
    Verify {
        /// 13-character matricule (the driver's `{matricule}`).
        #[arg(long)]
        matricule: String,
        /// 2-digit key (`{key}`).
        #[arg(long)]
        key: String,
        /// OID (`{oid}`).
        #[arg(long)]
        oid: String,
    },
}

/// Runs the action; the outcome goes to stdout as one JSON document. Exit 0 whenever an
/// outcome was printed (the harness judges it), 2 when the input cannot be read.
pub fn run(args: ExampleSutArgs) -> anyhow::Result<ExitCode> {
    let traits_json = args.traits_json.clone();
    let traits = move || -> anyhow::Result<TraitsInput> {
        serde_json::from_str(&traits_json).context("--traits-json is not the driver's traits JSON")
    };
    let config = ClientConfig {
        url: args.endpoint.clone(),
        tls: TlsIdentity::Pki {
            dir: args.pki.clone(),
            identity: args.identity.clone(),
        },
        total_timeout: Duration::from_millis(args.timeout_ms),
        ..ClientConfig::default()
    };
    if matches!(args.action, Action::Act { .. } | Action::Serve { .. }) {
        return identity_manager(args, config);
    }
    let client = match &args.action {
        Action::SearchTraitsCard {
            professional_id,
            card_case,
        } => card_client(config, &args.pki, professional_id, card_case)?,
        _ => InsiClient::new(config).context("failed to set up the INSi client")?,
    };
    let runtime = super::runtime()?;
    let outcome = match args.action {
        Action::SearchTraits => {
            to_outcome(&runtime.block_on(client.search_traits(&to_query(&traits()?))))
        }
        Action::SearchTraitsCard { .. } => {
            to_outcome(&runtime.block_on(client.search_traits(&to_query(&traits()?))))
        }
        Action::SearchCard { card_json } => {
            let card: CardInput = serde_json::from_str(&card_json)
                .context("--card-json is not the driver's card JSON")?;
            let query = CardQuery {
                insured_nir: card.insured_nir,
                beneficiary_nir: card.beneficiary_nir,
                birth_name: card.birth_name,
                birth_date: card.birth_date,
                birth_rank: card.birth_rank.to_string(),
            };
            to_outcome(&runtime.block_on(client.search_card(&query)))
        }
        Action::Act { .. } | Action::Serve { .. } => {
            anyhow::bail!("identity-management actions are handled above")
        }
        Action::Verify {
            matricule,
            key,
            oid,
        } => {
            let ins = StoredIns {
                matricule,
                key,
                oid,
                ..StoredIns::default()
            };
            to_verify_outcome(&runtime.block_on(client.verify(&to_verify_query(&ins, &traits()?))))
        }
    };
    println!("{}", serde_json::to_string_pretty(&outcome)?);
    Ok(ExitCode::SUCCESS)
}

/// A card-mode client: TLS without client certificate (trusting the PKI's roots), every call
/// signed with the virtual card of `professional_id` by the reference client's card signer.
fn card_client(
    config: ClientConfig,
    pki_dir: &std::path::Path,
    professional_id: &str,
    card_case: &str,
) -> anyhow::Result<InsiClient> {
    let pki = insilab_certs::Pki::load(pki_dir)
        .with_context(|| format!("card mode needs the test pki in {}", pki_dir.display()))?;
    let tls = pki
        .anonymous_client_config()
        .context("failed to build the tls configuration without client certificate")?;
    let signer = insilab_client::CardSigner::new(pki, professional_id)
        .and_then(|s| s.with_case(card_case))
        .context("failed to set up the virtual card")?;
    Ok(InsiClient::from_rustls(config, tls)
        .context("failed to set up the INSi client")?
        .with_card(signer))
}

/// Name of the store file of `example-sut act` inside `--state`.
const STATE_FILE: &str = "example-sut-state.json";

/// `act` and `serve`: the reference identity manager behind the command and http drivers.
fn identity_manager(args: ExampleSutArgs, config: ClientConfig) -> anyhow::Result<ExitCode> {
    use insilab_harness::manager::sut::{ClientFactory, SutState, parse_message, serve};
    let factory: ClientFactory = std::sync::Arc::new(move |endpoint: &str| {
        let mut config = config.clone();
        config.url = endpoint.to_owned();
        InsiClient::new(config).map_err(|e| {
            insilab_harness::HarnessError::Driver(format!("failed to set up the INSi client: {e}"))
        })
    });
    let runtime = super::runtime()?;
    match args.action {
        Action::Act { state, action_json } => {
            let message = parse_message(action_json.as_bytes())
                .context("--action-json is not an action message")?;
            std::fs::create_dir_all(&state)
                .with_context(|| format!("cannot create {}", state.display()))?;
            let file = state.join(STATE_FILE);
            let mut current: SutState = match std::fs::read(&file) {
                Ok(bytes) => serde_json::from_slice(&bytes)
                    .with_context(|| format!("{} is not a store", file.display()))?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => SutState::default(),
                Err(e) => return Err(e).with_context(|| format!("cannot read {}", file.display())),
            };
            let outcome = runtime.block_on(current.act(&message, &factory, &args.endpoint));
            std::fs::write(&file, serde_json::to_vec_pretty(&current)?)
                .with_context(|| format!("cannot write {}", file.display()))?;
            println!("{}", serde_json::to_string_pretty(&outcome)?);
            Ok(ExitCode::SUCCESS)
        }
        Action::Serve { listen } => runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| format!("cannot listen on {listen}"))?;
            println!("http://{}/", listener.local_addr()?);
            serve(listener, factory, args.endpoint)
                .await
                .context("the hook stopped")?;
            Ok(ExitCode::SUCCESS)
        }),
        _ => anyhow::bail!("not an identity-management action"),
    }
}
