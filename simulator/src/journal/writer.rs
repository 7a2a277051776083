//! The JSONL file's writer thread and the queue that feeds it.
//!
//! The recording threads append each entry's line to the queue's buffer ([`Lines`]) under the
//! ring's lock, so the file gets the entries in `seq` order. The writer thread takes the whole
//! buffer at once (it hands back the one it wrote: the two are swapped, so neither is
//! reallocated), writes it with one `write` per run of lines ([`JsonlFile::write_lines`]),
//! then pauses ([`FILE_WRITER_PAUSE`]) while the next lines gather. A line is copied once, from
//! the recording thread's scratch into the queue; nothing is allocated per line.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crate::journal_file::{JsonlFile, Lines};

/// Lines waiting for the writer thread at most; one more is dropped from the file (counted and
/// logged; the ring keeps it). The writer takes everything waiting at each turn, so the bound is
/// reached only when the disk stalls.
pub const FILE_QUEUE_CAPACITY: usize = 16 * 1024;

/// Bytes of lines waiting for the writer thread at most (the same rule as
/// [`FILE_QUEUE_CAPACITY`], for long lines).
pub const FILE_QUEUE_BYTES: usize = 64 * 1024 * 1024;

/// How long the writer thread pauses after writing what it took, so that the next turn gathers
/// the lines of this time: a thread woken per entry costs a wake-up and two context switches per
/// exchange (measured: more than the line itself), a pause of 2 ms costs none and delays the
/// file by at most that (a sync, [`crate::Journal::flush`], waits for it).
pub const FILE_WRITER_PAUSE: Duration = Duration::from_millis(2);

/// What the recording threads and the writer thread share.
#[derive(Default)]
struct Queue {
    lines: Lines,
    /// Set when the journal goes: the writer writes what is left and ends.
    closing: bool,
    /// Set when the writer thread has ended (or panicked): nothing is queued any more.
    stopped: bool,
    /// Syncs asked for, and the last one the writer thread answered: every line queued before
    /// sync `n` was asked is written once `synced >= n`.
    syncs: u64,
    synced: u64,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    /// The writer thread waits on it for lines, a sync or the end.
    work: Condvar,
    /// Syncs wait on it for the writer thread's turn.
    turned: Condvar,
}

fn lock(m: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    // Nothing is left half-updated by a panic while the queue is held (a push is one append,
    // a take one swap), so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Queue {
    /// Appends the line of entry `seq` unless the queue is full or the writer gone; `Ok(true)`
    /// when it was the first line since the writer's last turn.
    fn push(&mut self, seq: u64, tail: &[u8]) -> Result<bool, Refused> {
        if self.stopped || self.closing {
            return Err(Refused::Stopped);
        }
        // The line is `{"seq":`, at most 20 digits, then `tail`.
        let line_len = crate::journal_line::SEQ_KEY.len() + 20 + tail.len();
        if self.lines.len() >= FILE_QUEUE_CAPACITY
            || self.lines.byte_len().saturating_add(line_len) > FILE_QUEUE_BYTES
        {
            return Err(Refused::Full);
        }
        let was_empty = self.lines.is_empty();
        self.lines.push(seq, tail);
        Ok(was_empty)
    }
}

/// Why a line was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    Full,
    Stopped,
}

impl Refused {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Refused::Full => "the writer's queue is full",
            Refused::Stopped => "the writer thread has stopped",
        }
    }
}

/// The queue to the writer thread, and the thread.
pub(crate) struct FileWriter {
    path: std::path::PathBuf,
    /// The file's `omit_success_bodies` setting, for the lines made by the recording threads.
    omit_success_bodies: bool,
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FileWriter {
    /// Starts the writer thread of `file`; lines it fails to write are counted in `errors`.
    pub(crate) fn start(file: JsonlFile, errors: Arc<AtomicU64>) -> std::io::Result<Self> {
        let path = file.path().to_owned();
        let omit_success_bodies = file.omits_success_bodies();
        let shared = Arc::new(Shared::default());
        let thread = std::thread::Builder::new()
            .name("insilab-journal".into())
            .spawn({
                let shared = Arc::clone(&shared);
                move || {
                    let _stopped = Stopped(&shared);
                    run_as_batch();
                    write_loop(file, &shared, &errors);
                }
            })?;
        Ok(FileWriter {
            path,
            omit_success_bodies,
            shared,
            thread: Some(thread),
        })
    }

    pub(crate) fn path(&self) -> &std::path::Path {
        &self.path
    }

    pub(crate) fn omits_success_bodies(&self) -> bool {
        self.omit_success_bodies
    }

    /// Queues the line of entry `seq` (`{"seq":`, `seq`, then `tail`); never waits for the
    /// disk. Refused when [`FILE_QUEUE_CAPACITY`] lines or [`FILE_QUEUE_BYTES`] bytes are
    /// waiting, or when the writer thread has stopped.
    pub(crate) fn queue(&self, seq: u64, tail: &[u8]) -> Result<(), Refused> {
        let was_empty = lock(&self.shared.queue).push(seq, tail)?;
        // The writer waits only when nothing was queued: only the first line of a turn wakes
        // it (while it pauses, nobody waits and the notification costs nothing).
        if was_empty {
            self.shared.work.notify_one();
        }
        Ok(())
    }

    /// Waits until the writer has written every line queued before this call.
    pub(crate) fn sync(&self) {
        let mut q = lock(&self.shared.queue);
        q.syncs += 1;
        let ticket = q.syncs;
        self.shared.work.notify_one();
        while q.synced < ticket && !q.stopped {
            q = self
                .shared
                .turned
                .wait(q)
                .unwrap_or_else(|p| p.into_inner());
        }
    }
}

impl Drop for FileWriter {
    fn drop(&mut self) {
        // The writer writes what was queued, then ends.
        lock(&self.shared.queue).closing = true;
        self.shared.work.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Marks the queue stopped when the writer thread ends, however it ends: a line queued after
/// that is refused (and counted), and a sync does not wait for it.
struct Stopped<'a>(&'a Shared);

impl Drop for Stopped<'_> {
    fn drop(&mut self) {
        lock(&self.0.queue).stopped = true;
        self.0.turned.notify_all();
    }
}

/// The writer thread's niceness under `SCHED_BATCH`: 0, the default one.
/// `thread-priority` maps its cross-platform value 47 (of 0–99) to niceness 0 for the normal
/// policies (`a_writer_thread_runs_as_batch_with_its_niceness` checks it in `/proc`).
#[cfg(target_os = "linux")]
const NICE_ZERO: u8 = 47;

/// Makes the calling thread (the writer) background work: on Linux, `SCHED_BATCH` at niceness
/// 0. The kernel then never lets it preempt a running thread when it wakes (every
/// [`FILE_WRITER_PAUSE`]): the server's threads finish the exchange in hand first, and its
/// share of the CPU stays what it was. Under load this took the JSONL journal's p99 from
/// 1.55–1.60 to 1.48–1.51 times the bare TLS server's (docs/performance.md). Best effort:
/// elsewhere, or where the system refuses, the thread keeps its default policy.
fn run_as_batch() {
    #[cfg(target_os = "linux")]
    {
        use thread_priority::unix::{
            NormalThreadSchedulePolicy, ThreadSchedulePolicy, set_thread_priority_and_policy,
            thread_native_id,
        };
        let batch = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch);
        let nice_zero = thread_priority::ThreadPriorityValue::try_from(NICE_ZERO)
            .map(thread_priority::ThreadPriority::Crossplatform);
        let set = nice_zero.map_err(|e| e.to_string()).and_then(|p| {
            set_thread_priority_and_policy(thread_native_id(), p, batch).map_err(|e| e.to_string())
        });
        if let Err(error) = set {
            tracing::debug!(%error, "the journal writer keeps the default scheduling policy");
        }
    }
}

/// The writer thread: waits for lines (or a sync, or the end), takes everything queued, writes
/// it, answers the syncs asked before the take, then pauses ([`FILE_WRITER_PAUSE`]).
fn write_loop(mut file: JsonlFile, shared: &Shared, errors: &AtomicU64) {
    let mut taken = Lines::default();
    loop {
        let (closing, syncs) = {
            let mut q = lock(&shared.queue);
            while q.lines.is_empty() && !q.closing && q.synced == q.syncs {
                q = shared.work.wait(q).unwrap_or_else(|p| p.into_inner());
            }
            std::mem::swap(&mut q.lines, &mut taken);
            (q.closing, q.syncs)
        };
        file.write_lines(&taken, errors);
        taken.clear();
        {
            let mut q = lock(&shared.queue);
            q.synced = q.synced.max(syncs);
        }
        shared.turned.notify_all();
        if closing {
            return;
        }
        std::thread::sleep(FILE_WRITER_PAUSE);
    }
}

/// Counts and logs a line the file did not get (it stays in the ring): never silent.
pub(crate) fn refused(w: &FileWriter, errors: &AtomicU64, seq: u64, why: Refused) {
    errors.fetch_add(1, Ordering::Relaxed);
    tracing::error!(path = %w.path().display(), seq, reason = why.reason(), "journal entry dropped from the file");
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn writer(dir: &std::path::Path) -> (FileWriter, Arc<AtomicU64>, std::path::PathBuf) {
        let path = dir.join("j.jsonl");
        let file = JsonlFile::open(&path, crate::JournalFileSettings::default()).unwrap();
        let errors = Arc::new(AtomicU64::new(0));
        (
            FileWriter::start(file, Arc::clone(&errors)).unwrap(),
            errors,
            path,
        )
    }

    #[test]
    fn a_sync_waits_for_every_line_queued_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let (w, errors, path) = writer(dir.path());
        for seq in 1..=1000u64 {
            w.queue(seq, b",\"x\":1}\n").unwrap();
            if seq % 250 == 0 {
                w.sync();
                let text = std::fs::read_to_string(&path).unwrap();
                assert_eq!(text.lines().count() as u64, seq);
                assert_eq!(
                    text.lines().last(),
                    Some(format!("{{\"seq\":{seq},\"x\":1}}").as_str())
                );
            }
        }
        assert_eq!(errors.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn the_lines_queued_are_written_when_the_writer_goes() {
        let dir = tempfile::tempdir().unwrap();
        let (w, _, path) = writer(dir.path());
        for seq in 1..=10u64 {
            w.queue(seq, b"}\n").unwrap();
        }
        drop(w);
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 10);
    }

    #[test]
    fn a_full_queue_refuses_the_line_and_keeps_what_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let (w, errors, path) = writer(dir.path());
        {
            // The lock held throughout: the writer cannot take the queue in between.
            let mut q = lock(&w.shared.queue);
            for seq in 1..=FILE_QUEUE_CAPACITY as u64 {
                assert!(q.push(seq, b"}\n").is_ok());
            }
            let next = FILE_QUEUE_CAPACITY as u64 + 1;
            assert_eq!(q.push(next, b"}\n"), Err(Refused::Full));
        }
        w.shared.work.notify_one();
        w.sync();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), FILE_QUEUE_CAPACITY);
        assert_eq!(
            errors.load(Ordering::Relaxed),
            0,
            "refusals are counted by the journal"
        );
        // Once written, the queue takes lines again.
        w.queue(FILE_QUEUE_CAPACITY as u64 + 2, b"}\n").unwrap();
    }

    /// The thread's scheduling policy and niceness, from `/proc` (fields 41 and 19 of `stat`).
    #[cfg(target_os = "linux")]
    fn policy_and_nice() -> (u32, i32) {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
        // The command name, in parentheses, may hold spaces: fields are counted after it.
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = after.split(' ').collect();
        (
            fields[41 - 3].parse().unwrap(),
            fields[19 - 3].parse().unwrap(),
        )
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_writer_thread_runs_as_batch_with_its_niceness() {
        const SCHED_BATCH: u32 = 3;
        let (policy, nice) = std::thread::spawn(|| {
            run_as_batch();
            policy_and_nice()
        })
        .join()
        .unwrap();
        assert_eq!((policy, nice), (SCHED_BATCH, policy_and_nice().1));
    }

    #[test]
    fn a_line_longer_than_the_byte_bound_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (w, _, _) = writer(dir.path());
        let long = vec![b' '; FILE_QUEUE_BYTES + 1];
        assert_eq!(w.queue(1, &long), Err(Refused::Full));
    }

    #[test]
    fn after_the_writer_stopped_lines_are_refused_and_syncs_do_not_wait() {
        let dir = tempfile::tempdir().unwrap();
        let (w, _, _) = writer(dir.path());
        lock(&w.shared.queue).stopped = true;
        assert_eq!(w.queue(1, b"}\n"), Err(Refused::Stopped));
        w.sync();
    }
}
