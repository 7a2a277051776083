//! The one error type of the crate.

use std::path::PathBuf;

/// Everything that can go wrong while loading inputs or writing reports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A file or directory could not be read or written.
    #[error("failed to access {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A YAML file (catalogue, DSR mapping) is not valid.
    #[error("invalid yaml in {origin}: {message}")]
    Yaml {
        /// File path, or `<string>`/`<embedded>`.
        origin: String,
        /// Parser message.
        message: String,
    },
    /// A JSON file (results.json) is not valid or does not match the model.
    #[error("invalid json in {origin}: {message}")]
    Json {
        /// File path or `<string>`.
        origin: String,
        /// Parser message.
        message: String,
    },
    /// The same requirement id appears twice in the catalogue.
    #[error("requirement `{id}` is defined twice in {origin}")]
    DuplicateRequirement {
        /// The duplicated id.
        id: String,
        /// Catalogue file.
        origin: String,
    },
    /// A DSR mapping names a requirement that the catalogue does not define.
    #[error("dsr item `{item}` in {origin} names unknown requirement `{id}`")]
    UnknownRequirement {
        /// The DSR item id.
        item: String,
        /// The unknown requirement id.
        id: String,
        /// Mapping file.
        origin: String,
    },
    /// The same DSR item id appears twice in a mapping.
    #[error("dsr item `{item}` is defined twice in {origin}")]
    DuplicateDsrItem {
        /// The duplicated id.
        item: String,
        /// Mapping file.
        origin: String,
    },
    /// A file is larger than the limit for its kind.
    #[error("{path} is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// results.json was written by an incompatible schema version.
    #[error("{path} has schema version `{found}`, this insilab reads `{expected}`")]
    SchemaVersion {
        /// results.json path.
        path: PathBuf,
        /// Version found.
        found: String,
        /// Version supported.
        expected: String,
    },
    /// A report format name is not known.
    #[error("unknown report format `{0}` (expected html, junit, json or md)")]
    UnknownFormat(String),
    /// A template failed to render (a bug in a template: the inputs cannot cause it).
    #[error("failed to render the {template} template: {message}")]
    Template {
        /// Template name.
        template: &'static str,
        /// Engine message.
        message: String,
    },
    /// The JUnit writer failed.
    #[error("failed to write junit xml: {0}")]
    Junit(String),
    /// A manifest line is not in `sha256sum` format.
    #[error("line {line} of {path} is not `<sha256>  <file>`")]
    ManifestSyntax {
        /// manifest.sha256 path.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
    /// The zip of the acceptance traces could not be built.
    #[error("failed to build the zip of the traces: {0}")]
    Zip(String),
    /// Headless Chromium failed to print the acceptance file to PDF.
    #[error("failed to print {html} to pdf with {chromium}: {message}")]
    Pdf {
        /// The Chromium binary.
        chromium: PathBuf,
        /// The HTML file.
        html: PathBuf,
        /// What went wrong (exit status and stderr, timeout).
        message: String,
    },
    /// A path in the evidence directory is not valid UTF-8 or escapes the directory.
    #[error("unsupported path {0} in the evidence directory")]
    BadPath(PathBuf),
}

impl ReportError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ReportError::Io {
            path: path.into(),
            source,
        }
    }
}
