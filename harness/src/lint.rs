//! `insilab lint`: checks captured INSi requests and responses offline with `core::rules`.
//! A file is read as a request when it parses as one, otherwise as a response.

use std::path::{Path, PathBuf};

use insilab_core::insi::{Limits, parse_request, parse_response};
use insilab_core::rules::{CheckContext, Finding, Severity, check_request, check_response};
use serde::Serialize;

/// Largest file linted (the reader's own body limit applies too).
pub const MAX_LINT_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// What a file turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An INSi request envelope.
    Request,
    /// An INSi response (result or fault).
    Response,
    /// Neither could be read.
    Unreadable,
}

/// One finding: the core type, serialised as is (`rule_id`, `severity`, `message`, `path`).
pub type LintFinding = Finding;

/// The lint result of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileReport {
    /// The file.
    pub file: PathBuf,
    /// Request, response or unreadable.
    pub kind: Kind,
    /// Why it is unreadable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Findings, in rule order.
    pub findings: Vec<LintFinding>,
}

impl FileReport {
    /// Exit code contribution: 0 clean or advice only, 1 fault/CNDA findings, 2 unreadable.
    pub fn exit_code(&self) -> u8 {
        if self.kind == Kind::Unreadable {
            2
        } else if self.findings.iter().any(|f| f.severity != Severity::Advice) {
            1
        } else {
            0
        }
    }
}

/// Lints bytes already read.
pub fn lint_bytes(file: &Path, bytes: &[u8]) -> FileReport {
    let limits = Limits::default();
    match parse_request(bytes, &limits) {
        Ok(req) => FileReport {
            file: file.to_owned(),
            kind: Kind::Request,
            error: None,
            findings: check_request(&req, &CheckContext::default()),
        },
        Err(req_err) => match parse_response(bytes, &limits) {
            Ok(resp) => FileReport {
                file: file.to_owned(),
                kind: Kind::Response,
                error: None,
                findings: check_response(&resp),
            },
            Err(resp_err) => FileReport {
                file: file.to_owned(),
                kind: Kind::Unreadable,
                error: Some(format!(
                    "not an INSi request ({req_err}) nor a response ({resp_err})"
                )),
                findings: Vec::new(),
            },
        },
    }
}

/// Reads and lints one file (bounded by [`MAX_LINT_FILE_BYTES`]).
pub fn lint_file(file: &Path) -> FileReport {
    let unreadable = |error: String| FileReport {
        file: file.to_owned(),
        kind: Kind::Unreadable,
        error: Some(error),
        findings: Vec::new(),
    };
    match std::fs::metadata(file) {
        Ok(m) if m.len() > MAX_LINT_FILE_BYTES => {
            return unreadable(format!(
                "{} bytes, more than the limit of {MAX_LINT_FILE_BYTES}",
                m.len()
            ));
        }
        Err(e) => return unreadable(format!("cannot read {}: {e}", file.display())),
        Ok(_) => {}
    }
    match std::fs::read(file) {
        Ok(bytes) => lint_bytes(file, &bytes),
        Err(e) => unreadable(format!("cannot read {}: {e}", file.display())),
    }
}
