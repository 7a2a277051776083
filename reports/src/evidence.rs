//! The evidence directory: its layout, `results.json`, and the SHA-256 manifest that lets
//! anyone check (with `sha256sum -c manifest.sha256`) that nothing was changed after the run.
//!
//! Layout (relative to the evidence directory):
//! - `results.json`: the [`RunResults`] of the run;
//! - `exchanges/<scenario slug>/<NNN>-request.xml` and `<NNN>-response.xml`;
//! - `attestations.jsonl`: one [`crate::model::Attestation`] per line;
//! - `dataset.yaml`: the dataset the simulator served;
//! - `version.txt`: the insilab version and build;
//! - `manifest.sha256`: the SHA-256 of every other file, in `sha256sum` format.
//!
//! The reports (`report.html`, `junit.xml`, `report.json`, `summary.md`, and the acceptance
//! file `acceptance.html`, `acceptance.pdf`, `acceptance-traces.zip`) may sit at the top of
//! the directory too. They are derived from `results.json` and regenerated at will, so the
//! manifest neither lists nor checks them: the seal covers the evidence, not its renderings.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::ReportError;
use crate::model::{RunResults, SCHEMA_VERSION, ScenarioFacts};
use crate::writers::Format;
use crate::writers::acceptance::ACCEPTANCE_FILES;

/// File name of the results model.
pub const RESULTS_FILE: &str = "results.json";
/// File name of the manifest.
pub const MANIFEST_FILE: &str = "manifest.sha256";
/// Directory holding the raw exchanges.
pub const EXCHANGES_DIR: &str = "exchanges";
/// File name of the operator attestations (JSON lines).
pub const ATTESTATIONS_FILE: &str = "attestations.jsonl";
/// File name of the copy of the dataset.
pub const DATASET_FILE: &str = "dataset.yaml";
/// File name of the tool version.
pub const VERSION_FILE: &str = "version.txt";

/// File name of a scenario's [`ScenarioFacts`], in its exchanges directory.
pub const FACTS_FILE: &str = "facts.json";
/// Largest `facts.json` read.
pub const MAX_FACTS_BYTES: u64 = 1024 * 1024;

/// Largest `results.json` read (a full run with inline XML stays far below).
pub const MAX_RESULTS_BYTES: u64 = 64 * 1024 * 1024;
/// Largest manifest read.
pub const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;
/// Largest exchange file copied inline into a report; larger ones are only referenced.
pub const MAX_INLINE_XML_BYTES: u64 = 1024 * 1024;
/// Most files an evidence directory may hold (a guard against pointing at `/`).
pub const MAX_EVIDENCE_FILES: usize = 100_000;

/// Directory name for a scenario's exchanges: the id with every character outside
/// `[A-Za-z0-9._-]` replaced by `_` (`cnda/2.07-cas1` → `cnda_2.07-cas1`).
pub fn scenario_slug(id: &str) -> String {
    let slug: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // "." and ".." would not be directories of their own.
    if slug.chars().all(|c| c == '.') {
        format!("_{slug}")
    } else {
        slug
    }
}

/// Relative path of exchange `index` (from 1) of a scenario: `(request, response)`.
pub fn exchange_paths(scenario_id: &str, index: u32) -> (String, String) {
    let base = format!("{EXCHANGES_DIR}/{}/{index:03}", scenario_slug(scenario_id));
    (
        format!("{base}-request.xml"),
        format!("{base}-response.xml"),
    )
}

/// Relative path of a scenario's facts file: `exchanges/<scenario slug>/facts.json`.
pub fn facts_path(scenario_id: &str) -> String {
    format!(
        "{EXCHANGES_DIR}/{}/{FACTS_FILE}",
        scenario_slug(scenario_id)
    )
}

/// Reads a scenario's facts file. `Ok(None)` when the run wrote none (older evidence, or a
/// scenario that ended before any action).
pub fn load_facts(
    evidence_dir: &Path,
    scenario_id: &str,
) -> Result<Option<ScenarioFacts>, ReportError> {
    let path = evidence_dir.join(facts_path(scenario_id));
    if !path.is_file() {
        return Ok(None);
    }
    let bytes = read_bounded(&path, MAX_FACTS_BYTES)?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| ReportError::Json {
            origin: path.display().to_string(),
            message: e.to_string(),
        })
}

/// Writes `results.json` (pretty-printed) into the evidence directory.
pub fn write_results(evidence_dir: &Path, results: &RunResults) -> Result<(), ReportError> {
    let path = evidence_dir.join(RESULTS_FILE);
    let json = serde_json::to_string_pretty(results).map_err(|e| ReportError::Json {
        origin: path.display().to_string(),
        message: e.to_string(),
    })?;
    std::fs::write(&path, json + "\n").map_err(|e| ReportError::io(&path, e))
}

/// Reads `results.json` from the evidence directory and checks its schema version.
pub fn load_results(evidence_dir: &Path) -> Result<RunResults, ReportError> {
    let path = evidence_dir.join(RESULTS_FILE);
    let bytes = read_bounded(&path, MAX_RESULTS_BYTES)?;
    let results: RunResults = serde_json::from_slice(&bytes).map_err(|e| ReportError::Json {
        origin: path.display().to_string(),
        message: e.to_string(),
    })?;
    if major(&results.schema_version) != major(SCHEMA_VERSION) {
        return Err(ReportError::SchemaVersion {
            path,
            found: results.schema_version,
            expected: SCHEMA_VERSION.to_owned(),
        });
    }
    Ok(results)
}

fn major(version: &str) -> &str {
    version.split('.').next().unwrap_or(version)
}

/// Writes `manifest.sha256` covering every regular file of the directory except itself, sorted
/// by path, in the format of `sha256sum` so that `sha256sum -c manifest.sha256` checks it.
pub fn write_manifest(evidence_dir: &Path) -> Result<(), ReportError> {
    let mut text = String::new();
    for rel in list_files(evidence_dir, MAX_EVIDENCE_FILES)? {
        let digest = hash_file(&evidence_dir.join(&rel))?;
        // Infallible: writing into a String.
        let _ = writeln!(text, "{digest}  {rel}");
    }
    let path = evidence_dir.join(MANIFEST_FILE);
    std::fs::write(&path, text).map_err(|e| ReportError::io(&path, e))
}

/// Checks the directory against its manifest. Returns one line per problem, each starting with
/// `modified:`, `missing:` or `unlisted:` followed by the relative path; empty when intact.
/// A missing manifest is itself a problem, not an error: the evidence cannot be trusted.
pub fn verify_manifest(evidence_dir: &Path) -> Result<Vec<String>, ReportError> {
    let manifest_path = evidence_dir.join(MANIFEST_FILE);
    if !manifest_path.exists() {
        return Ok(vec![format!(
            "missing: {MANIFEST_FILE} (the evidence cannot be checked)"
        )]);
    }
    let bytes = read_bounded(&manifest_path, MAX_MANIFEST_BYTES)?;
    let text = String::from_utf8(bytes).map_err(|_| ReportError::ManifestSyntax {
        path: manifest_path.clone(),
        line: 1,
    })?;
    let mut listed = Vec::new();
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let syntax = || ReportError::ManifestSyntax {
            path: manifest_path.clone(),
            line: n + 1,
        };
        // sha256sum writes "<hex>  <name>" (text mode) or "<hex> *<name>" (binary mode).
        let (digest, rest) = line.split_once(' ').ok_or_else(syntax)?;
        let name = rest
            .strip_prefix(' ')
            .or_else(|| rest.strip_prefix('*'))
            .ok_or_else(syntax)?;
        if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(syntax());
        }
        let rel = Path::new(name);
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(ReportError::BadPath(rel.to_owned()));
        }
        let full = evidence_dir.join(rel);
        if !full.is_file() {
            problems.push(format!("missing: {name}"));
        } else if !hash_file(&full)?.eq_ignore_ascii_case(digest) {
            problems.push(format!("modified: {name}"));
        }
        listed.push(name.to_owned());
    }
    for rel in list_files(evidence_dir, MAX_EVIDENCE_FILES)? {
        if !listed.contains(&rel) {
            problems.push(format!("unlisted: {rel}"));
        }
    }
    Ok(problems)
}

/// Relative paths (with `/`) of every regular file under `dir` except the manifest, sorted.
fn list_files(dir: &Path, max_files: usize) -> Result<Vec<String>, ReportError> {
    let mut out = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(rel_dir) = pending.pop() {
        let full = dir.join(&rel_dir);
        let entries = std::fs::read_dir(&full).map_err(|e| ReportError::io(&full, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| ReportError::io(&full, e))?;
            let kind = entry
                .file_type()
                .map_err(|e| ReportError::io(entry.path(), e))?;
            let rel = rel_dir.join(entry.file_name());
            if kind.is_dir() {
                pending.push(rel);
            } else if kind.is_file() {
                let text = rel
                    .to_str()
                    .filter(|s| !s.contains(['\n', '\\']))
                    .ok_or_else(|| ReportError::BadPath(rel.clone()))?;
                let text = text.replace(std::path::MAIN_SEPARATOR, "/");
                if text != MANIFEST_FILE && !is_derived_report(&text) {
                    out.push(text);
                }
                if out.len() > max_files {
                    return Err(ReportError::TooLarge {
                        path: dir.to_owned(),
                        size: out.len() as u64,
                        limit: max_files as u64,
                    });
                }
            }
            // Symbolic links and special files are neither followed nor listed: the evidence
            // is a plain tree, and following links could read outside it.
        }
    }
    out.sort();
    Ok(out)
}

/// A report at the top of the directory (regenerated from results.json, never sealed).
fn is_derived_report(rel: &str) -> bool {
    Format::ALL.iter().any(|f| f.file_name() == rel) || ACCEPTANCE_FILES.contains(&rel)
}

/// Copies into `results` the request and response XML of every exchange that has no inline
/// copy yet, reading the files the exchange names (relative, inside the directory, at most
/// [`MAX_INLINE_XML_BYTES`], UTF-8). A file that cannot be inlined stays referenced by path;
/// the manifest check reports a missing file, so this does not fail.
pub fn inline_exchanges(evidence_dir: &Path, results: &mut RunResults) {
    let read = |rel: &str| -> Option<String> {
        let path = Path::new(rel);
        if path
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return None;
        }
        let bytes = read_bounded(&evidence_dir.join(path), MAX_INLINE_XML_BYTES).ok()?;
        String::from_utf8(bytes).ok()
    };
    for exchange in results
        .scenarios
        .iter_mut()
        .flat_map(|s| s.exchanges.iter_mut())
    {
        if exchange.request_xml.is_none() {
            exchange.request_xml = read(&exchange.request_file);
        }
        if exchange.response_xml.is_none() {
            exchange.response_xml = exchange.response_file.as_deref().and_then(read);
        }
    }
}

fn hash_file(path: &Path) -> Result<String, ReportError> {
    let mut file = std::fs::File::open(path).map_err(|e| ReportError::io(path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| ReportError::io(path, e))?;
    Ok(hex::encode(hasher.finalize()))
}

pub(crate) fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReportError> {
    let size = std::fs::metadata(path)
        .map_err(|e| ReportError::io(path, e))?
        .len();
    if size > limit {
        return Err(ReportError::TooLarge {
            path: path.to_owned(),
            size,
            limit,
        });
    }
    // Bounded read as well: devices and pipes report a length of 0 (`/dev/zero`).
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, limit + 1), &mut bytes)
        })
        .map_err(|e| ReportError::io(path, e))?;
    if read as u64 > limit {
        return Err(ReportError::TooLarge {
            path: path.to_owned(),
            size: read as u64,
            limit,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on an unexpected error"
)]
mod tests {
    use super::*;

    #[test]
    fn limits_hold_at_the_boundary() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..3 {
            std::fs::write(dir.path().join(format!("f{i}")), "x").unwrap();
        }
        assert_eq!(list_files(dir.path(), 3).unwrap().len(), 3);
        assert!(matches!(
            list_files(dir.path(), 2),
            Err(ReportError::TooLarge { limit: 2, .. })
        ));

        let file = dir.path().join("f0");
        std::fs::write(&file, "12345").unwrap();
        assert_eq!(read_bounded(&file, 5).unwrap(), b"12345");
        assert!(matches!(
            read_bounded(&file, 4),
            Err(ReportError::TooLarge {
                size: 5,
                limit: 4,
                ..
            })
        ));
    }

    #[test]
    fn inline_copies_stop_at_the_limit() {
        use crate::model::{ExchangeRef, ScenarioResult, Status};
        let dir = tempfile::tempdir().unwrap();
        let limit = usize::try_from(MAX_INLINE_XML_BYTES).unwrap();
        std::fs::write(dir.path().join("at.xml"), "x".repeat(limit)).unwrap();
        std::fs::write(dir.path().join("over.xml"), "x".repeat(limit + 1)).unwrap();
        let exchange = ExchangeRef {
            index: 1,
            operation: "op".into(),
            outcome: "CR 00".into(),
            request_file: "at.xml".into(),
            response_file: Some("over.xml".into()),
            request_xml: None,
            response_xml: None,
        };
        let mut results = RunResults {
            schema_version: SCHEMA_VERSION.into(),
            tool_version: String::new(),
            run_id: String::new(),
            started_at: String::new(),
            finished_at: None,
            driver: String::new(),
            simulator: String::new(),
            dataset_sha256: None,
            suites: vec![],
            family: None,
            scenarios: vec![ScenarioResult {
                id: "s".into(),
                suite: "s".into(),
                feature: String::new(),
                feature_file: String::new(),
                name: String::new(),
                case_id: None,
                requirements: vec![],
                tags: vec![],
                status: Status::Passed,
                duration_ms: 0,
                steps: vec![],
                exchanges: vec![exchange],
                attestations: vec![],
                failure: None,
                skip_reason: None,
                rules: vec![],
            }],
            planned: None,
            stopped: None,
        };
        inline_exchanges(dir.path(), &mut results);
        let ex = &results.scenarios[0].exchanges[0];
        assert_eq!(ex.request_xml.as_ref().map(String::len), Some(limit));
        assert_eq!(ex.response_xml, None);
    }

    #[test]
    fn slug_keeps_safe_characters_only() {
        assert_eq!(scenario_slug("cnda/2.07-cas1"), "cnda_2.07-cas1");
        assert_eq!(scenario_slug("a b/é"), "a_b__");
        assert_eq!(scenario_slug(".."), "_..");
        assert_eq!(
            exchange_paths("cnda/2.05", 3),
            (
                "exchanges/cnda_2.05/003-request.xml".to_owned(),
                "exchanges/cnda_2.05/003-response.xml".to_owned()
            )
        );
    }
}
