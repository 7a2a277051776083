//! `insilab rule`: explains one rule of the catalogue (`insilab rule INSI-RSP-007`) or lists them
//! all (`insilab rule`), as text or JSON.

use std::process::ExitCode;

use insilab_core::rules::{CATALOGUE, Rule, RuleId};

/// Arguments of `insilab rule`.
#[derive(Debug, clap::Args)]
pub struct RuleArgs {
    /// The rule id (`INSI-HDR-001`, `LEX-002`…); every rule when absent.
    #[arg(value_name = "ID")]
    pub id: Option<String>,
    /// Print JSON (one rule object, or an array of them).
    #[arg(long)]
    pub json: bool,
}

fn print_text(r: &Rule) {
    let by: Vec<&str> = r.applied_by.iter().map(|c| c.as_str()).collect();
    println!("{}  ({})", r.id, r.severity);
    println!("  {}", r.summary);
    println!("  requirements: {}", r.requirements.join(", "));
    println!("  applied by:   {}", by.join(", "));
}

/// Runs `insilab rule`: exit 0, or 2 (an error) when the id is not in the catalogue.
pub fn run(args: RuleArgs) -> anyhow::Result<ExitCode> {
    let rules: Vec<&Rule> = match &args.id {
        Some(id) => vec![RuleId::parse(id.trim())?.rule()],
        None => CATALOGUE.iter().collect(),
    };
    if args.json {
        let text = match (&args.id, rules.as_slice()) {
            (Some(_), [one]) => serde_json::to_string_pretty(one)?,
            _ => serde_json::to_string_pretty(&rules)?,
        };
        println!("{text}");
    } else if args.id.is_some() {
        rules.iter().for_each(|r| print_text(r));
    } else {
        for r in rules {
            println!("{:<13} {:<6} {}", r.id, r.severity, r.summary);
        }
    }
    Ok(ExitCode::SUCCESS)
}
