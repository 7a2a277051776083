//! `insilab query` end to end: the binary against an in-process simulator on the shared test
//! PKI — human output, the stable `--json` document, `--trace` files and the exit codes.

#![expect(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use insilab_simulator::{
    OverrideAnswer, OverrideSpec, RequestPattern, Simulator, SimulatorConfig, SimulatorHandle,
    TlsSource,
};

async fn simulator() -> (SimulatorHandle, std::path::PathBuf) {
    let pki = Arc::new(insilab_certs::testing::shared_pki().expect("shared test pki"));
    let dir = pki.dir().to_path_buf();
    let mut config = SimulatorConfig::ephemeral(TlsSource::Pki(pki));
    config.admin_listen = None;
    (Simulator::start(config).await.expect("simulator"), dir)
}

/// Runs `insilab query <args>` against `url` with the PKI in `pki` (off the async workers).
async fn query(url: &str, pki: &Path, args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_insilab"));
    command
        .arg("query")
        .args(args)
        .arg("--url")
        .arg(url)
        .arg("--pki")
        .arg(pki)
        .env_remove("INSILAB_URL")
        .env_remove("INSILAB_PKI")
        .env_remove("INSILAB_IDAM")
        .env("NO_COLOR", "1");
    tokio::task::spawn_blocking(move || command.output().expect("run insilab"))
        .await
        .expect("join")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not json ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traits_query_shows_each_attempt_and_the_ins() {
    let (sim, pki) = simulator().await;
    let url = sim.endpoint_url();
    let trace = tempfile::tempdir().unwrap();
    let trace_dir = trace.path().join("trace");
    let out = query(
        &url,
        &pki,
        &[
            "traits",
            "--nom",
            "TCHITCHI",
            "--prenoms",
            "OLA CATARINA BELLA",
            "--sexe",
            "F",
            "--naissance",
            "1936-06-21",
            "--trace",
            trace_dir.to_str().unwrap(),
        ],
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("#1 Prenom \"OLA\" -> 01 Aucune identite trouvee"),
        "{stdout}"
    );
    assert!(
        stdout.contains("#2 Prenom \"CATARINA\" -> 00 OK"),
        "{stdout}"
    );
    assert!(!stdout.contains("BELLA\" ->"), "{stdout}");
    assert!(stdout.contains("found: INS 236066322083656"), "{stdout}");
    insta::with_settings!({filters => vec![
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (r"\(\d+ ms\)", "([N] ms)"),
    ]}, {
        insta::assert_snapshot!("traits_human_output", stdout);
    });
    for name in [
        "001-request.xml",
        "001-response.xml",
        "002-request.xml",
        "002-response.xml",
    ] {
        let text = std::fs::read_to_string(trace_dir.join(name)).unwrap();
        assert!(text.contains("Envelope"), "{name}");
    }
    assert!(!trace_dir.join("003-request.xml").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_output_follows_the_documented_schema() {
    let (sim, pki) = simulator().await;
    let url = sim.endpoint_url();
    let out = query(
        &url,
        &pki,
        &[
            "traits",
            "--nom",
            "DE VINCI",
            "--prenoms",
            "LEONARDO",
            "--sexe",
            "M",
            "--naissance",
            "2014-02-01",
            "--lieu",
            "63220",
            "--json",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    let doc = json(&out);
    assert_eq!(doc["schema"], "insilab-query/1");
    assert_eq!(doc["exit_code"], 0);
    assert_eq!(doc["verdict"]["status"], "found");
    assert_eq!(doc["verdict"]["traits"]["birthplace"], "63220");
    let attempts = doc["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0]["operation"], "traits_search");
    assert_eq!(attempts[0]["result"]["kind"], "cr");
    assert_eq!(attempts[0]["result"]["code"], "02");
    assert_eq!(attempts[0]["birthplace_sent"], serde_json::Value::Null);
    assert_eq!(attempts[1]["birthplace_sent"], "63220");
    assert_eq!(attempts[1]["result"]["code"], "00");
    assert_eq!(attempts[0]["index"], 1);
    assert_eq!(attempts[1]["index"], 2);
    for a in attempts {
        for key in [
            "index",
            "first_names_sent",
            "message_id",
            "request_xml",
            "response_xml",
            "http_status",
            "duration_ms",
        ] {
            assert!(a.get(key).is_some(), "missing {key}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_say_found_refused_or_error() {
    let (sim, pki) = simulator().await;
    let url = sim.endpoint_url();

    // Refused input: exit 1, no call.
    let out = query(
        &url,
        &pki,
        &[
            "traits",
            "--nom",
            "D’ÆION",
            "--prenoms",
            "CŒUR",
            "--sexe",
            "M",
            "--naissance",
            "1987-01-01",
            "--json",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    assert_eq!(doc["verdict"]["status"], "refused_input");
    assert_eq!(doc["attempts"].as_array().unwrap().len(), 0);
    assert_eq!(sim.journal().len(), 0);

    // Not found: exit 1.
    let out = query(
        &url,
        &pki,
        &[
            "traits",
            "--nom",
            "HOUILLES",
            "--prenoms",
            "PIERRE PAUL JACQUES",
            "--sexe",
            "M",
            "--naissance",
            "1993-01-27",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("#4 Prenom \"PIERRE PAUL JACQUES\" -> 01")
    );

    // A fault: exit 2, reported.
    sim.overrides()
        .add(OverrideSpec {
            pattern: RequestPattern {
                birth_name: Some("ADRUN".into()),
                ..RequestPattern::default()
            },
            count: 1,
            answer: OverrideAnswer::Fault {
                code: "insi_102".into(),
                variant: Default::default(),
            },
            delay_ms: 0,
        })
        .unwrap();
    let out = query(
        &url,
        &pki,
        &[
            "traits",
            "--nom",
            "ADRUN",
            "--prenoms",
            "ZOE",
            "--sexe",
            "F",
            "--naissance",
            "1975-12-31",
            "--json",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    let doc = json(&out);
    assert_eq!(doc["verdict"]["status"], "fault");
    assert_eq!(doc["verdict"]["code"], "insi_102");
    assert_eq!(doc["attempts"][0]["result"]["kind"], "fault");

    // A missing PKI: a setup error (exit 2) that says what to do.
    let empty = tempfile::tempdir().unwrap();
    let out = query(
        &url,
        empty.path(),
        &[
            "traits",
            "--nom",
            "ADRUN",
            "--prenoms",
            "ZOE",
            "--sexe",
            "F",
            "--naissance",
            "1975-12-31",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pki init"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_and_card_queries_run() {
    let (sim, pki) = simulator().await;
    let url = sim.endpoint_url();
    let out = query(
        &url,
        &pki,
        &[
            "verify",
            "--ins",
            "275126322074974",
            "--nom",
            "ADRUN",
            "--prenoms",
            "ZOE",
            "--sexe",
            "F",
            "--naissance",
            "1975-12-31",
            "--lieu",
            "63220",
            "--json",
        ],
    )
    .await;
    let doc = json(&out);
    assert_eq!(doc["attempts"][0]["operation"], "verification");
    assert_eq!(out.status.code(), Some(0), "{doc}");

    let out = query(
        &url,
        &pki,
        &[
            "card",
            "--nir",
            "2751263220749",
            "--nom",
            "ADRUN",
            "--naissance",
            "1975-12-31",
            "--json",
        ],
    )
    .await;
    let doc = json(&out);
    assert_eq!(doc["attempts"][0]["operation"], "card_search");
    assert!(
        doc["attempts"][0]["request_xml"]
            .as_str()
            .unwrap()
            .contains("RECVITALE")
    );
}
