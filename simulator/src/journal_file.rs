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

#[cfg(test)]
use crate::journal::JournalEntry;
use crate::journal_line::SEQ_KEY;
#[cfg(test)]
use crate::journal_line::{AnswerTexts, line_tail};

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

/// Lines for the file, one after the other, with each line's `seq` and length: what the
/// recording threads queue for the writer thread, which writes them with one `write` per run
/// of lines that fits in the current file ([`JsonlFile::write_lines`]).
#[derive(Debug, Default)]
pub(crate) struct Lines {
    bytes: Vec<u8>,
    /// Each line's `seq` and length in `bytes`, in order.
    index: Vec<(u64, usize)>,
}

impl Lines {
    /// Appends the line of entry `seq`: `{"seq":` and `seq`, then `tail` (written by
    /// [`crate::journal_line::line_tail`]).
    pub(crate) fn push(&mut self, seq: u64, tail: &[u8]) {
        let mut number = itoa::Buffer::new();
        let number = number.format(seq).as_bytes();
        self.bytes.extend_from_slice(SEQ_KEY);
        self.bytes.extend_from_slice(number);
        self.bytes.extend_from_slice(tail);
        self.index
            .push((seq, SEQ_KEY.len() + number.len() + tail.len()));
    }

    /// How many lines.
    pub(crate) fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether there is none.
    pub(crate) fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Their bytes.
    pub(crate) fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// Empties them. A buffer larger than [`KEPT_BYTES`] is given back (down to that) once the
    /// lines it held filled less than a quarter of it: what a burst grew goes, what steady
    /// traffic fills stays, so that it is not grown again at every turn of the writer.
    pub(crate) fn clear(&mut self) {
        let (used, lines) = (self.bytes.len(), self.index.len());
        self.bytes.clear();
        self.index.clear();
        if self.bytes.capacity() > KEPT_BYTES && used < self.bytes.capacity() / 4 {
            self.bytes.shrink_to(KEPT_BYTES.max(used));
            self.index.shrink_to(lines);
        }
    }

    /// The buffer's capacity.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.bytes.capacity()
    }
}

/// The open JSONL file and its rotation state.
#[derive(Debug)]
pub(crate) struct JsonlFile {
    path: PathBuf,
    settings: JournalFileSettings,
    file: std::fs::File,
    /// Bytes in the current file (its length when opened, plus what was appended).
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
        let mut tail = Vec::new();
        let omit = self.settings.omit_success_bodies;
        line_tail(
            &mut tail,
            entry,
            entry.request_body.as_ref(),
            omit,
            &mut AnswerTexts::default(),
        );
        let mut lines = Lines::default();
        lines.push(entry.seq, &tail);
        self.write_lines(&lines, &errors);
        match errors.into_inner() {
            0 => Ok(()),
            n => Err(std::io::Error::other(format!("{n} entries dropped"))),
        }
    }

    /// Whether successful exchanges' raw bodies are left out (the `omit_success_bodies` of
    /// [`crate::journal_line::line_tail`]).
    pub(crate) fn omits_success_bodies(&self) -> bool {
        self.settings.omit_success_bodies
    }

    /// Appends `lines` to the file: each run of lines that fits in the current file with one
    /// `write_all`, straight from their buffer. When a line would take the current file over
    /// the cap, the file is rotated before it (a line longer than the cap goes whole into a
    /// fresh file). A line that cannot be written (failed write or rotation) is counted in
    /// `errors` and logged with its `seq`, never dropped silently.
    pub(crate) fn write_lines(&mut self, lines: &Lines, errors: &AtomicU64) {
        // The run of lines not yet written: from byte `start`, entries `first..=last`, `n`.
        let (mut start, mut end) = (0usize, 0usize);
        let (mut first, mut last, mut n) = (0u64, 0u64, 0u64);
        for &(seq, len) in &lines.index {
            let grown = self.written.saturating_add(len as u64);
            if self.written > 0 && grown > self.settings.max_bytes {
                self.write_run(&lines.bytes[start..end], (first, last, n), errors);
                (start, n) = (end, 0);
                if let Err(e) = self.rotate() {
                    self.dropped(errors, seq, seq, 1, &e);
                    end += len;
                    start = end;
                    continue;
                }
            }
            if n == 0 {
                first = seq;
            }
            (last, n) = (seq, n + 1);
            end += len;
            self.written = self.written.saturating_add(len as u64);
        }
        self.write_run(&lines.bytes[start..end], (first, last, n), errors);
    }

    /// Writes `bytes`, the lines of entries `first..=last` (`n` of them); on failure they
    /// are counted in `errors` and logged (their `seq` range).
    fn write_run(&mut self, bytes: &[u8], (first, last, n): (u64, u64, u64), errors: &AtomicU64) {
        if n == 0 {
            return;
        }
        if let Err(e) = self.file.write_all(bytes) {
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

/// A [`Lines`] buffer keeps at most this capacity once written: the buffers the recording
/// threads fill and the writer thread writes are swapped back and forth, and one grown by a
/// burst is shrunk back to this.
pub(crate) const KEPT_BYTES: usize = 4 * 1024 * 1024;

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::*;
    use crate::journal::{Outcome, sample_entry};

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
    fn lines_written_at_once_are_split_between_files_at_line_ends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let settings = JournalFileSettings {
            max_bytes: MIN_JOURNAL_MAX_BYTES,
            keep_files: 10,
            omit_success_bodies: false,
        };
        let mut f = JsonlFile::open(&path, settings).unwrap();
        let mut lines = Lines::default();
        let tail = format!(",\"pad\":\"{}\"}}\n", "x".repeat(300));
        for seq in 1..=40u64 {
            lines.push(seq, tail.as_bytes());
        }
        let errors = AtomicU64::new(0);
        f.write_lines(&lines, &errors);
        assert_eq!(errors.into_inner(), 0);
        assert!(f.rotations() >= 2, "{}", f.rotations());
        let mut seqs = Vec::new();
        for n in (1..=f.rotations() as usize).rev() {
            let p = rotated_path(&path, n);
            assert!(std::fs::metadata(&p).unwrap().len() <= MIN_JOURNAL_MAX_BYTES);
            seqs.extend(lines_seqs(&p));
        }
        seqs.extend(lines_seqs(&path));
        assert_eq!(seqs, (1..=40).collect::<Vec<u64>>());
    }

    #[test]
    fn a_buffer_filled_by_steady_traffic_is_kept_and_one_grown_by_a_burst_given_back() {
        let line = vec![b' '; 1024];
        let fill = |lines: &mut Lines, bytes: usize| {
            for seq in 0..(bytes / line.len()) as u64 {
                lines.push(seq, &line);
            }
        };
        let mut lines = Lines::default();
        fill(&mut lines, 3 * KEPT_BYTES);
        let grown = lines.capacity();
        lines.clear();
        assert_eq!(lines.capacity(), grown, "filled: kept");
        assert!(lines.is_empty() && lines.byte_len() == 0);
        fill(&mut lines, KEPT_BYTES / 8);
        lines.clear();
        assert!(lines.capacity() <= KEPT_BYTES, "{} kept", lines.capacity());
    }

    fn lines_seqs(path: &Path) -> Vec<u64> {
        lines(path)
            .iter()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"]
                    .as_u64()
                    .unwrap()
            })
            .collect()
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
