//! The harness's one error type.

use std::path::PathBuf;

/// Everything that can stop the harness from running (setup errors, exit code 2). Scenario
/// failures are not errors: they are results.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// A feature file could not be read or parsed.
    #[error("cannot read feature file {path}: {message}")]
    Feature {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A suite name or path that names nothing.
    #[error(
        "unknown suite {0:?}: expected cnda, protocol, receiving, business, all or a directory/file of .feature files"
    )]
    UnknownSuite(String),
    /// A tag expression that does not parse.
    #[error("invalid tag expression {0:?}: {1}")]
    TagExpression(String, String),
    /// A step no definition matches (found before running anything).
    #[error("{file}:{line}: no step definition matches {text:?}")]
    UndefinedStep {
        /// Feature file.
        file: String,
        /// Line of the step.
        line: usize,
        /// Step text.
        text: String,
    },
    /// The driver could not be set up or failed in a way that is not a scenario result.
    #[error("driver error: {0}")]
    Driver(String),
    /// The driver configuration file is wrong.
    #[error("driver configuration {path}: {message}")]
    DriverConfig {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The simulator could not be started or reached.
    #[error("simulator error: {0}")]
    Simulator(String),
    /// The PKI could not be loaded or generated.
    #[error("pki error in {path}: {message}")]
    Pki {
        /// PKI directory.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Writing the evidence directory failed.
    #[error("cannot write evidence at {path}: {source}")]
    Evidence {
        /// The file or directory.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The evidence directory already holds files (another run's): refused unless replaced.
    #[error(
        "evidence directory {path} is not empty: choose another --out, or pass --force to replace it whole"
    )]
    EvidenceNotEmpty {
        /// The directory.
        path: PathBuf,
    },
    /// The step cannot run here (operator skipped, simulator lacks the feature): the scenario
    /// is skipped, not failed.
    #[error("skipped: {0}")]
    Skipped(String),
    /// The software under test cannot be driven at all (driver program missing, hook not
    /// answering): the run stops, nothing is judged.
    #[error("{0}")]
    Unreachable(String),
    /// The report writers failed.
    #[error("report error: {0}")]
    Reports(String),
}

// One wording of error chains for every crate: defined in core.
pub use insilab_core::describe_chain;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot bind 127.0.0.1:1: {0}")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn a_cause_already_said_is_not_repeated() {
        let e = Outer(std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            "Address already in use",
        ));
        assert_eq!(
            describe_chain(&e),
            "cannot bind 127.0.0.1:1: Address already in use"
        );
    }
}
