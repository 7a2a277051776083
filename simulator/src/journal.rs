//! The journal: every exchange, kept for the conformance judge.
//!
//! One job: record [`JournalEntry`] values in a bounded in-memory ring (oldest evicted first)
//! and, optionally, append each one as a JSON line to a file. The file is written by a
//! dedicated writer thread fed through a bounded queue ([`FILE_QUEUE_CAPACITY`] entries,
//! [`FILE_QUEUE_BYTES`]), in batches: one `write` for all the entries waiting, so an exchange
//! never waits for the disk.
//! An entry the file does not get (queue full, failed write) is logged and counted
//! ([`Journal::file_errors`]), never silently ignored. Waiters (the harness's manual driver)
//! are woken on every new entry.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Result, SimulatorError};

pub(crate) mod ring;
#[cfg(test)]
pub(crate) mod strategies;
mod writer;
use ring::{KeptBody, Refill as _, Ring, Slot};
use writer::FileWriter;
pub use writer::{FILE_QUEUE_BYTES, FILE_QUEUE_CAPACITY, FILE_WRITER_PAUSE};

/// The client certificate, as read after rustls verified it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientCertificate {
    /// Subject DN (RFC 4514 style).
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number, hexadecimal.
    pub serial: String,
    /// Subject CN.
    pub cn: Option<String>,
    /// Subject OU (the structure id: the tenant).
    pub ou: Option<String>,
}

/// A request check finding: the core type, typed end to end (rule id and severity).
pub type JournalFinding = insilab_core::rules::Finding;

/// How an exchange ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// A `RESULTAT` with this `CodeCR`.
    Cr {
        /// `00`, `01`, `02`.
        code: String,
    },
    /// A SOAP fault with this `Erreur` code.
    Fault {
        /// `desir_550`, …
        code: String,
    },
    /// A CNDA answer file served verbatim.
    AnswerFile {
        /// The file name.
        name: String,
    },
    /// A non-SOAP HTTP answer (WSDL, 404, 413, injected status).
    Http {
        /// Why.
        reason: String,
    },
    /// The connection was dropped on purpose (injected reset, truncated or malformed body).
    Injected {
        /// What was injected.
        what: String,
    },
    /// The TLS handshake failed; no HTTP exchange took place.
    TlsFailure {
        /// The error.
        error: String,
    },
    /// An HL7 v2 message received over MLLP, answered with this ACK code (`AA`, `AE`, `AR`).
    Ack {
        /// MSA-1.
        code: String,
    },
    /// A document checked by a channel (FHIR endpoint, drop folder).
    Checked {
        /// `ok` (no rule above advice failed), `findings` or `unreadable`.
        verdict: String,
    },
    /// A channel error that ended the exchange (framing error, oversized message, slow or
    /// vanished peer, unsupported document).
    ChannelError {
        /// What happened.
        error: String,
    },
}

impl Outcome {
    /// A short label used in logs and metrics (`cr_00`, `fault_desir_550`…).
    pub fn label(&self) -> String {
        match self {
            Outcome::Cr { code } => format!("cr_{code}"),
            Outcome::Fault { code } => format!("fault_{}", code.to_lowercase()),
            Outcome::AnswerFile { name } => format!("file_{name}"),
            Outcome::Http { .. } => "http".into(),
            Outcome::Injected { what } => format!("injected_{what}"),
            Outcome::TlsFailure { .. } => "tls_failure".into(),
            Outcome::Ack { code } => format!("ack_{}", code.to_lowercase()),
            Outcome::Checked { verdict } => format!("checked_{verdict}"),
            Outcome::ChannelError { .. } => "channel_error".into(),
        }
    }

    /// [`Self::label`], without allocating for the outcomes of nearly every exchange (the
    /// metrics and the log take it once per exchange).
    pub fn label_cow(&self) -> std::borrow::Cow<'static, str> {
        use std::borrow::Cow;
        match self {
            Outcome::Cr { code } => match code.as_str() {
                "00" => Cow::Borrowed("cr_00"),
                "01" => Cow::Borrowed("cr_01"),
                "02" => Cow::Borrowed("cr_02"),
                _ => Cow::Owned(self.label()),
            },
            Outcome::Http { .. } => Cow::Borrowed("http"),
            Outcome::TlsFailure { .. } => Cow::Borrowed("tls_failure"),
            Outcome::ChannelError { .. } => Cow::Borrowed("channel_error"),
            _ => Cow::Owned(self.label()),
        }
    }
}

/// One exchange.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Sequence number, increasing from 1 for the lifetime of the simulator.
    pub seq: u64,
    /// When the request arrived (RFC 3339, UTC).
    pub time: String,
    /// Tenant: the client certificate's OU (`None` when no certificate was verified).
    pub tenant: Option<String>,
    /// Listener: `mtls` or `card`.
    pub listener: String,
    /// The client certificate.
    pub client_certificate: Option<ClientCertificate>,
    /// Card mode: the professional, the card certificate and the refusing rule, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<crate::card::CardHolder>,
    /// Negotiated TLS version (`TLSv1_3`).
    pub tls_version: Option<String>,
    /// HTTP method and path with query.
    pub http_request: String,
    /// Operation (`traits_search`, `card_search`, `verification`) when recognised.
    pub operation: Option<String>,
    /// `wsa:MessageID`.
    pub message_id: Option<String>,
    /// Request `Content-Type`.
    pub content_type: Option<String>,
    /// The parsed request body (traits, matricules), when it parsed.
    pub request_body: Option<insilab_core::insi::model::RequestBody>,
    /// How it ended.
    pub outcome: Outcome,
    /// Dataset person that answered, if any.
    pub person: Option<String>,
    /// Override that fired, if any.
    pub override_id: Option<u64>,
    /// HTTP status sent (0 when none was).
    pub http_status: u16,
    /// Time spent from the complete request to the answer, in microseconds.
    pub duration_us: u64,
    /// Check findings.
    pub findings: Vec<JournalFinding>,
    /// Raw request body (lossy UTF-8), shared with the server (see [`RawBody`]).
    pub raw_request: RawBody,
    /// Raw response body (lossy UTF-8), shared with the server and, for a dataset person, with
    /// every other exchange answered the same bytes.
    pub raw_response: RawBody,
}

impl JournalEntry {
    /// An entry with every field empty (a ring slot before its first fill).
    pub(crate) fn empty() -> Self {
        JournalEntry {
            seq: 0,
            time: String::new(),
            tenant: None,
            listener: String::new(),
            client_certificate: None,
            card: None,
            tls_version: None,
            http_request: String::new(),
            operation: None,
            message_id: None,
            content_type: None,
            request_body: None,
            outcome: Outcome::Http {
                reason: String::new(),
            },
            person: None,
            override_id: None,
            http_status: 0,
            duration_us: 0,
            findings: Vec::new(),
            raw_request: RawBody::new(),
            raw_response: RawBody::new(),
        }
    }
}

/// A raw message body in the journal: UTF-8 text over reference-counted bytes. Made from the
/// bytes the server read or sent, it shares them (no copy) when they are UTF-8, and holds their
/// lossy conversion otherwise. Serialised as a JSON string; reads as a `&str`.
pub type RawBody = bytestring::ByteString;

/// The journal's text of a body: `bytes` shared when they are UTF-8, else their lossy conversion.
pub fn raw_body(bytes: &bytes::Bytes) -> RawBody {
    match RawBody::try_from(bytes.clone()) {
        Ok(text) => text,
        Err(_) => RawBody::from(String::from_utf8_lossy(bytes).into_owned()),
    }
}

/// Filter of a journal query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalQuery {
    /// Only this tenant's entries.
    pub tenant: Option<String>,
    /// Only entries whose `seq` is greater than this.
    pub since: Option<u64>,
    /// At most this many (the oldest first).
    pub limit: Option<usize>,
}

impl JournalQuery {
    fn accepts(&self, e: &JournalEntry) -> bool {
        self.since.is_none_or(|s| e.seq > s)
            && self
                .tenant
                .as_ref()
                .is_none_or(|t| e.tenant.as_deref() == Some(t.as_str()))
    }
}

/// The shared journal (cheap to clone).
#[derive(Clone)]
pub struct Journal {
    inner: Arc<Inner>,
}

struct Inner {
    capacity: usize,
    ring: Mutex<Ring>,
    next_seq: AtomicU64,
    file: Option<FileWriter>,
    /// Entries the file did not get (queue full, failed write); shared with the writer thread.
    file_errors: Arc<AtomicU64>,
    notify: tokio::sync::watch::Sender<u64>,
}

/// A recording thread's scratch for the JSONL file: the entry being recorded, its line, and the
/// JSON texts of the answers this thread wrote last (reused, so that a line costs no
/// allocation: the writer's queue gets a copy of its bytes).
struct LineScratch {
    entry: JournalEntry,
    line: Vec<u8>,
    answers: crate::journal_line::AnswerTexts,
}

thread_local! {
    static LINE_SCRATCH: std::cell::RefCell<LineScratch> = std::cell::RefCell::new(LineScratch {
        entry: JournalEntry::empty(),
        line: Vec::with_capacity(crate::journal_line::LINE_CAPACITY),
        answers: crate::journal_line::AnswerTexts::default(),
    });
}

impl LineScratch {
    /// Writes the line of `entry` but its `seq` into `line`, as the writer thread is sent it,
    /// with `request_body` as the entry's.
    fn tail(
        line: &mut Vec<u8>,
        answers: &mut crate::journal_line::AnswerTexts,
        entry: &JournalEntry,
        request_body: Option<&insilab_core::insi::model::RequestBody>,
        omit_success_bodies: bool,
    ) {
        line.clear();
        crate::journal_line::line_tail(line, entry, request_body, omit_success_bodies, answers);
    }
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("capacity", &self.inner.capacity)
            .field("len", &self.len())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave the ring or the writer half-updated in a way
    // that matters (push/pop are atomic for readers), so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Journal {
    /// A journal keeping `capacity` entries in memory, appending to `file` when given (with
    /// the default size cap and rotation).
    pub fn new(capacity: usize, file: Option<&Path>) -> Result<Self> {
        Self::with_file_settings(capacity, file, crate::JournalFileSettings::default())
    }

    /// A journal keeping `capacity` entries in memory, appending to `file` when given, capped
    /// and rotated as `settings` say (see [`crate::journal_file`]).
    pub fn with_file_settings(
        capacity: usize,
        file: Option<&Path>,
        settings: crate::JournalFileSettings,
    ) -> Result<Self> {
        let file_errors = Arc::new(AtomicU64::new(0));
        let file = match file {
            Some(path) => Some(
                crate::journal_file::JsonlFile::open(path, settings)
                    .and_then(|f| FileWriter::start(f, Arc::clone(&file_errors)))
                    .map_err(|source| SimulatorError::JournalIo {
                        path: path.to_owned(),
                        source,
                    })?,
            ),
            None => None,
        };
        let (notify, _) = tokio::sync::watch::channel(0);
        Ok(Journal {
            inner: Arc::new(Inner {
                capacity: capacity.max(1),
                ring: Mutex::new(Ring::new(capacity)),
                next_seq: AtomicU64::new(1),
                file,
                file_errors,
                notify,
            }),
        })
    }

    /// Records an entry (its `seq` is assigned here) and returns the sequence number.
    pub fn record(&self, entry: JournalEntry) -> u64 {
        let refill = |_: Option<KeptBody>, slot: &mut Slot| {
            slot.entry.refill(&entry);
            slot.body = KeptBody::InEntry;
        };
        let Some(w) = &self.inner.file else {
            return self.record_filled(None, refill, None);
        };
        LINE_SCRATCH.with_borrow_mut(|scratch| {
            let LineScratch { line, answers, .. } = scratch;
            let body = entry.request_body.as_ref();
            LineScratch::tail(line, answers, &entry, body, w.omits_success_bodies());
            self.record_filled(None, refill, Some(line))
        })
    }

    /// Records an entry that `fill` writes in place into the ring's next slot (the oldest
    /// entry's, once the ring is full), and returns its sequence number. `fill` must set every
    /// field but `seq` (assigned here) and `request_body` (`parsed`'s, set here): the slot
    /// holds the previous entry. Nothing is allocated where the slot's blocks are large
    /// enough (see `ring`). With a JSONL file, `fill` writes a scratch entry of this thread
    /// instead, whose line is made here, before the ring's lock is taken; the scratch and the
    /// slot are then swapped.
    ///
    /// `parsed`: the request body read from the entry's `raw_request`; `read_with`: the reader
    /// limits it was read with. The file's line has the body. The ring keeps a copy only when
    /// the limits are not given; with them, [`Self::query`] reads it again from the raw
    /// request.
    pub fn record_in_place(
        &self,
        fill: impl FnOnce(&mut JournalEntry),
        parsed: Option<&insilab_core::insi::model::RequestBody>,
        read_with: Option<&insilab_core::insi::reader::Limits>,
    ) -> u64 {
        // Under the ring's lock: the body the slot keeps, and where it is.
        let keep = |kept: Option<KeptBody>, request_body: &mut Option<_>| match kept {
            Some(kept) => {
                *request_body = None;
                kept
            }
            None => {
                ring::refill_opt(request_body, parsed);
                KeptBody::InEntry
            }
        };
        match &self.inner.file {
            None => self.record_filled(
                read_with,
                |kept, slot| {
                    fill(&mut slot.entry);
                    slot.body = keep(kept, &mut slot.entry.request_body);
                },
                None,
            ),
            Some(w) => LINE_SCRATCH.with_borrow_mut(|scratch| {
                let LineScratch {
                    entry,
                    line,
                    answers,
                } = scratch;
                fill(entry);
                LineScratch::tail(line, answers, entry, parsed, w.omits_success_bodies());
                // The filled scratch becomes the slot, and the slot's previous entry this
                // thread's scratch, whose blocks the next `fill` reuses: nothing is copied.
                self.record_filled(
                    read_with,
                    |kept, slot| {
                        slot.body = keep(kept, &mut entry.request_body);
                        std::mem::swap(&mut slot.entry, entry);
                    },
                    Some(line),
                )
            }),
        }
    }

    /// Takes the ring's lock, assigns the `seq`, lets `fill` write the slot, queues the line
    /// for the file: in `seq` order in the ring and in the file.
    ///
    /// `fill` is given how the ring refers to `read_with`, when given and remembered (see
    /// [`Ring::read_with`]).
    fn record_filled(
        &self,
        read_with: Option<&insilab_core::insi::reader::Limits>,
        fill: impl FnOnce(Option<KeptBody>, &mut Slot),
        tail: Option<&[u8]>,
    ) -> u64 {
        let seq = {
            let mut ring = lock(&self.inner.ring);
            let seq = self.inner.next_seq.fetch_add(1, Ordering::Relaxed);
            let kept = read_with.and_then(|limits| ring.read_with(limits));
            let slot = ring.next_slot();
            fill(kept, slot);
            slot.entry.seq = seq;
            // Queued under the ring lock, so the file gets the entries in `seq` order; never
            // waits: a full queue drops the entry from the file (counted and logged).
            if let (Some(w), Some(tail)) = (&self.inner.file, tail)
                && let Err(why) = w.queue(seq, tail)
            {
                writer::refused(w, &self.inner.file_errors, seq, why);
            }
            seq
        };
        self.notify(seq);
        seq
    }

    /// Tells the receivers of [`Self::subscribe`] that `seq` was recorded: only when there
    /// are some (the watch's wake-up costs a lock and a notification per exchange otherwise),
    /// and never backwards (two threads record concurrently; their notifications may cross).
    fn notify(&self, seq: u64) {
        if self.inner.notify.receiver_count() > 0 {
            self.advance(seq);
        }
    }

    /// The watch's value becomes `seq` if that is newer (receivers or not).
    fn advance(&self, seq: u64) {
        self.inner.notify.send_if_modified(|last| {
            let newer = seq > *last;
            if newer {
                *last = seq;
            }
            newer
        });
    }

    /// Entries accepted by `query`, oldest first (copies: the ring reuses its slots). The
    /// parsed request bodies the ring does not keep are read again from the raw requests once
    /// the ring's lock is released.
    pub fn query(&self, query: &JournalQuery) -> Vec<Arc<JournalEntry>> {
        let copies: Vec<_> = {
            let ring = lock(&self.inner.ring);
            let it = ring
                .iter()
                .filter(|slot| query.accepts(&slot.entry))
                .map(|slot| ring.copy(slot));
            match query.limit {
                Some(n) => it.take(n).collect(),
                None => it.collect(),
            }
        };
        copies
            .into_iter()
            .map(|(entry, limits)| Arc::new(ring::with_body(entry, limits)))
            .collect()
    }

    /// Every entry in memory, oldest first.
    pub fn entries(&self) -> Vec<Arc<JournalEntry>> {
        self.query(&JournalQuery::default())
    }

    /// Number of entries in memory.
    pub fn len(&self) -> usize {
        lock(&self.inner.ring).len()
    }

    /// Whether no entry is in memory.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The last sequence number assigned (0 before the first entry).
    pub fn last_seq(&self) -> u64 {
        self.inner
            .next_seq
            .load(Ordering::Relaxed)
            .saturating_sub(1)
    }

    /// Removes the in-memory entries (of one tenant only when `tenant` is given). The file is
    /// append-only and keeps them. Returns how many were removed.
    pub fn clear(&self, tenant: Option<&str>) -> usize {
        let mut ring = lock(&self.inner.ring);
        let before = ring.len();
        match tenant {
            None => ring.clear(),
            Some(t) => ring.retain(|e| e.tenant.as_deref() != Some(t)),
        }
        before - ring.len()
    }

    /// A receiver notified with the last sequence number on every new entry.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        // Nothing was sent while nobody listened: the value is brought up to date first (so
        // the receiver starts from the last `seq`, seen), then once more after, for an entry
        // recorded in between, when the receiver did not count yet (that one marks it changed).
        self.advance(self.last_seq());
        let rx = self.inner.notify.subscribe();
        self.advance(self.last_seq());
        rx
    }

    /// Waits until at least `count` entries accepted by `query` exist, or `timeout` passes;
    /// returns the accepted entries found (possibly fewer than `count` on timeout).
    pub async fn wait_for(
        &self,
        query: &JournalQuery,
        count: usize,
        timeout: Duration,
    ) -> Vec<Arc<JournalEntry>> {
        let mut rx = self.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            rx.borrow_and_update();
            let found = self.query(query);
            if found.len() >= count {
                return found;
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => continue,
                _ => return self.query(query),
            }
        }
    }

    /// Entries the JSONL file did not get since start (a full queue, a failed write),
    /// counting every entry recorded before this call: it waits for the writer thread to
    /// catch up.
    pub fn file_errors(&self) -> u64 {
        if let Some(w) = &self.inner.file {
            w.sync();
        }
        self.inner.file_errors.load(Ordering::Relaxed)
    }

    /// Writes every entry recorded so far to the JSONL file (waits for the writer thread).
    /// An entry that could not be written is counted in [`Self::file_errors`] and logged.
    pub fn flush(&self) -> Result<()> {
        if let Some(w) = &self.inner.file {
            w.sync();
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) fn sample_entry(tenant: Option<&str>) -> JournalEntry {
    JournalEntry {
        seq: 0,
        time: "2026-01-01T00:00:00Z".into(),
        tenant: tenant.map(Into::into),
        listener: "mtls".into(),
        client_certificate: None,
        card: None,
        tls_version: None,
        http_request: "POST /lps".into(),
        operation: Some("traits_search".into()),
        message_id: Some("uuid:1".into()),
        content_type: None,
        request_body: None,
        outcome: Outcome::Cr { code: "01".into() },
        person: None,
        override_id: None,
        http_status: 200,
        duration_us: 1,
        findings: vec![],
        raw_request: RawBody::new(),
        raw_response: RawBody::new(),
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;

    /// An exchange recorded in place with the limits its body was read with keeps its
    /// request once, as its bytes: the slot holds no parsed body, the file's line has it, and
    /// a reader of the ring gets it back from the bytes.
    #[test]
    fn a_parsed_body_is_read_again_from_the_raw_request() {
        use insilab_core::insi::model::{Headers, Request, RequestBody, TraitsSearch};
        use insilab_core::insi::{reader, writer};
        let request = Request {
            headers: Headers {
                message_id: Some("uuid:kept-once".into()),
                ..Headers::default()
            },
            body: RequestBody::TraitsSearch(TraitsSearch {
                nom_naissance: Some("ADRUN".into()),
                prenoms: vec!["ZOE".into()],
                ..TraitsSearch::default()
            }),
            body_id: None,
        };
        let raw = bytes::Bytes::from(writer::write_request(&request));
        let limits = reader::Limits::default();
        let parsed = reader::parse_request(&raw, &limits).unwrap().body;
        for with_file in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("j.jsonl");
            let j = Journal::new(4, with_file.then_some(path.as_path())).unwrap();
            j.record_in_place(
                |slot| {
                    slot.refill(&sample_entry(Some("T")));
                    slot.raw_request = raw_body(&raw);
                },
                Some(&parsed),
                Some(&limits),
            );
            assert!(
                lock(&j.inner.ring)
                    .iter()
                    .all(|s| s.entry.request_body.is_none()),
                "the slot keeps a parsed body (file: {with_file})"
            );
            let entries = j.entries();
            assert_eq!(entries[0].request_body.as_ref(), Some(&parsed));
            assert_eq!(
                lock(&j.inner.ring).iter().next().unwrap().body,
                KeptBody::FromRaw(0)
            );
            if with_file {
                j.flush().unwrap();
                let text = std::fs::read_to_string(&path).unwrap();
                let line: JournalEntry = serde_json::from_str(text.trim_end()).unwrap();
                assert_eq!(line, *entries[0]);
            }
        }
    }

    /// Each configuration reload may bring other reader limits: the ring remembers a bounded
    /// number of them; an exchange read with yet others keeps its parsed body in its slot.
    /// Either way, every entry reads back with its body.
    #[test]
    fn distinct_reader_limits_are_remembered_up_to_a_bound() {
        use insilab_core::insi::model::{Headers, Request, RequestBody, TraitsSearch};
        use insilab_core::insi::{reader, writer};
        let request = Request {
            headers: Headers::default(),
            body: RequestBody::TraitsSearch(TraitsSearch {
                nom_naissance: Some("ADRUN".into()),
                ..TraitsSearch::default()
            }),
            body_id: None,
        };
        let raw = bytes::Bytes::from(writer::write_request(&request));
        let n = ring::MAX_READ_LIMITS + 3;
        let j = Journal::new(n, None).unwrap();
        for i in 0..n {
            let limits = reader::Limits {
                max_elements: reader::DEFAULT_MAX_ELEMENTS + i,
                ..reader::Limits::default()
            };
            let parsed = reader::parse_request(&raw, &limits).unwrap().body;
            j.record_in_place(
                |slot| {
                    slot.refill(&sample_entry(None));
                    slot.raw_request = raw_body(&raw);
                },
                Some(&parsed),
                Some(&limits),
            );
        }
        let kept: Vec<_> = lock(&j.inner.ring).iter().map(|s| s.body).collect();
        let read_again = kept
            .iter()
            .filter(|k| matches!(k, KeptBody::FromRaw(_)))
            .count();
        assert_eq!(read_again, ring::MAX_READ_LIMITS);
        assert_eq!(kept[n - 1], KeptBody::InEntry);
        assert!(
            j.entries()
                .iter()
                .all(|e| e.request_body.as_ref() == Some(&request.body))
        );
    }

    /// What the index is for: a slot is an entry and a few bytes, not a copy of the limits.
    #[test]
    fn a_slot_is_an_entry_and_a_word() {
        assert!(size_of::<ring::Slot>() <= size_of::<JournalEntry>() + 8);
    }

    #[test]
    fn ring_is_bounded_and_file_keeps_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let j = Journal::new(3, Some(&path)).unwrap();
        for i in 0..5 {
            j.record(sample_entry(Some(if i % 2 == 0 { "A" } else { "B" })));
        }
        assert_eq!(j.len(), 3);
        assert_eq!(j.entries().first().unwrap().seq, 3);
        j.flush().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 5);
        let q = JournalQuery {
            tenant: Some("A".into()),
            since: Some(3),
            limit: None,
        };
        assert_eq!(
            j.query(&q).iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![5]
        );
        assert_eq!(j.clear(Some("B")), 1);
        assert_eq!(j.len(), 2);
    }

    #[test]
    fn the_label_without_allocation_is_the_label() {
        let outcomes = [
            Outcome::Cr { code: "00".into() },
            Outcome::Cr { code: "01".into() },
            Outcome::Cr { code: "02".into() },
            Outcome::Cr { code: "99".into() },
            Outcome::Fault {
                code: "DESIR_550".into(),
            },
            Outcome::Http {
                reason: "413".into(),
            },
            Outcome::TlsFailure { error: "x".into() },
            Outcome::ChannelError { error: "x".into() },
            Outcome::Ack { code: "AA".into() },
        ];
        for o in outcomes {
            assert_eq!(o.label_cow(), o.label(), "{o:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// Whether recorded whole or in place, from one thread or two, each entry's line in the
        /// file is serde_json's line of the entry the ring holds, in `seq` order, with the
        /// bodies of successful exchanges left out when the settings say so.
        #[test]
        fn the_file_has_the_ring_entries_lines(
            entries in proptest::collection::vec(crate::journal::strategies::entry(), 1..12),
            omit in proptest::bool::ANY,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("j.jsonl");
            let settings = crate::JournalFileSettings {
                omit_success_bodies: omit,
                ..Default::default()
            };
            let j = Journal::with_file_settings(64, Some(&path), settings).unwrap();
            let record = |i: usize, e: &JournalEntry| {
                if i.is_multiple_of(3) {
                    j.record(e.clone());
                } else {
                    j.record_in_place(|slot| slot.refill(e), e.request_body.as_ref(), None);
                }
            };
            let (first, second) = entries.split_at(entries.len() / 2);
            std::thread::scope(|s| {
                s.spawn(|| first.iter().enumerate().for_each(|(i, e)| record(i, e)));
                second.iter().enumerate().for_each(|(i, e)| record(i + 1, e));
            });
            j.flush().unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            let ring = j.entries();
            proptest::prop_assert_eq!(text.lines().count(), ring.len());
            for (line, entry) in text.lines().zip(&ring) {
                let mut expected = (**entry).clone();
                if omit && crate::journal_line::is_success(&expected) {
                    expected.raw_request = RawBody::new();
                    expected.raw_response = RawBody::new();
                }
                proptest::prop_assert_eq!(line, serde_json::to_string(&expected).unwrap());
            }
        }
    }

    #[tokio::test]
    async fn wait_for_wakes_on_new_entries() {
        let j = Journal::new(10, None).unwrap();
        let j2 = j.clone();
        let waiter = tokio::spawn(async move {
            j2.wait_for(&JournalQuery::default(), 2, Duration::from_secs(30))
                .await
        });
        j.record(sample_entry(None));
        j.record(sample_entry(None));
        assert_eq!(waiter.await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_subscriber_starts_from_the_last_seq_recorded_unwatched() {
        let j = Journal::new(10, None).unwrap();
        // Nobody listens: the watch is not written on these.
        let _ = j.record(sample_entry(None));
        let last = j.record(sample_entry(None));
        let mut rx = j.subscribe();
        assert_eq!(*rx.borrow_and_update(), last);
        assert!(!rx.has_changed().unwrap(), "subscribing is not a new entry");
        let next = j.record(sample_entry(None));
        tokio::time::timeout(Duration::from_secs(30), rx.changed())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(*rx.borrow_and_update(), next);
        // Never backwards: an older seq arriving late leaves the value alone.
        j.notify(last);
        assert_eq!(*rx.borrow(), next);
        assert!(!rx.has_changed().unwrap());
    }
}
