//! End to end: the receiving and business suites (issue 12) against the in-process simulator:
//! every scenario passes with the reference identity manager, and each identity-management
//! faulty bug fails scenarios naming its rule.
#![expect(clippy::unwrap_used, reason = "test fixtures")]

use std::path::Path;

use insilab_harness::{DriverSpec, FaultyBug, RunOptions, RunSummary, run_suites};
use insilab_reports::model::Status;

mod common;
use common::{describe, pki_dir};

async fn run(suite: &str, driver: DriverSpec, out: &Path) -> RunSummary {
    let mut opts = RunOptions::new(suite, out.to_owned());
    opts.driver = driver;
    opts.pki = pki_dir();
    opts.formats = Vec::new();
    run_suites(opts).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receiving_and_business_suites_pass_with_the_reference_identity_manager() {
    for suite in ["receiving", "business"] {
        let dir = tempfile::tempdir().unwrap();
        let summary = run(suite, DriverSpec::Reference, dir.path()).await;
        assert_eq!(summary.failed(), 0, "{suite}:\n{}", describe(&summary));
        assert_eq!(summary.skipped(), 0, "{suite}:\n{}", describe(&summary));
        assert!(summary.passed() >= 15, "{suite}: {}", summary.last_line());
        if suite == "receiving" {
            // Emission went over the wire: the pages and documents the manager printed reached
            // insilab's drop folder, kept in the evidence.
            let taken = dir
                .path()
                .join(insilab_harness::EMISSION_SUBDIR)
                .join(insilab_harness::emission::DROP_SUBDIR)
                .join(insilab_harness::emission::TAKEN_SUBDIR);
            let files = std::fs::read_dir(&taken)
                .map(|d| d.count())
                .unwrap_or_default();
            assert!(files > 0, "nothing emitted reached {}", taken.display());
        }
    }
}

/// The scenarios each identity-management bug must fail, by a name fragment, with its rule.
const EXPECTED: &[(FaultyBug, &str, &[&str])] = &[
    (
        FaultyBug::SkipsVerificationOnReceipt,
        "receiving",
        &[
            "verified-once-then-the-identity-is-qualified",
            "unknown-to-insi",
        ],
    ),
    (
        FaultyBug::TrustsPid32Prov,
        "receiving",
        &["pid-32-prov-is-not-stored"],
    ),
    (
        FaultyBug::DatamatrixForUnqualified,
        "receiving",
        &["no-ins-datamatrix-is-printed-for-a-recovered-identity"],
    ),
    (
        FaultyBug::DatamatrixForUnqualified,
        "business",
        &["s-03-and-s-15"],
    ),
    (
        FaultyBug::InsInPid3WrongAuthority,
        "receiving",
        &["is-sent-by-hl7-v2-with-its-ins"],
    ),
    (FaultyBug::OverwritesLocalTraits, "business", &["s-07"]),
    (
        FaultyBug::InsiForDoubtful,
        "business",
        &["s-08-a-doubtful", "s-08-a-fictitious"],
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_identity_management_bug_fails_its_scenarios_naming_its_rule() {
    for (bug, suite, scenarios) in EXPECTED {
        let dir = tempfile::tempdir().unwrap();
        let summary = run(suite, DriverSpec::Faulty(*bug), dir.path()).await;
        let failed: Vec<_> = summary
            .results
            .scenarios
            .iter()
            .filter(|s| s.status == Status::Failed)
            .collect();
        for fragment in *scenarios {
            assert!(
                failed.iter().any(|s| s.id.contains(fragment)
                    && s.failure
                        .as_ref()
                        .is_some_and(|f| f.rules.iter().any(|r| r.rule == bug.rule().as_str()))),
                "{}: no failed scenario {fragment:?} naming {}:\n{}",
                bug.name(),
                bug.rule(),
                describe(&summary)
            );
        }
        // Nothing else breaks: every failure names the bug's rule.
        for s in &failed {
            assert!(
                s.failure
                    .as_ref()
                    .is_some_and(|f| f.rules.iter().any(|r| r.rule == bug.rule().as_str())),
                "{}: {} failed without naming {}: {:?}",
                bug.name(),
                s.id,
                bug.rule(),
                s.failure
            );
        }
        assert_eq!(summary.skipped(), 0, "{}", describe(&summary));
    }
}

/// A driver that speaks the protocol's JSON to the manager behind `insilab example-sut`: each
/// action is encoded as the message the command and http drivers send (action, `scenario`,
/// `endpoint`), read back by `parse_message`, carried out on a [`SutState`] (one store per
/// scenario) whose outcome travels back as JSON.
struct MessageDriver {
    state: tokio::sync::Mutex<insilab_harness::manager::sut::SutState>,
    client: insilab_harness::manager::sut::ClientFactory,
}

impl insilab_harness::driver::Driver for MessageDriver {
    fn name(&self) -> String {
        "message".to_owned()
    }

    fn search_traits<'a>(
        &'a self,
        _ctx: &'a insilab_harness::driver::ActionContext,
        _input: &'a insilab_harness::outcome::TraitsInput,
    ) -> insilab_harness::sim::BoxFuture<
        'a,
        Result<insilab_harness::outcome::SutOutcome, insilab_harness::HarnessError>,
    > {
        Box::pin(async {
            Err(insilab_harness::HarnessError::Skipped(
                "identity actions only".into(),
            ))
        })
    }

    fn act<'a>(
        &'a self,
        ctx: &'a insilab_harness::driver::ActionContext,
        action: &'a insilab_harness::actions::IdentityAction,
    ) -> insilab_harness::sim::BoxFuture<
        'a,
        Result<insilab_harness::actions::ActionOutcome, insilab_harness::HarnessError>,
    > {
        Box::pin(async move {
            let mut value = serde_json::to_value(action).unwrap();
            value["scenario"] = ctx.scenario_id.clone().into();
            value["endpoint"] = ctx.sim.endpoint_url().into();
            let message = insilab_harness::manager::sut::parse_message(
                serde_json::to_string(&value).unwrap().as_bytes(),
            )?;
            let outcome = self
                .state
                .lock()
                .await
                .act(&message, &self.client, "https://127.0.0.1:1/unused")
                .await;
            insilab_harness::actions::parse_action_outcome(
                serde_json::to_string(&outcome).unwrap().as_bytes(),
                "the message driver",
            )
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suites_pass_through_the_protocol_messages_of_example_sut() {
    let pki = std::sync::Arc::new(insilab_certs::testing::shared_pki().unwrap());
    let reference = std::sync::Arc::new(insilab_harness::driver::reference::ReferenceDriver::new(
        pki,
        "insi-auto",
    ));
    let client: insilab_harness::manager::sut::ClientFactory =
        std::sync::Arc::new(move |url: &str| reference.client(url));
    let driver = std::sync::Arc::new(MessageDriver {
        state: tokio::sync::Mutex::new(Default::default()),
        client,
    });
    for suite in ["receiving", "business"] {
        let dir = tempfile::tempdir().unwrap();
        let summary = run(suite, DriverSpec::Custom(driver.clone()), dir.path()).await;
        assert_eq!(summary.failed(), 0, "{suite}:\n{}", describe(&summary));
        assert_eq!(summary.skipped(), 0, "{suite}:\n{}", describe(&summary));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manager_emits_over_mllp_fhir_and_a_drop_folder_on_loopback() {
    use insilab_harness::actions::{Carrier, CollectionMethod, IdentityAction, Transport};
    use insilab_harness::outcome::{OutcomeKind, StoredIns, TraitsInput};
    use insilab_simulator::channels::ChannelsConfig;
    use insilab_simulator::{Simulator, SimulatorConfig, TlsSource};

    let pki = std::sync::Arc::new(insilab_certs::testing::shared_pki().unwrap());
    let mut config = SimulatorConfig::ephemeral(TlsSource::Pki(pki));
    config.admin_listen = None;
    let loopback = "127.0.0.1:0".parse().unwrap();
    config.channels = ChannelsConfig {
        mllp_listen: Some(loopback),
        fhir_listen: Some(loopback),
        ..ChannelsConfig::default()
    };
    let sim = Simulator::start(config).await.unwrap();
    let no_insi = || -> Result<insilab_client::InsiClient, insilab_harness::HarnessError> {
        Err(insilab_harness::HarnessError::Driver(
            "no INSi call expected".into(),
        ))
    };
    let mut manager = insilab_harness::manager::Manager::new();
    let created = manager
        .act(
            &IdentityAction::Create {
                traits: TraitsInput {
                    birth_name: "ADRUN".into(),
                    first_names: vec!["ZOE".into()],
                    sex: "F".into(),
                    birth_date: "1975-12-31".into(),
                    birthplace: Some("63220".into()),
                },
                method: CollectionMethod::VitaleApp,
                document: None,
                ins: Some(StoredIns {
                    matricule: "2751263220749".into(),
                    key: "74".into(),
                    oid: "1.2.250.1.213.1.4.8".into(),
                    ..StoredIns::default()
                }),
                used_first_name: None,
                used_name: None,
                first_name: None,
            },
            &no_insi,
        )
        .await;
    let local_id = created.identity.unwrap().local_id;
    let drop = tempfile::tempdir().unwrap();
    for (carrier, destination, expect) in [
        (
            Carrier::Hl7v2,
            Transport::Mllp {
                address: sim.mllp_addr().unwrap().to_string(),
            },
            "ACK",
        ),
        (
            Carrier::Fhir,
            Transport::Fhir {
                base_url: sim.fhir_url().unwrap(),
            },
            "HTTP 20",
        ),
        (
            Carrier::Datamatrix,
            Transport::DropFolder {
                path: drop.path().display().to_string(),
            },
            "written to",
        ),
    ] {
        let out = manager
            .act(
                &IdentityAction::Emit {
                    local_id: local_id.clone(),
                    carrier,
                    destination,
                },
                &no_insi,
            )
            .await;
        assert_eq!(out.outcome, OutcomeKind::Done, "{carrier:?}: {out:?}");
        assert!(
            out.message.as_deref().is_some_and(|m| m.contains(expect)),
            "{carrier:?}: {out:?}"
        );
    }
    let png = std::fs::read(drop.path().join(format!("{local_id}.png"))).unwrap();
    let payload = insilab_formats::datamatrix::decode_image(&png).unwrap();
    assert!(payload.contains("S12751263220749"), "{payload}");
}
