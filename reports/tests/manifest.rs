//! The evidence manifest: `sha256sum -c` accepts what we write, and every kind of tampering
//! (modified, missing, unlisted file) is reported.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on an unexpected error"
)]

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use insilab_reports::ReportError;
use insilab_reports::evidence::{
    MANIFEST_FILE, exchange_paths, inline_exchanges, load_results, verify_manifest, write_manifest,
    write_results,
};

/// An evidence directory as the harness writes it.
fn evidence(dir: &Path) {
    write_results(dir, &common::results()).unwrap();
    let (req, resp) = exchange_paths("cnda/2.07-cas1", 1);
    fs::create_dir_all(dir.join(&req).parent().unwrap()).unwrap();
    fs::write(dir.join(&req), "<soap:Envelope/>").unwrap();
    fs::write(dir.join(&resp), "<soap:Envelope>00</soap:Envelope>").unwrap();
    fs::write(dir.join("attestations.jsonl"), "").unwrap();
    fs::write(dir.join("dataset.yaml"), "persons: []\n").unwrap();
    fs::write(dir.join("version.txt"), "insilab 0.1.0\n").unwrap();
    write_manifest(dir).unwrap();
}

#[test]
fn intact_directory_has_no_problem_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    evidence(dir.path());
    assert_eq!(verify_manifest(dir.path()).unwrap(), Vec::<String>::new());
    assert_eq!(load_results(dir.path()).unwrap(), common::results());
    let manifest = fs::read_to_string(dir.path().join(MANIFEST_FILE)).unwrap();
    let names: Vec<&str> = manifest.lines().map(|l| &l[66..]).collect();
    assert_eq!(
        names,
        [
            "attestations.jsonl",
            "dataset.yaml",
            "exchanges/cnda_2.07-cas1/001-request.xml",
            "exchanges/cnda_2.07-cas1/001-response.xml",
            "results.json",
            "version.txt"
        ]
    );
}

#[test]
fn sha256sum_accepts_the_manifest() {
    if !insilab_testkit::SHA256SUM.require("the manifest checked with sha256sum") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    evidence(dir.path());
    let Ok(out) = Command::new("sha256sum")
        .args(["-c", "--strict", MANIFEST_FILE])
        .current_dir(dir.path())
        .output()
    else {
        panic!("sha256sum was found but could not run");
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn tampered_file_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    evidence(dir.path());
    let (_, resp) = exchange_paths("cnda/2.07-cas1", 1);
    fs::write(dir.path().join(&resp), "<soap:Envelope>01</soap:Envelope>").unwrap();
    assert_eq!(
        verify_manifest(dir.path()).unwrap(),
        [format!("modified: {resp}")]
    );
}

#[test]
fn missing_file_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    evidence(dir.path());
    fs::remove_file(dir.path().join("dataset.yaml")).unwrap();
    assert_eq!(
        verify_manifest(dir.path()).unwrap(),
        ["missing: dataset.yaml"]
    );
}

#[test]
fn unlisted_file_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    evidence(dir.path());
    fs::create_dir_all(dir.path().join("exchanges/extra")).unwrap();
    fs::write(dir.path().join("exchanges/extra/001-request.xml"), "x").unwrap();
    assert_eq!(
        verify_manifest(dir.path()).unwrap(),
        ["unlisted: exchanges/extra/001-request.xml"]
    );
}

#[test]
fn missing_manifest_is_a_problem_and_bad_lines_an_error() {
    let dir = tempfile::tempdir().unwrap();
    evidence(dir.path());
    fs::remove_file(dir.path().join(MANIFEST_FILE)).unwrap();
    let problems = verify_manifest(dir.path()).unwrap();
    assert_eq!(problems.len(), 1);
    assert!(problems[0].starts_with("missing: manifest.sha256"));

    fs::write(dir.path().join(MANIFEST_FILE), "not a manifest line\n").unwrap();
    assert!(matches!(
        verify_manifest(dir.path()),
        Err(ReportError::ManifestSyntax { line: 1, .. })
    ));
    let escape = format!("{}  ../outside.txt\n", "0".repeat(64));
    fs::write(dir.path().join(MANIFEST_FILE), escape).unwrap();
    assert!(matches!(
        verify_manifest(dir.path()),
        Err(ReportError::BadPath(_))
    ));
}

#[test]
fn reports_beside_the_evidence_are_not_sealed() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("report.html"), "old").unwrap();
    evidence(dir.path());
    let manifest = fs::read_to_string(dir.path().join(MANIFEST_FILE)).unwrap();
    assert!(!manifest.contains("report.html"));
    for name in ["report.html", "junit.xml", "report.json", "summary.md"] {
        fs::write(dir.path().join(name), "regenerated").unwrap();
    }
    assert_eq!(verify_manifest(dir.path()).unwrap(), Vec::<String>::new());
    // Only at the top: a report-named file deeper down is evidence like any other.
    fs::write(dir.path().join("exchanges/report.html"), "x").unwrap();
    assert_eq!(
        verify_manifest(dir.path()).unwrap(),
        ["unlisted: exchanges/report.html"]
    );
}

#[test]
fn exchanges_are_inlined_from_their_files() {
    let dir = tempfile::tempdir().unwrap();
    evidence(dir.path());
    let mut results = common::results();
    let ex = &mut results.scenarios[0].exchanges[0];
    ex.request_xml = None;
    ex.response_xml = None;
    ex.request_file = exchange_paths("cnda/2.07-cas1", 1).0;
    ex.response_file = Some(exchange_paths("cnda/2.07-cas1", 1).1);
    results.scenarios[0].exchanges[1].request_file = "../../etc/passwd".into();
    inline_exchanges(dir.path(), &mut results);
    let ex = &results.scenarios[0].exchanges[0];
    assert_eq!(ex.request_xml.as_deref(), Some("<soap:Envelope/>"));
    assert_eq!(
        ex.response_xml.as_deref(),
        Some("<soap:Envelope>00</soap:Envelope>")
    );
    let outside = &results.scenarios[0].exchanges[1];
    assert_eq!(
        outside.request_xml, None,
        "paths leaving the directory are not read"
    );
    assert_eq!(outside.response_xml, None, "missing files stay referenced");
}

#[test]
fn results_of_another_major_version_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut results = common::results();
    results.schema_version = "2.0".into();
    write_results(dir.path(), &results).unwrap();
    assert!(matches!(
        load_results(dir.path()),
        Err(ReportError::SchemaVersion { found, .. }) if found == "2.0"
    ));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Names never start with a dot, so that `.` and `..` (which are not file names) are
        /// not generated.
        ///
        /// Whatever the files, a freshly written manifest verifies, and changing any one file
        /// is reported as exactly that file modified.
        #[test]
        fn any_tree_round_trips_and_any_change_is_caught(
            files in proptest::collection::btree_map("[a-z0-9_-][a-z0-9_.-]{0,11}(/[a-z0-9_-]{1,8})?", proptest::collection::vec(any::<u8>(), 0..64), 1..6),
            pick in any::<prop::sample::Index>(),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut written = Vec::new();
            for (name, bytes) in &files {
                let path = dir.path().join(name);
                // A name may be both a file and a directory prefix of another; keep the first.
                if fs::create_dir_all(path.parent().unwrap()).is_err() || path.exists() {
                    continue;
                }
                if fs::write(&path, bytes).is_ok() && name != MANIFEST_FILE
                    && !["report.html", "junit.xml", "report.json", "summary.md"].contains(&name.as_str())
                {
                    written.push(name.clone());
                }
            }
            write_manifest(dir.path()).unwrap();
            prop_assert_eq!(verify_manifest(dir.path()).unwrap(), Vec::<String>::new());
            prop_assume!(!written.is_empty());
            let victim = pick.get(&written);
            let path = dir.path().join(victim);
            let mut bytes = fs::read(&path).unwrap();
            bytes.push(b'!');
            fs::write(&path, bytes).unwrap();
            prop_assert_eq!(verify_manifest(dir.path()).unwrap(), vec![format!("modified: {victim}")]);
        }

        /// Arbitrary manifest text never panics: it verifies, or yields a typed error.
        #[test]
        fn arbitrary_manifest_text_never_panics(text in "(([0-9a-f]{64}|[ -~]{0,70})(  | \\*)?[ -~]{0,20}\n){0,5}") {
            let dir = tempfile::tempdir().unwrap();
            fs::write(dir.path().join(MANIFEST_FILE), text).unwrap();
            let _ = verify_manifest(dir.path());
        }
    }
}
