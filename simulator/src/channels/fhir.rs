//! FHIR REST: an endpoint receiving `POST [base]/Patient`, `PUT [base]/Patient/{id}` and
//! `POST [base]` / `POST [base]/Bundle` (a Bundle of Patients), in JSON or XML, and answering an
//! `OperationOutcome` listing the rules that failed; and a client posting to a peer's base URL.
//!
//! Content negotiation as FHIR specifies: the request syntax comes from `Content-Type`
//! (`application/fhir+json`, `application/fhir+xml`, and the plain `json`/`xml` types); the
//! answer's from `_format`, else `Accept`, else the request's. Statuses: 201 (POST) / 200 (PUT)
//! when no rule above advice failed, 422 when one did, 400 for an unreadable resource or the
//! wrong resource type (or a PUT whose Patient id is not the URL's), 413 over [`MAX_FHIR_BYTES`], 415 for another content type, 404/405
//! otherwise. Every request is journalled before it is answered.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use insilab_formats::fhir::outcome::{self, Issue};
use insilab_formats::fhir::{self, MAX_FHIR_BYTES, Resource, Syntax};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use super::{entry, journal_text};
use crate::journal::{Journal, Outcome};
use crate::server::{ResBody, full};

/// Most FHIR connections served at once.
pub const FHIR_MAX_CONNECTIONS: usize = 64;
/// How long the endpoint waits for request headers.
pub const FHIR_HEADER_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the endpoint waits for a request body.
pub const FHIR_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the client waits for an answer.
pub const FHIR_CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// The endpoint's settings.
#[derive(Debug, Clone, Default)]
pub struct FhirSettings {
    /// Tenant of the journal entries of requests to the base URL itself.
    pub tenant: Option<String>,
    /// Known tenants (those with an admin API token): each has its own base URL
    /// `/tenants/<tenant>` ([`TENANT_BASE`]), whose requests are journalled under it.
    pub tenants: Vec<String>,
}

/// Start of a tenant's own base path: `/tenants/<tenant>/Patient`.
pub const TENANT_BASE: &str = "/tenants/";

/// Accepts FHIR REST connections until `shutdown`.
pub async fn accept_loop(
    listener: TcpListener,
    journal: Journal,
    settings: Arc<FhirSettings>,
    shutdown: watch::Receiver<bool>,
) {
    let limit = Arc::new(Semaphore::new(FHIR_MAX_CONNECTIONS));
    crate::accept::capped_accept_loop(listener, limit, shutdown, move |stream, mut shutdown| {
        let journal = journal.clone();
        let settings = Arc::clone(&settings);
        async move {
            let svc = hyper::service::service_fn(move |req| {
                let journal = journal.clone();
                let settings = Arc::clone(&settings);
                async move { Ok::<_, std::convert::Infallible>(handle(req, journal, settings).await) }
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(FHIR_HEADER_TIMEOUT);
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

/// The syntax of a media type (`application/fhir+json; charset=utf-8` → JSON).
pub fn syntax_of_media(media: &str) -> Option<Syntax> {
    let m = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match m.as_str() {
        "application/fhir+json" | "application/json" | "json" => Some(Syntax::Json),
        "application/fhir+xml" | "application/xml" | "text/xml" | "xml" => Some(Syntax::Xml),
        _ => None,
    }
}

fn answer_syntax(req: &Request<Incoming>, request_syntax: Syntax) -> Syntax {
    let format = req.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("_format="))
            .and_then(syntax_of_media_encoded)
    });
    if let Some(s) = format {
        return s;
    }
    let accept = req
        .headers()
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept
        .split(',')
        .find_map(syntax_of_media)
        .unwrap_or(request_syntax)
}

fn syntax_of_media_encoded(v: &str) -> Option<Syntax> {
    syntax_of_media(
        &v.replace("%2B", "+")
            .replace("%2b", "+")
            .replace("%2F", "/")
            .replace("%2f", "/"),
    )
}

fn oo(status: StatusCode, syntax: Syntax, issues: &[Issue]) -> (Response<ResBody>, String) {
    let body = outcome::write(issues, syntax);
    let ct = match syntax {
        Syntax::Json => "application/fhir+json; charset=utf-8",
        Syntax::Xml => "application/fhir+xml; charset=utf-8",
    };
    (full(status, ct, body.clone()), body)
}

fn issue(code: &str, diagnostics: String, expression: Option<String>) -> Issue {
    Issue {
        severity: "error".into(),
        code: code.into(),
        rule_id: None,
        diagnostics: Some(diagnostics),
        expression: expression.into_iter().collect(),
    }
}

/// Where a reader error is, for `issue.expression`.
fn error_location(e: &fhir::FhirError) -> Option<String> {
    match e {
        fhir::FhirError::Missing { at }
        | fhir::FhirError::Invalid { at, .. }
        | fhir::FhirError::Limit { at, .. }
        | fhir::FhirError::ResourceType { at, .. } => Some(at.clone()),
        _ => None,
    }
}

async fn handle(
    req: Request<Incoming>,
    journal: Journal,
    settings: Arc<FhirSettings>,
) -> Response<ResBody> {
    let started = Instant::now();
    let method = req.method().clone();
    let mut path = req.uri().path().trim_end_matches('/').to_owned();
    let mut tenant = settings.tenant.clone();
    let mut unknown_tenant = None;
    if let Some(rest) = path.strip_prefix(TENANT_BASE) {
        let (name, tail) = rest.split_once('/').unwrap_or((rest, ""));
        if settings.tenants.iter().any(|t| t == name) {
            tenant = Some(name.to_owned());
        } else {
            unknown_tenant = Some(name.to_owned());
        }
        path = if tail.is_empty() {
            String::new()
        } else {
            format!("/{tail}")
        };
    }
    let http_request = format!("{method} {}", req.uri());
    let content_type = req
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut e = entry(
        "fhir",
        tenant,
        Outcome::Checked {
            verdict: "unreadable".into(),
        },
    );
    e.http_request = http_request;
    e.content_type = content_type.clone();
    let record = |mut e: crate::journal::JournalEntry,
                  status: StatusCode,
                  resp: (Response<ResBody>, String)| {
        e.http_status = status.as_u16();
        e.raw_response = journal_text(resp.1.as_bytes());
        e.duration_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        journal.record(e);
        resp.0
    };
    if let Some(name) = unknown_tenant {
        let s = StatusCode::NOT_FOUND;
        let d = format!(
            "no tenant `{name}` here: a tenant's base URL is {TENANT_BASE}<tenant> for a tenant the simulator has a token for"
        );
        return record(e, s, oo(s, Syntax::Json, &[issue("not-found", d, None)]));
    }
    // Which resource the path expects.
    let expects = match (&method, path.as_str()) {
        (&Method::POST, "/Patient") => "Patient",
        (&Method::PUT, p)
            if p.strip_prefix("/Patient/")
                .is_some_and(|id| !id.is_empty() && !id.contains('/')) =>
        {
            "Patient"
        }
        (&Method::POST, "" | "/Bundle") => "Bundle",
        (_, "/Patient" | "" | "/Bundle") => {
            let s = StatusCode::METHOD_NOT_ALLOWED;
            let d = format!("{method} is not accepted here: POST (or PUT /Patient/{{id}})");
            return record(
                e,
                s,
                oo(s, Syntax::Json, &[issue("not-supported", d, None)]),
            );
        }
        _ => {
            let s = StatusCode::NOT_FOUND;
            let d = format!(
                "no such endpoint {path}: POST /Patient, PUT /Patient/{{id}}, POST / or /Bundle"
            );
            return record(e, s, oo(s, Syntax::Json, &[issue("not-found", d, None)]));
        }
    };
    let request_syntax = match content_type.as_deref() {
        None => None,
        Some(ct) => match syntax_of_media(ct) {
            Some(s) => Some(s),
            None => {
                let s = StatusCode::UNSUPPORTED_MEDIA_TYPE;
                let d = format!(
                    "content type {ct:?} is not application/fhir+json or application/fhir+xml"
                );
                return record(
                    e,
                    s,
                    oo(s, Syntax::Json, &[issue("not-supported", d, None)]),
                );
            }
        },
    };
    let reply_syntax = answer_syntax(&req, request_syntax.unwrap_or(Syntax::Json));
    let body = match tokio::time::timeout(
        FHIR_BODY_TIMEOUT,
        Limited::new(req.into_body(), MAX_FHIR_BYTES).collect(),
    )
    .await
    {
        Ok(Ok(b)) => b.to_bytes(),
        Ok(Err(err)) => {
            let too_large = err
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            let (s, d) = if too_large {
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("body exceeds the limit of {MAX_FHIR_BYTES} bytes (MAX_FHIR_BYTES)"),
                )
            } else {
                (
                    StatusCode::BAD_REQUEST,
                    format!("body cannot be read: {err}"),
                )
            };
            e.outcome = Outcome::ChannelError { error: d.clone() };
            return record(e, s, oo(s, reply_syntax, &[issue("too-costly", d, None)]));
        }
        Err(_) => {
            let s = StatusCode::REQUEST_TIMEOUT;
            let d = format!(
                "body not received within {} ms",
                FHIR_BODY_TIMEOUT.as_millis()
            );
            e.outcome = Outcome::ChannelError { error: d.clone() };
            return record(e, s, oo(s, reply_syntax, &[issue("timeout", d, None)]));
        }
    };
    e.raw_request = journal_text(&body);
    let syntax = request_syntax
        .or_else(|| Syntax::sniff(&body))
        .unwrap_or(Syntax::Json);
    let read = match syntax {
        Syntax::Json => fhir::read_json(&body),
        Syntax::Xml => fhir::read_xml(&body),
    };
    let resource = match read {
        Ok(r) => r,
        Err(err) => {
            let s = StatusCode::BAD_REQUEST;
            let loc = error_location(&err);
            return record(
                e,
                s,
                oo(s, reply_syntax, &[issue("structure", err.to_string(), loc)]),
            );
        }
    };
    let found = match &resource {
        Resource::Patient(_) => "Patient",
        Resource::Bundle(_) => "Bundle",
    };
    e.operation = Some(format!("fhir {method} {found}"));
    if found != expects {
        let s = StatusCode::BAD_REQUEST;
        let d = format!("a {found} was sent where a {expects} is expected");
        return record(e, s, oo(s, reply_syntax, &[issue("invalid", d, None)]));
    }
    // FHIR update: the resource's id must be the one of the URL.
    if method == Method::PUT
        && let Resource::Patient(p) = &resource
    {
        let url_id = path.strip_prefix("/Patient/").unwrap_or_default();
        if p.id.as_deref() != Some(url_id) {
            let s = StatusCode::BAD_REQUEST;
            let d = format!(
                "the Patient's id {:?} is not the id of the URL {url_id:?}",
                p.id.as_deref().unwrap_or("")
            );
            return record(
                e,
                s,
                oo(
                    s,
                    reply_syntax,
                    &[issue("invalid", d, Some("Patient.id".into()))],
                ),
            );
        }
    }
    let findings = insilab_formats::rules::fhir::check_resource(&resource);
    let failing = findings
        .iter()
        .any(|f| f.severity != insilab_core::rules::Severity::Advice);
    let issues: Vec<Issue> = findings.iter().map(Issue::of).collect();
    e.findings = findings;
    e.outcome = Outcome::Checked {
        verdict: if failing { "findings" } else { "ok" }.into(),
    };
    let s = if failing {
        StatusCode::UNPROCESSABLE_ENTITY
    } else if method == Method::POST {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    record(e, s, oo(s, reply_syntax, &issues))
}

/// Why a resource could not be posted or the answer read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FhirClientError {
    /// Only `http://` base URLs are supported (loopback peers in tests and labs).
    #[error("base URL {0:?} is not an http:// URL")]
    BadUrl(String),
    /// The request failed.
    #[error("{url}: {message}")]
    Http {
        /// URL.
        url: String,
        /// Cause.
        message: String,
    },
    /// No answer within [`FHIR_CLIENT_TIMEOUT`].
    #[error("{url}: no answer within {} ms", FHIR_CLIENT_TIMEOUT.as_millis())]
    Timeout {
        /// URL.
        url: String,
    },
}

/// A peer's answer.
#[derive(Debug, Clone)]
pub struct Posted {
    /// HTTP status.
    pub status: u16,
    /// Its `Content-Type`.
    pub content_type: Option<String>,
    /// The issues of its OperationOutcome, when it answered one.
    pub issues: Option<Vec<Issue>>,
    /// The body.
    pub body: Bytes,
}

/// Posts a Patient (`POST base/Patient`) or a Bundle (`POST base`) in `syntax`, asking for
/// the same syntax back.
pub async fn post(
    base: &str,
    resource: &Resource,
    syntax: Syntax,
) -> Result<Posted, FhirClientError> {
    let base = base.trim_end_matches('/');
    if !base.starts_with("http://") {
        return Err(FhirClientError::BadUrl(base.to_owned()));
    }
    let url = match resource {
        Resource::Patient(_) => format!("{base}/Patient"),
        Resource::Bundle(_) => format!("{base}/"),
    };
    let body = fhir::write(resource, syntax);
    let client: hyper_util::client::legacy::Client<_, Full<Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    let http_err = |message: String| FhirClientError::Http {
        url: url.clone(),
        message,
    };
    let req = http::Request::builder()
        .method(Method::POST)
        .uri(&url)
        .header(http::header::CONTENT_TYPE, syntax.mime())
        .header(http::header::ACCEPT, syntax.mime())
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| http_err(e.to_string()))?;
    let exchange = async {
        let resp = client
            .request(req)
            .await
            .map_err(|e| http_err(e.to_string()))?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = Limited::new(resp.into_body(), MAX_FHIR_BYTES)
            .collect()
            .await
            .map_err(|e| http_err(e.to_string()))?
            .to_bytes();
        Ok::<_, FhirClientError>((status, content_type, body))
    };
    let (status, content_type, body) =
        tokio::time::timeout(FHIR_CLIENT_TIMEOUT, exchange)
            .await
            .map_err(|_| FhirClientError::Timeout { url: url.clone() })??;
    Ok(Posted {
        status,
        content_type,
        issues: outcome::read(&body).ok(),
        body,
    })
}
