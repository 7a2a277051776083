//! INSi wire-format benchmarks: reading a `RECSANSVITALE` request (alone, and followed by the
//! `core::rules` request checks), writing a `00` answer with two `INSHISTO`, and the floor of
//! this design, a bare quick-xml namespace-resolving event scan of the same request bytes. The
//! request is read by the public reader (its fast path) and, for comparison, by the full
//! quick-xml reader alone. Run: `cargo bench -p insilab-core --bench insi`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use insilab_core::insi::reader::{Mode, parse_request_with};
use insilab_core::insi::{
    Dialect, Limits, Operation, content_type, parse_request, samples, write_result,
};
use insilab_core::rules::{CheckContext, check_request};
use quick_xml::NsReader;
use quick_xml::events::Event;

/// The typical traits-search fixture (pretty-printed, full headers).
const REQUEST: &[u8] = include_bytes!("../fixtures/insi/request_traits_typical.xml");

/// What any quick-xml based reader must at least do: UTF-8 check, then read and resolve every
/// event. Returns the event count so that the work is not optimised away.
fn bare_scan(xml: &[u8]) -> usize {
    let Ok(text) = std::str::from_utf8(xml) else {
        return 0;
    };
    let mut reader = NsReader::from_str(text);
    let mut events = 0;
    loop {
        match reader.read_resolved_event() {
            Ok((_, Event::Eof)) | Err(_) => return events,
            Ok(_) => events += 1,
        }
    }
}

fn read(c: &mut Criterion) {
    let limits = Limits::default();
    let mut group = c.benchmark_group("insi_read");
    group.throughput(Throughput::Bytes(REQUEST.len() as u64));
    group.bench_function("bare_quick_xml_scan", |b| {
        b.iter(|| bare_scan(black_box(REQUEST)))
    });
    group.bench_function("parse_request_recsansvitale", |b| {
        b.iter(|| parse_request(black_box(REQUEST), &limits))
    });
    group.bench_function("parse_request_recsansvitale_full_reader", |b| {
        b.iter(|| parse_request_with(black_box(REQUEST), &limits, Mode::Full))
    });
    let ct = content_type(Operation::TraitsSearch);
    let ctx = CheckContext {
        content_type: Some(&ct),
        http_action: None,
    };
    group.bench_function("parse_and_check_recsansvitale", |b| {
        b.iter(|| parse_and_check(black_box(REQUEST), &limits, &ctx))
    });
    group.finish();
}

/// Parse then run every request check: the simulator's per-request work on the wire format.
fn parse_and_check(xml: &[u8], limits: &Limits, ctx: &CheckContext<'_>) -> usize {
    match parse_request(xml, limits) {
        Ok(req) => check_request(&req, ctx).len(),
        Err(_) => usize::MAX,
    }
}

fn write(c: &mut Criterion) {
    let result = samples::found_two_histories();
    let mut group = c.benchmark_group("insi_write");
    let len = write_result(&result, Dialect::Live).len();
    group.throughput(Throughput::Bytes(len as u64));
    for dialect in Dialect::ALL {
        group.bench_function(format!("write_result_00_two_inshisto_{dialect}"), |b| {
            b.iter(|| write_result(black_box(&result), dialect))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Short runs: these are regression indicators, not publication figures.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = read, write
}
/// `INSILAB_BENCH_ONLY=<scan|parse|parse-full|check|write> INSILAB_BENCH_ITERS=<n>` runs one workload a fixed
/// number of times and exits, so that `perf stat -e instructions:u` can count instructions:
/// a figure that, unlike time, does not move with the load of a shared machine.
fn fixed_iterations() -> bool {
    let (Ok(only), Ok(iters)) = (
        std::env::var("INSILAB_BENCH_ONLY"),
        std::env::var("INSILAB_BENCH_ITERS"),
    ) else {
        return false;
    };
    let iters: usize = iters.parse().unwrap_or(0);
    let limits = Limits::default();
    let result = samples::found_two_histories();
    let ct = content_type(Operation::TraitsSearch);
    let ctx = CheckContext {
        content_type: Some(&ct),
        http_action: None,
    };
    let mut sink = 0usize;
    for _ in 0..iters {
        sink += match only.as_str() {
            "scan" => bare_scan(black_box(REQUEST)),
            "parse" => usize::from(parse_request(black_box(REQUEST), &limits).is_ok()),
            "parse-full" => {
                usize::from(parse_request_with(black_box(REQUEST), &limits, Mode::Full).is_ok())
            }
            "check" => parse_and_check(black_box(REQUEST), &limits, &ctx),
            "write" => write_result(black_box(&result), Dialect::Live).len(),
            _ => 0,
        };
    }
    black_box(sink);
    true
}

fn main() {
    if fixed_iterations() {
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
