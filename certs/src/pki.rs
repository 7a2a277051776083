//! A generated PKI on disk ([`Pki`]): loading its catalogue, reading identities, and building
//! rustls server and client configurations from it (ring provider, passed explicitly).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};

use crate::CertsError;
use crate::index::{ExpectedOutcome, INDEX_FILE, INDEX_FORMAT, Index, Role};

/// Largest file of a PKI (index, PEM, DER, PKCS#12) that is read, in bytes.
pub const MAX_PKI_FILE_BYTES: u64 = 1 << 20;

/// A generated PKI: its directory and its parsed catalogue.
#[derive(Debug, Clone)]
pub struct Pki {
    dir: PathBuf,
    index: Index,
}

/// One end-entity identity of the catalogue, its files read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Catalogue name (`insi-auto`, `expired`, …).
    pub name: String,
    /// Server, client or signature certificate.
    pub role: Role,
    /// The certificate (PEM).
    pub cert_pem: String,
    /// The private key (PKCS#8 PEM, unencrypted).
    pub key_pem: String,
    /// The certificate followed by its intermediates (PEM), root excluded.
    pub chain_pem: String,
    /// Path of `cert.pem`.
    pub cert_path: PathBuf,
    /// Path of `key.pem`.
    pub key_path: PathBuf,
    /// Path of `chain.pem`.
    pub chain_path: PathBuf,
    /// Path of the PKCS#12 bundle, when there is one.
    pub p12_path: Option<PathBuf>,
    /// What the simulator (or a client, for server identities) is expected to do with it.
    pub expected: ExpectedOutcome,
}

impl Identity {
    /// The chain and key, ready for rustls.
    pub fn rustls_identity(
        &self,
    ) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), CertsError> {
        client_identity_from_pem(&self.chain_pem, &self.key_pem)
    }
}

/// Whether a server configuration asks clients for a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAuth {
    /// A client certificate chaining to the test root is required, and checked against the CRLs
    /// (end-entity revocation only).
    Required,
    /// No client certificate is asked for.
    None,
}

impl Pki {
    /// Loads the PKI in `dir` (reads and checks `index.yaml`).
    pub fn load(dir: &Path) -> Result<Pki, CertsError> {
        let index_path = dir.join(INDEX_FILE);
        if !index_path.is_file() {
            return Err(CertsError::Missing {
                dir: dir.to_path_buf(),
            });
        }
        let text = read_text(&index_path)?;
        let index: Index = serde_saphyr::from_str(&text).map_err(|e| CertsError::Index {
            path: index_path.clone(),
            reason: e.to_string(),
        })?;
        if index.format != INDEX_FORMAT {
            return Err(CertsError::Index {
                path: index_path,
                reason: format!(
                    "format {} is not the supported {INDEX_FORMAT}: regenerate with `insilab pki init --force`",
                    index.format
                ),
            });
        }
        Ok(Pki {
            dir: dir.to_path_buf(),
            index,
        })
    }

    /// The PKI directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The catalogue.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Reads the identity `name` (see the catalogue in `index.yaml` for the names).
    pub fn identity(&self, name: &str) -> Result<Identity, CertsError> {
        let entry = self
            .index
            .identity(name)
            .ok_or_else(|| CertsError::UnknownIdentity {
                name: name.to_owned(),
                dir: self.dir.clone(),
                known: self
                    .index
                    .identities
                    .iter()
                    .map(|entry| entry.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let cert_path = self.dir.join(&entry.cert);
        let key_path = self.dir.join(&entry.key);
        let chain_path = self.dir.join(&entry.chain);
        Ok(Identity {
            name: entry.name.clone(),
            role: entry.role,
            cert_pem: read_text(&cert_path)?,
            key_pem: read_text(&key_path)?,
            chain_pem: read_text(&chain_path)?,
            cert_path,
            key_path,
            chain_path,
            p12_path: entry.p12.as_ref().map(|p12| self.dir.join(p12)),
            expected: entry.expected.clone(),
        })
    }

    /// PEM of the trust anchor (the test root) that clients and servers must trust.
    pub fn trust_roots_pem(&self) -> Result<String, CertsError> {
        self.ca_pem("root")
    }

    /// PEM of the CA certificate `name` (`root`, `organisations`, `personnes`, …).
    pub fn ca_pem(&self, name: &str) -> Result<String, CertsError> {
        let entry = self.index.ca(name).ok_or_else(|| CertsError::Index {
            path: self.dir.join(INDEX_FILE),
            reason: format!("no ca named {name:?}"),
        })?;
        read_text(&self.dir.join(&entry.cert))
    }

    /// A PKCS#12 trust store holding the test root and the two intermediates as trusted
    /// certificate entries (for Java's `javax.net.ssl.trustStore`), protected by `password`.
    /// Deterministic for a given PKI seed.
    pub fn truststore_p12(&self, password: &str) -> Result<Vec<u8>, CertsError> {
        use rand_core::SeedableRng as _;
        let mut ders = Vec::new();
        for name in ["root", "organisations", "personnes"] {
            let entry = self.index.ca(name).ok_or_else(|| CertsError::Index {
                path: self.dir.join(INDEX_FILE),
                reason: format!("no ca named {name:?}"),
            })?;
            ders.push((
                format!("igc-sante-test-{name}"),
                read_bytes(&self.dir.join(&entry.cert_der))?,
            ));
        }
        let certs: Vec<(&str, &[u8])> = ders
            .iter()
            .map(|(alias, der)| (alias.as_str(), der.as_slice()))
            .collect();
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&self.index.seed.to_be_bytes());
        seed[8..16].copy_from_slice(b"truststo");
        let mut rng = rand_chacha::ChaCha20Rng::from_seed(seed);
        crate::pkcs12::write_pkcs12_truststore(&certs, password, &mut rng)
    }

    /// The root store holding the test root only.
    pub fn root_store(&self) -> Result<RootCertStore, CertsError> {
        let pem = self.trust_roots_pem()?;
        let mut store = RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let cert = cert.map_err(|e| CertsError::decode("the test root", e))?;
            store.add(cert).map_err(|source| CertsError::Tls {
                what: "the test root".to_owned(),
                source,
            })?;
        }
        Ok(store)
    }

    /// Every CRL of the PKI (DER).
    pub fn crls(&self) -> Result<Vec<CertificateRevocationListDer<'static>>, CertsError> {
        self.index
            .crls
            .iter()
            .map(|crl| read_bytes(&self.dir.join(&crl.der)).map(CertificateRevocationListDer::from))
            .collect()
    }

    /// A rustls server configuration presenting `server_identity` (TLS 1.2 and 1.3, ring).
    /// With [`ClientAuth::Required`] clients must present a certificate chaining to the test
    /// root; end-entity certificates are checked against the CRLs.
    pub fn server_config(
        &self,
        server_identity: &str,
        client_auth: ClientAuth,
    ) -> Result<ServerConfig, CertsError> {
        self.server_config_wrapping(server_identity, client_auth, |v| v)
    }

    /// [`Pki::server_config`], the client-certificate verifier passed through `wrap` first
    /// (the simulator wraps it to journal the certificates it refuses).
    pub fn server_config_wrapping(
        &self,
        server_identity: &str,
        client_auth: ClientAuth,
        wrap: impl FnOnce(
            Arc<dyn rustls::server::danger::ClientCertVerifier>,
        ) -> Arc<dyn rustls::server::danger::ClientCertVerifier>,
    ) -> Result<ServerConfig, CertsError> {
        let identity = self.identity(server_identity)?;
        let (chain, key) = identity.rustls_identity()?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|source| tls_error(server_identity, source))?;
        let builder = match client_auth {
            ClientAuth::None => builder.with_no_client_auth(),
            ClientAuth::Required => {
                // Only the end entity is checked for revocation: the CRLs of the root and the
                // intermediates exist, but checking the whole chain would make any missing CRL
                // fatal for no benefit in a test PKI.
                let verifier = WebPkiClientVerifier::builder_with_provider(
                    Arc::new(self.root_store()?),
                    provider,
                )
                .with_crls(self.crls()?)
                .only_check_end_entity_revocation()
                .build()?;
                builder.with_client_cert_verifier(wrap(verifier))
            }
        };
        builder
            .with_single_cert(chain, key)
            .map_err(|source| tls_error(server_identity, source))
    }

    /// A rustls client configuration that trusts the test root and presents `client_identity`.
    pub fn client_config(&self, client_identity: &str) -> Result<ClientConfig, CertsError> {
        let identity = self.identity(client_identity)?;
        let (chain, key) = identity.rustls_identity()?;
        self.client_builder(client_identity)?
            .with_client_auth_cert(chain, key)
            .map_err(|source| tls_error(client_identity, source))
    }

    /// A rustls client configuration that trusts the test root and presents no certificate.
    pub fn anonymous_client_config(&self) -> Result<ClientConfig, CertsError> {
        Ok(self
            .client_builder("an anonymous client")?
            .with_no_client_auth())
    }

    fn client_builder(
        &self,
        what: &str,
    ) -> Result<rustls::ConfigBuilder<ClientConfig, rustls::client::WantsClientCert>, CertsError>
    {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        Ok(ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|source| tls_error(what, source))?
            .with_root_certificates(self.root_store()?))
    }
}

/// Parses a PEM certificate chain (end entity first) and a PEM private key (PKCS#8, PKCS#1 or
/// SEC1) into what rustls takes.
pub fn client_identity_from_pem(
    cert_chain_pem: &str,
    key_pem: &str,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), CertsError> {
    let chain = CertificateDer::pem_slice_iter(cert_chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CertsError::decode("the certificate chain pem", e))?;
    if chain.is_empty() {
        return Err(CertsError::decode(
            "the certificate chain pem",
            "no CERTIFICATE block found",
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|e| CertsError::decode("the private key pem", e))?;
    Ok((chain, key))
}

/// Reads a PKCS#12 bundle (ours or another tool's) into what rustls takes.
pub fn client_identity_from_p12(
    path: &Path,
    password: &str,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), CertsError> {
    let data = read_bytes(path)?;
    crate::pkcs12::read_pkcs12(
        &data,
        password,
        &format!("pkcs#12 bundle {}", path.display()),
    )
}

/// The TLS registry name of an alert (`certificate_expired`, `unknown_ca`, …), the form used by
/// [`ExpectedOutcome::TlsAlert`].
pub fn alert_name(alert: rustls::AlertDescription) -> String {
    use rustls::AlertDescription as A;
    let name = match alert {
        A::CloseNotify => "close_notify",
        A::UnexpectedMessage => "unexpected_message",
        A::BadRecordMac => "bad_record_mac",
        A::HandshakeFailure => "handshake_failure",
        A::BadCertificate => "bad_certificate",
        A::UnsupportedCertificate => "unsupported_certificate",
        A::CertificateRevoked => "certificate_revoked",
        A::CertificateExpired => "certificate_expired",
        A::CertificateUnknown => "certificate_unknown",
        A::IllegalParameter => "illegal_parameter",
        A::UnknownCA => "unknown_ca",
        A::AccessDenied => "access_denied",
        A::DecodeError => "decode_error",
        A::DecryptError => "decrypt_error",
        A::ProtocolVersion => "protocol_version",
        A::InsufficientSecurity => "insufficient_security",
        A::InternalError => "internal_error",
        A::UserCanceled => "user_canceled",
        A::NoRenegotiation => "no_renegotiation",
        A::UnsupportedExtension => "unsupported_extension",
        A::UnrecognisedName => "unrecognized_name",
        A::CertificateRequired => "certificate_required",
        A::NoApplicationProtocol => "no_application_protocol",
        other => return format!("{other:?}").to_lowercase(),
    };
    name.to_owned()
}

/// The alert a rustls error stands for: the alert received from the peer, or the one rustls
/// sends for a certificate it rejected itself. `None` for errors that are not about alerts.
pub fn tls_alert_of(error: &rustls::Error) -> Option<String> {
    use rustls::{AlertDescription as A, CertificateError as C};
    match error {
        rustls::Error::AlertReceived(alert) => Some(alert_name(*alert)),
        rustls::Error::InvalidCertificate(cause) => Some(alert_name(match cause {
            C::Expired
            | C::NotValidYet
            | C::ExpiredContext { .. }
            | C::NotValidYetContext { .. } => A::CertificateExpired,
            C::Revoked => A::CertificateRevoked,
            C::UnknownIssuer => A::UnknownCA,
            C::InvalidPurpose | C::InvalidPurposeContext { .. } | C::UnhandledCriticalExtension => {
                A::UnsupportedCertificate
            }
            C::BadSignature => A::DecryptError,
            C::NotValidForName | C::NotValidForNameContext { .. } => A::BadCertificate,
            C::BadEncoding => A::DecodeError,
            C::ApplicationVerificationFailure => A::AccessDenied,
            _ => A::CertificateUnknown,
        })),
        _ => None,
    }
}

fn tls_error(what: &str, source: rustls::Error) -> CertsError {
    CertsError::Tls {
        what: what.to_owned(),
        source,
    }
}

pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, CertsError> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| CertsError::io("read", path, e))?;
    let mut data = Vec::new();
    file.take(MAX_PKI_FILE_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(|e| CertsError::io("read", path, e))?;
    if data.len() as u64 > MAX_PKI_FILE_BYTES {
        return Err(CertsError::decode(
            path.display().to_string(),
            format!("file is larger than the limit of {MAX_PKI_FILE_BYTES} bytes"),
        ));
    }
    Ok(data)
}

pub(crate) fn read_text(path: &Path) -> Result<String, CertsError> {
    String::from_utf8(read_bytes(path)?)
        .map_err(|e| CertsError::decode(path.display().to_string(), e))
}
