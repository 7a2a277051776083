//! One judge: the same wrong exchange is judged under the same catalogue rule ids by
//! `insilab lint`, `insilab query` (the reference client's refusals) and the simulator journal.
#![expect(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use insilab_core::insi::{RequestBody, Response, parse_response, reader, samples, write_request};
use insilab_core::rules::{RuleId, Severity};
use insilab_simulator::dataset::Dataset;
use insilab_simulator::exchange::{Behaviourals, ExchangeContext, Listener, process};
use insilab_simulator::journal::ClientCertificate;
use insilab_simulator::validation::FaultPolicy;
use insilab_simulator::{
    Dialect, OverrideAnswer, OverrideSpec, Overrides, RequestPattern, Simulator, SimulatorConfig,
    TlsSource,
};

fn insilab(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(args)
        .env_remove("INSILAB_URL")
        .env_remove("INSILAB_PKI")
        .env_remove("INSILAB_IDAM")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not json ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn lint_ids(file: &Path) -> BTreeSet<String> {
    let doc = insilab(&["lint", "--json", file.to_str().unwrap()]);
    doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "advice")
        .map(|f| f["rule_id"].as_str().unwrap().to_owned())
        .collect()
}

/// A traits search with a lower-case birth name and a sex that is neither M nor F.
fn wrong_request() -> Vec<u8> {
    let mut req = samples::traits_search_request();
    let RequestBody::TraitsSearch(t) = &mut req.body else {
        panic!("the sample is a traits search")
    };
    t.nom_naissance = Some("dupont".into());
    t.prenoms = vec!["JEAN".into()];
    t.sexe = Some("X".into());
    t.date_naissance = Some("1980-01-01".into());
    t.lieu_naissance = None;
    write_request(&req).into_bytes()
}

fn journal_ids(body: &[u8]) -> BTreeSet<String> {
    let dataset = Dataset::embedded_default().unwrap();
    let registry = ["PDP17NF21DD0".to_string()].into_iter().collect();
    let overrides = Overrides::default();
    let limits = reader::Limits::default();
    let policy = FaultPolicy::default();
    let b = Behaviourals {
        dataset: &dataset,
        dialect: Dialect::Live,
        idam_registry: &registry,
        overrides: &overrides,
        reader_limits: &limits,
        fault_policy: &policy,
    };
    let cert = ClientCertificate {
        cn: Some("INSI-AUTO".into()),
        ou: Some("T".into()),
        ..Default::default()
    };
    let content_type =
        insilab_core::insi::content_type(insilab_core::insi::Operation::TraitsSearch);
    let ctx = ExchangeContext {
        listener: Listener::Mtls,
        client: Some(&cert),
        content_type: Some(&content_type),
    };
    let p = process(&b, &ctx, body);
    assert_eq!(
        p.reply.status(),
        500,
        "the simulator faults on a fault finding"
    );
    p.findings
        .iter()
        .filter(|f| f.severity != Severity::Advice)
        .map(|f| f.rule_id.to_string())
        .collect()
}

#[test]
fn a_wrong_request_gets_the_same_ids_from_lint_query_and_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("request.xml");
    let body = wrong_request();
    std::fs::write(&file, &body).unwrap();

    let expected: BTreeSet<String> = [RuleId::Trt002, RuleId::Trt007]
        .iter()
        .map(ToString::to_string)
        .collect();
    let lint = lint_ids(&file);
    assert_eq!(lint, expected, "lint");
    assert_eq!(journal_ids(&body), expected, "simulator journal");

    // The client refuses the same input before any call (the URL is never reached).
    let pki = insilab_certs::testing::shared_pki().expect("shared test pki");
    let doc = insilab(&[
        "query",
        "traits",
        "--nom",
        "dupont",
        "--prenoms",
        "JEAN",
        "--sexe",
        "X",
        "--naissance",
        "1980-01-01",
        "--url",
        "https://127.0.0.1:9/lps",
        "--pki",
        pki.dir().to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(doc["verdict"]["status"], "refused_input", "{doc}");
    let query: BTreeSet<String> = doc["verdict"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(query, expected, "query");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_gets_the_same_id_from_lint_and_query() {
    // HERMANN's answer file (CNDA 2.08 cas 2): both keys wrong.
    let file = insilab_simulator::answers::answer_file("TEST_2.08_cas2").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("answer.xml");
    std::fs::write(&path, file.body).unwrap();
    let lint = lint_ids(&path);
    assert!(lint.contains("INSI-RSP-007"), "{lint:?}");
    let Response::Result(_) =
        parse_response(file.body.as_bytes(), &reader::Limits::default()).unwrap()
    else {
        panic!("a result")
    };

    let pki = Arc::new(insilab_certs::testing::shared_pki().expect("shared test pki"));
    let pki_dir = pki.dir().to_path_buf();
    let mut config = SimulatorConfig::ephemeral(TlsSource::Pki(pki));
    config.admin_listen = None;
    let sim = Simulator::start(config).await.unwrap();
    sim.overrides()
        .add(OverrideSpec {
            pattern: RequestPattern {
                birth_name: Some("HERMANN".into()),
                ..Default::default()
            },
            count: 1,
            answer: OverrideAnswer::AnswerFile {
                name: "TEST_2.08_cas2".into(),
            },
            delay_ms: 0,
        })
        .unwrap();
    let url = sim.endpoint_url();
    let pki_arg = pki_dir.to_str().unwrap().to_owned();
    let doc = tokio::task::spawn_blocking(move || {
        insilab(&[
            "query",
            "traits",
            "--nom",
            "HERMANN",
            "--prenoms",
            "GATIEN",
            "--sexe",
            "M",
            "--naissance",
            "1981-03-24",
            "--url",
            &url,
            "--pki",
            &pki_arg,
            "--json",
        ])
    })
    .await
    .unwrap();
    assert_eq!(doc["verdict"]["status"], "refused_answer", "{doc}");
    let rule = doc["verdict"]["rule"].as_str().unwrap();
    assert_eq!(rule, "INSI-RSP-007");
    assert!(lint.contains(rule));
}
