//! Load generator: traits searches per second and latency of the simulator (journal on: the
//! ring, then the ring and a JSONL file) against the **baseline**, a minimal hyper + rustls server
//! in the same process with the same `rustls::ServerConfig` that reads the whole request body
//! into one buffer (as the simulator does) and answers the simulator's own answer bytes; the
//! full-handshake connection rate; and the process RSS after `LOADGEN_RSS_REQUESTS` simulator
//! requests.
//!
//! Run: `cargo bench -p insilab-simulator --bench loadgen` (release build). Settings through the
//! environment: `LOADGEN_CONNECTIONS` (default 32), `LOADGEN_SECS` per measurement (default 2),
//! `LOADGEN_ROUNDS` of the three keep-alive measurements, interleaved (default 3),
//! `LOADGEN_RSS_REQUESTS` (default 1000000, 0 skips it), `LOADGEN_JOURNAL_CAPACITY` (the
//! simulators' ring, default the simulator's 10 000), `LOADGEN_OMIT_SUCCESS_BODIES=1` (the JSONL
//! file's `omit_success_bodies` setting, off by default as in the simulator),
//! `LOADGEN_ONLY=simulator`, `jsonl` or `baseline` (that server's keep-alive run only, for
//! profilers). Figures are printed; see docs/performance.md.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark binary, not an input path"
)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "support/request.rs"]
mod request;

/// The allocator of the `insilab` binary (docs/performance.md: chosen by measurement).
#[cfg(not(feature = "bench-system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioIo, TokioTimer};
use insilab_core::insi::{Operation, writer};
use insilab_simulator::{Simulator, SimulatorConfig, SimulatorHandle, TlsSource};
use tokio::net::{TcpListener, TcpStream};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The baseline: hyper + rustls with the same server configuration, reading the whole request
/// body into one contiguous buffer, then answering fixed bytes (the simulator's answer).
async fn baseline_server(cfg: Arc<rustls::ServerConfig>, body: Bytes) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(cfg);
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let (acceptor, body) = (acceptor.clone(), body.clone());
            tokio::spawn(async move {
                let _ = tcp.set_nodelay(true);
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let body = body.clone();
                        async move {
                            let read = req.into_body().collect().await;
                            let len = read.map(|b| b.to_bytes().len()).unwrap_or(0);
                            std::hint::black_box(len);
                            let mut r = hyper::Response::new(Full::new(body));
                            r.headers_mut().insert(
                                "content-type",
                                hyper::header::HeaderValue::from_static(
                                    "application/soap+xml; charset=utf-8",
                                ),
                            );
                            Ok::<_, Infallible>(r)
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    addr
}

async fn open(
    cfg: Arc<rustls::ClientConfig>,
    addr: SocketAddr,
) -> hyper::client::conn::http1::SendRequest<Full<Bytes>> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let tls = tokio_rustls::TlsConnector::from(cfg)
        .connect(name, tcp)
        .await
        .unwrap();
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .unwrap();
    tokio::spawn(conn);
    sender
}

async fn one(
    sender: &mut hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    body: &Bytes,
    ct: &str,
) {
    sender.ready().await.unwrap();
    let req = hyper::Request::post("/lps")
        .header("host", "localhost")
        .header("content-type", ct)
        .body(Full::new(body.clone()))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    assert!(resp.status().is_success(), "status {}", resp.status());
    let _ = resp.into_body().collect().await.unwrap();
}

struct Figures {
    rps: f64,
    p50_us: u64,
    p99_us: u64,
    requests: usize,
}

/// Latencies (µs) of one keep-alive run and how long it took, before aggregation.
struct Run {
    latencies: Vec<u64>,
    secs: f64,
}

impl Run {
    fn figures(runs: &[&Run]) -> Figures {
        let mut all: Vec<u64> = runs
            .iter()
            .flat_map(|r| r.latencies.iter().copied())
            .collect();
        let secs: f64 = runs.iter().map(|r| r.secs).sum();
        all.sort_unstable();
        let pct = |p: f64| {
            all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
                .copied()
                .unwrap_or(0)
        };
        Figures {
            rps: all.len() as f64 / secs.max(f64::EPSILON),
            p50_us: pct(0.50),
            p99_us: pct(0.99),
            requests: all.len(),
        }
    }
}

/// `connections` keep-alive connections sending searches back to back for `secs`; the clock
/// starts once every connection is open (the handshakes are measured apart).
async fn keep_alive(
    cfg: Arc<rustls::ClientConfig>,
    addr: SocketAddr,
    connections: u64,
    secs: u64,
    body: Bytes,
) -> Run {
    let ct = writer::content_type(Operation::TraitsSearch);
    let ready = Arc::new(tokio::sync::Barrier::new(
        usize::try_from(connections).unwrap() + 1,
    ));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (cfg, body, ct, ready) = (
            Arc::clone(&cfg),
            body.clone(),
            ct.clone(),
            Arc::clone(&ready),
        );
        tasks.push(tokio::spawn(async move {
            let mut sender = open(cfg, addr).await;
            ready.wait().await;
            let deadline = Instant::now() + Duration::from_secs(secs);
            let mut lat = Vec::with_capacity(1 << 16);
            while Instant::now() < deadline {
                let t = Instant::now();
                one(&mut sender, &body, &ct).await;
                lat.push(u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX));
            }
            lat
        }));
    }
    ready.wait().await;
    let start = Instant::now();
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    Run {
        latencies,
        secs: start.elapsed().as_secs_f64(),
    }
}

/// New connection (full handshake, TLS 1.3, client certificate) + one search, per iteration.
async fn handshakes(
    cfg: Arc<rustls::ClientConfig>,
    addr: SocketAddr,
    parallel: u64,
    secs: u64,
    body: Bytes,
) -> f64 {
    let ct = writer::content_type(Operation::TraitsSearch);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..parallel {
        let (cfg, body, ct) = (Arc::clone(&cfg), body.clone(), ct.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                let mut s = open(Arc::clone(&cfg), addr).await;
                one(&mut s, &body, &ct).await;
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / start.elapsed().as_secs_f64()
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The simulators' ring capacity: `LOADGEN_JOURNAL_CAPACITY`, by default the simulator's own
/// default (10 000 entries).
fn journal_capacity() -> usize {
    usize::try_from(env_or(
        "LOADGEN_JOURNAL_CAPACITY",
        insilab_simulator::config::DEFAULT_JOURNAL_CAPACITY as u64,
    ))
    .unwrap_or(insilab_simulator::config::DEFAULT_JOURNAL_CAPACITY)
}

/// One simulator in this process, with the ring journal or the ring and a JSONL file.
async fn start_simulator(
    pki: &Arc<insilab_certs::Pki>,
    jsonl: Option<&std::path::Path>,
) -> (SimulatorHandle, SocketAddr, Duration) {
    let t = Instant::now();
    let mut config = SimulatorConfig::ephemeral(TlsSource::Pki(Arc::clone(pki)));
    config.limits.max_connections = 1024;
    config.journal_file = jsonl.map(std::path::Path::to_owned);
    config.journal_file_settings.omit_success_bodies =
        env_or("LOADGEN_OMIT_SUCCESS_BODIES", 0) == 1;
    config.journal_capacity = journal_capacity();
    let sim = Simulator::start(config).await.unwrap();
    let startup = t.elapsed();
    let addr: SocketAddr = sim
        .endpoint_url()
        .trim_start_matches("https://")
        .trim_end_matches("/lps")
        .parse()
        .unwrap();
    (sim, addr, startup)
}

fn line(name: &str, f: &Figures) {
    println!(
        "{name:<28} {:>9.0} req/s  p50 {:>6} us  p99 {:>6} us  ({} requests)",
        f.rps, f.p50_us, f.p99_us, f.requests
    );
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    let connections = env_or("LOADGEN_CONNECTIONS", 32);
    let secs = env_or("LOADGEN_SECS", 2);
    let rss_requests = env_or("LOADGEN_RSS_REQUESTS", 1_000_000);
    let rounds = env_or("LOADGEN_ROUNDS", 3).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let pki = Arc::new(insilab_certs::testing::shared_pki().expect("shared test PKI"));
        let client = Arc::new(pki.client_config("insi-auto").unwrap());
        let body = request::search_body();
        let dir = tempfile::tempdir().unwrap();
        let (sim, sim_addr, startup) = start_simulator(&pki, None).await;
        let (sim_jsonl, jsonl_addr, _) =
            start_simulator(&pki, Some(&dir.path().join("journal.jsonl"))).await;

        // The baseline answers what the simulator answers, byte for byte.
        let mut probe = open(Arc::clone(&client), sim_addr).await;
        probe.ready().await.unwrap();
        let resp = probe
            .send_request(
                hyper::Request::post("/lps")
                    .header("host", "localhost")
                    .header("content-type", writer::content_type(Operation::TraitsSearch))
                    .body(Full::new(body.clone()))
                    .unwrap(),
            )
            .await
            .unwrap();
        let fixed = resp.into_body().collect().await.unwrap().to_bytes();
        let base_cfg =
            Arc::new(pki.server_config("server", insilab_certs::ClientAuth::Required).unwrap());
        let base_addr = baseline_server(base_cfg, fixed).await;

        println!(
            "loadgen: {connections} keep-alive connections, {rounds} rounds of {secs} s per server, journal ring capacity {}, JSONL omit_success_bodies {}; load average {}",
            journal_capacity(),
            env_or("LOADGEN_OMIT_SUCCESS_BODIES", 0) == 1,
            load_average()
        );
        println!(
            "simulator start (PKI loaded, dataset parsed, sockets bound): {:.1} ms",
            startup.as_secs_f64() * 1e3
        );
        let only = std::env::var("LOADGEN_ONLY").unwrap_or_default();
        if let Some((name, addr)) = match only.as_str() {
            "simulator" => Some(("simulator (ring journal)", sim_addr)),
            "jsonl" => Some(("simulator (ring + JSONL)", jsonl_addr)),
            "baseline" => Some(("baseline (reads the body)", base_addr)),
            _ => None,
        } {
            // For profilers (`perf stat`, `perf record`): one server's keep-alive run only.
            let r = keep_alive(Arc::clone(&client), addr, connections, secs, body.clone()).await;
            line(name, &Run::figures(&[&r]));
            return;
        }
        // Warm up all three.
        for addr in [base_addr, sim_addr, jsonl_addr] {
            keep_alive(Arc::clone(&client), addr, connections, 1, body.clone()).await;
        }
        let ka = |addr| keep_alive(Arc::clone(&client), addr, connections, secs, body.clone());
        // Interleaved rounds (baseline, ring, JSONL, again): a change of the machine's load
        // during the measurement hits the three alike.
        let (mut base_runs, mut ring_runs, mut jsonl_runs) = (Vec::new(), Vec::new(), Vec::new());
        for round in 1..=rounds {
            let (b, r, j) = (ka(base_addr).await, ka(sim_addr).await, ka(jsonl_addr).await);
            let rate = |x: &Run| x.latencies.len() as f64 / x.secs;
            println!(
                "round {round}: baseline {:.0} req/s, ring {:.0} req/s ({:.2}), ring + JSONL {:.0} req/s ({:.2}); load average {}",
                rate(&b),
                rate(&r),
                rate(&r) / rate(&b),
                rate(&j),
                rate(&j) / rate(&b),
                load_average()
            );
            base_runs.push(b);
            ring_runs.push(r);
            jsonl_runs.push(j);
        }
        let all = |v: &[Run]| Run::figures(&v.iter().collect::<Vec<_>>());
        let (base, ring, jsonl) = (all(&base_runs), all(&ring_runs), all(&jsonl_runs));
        drop((base_runs, ring_runs, jsonl_runs));
        line("baseline (reads the body)", &base);
        line("simulator (ring journal)", &ring);
        line("simulator (ring + JSONL)", &jsonl);
        println!(
            "ratio to the baseline: ring {:.2} req/s, p99 {:.2}; ring + JSONL {:.2} req/s, p99 {:.2} (targets: >= 0.80, p99 <= 1.50)",
            ring.rps / base.rps,
            ring.p99_us as f64 / base.p99_us.max(1) as f64,
            jsonl.rps / base.rps,
            jsonl.p99_us as f64 / base.p99_us.max(1) as f64,
        );
        let hs_base = handshakes(Arc::clone(&client), base_addr, 8, secs, body.clone()).await;
        let hs_sim = handshakes(Arc::clone(&client), sim_addr, 8, secs, body.clone()).await;
        println!(
            "new connections (full mTLS handshake + 1 search, 8 in parallel): baseline {hs_base:.0}/s, simulator {hs_sim:.0}/s, ratio {:.2} (target >= 0.80)",
            hs_sim / hs_base
        );
        println!("load average after the runs: {}", load_average());
        sim_jsonl.shutdown().await;

        // RSS after N requests with the journal on (ring of 10 000 entries full).
        let sent_so_far = sim.journal().last_seq();
        let remaining = rss_requests.saturating_sub(sent_so_far);
        if rss_requests > 0 {
            let per_conn = remaining.div_ceil(connections);
            let mut tasks = Vec::new();
            for _ in 0..connections {
                let (cfg, body) = (Arc::clone(&client), body.clone());
                tasks.push(tokio::spawn(async move {
                    let ct = writer::content_type(Operation::TraitsSearch);
                    let mut s = open(cfg, sim_addr).await;
                    for _ in 0..per_conn {
                        one(&mut s, &body, &ct).await;
                    }
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
            println!(
                "RSS after {} simulator requests (journal {} entries in memory): {:.1} MiB (target <= 64 MiB; same process as the load generator and the baseline)",
                sim.journal().last_seq(),
                sim.journal().len(),
                rss_kib() as f64 / 1024.0
            );
        }
        sim.shutdown().await;
    });
}
