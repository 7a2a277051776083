//! The evidence directory, written incrementally: `results.json` is rewritten (temp file +
//! rename) after each scenario, exchanges and attestations as they come, so an interrupted run
//! keeps what it had. `manifest.sha256` is written at the end.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use insilab_reports::evidence::{
    ATTESTATIONS_FILE, DATASET_FILE, RESULTS_FILE, VERSION_FILE, exchange_paths, facts_path,
    write_manifest,
};
use insilab_reports::model::{Attestation, ExchangeRef, RunResults, ScenarioFacts};

use crate::HarnessError;
use crate::exchange::Exchange;

/// Writer of one evidence directory.
#[derive(Debug)]
pub struct Evidence {
    dir: PathBuf,
}

fn io(path: &Path, source: std::io::Error) -> HarnessError {
    HarnessError::Evidence {
        path: path.to_owned(),
        source,
    }
}

impl Evidence {
    /// Creates the directory (and parents) and writes `version.txt` and `dataset.yaml`.
    pub fn create(dir: &Path, version: &str, dataset: Option<&str>) -> Result<Self, HarnessError> {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let evidence = Evidence {
            dir: dir.to_owned(),
        };
        evidence.write_file(VERSION_FILE, format!("insilab {version}\n").as_bytes())?;
        let dataset = dataset.unwrap_or("# dataset not available from this simulator\n");
        evidence.write_file(DATASET_FILE, dataset.as_bytes())?;
        Ok(evidence)
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

    /// Appends attestations to `attestations.jsonl`.
    pub fn append_attestations(&self, list: &[Attestation]) -> Result<(), HarnessError> {
        if list.is_empty() {
            return Ok(());
        }
        let path = self.dir.join(ATTESTATIONS_FILE);
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| io(&path, e))?;
        for a in list {
            let line = serde_json::to_string(a).map_err(|e| io(&path, std::io::Error::other(e)))?;
            writeln!(file, "{line}").map_err(|e| io(&path, e))?;
        }
        file.flush().map_err(|e| io(&path, e))
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
