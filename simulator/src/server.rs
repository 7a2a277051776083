//! TLS accept and HTTP serving of the INSi endpoint (and the card-mode listener).
//!
//! One job: accept connections under a cap, run the TLS handshake with a timeout, serve HTTP/1.1
//! with keep-alive, a header read timeout and a body read timeout and size limit, hand each
//! `POST /lps` to [`crate::exchange`], apply the injected wire behaviours, and journal the
//! exchange. Shutdown is graceful: connections finish their current exchange.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body, Frame, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;

use crate::exchange::{self, Behaviourals, ExchangeContext, Listener, Reply};
use crate::journal::{ClientCertificate, JournalEntry, Outcome};
use crate::state::State;

/// Error type of response bodies.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// Response body type.
pub(crate) type ResBody = http_body_util::combinators::BoxBody<Bytes, BoxError>;

pub(crate) fn full(
    status: StatusCode,
    content_type: &str,
    body: impl Into<Bytes>,
) -> Response<ResBody> {
    let body: Bytes = body.into();
    let mut r = Response::new(Full::new(body).map_err(|e: Infallible| match e {}).boxed());
    *r.status_mut() = status;
    if let Ok(v) = http::HeaderValue::from_str(content_type) {
        r.headers_mut().insert(http::header::CONTENT_TYPE, v);
    }
    r
}

/// Facts about one TLS connection.
#[derive(Debug)]
struct ConnInfo {
    listener: Listener,
    client: Option<ClientCertificate>,
    tls_version: Option<String>,
}

/// Accept loop of one TLS listener. Returns when `shutdown` turns true.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    kind: Listener,
    state: Arc<State>,
    limit: Arc<Semaphore>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        // The permit is taken before accepting: over the cap, clients wait in the backlog.
        let permit = tokio::select! {
            p = Arc::clone(&limit).acquire_owned() => match p { Ok(p) => p, Err(_) => return },
            _ = shutdown.changed() => return,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "failed to accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = shutdown.changed() => return,
        };
        let (acceptor, state, shutdown) = (acceptor.clone(), Arc::clone(&state), shutdown.clone());
        tokio::spawn(async move {
            serve_connection(stream, acceptor, kind, state, shutdown).await;
            drop(permit);
        });
    }
}

async fn serve_connection(
    stream: TcpStream,
    acceptor: TlsAcceptor,
    kind: Listener,
    state: Arc<State>,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let peer = stream.peer_addr().ok();
    let tls = match tokio::time::timeout(state.timeouts.handshake(), acceptor.accept(stream)).await
    {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            state.metrics.tls_failure();
            tracing::info!(listener = kind.name(), ?peer, error = %e, "tls handshake failed");
            record_tls_failure(&state, kind, e.to_string());
            return;
        }
        Err(_) => {
            state.metrics.slow_client();
            tracing::info!(
                listener = kind.name(),
                ?peer,
                "tls handshake timed out: client dropped"
            );
            return;
        }
    };
    let info = {
        let (_, conn) = tls.get_ref();
        Arc::new(ConnInfo {
            listener: kind,
            client: crate::tls::client_certificate(conn),
            tls_version: crate::tls::tls_version(conn),
        })
    };
    let svc_state = Arc::clone(&state);
    let svc = hyper::service::service_fn(move |req| {
        let (state, info) = (Arc::clone(&svc_state), Arc::clone(&info));
        async move { handle(req, state, info).await }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .keep_alive(true)
        .header_read_timeout(state.timeouts.header_read());
    let conn = builder.serve_connection(TokioIo::new(tls), svc);
    tokio::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                if e.is_timeout() {
                    state.metrics.slow_client();
                }
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        _ = shutdown.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

fn record_tls_failure(state: &State, kind: Listener, error: String) {
    state.journal.record(JournalEntry {
        seq: 0,
        time: now_rfc3339(),
        tenant: None,
        listener: kind.name().into(),
        client_certificate: None,
        tls_version: None,
        http_request: String::new(),
        operation: None,
        message_id: None,
        content_type: None,
        request_body: None,
        outcome: Outcome::TlsFailure { error },
        person: None,
        override_id: None,
        http_status: 0,
        duration_us: 0,
        findings: vec![],
        raw_request: String::new(),
        raw_response: String::new(),
    });
}

pub(crate) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The error that makes hyper drop the connection (slow body, injected reset).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct DropConnection(String);

async fn handle(
    req: Request<Incoming>,
    state: Arc<State>,
    info: Arc<ConnInfo>,
) -> Result<Response<ResBody>, DropConnection> {
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    if path != "/lps" {
        return Ok(full(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found: the INSi endpoint is POST /lps\n",
        ));
    }
    match *req.method() {
        Method::GET => {
            let endpoint = state.endpoint_url();
            return Ok(match crate::wsdl::serve(query.as_deref(), &endpoint) {
                Some((ct, body)) => full(StatusCode::OK, ct, body),
                None => full(
                    StatusCode::NOT_FOUND,
                    "text/plain; charset=utf-8",
                    "unknown document: use /lps?wsdl or /lps?xsd=NAME\n",
                ),
            });
        }
        Method::POST => {}
        _ => {
            let mut r = full(
                StatusCode::METHOD_NOT_ALLOWED,
                "text/plain; charset=utf-8",
                "use POST /lps\n",
            );
            r.headers_mut().insert(
                http::header::ALLOW,
                http::HeaderValue::from_static("GET, POST"),
            );
            return Ok(r);
        }
    }
    let content_type = req
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let max = state.limits.max_body_bytes;
    if req.body().size_hint().lower() > max as u64 {
        return Ok(too_large(max));
    }
    let body = Limited::new(req.into_body(), max);
    let body = match tokio::time::timeout(state.timeouts.body_read(), body.collect()).await {
        Ok(Ok(c)) => c.to_bytes(),
        Ok(Err(e)) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                return Ok(too_large(max));
            }
            return Err(DropConnection(format!(
                "failed to read the request body: {e}"
            )));
        }
        Err(_) => {
            state.metrics.slow_client();
            tracing::info!("request body read timed out: client dropped");
            return Err(DropConnection("request body read timed out".into()));
        }
    };

    let started = Instant::now();
    let dataset = state.dataset();
    let processed = {
        let b = Behaviourals {
            dataset: &dataset,
            dialect: state.dialect(),
            idam_registry: &state.idam_registry,
            overrides: &state.overrides,
            reader_limits: &state.reader_limits,
            fault_policy: &state.fault_policy,
        };
        let ctx = ExchangeContext {
            listener: info.listener,
            client: info.client.as_ref(),
            content_type: content_type.as_deref(),
        };
        exchange::process(&b, &ctx, &body)
    };
    let elapsed = started.elapsed();
    if !processed.delay.is_zero() {
        tokio::time::sleep(processed.delay).await;
    }
    let op = processed
        .operation
        .map(exchange::op_name)
        .unwrap_or("unknown");
    let outcome_label = processed.outcome.label();
    let tenant = info.client.as_ref().and_then(|c| c.ou.clone());
    state.metrics.observe(op, &outcome_label, elapsed);
    tracing::info!(
        operation = op,
        outcome = %outcome_label,
        ms = elapsed.as_secs_f64() * 1000.0,
        tenant = tenant.as_deref().unwrap_or("-"),
        "exchange"
    );
    state.journal.record(JournalEntry {
        seq: 0,
        time: now_rfc3339(),
        tenant,
        listener: info.listener.name().into(),
        client_certificate: info.client.clone(),
        tls_version: info.tls_version.clone(),
        http_request: format!("POST {path}"),
        operation: processed.operation.map(|o| exchange::op_name(o).to_owned()),
        message_id: processed.message_id,
        content_type,
        request_body: processed.request_body,
        outcome: processed.outcome,
        person: processed.person,
        override_id: processed.override_id,
        http_status: processed.reply.status(),
        duration_us: u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        findings: processed.findings,
        raw_request: String::from_utf8_lossy(&body).into_owned(),
        raw_response: String::from_utf8_lossy(processed.reply.sent_body()).into_owned(),
    });
    match processed.reply {
        Reply::Full {
            status,
            content_type,
            body,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Ok(full(status, content_type, body))
        }
        Reply::Reset => Err(DropConnection("injected connection reset".into())),
        Reply::Truncated { body } => {
            let total = body.len();
            let half = body.slice(..total / 2);
            let mut r = Response::new(TruncatedBody { first: Some(half) }.boxed());
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static(exchange::SOAP_CONTENT_TYPE),
            );
            r.headers_mut()
                .insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(total));
            Ok(r)
        }
    }
}

fn too_large(max: usize) -> Response<ResBody> {
    full(
        StatusCode::PAYLOAD_TOO_LARGE,
        "text/plain; charset=utf-8",
        format!("request body larger than {max} bytes\n"),
    )
}

/// A body that yields its first part then fails, so hyper closes the connection mid-answer.
struct TruncatedBody {
    first: Option<Bytes>,
}

impl Body for TruncatedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.first.take() {
            Some(b) => Poll::Ready(Some(Ok(Frame::data(b)))),
            None => Poll::Ready(Some(Err(Box::new(DropConnection(
                "injected truncated body".into(),
            ))))),
        }
    }
}
