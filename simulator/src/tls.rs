//! TLS accept: the client certificate facts.
//!
//! One job: after rustls has verified the client chain (against the PKI roots and CRL), read the
//! subject fields the service cares about (CN: access level; OU: tenant) with x509-parser.

use std::sync::{Arc, Mutex};

use rustls::ServerConnection;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::journal::ClientCertificate;

/// Reads the verified client certificate of a connection, if any.
pub fn client_certificate(conn: &ServerConnection) -> Option<ClientCertificate> {
    let der = conn.peer_certificates()?.first()?;
    certificate_facts(der.as_ref())
}

/// Reads subject, issuer, serial, CN and OU from a DER certificate.
pub fn certificate_facts(der: &[u8]) -> Option<ClientCertificate> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let subject = cert.subject();
    let first = |it: &mut dyn Iterator<Item = &x509_parser::x509::AttributeTypeAndValue<'_>>| {
        it.next().and_then(|a| a.as_str().ok()).map(str::to_owned)
    };
    Some(ClientCertificate {
        // RFC 4514 order (CN first), as the PKI catalogue writes them.
        subject: insilab_certs::facts::rfc4514(subject),
        issuer: insilab_certs::facts::rfc4514(cert.issuer()),
        serial: cert.raw_serial_as_string().replace(':', "").to_uppercase(),
        cn: first(&mut subject.iter_common_name()),
        ou: first(&mut subject.iter_organizational_unit()),
    })
}

/// The negotiated protocol version, as `TLSv1_2` / `TLSv1_3`.
pub fn tls_version(conn: &ServerConnection) -> Option<String> {
    conn.protocol_version().map(|v| format!("{v:?}"))
}

/// The client certificate a handshake presented and the verifier refused, for the connection
/// being accepted (set by [`RecordingVerifier`], read by the accept loop to journal the failure
/// under the tenant the certificate's OU names).
pub type RefusedSlot = Arc<Mutex<Option<ClientCertificate>>>;

tokio::task_local! {
    /// The slot of the handshake this task is running.
    pub static REFUSED: RefusedSlot;
}

/// Runs `handshake` with a fresh [`RefusedSlot`]; returns its result and the refused
/// certificate, if the verifier refused one.
pub async fn recording_refusals<F: std::future::Future>(
    handshake: F,
) -> (F::Output, Option<ClientCertificate>) {
    let slot: RefusedSlot = Arc::new(Mutex::new(None));
    let out = REFUSED.scope(Arc::clone(&slot), handshake).await;
    let refused = slot.lock().map(|mut s| s.take()).unwrap_or(None);
    (out, refused)
}

/// A client-certificate verifier that delegates every decision to the PKI's and, when it
/// refuses a certificate (expired, revoked, look-alike issuer), notes the certificate's facts in
/// the task's [`REFUSED`] slot.
#[derive(Debug)]
pub struct RecordingVerifier(Arc<dyn ClientCertVerifier>);

impl RecordingVerifier {
    /// Wraps `inner`.
    pub fn wrap(inner: Arc<dyn ClientCertVerifier>) -> Arc<dyn ClientCertVerifier> {
        Arc::new(RecordingVerifier(inner))
    }
}

impl ClientCertVerifier for RecordingVerifier {
    fn offer_client_auth(&self) -> bool {
        self.0.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.0.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.0.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let verdict = self.0.verify_client_cert(end_entity, intermediates, now);
        if verdict.is_err() {
            let facts = certificate_facts(end_entity.as_ref());
            // Outside an accept scope (never in the simulator) there is nowhere to note it.
            let _ = REFUSED.try_with(|slot| {
                if let Ok(mut slot) = slot.lock() {
                    *slot = facts;
                }
            });
        }
        verdict
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        self.0.requires_raw_public_keys()
    }
}
