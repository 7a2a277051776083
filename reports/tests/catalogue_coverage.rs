//! The catalogue and the suites agree: every requirement tag of a feature file exists in
//! `scenarios/requirements.yaml`, and every requirement checked automatically is exercised by
//! at least one scenario.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use insilab_reports::{Catalogue, CheckMode};

/// Requirement tags start with an upper-case letter and contain a dash (`EXI-REC-07`); plain
/// tags are lower case (`cnda`, `reference-only`). Same convention as the harness.
fn is_requirement_tag(tag: &str) -> bool {
    tag.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && tag.contains('-')
}

fn feature_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            feature_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
}

/// (file, tag) for every requirement tag of every feature file.
fn requirement_tags() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut files = Vec::new();
    feature_files(&root, &mut files);
    files.sort();
    let mut tags = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for line in text.lines().map(str::trim).filter(|l| l.starts_with('@')) {
            // A comment may follow the tags on the same line.
            let line = line.split(" #").next().unwrap_or(line);
            for tag in line.split_whitespace().filter_map(|t| t.strip_prefix('@')) {
                if is_requirement_tag(tag) {
                    tags.push((file.display().to_string(), tag.to_owned()));
                }
            }
        }
    }
    tags
}

#[test]
fn every_feature_tag_names_a_catalogue_requirement() {
    let catalogue = Catalogue::embedded();
    let unknown: Vec<_> = requirement_tags()
        .into_iter()
        .filter(|(_, tag)| catalogue.get(tag).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "tags missing from scenarios/requirements.yaml: {unknown:#?}"
    );
}

#[test]
fn every_automated_requirement_is_exercised() {
    let tags = requirement_tags();
    assert!(!tags.is_empty(), "no feature file found under scenarios/");
    let used: BTreeSet<String> = tags.into_iter().map(|(_, t)| t).collect();
    let catalogue = Catalogue::embedded();
    let orphans: Vec<&str> = catalogue
        .requirements
        .iter()
        .filter(|r| r.check == CheckMode::Automated && !used.contains(&r.id))
        .map(|r| r.id.as_str())
        .collect();
    assert!(
        orphans.is_empty(),
        "automated requirements exercised by no scenario: {orphans:?}"
    );
}
