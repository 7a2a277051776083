//! [`SimControl`] over the admin API of a running `insilab serve`.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use insilab_simulator::JournalEntry;

use crate::HarnessError;
use crate::exchange::Exchange;
use crate::journal::exchange_from_entry;
use crate::sim::{BoxFuture, DialectChoice, Mark, OverrideSpec, SimControl};
use crate::sim_local::to_sim_override;

/// Largest admin API answer read (a full journal of large exchanges).
pub const MAX_ADMIN_ANSWER: usize = 256 * 1024 * 1024;
/// Poll interval while waiting for journal entries.
const POLL: Duration = Duration::from_millis(100);

/// A simulator in another process.
pub struct RemoteSim {
    admin: String,
    token: String,
    endpoint: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

fn err(e: impl std::fmt::Display) -> HarnessError {
    HarnessError::Simulator(e.to_string())
}

impl RemoteSim {
    /// Checks the admin API answers (`GET /health`) and returns the handle.
    pub async fn connect(admin: &str, token: &str, endpoint: &str) -> Result<Self, HarnessError> {
        let sim = RemoteSim {
            admin: admin.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            endpoint: endpoint.to_owned(),
            client: Client::builder(TokioExecutor::new()).build_http(),
        };
        sim.call(http::Method::GET, "/health", None).await?;
        Ok(sim)
    }

    async fn call(
        &self,
        method: http::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Bytes, HarnessError> {
        let url = format!("{}{path}", self.admin);
        let req = http::Request::builder()
            .method(method)
            .uri(&url)
            .header(
                http::header::AUTHORIZATION,
                format!("Bearer {}", self.token),
            )
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(err)?;
        let resp = self
            .client
            .request(req)
            .await
            .map_err(|e| err(format!("{url}: {e}")))?;
        let status = resp.status();
        let bytes = Limited::new(resp.into_body(), MAX_ADMIN_ANSWER)
            .collect()
            .await
            .map_err(|e| err(format!("{url}: {e}")))?
            .to_bytes();
        if !status.is_success() {
            return Err(err(format!(
                "{url} answered HTTP {status}: {}",
                String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(300)
                    .collect::<String>()
            )));
        }
        Ok(bytes)
    }

    async fn entries(&self, since: u64) -> Result<Vec<JournalEntry>, HarnessError> {
        let bytes = self
            .call(http::Method::GET, &format!("/journal?since={since}"), None)
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| err(format!("journal answer: {e}")))
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
            self.call(http::Method::DELETE, "/overrides", None).await?;
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
            let body = serde_json::to_vec(&to_sim_override(&spec)).map_err(err)?;
            self.call(http::Method::POST, "/overrides", Some(body))
                .await
                .map(|_| ())
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
