//! Client settings: where the service is, which identity to present, how the software names
//! itself in `ContexteLPS`, and the timeouts.

use std::path::PathBuf;
use std::time::Duration;

/// Default endpoint: a local `insilab serve` with its default settings.
pub const DEFAULT_URL: &str = "https://127.0.0.1:8443/lps";
/// Default software authorisation number (`LPS/IDAM`): one seen on the qualification platform
/// and known to the simulator's IDAM registry.
pub const DEFAULT_IDAM: &str = "PDP17NF21DD0";
/// Default software name sent in `ContexteLPS/LPS/Nom` (completed as `urn:lps:<name>:<version>`).
pub const DEFAULT_SOFTWARE_NAME: &str = "insilab";
/// Default connect timeout (TCP connect plus TLS handshake).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default total timeout of one attempt (connect, send, whole answer read).
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(30);
/// Default client identity in the test PKI (an unattended, `INSI-AUTO` certificate).
pub const DEFAULT_PKI_IDENTITY: &str = "insi-auto";

/// Everything an [`crate::InsiClient`] needs.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Endpoint URL, `https://host[:port]/path`. Default [`DEFAULT_URL`].
    pub url: String,
    /// The mutual-TLS identity and the trusted root.
    pub tls: TlsIdentity,
    /// Software authorisation number sent as `ContexteLPS/LPS/IDAM`.
    pub idam: String,
    /// Software name, sent in `ContexteLPS/LPS/Nom` as `urn:lps:<name>:<version>`.
    pub software_name: String,
    /// Software version, sent in `ContexteLPS/LPS/Version`.
    pub software_version: String,
    /// Installation UUID, sent in `ContexteLPS/LPS/Instance`.
    pub instance: uuid::Uuid,
    /// Optional `Emetteur` of both contexts (e.g. the structure id of the certificate OU).
    pub emetteur: Option<String>,
    /// Limit for TCP connect plus TLS handshake.
    pub connect_timeout: Duration,
    /// Limit for one whole attempt (connect, send, read the answer).
    pub total_timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            url: DEFAULT_URL.to_owned(),
            tls: TlsIdentity::Pki {
                dir: PathBuf::from(insilab_certs::DEFAULT_DIR),
                identity: DEFAULT_PKI_IDENTITY.to_owned(),
            },
            idam: DEFAULT_IDAM.to_owned(),
            software_name: DEFAULT_SOFTWARE_NAME.to_owned(),
            software_version: env!("CARGO_PKG_VERSION").to_owned(),
            instance: uuid::Uuid::new_v4(),
            emetteur: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            total_timeout: DEFAULT_TOTAL_TIMEOUT,
        }
    }
}

/// Where the client certificate, its key and the trusted root come from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TlsIdentity {
    /// A test PKI directory written by `insilab pki init`; `identity` names the client identity
    /// in it (`insi-auto`, `insi-manu`, or a negative-catalogue entry).
    Pki {
        /// The PKI directory (default `certs/generated`).
        dir: PathBuf,
        /// The identity name.
        identity: String,
    },
    /// PEM files: the client certificate chain (leaf first), its private key and the CA to trust.
    Pem {
        /// Client certificate chain, leaf first.
        cert_chain: PathBuf,
        /// Private key (PKCS#8, PKCS#1 or SEC1).
        key: PathBuf,
        /// Root certificate(s) the server chain must lead to.
        ca: PathBuf,
    },
    /// A PKCS#12 bundle and the CA to trust.
    Pkcs12 {
        /// The `.p12`/`.pfx` file.
        path: PathBuf,
        /// Its password.
        password: String,
        /// Root certificate(s) the server chain must lead to.
        ca: PathBuf,
    },
}
