//! TLS accept and HTTP serving of the INSi endpoint (and the card-mode listener).
//!
//! One job: accept connections under a cap, run the TLS handshake with a timeout, serve HTTP/1.1
//! with keep-alive, a header read timeout and a body read timeout and size limit, hand each
//! `POST /lps` to [`crate::exchange`], apply the injected wire behaviours, and journal the
//! exchange. Shutdown is graceful: connections finish their current exchange.

use std::future::Future as _;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
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
/// Response body type: whole bytes, or the injected truncated answer. An enum rather than a
/// boxed body: nothing is allocated per answer for it.
pub(crate) type ResBody = http_body_util::Either<Full<Bytes>, TruncatedBody>;

pub(crate) fn full(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<ResBody> {
    let body: Bytes = body.into();
    let mut r = Response::new(http_body_util::Either::Left(Full::new(body)));
    *r.status_mut() = status;
    // Every content type is a constant: no copy, no validation per answer.
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(content_type),
    );
    r
}

/// Facts about one TLS connection.
#[derive(Debug)]
struct ConnInfo {
    listener: Listener,
    client: Option<ClientCertificate>,
    tls_version: Option<String>,
}

/// Accept loop of one TLS listener (the shared capped loop). Returns when `shutdown` turns
/// true.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    kind: Listener,
    state: Arc<State>,
    limit: Arc<Semaphore>,
    shutdown: watch::Receiver<bool>,
) {
    crate::accept::capped_accept_loop(listener, limit, shutdown, move |stream, shutdown| {
        serve_connection(stream, acceptor.clone(), kind, Arc::clone(&state), shutdown)
    })
    .await;
}

async fn serve_connection(
    stream: TcpStream,
    acceptor: TlsAcceptor,
    kind: Listener,
    state: Arc<State>,
    shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let peer = stream.peer_addr().ok();
    let (handshake, refused) = crate::tls::recording_refusals(tokio::time::timeout(
        state.timeouts.handshake(),
        acceptor.accept(stream),
    ))
    .await;
    let tls = match handshake {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            state.metrics.tls_failure();
            tracing::info!(listener = kind.name(), ?peer, error = %e, "tls handshake failed");
            record_tls_failure(&state, kind, e.to_string(), refused);
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
    let result = until_shutdown(conn, shutdown).await;
    if let Err(e) = result {
        if e.is_timeout() {
            state.metrics.slow_client();
        }
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

/// The shutdown signal as one connection sees it: set by a watcher task, read by the
/// connection's task at every poll.
#[derive(Default)]
struct StopSignal {
    stop: AtomicBool,
    waker: atomic_waker::AtomicWaker,
}

/// Serves `conn` to its end; when `shutdown` changes (or its sender goes), the connection
/// finishes the exchange in progress and closes (hyper's graceful shutdown).
///
/// The signal is watched by a task of its own, which sets a flag and wakes the connection:
/// a connection polled at every step of every exchange would otherwise poll the watch as well,
/// and a watch receiver takes the watch's lock at each poll (measured: about 2 % of the
/// keep-alive throughput, docs/performance.md).
async fn until_shutdown<I, S>(
    conn: hyper::server::conn::http1::Connection<I, S>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), hyper::Error>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S: hyper::service::HttpService<Incoming>,
    S::ResBody: 'static,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let signal = Arc::new(StopSignal::default());
    let watcher = tokio::spawn({
        let signal = Arc::clone(&signal);
        async move {
            let _ = shutdown.changed().await;
            signal.stop.store(true, Ordering::Release);
            signal.waker.wake();
        }
    });
    tokio::pin!(conn);
    let mut stopping = false;
    let mut registered: Option<std::task::Waker> = None;
    let result = std::future::poll_fn(|cx| {
        // A task keeps its waker: it is registered again only when it changes (the watcher
        // wakes it once, and the flag is read at every poll after that).
        if !registered.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            signal.waker.register(cx.waker());
            registered = Some(cx.waker().clone());
        }
        if !stopping && signal.stop.load(Ordering::Acquire) {
            stopping = true;
            conn.as_mut().graceful_shutdown();
        }
        conn.as_mut().poll(cx)
    })
    .await;
    watcher.abort();
    result
}

/// Journals a refused handshake; a client certificate the verifier refused (expired, revoked,
/// look-alike issuer) files it under the tenant its OU names, so that tenant sees it.
fn record_tls_failure(
    state: &State,
    kind: Listener,
    error: String,
    refused: Option<crate::journal::ClientCertificate>,
) {
    state.journal.record(JournalEntry {
        time: crate::rfc3339::now_rfc3339(),
        tenant: refused.as_ref().and_then(|c| c.ou.clone()),
        listener: kind.name().into(),
        client_certificate: refused,
        outcome: Outcome::TlsFailure { error },
        ..JournalEntry::empty()
    });
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
    // The request's head is kept whole (path, query, headers borrowed from it) and its body
    // taken apart from it: nothing of the head is copied.
    let (head, mut incoming) = req.into_parts();
    let path = head.uri.path();
    let query = head.uri.query();
    if path != "/lps" {
        return Ok(full(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found: the INSi endpoint is POST /lps\n",
        ));
    }
    match head.method {
        Method::GET => {
            let endpoint = state.endpoint_url();
            return Ok(match crate::wsdl::serve(query, &endpoint) {
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
    let content_type = head
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let max = state.limits.max_body_bytes;
    if incoming.size_hint().lower() > max as u64 {
        drain(&mut incoming, state.timeouts.body_read()).await;
        return Ok(too_large(max));
    }
    let read = read_limited(&mut incoming, max);
    let body = match tokio::time::timeout(state.timeouts.body_read(), read).await {
        Ok(Ok(Some(b))) => b,
        Ok(Ok(None)) => {
            drain(&mut incoming, state.timeouts.body_read()).await;
            return Ok(too_large(max));
        }
        Ok(Err(e)) => {
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
    let processed = state.with_dataset(|dataset| {
        let b = Behaviourals {
            dataset,
            dialect: state.dialect(),
            idam_registry: &state.idam_registry,
            overrides: &state.overrides,
            reader_limits: &state.reader_limits,
            fault_policy: &state.fault_policy,
        };
        let card = (info.listener == exchange::Listener::Card).then(|| {
            crate::card::check(
                &body,
                state.card_trust.as_ref(),
                &state.card_settings,
                time::OffsetDateTime::now_utc(),
            )
        });
        let ctx = ExchangeContext {
            listener: info.listener,
            client: info.client.as_ref(),
            content_type,
            card: card.as_ref(),
        };
        (exchange::process(&b, &ctx, &body), card.map(|c| c.holder))
    });
    let (processed, card_holder) = processed;
    let elapsed = started.elapsed();
    let op = processed
        .operation
        .map(exchange::op_name)
        .unwrap_or("unknown");
    let outcome_label = processed.outcome.label_cow();
    state.metrics.observe(op, &outcome_label, elapsed);
    tracing::info!(
        operation = op,
        outcome = %outcome_label,
        ms = elapsed.as_secs_f64() * 1000.0,
        tenant = info.client.as_ref().and_then(|c| c.ou.as_deref()).unwrap_or("-"),
        "exchange"
    );
    let ctx = ExchangeContext {
        listener: info.listener,
        client: info.client.as_ref(),
        content_type,
        card: None,
    };
    let transport = exchange::Transport {
        tls_version: info.tls_version.as_deref(),
        path,
        elapsed,
    };
    let (reply, delay) = exchange::record_exchange(
        &state.journal,
        &ctx,
        &transport,
        &body,
        processed,
        card_holder,
    );
    // The delay comes after the journal: a client that gives up (or vanishes) during it drops
    // this future, and the exchange it caused must not be lost from the journal and metrics.
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match reply {
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
            let mut r = Response::new(http_body_util::Either::Right(TruncatedBody {
                first: Some(half),
            }));
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

/// Most bytes of an oversized request body read and thrown away before its `413` is sent.
///
/// A server that answers `413` and closes while the client is still sending makes the client's
/// kernel see a reset, which often destroys the answer before the client reads it: clients then
/// report "connection reset" instead of the status. Reading (and discarding) the rest of the
/// body first, within this bound and the body-read timeout, lets the client finish its send and
/// read the `413`; the connection is then closed (`Connection: close`).
pub const MAX_DRAIN_BYTES: u64 = 64 * 1024 * 1024;

/// Reads the body up to `max` bytes: `None` as soon as it is longer.
///
/// A body that comes in one frame (a request read with its head, the common case) is kept as
/// hyper gave it, without a copy; the frames of a longer one are gathered into one buffer.
async fn read_limited(body: &mut Incoming, max: usize) -> Result<Option<Bytes>, hyper::Error> {
    let mut first: Option<Bytes> = None;
    let mut gathered: Vec<u8> = Vec::new();
    let mut len = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue;
        };
        len += data.len();
        if len > max {
            return Ok(None);
        }
        match first.take() {
            None if gathered.is_empty() => first = Some(data),
            earlier => {
                if gathered.is_empty() {
                    // Sized once from `Content-Length` (bounded by `max`): no regrowth.
                    let announced = usize::try_from(body.size_hint().lower()).unwrap_or(max);
                    gathered.reserve(announced.saturating_add(len).min(max));
                }
                if let Some(earlier) = earlier {
                    gathered.extend_from_slice(&earlier);
                }
                gathered.extend_from_slice(&data);
            }
        }
    }
    Ok(Some(match first {
        Some(one) => one,
        None => Bytes::from(gathered),
    }))
}

/// Reads and discards what is left of `body`, up to [`MAX_DRAIN_BYTES`] and `timeout`.
async fn drain(body: &mut Incoming, timeout: std::time::Duration) {
    let discard = async {
        let mut seen: u64 = 0;
        while let Some(Ok(frame)) = body.frame().await {
            if let Ok(data) = frame.into_data() {
                seen += data.len() as u64;
                if seen > MAX_DRAIN_BYTES {
                    break;
                }
            }
        }
    };
    let _ = tokio::time::timeout(timeout, discard).await;
}

fn too_large(max: usize) -> Response<ResBody> {
    let mut r = full(
        StatusCode::PAYLOAD_TOO_LARGE,
        "text/plain; charset=utf-8",
        format!("request body larger than {max} bytes\n"),
    );
    r.headers_mut().insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    );
    r
}

/// A body that yields its first part then fails, so hyper closes the connection mid-answer.
pub(crate) struct TruncatedBody {
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
