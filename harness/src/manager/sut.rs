//! The reference identity manager as a software under test of its own (`insilab example-sut act`
//! and `serve`): it reads the message the `command` and `http` drivers send (the action JSON plus
//! `scenario` and `endpoint`), keeps one store per scenario (a new scenario starts empty), and
//! answers the [`ActionOutcome`] JSON.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::{Request, Response, StatusCode};
use insilab_client::InsiClient;
use serde::{Deserialize, Serialize};

use super::{Manager, Store};
use crate::HarnessError;
use crate::actions::{ActionOutcome, IdentityAction};
use crate::outcome::MAX_DRIVER_ANSWER_BYTES;

/// Largest action message read (a delivered Datamatrix page travels in it, in base64).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// The message of one action as the drivers send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The scenario (`receiving/…`): a new one starts with an empty store.
    pub scenario: String,
    /// The INSi endpoint to call for this action, when the driver gives one.
    pub endpoint: Option<String>,
    /// The action.
    pub action: IdentityAction,
}

/// Reads a message: the action JSON (tagged by `action`) with `scenario` and `endpoint`.
pub fn parse_message(bytes: &[u8]) -> Result<Message, HarnessError> {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err(HarnessError::Driver(format!(
            "the action message is {} bytes, more than the limit of {MAX_MESSAGE_BYTES}",
            bytes.len()
        )));
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| HarnessError::Driver(format!("the action message is not JSON: {e}")))?;
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let scenario = text("scenario").unwrap_or_default();
    let endpoint = text("endpoint");
    let action = serde_json::from_value(value)
        .map_err(|e| HarnessError::Driver(format!("not an identity action: {e}")))?;
    Ok(Message {
        scenario,
        endpoint,
        action,
    })
}

/// What `example-sut act` keeps between processes: the scenario and its store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SutState {
    /// The scenario the store belongs to.
    pub scenario: String,
    /// The store.
    pub store: Store,
}

/// Builds an INSi client for an endpoint.
pub type ClientFactory = Arc<dyn Fn(&str) -> Result<InsiClient, HarnessError> + Send + Sync>;

impl SutState {
    /// Carries out `message` on this state (reset first when the scenario changed).
    pub async fn act(
        &mut self,
        message: &Message,
        client: &ClientFactory,
        default_endpoint: &str,
    ) -> ActionOutcome {
        if self.scenario != message.scenario {
            *self = SutState {
                scenario: message.scenario.clone(),
                store: Store::default(),
            };
        }
        let endpoint = message
            .endpoint
            .clone()
            .unwrap_or_else(|| default_endpoint.to_owned());
        let factory = || client(&endpoint);
        let mut manager = Manager::from_store(std::mem::take(&mut self.store), None);
        let outcome = manager.act(&message.action, &factory).await;
        self.store = manager.store;
        outcome
    }
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    resp
}

async fn handle(
    req: Request<hyper::body::Incoming>,
    state: Arc<tokio::sync::Mutex<SutState>>,
    client: ClientFactory,
    default_endpoint: Arc<String>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let bad = |reason: String| {
        json_response(
            StatusCode::BAD_REQUEST,
            serde_json::json!({ "reason": reason })
                .to_string()
                .into_bytes(),
        )
    };
    if req.method() != hyper::Method::POST {
        return Ok(bad("POST the action message".to_owned()));
    }
    let body = match Limited::new(req.into_body(), MAX_MESSAGE_BYTES)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(e) => return Ok(bad(format!("cannot read the body: {e}"))),
    };
    let message = match parse_message(&body) {
        Ok(m) => m,
        Err(e) => return Ok(bad(e.to_string())),
    };
    let outcome = state
        .lock()
        .await
        .act(&message, &client, &default_endpoint)
        .await;
    let body = serde_json::to_vec(&outcome).unwrap_or_default();
    if body.len() > MAX_DRIVER_ANSWER_BYTES {
        return Ok(bad(format!(
            "the outcome is {} bytes, more than the drivers read",
            body.len()
        )));
    }
    Ok(json_response(StatusCode::OK, body))
}

/// Serves the http hook on `listener` until the task is dropped: every POST body is an action
/// message, every answer its outcome.
pub async fn serve(
    listener: tokio::net::TcpListener,
    client: ClientFactory,
    default_endpoint: String,
) -> Result<(), HarnessError> {
    let state = Arc::new(tokio::sync::Mutex::new(SutState::default()));
    let default_endpoint = Arc::new(default_endpoint);
    loop {
        let (stream, _) = listener
            .accept()
            .await
            .map_err(|e| HarnessError::Driver(format!("the hook cannot accept: {e}")))?;
        let io = hyper_util::rt::TokioIo::new(stream);
        let (state, client, endpoint) = (state.clone(), client.clone(), default_endpoint.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                handle(req, state.clone(), client.clone(), endpoint.clone())
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_the_action_with_scenario_and_endpoint() {
        let m = parse_message(
            br#"{"action":"read-identity","local_id":"id-1","scenario":"business/s-01","endpoint":"https://127.0.0.1:1/lps"}"#,
        )
        .unwrap();
        assert_eq!(m.scenario, "business/s-01");
        assert_eq!(m.endpoint.as_deref(), Some("https://127.0.0.1:1/lps"));
        assert_eq!(
            m.action,
            IdentityAction::ReadIdentity {
                local_id: "id-1".into()
            }
        );
        assert!(parse_message(b"{\"action\":\"dance\"}").is_err());
    }
}
