//! The admin API (JSON over plain HTTP on a loopback port, bearer token).
//!
//! One job: expose the journal, overrides, dataset reload, health and metrics to tools running
//! in another process. The admin token sees everything; a tenant token sees and changes only
//! its tenant's journal entries and overrides. Described in `docs/admin-api.openapi.yaml`.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::journal::JournalQuery;
use crate::overrides::OverrideSpec;
use crate::server::{ResBody, full};
use crate::state::State;

/// Largest admin request body (an override list or a dataset), in bytes.
pub const MAX_ADMIN_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    Admin,
    Tenant(String),
}

impl Scope {
    fn tenant(&self) -> Option<&str> {
        match self {
            Scope::Admin => None,
            Scope::Tenant(t) => Some(t),
        }
    }
}

/// Most admin API connections at once: its own small cap, so that a flood of INSi clients
/// cannot lock the operator out.
pub(crate) const ADMIN_MAX_CONNECTIONS: usize = 64;

/// Accept loop of the admin API (the shared capped loop).
pub(crate) async fn accept_loop(
    listener: TcpListener,
    state: Arc<State>,
    limit: Arc<Semaphore>,
    shutdown: watch::Receiver<bool>,
) {
    crate::accept::capped_accept_loop(listener, limit, shutdown, move |stream, mut shutdown| {
        let state = Arc::clone(&state);
        async move {
            let svc_state = Arc::clone(&state);
            let svc = hyper::service::service_fn(move |req| {
                let state = Arc::clone(&svc_state);
                async move { Ok::<_, std::convert::Infallible>(handle(req, state).await) }
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(state.timeouts.header_read());
            let conn = builder.serve_connection(TokioIo::new(stream), svc);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = shutdown.changed() => { conn.as_mut().graceful_shutdown(); let _ = conn.await; }
            }
        }
    })
    .await;
}

fn json(status: StatusCode, value: &impl serde::Serialize) -> Response<ResBody> {
    let body = serde_json::to_vec_pretty(value)
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}").into_bytes());
    full(status, "application/json", body)
}

fn error(status: StatusCode, message: impl Into<String>) -> Response<ResBody> {
    json(status, &serde_json::json!({ "error": message.into() }))
}

fn scope_of(req: &Request<Incoming>, state: &State) -> Option<Scope> {
    let token = req
        .headers()
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?
        .trim();
    // Never matches an empty token, whatever the configuration (refused at start-up anyway).
    if token.is_empty() {
        return None;
    }
    if constant_time_eq(token.as_bytes(), state.admin_token.as_bytes()) {
        return Some(Scope::Admin);
    }
    state
        .tenant_tokens
        .iter()
        .find(|(t, _)| constant_time_eq(token.as_bytes(), t.as_bytes()))
        .map(|(_, tenant)| Scope::Tenant(tenant.clone()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Debug, Deserialize)]
struct JournalParams {
    tenant: Option<String>,
    since: Option<u64>,
    limit: Option<usize>,
}

fn parse_query(q: Option<&str>) -> Result<JournalParams, String> {
    let mut p = JournalParams {
        tenant: None,
        since: None,
        limit: None,
    };
    for pair in q.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decode(v);
        match k {
            "tenant" => p.tenant = Some(v).filter(|v| !v.is_empty()),
            "since" => {
                p.since = Some(
                    v.parse()
                        .map_err(|_| format!("since `{v}` is not a sequence number"))?,
                )
            }
            "limit" => {
                p.limit = Some(
                    v.parse()
                        .map_err(|_| format!("limit `{v}` is not a number"))?,
                )
            }
            other => return Err(format!("unknown query parameter `{other}`")),
        }
    }
    Ok(p)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn read_body(req: Request<Incoming>) -> Result<Bytes, Response<ResBody>> {
    match Limited::new(req.into_body(), MAX_ADMIN_BODY_BYTES)
        .collect()
        .await
    {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) => Err(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("failed to read the body: {e}"),
        )),
    }
}

async fn handle(req: Request<Incoming>, state: Arc<State>) -> Response<ResBody> {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    if method == Method::GET && path == "/health" {
        let d = state.dataset();
        return json(
            StatusCode::OK,
            &serde_json::json!({
                "status": "ok",
                "endpoint": state.endpoint_url(),
                "dialect": format!("{:?}", state.dialect()),
                "persons": d.persons.len(),
                "journal_entries": state.journal.len(),
                "last_seq": state.journal.last_seq(),
            }),
        );
    }
    let Some(scope) = scope_of(&req, &state) else {
        let mut r = error(StatusCode::UNAUTHORIZED, "missing or unknown bearer token");
        r.headers_mut().insert(
            http::header::WWW_AUTHENTICATE,
            http::HeaderValue::from_static("Bearer"),
        );
        return r;
    };
    match (method, path.as_str()) {
        (Method::GET, "/journal") => {
            let p = match parse_query(req.uri().query()) {
                Ok(p) => p,
                Err(e) => return error(StatusCode::BAD_REQUEST, e),
            };
            let tenant = match (&scope, p.tenant) {
                (Scope::Admin, t) => t,
                (Scope::Tenant(own), Some(t)) if t != *own => {
                    return error(
                        StatusCode::FORBIDDEN,
                        format!("a tenant token cannot read tenant `{t}`"),
                    );
                }
                (Scope::Tenant(own), _) => Some(own.clone()),
            };
            let q = JournalQuery {
                tenant,
                since: p.since,
                limit: p.limit,
            };
            let entries = state.journal.query(&q);
            let refs: Vec<&crate::journal::JournalEntry> = entries.iter().map(|e| &**e).collect();
            json(StatusCode::OK, &refs)
        }
        (Method::DELETE, "/journal") => {
            let n = state.journal.clear(scope.tenant());
            json(StatusCode::OK, &serde_json::json!({ "removed": n }))
        }
        (Method::GET, "/overrides") => json(StatusCode::OK, &state.overrides.list(scope.tenant())),
        (Method::POST, "/overrides") => {
            let body = match read_body(req).await {
                Ok(b) => b,
                Err(r) => return r,
            };
            let specs: Vec<OverrideSpec> = match serde_json::from_slice::<serde_json::Value>(&body)
            {
                Ok(v @ serde_json::Value::Array(_)) => match serde_json::from_value(v) {
                    Ok(s) => s,
                    Err(e) => {
                        return error(
                            StatusCode::BAD_REQUEST,
                            format!("invalid override list: {e}"),
                        );
                    }
                },
                Ok(v) => match serde_json::from_value(v) {
                    Ok(s) => vec![s],
                    Err(e) => {
                        return error(StatusCode::BAD_REQUEST, format!("invalid override: {e}"));
                    }
                },
                Err(e) => return error(StatusCode::BAD_REQUEST, format!("invalid json: {e}")),
            };
            let mut ids = Vec::new();
            for mut s in specs {
                if let Scope::Tenant(t) = &scope {
                    s.pattern.tenant = Some(t.clone());
                }
                match state.overrides.add(s) {
                    Ok(id) => ids.push(id),
                    Err(e) => return error(StatusCode::BAD_REQUEST, e.to_string()),
                }
            }
            json(StatusCode::CREATED, &serde_json::json!({ "ids": ids }))
        }
        (Method::DELETE, "/overrides") => {
            let n = state.overrides.clear(scope.tenant());
            json(StatusCode::OK, &serde_json::json!({ "removed": n }))
        }
        (Method::POST, "/dataset/reload") => {
            if scope != Scope::Admin {
                return error(
                    StatusCode::FORBIDDEN,
                    "only the admin token can reload the dataset",
                );
            }
            let body = match read_body(req).await {
                Ok(b) => b,
                Err(r) => return r,
            };
            let result = if body.iter().all(u8::is_ascii_whitespace) {
                state.reload()
            } else {
                std::str::from_utf8(&body)
                    .map_err(|e| crate::SimulatorError::DatasetSyntax {
                        origin: "request body".into(),
                        message: e.to_string(),
                    })
                    .and_then(|t| crate::dataset::Dataset::from_yaml(t, "request body"))
                    .map(|d| {
                        let n = d.persons.len();
                        state.set_dataset(d);
                        n
                    })
            };
            match result {
                Ok(n) => json(StatusCode::OK, &serde_json::json!({ "persons": n })),
                Err(e) => error(StatusCode::BAD_REQUEST, e.to_string()),
            }
        }
        (Method::GET, "/metrics") => {
            if scope != Scope::Admin {
                return error(
                    StatusCode::FORBIDDEN,
                    "only the admin token can read metrics",
                );
            }
            full(
                StatusCode::OK,
                "text/plain; version=0.0.4",
                state.metrics.render(state.journal.file_errors()),
            )
        }
        _ => error(StatusCode::NOT_FOUND, format!("no route {path}")),
    }
}
