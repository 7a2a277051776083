//! Shared helpers of the simulator's end-to-end tests: the generated test PKI, a rustls + hyper
//! client, and request builders.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use insilab_core::insi::model::{
    ContexteBam, ContexteLps, Couverture, Headers, Request, RequestBody, TraitsSearch,
};
use insilab_core::insi::{Operation, Response, writer};
use insilab_simulator::{Simulator, SimulatorConfig, SimulatorHandle, TlsSource};
use tokio::net::TcpStream;

/// An IDAM of the default registry.
pub const IDAM: &str = "PDP17NF21DD0";

pub fn pki() -> Arc<insilab_certs::Pki> {
    Arc::new(insilab_certs::testing::shared_pki().expect("the shared test PKI loads"))
}

pub async fn start(
    pki: &Arc<insilab_certs::Pki>,
    tune: impl FnOnce(&mut SimulatorConfig),
) -> SimulatorHandle {
    let mut config = SimulatorConfig::ephemeral(TlsSource::Pki(Arc::clone(pki)));
    tune(&mut config);
    Simulator::start(config)
        .await
        .expect("the simulator starts")
}

pub fn addr_of(url: &str) -> SocketAddr {
    let host_port = url
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let host_port = host_port.split('/').next().unwrap_or_default();
    host_port.parse().expect("url holds a socket address")
}

/// One keep-alive connection of a TLS client.
pub struct Conn {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
}

pub async fn connect(
    pki: &insilab_certs::Pki,
    identity: Option<&str>,
    addr: SocketAddr,
) -> Result<Conn, Box<dyn std::error::Error + Send + Sync>> {
    let cfg = match identity {
        Some(name) => pki.client_config(name)?,
        None => pki.anonymous_client_config()?,
    };
    let tcp = TcpStream::connect(addr).await?;
    let name = rustls_pki_types::ServerName::try_from("localhost")?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(cfg))
        .connect(name, tcp)
        .await?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls)).await?;
    tokio::spawn(conn);
    Ok(Conn { sender })
}

/// A raw TLS stream to `addr` with `identity`'s client certificate, for the tests that write
/// HTTP by hand.
pub async fn raw_tls(
    pki: &insilab_certs::Pki,
    identity: &str,
    addr: SocketAddr,
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let cfg = pki
        .client_config(identity)
        .expect("the identity is in the test PKI");
    let tcp = TcpStream::connect(addr)
        .await
        .expect("the simulator listens");
    tcp.set_nodelay(true).expect("TCP_NODELAY");
    let name = rustls_pki_types::ServerName::try_from("localhost").expect("a server name");
    tokio_rustls::TlsConnector::from(Arc::new(cfg))
        .connect(name, tcp)
        .await
        .expect("the TLS handshake succeeds")
}

impl Conn {
    pub async fn post(
        &mut self,
        content_type: &str,
        body: impl Into<Bytes>,
    ) -> Result<(u16, String), Box<dyn std::error::Error + Send + Sync>> {
        self.send(hyper::Method::POST, "/lps", Some(content_type), body.into())
            .await
    }

    pub async fn send(
        &mut self,
        method: hyper::Method,
        path: &str,
        content_type: Option<&str>,
        body: Bytes,
    ) -> Result<(u16, String), Box<dyn std::error::Error + Send + Sync>> {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", "localhost");
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        self.sender.ready().await?;
        let resp = self.sender.send_request(req.body(Full::new(body))?).await?;
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await?.to_bytes();
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }

    pub async fn search_checked(
        &mut self,
        body: TraitsSearch,
    ) -> Result<(u16, String), Box<dyn std::error::Error + Send + Sync>> {
        let req = request(
            RequestBody::TraitsSearch(body),
            "uuid:11111111-2222-3333-4444-555555555555",
            IDAM,
        );
        self.post(
            &writer::content_type(Operation::TraitsSearch),
            writer::write_request(&req),
        )
        .await
    }

    pub async fn search(&mut self, body: TraitsSearch) -> (u16, String) {
        let req = request(
            RequestBody::TraitsSearch(body),
            "uuid:11111111-2222-3333-4444-555555555555",
            IDAM,
        );
        self.post(
            &writer::content_type(Operation::TraitsSearch),
            writer::write_request(&req),
        )
        .await
        .expect("the exchange completes")
    }
}

/// A complete request as a conforming client sends it.
pub fn request(body: RequestBody, message_id: &str, idam: &str) -> Request {
    let op = body.operation();
    Request {
        headers: Headers {
            action: Some(op.action().to_owned()),
            message_id: Some(message_id.to_owned()),
            bam: Some(ContexteBam {
                version: Some("01_02".into()),
                nature: Some("CTXBAM".into()),
                id: Some("6e0b4ea2-3c1c-4b8a-9a59-0c3f7c2f0a11".into()),
                temps: Some("2026-11-27T10:00:00.000Z".into()),
                emetteur: None,
                date_ref: None,
                couverture: Some(Couverture::default()),
            }),
            lps: Some(ContexteLps {
                version: Some("01_00".into()),
                nature: Some("CTXLPS".into()),
                id: Some("2b0d7c55-8d55-4f7c-9a0e-7a1c1f1d2e33".into()),
                temps: Some("2026-11-27T10:00:00.000Z".into()),
                emetteur: None,
                idam: Some(idam.to_owned()),
                idam_r: Some("4".into()),
                lps_version: Some("1.0".into()),
                instance: Some("d1e2f3a4-0000-4000-8000-000000000001".into()),
                nom: Some("urn:lps:insilab-tests:1.0".into()),
            }),
            security: None,
        },
        body,
        body_id: None,
    }
}

pub fn traits(
    name: &str,
    prenoms: &[&str],
    sex: &str,
    date: &str,
    place: Option<&str>,
) -> TraitsSearch {
    TraitsSearch {
        nom_naissance: Some(name.to_owned()),
        prenoms: prenoms.iter().map(|s| s.to_string()).collect(),
        sexe: Some(sex.to_owned()),
        date_naissance: Some(date.to_owned()),
        lieu_naissance: place.map(str::to_owned),
    }
}

pub fn parse(body: &str) -> Response {
    insilab_core::insi::parse_response(body.as_bytes(), &Default::default())
        .unwrap_or_else(|e| panic!("response does not parse: {e}\n{body}"))
}

/// Walks an error's sources for the rustls error inside.
pub fn rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(r) = inner.downcast_ref::<rustls::Error>()
        {
            return Some(r);
        }
        cur = err.source();
    }
    None
}
