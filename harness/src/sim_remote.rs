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
/// How long the INSi endpoint given to the run has to accept a TCP connection when it is not
/// the one the simulator announces (a proxy, another host name).
pub const ENDPOINT_PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// A simulator in another process.
pub struct RemoteSim {
    admin: AdminClient,
    endpoint: String,
}

fn err(e: impl std::fmt::Display) -> HarnessError {
    HarnessError::Simulator(e.to_string())
}

impl RemoteSim {
    /// Checks the admin API answers (`GET /health`) and accepts the token, and that `endpoint`
    /// reaches the simulator's INSi listener, then returns the handle. Each problem is a setup
    /// error: a run whose software cannot reach the simulator would judge nothing.
    pub async fn connect(admin: &str, token: &str, endpoint: &str) -> Result<Self, HarnessError> {
        let client = AdminClient::connect(admin, token).await.map_err(|e| {
            HarnessError::Simulator(format!(
                "cannot use the remote simulator: {}",
                strip_admin(&e)
            ))
        })?;
        let served = client
            .health()
            .await
            .map_err(|e| HarnessError::Simulator(strip_admin(&e)))?
            .endpoint;
        check_endpoint(endpoint, &served).await?;
        Ok(RemoteSim {
            admin: client,
            endpoint: endpoint.to_owned(),
        })
    }

    async fn entries(&self, since: u64) -> Result<Vec<JournalEntry>, HarnessError> {
        self.admin.journal_since(since).await.map_err(err)
    }
}

/// The message of an admin client error without its `admin api: ` prefix (the harness says
/// `simulator error:` already).
fn strip_admin(e: &insilab_simulator::SimulatorError) -> String {
    let text = e.to_string();
    text.strip_prefix("admin api: ")
        .map(str::to_owned)
        .unwrap_or(text)
}

/// `scheme://authority` and path of an URL, or why it is not an https URL.
fn split_url(url: &str) -> Result<(String, String, u16, String), String> {
    let uri: http::Uri = url
        .parse()
        .map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    let scheme = uri.scheme_str().unwrap_or_default();
    if scheme != "https" {
        return Err(format!(
            "{url} is not an https URL (the INSi endpoint is served over mutual TLS)"
        ));
    }
    let host = uri
        .host()
        .ok_or_else(|| format!("{url} names no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = uri.port_u16().unwrap_or(443);
    let path = uri.path().to_owned();
    Ok((scheme.to_owned(), host, port, path))
}

/// Checks that `given` (the INSi endpoint the software will be given) reaches the simulator
/// whose admin API announces `served`: the same URL is fine; the same host and port with another
/// path is wrong; another host or port (a proxy, a host name) must accept a TCP connection
/// within [`ENDPOINT_PROBE_TIMEOUT`].
pub async fn check_endpoint(given: &str, served: &str) -> Result<(), HarnessError> {
    if given.trim_end_matches('/') == served.trim_end_matches('/') {
        return Ok(());
    }
    let wrong = |why: String| {
        HarnessError::Simulator(format!(
            "wrong INSi endpoint --endpoint {given}: {why}; the simulator serves INSi at {served}"
        ))
    };
    let (_, host, port, path) = split_url(given).map_err(wrong)?;
    if let Ok((_, served_host, served_port, served_path)) = split_url(served)
        && (served_host.as_str(), served_port) == (host.as_str(), port)
        && served_path.trim_end_matches('/') != path.trim_end_matches('/')
    {
        return Err(wrong(format!("the path is {path}, not {served_path}")));
    }
    match tokio::time::timeout(
        ENDPOINT_PROBE_TIMEOUT,
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(wrong(format!("nothing answers at {host}:{port} ({e})"))),
        Err(_) => Err(wrong(format!(
            "{host}:{port} did not answer within {} s",
            ENDPOINT_PROBE_TIMEOUT.as_secs()
        ))),
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
