//! The JSONL journal file: one JSON line per exchange, with a size cap and rotation.
//!
//! At saturation the simulator journals about 9 000 exchanges a second; with raw bodies that is
//! close to 2 GB of JSONL a minute. So the file is rotated by size: when the next line would take
//! the current file over [`JournalFileSettings::max_bytes`], `journal.jsonl` becomes
//! `journal.jsonl.1` (the previous `.1` becomes `.2`, and so on) and the oldest beyond
//! [`JournalFileSettings::keep_files`] is deleted. The disk used is then bounded by
//! `max_bytes × (keep_files + 1)`. Raw bodies of successful exchanges (HTTP 200 with a
//! `RESULTAT`) can be left out of the file ([`JournalFileSettings::omit_success_bodies`]); the
//! in-memory ring keeps them.
//!
//! A line that cannot be written (disk full, rotation failed) is not lost silently: the journal
//! counts it (`insilab_journal_file_errors_total` in the metrics) and logs it with its `seq`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::journal::RawBody;
use crate::journal::{JournalEntry, Outcome};

/// Default size of one journal file before rotation (64 MiB).
pub const DEFAULT_JOURNAL_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Default number of rotated files kept besides the current one.
pub const DEFAULT_JOURNAL_KEEP_FILES: usize = 4;
/// Smallest accepted `max_bytes` (a smaller cap would rotate on nearly every line).
pub const MIN_JOURNAL_MAX_BYTES: u64 = 4 * 1024;
/// Largest accepted `keep_files`.
pub const MAX_JOURNAL_KEEP_FILES: usize = 1000;

/// How the JSONL journal file is capped and what it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JournalFileSettings {
    /// Size of one file before it is rotated, in bytes (a single longer line still goes whole
    /// into a fresh file).
    pub max_bytes: u64,
    /// Rotated files kept (`journal.jsonl.1` … `.N`); 0 keeps none (the file is truncated on
    /// rotation).
    pub keep_files: usize,
    /// Leave out `raw_request` and `raw_response` (written as empty strings) for successful
    /// exchanges: HTTP 200 with a `RESULTAT`.
    pub omit_success_bodies: bool,
}

impl Default for JournalFileSettings {
    fn default() -> Self {
        JournalFileSettings {
            max_bytes: DEFAULT_JOURNAL_MAX_BYTES,
            keep_files: DEFAULT_JOURNAL_KEEP_FILES,
            omit_success_bodies: false,
        }
    }
}

impl JournalFileSettings {
    /// Checks the values against [`MIN_JOURNAL_MAX_BYTES`] and [`MAX_JOURNAL_KEEP_FILES`];
    /// the error names the bad value.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_bytes < MIN_JOURNAL_MAX_BYTES {
            return Err(format!(
                "journal max_bytes {} is less than the minimum of {MIN_JOURNAL_MAX_BYTES}",
                self.max_bytes
            ));
        }
        if self.keep_files > MAX_JOURNAL_KEEP_FILES {
            return Err(format!(
                "journal keep_files {} is more than the maximum of {MAX_JOURNAL_KEEP_FILES}",
                self.keep_files
            ));
        }
        Ok(())
    }
}

/// The open JSONL file, its rotation state, and the batch of lines not yet written.
#[derive(Debug)]
pub(crate) struct JsonlFile {
    path: PathBuf,
    settings: JournalFileSettings,
    file: std::fs::File,
    /// Lines pushed and not yet written to the file (one `write` per batch).
    batch: Vec<u8>,
    /// Sequence numbers of the first and last entries in `batch`, and how many it holds.
    batch_seqs: (u64, u64, u64),
    /// Bytes in the current file (its length when opened, plus what was appended or batched).
    written: u64,
    rotations: u64,
}

fn open_append(path: &Path) -> std::io::Result<(std::fs::File, u64)> {
    let f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    Ok((f, len))
}

/// `journal.jsonl` → `journal.jsonl.N`.
pub(crate) fn rotated_path(path: &Path, n: usize) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

impl JsonlFile {
    /// Opens (appends to) `path`.
    pub(crate) fn open(path: &Path, settings: JournalFileSettings) -> std::io::Result<Self> {
        settings.validate().map_err(std::io::Error::other)?;
        let (f, written) = open_append(path)?;
        Ok(JsonlFile {
            path: path.to_owned(),
            settings,
            file: f,
            batch: Vec::with_capacity(BATCH_BYTES),
            batch_seqs: (0, 0, 0),
            written,
            rotations: 0,
        })
    }

    /// The file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Rotations done since start.
    #[cfg(test)]
    pub(crate) fn rotations(&self) -> u64 {
        self.rotations
    }

    /// Appends `entry` as one line, written at once, rotating first when the line would take
    /// the current file over the cap.
    #[cfg(test)]
    pub(crate) fn append(&mut self, entry: &JournalEntry) -> std::io::Result<()> {
        let errors = std::sync::atomic::AtomicU64::new(0);
        self.push(entry, &errors);
        self.write_batch(&errors);
        match errors.into_inner() {
            0 => Ok(()),
            n => Err(std::io::Error::other(format!("{n} entries dropped"))),
        }
    }

    /// Adds `entry`'s line to the batch (see [`Self::push_tail`]).
    #[cfg(test)]
    pub(crate) fn push(&mut self, entry: &JournalEntry, errors: &AtomicU64) {
        let mut tail = Vec::new();
        let omit = self.settings.omit_success_bodies;
        line_tail(&mut tail, entry, omit, &mut AnswerTexts::default());
        self.push_tail(entry.seq, &tail, errors);
    }

    /// Adds the line of entry `seq` to the batch: `{"seq":` and `seq`, then `tail` (written by
    /// [`line_tail`]). When the line would take the current file over the cap, the batch is
    /// written and the file rotated first. The batch is written by [`Self::write_batch`], or
    /// here once it holds [`BATCH_BYTES`]. An entry that cannot be written is counted in
    /// `errors` and logged with its `seq`, never dropped silently.
    pub(crate) fn push_tail(&mut self, seq: u64, tail: &[u8], errors: &AtomicU64) {
        let mut number = itoa::Buffer::new();
        let number = number.format(seq).as_bytes();
        let len = (SEQ_KEY.len() + number.len() + tail.len()) as u64;
        if self.written > 0 && self.written.saturating_add(len) > self.settings.max_bytes {
            self.write_batch(errors);
            if let Err(e) = self.rotate() {
                self.dropped(errors, seq, seq, 1, &e);
                return;
            }
        }
        self.batch.extend_from_slice(SEQ_KEY);
        self.batch.extend_from_slice(number);
        self.batch.extend_from_slice(tail);
        self.written = self.written.saturating_add(len);
        let (first, _, n) = self.batch_seqs;
        self.batch_seqs = (if n == 0 { seq } else { first }, seq, n + 1);
        if self.batch.len() >= BATCH_BYTES {
            self.write_batch(errors);
        }
    }

    /// Whether successful exchanges' raw bodies are left out ([`line_tail`]'s `omit`).
    pub(crate) fn omits_success_bodies(&self) -> bool {
        self.settings.omit_success_bodies
    }

    /// Writes the batch to the file (one `write_all`). On failure its entries are counted in
    /// `errors` and logged (their `seq` range), never dropped silently.
    pub(crate) fn write_batch(&mut self, errors: &AtomicU64) {
        let (first, last, n) = self.batch_seqs;
        if n == 0 {
            return;
        }
        let result = self.file.write_all(&self.batch);
        self.batch.clear();
        self.batch_seqs = (0, 0, 0);
        if self.batch.capacity() > 4 * BATCH_BYTES {
            self.batch.shrink_to(BATCH_BYTES);
        }
        if let Err(e) = result {
            self.dropped(errors, first, last, n, &e);
        }
    }

    fn dropped(&self, errors: &AtomicU64, first: u64, last: u64, n: u64, e: &std::io::Error) {
        errors.fetch_add(n, Ordering::Relaxed);
        tracing::error!(
            path = %self.path.display(),
            error = %e,
            first_seq = first,
            last_seq = last,
            entries = n,
            "journal entries dropped from the file"
        );
    }

    fn rotate(&mut self) -> std::io::Result<()> {
        let keep = self.settings.keep_files;
        if keep == 0 {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(&self.path)?;
            drop(f);
        } else {
            let oldest = rotated_path(&self.path, keep);
            if oldest.exists() {
                std::fs::remove_file(&oldest)?;
            }
            for n in (1..keep).rev() {
                let from = rotated_path(&self.path, n);
                if from.exists() {
                    std::fs::rename(&from, rotated_path(&self.path, n + 1))?;
                }
            }
            std::fs::rename(&self.path, rotated_path(&self.path, 1))?;
        }
        let (f, written) = open_append(&self.path)?;
        self.file = f;
        self.written = written;
        self.rotations += 1;
        tracing::info!(path = %self.path.display(), rotations = self.rotations, "journal file rotated");
        Ok(())
    }
}

/// A batch is written once it holds this many bytes (and whenever the writer thread has no
/// more entries waiting).
pub(crate) const BATCH_BYTES: usize = 256 * 1024;

/// Starting capacity of the reused line buffer (a typical exchange takes about 4 KB).
pub(crate) const LINE_CAPACITY: usize = 8 * 1024;

/// How every line starts; the entry's `seq` follows, then what [`line_tail`] writes.
const SEQ_KEY: &[u8] = b"{\"seq\":";

/// Writes `entry` as one JSON line into `out` (see [`line_tail`]): the same bytes as
/// `serde_json::to_vec(entry)` followed by a new line, with empty raw bodies when
/// `omit_bodies`.
#[cfg(test)]
fn json_line(
    out: &mut Vec<u8>,
    entry: &JournalEntry,
    omit_bodies: bool,
    answers: &mut AnswerTexts,
) -> std::io::Result<()> {
    out.extend_from_slice(SEQ_KEY);
    out.extend_from_slice(itoa::Buffer::new().format(entry.seq).as_bytes());
    write_tail(out, entry, omit_bodies, answers);
    Ok(())
}

/// Writes what follows `{"seq":N` in `entry`'s JSON line: the rest of serde_json's bytes for
/// the entry and a new line. Successful exchanges (HTTP 200 with a `RESULTAT`) get empty raw
/// bodies when `omit_success_bodies`. It runs on the thread that records the exchange (the
/// journal's `seq` is assigned after, under the ring's lock) and keeps `answers` there.
pub(crate) fn line_tail(
    out: &mut Vec<u8>,
    entry: &JournalEntry,
    omit_success_bodies: bool,
    answers: &mut AnswerTexts,
) {
    let omit = omit_success_bodies && is_success(entry);
    write_tail(out, entry, omit, answers);
}

/// The line written by hand, field by field, without serde's machinery (a third of the JSONL
/// writer's time with it). Every string goes through [`push_json_str`]; the tests compare the
/// line with serde_json's on arbitrary entries.
fn write_tail(
    out: &mut Vec<u8>,
    entry: &JournalEntry,
    omit_bodies: bool,
    answers: &mut AnswerTexts,
) {
    // Destructured whole: a field added to the entry does not compile until it is written.
    let JournalEntry {
        seq: _,
        time,
        tenant,
        listener,
        client_certificate,
        card,
        tls_version,
        http_request,
        operation,
        message_id,
        content_type,
        request_body,
        outcome,
        person,
        override_id,
        http_status,
        duration_us,
        findings,
        raw_request,
        raw_response,
    } = entry;
    let mut w = Json(out);
    w.raw(b",\"time\":");
    w.str(time);
    w.raw(b",\"tenant\":");
    w.opt_str(tenant.as_deref());
    w.raw(b",\"listener\":");
    w.str(listener);
    w.raw(b",\"client_certificate\":");
    match client_certificate {
        Some(c) => w.certificate(c),
        None => w.null(),
    }
    // `skip_serializing_if = "Option::is_none"`.
    if let Some(card) = card {
        w.raw(b",\"card\":");
        w.card(card);
    }
    w.raw(b",\"tls_version\":");
    w.opt_str(tls_version.as_deref());
    w.raw(b",\"http_request\":");
    w.str(http_request);
    w.raw(b",\"operation\":");
    w.opt_str(operation.as_deref());
    w.raw(b",\"message_id\":");
    w.opt_str(message_id.as_deref());
    w.raw(b",\"content_type\":");
    w.opt_str(content_type.as_deref());
    w.raw(b",\"request_body\":");
    match request_body {
        Some(body) => w.request_body(body),
        None => w.null(),
    }
    w.raw(b",\"outcome\":");
    w.outcome(outcome);
    w.raw(b",\"person\":");
    w.opt_str(person.as_deref());
    w.raw(b",\"override_id\":");
    match override_id {
        Some(id) => w.u64(*id),
        None => w.null(),
    }
    w.raw(b",\"http_status\":");
    w.u64(u64::from(*http_status));
    w.raw(b",\"duration_us\":");
    w.u64(*duration_us);
    w.raw(b",\"findings\":[");
    for (i, f) in findings.iter().enumerate() {
        if i > 0 {
            w.raw(b",");
        }
        w.finding(f);
    }
    w.raw(b"]");
    w.raw(b",\"raw_request\":");
    w.str(if omit_bodies { "" } else { raw_request });
    w.raw(b",\"raw_response\":");
    if omit_bodies {
        w.str("");
    } else {
        answers.push(w.0, raw_response);
    }
    w.raw(b"}\n");
}

/// The JSON texts of the last answers written. The answer to a dataset person is one buffer
/// shared by every exchange it answers (`answer_cache`), so its escaped text is made once: an
/// answer whose buffer is one of these (the same bytes: the cache holds them) is copied from
/// here.
#[derive(Debug, Default)]
pub(crate) struct AnswerTexts {
    kept: Vec<(RawBody, Vec<u8>)>,
    /// The next one replaced once [`ANSWER_TEXTS`] are kept.
    next: usize,
}

/// Answers whose JSON text is kept.
const ANSWER_TEXTS: usize = 8;
/// Longest answer whose JSON text is kept (an `INDIVIDU` answer is about 2 KB).
const ANSWER_TEXT_MAX_BYTES: usize = 16 * 1024;

impl AnswerTexts {
    /// Appends `answer` as a JSON string ([`push_json_str`]).
    fn push(&mut self, out: &mut Vec<u8>, answer: &RawBody) {
        let same = |kept: &RawBody| {
            kept.as_bytes().as_ptr() == answer.as_bytes().as_ptr() && kept.len() == answer.len()
        };
        if let Some((_, text)) = self.kept.iter().find(|(kept, _)| same(kept)) {
            out.extend_from_slice(text);
            return;
        }
        let from = out.len();
        push_json_str(out, answer);
        if answer.is_empty() || answer.len() > ANSWER_TEXT_MAX_BYTES {
            return;
        }
        let text = out.get(from..).unwrap_or_default().to_vec();
        if self.kept.len() < ANSWER_TEXTS {
            self.kept.push((answer.clone(), text));
        } else if let Some(slot) = self.kept.get_mut(self.next) {
            *slot = (answer.clone(), text);
            self.next = (self.next + 1) % ANSWER_TEXTS;
        }
    }
}

/// Compact JSON, as serde_json writes it, of the journal's types.
struct Json<'a>(&'a mut Vec<u8>);

impl Json<'_> {
    fn raw(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn null(&mut self) {
        self.raw(b"null");
    }

    fn u64(&mut self, n: u64) {
        self.raw(itoa::Buffer::new().format(n).as_bytes());
    }

    fn str(&mut self, s: &str) {
        push_json_str(self.0, s);
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }

    /// `{"k1":v1,"k2":v2…}` for optional strings.
    fn opt_strs(&mut self, fields: &[(&[u8], Option<&str>)]) {
        for (i, (key, value)) in fields.iter().enumerate() {
            self.raw(if i == 0 { b"{\"" } else { b",\"" });
            self.raw(key);
            self.raw(b"\":");
            self.opt_str(*value);
        }
        self.raw(b"}");
    }

    fn certificate(&mut self, c: &crate::journal::ClientCertificate) {
        let crate::journal::ClientCertificate {
            subject,
            issuer,
            serial,
            cn,
            ou,
        } = c;
        self.opt_strs(&[
            (b"subject", Some(subject)),
            (b"issuer", Some(issuer)),
            (b"serial", Some(serial)),
            (b"cn", cn.as_deref()),
            (b"ou", ou.as_deref()),
        ]);
    }

    fn card(&mut self, c: &crate::card::CardHolder) {
        let crate::card::CardHolder {
            professional_id,
            certificate_subject,
            certificate_issuer,
            certificate_serial,
            refused_by,
        } = c;
        self.opt_strs(&[
            (b"professional_id", professional_id.as_deref()),
            (b"certificate_subject", certificate_subject.as_deref()),
            (b"certificate_issuer", certificate_issuer.as_deref()),
            (b"certificate_serial", certificate_serial.as_deref()),
            (b"refused_by", refused_by.map(|r| r.as_str())),
        ]);
    }

    fn matricule(&mut self, m: &insilab_core::insi::model::WireMatricule) {
        let insilab_core::insi::model::WireMatricule {
            num_identifiant,
            cle,
            type_matricule,
        } = m;
        self.opt_strs(&[
            (b"num_identifiant", Some(num_identifiant)),
            (b"cle", cle.as_deref()),
            (b"type_matricule", type_matricule.as_deref()),
        ]);
    }

    fn opt_matricule(&mut self, m: Option<&insilab_core::insi::model::WireMatricule>) {
        match m {
            Some(m) => self.matricule(m),
            None => self.null(),
        }
    }

    /// Externally tagged, snake case: `{"traits_search":{…}}`.
    fn request_body(&mut self, body: &insilab_core::insi::model::RequestBody) {
        use insilab_core::insi::model::{
            CardSearch, InsEntry, RequestBody, TraitsSearch, Verification, VerifiedTraits,
        };
        match body {
            RequestBody::TraitsSearch(t) => {
                let TraitsSearch {
                    nom_naissance,
                    prenoms,
                    sexe,
                    date_naissance,
                    lieu_naissance,
                } = t;
                self.raw(b"{\"traits_search\":{\"nom_naissance\":");
                self.opt_str(nom_naissance.as_deref());
                self.raw(b",\"prenoms\":[");
                for (i, p) in prenoms.iter().enumerate() {
                    if i > 0 {
                        self.raw(b",");
                    }
                    self.str(p);
                }
                self.raw(b"],\"sexe\":");
                self.opt_str(sexe.as_deref());
                self.raw(b",\"date_naissance\":");
                self.opt_str(date_naissance.as_deref());
                self.raw(b",\"lieu_naissance\":");
                self.opt_str(lieu_naissance.as_deref());
                self.raw(b"}}");
            }
            RequestBody::CardSearch(c) => {
                let CardSearch {
                    matricule_individu,
                    matricule_od,
                    nom_naissance,
                    date_naissance,
                    rang_naissance,
                } = c;
                self.raw(b"{\"card_search\":{\"matricule_individu\":");
                self.opt_matricule(matricule_individu.as_ref());
                self.raw(b",\"matricule_od\":");
                self.opt_matricule(matricule_od.as_ref());
                self.raw(b",\"nom_naissance\":");
                self.opt_str(nom_naissance.as_deref());
                self.raw(b",\"date_naissance\":");
                self.opt_str(date_naissance.as_deref());
                self.raw(b",\"rang_naissance\":");
                self.opt_str(rang_naissance.as_deref());
                self.raw(b"}}");
            }
            RequestBody::Verification(v) => {
                let Verification { ins_fourni, traits } = v;
                let InsEntry {
                    id,
                    oid,
                    date_deb,
                    date_fin,
                } = ins_fourni;
                self.raw(b"{\"verification\":{\"ins_fourni\":{\"id\":");
                self.matricule(id);
                self.raw(b",\"oid\":");
                self.str(oid);
                self.raw(b",\"date_deb\":");
                self.opt_str(date_deb.as_deref());
                self.raw(b",\"date_fin\":");
                self.opt_str(date_fin.as_deref());
                self.raw(b"},\"traits\":");
                let VerifiedTraits {
                    nom_naissance,
                    prenom,
                    liste_prenom,
                    sexe,
                    date_naissance,
                    lieu_naissance,
                } = traits;
                self.opt_strs(&[
                    (b"nom_naissance", nom_naissance.as_deref()),
                    (b"prenom", prenom.as_deref()),
                    (b"liste_prenom", liste_prenom.as_deref()),
                    (b"sexe", sexe.as_deref()),
                    (b"date_naissance", date_naissance.as_deref()),
                    (b"lieu_naissance", lieu_naissance.as_deref()),
                ]);
                self.raw(b"}}");
            }
        }
    }

    /// Internally tagged, snake case: `{"kind":"cr","code":"00"}`.
    fn outcome(&mut self, outcome: &Outcome) {
        let (kind, key, value): (&[u8], &[u8], &str) = match outcome {
            Outcome::Cr { code } => (b"cr", b"code", code),
            Outcome::Fault { code } => (b"fault", b"code", code),
            Outcome::AnswerFile { name } => (b"answer_file", b"name", name),
            Outcome::Http { reason } => (b"http", b"reason", reason),
            Outcome::Injected { what } => (b"injected", b"what", what),
            Outcome::TlsFailure { error } => (b"tls_failure", b"error", error),
            Outcome::Ack { code } => (b"ack", b"code", code),
            Outcome::Checked { verdict } => (b"checked", b"verdict", verdict),
            Outcome::ChannelError { error } => (b"channel_error", b"error", error),
        };
        self.raw(b"{\"kind\":\"");
        self.raw(kind);
        self.raw(b"\",\"");
        self.raw(key);
        self.raw(b"\":");
        self.str(value);
        self.raw(b"}");
    }

    fn finding(&mut self, f: &crate::journal::JournalFinding) {
        let insilab_core::rules::Finding {
            rule_id,
            severity,
            message,
            path,
        } = f;
        self.raw(b"{\"rule_id\":");
        self.str(rule_id.as_str());
        self.raw(b",\"severity\":");
        self.str(severity.as_str());
        self.raw(b",\"message\":");
        self.str(message);
        // `skip_serializing_if = "Option::is_none"`.
        if let Some(path) = path {
            self.raw(b",\"path\":");
            self.str(path);
        }
        self.raw(b"}");
    }
}

/// Appends `s` as a JSON string, escaped exactly as `serde_json` escapes it (`\\"`, `\\\\`, the
/// short escapes of `\\b \\f \\n \\r \\t`, `\\u00xx` for the other control characters).
///
/// Raw XML has many quotes and line ends but rarely another control character: when it has
/// none (one branch-free pass), the bytes to escape are found with `memchr3`, and the runs
/// between them are copied whole.
fn push_json_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let other_controls = bytes
        .iter()
        .fold(false, |acc, &b| acc | ((b < 0x20) & (b != b'\n')));
    let mut run = 0;
    if other_controls {
        for (i, &b) in bytes.iter().enumerate() {
            if b >= 0x20 && b != b'"' && b != b'\\' {
                continue;
            }
            out.extend_from_slice(&bytes[run..i]);
            run = i + 1;
            push_escape(out, b);
        }
    } else {
        for i in memchr::memchr3_iter(b'"', b'\\', b'\n', bytes) {
            out.extend_from_slice(&bytes[run..i]);
            run = i + 1;
            push_escape(out, bytes[i]);
        }
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// The JSON escape of `b` (a quote, a backslash or a control character).
fn push_escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        _ => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xf)],
        ]),
    }
}

/// A successful exchange: HTTP 200 with a `RESULTAT`.
pub(crate) fn is_success(entry: &JournalEntry) -> bool {
    entry.http_status == 200 && matches!(entry.outcome, Outcome::Cr { .. })
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::*;
    use crate::journal::sample_entry;

    fn lines(path: &Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn rotates_by_size_and_keeps_n_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let settings = JournalFileSettings {
            max_bytes: MIN_JOURNAL_MAX_BYTES,
            keep_files: 2,
            omit_success_bodies: false,
        };
        let mut f = JsonlFile::open(&path, settings).unwrap();
        let mut entry = sample_entry(Some("T"));
        let one = serde_json::to_vec(&entry).unwrap().len() as u64 + 1;
        let per_file = MIN_JOURNAL_MAX_BYTES / one;
        assert!(per_file >= 2, "the sample line is {one} bytes");
        let total = per_file * 4 + 1;
        for seq in 1..=total {
            entry.seq = seq;
            f.append(&entry).unwrap();
        }
        assert!(f.rotations() >= 3, "{}", f.rotations());
        for p in [path.clone(), rotated_path(&path, 1), rotated_path(&path, 2)] {
            let size = std::fs::metadata(&p).unwrap().len();
            assert!(size <= MIN_JOURNAL_MAX_BYTES, "{}: {size}", p.display());
        }
        assert!(
            !rotated_path(&path, 3).exists(),
            "only 2 rotated files kept"
        );
        // The newest entries are in the current file, the ones before in .1, then .2: the kept
        // files hold a contiguous run of sequence numbers ending with the last one.
        let mut seqs: Vec<u64> = [rotated_path(&path, 2), rotated_path(&path, 1), path.clone()]
            .iter()
            .flat_map(|p| lines(p))
            .map(|l| serde_json::from_str::<JournalEntry>(&l).unwrap().seq)
            .collect();
        assert_eq!(seqs.last(), Some(&total));
        let first = seqs[0];
        seqs.dedup();
        assert_eq!(seqs, (first..=total).collect::<Vec<_>>());
    }

    #[test]
    fn a_line_longer_than_the_cap_goes_whole_into_a_fresh_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let settings = JournalFileSettings {
            max_bytes: MIN_JOURNAL_MAX_BYTES,
            keep_files: 1,
            omit_success_bodies: false,
        };
        let mut f = JsonlFile::open(&path, settings).unwrap();
        let mut entry = sample_entry(None);
        f.append(&entry).unwrap();
        entry.raw_request = "x".repeat(2 * MIN_JOURNAL_MAX_BYTES as usize).into();
        f.append(&entry).unwrap();
        assert_eq!(lines(&path).len(), 1);
        assert_eq!(lines(&rotated_path(&path, 1)).len(), 1);
        let big: JournalEntry = serde_json::from_str(&lines(&path)[0]).unwrap();
        assert_eq!(big.raw_request.len(), 2 * MIN_JOURNAL_MAX_BYTES as usize);
    }

    #[test]
    fn a_line_is_what_serde_json_writes() {
        let mut entry = sample_entry(Some("T"));
        entry.raw_request = "<a x=\"1\">\\ \u{1} \t\r\n\u{8}\u{c} \u{1f} é \u{7f}</a>".into();
        entry.raw_response = "<b y=\"2\">\n\\ \"é\"\n</b>".into();
        entry.findings = vec![crate::journal::JournalFinding::new(
            insilab_core::rules::RuleId::Hdr004,
            Some("Header/MessageID".into()),
            "no \"MessageID\"".into(),
        )];
        for card in [false, true] {
            if card {
                entry.card = Some(crate::card::CardHolder::default());
            }
            let mut line = Vec::new();
            json_line(&mut line, &entry, false, &mut AnswerTexts::default()).unwrap();
            let mut expected = serde_json::to_vec(&entry).unwrap();
            expected.push(b'\n');
            assert_eq!(
                String::from_utf8(line).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
        let mut line = Vec::new();
        json_line(&mut line, &entry, true, &mut AnswerTexts::default()).unwrap();
        let back: JournalEntry = serde_json::from_slice(&line).unwrap();
        assert!(back.raw_request.is_empty() && back.raw_response.is_empty());
        assert_eq!(back.findings, entry.findings);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// The line written by hand is serde_json's line of the entry, byte for byte, for any
        /// entry (every outcome, request body, optional field, escape); with the bodies
        /// omitted, serde_json's line of the entry without them.
        #[test]
        fn any_line_is_what_serde_json_writes(entry in crate::journal::strategies::entry()) {
            let mut line = Vec::new();
            json_line(&mut line, &entry, false, &mut AnswerTexts::default()).unwrap();
            let mut expected = serde_json::to_vec(&entry).unwrap();
            expected.push(b'\n');
            proptest::prop_assert_eq!(String::from_utf8(line).unwrap(), String::from_utf8(expected).unwrap());

            let mut line = Vec::new();
            json_line(&mut line, &entry, true, &mut AnswerTexts::default()).unwrap();
            let mut without = entry.clone();
            without.raw_request = RawBody::new();
            without.raw_response = RawBody::new();
            let mut expected = serde_json::to_vec(&without).unwrap();
            expected.push(b'\n');
            proptest::prop_assert_eq!(line, expected);
        }

        /// Answers shared between entries (as the dataset's are) are written from the kept
        /// JSON texts; every line is still serde_json's, whatever the order, the sharing, the
        /// slices of one buffer, the number of distinct answers.
        #[test]
        fn shared_answers_are_written_as_serde_json_writes_them(
            entries in proptest::collection::vec(crate::journal::strategies::entry(), 1..6),
            picks in proptest::collection::vec(0usize..12, 1..40),
        ) {
            let pool: Vec<RawBody> = entries.iter().map(|e| e.raw_response.clone()).collect();
            let mut answers = AnswerTexts::default();
            for (n, pick) in picks.iter().enumerate() {
                let mut entry = entries[n % entries.len()].clone();
                let shared = &pool[pick % pool.len()];
                // Some answers are a prefix of a kept one: the same buffer, not the same bytes.
                entry.raw_response = if pick % 5 == 4 {
                    RawBody::try_from(shared.as_bytes().slice(..shared.len() / 2))
                        .unwrap_or_default()
                } else {
                    shared.clone()
                };
                let mut line = Vec::new();
                json_line(&mut line, &entry, false, &mut answers).unwrap();
                let mut expected = serde_json::to_vec(&entry).unwrap();
                expected.push(b'\n');
                proptest::prop_assert_eq!(String::from_utf8(line).unwrap(), String::from_utf8(expected).unwrap());
            }
        }
    }

    #[test]
    fn omits_raw_bodies_of_successful_exchanges_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let settings = JournalFileSettings {
            omit_success_bodies: true,
            ..JournalFileSettings::default()
        };
        let mut f = JsonlFile::open(&path, settings).unwrap();
        let mut ok = sample_entry(None);
        ok.http_status = 200;
        ok.outcome = Outcome::Cr { code: "00".into() };
        ok.raw_request = "<request/>".into();
        ok.raw_response = "<answer/>".into();
        let mut fault = ok.clone();
        fault.http_status = 500;
        fault.outcome = Outcome::Fault {
            code: "insi_102".into(),
        };
        f.append(&ok).unwrap();
        f.append(&fault).unwrap();
        let written: Vec<JournalEntry> = lines(&path)
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(written[0].raw_request, "");
        assert_eq!(written[0].raw_response, "");
        assert_eq!(written[1].raw_request, "<request/>");
        assert_eq!(written[1].raw_response, "<answer/>");
    }

    #[test]
    fn settings_out_of_range_are_refused_naming_the_value() {
        let small = JournalFileSettings {
            max_bytes: 10,
            ..JournalFileSettings::default()
        };
        assert!(small.validate().unwrap_err().contains("max_bytes 10"));
        let many = JournalFileSettings {
            keep_files: MAX_JOURNAL_KEEP_FILES + 1,
            ..JournalFileSettings::default()
        };
        assert!(many.validate().unwrap_err().contains("keep_files"));
    }
}
