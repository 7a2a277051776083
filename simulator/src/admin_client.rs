//! A client of the admin API ([`crate::admin`]), beside the server it speaks to, so that one
//! crate owns that JSON contract (paths, bearer token, `JournalEntry`, `OverrideSpec`). The
//! harness drives a simulator in another process with it.

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::error::{Result, SimulatorError};
use crate::journal::JournalEntry;
use crate::overrides::OverrideSpec;

/// Largest admin API answer read (a full journal of large exchanges).
pub const MAX_ADMIN_ANSWER: usize = 256 * 1024 * 1024;
/// Longest part of an error answer quoted in an error message, in characters.
const MAX_QUOTED_ANSWER: usize = 300;

/// The admin API of a running simulator (`insilab serve`), over plain HTTP on loopback.
#[derive(Debug, Clone)]
pub struct AdminClient {
    base: String,
    token: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

fn admin_err(message: String) -> SimulatorError {
    SimulatorError::Admin(message)
}

/// An error and its causes, each once (hyper's `client error (Connect)` says nothing alone).
use insilab_core::describe_chain as chain;

/// What `GET /health` says of the simulator (the fields a client needs).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Health {
    /// The INSi endpoint the simulator serves (`https://127.0.0.1:8443/lps`).
    pub endpoint: String,
}

impl AdminClient {
    /// A client of the admin API at `base` (`http://127.0.0.1:8444`) with a bearer `token`;
    /// checks that it answers (`GET /health`) and that it accepts the token.
    pub async fn connect(base: &str, token: &str) -> Result<Self> {
        let client = AdminClient {
            base: base.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            client: Client::builder(TokioExecutor::new()).build_http(),
        };
        client.health().await?;
        // `/health` needs no token: an authenticated read tells a wrong one now, not mid-run.
        match client.call(http::Method::GET, "/overrides", None).await {
            Err(SimulatorError::Admin(message)) if message.contains("HTTP 401") => {
                return Err(admin_err(format!(
                    "the admin API at {} refused the token (HTTP 401 Unauthorized): pass the admin or a tenant token of that simulator (--admin-token or INSILAB_ADMIN_TOKEN)",
                    client.base
                )));
            }
            other => other?,
        };
        Ok(client)
    }

    /// `GET /health`: the simulator answers, and serves INSi at [`Health::endpoint`].
    pub async fn health(&self) -> Result<Health> {
        let bytes = self.call(http::Method::GET, "/health", None).await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            admin_err(format!(
                "{}/health did not answer as an insilab simulator does: {e}",
                self.base
            ))
        })
    }

    async fn call(&self, method: http::Method, path: &str, body: Option<Vec<u8>>) -> Result<Bytes> {
        let url = format!("{}{path}", self.base);
        let req = http::Request::builder()
            .method(method)
            .uri(&url)
            .header(
                http::header::AUTHORIZATION,
                format!("Bearer {}", self.token),
            )
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| admin_err(format!("{url}: {e}")))?;
        let resp = self.client.request(req).await.map_err(|e| {
            // hyper's own `client error (Connect)` says nothing its causes do not.
            let why = std::error::Error::source(&e).map_or_else(|| e.to_string(), chain);
            admin_err(format!("{url} does not answer: {why}"))
        })?;
        let status = resp.status();
        let bytes = Limited::new(resp.into_body(), MAX_ADMIN_ANSWER)
            .collect()
            .await
            .map_err(|e| admin_err(format!("{url}: {}", chain(&*e))))?
            .to_bytes();
        if !status.is_success() {
            return Err(admin_err(format!(
                "{url} answered HTTP {status}: {}",
                String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(MAX_QUOTED_ANSWER)
                    .collect::<String>()
            )));
        }
        Ok(bytes)
    }

    /// The journal entries after sequence number `since` (`GET /journal?since=N`).
    pub async fn journal_since(&self, since: u64) -> Result<Vec<JournalEntry>> {
        let bytes = self
            .call(http::Method::GET, &format!("/journal?since={since}"), None)
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| admin_err(format!("journal answer: {e}")))
    }

    /// Removes every override (`DELETE /overrides`).
    pub async fn clear_overrides(&self) -> Result<()> {
        self.call(http::Method::DELETE, "/overrides", None)
            .await
            .map(|_| ())
    }

    /// Adds an override (`POST /overrides`).
    pub async fn add_override(&self, spec: &OverrideSpec) -> Result<()> {
        let body = serde_json::to_vec(spec).map_err(|e| admin_err(format!("override: {e}")))?;
        self.call(http::Method::POST, "/overrides", Some(body))
            .await
            .map(|_| ())
    }
}
