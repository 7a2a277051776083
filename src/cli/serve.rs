//! `insilab serve`: run the mock INSi teleservice until SIGINT/SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use insilab_simulator::{FileConfig, Listeners, SimulatorConfig, TlsSource};

/// Arguments of `insilab serve`. Options given here win over the `--config` file.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// YAML configuration file (keys as in docs/simulator.md).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// PKI directory made by `insilab pki init`.
    #[arg(long, value_name = "DIR")]
    pki: Option<PathBuf>,
    /// Address of the mutual-TLS INSi endpoint [default: 127.0.0.1:8443].
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Address of the admin API (loopback only) [default: 127.0.0.1:8444].
    #[arg(long, value_name = "ADDR")]
    admin: Option<SocketAddr>,
    /// Also listen for card mode (TLS without client certificate; every request must carry a
    /// CPx assertion signed by a card of the PKI's PERSONNES CA, see docs/card-mode.md).
    #[arg(long, value_name = "ADDR")]
    card_listen: Option<SocketAddr>,
    /// Extra dataset file (YAML), added to the embedded default; repeatable.
    #[arg(long = "dataset", value_name = "FILE")]
    datasets: Vec<PathBuf>,
    /// Do not load the embedded default dataset (CNDA persons).
    #[arg(long)]
    no_default_dataset: bool,
    /// Dialect of the answers: live, 2022 or cnda [default: live].
    #[arg(long, value_name = "DIALECT")]
    dialect: Option<String>,
    /// Append every exchange as a JSON line to this file.
    #[arg(long, value_name = "FILE.jsonl")]
    journal: Option<PathBuf>,
    /// Accept this software authorisation number (LPS/IDAM) too; repeatable.
    #[arg(long = "allow-idam", value_name = "ID")]
    allow_idam: Vec<String>,
    /// Admin API bearer token [default: random, printed].
    #[arg(long, value_name = "TOKEN", env = "INSILAB_ADMIN_TOKEN")]
    admin_token: Option<String>,
    /// Server identity of the PKI to present (e.g. server-expired to rehearse a client's checks).
    #[arg(long, value_name = "NAME")]
    server_identity: Option<String>,
    /// Also listen for HL7 v2 over MLLP (each message checked, journalled, answered an ACK).
    #[arg(long, value_name = "ADDR")]
    mllp_listen: Option<SocketAddr>,
    /// Also serve a FHIR REST endpoint (POST/PUT Patient, POST Bundle; OperationOutcome).
    #[arg(long, value_name = "ADDR")]
    fhir_listen: Option<SocketAddr>,
    /// Also watch this drop folder for documents (CDA, FHIR, HL7, Datamatrix images).
    #[arg(long, value_name = "DIR")]
    drop_dir: Option<PathBuf>,
}

/// Runs `insilab serve`.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut config = SimulatorConfig::new(TlsSource::PkiDir(insilab_certs::DEFAULT_DIR.into()));
    if let Some(path) = &args.config {
        let text = read_config(path)
            .with_context(|| format!("failed to read configuration file {}", path.display()))?;
        let file = FileConfig::from_yaml(&text, &path.display().to_string())?;
        config.apply_file(file)?;
    }
    if let Some(p) = args.pki {
        config.tls = TlsSource::PkiDir(p);
    }
    let pki_dir = match &config.tls {
        TlsSource::PkiDir(p) => p.clone(),
        _ => PathBuf::from(insilab_certs::DEFAULT_DIR),
    };
    if !pki_dir.join(insilab_certs::INDEX_FILE).is_file() {
        eprintln!(
            "error: no PKI in {dir}\nCreate one first:\n  insilab pki init --out {dir}",
            dir = pki_dir.display()
        );
        return Ok(ExitCode::from(2));
    }
    let pki = insilab_certs::Pki::load(&pki_dir)
        .with_context(|| format!("failed to load the PKI in {}", pki_dir.display()))?;
    if let Some(a) = args.listen {
        config.listen = a;
    }
    if let Some(a) = args.admin {
        config.admin_listen = Some(a);
    }
    if let Some(a) = args.card_listen {
        config.card_listen = Some(a);
    }
    if let Some(a) = args.mllp_listen {
        config.channels.mllp_listen = Some(a);
    }
    if let Some(a) = args.fhir_listen {
        config.channels.fhir_listen = Some(a);
    }
    if let Some(d) = args.drop_dir {
        config.channels.drop_dir = Some(d);
    }
    config.datasets.extend(args.datasets);
    if args.no_default_dataset {
        config.default_dataset = false;
    }
    if let Some(d) = args.dialect {
        config.dialect = d.parse().map_err(|e| anyhow::anyhow!("--dialect: {e}"))?;
    }
    if let Some(j) = args.journal {
        config.journal_file = Some(j);
    }
    config.idam_registry.extend(args.allow_idam);
    if let Some(t) = args.admin_token {
        config.admin_token = Some(t);
    }
    if let Some(s) = args.server_identity {
        config.server_identity = s;
    }
    let admin_token = config
        .admin_token
        .get_or_insert_with(insilab_simulator::random_token)
        .clone();
    config.tls = TlsSource::Pki(std::sync::Arc::new(pki.clone()));

    let rt = super::runtime()?;
    rt.block_on(async move {
        let listeners = Listeners::bind(&config).await?;
        let endpoint = listeners.mtls.local_addr()?;
        let admin = listeners
            .admin
            .as_ref()
            .map(|l| l.local_addr())
            .transpose()?;
        let card = listeners
            .card
            .as_ref()
            .map(|l| l.local_addr())
            .transpose()?;
        let channels = Channels {
            card,
            mllp: listeners
                .mllp
                .as_ref()
                .map(|l| l.local_addr())
                .transpose()?,
            fhir: listeners
                .fhir
                .as_ref()
                .map(|l| l.local_addr())
                .transpose()?,
        };
        let shutdown = shutdown_signal();
        let banner_config = config.clone();
        insilab_simulator::run_when_ready(listeners, config, shutdown, || {
            print_banner(
                &pki,
                endpoint,
                admin,
                &admin_token,
                &banner_config,
                started,
                &channels,
            );
        })
        .await?;
        // Same stream as the "ready" banner: one place to follow the server.
        println!("insilab serve: stopped, journal flushed");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The bound addresses of the optional listeners: card mode and the carriers' channels.
struct Channels {
    card: Option<SocketAddr>,
    mllp: Option<SocketAddr>,
    fhir: Option<SocketAddr>,
}

fn print_channels(c: &Channels, config: &SimulatorConfig) {
    if let Some(a) = c.mllp {
        println!("  MLLP (HL7)   {a}   (ACK AA/AE/AR with the failing rules)");
    }
    if let Some(a) = c.fhir {
        println!("  FHIR REST    http://{a}   (POST /Patient, PUT /Patient/{{id}}, POST / Bundle)");
    }
    if let Some(d) = &config.channels.drop_dir {
        println!(
            "  drop folder  {}   (handled files go to done/)",
            d.display()
        );
    }
}

fn print_banner(
    pki: &insilab_certs::Pki,
    endpoint: SocketAddr,
    admin: Option<SocketAddr>,
    token: &str,
    config: &SimulatorConfig,
    started: Instant,
    channels: &Channels,
) {
    let dir = pki.dir().display();
    println!(
        "insilab serve: INSi simulator ready in {} ms",
        started.elapsed().as_millis()
    );
    println!("  endpoint     https://{endpoint}/lps   (WSDL: https://{endpoint}/lps?wsdl)");
    if let Some(a) = channels.card {
        println!("  card mode    https://{a}/lps   (signed CPx assertion required)");
    }
    if let Some(a) = admin {
        println!("  admin API    http://{a}   token {token}");
    }
    print_channels(channels, config);
    println!("  dialect      {}", config.dialect);
    println!("  client files (PKI {dir}):");
    if let Some(root) = pki.index().ca("root") {
        println!("    trust root       {dir}/{}", root.cert);
    }
    for name in ["insi-auto", "insi-manu"] {
        if let Some(id) = pki.index().identity(name) {
            let p12 = id
                .p12
                .as_deref()
                .map(|p| format!(", PKCS#12 {dir}/{p}"))
                .unwrap_or_default();
            println!(
                "    {name:<16} cert+chain {dir}/{}, key {dir}/{}{p12}",
                id.chain, id.key
            );
        }
    }
    println!("  negative identities: `insilab pki show {dir}`; stop with Ctrl-C");
    println!("  set RUST_LOG=info to log one line per exchange");
}

/// The shutdown future. SIGTERM is registered here, before the banner says the simulator is up,
/// so that a SIGTERM sent right after the banner stops it gracefully instead of killing it.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        #[cfg(unix)]
        if let Some(mut term) = term {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The largest configuration file `insilab serve --config` reads (1 MiB); a bigger or endless
/// file (`/dev/zero`) is refused instead of filling the memory.
pub const MAX_CONFIG_FILE_BYTES: u64 = 1024 * 1024;

fn read_config(path: &std::path::Path) -> std::io::Result<String> {
    let mut text = String::new();
    let f = std::fs::File::open(path)?;
    let n = std::io::Read::read_to_string(
        &mut std::io::Read::take(f, MAX_CONFIG_FILE_BYTES + 1),
        &mut text,
    )?;
    if n as u64 > MAX_CONFIG_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "more than the limit of {MAX_CONFIG_FILE_BYTES} bytes (MAX_CONFIG_FILE_BYTES)"
        )));
    }
    Ok(text)
}
