//! How the harness sets the simulator's state and reads its journal: one trait, two
//! implementations (in-process handle, remote admin API).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::HarnessError;
use crate::exchange::Exchange;

/// A boxed, sendable future (the traits here are used as trait objects).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What an override makes the simulator answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Answer {
    /// A CNDA answer file, by name (`TEST_2.05`, `REP_CR01`…).
    CndaFile(String),
    /// The next **verification** (not search) answered as this case (`verified`, `unknown`,
    /// `traits_mismatch`, `replaced`), by the dataset's verification templates.
    VerificationCase(String),
    /// The next **verification** (not search) answered with a fault, by `Erreur` code.
    VerificationFault(String),
    /// A fault, by `Erreur` code (`insi_102`, `desir_550`, `DESIR_560`…).
    Fault(String),
    /// A `RESULTAT` with this `CodeCR` (`01` or `02`).
    Cr(String),
    /// A fault in its older captured form (`severite="fatal"` before `code`, no `messageID`).
    OlderFault(String),
    /// A bare HTTP status.
    HttpStatus(u16),
    /// The normal answer, delayed.
    Delay(Duration),
    /// Drop the connection without answering.
    Reset,
    /// A truncated body.
    Truncated,
    /// A body that is not XML.
    Malformed,
}

/// One scenario override: the next `count` traits searches whose birth name is `birth_name`
/// get `answer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideSpec {
    /// Birth name the request must carry.
    pub birth_name: String,
    /// First name(s) the request must carry (its first-name list joined by one space), when
    /// set: targets one call of the first-name loop.
    pub first_name: Option<String>,
    /// How many matching requests it applies to.
    pub count: u32,
    /// What to answer.
    pub answer: Answer,
}

/// Response dialects (insi-protocol.md §5): the core type, under the name the steps use.
pub use insilab_core::insi::Dialect as DialectChoice;

/// Position in the journal: entries after it belong to the current scenario.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mark(pub u64);

/// The simulator as the steps see it.
pub trait SimControl: Send + Sync {
    /// `in-process` or the URL of the remote simulator.
    fn describe(&self) -> String;
    /// The INSi endpoint the software under test calls.
    fn endpoint_url(&self) -> String;
    /// Resets overrides and dialect, returns the journal mark the scenario starts at.
    fn begin_scenario(&self) -> BoxFuture<'_, Result<Mark, HarnessError>>;
    /// Journal entries after `mark`, oldest first.
    fn exchanges_since(&self, mark: Mark) -> BoxFuture<'_, Result<Vec<Exchange>, HarnessError>>;
    /// Waits until at least `count` entries exist after `mark`, or `timeout` passes.
    fn wait_for(
        &self,
        mark: Mark,
        count: usize,
        timeout: Duration,
    ) -> BoxFuture<'_, Result<Vec<Exchange>, HarnessError>>;
    /// Installs an override.
    fn add_override(&self, spec: OverrideSpec) -> BoxFuture<'_, Result<(), HarnessError>>;
    /// Sets the response dialect (reset by [`SimControl::begin_scenario`]).
    fn set_dialect(&self, dialect: DialectChoice) -> BoxFuture<'_, Result<(), HarnessError>>;
    /// Starts (or returns) a second endpoint presenting the named negative server identity;
    /// `None` when this simulator cannot (remote simulators).
    fn endpoint_with_server_identity(
        &self,
        identity: &str,
    ) -> BoxFuture<'_, Result<Option<String>, HarnessError>>;
    /// The dataset the simulator serves, as YAML, when known (for the evidence bundle).
    fn dataset_yaml(&self) -> Option<String>;
    /// The TLS handshakes the simulator refused after `mark` (on every listener), each as
    /// `listener: error`: what it saw of a software whose calls never arrived.
    fn handshake_failures_since(
        &self,
        _mark: Mark,
    ) -> BoxFuture<'_, Result<Vec<String>, HarnessError>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    /// The card-mode endpoint (TLS without client certificate), when this simulator has one.
    fn card_url(&self) -> Option<String> {
        None
    }
}
