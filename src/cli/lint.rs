//! `insilab lint`: checks captured documents offline with the rules of the one catalogue: INSi
//! requests and responses, HL7 v2 messages, FHIR Patients/Bundles (JSON or XML), CDA headers,
//! INS Datamatrix images or payloads, recognised by content or forced with `--format`.

use std::path::PathBuf;
use std::process::ExitCode;

use insilab_harness::lint::{Forced, Kind, MAX_LINT_FILE_BYTES, lint_bytes_as, lint_file_as};

/// Lints standard input (bounded like a file), reported as `-`.
fn lint_stdin(forced: Option<Forced>) -> insilab_harness::lint::FileReport {
    let mut bytes = Vec::new();
    let read = std::io::Read::read_to_end(
        &mut std::io::Read::take(std::io::stdin().lock(), MAX_LINT_FILE_BYTES + 1),
        &mut bytes,
    );
    let name = std::path::Path::new("-");
    match read {
        Ok(_) if bytes.len() as u64 > MAX_LINT_FILE_BYTES => insilab_harness::lint::FileReport {
            file: name.to_owned(),
            kind: Kind::Unreadable,
            error: Some(format!(
                "standard input is more than the limit of {MAX_LINT_FILE_BYTES} bytes"
            )),
            payload: None,
            findings: Vec::new(),
        },
        Ok(_) => lint_bytes_as(name, &bytes, forced),
        Err(e) => insilab_harness::lint::FileReport {
            file: name.to_owned(),
            kind: Kind::Unreadable,
            error: Some(format!("cannot read standard input: {e}")),
            payload: None,
            findings: Vec::new(),
        },
    }
}

/// Arguments of `insilab lint`.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Files to check; each one's format is recognised by its content; `-` reads standard
    /// input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Read every file as this format instead of recognising it.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Print one JSON document (`{"files":[{file, kind, error?, findings:[…]}], "exit_code"}`).
    #[arg(long)]
    pub json: bool,
}

/// A format `--format` forces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// INSi SOAP request or response.
    Insi,
    /// HL7 v2 ER7 message.
    Hl7,
    /// FHIR Patient or Bundle (JSON or XML).
    Fhir,
    /// CDA R2 document.
    Cda,
    /// INS Datamatrix image (PNG/JPEG) or payload text.
    Datamatrix,
}

impl Format {
    fn forced(self) -> Forced {
        match self {
            Format::Insi => Forced::Insi,
            Format::Hl7 => Forced::Hl7,
            Format::Fhir => Forced::Fhir,
            Format::Cda => Forced::Cda,
            Format::Datamatrix => Forced::Datamatrix,
        }
    }
}

/// Runs `insilab lint`: exit 0 clean or advice only, 1 fault/CNDA findings, 2 unreadable file.
pub fn run(args: LintArgs) -> anyhow::Result<ExitCode> {
    let forced = args.format.map(Format::forced);
    let reports: Vec<_> = args
        .files
        .iter()
        .map(|f| {
            if f.as_os_str() == "-" {
                lint_stdin(forced)
            } else {
                lint_file_as(f, forced)
            }
        })
        .collect();
    let code = reports.iter().map(|r| r.exit_code()).max().unwrap_or(0);
    if args.json {
        let doc = serde_json::json!({ "files": reports, "exit_code": code });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        for r in &reports {
            println!("{} ({})", r.file.display(), r.kind.as_str());
            if let Some(p) = &r.payload {
                println!("  payload {}", p.replace('\u{1d}', "<GS>"));
            }
            if let Some(e) = &r.error {
                println!("  error: {e}");
            }
            if r.findings.is_empty() && r.kind != Kind::Unreadable {
                println!("  no finding");
            }
            for f in &r.findings {
                println!("{}", super::finding_line(f));
            }
        }
    }
    Ok(ExitCode::from(code))
}
