//! TLS accept: the client certificate facts.
//!
//! One job: after rustls has verified the client chain (against the PKI roots and CRL), read the
//! subject fields the service cares about (CN: access level; OU: tenant) with x509-parser.

use rustls::ServerConnection;
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
