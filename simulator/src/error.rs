//! The simulator's one error type.

use std::path::PathBuf;

/// Everything that can go wrong while configuring, starting or driving the simulator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimulatorError {
    /// A dataset file could not be read.
    #[error("failed to read dataset {path}: {source}")]
    DatasetIo {
        /// The file.
        path: PathBuf,
        /// The I/O cause.
        source: std::io::Error,
    },
    /// A dataset is not valid YAML of the expected shape.
    #[error("invalid dataset {origin}: {message}")]
    DatasetSyntax {
        /// Where the dataset came from (a path or `embedded default`).
        origin: String,
        /// The parser's message.
        message: String,
    },
    /// A dataset parses but holds an inconsistent value.
    #[error("invalid dataset {origin}: person `{person}`: {message}")]
    DatasetValue {
        /// Where the dataset came from.
        origin: String,
        /// The person's id.
        person: String,
        /// What is wrong.
        message: String,
    },
    /// An override names something that does not exist (answer file, fault code).
    #[error("invalid override: {0}")]
    Override(String),
    /// The configuration file could not be read or parsed.
    #[error("invalid configuration {origin}: {message}")]
    Config {
        /// The file or source.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// The PKI could not be loaded or a TLS configuration could not be built.
    #[error("failed to prepare tls from the pki: {0}")]
    Pki(String),
    /// A listener could not be bound.
    #[error("failed to bind {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The I/O cause.
        source: std::io::Error,
    },
    /// A call to the admin API of another simulator failed.
    #[error("admin api: {0}")]
    Admin(String),
    /// The journal file could not be opened or written.
    #[error("failed to write journal file {path}: {source}")]
    JournalIo {
        /// The file.
        path: PathBuf,
        /// The I/O cause.
        source: std::io::Error,
    },
}

/// Result alias of this crate.
pub type Result<T, E = SimulatorError> = std::result::Result<T, E>;
