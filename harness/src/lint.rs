//! `insilab lint`: checks captured documents offline with the rules of the one catalogue.
//! The format is recognised by content ([`insilab_formats::detect::sniff`]): INSi SOAP (read
//! as a request when it parses as one, otherwise as a response), HL7 v2, FHIR JSON/XML, CDA,
//! a Datamatrix image or payload; or forced with [`lint_bytes_as`].

use std::path::{Path, PathBuf};

use insilab_core::insi::{Limits, parse_request, parse_response};
use insilab_core::rules::{CheckContext, Finding, Severity, check_request, check_response};
use insilab_formats::detect::{self, Carrier};
use serde::Serialize;

/// Largest file linted (the reader's own body limit applies too).
pub const MAX_LINT_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// What a file turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// An INSi request envelope.
    Request,
    /// An INSi response (result or fault).
    Response,
    /// An HL7 v2 message.
    Hl7,
    /// A FHIR Patient or Bundle in JSON.
    FhirJson,
    /// A FHIR Patient or Bundle in XML.
    FhirXml,
    /// A CDA document (its header).
    Cda,
    /// An image carrying an INS Datamatrix.
    DatamatrixImage,
    /// An INS Datamatrix payload text.
    DatamatrixPayload,
    /// Nothing could be read.
    Unreadable,
}

impl Kind {
    /// The name printed and serialised (`request`, `fhir-json` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Request => "request",
            Kind::Response => "response",
            Kind::Hl7 => "hl7",
            Kind::FhirJson => "fhir-json",
            Kind::FhirXml => "fhir-xml",
            Kind::Cda => "cda",
            Kind::DatamatrixImage => "datamatrix-image",
            Kind::DatamatrixPayload => "datamatrix-payload",
            Kind::Unreadable => "unreadable",
        }
    }

    fn of(carrier: Carrier) -> Kind {
        match carrier {
            Carrier::Insi => Kind::Request,
            Carrier::Hl7 => Kind::Hl7,
            Carrier::FhirJson => Kind::FhirJson,
            Carrier::FhirXml => Kind::FhirXml,
            Carrier::Cda => Kind::Cda,
            Carrier::DatamatrixImage => Kind::DatamatrixImage,
            Carrier::DatamatrixPayload => Kind::DatamatrixPayload,
        }
    }
}

/// A format forced by `--format` instead of recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forced {
    /// An INSi request or response.
    Insi,
    /// HL7 v2.
    Hl7,
    /// FHIR, JSON or XML by the first byte.
    Fhir,
    /// CDA.
    Cda,
    /// A Datamatrix image (PNG/JPEG magic number) or payload text.
    Datamatrix,
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
    /// The payload decoded from a Datamatrix image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
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

/// Lints bytes already read, the format recognised by content.
pub fn lint_bytes(file: &Path, bytes: &[u8]) -> FileReport {
    lint_bytes_as(file, bytes, None)
}

/// Lints bytes already read as `forced`, or as recognised by content when `None`. Content
/// that is none of the carriers is tried as INSi (whose reader says what is wrong).
pub fn lint_bytes_as(file: &Path, bytes: &[u8], forced: Option<Forced>) -> FileReport {
    let carrier = match forced {
        None => detect::sniff(bytes).unwrap_or(Carrier::Insi),
        Some(Forced::Insi) => Carrier::Insi,
        Some(Forced::Hl7) => Carrier::Hl7,
        Some(Forced::Fhir) => match insilab_formats::fhir::Syntax::sniff(bytes) {
            Some(insilab_formats::fhir::Syntax::Xml) => Carrier::FhirXml,
            _ => Carrier::FhirJson,
        },
        Some(Forced::Cda) => Carrier::Cda,
        Some(Forced::Datamatrix) => {
            if bytes.starts_with(b"\x89PNG")
                || bytes.starts_with(b"\xFF\xD8\xFF")
                || bytes.starts_with(b"%PDF-")
            {
                Carrier::DatamatrixImage
            } else {
                Carrier::DatamatrixPayload
            }
        }
    };
    if carrier == Carrier::Insi {
        return lint_insi(file, bytes);
    }
    match detect::check(carrier, bytes) {
        Ok(checked) => FileReport {
            file: file.to_owned(),
            kind: Kind::of(carrier),
            error: None,
            payload: checked.payload,
            findings: checked.findings,
        },
        Err(e) => FileReport {
            file: file.to_owned(),
            kind: Kind::Unreadable,
            error: Some(format!("read as {}: {e}", carrier.as_str())),
            payload: None,
            findings: Vec::new(),
        },
    }
}

fn lint_insi(file: &Path, bytes: &[u8]) -> FileReport {
    let limits = Limits::default();
    match parse_request(bytes, &limits) {
        Ok(req) => FileReport {
            file: file.to_owned(),
            kind: Kind::Request,
            error: None,
            payload: None,
            findings: check_request(&req, &CheckContext::default()),
        },
        Err(req_err) => match parse_response(bytes, &limits) {
            Ok(resp) => FileReport {
                file: file.to_owned(),
                kind: Kind::Response,
                error: None,
                payload: None,
                findings: check_response(&resp),
            },
            Err(resp_err) => FileReport {
                file: file.to_owned(),
                kind: Kind::Unreadable,
                error: Some(format!(
                    "not an INSi request ({req_err}) nor a response ({resp_err}), nor HL7 v2, FHIR, CDA or a Datamatrix"
                )),
                payload: None,
                findings: Vec::new(),
            },
        },
    }
}

/// Reads and lints one file (bounded by [`MAX_LINT_FILE_BYTES`]), recognising its format.
pub fn lint_file(file: &Path) -> FileReport {
    lint_file_as(file, None)
}

/// Reads and lints one file as `forced` (or recognised by content).
pub fn lint_file_as(file: &Path, forced: Option<Forced>) -> FileReport {
    let unreadable = |error: String| FileReport {
        file: file.to_owned(),
        kind: Kind::Unreadable,
        error: Some(error),
        payload: None,
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
    // The size from the metadata is 0 for devices and pipes (`/dev/zero`): the read itself is
    // bounded too.
    let mut bytes = Vec::new();
    let read = std::fs::File::open(file).and_then(|f| {
        std::io::Read::read_to_end(
            &mut std::io::Read::take(f, MAX_LINT_FILE_BYTES + 1),
            &mut bytes,
        )
    });
    match read {
        Err(e) => unreadable(format!("cannot read {}: {e}", file.display())),
        Ok(n) if n as u64 > MAX_LINT_FILE_BYTES => unreadable(format!(
            "more than the limit of {MAX_LINT_FILE_BYTES} bytes (MAX_LINT_FILE_BYTES): not read further"
        )),
        Ok(_) => lint_bytes_as(file, &bytes, forced),
    }
}
