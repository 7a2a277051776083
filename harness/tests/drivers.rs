//! The command, http and manual drivers against the in-process simulator.
#![expect(clippy::unwrap_used, reason = "test fixtures")]

use std::convert::Infallible;
use std::io::Write as _;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use insilab_harness::driver::command::{CommandConfig, CommandDriver};
use insilab_harness::driver::http::{HookAction, HttpConfig, HttpDriver};
use insilab_harness::driver::manual::{ManualConfig, ManualDriver};
use insilab_harness::driver::reference::{ReferenceDriver, to_outcome, to_query};
use insilab_harness::driver::{CardAction, FORGED_CARD_CASES_REASON};
use insilab_harness::{DriverSpec, RunOptions, RunSummary, run_suites};
use insilab_reports::model::Status;

fn pki() -> Arc<insilab_certs::Pki> {
    Arc::new(insilab_certs::testing::shared_pki().unwrap())
}

async fn run(
    driver: Arc<dyn insilab_harness::driver::Driver>,
    suite: &str,
    tags: &str,
) -> RunSummary {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = RunOptions::new(suite, dir.path().to_owned());
    opts.driver = DriverSpec::Custom(driver);
    opts.pki = pki().dir().to_owned();
    opts.tags = Some(tags.to_owned());
    opts.formats = Vec::new();
    run_suites(opts).await.unwrap()
}

fn command(script: &str) -> CommandDriver {
    CommandDriver::new(CommandConfig {
        search_traits: vec![
            "sh".into(),
            "-c".into(),
            script.into(),
            "sut".into(),
            "{birth_name}".into(),
            "{first_names}".into(),
        ],
        timeout_seconds: 10,
        ..CommandConfig::default()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_driver_reads_the_json_outcome_and_the_steps_judge_it() {
    if !insilab_testkit::SH.require("the command driver") {
        return;
    }
    // A "software" that refuses every input without calling: right for 2.03 cas 3 only.
    let refuses = Arc::new(command(
        r#"test "$1" = "D’ÆION" && test "$2" = "CŒUR" && echo '{"outcome":"refused_input"}'"#,
    ));
    let ok = run(refuses.clone(), "cnda", "@CNDA-2.03-cas3").await;
    assert_eq!(
        (ok.passed(), ok.failed()),
        (1, 0),
        "{:?}",
        ok.results.scenarios[0].failure
    );
    // The negative case must fail on the judged outcome: a software that exits 0 and says
    // `refused_input` for an input it should have searched for. (A script exiting non-zero
    // would fail for the wrong reason.)
    let always_refuses = Arc::new(command(r#"echo '{"outcome":"refused_input"}'"#));
    let bad = run(always_refuses, "cnda", "@CNDA-2.03-cas1").await;
    assert_eq!((bad.passed(), bad.failed()), (0, 1));
    let judged = bad.results.scenarios[0].failure.as_ref().unwrap();
    assert!(!judged.message.contains("exited"), "{judged:?}");
    // Judged by the rule of the step that expected a call at the simulator.
    assert_eq!(judged.rule.as_deref(), Some("INSI-ALG-01"), "{judged:?}");
    // A command that fails is a failed scenario with the reason, not a pass.
    let broken = run(Arc::new(command("exit 3")), "cnda", "@CNDA-2.03-cas3").await;
    assert_eq!(broken.failed(), 1);
    let message = broken.results.scenarios[0]
        .failure
        .as_ref()
        .unwrap()
        .message
        .clone();
    assert!(message.contains("exited"), "{message}");
}

/// A software under test with an HTTP test hook, built on the reference client.
async fn start_hook() -> String {
    start_hook_signing(insilab_certs::card_cases::VALID_CASE).await
}

/// The same hook; in card mode it signs with the card the action's `cpx_card` names, its
/// assertions of case `card_case` (`valid`, or a wrong software's `revoked-certificate`…).
async fn start_hook_signing(card_case: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let reference = Arc::new(ReferenceDriver::new(pki(), "insi-auto"));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let reference = reference.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let reference = reference.clone();
                        async move {
                            let body = req.into_body().collect().await.unwrap().to_bytes();
                            let action: HookAction = serde_json::from_slice(&body).unwrap();
                            // This software has no card reader: it says so (501), as
                            // docs/driver-protocol.md describes.
                            if action.action == "search-card" {
                                let mut resp = hyper::Response::new(Full::new(Bytes::from_static(
                                    br#"{"reason": "no Vitale card reader in this edition"}"#,
                                )));
                                *resp.status_mut() = hyper::StatusCode::NOT_IMPLEMENTED;
                                return Ok::<_, Infallible>(resp);
                            }
                            let client = match &action.cpx_card {
                                Some(card) => {
                                    assert_eq!(action.action, "search-traits-card");
                                    assert!(std::path::Path::new(&card.key).is_file());
                                    assert!(std::path::Path::new(&card.cert).is_file());
                                    let card = CardAction {
                                        professional_id: card.professional_id.clone(),
                                        case: card_case.to_owned(),
                                    };
                                    reference.card_client(&action.endpoint, &card).unwrap()
                                }
                                None => reference.client(&action.endpoint).unwrap(),
                            };
                            let outcome = to_outcome(
                                &client
                                    .search_traits(&to_query(action.traits.as_ref().unwrap()))
                                    .await,
                            );
                            let json = serde_json::to_vec(&outcome).unwrap();
                            Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from(json))))
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    format!("http://{addr}/insilab")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_driver_runs_the_cnda_suite_through_a_test_hook() {
    let url = start_hook().await;
    let driver = Arc::new(HttpDriver::new(HttpConfig {
        url,
        token: None,
        timeout_seconds: 30,
        software_timeout_seconds: None,
        allow_idam: vec![],
        channels: Default::default(),
    }));
    let summary = run(driver, "cnda", "@cnda").await;
    assert_eq!(
        summary.failed(),
        0,
        "{:#?}",
        summary
            .results
            .scenarios
            .iter()
            .filter_map(|s| s.failure.as_ref())
            .collect::<Vec<_>>()
    );
    assert_eq!(summary.passed(), 12);
}

fn http(url: String) -> Arc<HttpDriver> {
    Arc::new(
        HttpDriver::new(HttpConfig {
            url,
            token: None,
            timeout_seconds: 30,
            software_timeout_seconds: None,
            allow_idam: vec![],
            channels: Default::default(),
        })
        .with_pki(Some(pki())),
    )
}

/// The skip reason of a scenario (the message of its skipped step).
fn skip_reason(s: &insilab_reports::model::ScenarioResult) -> String {
    s.steps
        .iter()
        .filter(|st| st.status == Status::Skipped)
        .find_map(|st| st.message.clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_driver_runs_the_valid_card_mode_scenarios_and_skips_the_forged_ones() {
    let summary = run(http(start_hook().await), "protocol", "@INSI-CPX-01").await;
    let scenarios = &summary.results.scenarios;
    let valid: Vec<_> = scenarios
        .iter()
        .filter(|s| s.name.contains("valid assertion"))
        .collect();
    assert_eq!(valid.len(), 3);
    for s in &valid {
        assert_eq!(s.status, Status::Passed, "{}: {:?}", s.id, s.failure);
    }
    let forged: Vec<_> = scenarios
        .iter()
        .filter(|s| s.name.contains("wrong assertion"))
        .collect();
    assert_eq!(forged.len(), 12);
    for s in &forged {
        assert_eq!(s.status, Status::Skipped, "{}", s.id);
        assert!(
            skip_reason(s).contains(FORGED_CARD_CASES_REASON),
            "{}: {}",
            s.id,
            skip_reason(s)
        );
    }
    assert_eq!((summary.passed(), summary.failed()), (3, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_hook_signing_with_a_revoked_card_fails_naming_the_rule() {
    let summary = run(
        http(start_hook_signing("revoked-certificate").await),
        "protocol",
        "@INSI-CPX-01",
    )
    .await;
    assert_eq!((summary.passed(), summary.failed()), (0, 3));
    for s in summary
        .results
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Failed)
    {
        let failure = s.failure.as_ref().unwrap();
        assert!(failure.message.contains("INSI-CPX-012"), "{failure:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_pki_the_card_mode_scenarios_are_skipped_with_the_reason() {
    let driver = Arc::new(HttpDriver::new(HttpConfig {
        url: start_hook().await,
        token: None,
        timeout_seconds: 30,
        software_timeout_seconds: None,
        allow_idam: vec![],
        channels: Default::default(),
    }));
    let summary = run(driver, "protocol", "@INSI-CPX-01").await;
    let s = summary
        .results
        .scenarios
        .iter()
        .find(|s| s.name.contains("valid assertion"))
        .unwrap();
    assert_eq!(s.status, Status::Skipped);
    assert!(skip_reason(s).contains("no test PKI"), "{}", skip_reason(s));
}

#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn manual(script: &str) -> (Arc<ManualDriver>, Shared) {
    let out = Shared::default();
    let config = ManualConfig {
        wait_seconds: 5,
        operator: Some("qa".into()),
        software_timeout_seconds: None,
        allow_idam: vec![],
    };
    let input = std::io::Cursor::new(script.as_bytes().to_vec());
    (
        Arc::new(ManualDriver::new(config, input, Box::new(out.clone()))),
        out,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_driver_prompts_and_records_attestations_from_scripted_stdin() {
    // Enter (the software refused, no call), then two questions answered yes.
    let (driver, out) = manual("\ny\noui refus affiché en rouge\n");
    let summary = run(driver, "cnda", "@CNDA-2.03-cas3").await;
    let s = &summary.results.scenarios[0];
    assert_eq!(s.status, Status::Passed, "{:?}", s.failure);
    assert_eq!(s.attestations.len(), 2);
    assert_eq!(
        s.attestations[1].comment.as_deref(),
        Some("refus affiché en rouge")
    );
    assert_eq!(s.attestations[1].operator.as_deref(), Some("qa"));
    let shown = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    assert!(
        shown.contains("D’ÆION") && shown.contains("CŒUR"),
        "{shown}"
    );
    assert!(shown.contains("Did the software refuse the traits as invalid?"));

    // A "no" fails the scenario; "skip" at the action skips it.
    let (driver, _) = manual("\nn\n");
    let summary = run(driver, "cnda", "@CNDA-2.03-cas3").await;
    assert_eq!(summary.failed(), 1);
    let (driver, _) = manual("skip\n");
    let summary = run(driver, "cnda", "@CNDA-2.03-cas3").await;
    assert_eq!(summary.results.scenarios[0].status, Status::Skipped);
    let _ = std::io::stderr().flush();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_screenshot_given_with_an_answer_is_kept_in_the_evidence() {
    let shots = tempfile::tempdir().unwrap();
    let png = shots.path().join("refus.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\nnot really a picture").unwrap();
    let text = shots.path().join("notes.txt");
    std::fs::write(&text, b"hello").unwrap();
    // Enter (no call), a text file refused (asked again), then a PNG kept; second question yes.
    let script = format!(
        "\ny @{}\ny @{} refus en rouge\noui\n",
        text.display(),
        png.display()
    );
    let (driver, out) = manual(&script);
    let dir = tempfile::tempdir().unwrap();
    let mut opts = RunOptions::new("cnda", dir.path().to_owned());
    opts.driver = DriverSpec::Custom(driver);
    opts.pki = pki().dir().to_owned();
    opts.tags = Some("@CNDA-2.03-cas3".to_owned());
    opts.formats = Vec::new();
    let summary = run_suites(opts).await.unwrap();
    let s = &summary.results.scenarios[0];
    assert_eq!(s.status, Status::Passed, "{:?}", s.failure);
    let shown = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    assert!(
        shown.contains("neither a PNG nor a JPEG"),
        "the text file is refused with its reason: {shown}"
    );
    let kept = "screenshots/cnda_2.03-cas3/01-refus.png";
    let attestations = std::fs::read_to_string(dir.path().join("attestations.jsonl")).unwrap();
    assert!(attestations.contains(kept), "{attestations}");
    assert_eq!(
        std::fs::read(dir.path().join(kept)).unwrap(),
        std::fs::read(&png).unwrap()
    );
    // The manifest seals it with the run.
    let manifest = std::fs::read_to_string(dir.path().join("manifest.sha256")).unwrap();
    assert!(manifest.contains(kept), "{manifest}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_driver_asks_for_a_card_mode_search_naming_the_card_and_its_files() {
    let out = Shared::default();
    let config = ManualConfig {
        wait_seconds: 5,
        operator: Some("qa".into()),
        software_timeout_seconds: None,
        allow_idam: vec![],
    };
    // The operator presses Enter without the software calling: the check fails.
    let input = std::io::Cursor::new(b"\n\n\n".to_vec());
    let driver =
        Arc::new(ManualDriver::new(config, input, Box::new(out.clone())).with_pki(Some(pki())));
    let summary = run(driver, "protocol", "@INSI-CPX-01").await;
    let shown = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    let card = insilab_harness::driver::card_signing(
        &pki(),
        &CardAction {
            professional_id: "00B6087510".into(),
            case: "valid".into(),
        },
    )
    .unwrap();
    assert!(shown.contains("IN CARD MODE"), "{shown}");
    assert!(shown.contains(card.p12.as_deref().unwrap()), "{shown}");
    assert!(shown.contains(&card.key), "{shown}");
    assert!(shown.contains("ADRUN"), "{shown}");
    assert_eq!(summary.failed(), 3);
    let skipped = summary
        .results
        .scenarios
        .iter()
        .filter(|s| {
            s.status == Status::Skipped && skip_reason(s).contains(FORGED_CARD_CASES_REASON)
        })
        .count();
    assert_eq!(skipped, 12);
}

#[test]
fn card_signing_names_the_card_files_and_refuses_an_unknown_professional() {
    let pki = pki();
    let card = |id: &str| CardAction {
        professional_id: id.into(),
        case: "valid".into(),
    };
    let signing = insilab_harness::driver::card_signing(&pki, &card("899700870589")).unwrap();
    assert_eq!(signing.identity, "cpx-899700870589");
    for file in [
        signing.p12.as_deref().unwrap(),
        &signing.key,
        &signing.cert,
        &signing.chain,
    ] {
        let path = std::path::Path::new(file);
        assert!(path.is_absolute() && path.is_file(), "{file}");
    }
    assert_eq!(signing.p12_password, pki.index().p12_password);
    let err = insilab_harness::driver::card_signing(&pki, &card("123")).unwrap_err();
    assert!(err.to_string().contains("\"123\""), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hook_gets_each_negative_server_identity_and_not_supported_actions_are_skipped() {
    let summary = run(
        http(start_hook().await),
        "protocol",
        "@INSI-TLS-02 or @INSI-TLS-01",
    )
    .await;
    let by_name = |part: &str| {
        summary
            .results
            .scenarios
            .iter()
            .filter(|s| s.id.contains(part))
            .collect::<Vec<_>>()
    };
    // The reference client behind the hook verifies the server: both negative identities ran
    // (not skipped) and passed.
    let negative = by_name("refuses-a-server-certificate");
    assert_eq!(negative.len(), 2);
    for s in negative {
        assert_eq!(s.status, Status::Passed, "{s:#?}");
    }
    let card = by_name("nir-on-the-card");
    assert_eq!(card.len(), 1);
    assert_eq!(card[0].status, Status::Skipped);
    assert_eq!(
        skip_reason(card[0]),
        "the software does not support search-card: no Vitale card reader in this edition"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hook_that_does_not_answer_stops_the_run_as_a_setup_problem() {
    // A port nobody listens on: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Arc::new(HttpDriver::new(HttpConfig {
        url: format!("http://127.0.0.1:{port}/insilab"),
        token: None,
        timeout_seconds: 30,
        software_timeout_seconds: None,
        allow_idam: vec![],
        channels: Default::default(),
    }));
    let dir = tempfile::tempdir().unwrap();
    let mut opts = RunOptions::new("cnda", dir.path().join("out"));
    opts.driver = DriverSpec::Custom(driver);
    opts.pki = pki().dir().to_owned();
    opts.tags = Some("@cnda".into());
    let error = run_suites(opts).await.unwrap_err();
    let text = error.to_string();
    assert!(text.contains("is not answering"), "{text}");
    assert!(matches!(
        error,
        insilab_harness::HarnessError::Unreachable(_)
    ));
    // No report claims anything; the evidence says it stopped.
    assert!(!dir.path().join("out/report.html").exists());
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/results.json")).unwrap(),
    )
    .unwrap();
    assert!(
        results["stopped"]
            .as_str()
            .unwrap()
            .contains("not answering")
    );
    assert_eq!(results["scenarios"].as_array().unwrap().len(), 0);
}
