//! Builds the rustls client configuration (mutual TLS, ring provider) from a [`TlsIdentity`].

use std::path::Path;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::TlsIdentity;
use crate::error::ClientError;

/// Builds the rustls configuration for `identity`.
pub fn client_tls_config(identity: &TlsIdentity) -> Result<rustls::ClientConfig, ClientError> {
    match identity {
        TlsIdentity::Pki { dir, identity } => {
            let pki = insilab_certs::Pki::load(dir).map_err(|e| ClientError::Pki {
                dir: dir.clone(),
                identity: identity.clone(),
                reason: e.to_string(),
            })?;
            pki.client_config(identity).map_err(|e| ClientError::Pki {
                dir: dir.clone(),
                identity: identity.clone(),
                reason: e.to_string(),
            })
        }
        TlsIdentity::Pem {
            cert_chain,
            key,
            ca,
        } => {
            let chain = read_certs(cert_chain, "client certificate chain")?;
            let key = read_key(key)?;
            let roots = read_roots(ca)?;
            finish(roots, chain, key)
        }
        TlsIdentity::Pkcs12 { path, password, ca } => {
            let (chain, key) =
                insilab_certs::client_identity_from_p12(path, password).map_err(|e| {
                    ClientError::Pkcs12 {
                        path: path.clone(),
                        reason: e.to_string(),
                    }
                })?;
            let roots = read_roots(ca)?;
            finish(roots, chain, key)
        }
    }
}

fn finish(
    roots: RootCertStore,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<rustls::ClientConfig, ClientError> {
    // The ring provider is passed explicitly: two linked providers make rustls panic at run time.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .map_err(|e| ClientError::Tls(e.to_string()))
}

/// The largest certificate, key or PKCS#12 file the client reads (1 MiB); a bigger (or endless,
/// such as `/dev/zero`) file is refused.
pub const MAX_TLS_FILE_BYTES: u64 = 1024 * 1024;

fn read_file(path: &Path, what: &'static str) -> Result<Vec<u8>, ClientError> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(
                &mut std::io::Read::take(f, MAX_TLS_FILE_BYTES + 1),
                &mut bytes,
            )
        })
        .and_then(|n| {
            if n as u64 > MAX_TLS_FILE_BYTES {
                Err(std::io::Error::other(format!(
                    "more than the limit of {MAX_TLS_FILE_BYTES} bytes (MAX_TLS_FILE_BYTES)"
                )))
            } else {
                Ok(bytes)
            }
        })
        .map_err(|source| ClientError::ReadFile {
            what,
            path: path.to_path_buf(),
            source,
        })
}

fn read_certs(
    path: &Path,
    what: &'static str,
) -> Result<Vec<CertificateDer<'static>>, ClientError> {
    let bytes = read_file(path, what)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ClientError::InvalidPem {
            what,
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(ClientError::InvalidPem {
            what,
            path: path.to_path_buf(),
            reason: "no CERTIFICATE block found".to_owned(),
        });
    }
    Ok(certs)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, ClientError> {
    let bytes = read_file(path, "private key")?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| ClientError::InvalidPem {
        what: "private key",
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

fn read_roots(path: &Path) -> Result<RootCertStore, ClientError> {
    let mut roots = RootCertStore::empty();
    for cert in read_certs(path, "ca certificate")? {
        roots.add(cert).map_err(|e| ClientError::InvalidPem {
            what: "ca certificate",
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    }
    Ok(roots)
}
