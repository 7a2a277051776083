//! The evidence directory, written incrementally: `results.json` is rewritten (temp file +
//! rename) after each scenario, exchanges and attestations as they come, so an interrupted run
//! keeps what it had. `manifest.sha256` is written at the end.
//!
//! One directory holds one run: [`Evidence::claim`] refuses a directory that is not empty
//! (unless asked to replace it whole) and claims an empty one by creating `version.txt`
//! exclusively, so two runs aimed at the same directory never interleave their files and the
//! manifest covers exactly one run.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use insilab_reports::evidence::{
    ATTESTATIONS_FILE, DATASET_FILE, RESULTS_FILE, VERSION_FILE, exchange_paths, facts_path,
    write_manifest,
};
use insilab_reports::model::{Attestation, ExchangeRef, RunResults, ScenarioFacts};

use crate::HarnessError;
use crate::exchange::Exchange;

/// Folder of the evidence holding screenshots (`screenshots/<scenario slug>/`), as the acceptance
/// file reads them.
pub use insilab_reports::writers::acceptance::SCREENSHOTS_DIR;
/// Largest screenshot the manual driver keeps with an attestation.
pub const MAX_SCREENSHOT_BYTES: u64 = insilab_reports::writers::acceptance::MAX_SCREENSHOT_BYTES;

/// Writer of one evidence directory.
#[derive(Debug)]
pub struct Evidence {
    dir: PathBuf,
}

/// Whether `dir` is missing or an empty directory (a file in its place is an error).
fn is_empty_or_missing(dir: &Path) -> Result<bool, HarnessError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(io(dir, e)),
    }
}

fn io(path: &Path, source: std::io::Error) -> HarnessError {
    HarnessError::Evidence {
        path: path.to_owned(),
        source,
    }
}

/// Whether an existing evidence directory may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Existing {
    /// A directory that is not empty is refused ([`HarnessError::EvidenceNotEmpty`]).
    #[default]
    Refuse,
    /// A directory that is not empty is removed whole first (`insilab run --force`).
    Replace,
}

impl Evidence {
    /// Claims `dir` for one run: creates it (and parents) when missing, refuses it when it is
    /// not empty (or removes it whole first with [`Existing::Replace`]), then writes
    /// `version.txt` with an exclusive create, so a second run claiming the same directory at
    /// the same time fails instead of mixing its files with this one's.
    pub fn claim(dir: &Path, version: &str, existing: Existing) -> Result<Self, HarnessError> {
        if !is_empty_or_missing(dir)? {
            match existing {
                Existing::Refuse => {
                    return Err(HarnessError::EvidenceNotEmpty {
                        path: dir.to_owned(),
                    });
                }
                Existing::Replace => std::fs::remove_dir_all(dir).map_err(|e| io(dir, e))?,
            }
        }
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let path = dir.join(VERSION_FILE);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    HarnessError::EvidenceNotEmpty {
                        path: dir.to_owned(),
                    }
                } else {
                    io(&path, e)
                }
            })?;
        file.write_all(format!("insilab {version}\n").as_bytes())
            .map_err(|e| io(&path, e))?;
        Ok(Evidence {
            dir: dir.to_owned(),
        })
    }

    /// Writes `dataset.yaml` (the simulator's dataset, or a line saying it is not available).
    pub fn write_dataset(&self, dataset: Option<&str>) -> Result<(), HarnessError> {
        let dataset = dataset.unwrap_or("# dataset not available from this simulator\n");
        self.write_file(DATASET_FILE, dataset.as_bytes())
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn write_file(&self, rel: &str, bytes: &[u8]) -> Result<(), HarnessError> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| io(&path, e))
    }

    /// Writes a scenario's exchanges as raw XML and returns their references.
    pub fn write_exchanges(
        &self,
        scenario_id: &str,
        exchanges: &[Exchange],
    ) -> Result<Vec<ExchangeRef>, HarnessError> {
        let mut refs = Vec::new();
        for (i, e) in exchanges.iter().enumerate() {
            let index = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let (request_file, response_file) = exchange_paths(scenario_id, index);
            self.write_file(&request_file, e.request_xml.as_bytes())?;
            let response_file = match &e.response_xml {
                Some(xml) => {
                    self.write_file(&response_file, xml.as_bytes())?;
                    Some(response_file)
                }
                None => None,
            };
            refs.push(ExchangeRef {
                index,
                operation: e.operation.clone(),
                outcome: e.outcome_label(),
                request_file,
                response_file,
                request_xml: Some(e.request_xml.clone()),
                response_xml: e.response_xml.clone(),
            });
        }
        Ok(refs)
    }

    /// Writes a scenario's facts (`exchanges/<slug>/facts.json`) for the acceptance file.
    pub fn write_facts(
        &self,
        scenario_id: &str,
        facts: &ScenarioFacts,
    ) -> Result<(), HarnessError> {
        let rel = facts_path(scenario_id);
        let json = serde_json::to_vec_pretty(facts)
            .map_err(|e| io(&self.dir.join(&rel), std::io::Error::other(e)))?;
        self.write_file(&rel, &json)
    }

    /// Appends attestations to `attestations.jsonl`. A screenshot an attestation names (its
    /// source file, as the operator gave it) is copied to `screenshots/<scenario slug>/` first,
    /// and the attestation keeps that path, so the sealed evidence holds it.
    pub fn append_attestations(&self, list: &[Attestation]) -> Result<(), HarnessError> {
        if list.is_empty() {
            return Ok(());
        }
        let mut list = list.to_vec();
        for a in &mut list {
            if let Some(source) = a.screenshot.take() {
                a.screenshot = Some(self.keep_screenshot(&a.scenario_id, Path::new(&source))?);
            }
        }
        let path = self.dir.join(ATTESTATIONS_FILE);
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| io(&path, e))?;
        for a in &list {
            let line = serde_json::to_string(a).map_err(|e| io(&path, std::io::Error::other(e)))?;
            writeln!(file, "{line}").map_err(|e| io(&path, e))?;
        }
        file.flush().map_err(|e| io(&path, e))
    }

    /// Copies a screenshot into `screenshots/<scenario slug>/NN-<file name>` and returns that
    /// path, relative to the evidence directory.
    fn keep_screenshot(&self, scenario_id: &str, source: &Path) -> Result<String, HarnessError> {
        let folder =
            Path::new(SCREENSHOTS_DIR).join(insilab_reports::evidence::scenario_slug(scenario_id));
        let abs = self.dir.join(&folder);
        std::fs::create_dir_all(&abs).map_err(|e| io(&abs, e))?;
        let taken = std::fs::read_dir(&abs).map_err(|e| io(&abs, e))?.count();
        let name = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "screenshot.png".to_owned());
        let rel = folder.join(format!("{:02}-{name}", taken + 1));
        let target = self.dir.join(&rel);
        let size = std::fs::metadata(source).map_err(|e| io(source, e))?.len();
        if size > MAX_SCREENSHOT_BYTES {
            return Err(io(
                source,
                std::io::Error::other(format!("larger than {MAX_SCREENSHOT_BYTES} bytes")),
            ));
        }
        std::fs::copy(source, &target).map_err(|e| io(&target, e))?;
        Ok(rel.to_string_lossy().replace('\\', "/"))
    }

    /// Rewrites `results.json` atomically (temp file then rename).
    pub fn write_results(&self, results: &RunResults) -> Result<(), HarnessError> {
        let path = self.dir.join(RESULTS_FILE);
        let tmp = self.dir.join(format!("{RESULTS_FILE}.tmp"));
        let json =
            serde_json::to_vec_pretty(results).map_err(|e| io(&path, std::io::Error::other(e)))?;
        std::fs::write(&tmp, json).map_err(|e| io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| io(&path, e))
    }

    /// Writes `manifest.sha256` over everything written.
    pub fn seal(&self) -> Result<(), HarnessError> {
        write_manifest(&self.dir).map_err(|e| HarnessError::Reports(e.to_string()))
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures")]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_directory_is_claimed_once() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("a/b");
        Evidence::claim(&missing, "0", Existing::Refuse).unwrap();
        assert!(missing.join(VERSION_FILE).is_file());
        // A second run aimed at the same directory (claimed, not yet finished) is refused.
        assert!(matches!(
            Evidence::claim(&missing, "0", Existing::Refuse),
            Err(HarnessError::EvidenceNotEmpty { .. })
        ));
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        Evidence::claim(&empty, "0", Existing::Refuse).unwrap();
    }

    #[test]
    fn replace_removes_the_previous_run_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir_all(out.join("exchanges/x")).unwrap();
        std::fs::write(out.join("exchanges/x/001-request.xml"), "old").unwrap();
        let evidence = Evidence::claim(&out, "0", Existing::Replace).unwrap();
        assert!(!out.join("exchanges").exists());
        evidence.write_dataset(None).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [DATASET_FILE, VERSION_FILE]);
    }

    #[test]
    fn a_file_in_place_of_the_directory_is_an_error_not_a_replacement_target() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out");
        std::fs::write(&file, "x").unwrap();
        assert!(Evidence::claim(&file, "0", Existing::Refuse).is_err());
    }
}
