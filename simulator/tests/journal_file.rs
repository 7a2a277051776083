//! The JSONL journal over the wire: rotation by size keeps the disk bounded while every
//! exchange stays in the kept files, and an entry the file cannot take is counted in the metrics
//! (never dropped silently).
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on any unexpected error"
)]

#[expect(
    dead_code,
    reason = "the helpers are shared with e2e.rs; not all are used here"
)]
mod common;

use common::*;
use insilab_simulator::journal_file::MIN_JOURNAL_MAX_BYTES;
use insilab_simulator::{JournalEntry, JournalFileSettings};

fn metric(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_rotates_by_size_keeps_n_files_and_loses_no_recent_entry() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let p = path.clone();
    let sim = start(&pki, move |c| {
        c.journal_file = Some(p);
        c.journal_file_settings = JournalFileSettings {
            max_bytes: MIN_JOURNAL_MAX_BYTES * 4,
            keep_files: 2,
            omit_success_bodies: true,
        };
    })
    .await;
    let mut conn = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    let requests = 60;
    for _ in 0..requests {
        let (s, _) = conn
            .search(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
            .await;
        assert_eq!(s, 200);
    }
    sim.journal().flush().unwrap();
    let rotated = |n: usize| dir.path().join(format!("journal.jsonl.{n}"));
    assert!(
        rotated(1).exists() && rotated(2).exists(),
        "rotated twice at least"
    );
    assert!(!rotated(3).exists(), "only 2 rotated files kept");
    let mut seqs = Vec::new();
    for file in [rotated(2), rotated(1), path.clone()] {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.len() as u64 <= MIN_JOURNAL_MAX_BYTES * 4,
            "{}",
            file.display()
        );
        for line in text.lines() {
            let e: JournalEntry = serde_json::from_str(line).unwrap();
            assert!(
                e.raw_request.is_empty() && e.raw_response.is_empty(),
                "bodies omitted"
            );
            seqs.push(e.seq);
        }
    }
    // The kept files hold the newest entries, each once, in order, ending with the last.
    let last = sim.journal().last_seq();
    assert_eq!(seqs.last(), Some(&last));
    let first = seqs[0];
    assert_eq!(seqs, (first..=last).collect::<Vec<_>>());
    assert_eq!(
        metric(&sim.metrics_text(), "insilab_journal_file_errors_total"),
        Some(0)
    );
    // The ring still has the raw bodies.
    let ring = sim.journal().entries();
    assert!(!ring.last().unwrap().raw_response.is_empty());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_the_file_cannot_take_is_counted_in_the_metrics() {
    let full = std::path::Path::new("/dev/full");
    if !full.exists() {
        insilab_testkit::skip(
            "journal drop counter",
            "/dev/full is not available on this system",
        );
        return;
    }
    let pki = pki();
    let sim = start(&pki, |c| c.journal_file = Some(full.to_owned())).await;
    let mut conn = connect(&pki, Some("insi-auto"), addr_of(&sim.endpoint_url()))
        .await
        .unwrap();
    for _ in 0..3 {
        let (s, _) = conn
            .search(traits("ADRUN", &["ZOE"], "F", "1975-12-31", None))
            .await;
        assert_eq!(
            s, 200,
            "the exchange is served even if the file cannot take it"
        );
    }
    assert_eq!(sim.journal().file_errors(), 3);
    assert_eq!(
        metric(&sim.metrics_text(), "insilab_journal_file_errors_total"),
        Some(3)
    );
    assert_eq!(sim.journal().len(), 3, "the ring keeps them");
    sim.shutdown().await;
}
