//! The one error type of the crate: what can go wrong while *setting up* a client.
//!
//! Failures of a call (transport, HTTP, faults, refused answers) are not errors: they are
//! reported in the typed [`crate::SearchOutcome`] so that the caller keeps the trace.

use std::path::PathBuf;

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The endpoint URL is not an absolute `https://host[:port]/path` URL.
    #[error("invalid endpoint url {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A certificate, key or bundle file could not be read.
    #[error("failed to read {what} file {path}: {source}")]
    ReadFile {
        /// Which file this is (client certificate chain, private key, CA, PKCS#12 bundle).
        what: &'static str,
        /// Where it was looked for.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A PEM file holds no usable item of the expected kind.
    #[error("invalid {what} in {path}: {reason}")]
    InvalidPem {
        /// Which item was expected.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What the PEM decoder said.
        reason: String,
    },
    /// The test PKI directory could not be loaded or lacks the requested identity.
    #[error(
        "failed to load the client identity {identity:?} from the pki in {dir}: {reason} (run `insilab pki init` first?)"
    )]
    Pki {
        /// The PKI directory.
        dir: PathBuf,
        /// The identity asked for (e.g. `insi-auto`).
        identity: String,
        /// What went wrong.
        reason: String,
    },
    /// A PKCS#12 bundle could not be opened.
    #[error("failed to open the pkcs#12 bundle {path}: {reason}")]
    Pkcs12 {
        /// The bundle.
        path: PathBuf,
        /// What went wrong (wrong password, no key, …).
        reason: String,
    },
    /// rustls refused the assembled configuration (e.g. key and certificate do not match).
    #[error("invalid tls configuration: {0}")]
    Tls(String),
    /// A configuration value is out of range or malformed.
    #[error("invalid setting {name}: {reason}")]
    InvalidSetting {
        /// The setting name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The virtual card could not sign the card-mode assertion.
    #[error("failed to sign the card-mode assertion: {0}")]
    Card(String),
}
