//! `insilab card`: sign a CPx assertion with a virtual card, or check one offline with the same
//! rules as the simulator's card listener.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use insilab_certs::card_cases::{VALID_CASE, case_assertion};
use insilab_core::rules::{AssertionPolicy, DEFAULT_ASSERTION_VALIDITY, DEFAULT_CLOCK_SKEW};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Arguments of `insilab card`.
#[derive(Debug, clap::Args)]
pub struct CardArgs {
    #[command(subcommand)]
    command: CardCommand,
}

#[derive(Debug, clap::Subcommand)]
enum CardCommand {
    /// Print an assertion signed with a virtual card (to paste into your own client).
    Sign(SignArgs),
    /// Check an assertion (or a SOAP request carrying one) with the simulator's rules.
    Verify(VerifyArgs),
}

/// Arguments of `insilab card sign`.
#[derive(Debug, clap::Args)]
struct SignArgs {
    /// The test professional whose virtual card signs (`899900063480`, `00B6087510`,
    /// `899700870589`).
    #[arg(long, value_name = "PROFESSIONAL_ID")]
    card: String,
    /// A case of the negative catalogue (`tampered-signature`, `revoked-certificate`, …) instead
    /// of a valid assertion; see docs/card-mode.md.
    #[arg(long, default_value = VALID_CASE)]
    case: String,
    /// The test PKI directory.
    #[arg(long, env = "INSILAB_PKI", default_value = insilab_certs::DEFAULT_DIR)]
    pki: PathBuf,
    /// `IssueInstant` (RFC 3339); default now.
    #[arg(long, value_parser = parse_time)]
    now: Option<OffsetDateTime>,
    /// The assertion ID (default `_` + a random UUID).
    #[arg(long)]
    id: Option<String>,
}

/// Arguments of `insilab card verify`.
#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// The assertion (`saml:Assertion` document) or a SOAP request carrying it.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The test PKI directory (its PERSONNES CA and CRL are trusted).
    #[arg(long, env = "INSILAB_PKI", default_value = insilab_certs::DEFAULT_DIR)]
    pki: PathBuf,
    /// Judge as if it were this time (RFC 3339); default now.
    #[arg(long, value_parser = parse_time)]
    now: Option<OffsetDateTime>,
    /// Validity window after IssueInstant, in seconds.
    #[arg(long, default_value_t = DEFAULT_ASSERTION_VALIDITY.whole_seconds())]
    validity_secs: i64,
    /// Clock skew tolerated, in seconds.
    #[arg(long, default_value_t = DEFAULT_CLOCK_SKEW.whole_seconds())]
    clock_skew_secs: i64,
    /// Print one JSON document (`{file, professional_id, certificate, findings, exit_code}`).
    #[arg(long)]
    json: bool,
}

fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| format!("{text:?} is not RFC 3339: {e}"))
}

/// Runs `insilab card`: `sign` exits 0 (2 on a setup error); `verify` exits 0 when no rule of
/// fault severity failed, 1 otherwise, 2 when the file or the PKI cannot be read.
pub fn run(args: CardArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        CardCommand::Sign(a) => sign(a),
        CardCommand::Verify(a) => verify(a),
    }
}

fn sign(args: SignArgs) -> anyhow::Result<ExitCode> {
    let pki = insilab_certs::Pki::load(&args.pki)?;
    let id = args.id.unwrap_or_else(|| {
        insilab_core::assertion::new_assertion_id(&uuid::Uuid::new_v4().to_string())
    });
    let now = args.now.unwrap_or_else(OffsetDateTime::now_utc);
    let xml = case_assertion(&pki, &args.card, &args.case, &id, now)?;
    println!("{xml}");
    Ok(ExitCode::SUCCESS)
}

fn verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let pki = insilab_certs::Pki::load(&args.pki)?;
    let trust = insilab_certs::cards::card_trust(&pki)?;
    let message = std::fs::read(&args.file)
        .with_context(|| format!("failed to read {}", args.file.display()))?;
    for (name, secs) in [
        ("--validity-secs", args.validity_secs),
        ("--clock-skew-secs", args.clock_skew_secs),
    ] {
        anyhow::ensure!(secs >= 0, "{name} must not be negative (got {secs})");
    }
    let policy = AssertionPolicy {
        card_ca_der: &trust.ca_der,
        crl_der: trust.crl_der.as_deref(),
        now: args.now.unwrap_or_else(OffsetDateTime::now_utc),
        validity: time::Duration::seconds(args.validity_secs),
        clock_skew: time::Duration::seconds(args.clock_skew_secs),
    };
    let report = insilab_core::rules::check_assertion(&message, &policy);
    let code: u8 = if report.refusal().is_some() { 1 } else { 0 };
    if args.json {
        let doc = serde_json::json!({
            "file": args.file,
            "professional_id": report.professional_id,
            "certificate": report.certificate,
            "findings": report.findings,
            "exit_code": code,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!("{}", args.file.display());
        if let Some(id) = &report.professional_id {
            println!("  professional {id}");
        }
        if let Some(c) = &report.certificate {
            println!(
                "  certificate  {} (serial {}, issuer {})",
                c.subject, c.serial, c.issuer
            );
        }
        if report.findings.is_empty() {
            println!("  valid: every card-mode rule passed");
        }
        for f in &report.findings {
            println!("{}", super::finding_line(f));
        }
    }
    Ok(ExitCode::from(code))
}
