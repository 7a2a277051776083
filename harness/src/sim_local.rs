//! [`SimControl`] over an in-process simulator handle.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use insilab_simulator::journal::Outcome;
use insilab_simulator::{
    Dialect, JournalQuery, OverrideAnswer, RequestPattern, Simulator, SimulatorConfig,
    SimulatorHandle, TlsSource,
};
use tokio::sync::Mutex;

use crate::HarnessError;
use crate::exchange::Exchange;
use crate::journal::exchange_from_entry;
use crate::sim::{Answer, BoxFuture, DialectChoice, Mark, OverrideSpec, SimControl};

/// How often the journals are read while waiting for calls when listeners presenting negative
/// server identities run beside the main one (each has its own journal).
pub const EXTRA_LISTENER_POLL: Duration = Duration::from_millis(25);

/// The simulator started inside the harness process.
pub struct LocalSim {
    handle: SimulatorHandle,
    pki: Arc<insilab_certs::Pki>,
    /// Extra simulators presenting negative server identities, started on demand.
    extra: Mutex<Vec<(String, SimulatorHandle)>>,
    /// Authorisation numbers accepted besides the test ones.
    allow_idam: Vec<String>,
}

fn sim_err(e: impl std::fmt::Display) -> HarnessError {
    HarnessError::Simulator(e.to_string())
}

impl LocalSim {
    /// Starts a simulator on free loopback ports with the embedded dataset, no admin API.
    /// `allow_idam`: the software's own authorisation numbers, accepted besides the test ones.
    pub async fn start(
        pki: Arc<insilab_certs::Pki>,
        allow_idam: &[String],
    ) -> Result<Self, HarnessError> {
        let handle = Simulator::start(config(&pki, "server", allow_idam))
            .await
            .map_err(sim_err)?;
        Ok(LocalSim {
            handle,
            pki,
            extra: Mutex::new(Vec::new()),
            allow_idam: allow_idam.to_vec(),
        })
    }

    /// The underlying handle.
    pub fn handle(&self) -> &SimulatorHandle {
        &self.handle
    }

    /// Stops every simulator started here.
    pub async fn shutdown(self) {
        for (_, h) in self.extra.into_inner() {
            h.shutdown().await;
        }
        self.handle.shutdown().await;
    }
}

fn config(
    pki: &Arc<insilab_certs::Pki>,
    server_identity: &str,
    allow_idam: &[String],
) -> SimulatorConfig {
    let mut c = SimulatorConfig::ephemeral(TlsSource::Pki(pki.clone()));
    c.idam_registry.extend(allow_idam.iter().cloned());
    c.admin_listen = None;
    c.server_identity = server_identity.to_owned();
    // Card mode on a free loopback port too: the card-mode scenarios call it.
    c.card_listen = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
    c
}

/// Converts a harness override into the simulator's.
pub fn to_sim_override(spec: &OverrideSpec) -> insilab_simulator::OverrideSpec {
    let (answer, delay_ms) = match &spec.answer {
        Answer::CndaFile(name) => (OverrideAnswer::AnswerFile { name: name.clone() }, 0),
        Answer::VerificationCase(case) => (
            serde_json::from_value(serde_json::json!({"kind": "verification", "case": case}))
                .unwrap_or(OverrideAnswer::Normal),
            0,
        ),
        Answer::VerificationFault(code) => (
            OverrideAnswer::Fault {
                code: code.clone(),
                variant: Default::default(),
            },
            0,
        ),
        Answer::Fault(code) => (
            OverrideAnswer::Fault {
                code: code.clone(),
                variant: Default::default(),
            },
            0,
        ),
        Answer::OlderFault(code) => (
            OverrideAnswer::Fault {
                code: code.clone(),
                variant: insilab_core::insi::faults::FaultVariant::Older,
            },
            0,
        ),
        Answer::Cr(code) => (OverrideAnswer::Cr { code: code.clone() }, 0),
        Answer::HttpStatus(status) => (OverrideAnswer::HttpStatus { status: *status }, 0),
        Answer::Delay(d) => (
            OverrideAnswer::Normal,
            u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
        ),
        Answer::Reset => (OverrideAnswer::Reset, 0),
        Answer::Truncated => (OverrideAnswer::Truncated, 0),
        Answer::Malformed => (OverrideAnswer::Malformed, 0),
    };
    insilab_simulator::OverrideSpec {
        pattern: RequestPattern {
            operation: Some(
                match spec.answer {
                    Answer::VerificationCase(_) | Answer::VerificationFault(_) => "verification",
                    _ => "traits_search",
                }
                .to_owned(),
            ),
            birth_name: Some(spec.birth_name.clone()),
            first_name: spec.first_name.clone(),
            tenant: None,
        },
        count: spec.count,
        answer,
        delay_ms,
    }
}

impl SimControl for LocalSim {
    fn describe(&self) -> String {
        "in-process".to_owned()
    }

    fn endpoint_url(&self) -> String {
        self.handle.endpoint_url()
    }

    fn card_url(&self) -> Option<String> {
        self.handle.card_url()
    }

    fn begin_scenario(&self) -> BoxFuture<'_, Result<Mark, HarnessError>> {
        Box::pin(async move {
            self.handle.overrides().clear(None);
            self.handle.set_dialect(Dialect::Live);
            for (_, h) in self.extra.lock().await.iter() {
                h.journal().clear(None);
            }
            Ok(Mark(self.handle.journal().last_seq()))
        })
    }

    fn exchanges_since(&self, mark: Mark) -> BoxFuture<'_, Result<Vec<Exchange>, HarnessError>> {
        Box::pin(async move {
            let q = JournalQuery {
                tenant: None,
                since: Some(mark.0),
                limit: None,
            };
            let mut entries = self.handle.journal().query(&q);
            for (_, h) in self.extra.lock().await.iter() {
                entries.extend(h.journal().query(&JournalQuery::default()));
            }
            // A refused handshake is not an INSi call: no request reached the service.
            Ok(entries
                .iter()
                .filter(|e| !matches!(e.outcome, Outcome::TlsFailure { .. }))
                .map(|e| exchange_from_entry(e))
                .collect())
        })
    }

    fn handshake_failures_since(
        &self,
        mark: Mark,
    ) -> BoxFuture<'_, Result<Vec<String>, HarnessError>> {
        Box::pin(async move {
            let q = JournalQuery {
                tenant: None,
                since: Some(mark.0),
                limit: None,
            };
            let mut entries = self.handle.journal().query(&q);
            for (_, h) in self.extra.lock().await.iter() {
                entries.extend(h.journal().query(&JournalQuery::default()));
            }
            Ok(entries
                .iter()
                .filter_map(|e| match &e.outcome {
                    Outcome::TlsFailure { error } => Some(format!("{}: {error}", e.listener)),
                    _ => None,
                })
                .collect())
        })
    }

    fn wait_for(
        &self,
        mark: Mark,
        count: usize,
        timeout: Duration,
    ) -> BoxFuture<'_, Result<Vec<Exchange>, HarnessError>> {
        Box::pin(async move {
            let q = JournalQuery {
                tenant: None,
                since: Some(mark.0),
                limit: None,
            };
            if self.extra.lock().await.is_empty() {
                self.handle.journal().wait_for(&q, count, timeout).await;
                return self.exchanges_since(mark).await;
            }
            // Calls may reach a listener presenting a negative server identity: watch them all.
            let deadline = tokio::time::Instant::now() + timeout;
            loop {
                let seen = self.exchanges_since(mark).await?;
                if seen.len() >= count || tokio::time::Instant::now() >= deadline {
                    return Ok(seen);
                }
                tokio::time::sleep(EXTRA_LISTENER_POLL).await;
            }
        })
    }

    fn add_override(&self, spec: OverrideSpec) -> BoxFuture<'_, Result<(), HarnessError>> {
        Box::pin(async move {
            self.handle
                .overrides()
                .add(to_sim_override(&spec))
                .map(|_| ())
                .map_err(sim_err)
        })
    }

    fn set_dialect(&self, dialect: DialectChoice) -> BoxFuture<'_, Result<(), HarnessError>> {
        Box::pin(async move {
            self.handle.set_dialect(dialect);
            Ok(())
        })
    }

    fn endpoint_with_server_identity(
        &self,
        identity: &str,
    ) -> BoxFuture<'_, Result<Option<String>, HarnessError>> {
        let identity = identity.to_owned();
        Box::pin(async move {
            let mut extra = self.extra.lock().await;
            if let Some((_, h)) = extra.iter().find(|(n, _)| *n == identity) {
                h.journal().clear(None);
                return Ok(Some(h.endpoint_url()));
            }
            let h = Simulator::start(config(&self.pki, &identity, &self.allow_idam))
                .await
                .map_err(sim_err)?;
            let url = h.endpoint_url();
            extra.push((identity, h));
            Ok(Some(url))
        })
    }

    fn dataset_yaml(&self) -> Option<String> {
        Some(insilab_simulator::dataset::DEFAULT_DATASET_YAML.to_owned())
    }
}

/// Loads the PKI in `dir`, generating it first when the directory has none.
pub fn load_or_init_pki(dir: &Path) -> Result<Arc<insilab_certs::Pki>, HarnessError> {
    let pki_err = |e: &dyn std::fmt::Display| HarnessError::Pki {
        path: dir.to_owned(),
        message: e.to_string(),
    };
    match insilab_certs::Pki::load(dir) {
        Ok(p) => Ok(Arc::new(p)),
        Err(_) if !dir.join(insilab_certs::INDEX_FILE).exists() => {
            // A random seed, as `insilab pki init` draws (a fixed one would give every
            // installation the same root key).
            let options = insilab_certs::PkiOptions {
                seed: insilab_certs::random_seed(),
                ..insilab_certs::PkiOptions::default()
            };
            insilab_certs::init(dir, &options, false)
                .map(Arc::new)
                .map_err(|e| pki_err(&e))
        }
        Err(e) => Err(pki_err(&e)),
    }
}
