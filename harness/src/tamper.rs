//! A loopback TLS proxy that rewrites requests on their way to the simulator. The faulty
//! self-test drivers use it to send what a broken client would send (lower-case traits,
//! missing `ContexteLPS`, plain MessageID…) while the reference client does the rest.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use insilab_certs::ClientAuth;
use regex::Regex;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::HarnessError;

/// Largest request the proxy forwards.
pub const MAX_PROXY_BODY: usize = 1024 * 1024;

/// A request rewrite.
pub type Rewrite = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// A running proxy; stops when dropped.
pub struct TamperProxy {
    url: String,
    rewrite: Arc<Mutex<Option<Rewrite>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TamperProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn err(e: impl std::fmt::Display) -> HarnessError {
    HarnessError::Driver(format!("tamper proxy: {e}"))
}

impl TamperProxy {
    /// Starts a proxy on `127.0.0.1:0` presenting the PKI's `server` identity and forwarding
    /// to `upstream` (an `https://host:port/path` URL) with the client identity `identity`.
    pub async fn start(
        pki: &insilab_certs::Pki,
        upstream: &str,
        identity: &str,
    ) -> Result<Self, HarnessError> {
        let server = pki.server_config("server", ClientAuth::None).map_err(err)?;
        let client = pki.client_config(identity).map_err(err)?;
        let addr: SocketAddr = upstream
            .trim_start_matches("https://")
            .split('/')
            .next()
            .unwrap_or_default()
            .parse()
            .map_err(|e| err(format!("upstream {upstream}: {e}")))?;
        let path = format!(
            "/{}",
            upstream
                .trim_start_matches("https://")
                .split_once('/')
                .map_or("", |x| x.1)
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(err)?;
        let local = listener.local_addr().map_err(err)?;
        let acceptor = TlsAcceptor::from(Arc::new(server));
        let connector = TlsConnector::from(Arc::new(client));
        let rewrite: Arc<Mutex<Option<Rewrite>>> = Arc::new(Mutex::new(None));
        let shared = rewrite.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let connector = connector.clone();
                let rewrite = shared.clone();
                let path = path.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let connector = connector.clone();
                        let rewrite = rewrite.lock().ok().and_then(|r| r.clone());
                        let path = path.clone();
                        async move { forward(req, addr, &path, connector, rewrite).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), svc)
                        .await;
                });
            }
        });
        Ok(TamperProxy {
            url: format!("https://{local}{}", "/lps"),
            rewrite,
            task,
        })
    }

    /// The URL the client must call.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sets the rewrite applied to the following requests.
    pub fn set(&self, rewrite: Option<Rewrite>) {
        if let Ok(mut r) = self.rewrite.lock() {
            *r = rewrite;
        }
    }
}

async fn forward(
    req: Request<Incoming>,
    addr: SocketAddr,
    path: &str,
    connector: TlsConnector,
    rewrite: Option<Rewrite>,
) -> Result<Response<Full<Bytes>>, HarnessError> {
    let (parts, body) = req.into_parts();
    let body = Limited::new(body, MAX_PROXY_BODY)
        .collect()
        .await
        .map_err(err)?
        .to_bytes();
    let text = String::from_utf8_lossy(&body).into_owned();
    let text = match rewrite {
        Some(f) => f(&text),
        None => text,
    };
    let tcp = TcpStream::connect(addr).await.map_err(err)?;
    let name = rustls_pki_types::ServerName::IpAddress(addr.ip().into());
    let tls = connector.connect(name, tcp).await.map_err(err)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .map_err(err)?;
    tokio::spawn(conn);
    let mut builder = Request::builder().method(parts.method).uri(path);
    for (k, v) in &parts.headers {
        if k != http::header::CONTENT_LENGTH && k != http::header::HOST {
            builder = builder.header(k, v);
        }
    }
    let upstream = builder
        .header(http::header::HOST, addr.to_string())
        .body(Full::new(Bytes::from(text)))
        .map_err(err)?;
    let resp = sender.send_request(upstream).await.map_err(err)?;
    let (parts, body) = resp.into_parts();
    let body = Limited::new(body, crate::outcome::MAX_DRIVER_ANSWER_BYTES * 4)
        .collect()
        .await
        .map_err(err)?
        .to_bytes();
    let mut builder = Response::builder().status(parts.status);
    for (k, v) in &parts.headers {
        if k != http::header::CONTENT_LENGTH && k != http::header::TRANSFER_ENCODING {
            builder = builder.header(k, v);
        }
    }
    builder.body(Full::new(body)).map_err(err)
}

/// Rewrites the text of every element with this local name (any prefix).
pub fn rewrite_elements(xml: &str, local_name: &str, f: &dyn Fn(&str) -> String) -> String {
    let pattern = format!(r"(<(?:[A-Za-z_][\w.-]*:)?{local_name}(?:\s[^>]*)?>)([^<]*)(</)");
    let Ok(re) = Regex::new(&pattern) else {
        return xml.to_owned();
    };
    re.replace_all(xml, |c: &regex::Captures<'_>| {
        let inner = c.get(2).map_or("", |m| m.as_str());
        let text = inner
            .replace("&apos;", "'")
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        let new = f(&text).replace('&', "&amp;").replace('<', "&lt;");
        format!("{}{}{}", &c[1], new, &c[3])
    })
    .into_owned()
}

/// Removes every element with this local name (and its content).
pub fn remove_element(xml: &str, local_name: &str) -> String {
    // The regex crate has no back-references: match any prefix on both tags.
    let pattern = format!(
        r"(?s)<(?:[A-Za-z_][\w.-]*:)?{local_name}(?:\s[^>]*)?>.*?</(?:[A-Za-z_][\w.-]*:)?{local_name}>"
    );
    match Regex::new(&pattern) {
        Ok(re) => re.replace_all(xml, "").into_owned(),
        Err(_) => xml.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_and_removes_by_local_name() {
        let xml = "<a><ns1:NomNaissance>D&apos;AEION</ns1:NomNaissance><x:ContexteLPS Version=\"01_00\"><y/></x:ContexteLPS></a>";
        let out = rewrite_elements(xml, "NomNaissance", &|t| t.to_lowercase());
        assert!(
            out.contains("<ns1:NomNaissance>d'aeion</ns1:NomNaissance>"),
            "{out}"
        );
        let out = remove_element(&out, "ContexteLPS");
        assert_eq!(out, "<a><ns1:NomNaissance>d'aeion</ns1:NomNaissance></a>");
    }
}
