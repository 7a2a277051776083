//! A remote simulator (admin API) and an interrupted run; the driver-protocol examples.
#![expect(clippy::unwrap_used, reason = "test fixtures")]

use std::sync::{Arc, Mutex};

use insilab_harness::driver::reference::ReferenceDriver;
use insilab_harness::driver::{ActionContext, Driver};
use insilab_harness::outcome::{SutOutcome, TraitsInput};
use insilab_harness::sim::BoxFuture;
use insilab_harness::{DriverSpec, HarnessError, RunOptions, SimulatorSpec, run_suites};
use insilab_reports::model::Status;
use insilab_simulator::{Simulator, SimulatorConfig, TlsSource};

fn pki() -> Arc<insilab_certs::Pki> {
    Arc::new(insilab_certs::testing::shared_pki().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cnda_suite_passes_against_a_remote_simulator_through_its_admin_api() {
    let pki = pki();
    let handle = Simulator::start(SimulatorConfig::ephemeral(TlsSource::Pki(pki.clone())))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut opts = RunOptions::new("all", dir.path().to_owned());
    opts.pki = pki.dir().to_owned();
    opts.formats = Vec::new();
    opts.simulator = SimulatorSpec::Remote {
        admin_url: handle.admin_url(),
        admin_token: handle.admin_token().to_owned(),
        endpoint_url: handle.endpoint_url(),
    };
    let summary = run_suites(opts).await.unwrap();
    let failures: Vec<_> = summary
        .results
        .scenarios
        .iter()
        .filter_map(|s| s.failure.as_ref())
        .collect();
    assert_eq!(summary.failed(), 0, "{failures:#?}");
    assert_eq!(summary.results.simulator, handle.endpoint_url());
    // What a remote simulator cannot do is skipped, not failed: dialect switch, second endpoint,
    // card mode (its card endpoint is not known through the admin API).
    let (card, skipped): (Vec<&str>, Vec<&str>) = summary
        .results
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Skipped)
        .map(|s| s.id.as_str())
        .partition(|id| id.contains("assertion"));
    assert_eq!(skipped.len(), 5, "{skipped:?}");
    assert_eq!(card.len(), 3 + 12, "{card:?}");
    assert!(summary.passed() >= 24);

    let mut bad = RunOptions::new("cnda", dir.path().join("bad"));
    // The shared test PKI, not the default `certs/generated` relative to the crate: tests
    // write only under temp dirs.
    bad.pki = pki.dir().to_owned();
    bad.simulator = SimulatorSpec::Remote {
        admin_url: handle.admin_url(),
        admin_token: "wrong".into(),
        endpoint_url: handle.endpoint_url(),
    };
    assert!(matches!(
        run_suites(bad).await,
        Err(HarnessError::Simulator(_))
    ));
    handle.shutdown().await;
}

/// Acts like the reference driver, but the third search never ends (a run killed mid-way).
struct Stalls {
    inner: ReferenceDriver,
    calls: Mutex<u32>,
    reached: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
}

impl Driver for Stalls {
    fn name(&self) -> String {
        "stalls".into()
    }

    fn search_traits<'a>(
        &'a self,
        ctx: &'a ActionContext,
        input: &'a TraitsInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let n = {
                let mut calls = self.calls.lock().unwrap();
                *calls += 1;
                *calls
            };
            if n == 3 {
                if let Some(tx) = self.reached.lock().unwrap().take() {
                    let _ = tx.send(());
                }
                std::future::pending::<()>().await;
            }
            self.inner.search_traits(ctx, input).await
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_run_keeps_the_evidence_of_the_scenarios_it_finished() {
    let pki = pki();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let driver = Arc::new(Stalls {
        inner: ReferenceDriver::new(pki.clone(), "insi-auto"),
        calls: Mutex::new(0),
        reached: Mutex::new(Some(tx)),
    });
    let dir = tempfile::tempdir().unwrap();
    let mut opts = RunOptions::new("cnda", dir.path().to_owned());
    opts.pki = pki.dir().to_owned();
    opts.driver = DriverSpec::Custom(driver);
    let run = tokio::spawn(run_suites(opts));
    rx.await.unwrap();
    run.abort();
    let _ = run.await;
    let results = insilab_reports::evidence::load_results(dir.path()).unwrap();
    assert_eq!(results.scenarios.len(), 2);
    assert!(results.scenarios.iter().all(|s| s.status == Status::Passed));
    assert!(results.finished_at.is_none());
    let first = &results.scenarios[0];
    assert!(dir.path().join(&first.exchanges[0].request_file).exists());
}

#[test]
fn driver_protocol_examples_are_valid() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/driver-protocol.md"
    ))
    .unwrap();
    let blocks: Vec<&str> = doc
        .split("```json\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(
        blocks.len(),
        16,
        "expected the traits, card, card-mode action, outcome and hook action examples, then \
         the identity-management messages and answers"
    );
    let _: TraitsInput = serde_json::from_str(blocks[0]).unwrap();
    let card: insilab_harness::outcome::CardInput = serde_json::from_str(blocks[1]).unwrap();
    assert_eq!(card.birth_rank, 1);
    let card_mode: insilab_harness::driver::http::HookAction =
        serde_json::from_str(blocks[2]).unwrap();
    assert_eq!(card_mode.action, "search-traits-card");
    assert_eq!(
        card_mode.cpx_card.map(|c| c.professional_id).as_deref(),
        Some("899900063480")
    );
    let outcome: SutOutcome = serde_json::from_str(blocks[3]).unwrap();
    assert_eq!(outcome.calls, Some(2));
    let _: insilab_harness::driver::http::HookAction = serde_json::from_str(blocks[4]).unwrap();
    // The identity-management examples: every action named once, every answer readable.
    let mut actions = Vec::new();
    for block in &blocks[5..] {
        let value: serde_json::Value = serde_json::from_str(block).unwrap();
        if value.get("action").is_some() {
            assert!(value["scenario"].is_string() && value["endpoint"].is_string());
            let action: insilab_harness::actions::IdentityAction =
                serde_json::from_value(value).unwrap();
            actions.push(action.name());
        } else {
            insilab_harness::actions::parse_action_outcome(block.as_bytes(), "docs").unwrap();
        }
    }
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "create",
            "deliver",
            "emit",
            "read-identity",
            "record-identity-document",
            "set-attribute",
            "verify-identity"
        ]
    );
    // The YAML configurations shown parse, in order: command driver, http driver.
    let yaml: Vec<&str> = doc
        .split("```yaml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(yaml.len(), 3);
    let dir = tempfile::tempdir().unwrap();
    let command = dir.path().join("command.yaml");
    std::fs::write(&command, yaml[0]).unwrap();
    insilab_harness::driver::command::CommandDriver::load(&command).unwrap();
    let http = dir.path().join("http.yaml");
    std::fs::write(&http, yaml[1]).unwrap();
    insilab_harness::driver::http::HttpDriver::load(&http).unwrap();
    // The identity-management command configuration: every action key and the channels.
    let actions = dir.path().join("actions.yaml");
    std::fs::write(&actions, yaml[2]).unwrap();
    let config: insilab_harness::driver::command::CommandConfig =
        insilab_harness::driver::command::read_config(&actions).unwrap();
    assert!(config.emit.is_some() && config.verify_identity.is_some());
    assert_eq!(config.channels.mllp.as_deref(), Some("127.0.0.1:2575"));
}
