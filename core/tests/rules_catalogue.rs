//! The catalogue stays consistent: unique ids, requirement ids known to
//! `scenarios/requirements.yaml`, every rule used by a check, and the documentation table equal
//! to the catalogue (regenerate it with `INSILAB_UPDATE_DOCS=1 cargo test -p insilab-core --test
//! rules_catalogue`).
#![expect(clippy::unwrap_used, reason = "test fixtures")]

use std::collections::BTreeSet;
use std::path::PathBuf;

use insilab_core::rules::{CATALOGUE, markdown_table, rule};

fn repo_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel)
}

const BEGIN: &str = "<!-- BEGIN GENERATED CATALOGUE -->\n";
const END: &str = "<!-- END GENERATED CATALOGUE -->";

#[test]
fn ids_are_unique_and_resolvable() {
    let ids: BTreeSet<_> = CATALOGUE.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), CATALOGUE.len());
    for r in CATALOGUE {
        assert_eq!(rule(r.id), Some(r));
        assert!(!r.requirements.is_empty(), "{} has no requirement", r.id);
    }
    assert_eq!(rule("INSI-NOPE-999"), None);
}

#[test]
fn requirement_ids_exist_in_the_requirement_catalogue() {
    let yaml = std::fs::read_to_string(repo_file("scenarios/requirements.yaml")).unwrap();
    let known: BTreeSet<&str> = yaml
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- id:"))
        .map(str::trim)
        .collect();
    for r in CATALOGUE {
        for req in r.requirements {
            assert!(
                known.contains(req),
                "{}: requirement {req} is not in scenarios/requirements.yaml",
                r.id
            );
        }
    }
}

#[test]
fn every_rule_is_used_by_a_check() {
    let src = [
        include_str!("../src/rules/request.rs"),
        include_str!("../src/rules/response.rs"),
        include_str!("../src/rules/behaviour.rs"),
    ]
    .concat();
    for r in CATALOGUE {
        assert!(
            src.contains(&format!("\"{}\"", r.id)),
            "{} is never emitted",
            r.id
        );
    }
}

#[test]
fn documentation_table_matches_the_catalogue() {
    let path = repo_file("docs/ins-rules-implemented.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let start = doc.find(BEGIN).expect("begin marker") + BEGIN.len();
    let end = doc.find(END).expect("end marker");
    let table = markdown_table();
    if doc[start..end] != table {
        if std::env::var_os("INSILAB_UPDATE_DOCS").is_some() {
            let updated = format!("{}{table}{}", &doc[..start], &doc[end..]);
            std::fs::write(&path, updated).unwrap();
        } else {
            panic!(
                "docs/ins-rules-implemented.md is out of date: run INSILAB_UPDATE_DOCS=1 cargo test -p insilab-core --test rules_catalogue"
            );
        }
    }
}
