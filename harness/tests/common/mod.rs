//! What the suite tests share: the machine's test PKI and a readable list of the scenarios of a
//! run that did not pass.
#![expect(clippy::unwrap_used, reason = "test fixtures")]

use insilab_harness::RunSummary;
use insilab_reports::model::Status;

/// The tests' shared PKI (generated once per machine).
pub fn pki_dir() -> std::path::PathBuf {
    insilab_certs::testing::shared_pki()
        .unwrap()
        .dir()
        .to_owned()
}

/// One line per scenario that did not pass: status, id, failure message.
pub fn describe(summary: &RunSummary) -> String {
    summary
        .results
        .scenarios
        .iter()
        .filter(|s| s.status != Status::Passed)
        .map(|s| {
            format!(
                "{} {}: {:?}",
                s.status,
                s.id,
                s.failure.as_ref().map(|f| &f.message)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
