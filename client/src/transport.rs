//! One HTTP/1.1 POST over mutual TLS, bounded in time and size.
//!
//! Each attempt opens its own connection: an INSi search is a handful of calls, and a fresh
//! connection per attempt makes every attempt's trace (and its failure) independent.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::rt::TokioIo;
use rustls_pki_types::ServerName;
use tokio::net::TcpStream;

use crate::error::ClientError;

/// Largest answer body the client reads; a larger one is a technical error, not a buffer.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Stable `kind` values of [`crate::Verdict::TechnicalError`].
pub mod kind {
    /// TCP connection refused or unreachable.
    pub const CONNECT: &str = "connect";
    /// TLS handshake failed (certificate refused by either side, protocol error).
    pub const TLS: &str = "tls";
    /// The connect timeout elapsed (TCP connect plus TLS handshake).
    pub const CONNECT_TIMEOUT: &str = "connect_timeout";
    /// The total timeout of the attempt elapsed before the whole answer was read.
    pub const TIMEOUT: &str = "timeout";
    /// The server closed or reset the connection before sending an answer.
    pub const CONNECTION_CLOSED: &str = "connection_closed";
    /// The answer body ended before its announced length.
    pub const TRUNCATED: &str = "truncated";
    /// The answer body exceeds [`super::MAX_RESPONSE_BYTES`].
    pub const TOO_LARGE: &str = "response_too_large";
    /// HTTP-level protocol error.
    pub const HTTP: &str = "http";
    /// An HTTP status other than 200 without a SOAP fault in the body.
    pub const HTTP_STATUS: &str = "http_status";
    /// The body is not a readable INSi answer.
    pub const MALFORMED: &str = "malformed_response";
    /// The virtual card could not sign the card-mode assertion (nothing was sent).
    pub const CARD: &str = "card_signature";
}

/// The parsed endpoint URL.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    host: String,
    port: u16,
    authority: String,
    path: String,
    server_name: ServerName<'static>,
}

impl Endpoint {
    pub(crate) fn parse(url: &str) -> Result<Endpoint, ClientError> {
        let bad = |reason: &str| ClientError::InvalidUrl {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let uri: http::Uri = url
            .parse()
            .map_err(|e: http::uri::InvalidUri| bad(&e.to_string()))?;
        if uri.scheme_str() != Some("https") {
            return Err(bad("the scheme must be https (INSi requires mutual TLS)"));
        }
        let authority = uri.authority().ok_or_else(|| bad("no host"))?.clone();
        let port = authority.port_u16().unwrap_or(443);
        // `http::Uri` keeps IPv6 literals in brackets; rustls wants the bare address.
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let server_name = ServerName::try_from(host.clone())
            .map_err(|e| bad(&format!("invalid server name {host:?}: {e}")))?;
        let path = uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "/".to_owned());
        Ok(Endpoint {
            host,
            port,
            authority: authority.as_str().to_owned(),
            path,
            server_name,
        })
    }
}

/// What came back over HTTP (any status).
#[derive(Debug)]
pub(crate) struct HttpAnswer {
    pub status: u16,
    pub body: Bytes,
}

/// A transport failure, classified.
#[derive(Debug)]
pub(crate) struct TransportFailure {
    /// One of the [`kind`] constants.
    pub kind: &'static str,
    /// Human-readable detail.
    pub message: String,
    /// The HTTP status, when the failure happened while reading the body.
    pub status: Option<u16>,
}

impl TransportFailure {
    fn new(kind: &'static str, message: impl Into<String>) -> Self {
        TransportFailure {
            kind,
            message: message.into(),
            status: None,
        }
    }
}

/// Sends SOAP requests to one endpoint.
#[derive(Clone)]
pub(crate) struct Transport {
    endpoint: Endpoint,
    connector: tokio_rustls::TlsConnector,
    connect_timeout: Duration,
    total_timeout: Duration,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("endpoint", &self.endpoint)
            .field("connect_timeout", &self.connect_timeout)
            .field("total_timeout", &self.total_timeout)
            .finish_non_exhaustive()
    }
}

enum Raced<E, C> {
    Exchange(E),
    Connection(C),
}

impl Transport {
    pub(crate) fn new(
        endpoint: Endpoint,
        tls: rustls::ClientConfig,
        connect_timeout: Duration,
        total_timeout: Duration,
    ) -> Transport {
        Transport {
            endpoint,
            connector: tokio_rustls::TlsConnector::from(Arc::new(tls)),
            connect_timeout,
            total_timeout,
        }
    }

    /// POSTs `body` with `content_type`; bounded by the total timeout.
    pub(crate) async fn post(
        &self,
        content_type: &str,
        body: String,
    ) -> Result<HttpAnswer, TransportFailure> {
        match tokio::time::timeout(self.total_timeout, self.post_inner(content_type, body)).await {
            Ok(r) => r,
            Err(_) => Err(TransportFailure::new(
                kind::TIMEOUT,
                format!(
                    "no complete answer from {} within the total timeout of {} ms",
                    self.endpoint.authority,
                    self.total_timeout.as_millis()
                ),
            )),
        }
    }

    async fn connect(
        &self,
    ) -> Result<tokio_rustls::client::TlsStream<TcpStream>, TransportFailure> {
        let addr = format!("{}:{}", self.endpoint.host, self.endpoint.port);
        let tcp = TcpStream::connect(&addr).await.map_err(|e| {
            TransportFailure::new(kind::CONNECT, format!("failed to connect to {addr}: {e}"))
        })?;
        // Nagle would delay the small request body behind the headers.
        let _ = tcp.set_nodelay(true);
        self.connector
            .connect(self.endpoint.server_name.clone(), tcp)
            .await
            .map_err(|e| {
                TransportFailure::new(kind::TLS, format!("tls handshake with {addr} failed: {e}"))
            })
    }

    async fn post_inner(
        &self,
        content_type: &str,
        body: String,
    ) -> Result<HttpAnswer, TransportFailure> {
        let stream = match tokio::time::timeout(self.connect_timeout, self.connect()).await {
            Ok(r) => r?,
            Err(_) => {
                return Err(TransportFailure::new(
                    kind::CONNECT_TIMEOUT,
                    format!(
                        "could not connect to {} within the connect timeout of {} ms",
                        self.endpoint.authority,
                        self.connect_timeout.as_millis()
                    ),
                ));
            }
        };
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| classify(&e, false))?;
        let request = http::Request::post(self.endpoint.path.as_str())
            .header(http::header::HOST, self.endpoint.authority.as_str())
            .header(http::header::CONTENT_TYPE, content_type)
            .header(http::header::ACCEPT, "application/soap+xml")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| TransportFailure::new(kind::HTTP, format!("invalid request: {e}")))?;
        // Set once the status line arrived: a connection failure after it is a truncated answer,
        // before it a connection closed without answering.
        let head_received = std::sync::atomic::AtomicBool::new(false);
        let exchange = async {
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| classify(&e, false))?;
            let status = response.status().as_u16();
            head_received.store(true, std::sync::atomic::Ordering::Relaxed);
            let collected = Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
                .collect()
                .await;
            match collected {
                Ok(c) => Ok(HttpAnswer {
                    status,
                    body: c.to_bytes(),
                }),
                Err(e) => {
                    let mut failure = if e.is::<http_body_util::LengthLimitError>() {
                        TransportFailure::new(
                            kind::TOO_LARGE,
                            format!("the answer body exceeds {MAX_RESPONSE_BYTES} bytes"),
                        )
                    } else if let Some(h) = e.downcast_ref::<hyper::Error>() {
                        classify(h, true)
                    } else {
                        TransportFailure::new(kind::HTTP, format!("failed to read the answer: {e}"))
                    };
                    failure.status = Some(status);
                    Err(failure)
                }
            }
        };
        let mut exchange = std::pin::pin!(exchange);
        let mut conn = std::pin::pin!(conn);
        // The connection future must be polled for the exchange to progress; whichever ends
        // first decides, and a connection error wins over a vaguer exchange error.
        let raced = tokio::select! {
            r = &mut exchange => Raced::Exchange(r),
            c = &mut conn => Raced::Connection(c),
        };
        match raced {
            Raced::Exchange(r) => r,
            Raced::Connection(Err(e)) => {
                // The connection may fail in the same poll that delivered the status line: let
                // the exchange see what it got (the total timeout still bounds this wait).
                let from_exchange = exchange.await;
                if head_received.load(std::sync::atomic::Ordering::Relaxed) {
                    from_exchange
                } else {
                    Err(classify(&e, false))
                }
            }
            Raced::Connection(Ok(())) => exchange.await,
        }
    }
}

/// Classifies a hyper error; `in_body` tells whether the status line was already received.
fn classify(e: &hyper::Error, in_body: bool) -> TransportFailure {
    let detail = error_chain(e);
    // Under TLS 1.3 a client learns that the server refused its certificate only on its first
    // read, so a rejected identity surfaces here rather than in the handshake.
    if let Some(tls) = rustls_error(e) {
        return TransportFailure::new(
            kind::TLS,
            format!(
                "the tls session failed: {tls} (check the client certificate and the trusted root)"
            ),
        );
    }
    if e.is_incomplete_message() || e.is_closed() || e.is_canceled() {
        if in_body {
            TransportFailure::new(
                kind::TRUNCATED,
                format!("the answer ended before its announced length: {detail}"),
            )
        } else {
            TransportFailure::new(
                kind::CONNECTION_CLOSED,
                format!("the server closed the connection without answering: {detail}"),
            )
        }
    } else if is_reset(e) {
        TransportFailure::new(
            if in_body {
                kind::TRUNCATED
            } else {
                kind::CONNECTION_CLOSED
            },
            format!("the connection was reset: {detail}"),
        )
    } else if e.is_parse() {
        TransportFailure::new(kind::HTTP, format!("invalid http answer: {detail}"))
    } else if in_body {
        TransportFailure::new(
            kind::TRUNCATED,
            format!("failed to read the answer: {detail}"),
        )
    } else {
        TransportFailure::new(kind::HTTP, format!("http exchange failed: {detail}"))
    }
}

fn rustls_error(e: &hyper::Error) -> Option<&rustls::Error> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(tls) = s.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(tls) = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(tls);
        }
        source = s.source();
    }
    None
}

fn is_reset(e: &hyper::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::UnexpectedEof
            );
        }
        source = s.source();
    }
    false
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_parses_host_port_path() {
        let e = Endpoint::parse("https://127.0.0.1:8443/lps").unwrap();
        assert_eq!(e.host, "127.0.0.1");
        assert_eq!(e.port, 8443);
        assert_eq!(e.path, "/lps");
        assert_eq!(e.authority, "127.0.0.1:8443");
    }

    #[test]
    fn endpoint_defaults_port_and_path() {
        let e = Endpoint::parse("https://localhost").unwrap();
        assert_eq!(e.port, 443);
        assert_eq!(e.path, "/");
    }

    #[test]
    fn endpoint_refuses_plain_http_and_garbage() {
        assert!(matches!(
            Endpoint::parse("http://127.0.0.1/lps"),
            Err(ClientError::InvalidUrl { .. })
        ));
        assert!(matches!(
            Endpoint::parse("not a url"),
            Err(ClientError::InvalidUrl { .. })
        ));
    }
}
