//! The state shared by every connection of one simulator instance.
//!
//! One job: hold the swappable dataset and dialect, the IDAM registry, the journal, overrides,
//! metrics and settings, behind cheap clones.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use insilab_core::insi::reader;
use insilab_core::insi::writer::Dialect;

use crate::config::{Limits, SimulatorConfig, Timeouts};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::journal::Journal;
use crate::metrics::Metrics;
use crate::overrides::Overrides;

/// Shared state.
#[derive(Debug)]
pub(crate) struct State {
    dataset: RwLock<Arc<Dataset>>,
    /// Bumped by every [`Self::set_dataset`]: a thread's cached dataset is current while its
    /// generation is this one.
    dataset_generation: AtomicU64,
    /// Each exchange thread's dataset and its generation ([`Self::with_dataset`]).
    dataset_cache: thread_local::ThreadLocal<RefCell<(u64, Arc<Dataset>)>>,
    pub default_dataset: bool,
    pub dataset_files: Vec<PathBuf>,
    /// The answer dialect, as its index in [`Dialect::ALL`]: read by every exchange without a
    /// lock.
    dialect: AtomicUsize,
    pub idam_registry: HashSet<String>,
    pub journal: Journal,
    pub overrides: Overrides,
    pub metrics: Metrics,
    pub limits: Limits,
    pub timeouts: Timeouts,
    pub reader_limits: reader::Limits,
    pub fault_policy: crate::validation::FaultPolicy,
    pub admin_token: String,
    pub tenant_tokens: BTreeMap<String, String>,
    /// Public URL of the endpoint (`https://127.0.0.1:8443/lps`), filled in once bound.
    pub endpoint_url: RwLock<String>,
    /// URL of the admin API, filled in once bound.
    pub admin_url: RwLock<String>,
    /// URL of the card-mode endpoint, when enabled.
    pub card_url: RwLock<Option<String>>,
    /// Address of the MLLP listener, when enabled.
    pub mllp_addr: RwLock<Option<std::net::SocketAddr>>,
    /// Base URL of the FHIR REST endpoint, when enabled.
    pub fhir_url: RwLock<Option<String>>,
    /// The card CA and CRL (from the PKI; `None` with ready-made rustls configurations).
    pub card_trust: Option<crate::card::CardTrust>,
    /// Card-mode settings.
    pub card_settings: crate::card::CardSettings,
}

impl State {
    pub fn new(config: &SimulatorConfig, admin_token: String) -> Result<Self> {
        let dataset = load_datasets(config.default_dataset, &config.datasets)?;
        let reader_limits = reader::Limits {
            max_body_bytes: config.limits.max_body_bytes,
            max_depth: config.limits.max_xml_depth,
            ..reader::Limits::default()
        };
        Ok(State {
            dataset: RwLock::new(Arc::new(dataset)),
            dataset_generation: AtomicU64::new(0),
            dataset_cache: thread_local::ThreadLocal::new(),
            default_dataset: config.default_dataset,
            dataset_files: config.datasets.clone(),
            dialect: AtomicUsize::new(dialect_index(config.dialect)),
            idam_registry: config
                .idam_registry
                .iter()
                .map(|s| s.trim().to_owned())
                .collect(),
            journal: Journal::with_file_settings(
                config.journal_capacity,
                config.journal_file.as_deref(),
                config.journal_file_settings,
            )?,
            overrides: Overrides::default(),
            metrics: Metrics::default(),
            limits: config.limits.clone(),
            timeouts: config.timeouts.clone(),
            reader_limits,
            fault_policy: crate::validation::FaultPolicy::new(config.rules.clone()),
            admin_token,
            tenant_tokens: config.tenant_tokens.clone(),
            endpoint_url: RwLock::new(String::new()),
            admin_url: RwLock::new(String::new()),
            card_url: RwLock::new(None),
            mllp_addr: RwLock::new(None),
            fhir_url: RwLock::new(None),
            card_trust: card_trust(config)?,
            card_settings: config.card_mode.clone(),
        })
    }

    pub fn dataset(&self) -> Arc<Dataset> {
        Arc::clone(&self.dataset.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Runs `f` with the current dataset, as this thread last saw it while no newer one was
    /// set. The exchange path reads it here: nothing shared is written (taking the lock and
    /// the `Arc` at every exchange made their cache lines go back and forth between the
    /// server's threads), and a reload is seen from the next exchange on.
    pub fn with_dataset<R>(&self, f: impl FnOnce(&Dataset) -> R) -> R {
        let generation = self.dataset_generation.load(Ordering::Acquire);
        let cell = self
            .dataset_cache
            .get_or(|| RefCell::new((generation, self.dataset())));
        // Brought up to date unless this thread is already inside `with_dataset` (then the
        // shared one is used).
        if let Ok(mut cached) = cell.try_borrow_mut()
            && cached.0 != generation
        {
            *cached = (generation, self.dataset());
        }
        match cell.try_borrow() {
            Ok(cached) if cached.0 == generation => f(&cached.1),
            _ => f(&self.dataset()),
        }
    }

    pub fn set_dataset(&self, d: Dataset) {
        *self.dataset.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(d);
        self.dataset_generation.fetch_add(1, Ordering::Release);
    }

    pub fn dialect(&self) -> Dialect {
        Dialect::ALL
            .get(self.dialect.load(Ordering::Acquire))
            .copied()
            .unwrap_or_default()
    }

    pub fn set_dialect(&self, d: Dialect) {
        self.dialect.store(dialect_index(d), Ordering::Release);
    }

    pub fn endpoint_url(&self) -> String {
        self.endpoint_url
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn admin_url(&self) -> String {
        self.admin_url
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Reloads the configured dataset sources.
    pub fn reload(&self) -> Result<usize> {
        let d = load_datasets(self.default_dataset, &self.dataset_files)?;
        let n = d.persons.len();
        self.set_dataset(d);
        Ok(n)
    }
}

/// The embedded default (when enabled) followed by each file.
/// The card trust of the configured PKI, when card mode is on and the TLS source is a PKI.
fn card_trust(config: &SimulatorConfig) -> Result<Option<crate::card::CardTrust>> {
    use crate::config::TlsSource;
    if config.card_listen.is_none() {
        return Ok(None);
    }
    let pki_err = |e: insilab_certs::CertsError| crate::error::SimulatorError::Pki(e.to_string());
    match &config.tls {
        TlsSource::PkiDir(dir) => {
            let pki = insilab_certs::Pki::load(dir).map_err(pki_err)?;
            insilab_certs::cards::card_trust(&pki)
                .map(Some)
                .map_err(pki_err)
        }
        TlsSource::Pki(pki) => insilab_certs::cards::card_trust(pki)
            .map(Some)
            .map_err(pki_err),
        TlsSource::Rustls { .. } => Ok(None),
    }
}

pub(crate) fn load_datasets(default: bool, files: &[PathBuf]) -> Result<Dataset> {
    let mut d = if default {
        Dataset::embedded_default()?
    } else {
        Dataset::default()
    };
    for f in files {
        let extra = Dataset::load(f)?;
        d.merge(extra, &f.display().to_string())?;
    }
    Ok(d)
}

/// `d`'s index in [`Dialect::ALL`].
fn dialect_index(d: Dialect) -> usize {
    Dialect::ALL.iter().position(|&x| x == d).unwrap_or(0)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn state() -> State {
        // No card listener: the TLS source is not read.
        let config = SimulatorConfig::ephemeral(crate::config::TlsSource::PkiDir("unused".into()));
        State::new(&config, "token".into()).unwrap()
    }

    #[test]
    fn every_thread_sees_a_new_dataset_from_its_next_exchange() {
        let state = state();
        let before = state.with_dataset(|d| d.persons.len());
        assert!(before > 1);
        // A thread that read the dataset before the change (and so cached it) reads again
        // after it.
        let (changed, seen) = (std::sync::Barrier::new(2), std::sync::Barrier::new(2));
        let (first, second) = std::thread::scope(|s| {
            let other = s.spawn(|| {
                let first = state.with_dataset(|d| d.persons.len());
                seen.wait();
                changed.wait();
                (first, state.with_dataset(|d| d.persons.len()))
            });
            seen.wait();
            let mut smaller = (*state.dataset()).clone();
            smaller.persons.truncate(1);
            state.set_dataset(smaller);
            changed.wait();
            other.join().unwrap()
        });
        assert_eq!((first, second), (before, 1));
        assert_eq!(state.with_dataset(|d| d.persons.len()), 1);
    }

    #[test]
    fn a_nested_read_sees_the_same_dataset() {
        let state = state();
        let (outer, inner) =
            state.with_dataset(|d| (d.persons.len(), state.with_dataset(|d| d.persons.len())));
        assert_eq!(outer, inner);
    }
}
