//! `insilab ins`: check an INS matricule (layout, key, OID) or compute the key of a body.
//!
//! Exit codes: 0 valid, 1 invalid, 2 usage error (clap).

use std::process::ExitCode;

use insilab_core::ins::{Matricule, MatriculeError, Oid, compute_key};
use serde::Serialize;

/// Arguments of `insilab ins`.
#[derive(Debug, clap::Args)]
pub struct InsArgs {
    #[command(subcommand)]
    command: InsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum InsCommand {
    /// Check a 15-character matricule: layout, control key (Corsica aware) and optionally its OID.
    Check {
        /// The matricule: 15 characters (e.g. 279035121518989), or the 13-character body when
        /// the key is given apart.
        matricule: String,
        /// The 2-digit key, when given apart from a 13-character body.
        key: Option<String>,
        /// Assigning-authority OID to check with it (e.g. 1.2.250.1.213.1.4.8).
        #[arg(long)]
        oid: Option<String>,
        /// Print a JSON document instead of the human layout.
        #[arg(long)]
        json: bool,
    },
    /// Compute the control key of a 13-character body.
    Key {
        /// The 13-character body (e.g. 2790351215189, Corsica 188102B172951).
        body: String,
        /// Print a JSON document instead of the key.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `insilab ins`.
pub fn run(args: InsArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        InsCommand::Check {
            matricule,
            key,
            oid,
            json,
        } => {
            let report = check(&matricule, key.as_deref(), oid.as_deref());
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.human());
            }
            Ok(exit(report.valid))
        }
        InsCommand::Key { body, json } => {
            let report = key(&body);
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else if let (Some(k), Some(m)) = (report.key, &report.matricule) {
                println!("key {k:02}  matricule {m}");
            } else {
                for e in &report.errors {
                    println!("invalid: {}", e.message);
                }
            }
            Ok(exit(report.valid))
        }
    }
}

fn exit(valid: bool) -> ExitCode {
    if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// One problem found, with a stable code for scripts.
#[derive(Debug, Serialize)]
struct Problem {
    code: &'static str,
    message: String,
}

fn matricule_problem(e: &MatriculeError) -> Problem {
    let code = match e {
        MatriculeError::WrongLength { .. } | MatriculeError::WrongKeyLength { .. } => {
            "wrong-length"
        }
        MatriculeError::InvalidCharacter { .. } => "invalid-character",
        MatriculeError::WrongKey { .. } => "wrong-key",
        _ => "invalid",
    };
    Problem {
        code,
        message: e.to_string(),
    }
}

/// The layout breakdown of a matricule.
#[derive(Debug, Serialize)]
struct Layout {
    sex_digit: char,
    year: String,
    month: String,
    place: String,
    place_kind: &'static str,
    order: String,
    corsica: bool,
}

#[derive(Debug, Serialize)]
struct KeyCheck {
    found: u8,
    expected: u8,
    valid: bool,
}

#[derive(Debug, Serialize)]
struct OidCheck {
    value: String,
    label: Option<&'static str>,
    valid: bool,
}

/// The stable JSON document of `ins check`.
#[derive(Debug, Serialize)]
struct CheckReport {
    input: String,
    valid: bool,
    layout: Option<Layout>,
    key: Option<KeyCheck>,
    oid: Option<OidCheck>,
    errors: Vec<Problem>,
    remarks: Vec<String>,
}

fn place_kind(place: &str) -> &'static str {
    match place.get(..2) {
        Some("99") => "abroad: 99 + INSEE country code",
        Some("97" | "98") => "overseas: 3-digit departement + 2-digit commune",
        Some("2A" | "2B") => "corsica: 2A/2B + 3-digit commune",
        _ => "metropolitan: 2-digit departement + 3-digit commune",
    }
}

fn check(input: &str, key: Option<&str>, oid: Option<&str>) -> CheckReport {
    let mut report = CheckReport {
        input: match key {
            Some(k) => format!("{input} {k}"),
            None => input.to_owned(),
        },
        valid: false,
        layout: None,
        key: None,
        oid: None,
        errors: Vec::new(),
        remarks: Vec::new(),
    };
    let parsed = match key {
        Some(k) => Matricule::from_parts_unchecked_key(input, k),
        None => Matricule::parse_unchecked_key(input),
    };
    match parsed {
        Ok(m) => {
            report.layout = Some(Layout {
                sex_digit: m.sex_digit(),
                year: m.year().to_owned(),
                month: m.month().to_owned(),
                place: m.place().to_owned(),
                place_kind: place_kind(m.place()),
                order: m.order().to_owned(),
                corsica: m.is_corsica(),
            });
            report.key = Some(KeyCheck {
                found: m.key(),
                expected: m.expected_key(),
                valid: m.is_key_valid(),
            });
            if !m.is_key_valid() {
                report
                    .errors
                    .push(matricule_problem(&MatriculeError::WrongKey {
                        expected: m.expected_key(),
                        found: m.key(),
                    }));
            }
            report.remarks = m.layout_remarks();
        }
        Err(e) => report.errors.push(matricule_problem(&e)),
    }
    if let Some(text) = oid {
        let parsed = Oid::parse(text);
        report.oid = Some(OidCheck {
            value: text.to_owned(),
            label: parsed.as_ref().ok().map(|o| o.label()),
            valid: parsed.is_ok(),
        });
        match parsed {
            Ok(o) if o.is_test_or_demo() => report.remarks.push(format!(
                "{} is for test or demonstration patients only",
                o.label()
            )),
            Ok(_) => {}
            Err(e) => report.errors.push(Problem {
                code: "not-ins-oid",
                message: e.to_string(),
            }),
        }
    }
    report.valid = report.errors.is_empty();
    report
}

impl CheckReport {
    fn human(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(out, "matricule  {}", self.input);
        if let Some(l) = &self.layout {
            let sex = match l.sex_digit {
                '1' => "male",
                '2' => "female",
                _ => "other (provisional or special number)",
            };
            let _ = writeln!(out, "  sex digit  {} ({sex})", l.sex_digit);
            let _ = writeln!(out, "  year       {}", l.year);
            let _ = writeln!(out, "  month      {}", l.month);
            let _ = writeln!(out, "  place      {} ({})", l.place, l.place_kind);
            let _ = writeln!(out, "  order      {}", l.order);
        }
        if let Some(k) = &self.key {
            let verdict = if k.valid { "valid" } else { "WRONG" };
            let _ = writeln!(
                out,
                "  key        {:02} found, {:02} expected: {verdict}",
                k.found, k.expected
            );
        }
        if let Some(o) = &self.oid {
            let what = o.label.unwrap_or("not an INS authority");
            let _ = writeln!(out, "oid        {} ({what})", o.value);
        }
        for r in &self.remarks {
            let _ = writeln!(out, "remark: {r}");
        }
        for e in &self.errors {
            let _ = writeln!(out, "invalid: {}", e.message);
        }
        let _ = writeln!(out, "{}", if self.valid { "valid" } else { "invalid" });
        out
    }
}

/// The stable JSON document of `ins key`.
#[derive(Debug, Serialize)]
struct KeyReport {
    body: String,
    valid: bool,
    key: Option<u8>,
    matricule: Option<String>,
    errors: Vec<Problem>,
}

fn key(body: &str) -> KeyReport {
    match compute_key(body) {
        Ok(k) => KeyReport {
            body: body.to_owned(),
            valid: true,
            key: Some(k),
            matricule: Some(format!("{body}{k:02}")),
            errors: Vec::new(),
        },
        Err(e) => KeyReport {
            body: body.to_owned(),
            valid: false,
            key: None,
            matricule: None,
            errors: vec![matricule_problem(&e)],
        },
    }
}
