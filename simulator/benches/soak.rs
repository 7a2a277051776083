//! Soak: the simulator at saturation for a given time with the journal on (in-memory ring and
//! JSONL file with its default size cap and rotation), then a report of requests, errors, p50 /
//! p99 latency, RSS and the disk taken by the journal files. Not a test: a documented command
//! whose figures go into docs/reliability.md.
//!
//! Run: `cargo bench -p insilab-simulator --bench soak -- --soak 60` (release build). Settings:
//! `--soak SECONDS` (default 60), `--connections N` (default 32), `--omit-success-bodies`,
//! `--journal-max-bytes N` and `--journal-keep-files N` (default: the simulator's); the
//! journal files go to a temporary directory, deleted at the end. Errors are counted, not
//! fatal: any status other than 200 or any transport error is one error. The RSS is the whole
//! process's (load generator included), read from /proc/self/status.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark binary, not an input path"
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use insilab_core::insi::{Operation, samples, writer};
use insilab_simulator::{JournalFileSettings, Simulator, SimulatorConfig, TlsSource};
use tokio::net::TcpStream;

/// The allocator of the `insilab` binary (see `src/main.rs`), so that the RSS measured is the
/// one the shipped simulator has.
#[cfg(not(feature = "bench-system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    secs: u64,
    connections: u64,
    omit_success_bodies: bool,
    settings: JournalFileSettings,
}

fn args() -> Args {
    let mut out = Args {
        secs: 60,
        connections: 32,
        omit_success_bodies: false,
        settings: JournalFileSettings::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--soak" => out.secs = it.next().and_then(|v| v.parse().ok()).unwrap_or(out.secs),
            "--connections" => {
                out.connections = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(out.connections)
            }
            "--omit-success-bodies" => out.omit_success_bodies = true,
            "--journal-max-bytes" => {
                if let Some(v) = it.next().and_then(|v| v.parse().ok()) {
                    out.settings.max_bytes = v;
                }
            }
            "--journal-keep-files" => {
                if let Some(v) = it.next().and_then(|v| v.parse().ok()) {
                    out.settings.keep_files = v;
                }
            }
            // `cargo bench` passes `--bench`; anything else is ignored.
            _ => {}
        }
    }
    out
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

async fn open(
    cfg: Arc<rustls::ClientConfig>,
    addr: SocketAddr,
) -> Option<hyper::client::conn::http1::SendRequest<Full<Bytes>>> {
    let tcp = TcpStream::connect(addr).await.ok()?;
    tcp.set_nodelay(true).ok()?;
    let name = rustls_pki_types::ServerName::try_from("localhost").ok()?;
    let tls = tokio_rustls::TlsConnector::from(cfg)
        .connect(name, tcp)
        .await
        .ok()?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .ok()?;
    tokio::spawn(conn);
    Some(sender)
}

fn main() {
    let args = args();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let pki = Arc::new(insilab_certs::testing::shared_pki().expect("shared test PKI"));
        let client = Arc::new(pki.client_config("insi-auto").unwrap());
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.jsonl");
        let mut config = SimulatorConfig::ephemeral(TlsSource::Pki(Arc::clone(&pki)));
        config.limits.max_connections = 1024;
        config.journal_file = Some(journal.clone());
        config.journal_file_settings = JournalFileSettings {
            omit_success_bodies: args.omit_success_bodies,
            ..args.settings
        };
        let settings = config.journal_file_settings;
        let sim = Simulator::start(config).await.unwrap();
        let addr: SocketAddr = sim
            .endpoint_url()
            .trim_start_matches("https://")
            .trim_end_matches("/lps")
            .parse()
            .unwrap();
        // A conforming request with an IDAM of the default registry: answered HTTP 200.
        let body = Bytes::from(writer::write_request(&samples::traits_search_request()));
        let ct = writer::content_type(Operation::TraitsSearch);
        println!(
            "soak: {} s, {} keep-alive connections, journal ring {} entries + JSONL (max {} bytes x {} kept files, omit success bodies: {})",
            args.secs,
            args.connections,
            insilab_simulator::config::DEFAULT_JOURNAL_CAPACITY,
            settings.max_bytes,
            settings.keep_files,
            settings.omit_success_bodies
        );
        let errors = Arc::new(AtomicU64::new(0));
        let start = Instant::now();
        let deadline = start + Duration::from_secs(args.secs);
        let mut tasks = Vec::new();
        for _ in 0..args.connections {
            let (cfg, body, ct, errors) =
                (Arc::clone(&client), body.clone(), ct.clone(), Arc::clone(&errors));
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::with_capacity(1 << 16);
                let mut sender = None;
                while Instant::now() < deadline {
                    if sender.is_none() {
                        sender = open(Arc::clone(&cfg), addr).await;
                        if sender.is_none() {
                            errors.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                    }
                    let Some(s) = sender.as_mut() else { continue };
                    let t = Instant::now();
                    let ok = async {
                        s.ready().await.ok()?;
                        let req = hyper::Request::post("/lps")
                            .header("host", "localhost")
                            .header("content-type", ct.as_str())
                            .body(Full::new(body.clone()))
                            .ok()?;
                        let resp = s.send_request(req).await.ok()?;
                        let status = resp.status();
                        resp.into_body().collect().await.ok()?;
                        status.is_success().then_some(())
                    }
                    .await;
                    if ok.is_some() {
                        lat.push(u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX));
                    } else {
                        errors.fetch_add(1, Ordering::Relaxed);
                        sender = None;
                    }
                }
                lat
            }));
        }
        let mut peak_rss = 0;
        while Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(500)).await;
            peak_rss = peak_rss.max(rss_kib());
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let elapsed = start.elapsed().as_secs_f64();
        peak_rss = peak_rss.max(rss_kib());
        all.sort_unstable();
        let pct = |p: f64| {
            all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
                .copied()
                .unwrap_or(0)
        };
        sim.journal().flush().unwrap();
        let mut disk = 0u64;
        let mut files = 0;
        for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
            disk += entry.metadata().map(|m| m.len()).unwrap_or(0);
            files += 1;
        }
        println!(
            "requests {}  errors {}  rate {:.0}/s  p50 {} us  p99 {} us  peak RSS {:.1} MiB  journal: {} entries journalled, {} file errors, {} files, {:.1} MiB on disk",
            all.len(),
            errors.load(Ordering::Relaxed),
            all.len() as f64 / elapsed,
            pct(0.50),
            pct(0.99),
            peak_rss as f64 / 1024.0,
            sim.journal().last_seq(),
            sim.journal().file_errors(),
            files,
            disk as f64 / (1024.0 * 1024.0)
        );
        sim.shutdown().await;
    });
}
