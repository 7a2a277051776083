//! The `http` driver: POSTs one JSON action to the software's test hook and reads the JSON
//! outcome back. The identity-management actions ([`crate::actions`]) are POSTed as their
//! message plus `scenario` and `endpoint` and answered by an
//! [`crate::actions::ActionOutcome`]. Contract: `docs/driver-protocol.md` and
//! `docs/driver-hook.openapi.yaml`.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};

use crate::HarnessError;
use crate::actions::{ActionOutcome, IdentityAction, parse_action_outcome};
use crate::delivery::Channels;
use crate::driver::command::{action_message, read_config};
use crate::driver::{ActionContext, CardAction, CardSigning, Driver, card_action_setup};
use crate::outcome::{
    CardInput, MAX_DRIVER_ANSWER_BYTES, StoredIns, SutOutcome, TraitsInput, parse_outcome,
};
use crate::sim::BoxFuture;

/// Default time limit of one hook call.
pub const DEFAULT_HOOK_TIMEOUT_SECS: u64 = 60;

/// The status a hook answers for an action the software does not support (`501 Not
/// Implemented`): the scenario is skipped with the reason of the body, not failed.
pub const NOT_SUPPORTED_STATUS: http::StatusCode = http::StatusCode::NOT_IMPLEMENTED;
/// Longest reason kept from a "not supported" answer.
pub const MAX_REASON_CHARS: usize = 300;

/// The body of a "not supported" answer: `{"reason": "…"}` (any other body is taken as text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotSupported {
    /// Why the software cannot do the action (shown as the skip reason).
    pub reason: String,
}

/// The skip reason of a `501` answer to `action`.
fn not_supported_reason(action: &str, body: &[u8]) -> String {
    let reason = serde_json::from_slice::<NotSupported>(body)
        .map(|n| n.reason)
        .unwrap_or_else(|_| String::from_utf8_lossy(body).into_owned());
    let reason: String = reason.trim().chars().take(MAX_REASON_CHARS).collect();
    if reason.is_empty() {
        format!("the software does not support {action} (its hook answered 501)")
    } else {
        format!("the software does not support {action}: {reason}")
    }
}

/// YAML configuration of the http driver.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// URL of the hook (`http://127.0.0.1:9000/insilab`).
    pub url: String,
    /// Bearer token sent in `Authorization`, when the hook wants one.
    #[serde(default)]
    pub token: Option<String>,
    /// The software's own total timeout for one INSi search, in seconds: the late-answer
    /// scenario delays the answer this long plus a margin.
    #[serde(default)]
    pub software_timeout_seconds: Option<u64>,
    /// The software's own authorisation numbers (`LPS/IDAM`), accepted by the in-process
    /// simulator besides the test ones.
    #[serde(default)]
    pub allow_idam: Vec<String>,
    /// Time limit of one call, in seconds.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    /// The channels the software receives data on (MLLP, FHIR, drop folder).
    #[serde(default)]
    pub channels: Channels,
}

fn default_timeout() -> u64 {
    DEFAULT_HOOK_TIMEOUT_SECS
}

/// The JSON body POSTed to the hook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HookAction {
    /// `search-traits`, `search-traits-card`, `search-card`, `verify` or `get-stored-identity`.
    pub action: String,
    /// Scenario id, for the software's logs.
    pub scenario: String,
    /// INSi endpoint the software must call for this action.
    pub endpoint: String,
    /// Traits (search-traits, verify).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traits: Option<TraitsInput>,
    /// INS to verify (verify).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ins: Option<StoredIns>,
    /// Vitale card data (search-card).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<CardInput>,
    /// The virtual CPx card to sign the assertion with (search-traits-card; `endpoint` is then
    /// the simulator's card endpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpx_card: Option<CardSigning>,
}

/// The http driver.
pub struct HttpDriver {
    config: HttpConfig,
    pki: Option<std::sync::Arc<insilab_certs::Pki>>,
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
}

impl HttpDriver {
    /// Loads the YAML configuration.
    pub fn load(path: &Path) -> Result<Self, HarnessError> {
        let config: HttpConfig = read_config(path)?;
        if !config.url.starts_with("http://") {
            return Err(HarnessError::DriverConfig {
                path: path.to_owned(),
                message: format!("url {:?} must start with http://", config.url),
            });
        }
        Ok(Self::new(config))
    }

    /// A driver from an in-memory configuration.
    pub fn new(config: HttpConfig) -> Self {
        HttpDriver {
            config,
            pki: None,
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// The test PKI whose virtual cards the card-mode action names (without one, card-mode
    /// scenarios are skipped).
    #[must_use]
    pub fn with_pki(mut self, pki: Option<std::sync::Arc<insilab_certs::Pki>>) -> Self {
        self.pki = pki;
        self
    }

    async fn call(&self, action: &HookAction) -> Result<SutOutcome, HarnessError> {
        let body = serde_json::to_vec(action)
            .map_err(|e| HarnessError::Driver(format!("cannot encode the hook action: {e}")))?;
        let what = format!("the hook {} ({})", self.config.url, action.action);
        let bytes = self.post(body, &action.action).await?;
        parse_outcome(&bytes, &what)
    }

    /// POSTs `body` (the `action` message) and returns the answer's body; `501` skips.
    async fn post(&self, body: Vec<u8>, action: &str) -> Result<Bytes, HarnessError> {
        let mut req = http::Request::post(&self.config.url)
            .header(http::header::CONTENT_TYPE, "application/json");
        if let Some(token) = &self.config.token {
            req = req.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| HarnessError::Driver(format!("bad hook url {}: {e}", self.config.url)))?;
        let timeout = Duration::from_secs(self.config.timeout_seconds);
        let what = format!("the hook {} ({action})", self.config.url);
        let work = async {
            let resp = self.client.request(req).await.map_err(|e| {
                if e.is_connect() {
                    // hyper's own `client error (Connect)` says nothing its causes do not.
                    let cause = std::error::Error::source(&e)
                        .map_or_else(|| e.to_string(), crate::error::describe_chain);
                    HarnessError::Unreachable(format!(
                        "the hook {} is not answering ({cause}): start the software's test hook, or fix url in the driver configuration",
                        self.config.url
                    ))
                } else {
                    HarnessError::Driver(format!("{what}: {}", crate::error::describe_chain(&e)))
                }
            })?;
            let status = resp.status();
            let bytes = Limited::new(resp.into_body(), MAX_DRIVER_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|e| HarnessError::Driver(format!("{what}: {e}")))?
                .to_bytes();
            if status == NOT_SUPPORTED_STATUS {
                return Err(HarnessError::Skipped(not_supported_reason(action, &bytes)));
            }
            if !status.is_success() {
                return Err(HarnessError::Driver(format!(
                    "{what} answered HTTP {status}: {}",
                    String::from_utf8_lossy(&bytes)
                        .chars()
                        .take(200)
                        .collect::<String>()
                )));
            }
            Ok(bytes)
        };
        tokio::time::timeout(timeout, work).await.map_err(|_| {
            HarnessError::Driver(format!(
                "the hook {} did not answer within {} s",
                self.config.url, self.config.timeout_seconds
            ))
        })?
    }

    fn action(ctx: &ActionContext, name: &str) -> HookAction {
        HookAction {
            action: name.to_owned(),
            scenario: ctx.scenario_id.clone(),
            endpoint: ctx
                .endpoint_override
                .clone()
                .unwrap_or_else(|| ctx.sim.endpoint_url()),
            traits: None,
            ins: None,
            card: None,
            cpx_card: None,
        }
    }
}

impl Driver for HttpDriver {
    fn name(&self) -> String {
        "http".to_owned()
    }

    fn software_timeout(&self) -> Option<std::time::Duration> {
        self.config
            .software_timeout_seconds
            .map(std::time::Duration::from_secs)
    }

    fn allowed_idam(&self) -> Vec<String> {
        self.config.allow_idam.clone()
    }

    fn channels(&self) -> Channels {
        self.config.channels.clone()
    }

    fn act<'a>(
        &'a self,
        ctx: &'a ActionContext,
        action: &'a IdentityAction,
    ) -> BoxFuture<'a, Result<ActionOutcome, HarnessError>> {
        Box::pin(async move {
            let name = action.name();
            let body = serde_json::to_vec(&action_message(ctx, action)?).map_err(|e| {
                HarnessError::Driver(format!("cannot encode the {name} action: {e}"))
            })?;
            let bytes = self.post(body, name).await?;
            parse_action_outcome(&bytes, &format!("the hook {} ({name})", self.config.url))
        })
    }

    fn search_traits<'a>(
        &'a self,
        ctx: &'a ActionContext,
        input: &'a TraitsInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let mut action = Self::action(ctx, "search-traits");
            action.traits = Some(input.clone());
            self.call(&action).await
        })
    }

    fn search_traits_with_card<'a>(
        &'a self,
        ctx: &'a ActionContext,
        input: &'a TraitsInput,
        card: &'a CardAction,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let (url, signing) = card_action_setup(&self.name(), self.pki.as_deref(), ctx, card)?;
            let mut action = Self::action(ctx, "search-traits-card");
            action.endpoint = url;
            action.traits = Some(input.clone());
            action.cpx_card = Some(signing);
            self.call(&action).await
        })
    }

    fn search_card<'a>(
        &'a self,
        ctx: &'a ActionContext,
        input: &'a CardInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let mut action = Self::action(ctx, "search-card");
            action.card = Some(input.clone());
            self.call(&action).await
        })
    }

    fn verify<'a>(
        &'a self,
        ctx: &'a ActionContext,
        ins: &'a StoredIns,
        input: &'a TraitsInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let mut action = Self::action(ctx, "verify");
            action.traits = Some(input.clone());
            action.ins = Some(ins.clone());
            self.call(&action).await
        })
    }
}
