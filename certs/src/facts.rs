//! Reads facts back from generated certificates and CRLs with x509-parser (an implementation
//! independent of the one that wrote them), for `index.yaml` and `pki show`.

use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use x509_parser::prelude::{FromDer as _, X509Certificate, X509Name};
use x509_parser::revocation_list::CertificateRevocationList;

use crate::CertsError;
use crate::index::{CertFacts, CrlEntry};

/// Facts of one DER certificate; `what` names it in errors.
pub fn cert_facts(der: &[u8], what: &str) -> Result<CertFacts, CertsError> {
    let (_, cert) = X509Certificate::from_der(der)
        .map_err(|e| CertsError::decode(format!("certificate {what}"), e))?;
    Ok(CertFacts {
        subject: rfc4514(cert.subject()),
        issuer: rfc4514(cert.issuer()),
        serial: hex::encode_upper(cert.raw_serial()),
        not_before: rfc3339(cert.validity().not_before.to_datetime()),
        not_after: rfc3339(cert.validity().not_after.to_datetime()),
        sha256: fingerprint(der),
    })
}

/// Fills the issuer, dates and revoked serials of a CRL entry from its DER form.
pub(crate) fn crl_facts(der: &[u8], mut entry: CrlEntry) -> Result<CrlEntry, CertsError> {
    let (_, crl) = CertificateRevocationList::from_der(der)
        .map_err(|e| CertsError::decode(format!("crl {}", entry.name), e))?;
    entry.issuer = rfc4514(crl.issuer());
    entry.this_update = rfc3339(crl.last_update().to_datetime());
    entry.next_update = crl
        .next_update()
        .map(|t| rfc3339(t.to_datetime()))
        .unwrap_or_default();
    entry.revoked_serials = crl
        .iter_revoked_certificates()
        .map(|revoked| hex::encode_upper(revoked.raw_serial()))
        .collect();
    Ok(entry)
}

/// SHA-256 fingerprint as OpenSSL prints it: upper-case hex pairs joined by `:`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// RFC 3339 in UTC (`2026-01-01T00:00:00Z`).
pub fn rfc3339(time: OffsetDateTime) -> String {
    time.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| time.unix_timestamp().to_string())
}

/// A name in RFC 4514 order (most specific first: `CN=…,OU=…,O=…,C=…`), with the special
/// characters of values escaped.
pub fn rfc4514(name: &X509Name<'_>) -> String {
    let mut parts = Vec::new();
    for rdn in name.iter_rdn() {
        let attributes: Vec<String> = rdn
            .iter()
            .map(|attribute| {
                let oid = attribute.attr_type();
                let label = match oid.to_id_string().as_str() {
                    "2.5.4.3" => "CN".to_owned(),
                    "2.5.4.6" => "C".to_owned(),
                    "2.5.4.7" => "L".to_owned(),
                    "2.5.4.8" => "ST".to_owned(),
                    "2.5.4.10" => "O".to_owned(),
                    "2.5.4.11" => "OU".to_owned(),
                    other => other.to_owned(),
                };
                let value = attribute
                    .as_str()
                    .map(escape)
                    .unwrap_or_else(|_| "#".to_owned() + &hex::encode(attribute.as_slice()));
                format!("{label}={value}")
            })
            .collect();
        parts.push(attributes.join("+"));
    }
    parts.reverse();
    parts.join(",")
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (position, c) in value.chars().enumerate() {
        let needs = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (position == 0 && (c == '#' || c == ' '))
            || (position + 1 == value.chars().count() && c == ' ');
        if needs {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Parses an RFC 3339 time (`2026-01-01T00:00:00Z`), as `insilab pki init --now` takes it;
/// fractions of a second are dropped (certificates carry whole seconds).
pub fn parse_rfc3339(text: &str) -> Result<OffsetDateTime, CertsError> {
    let parsed =
        OffsetDateTime::parse(text.trim(), &Rfc3339).map_err(|e| CertsError::InvalidOption {
            option: "--now",
            reason: format!("{text:?} is not an rfc 3339 time such as 2026-01-01T00:00:00Z: {e}"),
        })?;
    Ok(parsed.replace_nanosecond(0).unwrap_or(parsed))
}
