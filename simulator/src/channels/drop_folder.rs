//! A drop folder for documents: every file put in the folder (CDA XML, a FHIR resource, an HL7
//! message, a Datamatrix image or payload) is recognised by content, checked, journalled, and
//! moved to `done/` with its findings beside it (`done/NAME.findings.json`).
//!
//! Writers should create the file under a name starting with `.` and rename it when complete:
//! hidden files are not picked up. A PDF page is read through the images it embeds (the
//! Datamatrix printed as an image; no rasteriser, so a symbol drawn with vector paths is not).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use insilab_formats::detect::{self, Carrier};
use tokio::sync::watch;

use super::{entry, journal_text};
use crate::journal::{Journal, Outcome};

/// How often the folder is scanned.
pub const DROP_POLL_INTERVAL: Duration = Duration::from_millis(200);
/// Largest document read; larger ones are journalled as refused.
pub const MAX_DROP_FILE_BYTES: u64 = 32 * 1024 * 1024;
/// Subfolder the handled documents are moved to.
pub const DONE_DIR: &str = "done";

/// The folder's settings.
#[derive(Debug, Clone)]
pub struct DropSettings {
    /// The folder.
    pub dir: PathBuf,
    /// Tenant of the journal entries of documents dropped in the folder itself.
    pub tenant: Option<String>,
    /// Known tenants (those with an admin API token): a document dropped in the subfolder named
    /// after one (`<dir>/<tenant>/`) is that tenant's, filed in `<dir>/<tenant>/done/`.
    pub tenants: Vec<String>,
}

/// Scans the folder until `shutdown`.
pub(crate) async fn scan_loop(
    settings: Arc<DropSettings>,
    journal: Journal,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let s = Arc::clone(&settings);
        let j = journal.clone();
        // File work is blocking: off the reactor.
        let _ = tokio::task::spawn_blocking(move || scan_once(&s, &j)).await;
        tokio::select! {
            _ = tokio::time::sleep(DROP_POLL_INTERVAL) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Handles every complete document in the folder and in the tenants' subfolders once; returns
/// how many were handled.
pub fn scan_once(settings: &DropSettings, journal: &Journal) -> usize {
    let mut n = scan_dir(&settings.dir, settings.tenant.as_deref(), journal);
    for tenant in &settings.tenants {
        let sub = settings.dir.join(tenant);
        if tenant != DONE_DIR && sub.is_dir() {
            n += scan_dir(&sub, Some(tenant), journal);
        }
    }
    n
}

/// The complete files of a drop folder, by name: a hidden name (`.x`) is a file still being
/// written (the drop-folder convention: write hidden, then rename). An unreadable folder has
/// none.
pub fn complete_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| !n.starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

fn scan_dir(dir: &Path, tenant: Option<&str>, journal: &Journal) -> usize {
    let files = complete_files(dir);
    let n = files.len();
    for f in files {
        handle_file(dir, tenant, journal, &f);
    }
    n
}

fn handle_file(dir: &Path, tenant: Option<&str>, journal: &Journal, path: &Path) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut e = entry(
        "drop",
        tenant.map(str::to_owned),
        Outcome::Checked {
            verdict: "unreadable".into(),
        },
    );
    e.http_request = format!("DROP {name}");
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let bytes = if size > MAX_DROP_FILE_BYTES {
        e.outcome = Outcome::ChannelError {
            error: format!(
                "{size} bytes, more than the limit of {MAX_DROP_FILE_BYTES} (MAX_DROP_FILE_BYTES)"
            ),
        };
        None
    } else {
        match std::fs::read(path) {
            Ok(b) => Some(b),
            Err(err) => {
                e.outcome = Outcome::ChannelError {
                    error: format!("cannot read: {err}"),
                };
                None
            }
        }
    };
    let mut report = serde_json::json!({ "file": name });
    if let Some(bytes) = bytes {
        e.raw_request = if detect::sniff(&bytes) == Some(Carrier::DatamatrixImage) {
            let what = if bytes.starts_with(b"%PDF-") {
                "PDF"
            } else {
                "image"
            };
            crate::journal::RawBody::from(format!("[{what} of {} bytes]", bytes.len()))
        } else {
            journal_text(&bytes)
        };
        {
            match detect::sniff(&bytes) {
                None | Some(Carrier::Insi) => {
                    e.outcome = Outcome::ChannelError {
                        error: "not a CDA, FHIR, HL7 v2 or Datamatrix document".into(),
                    };
                }
                Some(carrier) => {
                    e.operation = Some(format!("drop {}", carrier.as_str()));
                    match detect::check(carrier, &bytes) {
                        Ok(checked) => {
                            let failing = checked
                                .findings
                                .iter()
                                .any(|f| f.severity != insilab_core::rules::Severity::Advice);
                            e.outcome = Outcome::Checked {
                                verdict: if failing { "findings" } else { "ok" }.into(),
                            };
                            report["kind"] = carrier.as_str().into();
                            if let Some(p) = &checked.payload {
                                report["payload"] = p.clone().into();
                            }
                            e.findings = checked.findings;
                        }
                        Err(err) => {
                            e.outcome = Outcome::Checked {
                                verdict: "unreadable".into(),
                            };
                            report["error"] = err.to_string().into();
                        }
                    }
                }
            }
        }
    }
    report["outcome"] = serde_json::to_value(&e.outcome).unwrap_or_default();
    report["findings"] = serde_json::to_value(&e.findings).unwrap_or_default();
    journal.record(e);
    let done = dir.join(DONE_DIR);
    let moved =
        std::fs::create_dir_all(&done).and_then(|()| std::fs::rename(path, done.join(&name)));
    if let Err(err) = moved {
        tracing::error!(file = %path.display(), error = %err, "drop folder: cannot move the document to done/; removing it so that it is not handled twice");
        let _ = std::fs::remove_file(path);
    }
    let text = serde_json::to_string_pretty(&report).unwrap_or_default();
    if let Err(err) = std::fs::write(done.join(format!("{name}.findings.json")), text) {
        tracing::error!(error = %err, "drop folder: cannot write the findings file");
    }
}
