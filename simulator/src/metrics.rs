//! Prometheus metrics.
//!
//! One job: count exchanges by operation and outcome, keep a latency histogram, and render
//! them in the Prometheus text exposition format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Upper bounds of the latency histogram buckets, in seconds.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0,
];

/// The metrics registry (cheap to clone).
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// The exchange counters, one set per thread that records exchanges, added up by
    /// [`Metrics::render`]: two server threads counting into one set made its cache lines go
    /// back and forth between their cores at every exchange (docs/performance.md).
    shards: thread_local::ThreadLocal<Shard>,
    tls_failures: AtomicU64,
    dropped_slow_clients: AtomicU64,
}

/// One thread's exchange counters, alone on its cache lines.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Shard {
    requests: Mutex<BTreeMap<String, BTreeMap<String, u64>>>,
    /// Exchanges per latency bucket, *not* cumulative: `buckets[i]` counts the durations in
    /// `(LATENCY_BUCKETS[i-1], LATENCY_BUCKETS[i]]`, the last one those above every bound. An
    /// exchange touches one counter; [`Metrics::render`] adds them up into Prometheus's
    /// cumulative buckets, and their total is the count.
    buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    sum_us: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Metrics {
    /// Counts one exchange.
    pub fn observe(&self, operation: &str, outcome: &str, duration: std::time::Duration) {
        let shard = self.inner.shards.get_or_default();
        {
            let mut m = lock(&shard.requests);
            // Looked up by reference first: the steady state allocates nothing.
            if !m.contains_key(operation) {
                m.insert(operation.to_owned(), BTreeMap::new());
            }
            if let Some(by_outcome) = m.get_mut(operation) {
                match by_outcome.get_mut(outcome) {
                    Some(n) => *n += 1,
                    None => {
                        by_outcome.insert(outcome.to_owned(), 1);
                    }
                }
            }
        }
        let secs = duration.as_secs_f64();
        let bucket = LATENCY_BUCKETS
            .iter()
            .position(|le| secs <= *le)
            .unwrap_or(LATENCY_BUCKETS.len());
        if let Some(n) = shard.buckets.get(bucket) {
            n.fetch_add(1, Ordering::Relaxed);
        }
        let us = u64::try_from(duration.as_micros()).unwrap_or(u64::MAX);
        shard.sum_us.fetch_add(us, Ordering::Relaxed);
    }

    /// Counts a failed TLS handshake.
    pub fn tls_failure(&self) {
        self.inner.tls_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a client dropped for being too slow.
    pub fn slow_client(&self) {
        self.inner
            .dropped_slow_clients
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Renders the Prometheus text format; `journal_file_errors` comes from the journal.
    pub fn render(&self, journal_file_errors: u64) -> String {
        let mut s = String::new();
        s.push_str("# HELP insilab_requests_total INSi exchanges by operation and outcome.\n");
        s.push_str("# TYPE insilab_requests_total counter\n");
        // The threads' counters added up.
        let mut requests: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        let mut buckets = [0u64; LATENCY_BUCKETS.len() + 1];
        let mut sum_us = 0u64;
        for shard in self.inner.shards.iter() {
            for (op, by_outcome) in lock(&shard.requests).iter() {
                let into = requests.entry(op.clone()).or_default();
                for (outcome, n) in by_outcome {
                    *into.entry(outcome.clone()).or_default() += n;
                }
            }
            for (total, n) in buckets.iter_mut().zip(&shard.buckets) {
                *total += n.load(Ordering::Relaxed);
            }
            sum_us = sum_us.saturating_add(shard.sum_us.load(Ordering::Relaxed));
        }
        for (op, outcome, n) in requests
            .iter()
            .flat_map(|(op, o)| o.iter().map(move |(outcome, n)| (op, outcome, n)))
        {
            let _ = writeln!(
                s,
                "insilab_requests_total{{operation=\"{}\",outcome=\"{}\"}} {n}",
                escape(op),
                escape(outcome)
            );
        }
        s.push_str(
            "# HELP insilab_request_duration_seconds Time from complete request to answer.\n",
        );
        s.push_str("# TYPE insilab_request_duration_seconds histogram\n");
        let mut count = 0u64;
        for (le, n) in LATENCY_BUCKETS.iter().zip(&buckets) {
            count += n;
            let _ = writeln!(
                s,
                "insilab_request_duration_seconds_bucket{{le=\"{le}\"}} {count}"
            );
        }
        if let Some(above) = buckets.last() {
            count += above;
        }
        let _ = writeln!(
            s,
            "insilab_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let sum = sum_us as f64 / 1e6;
        let _ = writeln!(s, "insilab_request_duration_seconds_sum {sum}");
        let _ = writeln!(s, "insilab_request_duration_seconds_count {count}");
        let counters = [
            (
                "insilab_tls_handshake_failures_total",
                "Failed TLS handshakes.",
                self.inner.tls_failures.load(Ordering::Relaxed),
            ),
            (
                "insilab_slow_clients_dropped_total",
                "Connections dropped by a read timeout.",
                self.inner.dropped_slow_clients.load(Ordering::Relaxed),
            ),
            (
                "insilab_journal_file_errors_total",
                "Journal entries that could not be appended to the JSONL file.",
                journal_file_errors,
            ),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        }
        s
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histogram() {
        let m = Metrics::default();
        m.observe(
            "traits_search",
            "cr_00",
            std::time::Duration::from_micros(300),
        );
        m.observe("traits_search", "cr_00", std::time::Duration::from_secs(2));
        let text = m.render(0);
        assert!(
            text.contains(
                "insilab_requests_total{operation=\"traits_search\",outcome=\"cr_00\"} 2"
            )
        );
        // Cumulative buckets: the 300 µs exchange counts from 0.0005 on, the 2 s one only in +Inf.
        for (le, n) in [
            ("0.00025", 0),
            ("0.0005", 1),
            ("0.1", 1),
            ("1", 1),
            ("+Inf", 2),
        ] {
            let line = format!("insilab_request_duration_seconds_bucket{{le=\"{le}\"}} {n}\n");
            assert!(text.contains(&line), "{line} not in\n{text}");
        }
        assert!(text.contains("insilab_request_duration_seconds_count 2\n"));
        assert!(text.contains("insilab_request_duration_seconds_sum 2.0003\n"));
    }

    #[test]
    fn the_counts_of_every_thread_are_added_up() {
        let m = Metrics::default();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..250 {
                        m.observe(
                            "traits_search",
                            "cr_00",
                            std::time::Duration::from_micros(300),
                        );
                    }
                    m.observe("verification", "cr_00", std::time::Duration::from_secs(2));
                });
            }
        });
        let text = m.render(0);
        for line in [
            "insilab_requests_total{operation=\"traits_search\",outcome=\"cr_00\"} 1000\n",
            "insilab_requests_total{operation=\"verification\",outcome=\"cr_00\"} 4\n",
            "insilab_request_duration_seconds_bucket{le=\"0.0005\"} 1000\n",
            "insilab_request_duration_seconds_bucket{le=\"+Inf\"} 1004\n",
            "insilab_request_duration_seconds_count 1004\n",
            "insilab_request_duration_seconds_sum 8.3\n",
        ] {
            assert!(text.contains(line), "{line} not in\n{text}");
        }
    }
}
