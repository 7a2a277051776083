//! The catalogue stays consistent: unique ids, requirement ids known to
//! `scenarios/requirements.yaml`, every rule used by a check, and the documentation table equal
//! to the catalogue (regenerate it with `INSILAB_UPDATE_DOCS=1 cargo test -p insilab-core --test
//! rules_catalogue`).
#![expect(clippy::unwrap_used, reason = "test fixtures")]

use std::collections::BTreeSet;
use std::path::PathBuf;

use insilab_core::rules::{CATALOGUE, RuleId, find, markdown_document, markdown_table, rule};

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
        assert_eq!(rule(r.id), r);
        assert_eq!(find(r.id.as_str()), Some(r));
        assert_eq!(RuleId::parse(r.id.as_str()), Ok(r.id));
        assert!(!r.requirements.is_empty(), "{} has no requirement", r.id);
        assert!(!r.applied_by.is_empty(), "{} is applied by nobody", r.id);
    }
    assert_eq!(find("INSI-NOPE-999"), None);
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

fn rust_sources(dir: &std::path::Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            // The catalogue itself (and its unit tests) does not count as a use.
            && !path.ends_with("rules/catalogue.rs")
        {
            out.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
}

#[test]
fn every_rule_is_used_by_a_check() {
    let mut src = String::new();
    for dir in [
        "core/src",
        "simulator/src",
        "client/src",
        "harness/src",
        "formats/src",
    ] {
        rust_sources(&repo_file(dir), &mut src);
    }
    for r in CATALOGUE {
        assert!(
            src.contains(&format!("RuleId::{:?}", r.id)),
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

#[test]
fn rules_document_matches_the_catalogue() {
    let path = repo_file("docs/rules.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_default();
    let expected = markdown_document();
    if doc != expected {
        if std::env::var_os("INSILAB_UPDATE_DOCS").is_some() {
            std::fs::write(&path, expected).unwrap();
        } else {
            panic!(
                "docs/rules.md is out of date: run INSILAB_UPDATE_DOCS=1 cargo test -p insilab-core --test rules_catalogue"
            );
        }
    }
}
