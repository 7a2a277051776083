//! `insilab lint`: checks captured INSi requests/responses offline with `core::rules`.

use std::path::PathBuf;
use std::process::ExitCode;

use insilab_harness::lint::{Kind, MAX_LINT_FILE_BYTES, lint_bytes, lint_file};

/// Lints standard input (bounded like a file), reported as `-`.
fn lint_stdin() -> insilab_harness::lint::FileReport {
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
            findings: Vec::new(),
        },
        Ok(_) => lint_bytes(name, &bytes),
        Err(e) => insilab_harness::lint::FileReport {
            file: name.to_owned(),
            kind: Kind::Unreadable,
            error: Some(format!("cannot read standard input: {e}")),
            findings: Vec::new(),
        },
    }
}

/// Arguments of `insilab lint`.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Request or response XML files (each is detected as one or the other); `-` reads
    /// standard input.
    #[arg(required = true, value_name = "FILE.xml")]
    pub files: Vec<PathBuf>,
    /// Print one JSON document (`{"files":[{file, kind, error?, findings:[…]}], "exit_code"}`).
    #[arg(long)]
    pub json: bool,
}

/// Runs `insilab lint`: exit 0 clean or advice only, 1 fault/CNDA findings, 2 unreadable file.
pub fn run(args: LintArgs) -> anyhow::Result<ExitCode> {
    let reports: Vec<_> = args
        .files
        .iter()
        .map(|f| {
            if f.as_os_str() == "-" {
                lint_stdin()
            } else {
                lint_file(f)
            }
        })
        .collect();
    let code = reports.iter().map(|r| r.exit_code()).max().unwrap_or(0);
    if args.json {
        let doc = serde_json::json!({ "files": reports, "exit_code": code });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        for r in &reports {
            let kind = match r.kind {
                Kind::Request => "request",
                Kind::Response => "response",
                Kind::Unreadable => "unreadable",
            };
            println!("{} ({kind})", r.file.display());
            if let Some(e) = &r.error {
                println!("  error: {e}");
            }
            if r.findings.is_empty() && r.kind != Kind::Unreadable {
                println!("  no finding");
            }
            for f in &r.findings {
                // Messages of the lexical checks already start with the element path.
                let at = f
                    .path
                    .as_deref()
                    .filter(|p| !f.message.starts_with(p))
                    .map(|p| format!(" at {p}"))
                    .unwrap_or_default();
                println!("  {:<6} {} {}{at}", f.severity, f.rule_id, f.message);
            }
        }
    }
    Ok(ExitCode::from(code))
}
