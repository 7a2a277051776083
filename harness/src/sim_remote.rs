//! [`SimControl`] over the admin API of a running `insilab serve`.

use std::time::Duration;

use insilab_simulator::JournalEntry;
use insilab_simulator::admin_client::AdminClient;

use crate::HarnessError;
use crate::exchange::Exchange;
use crate::journal::exchange_from_entry;
use crate::sim::{BoxFuture, DialectChoice, Mark, OverrideSpec, SimControl};
use crate::sim_local::to_sim_override;

/// Largest admin API answer read (the simulator crate owns the admin API contract).
pub use insilab_simulator::admin_client::MAX_ADMIN_ANSWER;
/// Poll interval while waiting for journal entries.
const POLL: Duration = Duration::from_millis(100);

/// A simulator in another process.
pub struct RemoteSim {
    admin: AdminClient,
    endpoint: String,
}

fn err(e: impl std::fmt::Display) -> HarnessError {
    HarnessError::Simulator(e.to_string())
}

impl RemoteSim {
    /// Checks the admin API answers (`GET /health`) and returns the handle.
    pub async fn connect(admin: &str, token: &str, endpoint: &str) -> Result<Self, HarnessError> {
        Ok(RemoteSim {
            admin: AdminClient::connect(admin, token).await.map_err(err)?,
            endpoint: endpoint.to_owned(),
        })
    }

    async fn entries(&self, since: u64) -> Result<Vec<JournalEntry>, HarnessError> {
        self.admin.journal_since(since).await.map_err(err)
    }
}

impl SimControl for RemoteSim {
    fn describe(&self) -> String {
        self.endpoint.clone()
    }

    fn endpoint_url(&self) -> String {
        self.endpoint.clone()
    }

    fn begin_scenario(&self) -> BoxFuture<'_, Result<Mark, HarnessError>> {
        Box::pin(async move {
            self.admin.clear_overrides().await.map_err(err)?;
            let last = self
                .entries(0)
                .await?
                .iter()
                .map(|e| e.seq)
                .max()
                .unwrap_or(0);
            Ok(Mark(last))
        })
    }

    fn exchanges_since(&self, mark: Mark) -> BoxFuture<'_, Result<Vec<Exchange>, HarnessError>> {
        Box::pin(async move {
            Ok(self
                .entries(mark.0)
                .await?
                .iter()
                .filter(|e| {
                    !matches!(
                        e.outcome,
                        insilab_simulator::journal::Outcome::TlsFailure { .. }
                    )
                })
                .map(exchange_from_entry)
                .collect())
        })
    }

    fn handshake_failures_since(
        &self,
        mark: Mark,
    ) -> BoxFuture<'_, Result<Vec<String>, HarnessError>> {
        Box::pin(async move {
            Ok(self
                .entries(mark.0)
                .await?
                .iter()
                .filter_map(|e| match &e.outcome {
                    insilab_simulator::journal::Outcome::TlsFailure { error } => {
                        Some(format!("{}: {error}", e.listener))
                    }
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
            let deadline = tokio::time::Instant::now() + timeout;
            loop {
                let found = self.exchanges_since(mark).await?;
                if found.len() >= count || tokio::time::Instant::now() >= deadline {
                    return Ok(found);
                }
                tokio::time::sleep(POLL).await;
            }
        })
    }

    fn add_override(&self, spec: OverrideSpec) -> BoxFuture<'_, Result<(), HarnessError>> {
        Box::pin(async move {
            self.admin
                .add_override(&to_sim_override(&spec))
                .await
                .map_err(err)
        })
    }

    fn set_dialect(&self, _dialect: DialectChoice) -> BoxFuture<'_, Result<(), HarnessError>> {
        Box::pin(async {
            Err(HarnessError::Skipped(
                "a remote simulator's dialect is set when it starts (insilab serve --dialect)"
                    .into(),
            ))
        })
    }

    fn endpoint_with_server_identity(
        &self,
        _identity: &str,
    ) -> BoxFuture<'_, Result<Option<String>, HarnessError>> {
        Box::pin(async { Ok(None) })
    }

    fn dataset_yaml(&self) -> Option<String> {
        None
    }
}
