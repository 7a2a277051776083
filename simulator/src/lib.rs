//! insilab-simulator: the mock INSi teleservice (mutual TLS, SOAP 1.2, dataset, overrides,
//! journal, admin API, metrics).
//!
//! The request path, one module per stage: [`server`] (TLS accept with a required client
//! certificate, HTTP/1.1 with limits and timeouts) → [`exchange`] (SOAP envelope, dispatch by
//! `wsa:Action`, checks, behaviour, writer) → [`journal`]. Around it: [`dataset`] and
//! [`matching`] (who exists), [`overrides`] (scenario answers and fault injection),
//! [`answers`] (CNDA answer files), [`wsdl`] (the served contract), [`admin`] and
//! [`metrics`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), insilab_simulator::SimulatorError> {
//! use insilab_simulator::{Simulator, SimulatorConfig, TlsSource};
//! let config = SimulatorConfig::ephemeral(TlsSource::PkiDir("certs/generated".into()));
//! let handle = Simulator::start(config).await?;
//! println!("endpoint {}", handle.endpoint_url());
//! handle.shutdown().await;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod accept;
pub mod admin;
pub mod admin_client;
pub mod answer_cache;
pub mod answers;
pub mod card;
pub mod channels;
pub mod config;
pub mod dataset;
pub mod dialect;
mod error;
pub mod exchange;
pub mod fault_choice;
pub mod journal;
pub mod journal_file;
pub(crate) mod journal_line;
pub mod matching;
pub mod metrics;
pub mod overrides;
mod rfc3339;
pub mod server;
mod state;
pub mod tls;
pub mod validation;
pub mod wsdl;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use config::{FileConfig, Limits, SimulatorConfig, Timeouts, TlsSource};
pub use error::{Result, SimulatorError};
pub use insilab_core::insi::writer::Dialect;
pub use journal::{Journal, JournalEntry, JournalQuery};
pub use journal_file::JournalFileSettings;
pub use overrides::{OverrideAnswer, OverrideSpec, Overrides, RequestPattern};

use state::State;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;

/// Highest connection cap honoured, whatever the configuration says (tokio's semaphore has a
/// hard maximum; no loopback test needs more).
pub const MAX_CONNECTIONS_CEILING: usize = 100_000;

/// How long a graceful shutdown waits for open connections before giving up on them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The bound sockets of a simulator (mini-redis shape: bind first, then [`run`]).
#[derive(Debug)]
pub struct Listeners {
    /// Mutual-TLS endpoint.
    pub mtls: TcpListener,
    /// Card-mode endpoint (TLS without client authentication).
    pub card: Option<TcpListener>,
    /// Admin API (plain HTTP, loopback).
    pub admin: Option<TcpListener>,
    /// MLLP listener (HL7 v2), when configured.
    pub mllp: Option<TcpListener>,
    /// FHIR REST endpoint (plain HTTP), when configured.
    pub fhir: Option<TcpListener>,
}

impl Listeners {
    /// Binds the addresses of `config`.
    pub async fn bind(config: &SimulatorConfig) -> Result<Self> {
        if let Some(a) = config.admin_listen
            && !a.ip().is_loopback()
        {
            return Err(SimulatorError::Config {
                origin: "admin listen address".into(),
                message: format!(
                    "{a} is not a loopback address: the admin API listens on loopback only"
                ),
            });
        }
        // An empty token would let an empty `Authorization: Bearer ` in: refused at start-up.
        if config
            .admin_token
            .as_deref()
            .is_some_and(|t| t.trim().is_empty())
        {
            return Err(SimulatorError::Config {
                origin: "admin token".into(),
                message: "the configured admin token is empty: give a non-empty token, or none \
                          for a random one"
                    .into(),
            });
        }
        if let Some((_, tenant)) = config
            .tenant_tokens
            .iter()
            .find(|(token, _)| token.trim().is_empty())
        {
            return Err(SimulatorError::Config {
                origin: "tenant tokens".into(),
                message: format!("the token of tenant {tenant:?} is empty: give a non-empty token"),
            });
        }
        let bind = |a: SocketAddr| async move {
            TcpListener::bind(a)
                .await
                .map_err(|source| SimulatorError::Bind {
                    addr: a.to_string(),
                    source,
                })
        };
        Ok(Listeners {
            mtls: bind(config.listen).await?,
            card: match config.card_listen {
                Some(a) => Some(bind(a).await?),
                None => None,
            },
            admin: match config.admin_listen {
                Some(a) => Some(bind(a).await?),
                None => None,
            },
            mllp: match config.channels.mllp_listen {
                Some(a) => Some(bind(a).await?),
                None => None,
            },
            fhir: match config.channels.fhir_listen {
                Some(a) => Some(bind(a).await?),
                None => None,
            },
        })
    }
}

/// The simulator entry point.
#[derive(Debug)]
pub struct Simulator;

impl Simulator {
    /// Binds the listeners, loads the dataset and PKI, and serves in the background.
    pub async fn start(config: SimulatorConfig) -> Result<SimulatorHandle> {
        let listeners = Listeners::bind(&config).await?;
        let prepared = Prepared::new(&config, &listeners)?;
        let (tx, rx) = watch::channel(false);
        let state = Arc::clone(&prepared.state);
        let task = tokio::spawn(prepared.serve(listeners, rx));
        Ok(SimulatorHandle {
            state,
            shutdown: tx,
            task: Some(task),
        })
    }
}

/// Serves `listeners` with `config` until `shutdown` completes, then drains connections and
/// flushes the journal (the mini-redis `run`).
pub async fn run(
    listeners: Listeners,
    config: SimulatorConfig,
    shutdown: impl Future,
) -> Result<()> {
    run_when_ready(listeners, config, shutdown, || {}).await
}

/// [`run`], calling `ready` once every input (TLS material, datasets, configuration) is loaded
/// and valid, before the first connection is accepted: a banner printed there never announces
/// a simulator that then fails to start.
pub async fn run_when_ready(
    listeners: Listeners,
    config: SimulatorConfig,
    shutdown: impl Future,
    ready: impl FnOnce(),
) -> Result<()> {
    let prepared = Prepared::new(&config, &listeners)?;
    ready();
    let (tx, rx) = watch::channel(false);
    let state = Arc::clone(&prepared.state);
    let task = tokio::spawn(prepared.serve(listeners, rx));
    shutdown.await;
    let _ = tx.send(true);
    let _ = task.await;
    state.journal.flush()
}

struct Prepared {
    state: Arc<State>,
    mtls: TlsAcceptor,
    card: Option<TlsAcceptor>,
    max_connections: usize,
    channels: channels::ChannelsConfig,
}

impl Prepared {
    fn new(config: &SimulatorConfig, listeners: &Listeners) -> Result<Self> {
        let (mtls, card) = tls_configs(config)?;
        let token = config
            .admin_token
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
        let state = State::new(config, token)?;
        if let Ok(a) = listeners.mtls.local_addr() {
            *state
                .endpoint_url
                .write()
                .unwrap_or_else(|p| p.into_inner()) = endpoint_url(a);
        }
        if let Some(Ok(a)) = listeners.card.as_ref().map(TcpListener::local_addr) {
            *state.card_url.write().unwrap_or_else(|p| p.into_inner()) = Some(endpoint_url(a));
        }
        if let Some(Ok(a)) = listeners.admin.as_ref().map(TcpListener::local_addr) {
            *state.admin_url.write().unwrap_or_else(|p| p.into_inner()) = format!("http://{a}");
        }
        if let Some(Ok(a)) = listeners.mllp.as_ref().map(TcpListener::local_addr) {
            *state.mllp_addr.write().unwrap_or_else(|p| p.into_inner()) = Some(a);
        }
        if let Some(Ok(a)) = listeners.fhir.as_ref().map(TcpListener::local_addr) {
            *state.fhir_url.write().unwrap_or_else(|p| p.into_inner()) =
                Some(format!("http://{a}"));
        }
        if let Some(dir) = &config.channels.drop_dir
            && !dir.is_dir()
        {
            return Err(SimulatorError::Config {
                origin: "channels.drop_dir".into(),
                message: format!("{} is not a directory", dir.display()),
            });
        }
        Ok(Prepared {
            state: Arc::new(state),
            mtls: TlsAcceptor::from(mtls),
            card: card.map(TlsAcceptor::from),
            max_connections: config
                .limits
                .max_connections
                .clamp(1, MAX_CONNECTIONS_CEILING),
            channels: config.channels.clone(),
        })
    }

    async fn serve(self, listeners: Listeners, shutdown: watch::Receiver<bool>) {
        let limit = Arc::new(Semaphore::new(self.max_connections));
        let mut tasks = tokio::task::JoinSet::new();
        tasks.spawn(server::accept_loop(
            listeners.mtls,
            self.mtls,
            exchange::Listener::Mtls,
            Arc::clone(&self.state),
            Arc::clone(&limit),
            shutdown.clone(),
        ));
        if let (Some(l), Some(acceptor)) = (listeners.card, self.card) {
            tasks.spawn(server::accept_loop(
                l,
                acceptor,
                exchange::Listener::Card,
                Arc::clone(&self.state),
                Arc::clone(&limit),
                shutdown.clone(),
            ));
        }
        // The admin API has its own small cap so that a flood of INSi clients cannot lock the
        // operator out.
        if let Some(l) = listeners.admin {
            tasks.spawn(admin::accept_loop(
                l,
                Arc::clone(&self.state),
                Arc::new(Semaphore::new(admin::ADMIN_MAX_CONNECTIONS)),
                shutdown.clone(),
            ));
        }
        let tenant = self.channels.tenant.clone();
        // Every tenant with a token has its channel entries: by base path (FHIR), sending
        // facility (MLLP) and subfolder (drop folder).
        let mut tenants: Vec<String> = self.state.tenant_tokens.values().cloned().collect();
        tenants.sort();
        tenants.dedup();
        if let Some(l) = listeners.mllp {
            let settings = channels::mllp::MllpSettings {
                tenant: tenant.clone(),
                tenants: tenants.clone(),
                ..channels::mllp::MllpSettings::default()
            };
            tasks.spawn(channels::mllp::accept_loop(
                l,
                self.state.journal.clone(),
                Arc::new(settings),
                shutdown.clone(),
            ));
        }
        if let Some(l) = listeners.fhir {
            tasks.spawn(channels::fhir::accept_loop(
                l,
                self.state.journal.clone(),
                Arc::new(channels::fhir::FhirSettings {
                    tenant: tenant.clone(),
                    tenants: tenants.clone(),
                }),
                shutdown.clone(),
            ));
        }
        if let Some(dir) = self.channels.drop_dir.clone() {
            tasks.spawn(channels::drop_folder::scan_loop(
                Arc::new(channels::drop_folder::DropSettings {
                    dir,
                    tenant,
                    tenants,
                }),
                self.state.journal.clone(),
                shutdown.clone(),
            ));
        }
        while tasks.join_next().await.is_some() {}
        // Drain: every connection holds a permit until it ends.
        let all = u32::try_from(self.max_connections).unwrap_or(u32::MAX);
        if tokio::time::timeout(SHUTDOWN_GRACE, limit.acquire_many(all))
            .await
            .is_err()
        {
            tracing::warn!("connections still open after the shutdown grace period");
        }
        if let Err(e) = self.state.journal.flush() {
            tracing::error!(error = %e, "failed to flush the journal");
        }
    }
}

/// A fresh random bearer token (128 bits, hexadecimal).
pub fn random_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn endpoint_url(a: SocketAddr) -> String {
    format!("https://{a}/lps")
}

type TlsPair = (Arc<rustls::ServerConfig>, Option<Arc<rustls::ServerConfig>>);

fn tls_configs(config: &SimulatorConfig) -> Result<TlsPair> {
    let from_pki = |pki: &insilab_certs::Pki| -> Result<TlsPair> {
        let pki_err = |e: insilab_certs::CertsError| SimulatorError::Pki(e.to_string());
        let mtls = pki
            .server_config_wrapping(
                &config.server_identity,
                insilab_certs::ClientAuth::Required,
                crate::tls::RecordingVerifier::wrap,
            )
            .map_err(pki_err)?;
        let card = match config.card_listen {
            Some(_) => Some(Arc::new(
                pki.server_config(&config.server_identity, insilab_certs::ClientAuth::None)
                    .map_err(pki_err)?,
            )),
            None => None,
        };
        Ok((Arc::new(mtls), card))
    };
    match &config.tls {
        TlsSource::PkiDir(dir) => {
            let pki =
                insilab_certs::Pki::load(dir).map_err(|e| SimulatorError::Pki(e.to_string()))?;
            from_pki(&pki)
        }
        TlsSource::Pki(pki) => from_pki(pki),
        TlsSource::Rustls { mtls, card } => Ok((Arc::clone(mtls), card.clone())),
    }
}

/// A running simulator.
#[derive(Debug)]
pub struct SimulatorHandle {
    state: Arc<State>,
    shutdown: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SimulatorHandle {
    /// `https://127.0.0.1:PORT/lps`.
    pub fn endpoint_url(&self) -> String {
        self.state.endpoint_url()
    }

    /// `http://127.0.0.1:PORT` of the admin API (empty when disabled).
    pub fn admin_url(&self) -> String {
        self.state.admin_url()
    }

    /// `https://127.0.0.1:PORT/lps` of the card-mode listener, when enabled.
    pub fn card_url(&self) -> Option<String> {
        self.state
            .card_url
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Address of the MLLP listener, when configured.
    pub fn mllp_addr(&self) -> Option<SocketAddr> {
        *self
            .state
            .mllp_addr
            .read()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Base URL of the FHIR REST endpoint (`http://127.0.0.1:PORT`), when configured.
    pub fn fhir_url(&self) -> Option<String> {
        self.state
            .fhir_url
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The admin bearer token.
    pub fn admin_token(&self) -> &str {
        &self.state.admin_token
    }

    /// The journal.
    pub fn journal(&self) -> Journal {
        self.state.journal.clone()
    }

    /// The override store.
    pub fn overrides(&self) -> Overrides {
        self.state.overrides.clone()
    }

    /// Changes the dialect of generated answers.
    pub fn set_dialect(&self, dialect: Dialect) {
        self.state.set_dialect(dialect);
    }

    /// The current dialect.
    pub fn dialect(&self) -> Dialect {
        self.state.dialect()
    }

    /// Replaces the dataset (`Some`) or reloads the configured sources (`None`); returns the
    /// number of persons.
    pub fn reload_dataset(&self, dataset: Option<dataset::Dataset>) -> Result<usize> {
        match dataset {
            Some(d) => {
                let n = d.persons.len();
                self.state.set_dataset(d);
                Ok(n)
            }
            None => self.state.reload(),
        }
    }

    /// The Prometheus text of the metrics.
    pub fn metrics_text(&self) -> String {
        self.state.metrics.render(self.state.journal.file_errors())
    }

    /// Stops accepting, lets open connections finish (up to [`SHUTDOWN_GRACE`]) and flushes
    /// the journal file.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for SimulatorHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
