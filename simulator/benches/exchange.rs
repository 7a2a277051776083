//! The simulator's per-request work without sockets: `exchange::process` (read the envelope,
//! the `core::rules` checks, access, matching, the answer in the dialect) then the journal entry
//! built and recorded in the ring, as the server does for every `POST /lps`.
//!
//! Run: `cargo bench -p insilab-simulator --bench exchange`. For an instruction count that the
//! load of a shared machine does not move:
//! `EXCHANGE_ONLY=<process|journal|jsonl> EXCHANGE_ITERS=<n> valgrind --tool=callgrind <bench binary>`
//! runs one workload `n` times and exits (subtract a run with `n = 0` for the start-up); with a
//! journal, its ring (`EXCHANGE_RING=<n>` entries, default the simulator's 10 000) is filled
//! first, so the `n` exchanges are the steady state where each entry overwrites the oldest.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark binary, not an input path"
)]

#[path = "support/request.rs"]
mod request;

/// The allocator of the `insilab` binary (docs/performance.md: chosen by measurement).
#[cfg(not(feature = "bench-system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::HashSet;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use insilab_core::insi::Operation;
use insilab_core::insi::reader::Limits;
use insilab_core::insi::writer::{self, Dialect};
use insilab_simulator::dataset::Dataset;
use insilab_simulator::exchange::{
    self, Behaviourals, ExchangeContext, Listener, Reply, Transport,
};
use insilab_simulator::journal::ClientCertificate;
use insilab_simulator::overrides::Overrides;
use insilab_simulator::validation::FaultPolicy;
use insilab_simulator::{Journal, JournalFileSettings};

struct World {
    dataset: Dataset,
    registry: HashSet<String>,
    overrides: Overrides,
    limits: Limits,
    policy: FaultPolicy,
    client: ClientCertificate,
    content_type: String,
    body: bytes::Bytes,
}

impl World {
    fn new() -> Self {
        World {
            dataset: Dataset::embedded_default().expect("default dataset"),
            registry: ["PDP17NF21DD0".to_string()].into_iter().collect(),
            overrides: Overrides::default(),
            limits: Limits::default(),
            policy: FaultPolicy::default(),
            client: ClientCertificate {
                subject: "CN=INSI-AUTO,OU=TENANT-A,O=insilab test".into(),
                issuer: "CN=insilab test ORG CA".into(),
                serial: "01".into(),
                cn: Some("INSI-AUTO".into()),
                ou: Some("TENANT-A".into()),
            },
            content_type: writer::content_type(Operation::TraitsSearch),
            body: request::search_body(),
        }
    }

    /// One exchange as the server runs it; returns the answer's length.
    fn exchange(&self, journal: Option<&Journal>) -> usize {
        let b = Behaviourals {
            dataset: &self.dataset,
            dialect: Dialect::Live,
            idam_registry: &self.registry,
            overrides: &self.overrides,
            reader_limits: &self.limits,
            fault_policy: &self.policy,
        };
        let ctx = ExchangeContext {
            listener: Listener::Mtls,
            client: Some(&self.client),
            content_type: Some(&self.content_type),
            card: None,
        };
        let processed = exchange::process(&b, &ctx, &self.body);
        let Some(journal) = journal else {
            return processed.reply.sent_body().len();
        };
        let transport = Transport {
            tls_version: Some("TLSv1_3"),
            path: "/lps",
            elapsed: Duration::from_micros(7),
        };
        let (reply, _) =
            exchange::record_exchange(journal, &ctx, &transport, &self.body, processed, None);
        reply.sent_body().len()
    }
}

/// Checks once that the exchange answers `CodeCR 00` (a bench of a fault would be meaningless).
fn assert_found(world: &World) {
    let b = Behaviourals {
        dataset: &world.dataset,
        dialect: Dialect::Live,
        idam_registry: &world.registry,
        overrides: &world.overrides,
        reader_limits: &world.limits,
        fault_policy: &world.policy,
    };
    let ctx = ExchangeContext {
        listener: Listener::Mtls,
        client: Some(&world.client),
        content_type: Some(&world.content_type),
        card: None,
    };
    let p = exchange::process(&b, &ctx, &world.body);
    let Reply::Full {
        status: 200, body, ..
    } = &p.reply
    else {
        panic!("the bench request must be answered 200: {:?}", p.reply);
    };
    assert!(
        std::str::from_utf8(body)
            .unwrap()
            .contains("<CodeCR>00</CodeCR>"),
        "the bench request must find its person"
    );
}

/// The journal's ring in the benches: the simulator's default.
const RING: usize = insilab_simulator::config::DEFAULT_JOURNAL_CAPACITY;

fn jsonl_journal(dir: &tempfile::TempDir, ring: usize) -> Journal {
    Journal::with_file_settings(
        ring,
        Some(&dir.path().join("journal.jsonl")),
        JournalFileSettings::default(),
    )
    .unwrap()
}

fn benches(c: &mut Criterion) {
    let world = World::new();
    assert_found(&world);
    let mut group = c.benchmark_group("exchange");
    group.throughput(Throughput::Elements(1));
    group.bench_function("process_traits_search_00", |b| {
        b.iter(|| world.exchange(None))
    });
    let ring = Journal::new(RING, None).unwrap();
    group.bench_function("process_and_journal_ring", |b| {
        b.iter(|| world.exchange(Some(black_box(&ring))))
    });
    let dir = tempfile::tempdir().unwrap();
    let jsonl = jsonl_journal(&dir, RING);
    group.bench_function("process_and_journal_jsonl", |b| {
        b.iter(|| world.exchange(Some(black_box(&jsonl))))
    });
    group.finish();
}

criterion_group! {
    name = group;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = benches
}

/// `EXCHANGE_ONLY` and `EXCHANGE_ITERS`: one workload a fixed number of times, for callgrind.
fn fixed_iterations() -> bool {
    let (Ok(only), Ok(iters)) = (
        std::env::var("EXCHANGE_ONLY"),
        std::env::var("EXCHANGE_ITERS"),
    ) else {
        return false;
    };
    let iters: usize = iters.parse().unwrap_or(0);
    let ring: usize = std::env::var("EXCHANGE_RING")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(RING);
    let world = World::new();
    let dir = tempfile::tempdir().unwrap();
    let journal = match only.as_str() {
        "process" => None,
        "journal" => Some(Journal::new(ring, None).unwrap()),
        "jsonl" => Some(jsonl_journal(&dir, ring)),
        other => panic!("EXCHANGE_ONLY={other}: use process, journal or jsonl"),
    };
    // Warm: the first exchange allocates what later ones reuse, and a full ring measures the
    // steady state (each entry overwrites the oldest).
    let mut sink = world.exchange(journal.as_ref());
    if journal.is_some() {
        for _ in 0..ring {
            sink += world.exchange(journal.as_ref());
        }
    }
    for _ in 0..iters {
        sink += world.exchange(black_box(journal.as_ref()));
    }
    black_box(sink);
    true
}

fn main() {
    if fixed_iterations() {
        return;
    }
    group();
    Criterion::default().configure_from_args().final_summary();
}
