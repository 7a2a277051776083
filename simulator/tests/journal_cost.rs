//! `scripts/journal-cost.sh` measures what each part of the journal costs with throw-away
//! variants of the simulator (`scripts/journal-cost/*.patch`). These tests keep the tool usable:
//! every patch still applies to the code it patches, each is described in
//! `docs/performance.md`, and the script refuses a bad argument before building anything.

#![expect(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn patches() -> Vec<PathBuf> {
    let dir = workspace().join("scripts/journal-cost");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "patch"))
        .collect();
    found.sort();
    found
}

#[test]
fn every_variant_patch_applies_to_the_code_it_removes_work_from() {
    if !insilab_testkit::require_program(
        "git",
        &["--version"],
        "every_variant_patch_applies_to_the_code_it_removes_work_from",
    ) {
        return;
    }
    let patches = patches();
    assert!(
        patches.len() >= 6,
        "the journal's variants are missing: {patches:?}"
    );
    for patch in &patches {
        // `--check` changes nothing; outside a git checkout `git apply` works as `patch` does.
        // Git looks for a repository no higher than the workspace: one that holds it (a CI
        // runner's own checkout) would read the patch's paths from its root and skip them.
        let out = Command::new("git")
            .env(
                "GIT_CEILING_DIRECTORIES",
                workspace().parent().unwrap_or(Path::new("/")),
            )
            .arg("apply")
            .arg("--check")
            .arg("--verbose")
            .arg(patch)
            .current_dir(workspace())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{} no longer applies: edit the code as it says, then \
             `git diff > {}` (and restore the code)\n{}",
            patch.display(),
            patch.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        // Had git read the paths from another root, it would skip them and succeed: a skipped
        // file proves nothing.
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("Checking patch") && !said.contains("Skipped patch"),
            "{}: git checked nothing\n{said}",
            patch.display()
        );
        let text = std::fs::read_to_string(patch).unwrap();
        assert!(
            text.contains("journal-cost:"),
            "{} says what it removes in a `journal-cost:` comment",
            patch.display()
        );
    }
}

#[test]
fn every_variant_is_described_in_the_performance_notes() {
    let notes = std::fs::read_to_string(workspace().join("docs/performance.md")).unwrap();
    for patch in patches() {
        let name = patch.file_stem().unwrap().to_str().unwrap().to_owned();
        assert!(
            notes.contains(&format!("`{name}`")),
            "docs/performance.md does not describe the variant `{name}`"
        );
    }
}

#[test]
fn the_script_refuses_a_bad_run_count_before_building() {
    if !insilab_testkit::require_program(
        "bash",
        &["-c", "exit 0"],
        "the_script_refuses_a_bad_run_count_before_building",
    ) {
        return;
    }
    let out = Command::new("bash")
        .arg(workspace().join("scripts/journal-cost.sh"))
        .arg("three")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage:"));
}
