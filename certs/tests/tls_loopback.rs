//! rustls end to end on loopback: a server built from the generated server certificate
//! accepts INSI-AUTO and INSI-MANU and rejects each negative client certificate with the alert
//! that `index.yaml` announces; clients refuse the negative server certificates.
//!
//! Under TLS 1.3 the client learns that its certificate was refused only when it reads, so each
//! exchange writes, reads, and awaits the server task to see both sides of the outcome.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on any unexpected error"
)]

use std::sync::Arc;

use insilab_certs::testing::shared_pki;
use insilab_certs::{ClientAuth, ExpectedOutcome, Pki, Role, tls_alert_of};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

/// What each side saw.
#[derive(Debug)]
struct Exchange {
    /// The reply the client read, or the alert its error stands for.
    client: Result<String, Option<String>>,
    /// `Ok` when the server completed the handshake and answered, else the alert.
    server: Result<(), Option<String>>,
}

fn alert_of(error: &std::io::Error) -> Option<String> {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .and_then(tls_alert_of)
}

async fn exchange(server: rustls::ServerConfig, client: rustls::ClientConfig) -> Exchange {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(server));
    let server_task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut tls = acceptor.accept(tcp).await.map_err(|e| alert_of(&e))?;
        let mut request = [0u8; 5];
        tls.read_exact(&mut request)
            .await
            .map_err(|e| alert_of(&e))?;
        tls.write_all(b"pong\n").await.map_err(|e| alert_of(&e))?;
        tls.shutdown().await.map_err(|e| alert_of(&e))?;
        Ok(())
    });
    let connector = TlsConnector::from(Arc::new(client));
    let tcp = TcpStream::connect(address).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let client_side = async {
        let mut tls = connector
            .connect(name, tcp)
            .await
            .map_err(|e| alert_of(&e))?;
        tls.write_all(b"ping\n").await.map_err(|e| alert_of(&e))?;
        let mut reply = String::new();
        tls.read_to_string(&mut reply)
            .await
            .map_err(|e| alert_of(&e))?;
        Ok(reply)
    }
    .await;
    let server_side = server_task.await.unwrap();
    Exchange {
        client: client_side,
        server: server_side,
    }
}

fn pki() -> Pki {
    shared_pki().unwrap()
}

#[tokio::test]
async fn the_server_treats_every_client_identity_as_the_catalogue_says() {
    let pki = pki();
    let mut checked = Vec::new();
    for entry in pki
        .index()
        .identities
        .iter()
        .filter(|e| e.role == Role::Client)
    {
        let server = pki.server_config("server", ClientAuth::Required).unwrap();
        let client = pki.client_config(&entry.name).unwrap();
        let seen = exchange(server, client).await;
        match &entry.expected {
            // A DESIR_560 certificate passes TLS; the fault comes from the SOAP layer.
            ExpectedOutcome::Accepted | ExpectedOutcome::Fault(_) => {
                assert_eq!(
                    seen.client.as_deref(),
                    Ok("pong\n"),
                    "{}: {seen:?}",
                    entry.name
                );
                assert!(seen.server.is_ok(), "{}: {seen:?}", entry.name);
            }
            ExpectedOutcome::TlsAlert(alert) => {
                assert_eq!(
                    seen.server,
                    Err(Some(alert.clone())),
                    "{}: server side {seen:?}",
                    entry.name
                );
                assert_eq!(
                    seen.client,
                    Err(Some(alert.clone())),
                    "{}: client side {seen:?}",
                    entry.name
                );
            }
            other => panic!("{}: unexpected outcome kind {other:?}", entry.name),
        }
        checked.push(entry.name.clone());
    }
    for name in [
        "insi-auto",
        "insi-manu",
        "expired",
        "not-yet-valid",
        "revoked",
        "cn-organisation",
        "cn-lowercase",
        "lookalike-issuer",
        "server-eku-only",
        "self-signed",
    ] {
        assert!(
            checked.iter().any(|checked| checked == name),
            "{name} was not exercised"
        );
    }
}

#[tokio::test]
async fn the_catalogue_announces_the_alerts_rustls_sends() {
    let pki = pki();
    let expected = |name: &str| pki.index().identity(name).unwrap().expected.clone();
    let alert = |name: &str| ExpectedOutcome::TlsAlert(name.to_owned());
    assert_eq!(expected("insi-auto"), ExpectedOutcome::Accepted);
    assert_eq!(expected("expired"), alert("certificate_expired"));
    assert_eq!(expected("revoked"), alert("certificate_revoked"));
    assert_eq!(expected("lookalike-issuer"), alert("unknown_ca"));
    assert_eq!(expected("self-signed"), alert("unknown_ca"));
    assert_eq!(
        expected("server-eku-only"),
        alert("unsupported_certificate")
    );
    assert_eq!(
        expected("cn-organisation"),
        ExpectedOutcome::Fault("DESIR_560".to_owned())
    );
    assert_eq!(
        expected("cn-lowercase"),
        ExpectedOutcome::Fault("DESIR_560".to_owned())
    );
}

#[tokio::test]
async fn clients_refuse_the_negative_server_certificates() {
    let pki = pki();
    for name in ["server-expired", "server-untrusted"] {
        let ExpectedOutcome::TlsAlert(alert) = pki.identity(name).unwrap().expected else {
            panic!("{name} should announce a tls alert");
        };
        let server = pki.server_config(name, ClientAuth::None).unwrap();
        let client = pki.client_config("insi-auto").unwrap();
        let seen = exchange(server, client).await;
        assert_eq!(
            seen.client,
            Err(Some(alert.clone())),
            "{name}: client side {seen:?}"
        );
        assert_eq!(
            seen.server,
            Err(Some(alert)),
            "{name}: server side {seen:?}"
        );
    }
}

#[tokio::test]
async fn a_client_without_certificate_is_refused_when_one_is_required() {
    let pki = pki();
    let server = pki.server_config("server", ClientAuth::Required).unwrap();
    let client = pki.anonymous_client_config().unwrap();
    let seen = exchange(server, client).await;
    assert_eq!(
        seen.client,
        Err(Some("certificate_required".to_owned())),
        "{seen:?}"
    );
    assert!(seen.server.is_err(), "{seen:?}");

    let server = pki.server_config("server", ClientAuth::None).unwrap();
    let client = pki.anonymous_client_config().unwrap();
    let seen = exchange(server, client).await;
    assert_eq!(seen.client.as_deref(), Ok("pong\n"), "{seen:?}");
}

#[tokio::test]
async fn the_pkcs12_bundle_gives_the_same_identity_as_the_pem_files() {
    let pki = pki();
    let identity = pki.identity("insi-auto").unwrap();
    let (p12_chain, p12_key) = insilab_certs::client_identity_from_p12(
        identity.p12_path.as_deref().unwrap(),
        &pki.index().p12_password,
    )
    .unwrap();
    let (pem_chain, pem_key) = identity.rustls_identity().unwrap();
    assert_eq!(p12_chain, pem_chain);
    assert_eq!(p12_key.secret_der(), pem_key.secret_der());

    let wrong = insilab_certs::client_identity_from_p12(
        identity.p12_path.as_deref().unwrap(),
        "not-the-password",
    );
    assert!(wrong.is_err());
}

#[tokio::test]
async fn tls_1_2_clients_see_the_same_outcomes() {
    let pki = pki();
    for name in ["insi-auto", "revoked", "server-eku-only"] {
        let (chain, key) = pki.identity(name).unwrap().rustls_identity().unwrap();
        let client = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_root_certificates(pki.root_store().unwrap())
        .with_client_auth_cert(chain, key)
        .unwrap();
        let server = pki.server_config("server", ClientAuth::Required).unwrap();
        let seen = exchange(server, client).await;
        match pki.identity(name).unwrap().expected {
            ExpectedOutcome::Accepted => {
                assert_eq!(seen.client.as_deref(), Ok("pong\n"), "{name}: {seen:?}")
            }
            ExpectedOutcome::TlsAlert(alert) => {
                assert_eq!(seen.client, Err(Some(alert.clone())), "{name}: {seen:?}");
                assert_eq!(seen.server, Err(Some(alert)), "{name}: {seen:?}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}
