//! The one error type of this crate.

use std::path::PathBuf;

/// Everything that can go wrong while generating, loading or using the test PKI.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertsError {
    /// `init` found an existing PKI and was not told to replace it.
    #[error("a test pki already exists at {dir}: pass --force (or `force = true`) to replace it")]
    AlreadyExists {
        /// The directory that already holds files.
        dir: PathBuf,
    },
    /// `init` was told to replace a non-empty directory that is not a PKI it made (no
    /// `index.yaml` of its own): it is left alone.
    #[error(
        "refusing to replace {dir}: it is not a test PKI made by `insilab pki init` (no index.yaml of its own); choose another directory, or empty it yourself"
    )]
    NotAPki {
        /// The directory left alone.
        dir: PathBuf,
    },
    /// `load` found no PKI at the directory.
    #[error("no test pki at {dir}: generate one with `insilab pki init --out {dir}`")]
    Missing {
        /// The directory that was looked at.
        dir: PathBuf,
    },
    /// A file of the PKI could not be read or written.
    #[error("failed to {action} {path}: {source}")]
    Io {
        /// What was being done ("read", "write", "create directory", "rename").
        action: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// `index.yaml` could not be parsed or has an unsupported format.
    #[error("invalid index {path}: {reason}")]
    Index {
        /// The index file.
        path: PathBuf,
        /// Why it was refused.
        reason: String,
    },
    /// The catalogue has no identity of that name.
    #[error("unknown identity {name:?} in the test pki at {dir} (known: {known})")]
    UnknownIdentity {
        /// The requested name.
        name: String,
        /// The PKI directory.
        dir: PathBuf,
        /// The names the catalogue does hold, comma separated.
        known: String,
    },
    /// An option given to `init` is not usable (for example a `--san` that is neither a DNS
    /// name nor an IP address).
    #[error("invalid option {option}: {reason}")]
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// Key generation or certificate signing failed.
    #[error("failed to generate {what}: {reason}")]
    Generation {
        /// The certificate, key, CRL or bundle being made.
        what: String,
        /// The underlying failure.
        reason: String,
    },
    /// A PEM, DER or PKCS#12 input could not be decoded.
    #[error("failed to decode {what}: {reason}")]
    Decode {
        /// What was being decoded (names the file when there is one).
        what: String,
        /// Why.
        reason: String,
    },
    /// rustls refused to build a configuration from the PKI.
    #[error("failed to build the tls configuration for {what}: {source}")]
    Tls {
        /// The identity or role the configuration was for.
        what: String,
        /// The rustls error.
        #[source]
        source: rustls::Error,
    },
    /// The client certificate verifier could not be built.
    #[error("failed to build the client certificate verifier: {0}")]
    Verifier(#[from] rustls::server::VerifierBuilderError),
}

impl CertsError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn generation(what: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        Self::Generation {
            what: what.into(),
            reason: reason.to_string(),
        }
    }

    pub(crate) fn decode(what: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        Self::Decode {
            what: what.into(),
            reason: reason.to_string(),
        }
    }
}
