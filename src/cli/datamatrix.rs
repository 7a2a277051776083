//! `insilab datamatrix`: build the INS Datamatrix of an identity (PNG or SVG), or read one from
//! an image (PNG/JPEG, a whole scanned page is fine) or a payload text file, and check it.
//!
//! Exit codes: 0 no finding above advice, 1 findings, 2 set-up problems (bad arguments,
//! unreadable file, no symbol found).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use insilab_core::ins::{Cog, Ins, Matricule, Oid, Sex};
use insilab_core::rules::{Finding, Severity};
use insilab_formats::datamatrix::payload::parse_dm_date;
use insilab_formats::datamatrix::{GS, InsPayload, build, decode_image, encode_png, encode_svg};
use insilab_formats::rules::datamatrix::check_payload;
use serde::Serialize;

/// Pixels (PNG) or user units (SVG) per module of the symbols written.
const MODULE_SIZE: u32 = 8;
/// Largest input file read by `decode`, bytes.
const MAX_INPUT_BYTES: u64 = 32 * 1024 * 1024;

/// Arguments of `insilab datamatrix`.
#[derive(Debug, clap::Args)]
pub struct DatamatrixArgs {
    #[command(subcommand)]
    command: DmCommand,
}

#[derive(Debug, clap::Subcommand)]
enum DmCommand {
    /// Write the INS Datamatrix of a qualified identity to a PNG or SVG file.
    Encode {
        /// The 15-character matricule.
        #[arg(long)]
        ins: String,
        /// Its OID (1.2.250.1.213.1.4.8, .9, .10 or .11).
        #[arg(long)]
        oid: String,
        /// Birth name, as returned by INSi.
        #[arg(long)]
        nom: String,
        /// Birth first names, space separated, as returned by INSi.
        #[arg(long)]
        prenoms: String,
        /// Sex, M or F.
        #[arg(long)]
        sexe: String,
        /// Birth date, JJ-MM-AAAA (or YYYY-MM-DD).
        #[arg(long)]
        naissance: String,
        /// Birthplace COG code (optional).
        #[arg(long)]
        lieu: Option<String>,
        /// Output file; `.png` or `.svg`.
        #[arg(long)]
        out: PathBuf,
    },
    /// Read a Datamatrix from a PNG/JPEG image or a payload text file and check it.
    Decode {
        /// The image or text file.
        file: PathBuf,
        /// Print a JSON document instead of the human layout.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `insilab datamatrix`.
pub fn run(args: DatamatrixArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        DmCommand::Encode {
            ins,
            oid,
            nom,
            prenoms,
            sexe,
            naissance,
            lieu,
            out,
        } => {
            let payload = identity(
                &ins,
                &oid,
                &nom,
                &prenoms,
                &sexe,
                &naissance,
                lieu.as_deref(),
            )?;
            let text = build(&payload);
            let findings = check_payload(&text);
            if let Some(f) = findings.iter().find(|f| f.severity != Severity::Advice) {
                bail!(
                    "the identity cannot be encoded: {} {}",
                    f.rule_id,
                    f.message
                );
            }
            let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("");
            let bytes = match ext.to_ascii_lowercase().as_str() {
                "png" => encode_png(&text, MODULE_SIZE)?,
                "svg" => encode_svg(&text, MODULE_SIZE)?.into_bytes(),
                other => bail!(
                    "output {} must end in .png or .svg, not {other:?}",
                    out.display()
                ),
            };
            std::fs::write(&out, bytes).with_context(|| format!("writing {}", out.display()))?;
            println!("{}: {}", out.display(), visible(&text));
            Ok(ExitCode::SUCCESS)
        }
        DmCommand::Decode { file, json } => decode(&file, json),
    }
}

fn identity(
    ins: &str,
    oid: &str,
    nom: &str,
    prenoms: &str,
    sexe: &str,
    naissance: &str,
    lieu: Option<&str>,
) -> anyhow::Result<InsPayload> {
    let matricule = Matricule::parse(ins).with_context(|| format!("--ins {ins:?}"))?;
    let oid = Oid::parse(oid).with_context(|| format!("--oid {oid:?}"))?;
    let sex = Sex::parse(sexe).with_context(|| format!("--sexe {sexe:?}"))?;
    let birth_date = match parse_dm_date(naissance) {
        Ok(d) => d,
        Err(_) => time::Date::parse(
            naissance,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .with_context(|| {
            format!("--naissance {naissance:?} is neither JJ-MM-AAAA nor YYYY-MM-DD")
        })?,
    };
    let birthplace = lieu
        .map(|l| Cog::parse(l).with_context(|| format!("--lieu {l:?}")))
        .transpose()?;
    Ok(InsPayload {
        ins: Ins::new(matricule, oid),
        first_names: prenoms.split(' ').map(str::to_owned).collect(),
        birth_name: nom.to_owned(),
        sex,
        birth_date,
        birthplace,
    })
}

/// The payload with GS shown as `<GS>`.
fn visible(text: &str) -> String {
    text.replace(GS, "<GS>")
}

#[derive(Debug, Serialize)]
struct DecodeReport {
    file: String,
    source: &'static str,
    payload: String,
    findings: Vec<Finding>,
}

fn decode(file: &PathBuf, json: bool) -> anyhow::Result<ExitCode> {
    let size = std::fs::metadata(file)
        .with_context(|| format!("reading {}", file.display()))?
        .len();
    if size > MAX_INPUT_BYTES {
        bail!(
            "{} is {size} bytes, more than the {MAX_INPUT_BYTES} read",
            file.display()
        );
    }
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let is_image = bytes.starts_with(b"\x89PNG") || bytes.starts_with(b"\xff\xd8");
    let (source, payload) = if is_image {
        let text = decode_image(&bytes).with_context(|| format!("decoding {}", file.display()))?;
        ("image", text)
    } else {
        let text = String::from_utf8(bytes).with_context(|| {
            format!(
                "{} is neither a PNG/JPEG image nor UTF-8 text",
                file.display()
            )
        })?;
        ("text", text.trim_end_matches(['\r', '\n']).to_owned())
    };
    let findings = check_payload(&payload);
    let failing = findings.iter().any(|f| f.severity != Severity::Advice);
    let report = DecodeReport {
        file: file.display().to_string(),
        source,
        payload: payload.clone(),
        findings,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{} ({source})", report.file);
        println!("  payload {}", visible(&payload));
        if report.findings.is_empty() {
            println!("  no finding");
        }
        for f in &report.findings {
            println!("{}", super::finding_line(f));
        }
    }
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
