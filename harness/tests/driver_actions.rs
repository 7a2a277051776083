//! The identity-management actions (issue 12) through the command, http and manual drivers,
//! and delivery to a software's declared channel: a small python3 identity store behind the
//! command driver, a hook on loopback, scripted operator answers.
#![expect(clippy::unwrap_used, reason = "test fixtures")]

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use insilab_harness::HarnessError;
use insilab_harness::actions::{
    Attribute, Carrier, CollectionMethod, IdentityAction, IdentityStatus, Transport,
};
use insilab_harness::delivery::{self, Channels};
use insilab_harness::driver::command::{CommandConfig, CommandDriver};
use insilab_harness::driver::http::{HttpConfig, HttpDriver};
use insilab_harness::driver::manual::{ManualConfig, ManualDriver};
use insilab_harness::driver::{ActionContext, Driver};
use insilab_harness::emission::EmissionInbox;
use insilab_harness::outcome::{OutcomeKind, TraitsInput};
use insilab_harness::sim::SimControl;
use insilab_harness::sim_local::LocalSim;
use insilab_testkit::Tool;

const PYTHON3: Tool = Tool {
    program: "python3",
    probe: &["--version"],
    install: "apt-get install python3",
};

/// A tiny identity store: one JSON file in `{state_dir}`, the action read from `{action_file}`.
const STORE: &str = r#"
import json, os, sys
action = json.load(open(sys.argv[1]))
state_dir = sys.argv[2]
path = os.path.join(state_dir, "store.json")
store = json.load(open(path)) if os.path.exists(path) else {}
kind = action["action"]
assert action["scenario"] == "t/actions" and action["endpoint"].startswith("https://")
def view(lid):
    p = store[lid]
    return {"local_id": lid, "status": p["status"], "attributes": p["attributes"],
            "traits": p["traits"]}
if kind == "create":
    t = action["traits"]
    lid = "p%d" % (len(store) + 1)
    store[lid] = {"status": "PROV",
                  "attributes": {"homonyme": False, "douteuse": False, "fictive": False},
                  "traits": {"birth_name": t["birth_name"],
                             "first_names_list": " ".join(t["first_names"]),
                             "sex": t["sex"], "birth_date": t["birth_date"]}}
    out = {"outcome": "done", "identity": view(lid)}
elif kind == "set-attribute":
    names = {"doubtful": "douteuse", "fictitious": "fictive", "homonym": "homonyme"}
    store[action["local_id"]]["attributes"][names[action["attribute"]]] = action["value"]
    out = {"outcome": "done"}
elif kind == "read-identity":
    out = {"outcome": "done", "identity": view(action["local_id"])}
elif kind == "deliver":
    payload = open(sys.argv[3], newline="").read()
    ok = payload == action["payload"] and action["transport"]["kind"] == sys.argv[4]
    out = {"outcome": "done" if ok else "refused", "message": action["transport"]["kind"]}
else:
    out = {"outcome": "refused", "alerts": ["unexpected " + kind]}
json.dump(store, open(path, "w"))
print(json.dumps(out))
"#;

fn pki() -> Arc<insilab_certs::Pki> {
    Arc::new(insilab_certs::testing::shared_pki().unwrap())
}

async fn context() -> (Arc<LocalSim>, ActionContext) {
    let sim = Arc::new(LocalSim::start(pki(), &[]).await.unwrap());
    let mark = sim.begin_scenario().await.unwrap();
    let ctx = ActionContext {
        scenario_id: "t/actions".into(),
        endpoint_override: None,
        sim: sim.clone(),
        mark,
        attestations: Mutex::new(Vec::new()),
    };
    (sim, ctx)
}

fn traits() -> TraitsInput {
    TraitsInput {
        birth_name: "ECETINSI".into(),
        first_names: vec!["PIERRE-ALAIN".into(), "MURIEL".into()],
        sex: "M".into(),
        birth_date: "2009-07-14".into(),
        birthplace: Some("63220".into()),
    }
}

fn create() -> IdentityAction {
    IdentityAction::Create {
        traits: traits(),
        method: CollectionMethod::Manual,
        document: None,
        ins: None,
        used_first_name: None,
        used_name: None,
        first_name: None,
    }
}

fn store_driver(dir: &std::path::Path, channels: Channels, expect_kind: &str) -> CommandDriver {
    let script = dir.join("store.py");
    std::fs::write(&script, STORE).unwrap();
    let cmd = |extra: &[&str]| {
        let mut v = vec![
            "python3".to_owned(),
            script.display().to_string(),
            "{action_file}".to_owned(),
            "{state_dir}".to_owned(),
        ];
        v.extend(extra.iter().map(|s| (*s).to_owned()));
        Some(v)
    };
    CommandDriver::new(CommandConfig {
        search_traits: vec!["false".into()],
        create: cmd(&[]),
        set_attribute: cmd(&[]),
        read_identity: cmd(&[]),
        deliver: cmd(&["{payload_file}", expect_kind]),
        channels,
        timeout_seconds: 30,
        ..CommandConfig::default()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_driver_carries_out_actions_on_a_stateful_store() {
    if !PYTHON3.require("the command driver's actions") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let driver = store_driver(dir.path(), Channels::default(), "inline");
    let (sim, ctx) = context().await;
    let created = driver.act(&ctx, &create()).await.unwrap();
    assert_eq!(created.outcome, OutcomeKind::Done);
    let id = created.identity.unwrap();
    assert_eq!(
        (id.local_id.as_str(), id.status),
        ("p1", IdentityStatus::Prov)
    );
    let set = IdentityAction::SetAttribute {
        local_id: "p1".into(),
        attribute: Attribute::Doubtful,
        value: true,
    };
    assert_eq!(
        driver.act(&ctx, &set).await.unwrap().outcome,
        OutcomeKind::Done
    );
    // The state kept in {state_dir} between two commands.
    let read = IdentityAction::ReadIdentity {
        local_id: "p1".into(),
    };
    let view = driver.act(&ctx, &read).await.unwrap().identity.unwrap();
    assert!(view.attributes.douteuse && !view.attributes.fictive);
    assert_eq!(view.traits.first_names_list, "PIERRE-ALAIN MURIEL");
    // No key for emit: skipped, naming the key.
    let emit = IdentityAction::Emit {
        local_id: "p1".into(),
        carrier: Carrier::Hl7v2,
        destination: Transport::Inline,
    };
    match driver.act(&ctx, &emit).await {
        Err(HarnessError::Skipped(reason)) => assert!(reason.contains("`emit`"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // Without a declared channel a delivery goes inline, the payload also in {payload_file}.
    let hl7 = "MSH|^~\\&|A|B|C|D|20250101000000||ADT^A28^ADT_A05|M1|P|2.5\r";
    let out = delivery::deliver(&driver, &ctx, Carrier::Hl7v2, hl7, "M1", false)
        .await
        .unwrap();
    assert_eq!(
        (out.outcome, out.message.as_deref()),
        (OutcomeKind::Done, Some("inline"))
    );
    drop(ctx);
    Arc::try_unwrap(sim).ok().unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_goes_over_the_declared_mllp_channel_before_the_action() {
    if !PYTHON3.require("the command driver's actions") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // insilab's own MLLP listener plays the software's.
    let software = EmissionInbox::start(&dir.path().join("sut")).await.unwrap();
    let Transport::Mllp { address } = software.destination(Carrier::Hl7v2) else {
        unreachable!()
    };
    let channels = Channels {
        mllp: Some(address),
        ..Channels::default()
    };
    let driver = store_driver(dir.path(), channels, "mllp");
    assert!(driver.channels().mllp.is_some());
    let (_sim, ctx) = context().await;
    software.begin("t/actions");
    let hl7 = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../formats/tests/fixtures/hl7/clean.hl7"),
    )
    .unwrap();
    let delivery = delivery::deliver_with_receipt(&driver, &ctx, Carrier::Hl7v2, &hl7, "M2", false)
        .await
        .unwrap();
    assert!(matches!(delivery.transport, Transport::Mllp { .. }));
    let receipt = delivery.receipt.unwrap();
    assert!(receipt.accepted, "{}", receipt.detail);
    assert_eq!(delivery.outcome.outcome, OutcomeKind::Done);
    assert_eq!(software.take("t/actions", Carrier::Hl7v2).await.len(), 1);
}

/// A hook that creates identities, checks the message carries `scenario` and `endpoint`, and
/// cannot print (501).
async fn start_hook(seen: Arc<Mutex<Vec<serde_json::Value>>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let seen = seen.clone();
                        async move {
                            let body = req.into_body().collect().await.unwrap().to_bytes();
                            let msg: serde_json::Value = serde_json::from_slice(&body).unwrap();
                            seen.lock().unwrap().push(msg.clone());
                            let (status, answer) = match msg["action"].as_str().unwrap() {
                                "create" => (
                                    200,
                                    serde_json::json!({"outcome": "done", "calls": 0, "identity": {
                                        "local_id": "h1", "status": "PROV",
                                        "traits": {"birth_name": msg["traits"]["birth_name"],
                                                   "first_names_list": "PIERRE-ALAIN MURIEL",
                                                   "sex": "M", "birth_date": "2009-07-14"}}}),
                                ),
                                _ => (501, serde_json::json!({"reason": "no printer here"})),
                            };
                            let mut resp = hyper::Response::new(Full::new(Bytes::from(
                                serde_json::to_vec(&answer).unwrap(),
                            )));
                            *resp.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
                            Ok::<_, Infallible>(resp)
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
async fn the_http_driver_posts_the_action_and_a_501_skips_with_the_reason() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let driver = HttpDriver::new(HttpConfig {
        url: start_hook(seen.clone()).await,
        token: None,
        timeout_seconds: 30,
        software_timeout_seconds: None,
        allow_idam: vec![],
        channels: Channels::default(),
    });
    let (_sim, ctx) = context().await;
    let out = driver.act(&ctx, &create()).await.unwrap();
    assert_eq!(out.outcome, OutcomeKind::Done);
    assert_eq!(out.identity.unwrap().local_id, "h1");
    let emit = IdentityAction::Emit {
        local_id: "h1".into(),
        carrier: Carrier::Datamatrix,
        destination: Transport::DropFolder {
            path: "/tmp/x".into(),
        },
    };
    match driver.act(&ctx, &emit).await {
        Err(HarnessError::Skipped(reason)) => {
            assert!(reason.contains("no printer here"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0]["scenario"], "t/actions");
    assert!(
        seen[0]["endpoint"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert_eq!(seen[1]["destination"]["kind"], "drop-folder");
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

fn manual(script: &str) -> (ManualDriver, Shared) {
    let out = Shared::default();
    let config = ManualConfig {
        wait_seconds: 5,
        operator: Some("qa".into()),
        software_timeout_seconds: None,
        allow_idam: vec![],
    };
    let input = std::io::Cursor::new(script.as_bytes().to_vec());
    (ManualDriver::new(config, input, Box::new(out.clone())), out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manual_driver_turns_the_operators_answers_into_an_outcome() {
    let (_sim, ctx) = context().await;
    // read-identity: attestation, then status, INS, attributes, traits (a bad status first).
    let (driver, out) = manual(
        "oui vu\nQUALIFIED\nqual\n1090763220834 89 1.2.250.1.213.1.4.8\nhomonyme\nECETINSI\nPIERRE-ALAIN MURIEL\nM\n2009-07-14\n63220\n",
    );
    let read = IdentityAction::ReadIdentity {
        local_id: "42".into(),
    };
    let got = driver.act(&ctx, &read).await.unwrap();
    assert_eq!(got.outcome, OutcomeKind::Done);
    let view = got.identity.unwrap();
    assert_eq!(view.status, IdentityStatus::Qual);
    assert_eq!(view.ins.unwrap().key, "89");
    assert!(view.attributes.homonyme && !view.attributes.douteuse);
    assert_eq!(view.traits.birthplace.as_deref(), Some("63220"));
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("open identity 42"), "{text}");
    assert!(
        text.contains("expected PROV, RECUP, VALI or QUAL"),
        "{text}"
    );
    let attested = ctx.attestations.lock().unwrap().clone();
    assert_eq!(attested.len(), 1);
    assert_eq!(
        (attested[0].answer.as_str(), attested[0].comment.as_deref()),
        ("yes", Some("vu"))
    );

    // set-attribute refused: Enter ends the wait, "no", then the alert shown.
    let (driver, out) = manual("\nnon\nforbidden: fictitious identity\n");
    let set = IdentityAction::SetAttribute {
        local_id: "42".into(),
        attribute: Attribute::Doubtful,
        value: true,
    };
    let got = driver.act(&ctx, &set).await.unwrap();
    assert_eq!(got.outcome, OutcomeKind::Refused);
    assert_eq!(got.alerts, ["forbidden: fictitious identity"]);
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("SET the attribute doubtful"), "{text}");

    // skip at any prompt skips the scenario.
    let (driver, _) = manual("skip\n");
    let verify = IdentityAction::Verify {
        local_id: "42".into(),
    };
    assert!(matches!(
        driver.act(&ctx, &verify).await,
        Err(HarnessError::Skipped(_))
    ));
}
