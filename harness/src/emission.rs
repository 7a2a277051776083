//! insilab's receiving side for what the software under test emits (issue 12, `emit`): an MLLP
//! listener and a FHIR endpoint on loopback (the simulator's channel servers, with a journal of
//! their own) and a drop folder, whose addresses are given to the software as the
//! `destination` of the `emit` action. What arrives is judged by the format rules of the one
//! catalogue (`insilab_formats::detect::check` → typed [`Finding`]s).
//!
//! API for the step code:
//!
//! - [`EmissionInbox::start`]`(dir)`: binds `127.0.0.1:0` for MLLP and FHIR, makes the drop
//!   folder `dir/`[`DROP_SUBDIR`] (put `dir` under the evidence directory); one inbox per run.
//! - [`EmissionInbox::begin`]`(scenario)`: call when the scenario starts; what arrived
//!   before is not attributed to it.
//! - [`EmissionInbox::destination`]`(carrier) -> Transport`: HL7 → MLLP, FHIR → FHIR base URL,
//!   CDA and Datamatrix pages → the drop folder.
//! - [`EmissionInbox::take`]`(scenario, carrier) -> Vec<Received>`: waits up to
//!   [`EMISSION_WAIT`] for a first arrival of that carrier, then returns every one arrived since
//!   `begin` (or since the last `take` of that carrier), judged.
//! - [`judge`] and [`judge_emitted`]: the same judgment for bytes at hand, and for what a
//!   software answers inline in its `emit` outcome ([`crate::actions::Emitted`]).
//! - [`EmissionInbox::shutdown`] stops the listeners (dropping the inbox does too).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use insilab_core::rules::Finding;
use insilab_formats::detect;
use insilab_simulator::Journal;
use insilab_simulator::channels::{fhir, mllp};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::HarnessError;
use crate::actions::{Carrier, Emitted, Transport};

/// How long [`EmissionInbox::take`] waits for the first arrival of a carrier.
pub const EMISSION_WAIT: Duration = Duration::from_secs(10);
/// How often the journal and the drop folder are looked at while waiting.
pub const EMISSION_POLL: Duration = Duration::from_millis(100);
/// Entries the inbox's journal keeps in memory.
pub const INBOX_JOURNAL_CAPACITY: usize = 4096;
/// The drop folder's name under the inbox directory.
pub const DROP_SUBDIR: &str = "emitted";
/// Where taken drop-folder files are moved, under the drop folder.
pub const TAKEN_SUBDIR: &str = "taken";
/// Largest emitted file read from the drop folder.
pub const MAX_EMITTED_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Journal listener names of the simulator's channel servers.
const MLLP_LISTENER: &str = "mllp";
const FHIR_LISTENER: &str = "fhir";

/// One emitted document, judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Received {
    /// The carrier it arrived as.
    pub carrier: Carrier,
    /// Where it arrived (MLLP, FHIR, drop folder, or `inline` in the driver's answer).
    pub via: Transport,
    /// The HL7 message control id, when read (MLLP), or the file name (drop folder).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The document: text, or a PNG/JPEG page in base64.
    pub document: String,
    /// The Datamatrix payload decoded from a page, when one was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datamatrix_payload: Option<String>,
    /// What the format rules found.
    pub findings: Vec<Finding>,
    /// Why the document could not be read as its carrier, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
}

/// What the format rules say of `bytes` arrived as `carrier`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// The findings.
    pub findings: Vec<Finding>,
    /// The Datamatrix payload decoded from an image.
    pub datamatrix_payload: Option<String>,
    /// Why the document could not be read.
    pub unreadable: Option<String>,
}

/// The formats' carrier to read `bytes` as: by content when recognised, else by `carrier`.
fn format_of(carrier: Carrier, bytes: &[u8]) -> detect::Carrier {
    match detect::sniff(bytes) {
        Some(c) if c != detect::Carrier::Insi => c,
        _ => match carrier {
            Carrier::Hl7v2 => detect::Carrier::Hl7,
            Carrier::Fhir => detect::Carrier::FhirJson,
            Carrier::Cda => detect::Carrier::Cda,
            Carrier::Datamatrix => detect::Carrier::DatamatrixImage,
        },
    }
}

/// The insilab carrier of a recognised document.
fn carrier_of(format: detect::Carrier) -> Option<Carrier> {
    match format {
        detect::Carrier::Hl7 => Some(Carrier::Hl7v2),
        detect::Carrier::FhirJson | detect::Carrier::FhirXml => Some(Carrier::Fhir),
        detect::Carrier::Cda => Some(Carrier::Cda),
        detect::Carrier::DatamatrixImage | detect::Carrier::DatamatrixPayload => {
            Some(Carrier::Datamatrix)
        }
        detect::Carrier::Insi => None,
    }
}

/// Judges `bytes` arrived as `carrier` with the format rules.
pub fn judge(carrier: Carrier, bytes: &[u8]) -> Judged {
    match detect::check(format_of(carrier, bytes), bytes) {
        Ok(checked) => Judged {
            findings: checked.findings,
            datamatrix_payload: checked.payload,
            unreadable: None,
        },
        Err(e) => Judged {
            findings: Vec::new(),
            datamatrix_payload: None,
            unreadable: Some(e.to_string()),
        },
    }
}

/// Judges what a software answered inline in its `emit` outcome (a Datamatrix page is base64).
pub fn judge_emitted(emitted: &Emitted) -> Received {
    let bytes = match emitted.carrier {
        Carrier::Datamatrix if !emitted.payload.trim_start().starts_with("IS0") => {
            base64::engine::general_purpose::STANDARD
                .decode(emitted.payload.trim())
                .map_err(|e| format!("the inline Datamatrix page is not base64: {e}"))
        }
        _ => Ok(emitted.payload.as_bytes().to_vec()),
    };
    match bytes {
        Ok(bytes) => received(emitted.carrier, Transport::Inline, None, &bytes),
        Err(reason) => Received {
            carrier: emitted.carrier,
            via: Transport::Inline,
            id: None,
            document: emitted.payload.clone(),
            datamatrix_payload: None,
            findings: Vec::new(),
            unreadable: Some(reason),
        },
    }
}

fn received(carrier: Carrier, via: Transport, id: Option<String>, bytes: &[u8]) -> Received {
    let judged = judge(carrier, bytes);
    let document = match std::str::from_utf8(bytes) {
        Ok(text) if !matches!(format_of(carrier, bytes), detect::Carrier::DatamatrixImage) => {
            text.to_owned()
        }
        _ => base64::engine::general_purpose::STANDARD.encode(bytes),
    };
    Received {
        carrier,
        via,
        id,
        document,
        datamatrix_payload: judged.datamatrix_payload,
        findings: judged.findings,
        unreadable: judged.unreadable,
    }
}

/// insilab's receiving side for one run (see the module docs).
pub struct EmissionInbox {
    journal: Journal,
    mllp: SocketAddr,
    fhir: String,
    drop_dir: PathBuf,
    shutdown: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Per scenario and listener (`mllp`, `fhir`): the last journal seq already attributed.
    marks: Mutex<HashMap<(String, &'static str), u64>>,
    wait: Duration,
}

impl EmissionInbox {
    /// Starts the MLLP listener and the FHIR endpoint on loopback and makes the drop folder
    /// `dir/emitted`. Needs a Tokio runtime.
    pub async fn start(dir: &Path) -> Result<Self, HarnessError> {
        let setup = |what: &str, e: &dyn std::fmt::Display| {
            HarnessError::Unreachable(format!("cannot start insilab's {what}: {e}"))
        };
        let drop_dir = dir.join(DROP_SUBDIR);
        std::fs::create_dir_all(drop_dir.join(TAKEN_SUBDIR))
            .map_err(|e| setup(&format!("drop folder {}", drop_dir.display()), &e))?;
        let journal = Journal::new(INBOX_JOURNAL_CAPACITY, None)
            .map_err(|e| setup("emission journal", &e))?;
        let mllp_listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| setup("MLLP listener", &e))?;
        let fhir_listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| setup("FHIR endpoint", &e))?;
        let mllp_addr = mllp_listener
            .local_addr()
            .map_err(|e| setup("MLLP listener", &e))?;
        let fhir_addr = fhir_listener
            .local_addr()
            .map_err(|e| setup("FHIR endpoint", &e))?;
        let (tx, rx) = watch::channel(false);
        let tasks = vec![
            tokio::spawn(mllp::accept_loop(
                mllp_listener,
                journal.clone(),
                Arc::new(mllp::MllpSettings::default()),
                rx.clone(),
            )),
            tokio::spawn(fhir::accept_loop(
                fhir_listener,
                journal.clone(),
                Arc::new(fhir::FhirSettings::default()),
                rx,
            )),
        ];
        Ok(EmissionInbox {
            journal,
            mllp: mllp_addr,
            fhir: format!("http://{fhir_addr}"),
            drop_dir,
            shutdown: tx,
            tasks,
            marks: Mutex::new(HashMap::new()),
            wait: EMISSION_WAIT,
        })
    }

    /// The same inbox waiting `wait` instead of [`EMISSION_WAIT`] for a first arrival.
    #[must_use]
    pub fn with_wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Where the software sends `carrier`: HL7 → MLLP, FHIR → the FHIR base URL, CDA and
    /// Datamatrix pages → the drop folder.
    pub fn destination(&self, carrier: Carrier) -> Transport {
        match carrier {
            Carrier::Hl7v2 => Transport::Mllp {
                address: self.mllp.to_string(),
            },
            Carrier::Fhir => Transport::Fhir {
                base_url: self.fhir.clone(),
            },
            Carrier::Cda | Carrier::Datamatrix => Transport::DropFolder {
                path: self.drop_dir.display().to_string(),
            },
        }
    }

    /// The drop folder.
    pub fn drop_dir(&self) -> &Path {
        &self.drop_dir
    }

    /// Starts attributing arrivals to `scenario`: what arrived before is not its, and files
    /// left in the drop folder are moved aside.
    pub fn begin(&self, scenario: &str) {
        let seq = self.journal.last_seq();
        if let Ok(mut marks) = self.marks.lock() {
            marks.insert((scenario.to_owned(), MLLP_LISTENER), seq);
            marks.insert((scenario.to_owned(), FHIR_LISTENER), seq);
        }
        for (path, _) in self.drop_files(None) {
            self.set_aside(&path);
        }
    }

    /// Waits up to the inbox's wait for a first `carrier` arrival for `scenario`, then returns
    /// every one since [`Self::begin`] (or the last `take` of that carrier), judged. Empty when
    /// nothing arrived.
    pub async fn take(&self, scenario: &str, carrier: Carrier) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + self.wait;
        loop {
            let found = self.collect(scenario, carrier);
            if !found.is_empty() || tokio::time::Instant::now() >= deadline {
                return found;
            }
            tokio::time::sleep(EMISSION_POLL).await;
        }
    }

    fn collect(&self, scenario: &str, carrier: Carrier) -> Vec<Received> {
        let listener = match carrier {
            Carrier::Hl7v2 => Some(MLLP_LISTENER),
            Carrier::Fhir => Some(FHIR_LISTENER),
            Carrier::Cda | Carrier::Datamatrix => None,
        };
        let mut out = Vec::new();
        if let Some(listener) = listener {
            let key = (scenario.to_owned(), listener);
            let since = self
                .marks
                .lock()
                .ok()
                .and_then(|m| m.get(&key).copied())
                .unwrap_or(0);
            let entries = self.journal.query(&insilab_simulator::JournalQuery {
                since: Some(since),
                ..Default::default()
            });
            let mut last = since;
            for e in entries.iter().filter(|e| e.listener == listener) {
                last = last.max(e.seq);
                let via = self.destination(carrier);
                out.push(received(
                    carrier,
                    via,
                    e.message_id.clone(),
                    e.raw_request.as_bytes(),
                ));
            }
            if let Ok(mut marks) = self.marks.lock() {
                marks.insert(key, last);
            }
        }
        // A software may drop any carrier in the folder.
        for (path, bytes) in self.drop_files(Some(carrier)) {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            out.push(received(
                carrier,
                Transport::DropFolder {
                    path: self.drop_dir.display().to_string(),
                },
                name,
                &bytes,
            ));
            self.set_aside(&path);
        }
        out
    }

    /// Complete files in the drop folder (hidden names are still being written), with their
    /// bytes, of `carrier` when given.
    fn drop_files(&self, carrier: Option<Carrier>) -> Vec<(PathBuf, Vec<u8>)> {
        insilab_simulator::channels::drop_folder::complete_files(&self.drop_dir)
            .into_iter()
            .filter_map(|p| {
                let bytes = read_bounded(&p)?;
                let kind = detect::sniff(&bytes).and_then(carrier_of);
                carrier
                    .is_none_or(|c| kind == Some(c))
                    .then_some((p, bytes))
            })
            .collect()
    }

    fn set_aside(&self, path: &Path) {
        if let Some(name) = path.file_name() {
            let _ = std::fs::rename(path, self.drop_dir.join(TAKEN_SUBDIR).join(name));
        }
    }

    /// Stops the listeners and waits for them.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
    }
}

impl Drop for EmissionInbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// A file's bytes, `None` when unreadable or larger than [`MAX_EMITTED_FILE_BYTES`].
fn read_bounded(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_EMITTED_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    (bytes.len() as u64 <= MAX_EMITTED_FILE_BYTES).then_some(bytes)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;
    use crate::delivery::{Channels, send};

    fn fixture(rel: &str) -> String {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../formats/tests/fixtures")
                .join(rel),
        )
        .unwrap()
    }

    /// The inbox's own addresses as a software's channels: delivery and emission tested
    /// against each other over loopback.
    fn channels_of(inbox: &EmissionInbox) -> Channels {
        let Transport::Mllp { address } = inbox.destination(Carrier::Hl7v2) else {
            unreachable!()
        };
        let Transport::Fhir { base_url } = inbox.destination(Carrier::Fhir) else {
            unreachable!()
        };
        Channels {
            mllp: Some(address),
            fhir: Some(base_url),
            drop_folder: Some(inbox.drop_dir().to_owned()),
        }
    }

    /// An inbox in `dir` that waits up to 20 s for arrivals, and its channels.
    async fn started(dir: &tempfile::TempDir) -> (EmissionInbox, Channels) {
        let inbox = EmissionInbox::start(dir.path())
            .await
            .unwrap()
            .with_wait(Duration::from_secs(20));
        let channels = channels_of(&inbox);
        (inbox, channels)
    }

    #[tokio::test]
    async fn hl7_over_mllp_arrives_judged_and_attributed_to_its_scenario() {
        let dir = tempfile::tempdir().unwrap();
        let (inbox, channels) = started(&dir).await;
        inbox.begin("s1");
        let (_, receipt) = send(&channels, Carrier::Hl7v2, &fixture("hl7/clean.hl7"), "m1")
            .await
            .unwrap();
        assert!(receipt.unwrap().accepted);
        let got = inbox.take("s1", Carrier::Hl7v2).await;
        assert_eq!(got.len(), 1);
        assert!(got[0].findings.is_empty(), "{:?}", got[0].findings);
        assert!(matches!(got[0].via, Transport::Mllp { .. }));
        // A faulty message: its rule is named; a later scenario does not see the first.
        inbox.begin("s2");
        let (_, receipt) = send(
            &channels,
            Carrier::Hl7v2,
            &fixture("hl7/INS-HL7-004.hl7"),
            "m2",
        )
        .await
        .unwrap();
        assert!(!receipt.unwrap().accepted);
        let got = inbox.take("s2", Carrier::Hl7v2).await;
        assert_eq!(got.len(), 1);
        assert!(
            got[0]
                .findings
                .iter()
                .any(|f| f.rule_id.as_str() == "INS-HL7-004"),
            "{:?}",
            got[0].findings
        );
        inbox.shutdown().await;
    }

    #[tokio::test]
    async fn fhir_and_drop_folder_arrivals_are_judged() {
        let dir = tempfile::tempdir().unwrap();
        let (inbox, channels) = started(&dir).await;
        inbox.begin("s");
        let (_, receipt) = send(&channels, Carrier::Fhir, &fixture("fhir/clean.json"), "p")
            .await
            .unwrap();
        assert!(receipt.unwrap().accepted);
        let got = inbox.take("s", Carrier::Fhir).await;
        assert_eq!(got.len(), 1);
        assert!(got[0].findings.is_empty(), "{:?}", got[0].findings);
        send(
            &channels,
            Carrier::Cda,
            &fixture("cda/INS-CDA-001.xml"),
            "d",
        )
        .await
        .unwrap();
        let got = inbox.take("s", Carrier::Cda).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].id.as_deref(), Some("d.xml"));
        assert!(
            got[0]
                .findings
                .iter()
                .any(|f| f.rule_id.as_str() == "INS-CDA-001"),
            "{:?}",
            got[0].findings
        );
        // Taken once only.
        let inbox = inbox.with_wait(Duration::ZERO);
        assert!(inbox.take("s", Carrier::Cda).await.is_empty());
    }

    #[test]
    fn an_inline_payload_is_judged_and_bad_base64_is_unreadable() {
        let ok = judge_emitted(&Emitted {
            carrier: Carrier::Datamatrix,
            payload: fixture("datamatrix/clean.txt"),
        });
        assert!(ok.unreadable.is_none());
        assert!(ok.findings.is_empty(), "{:?}", ok.findings);
        let bad = judge_emitted(&Emitted {
            carrier: Carrier::Datamatrix,
            payload: "%%%".into(),
        });
        assert!(bad.unreadable.is_some());
    }
}
