//! `insilab rule`: one rule explained, the catalogue listed, JSON, unknown ids refused (exit 2).
#![expect(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]

use std::process::{Command, Output};

use insilab_core::rules::CATALOGUE;

fn rule(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_insilab"))
        .arg("rule")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn one_rule_is_explained_and_the_catalogue_listed() {
    let out = rule(&["INSI-RSP-007"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("INSI-RSP-007  (cnda)"), "{text}");
    assert!(text.contains("CNDA-2.08-cas2"), "{text}");
    assert!(text.contains("applied by:   lint, client"), "{text}");

    let out = rule(&["INSI-RSP-007", "--json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["id"], "INSI-RSP-007");
    assert_eq!(doc["severity"], "cnda");

    let out = rule(&["--json"]);
    let all: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(all.len(), CATALOGUE.len());

    let out = rule(&[]);
    let lines = String::from_utf8(out.stdout).unwrap().lines().count();
    assert_eq!(lines, CATALOGUE.len());
}

#[test]
fn an_unknown_id_is_a_usage_error() {
    let out = rule(&["CLIENT-ANS-INVALID-KEY"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("unknown rule id \"CLIENT-ANS-INVALID-KEY\""),
        "{err}"
    );
}
