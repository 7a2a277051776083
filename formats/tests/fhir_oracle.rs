//! Independent oracle: the Python `fhir.resources` package (R4B models, whose Patient, Bundle
//! and OperationOutcome are R4's) validates the FHIR JSON we write: the FR Core Patient of a
//! qualified identity, the clean fixture written back, a Bundle of Patients and an
//! OperationOutcome with findings. Its models refuse unknown elements, wrong types and wrong
//! cardinalities. The python comes from `INSILAB_PYTHON_FHIR`, or from the venv that
//! `scripts/install-oracles.sh` makes under `target/oracles/venv`. Missing: the test fails under
//! `INSILAB_REQUIRE_TOOLS=1` or `CI=true` (crate `testkit`), else is skipped loudly.

use std::path::{Path, PathBuf};
use std::process::Command;

use insilab_core::ins::status::IdentityStatus;
use insilab_core::ins::{BirthDate, Cog, Ins, Matricule, Oid, Sex, Traits};
use insilab_formats::fhir::outcome::{self, Issue};
use insilab_formats::fhir::{self, Bundle, BundleEntry, EntryResource, Resource, Syntax};
use insilab_formats::identity::{self, Identity};

const ORACLE_VENV: &str = "target/oracles/venv";

const VALIDATE: &str = r#"
import json, sys
from fhir.resources.R4B import get_fhir_model_class
failed = 0
for path in sys.argv[1:]:
    doc = json.load(open(path))
    try:
        get_fhir_model_class(doc["resourceType"]).model_validate(doc)
        print("ok", path)
    except Exception as e:
        failed += 1
        print("INVALID", path, e)
sys.exit(1 if failed else 0)
"#;

fn python() -> Option<PathBuf> {
    let candidate = match std::env::var_os("INSILAB_PYTHON_FHIR") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(ORACLE_VENV)
            .join("bin/python"),
    };
    Command::new(&candidate)
        .args(["-c", "import fhir.resources.R4B"])
        .output()
        .is_ok_and(|o| o.status.success())
        .then_some(candidate)
}

fn identity() -> Identity {
    Identity {
        ins: Some(Ins::new(
            Matricule::parse("279035121518989").expect("matricule"),
            Oid::NirTest,
        )),
        traits: Traits {
            birth_name: "PAT-TROIS".into(),
            first_names: vec!["DOMINIQUE".into(), "MARIE-LOUISE".into()],
            sex: Sex::F,
            birth_date: BirthDate::parse("1979-03-28").expect("date"),
            birthplace: Some(Cog::parse("63220").expect("cog")),
        },
        status: Some(IdentityStatus::Qual),
    }
}

#[test]
fn fhir_resources_validates_what_we_write() {
    let Some(py) = python() else {
        insilab_testkit::skip(
            "fhir_resources_validates_what_we_write",
            "no python with fhir.resources: run scripts/install-oracles.sh or set INSILAB_PYTHON_FHIR",
        );
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let patient = identity::to_patient(&identity());
    let fixture = fhir::read(include_bytes!("fixtures/fhir/clean.xml")).expect("fixture");
    let bad = fhir::read(include_bytes!("fixtures/fhir/INS-FHIR-002.json")).expect("fixture");
    let bundle = Resource::Bundle(Bundle {
        id: Some("b1".into()),
        type_: Some("collection".into()),
        entries: vec![BundleEntry {
            full_url: Some("urn:uuid:9d1c2f4e-0000-4000-8000-000000000001".into()),
            resource: Some(EntryResource::Patient(Box::new(patient.clone()))),
        }],
    });
    let findings = insilab_formats::rules::fhir::check_resource(&bad);
    assert!(!findings.is_empty());
    let issues: Vec<Issue> = findings.iter().map(Issue::of).collect();
    let docs = [
        (
            "patient.json",
            fhir::write(&Resource::Patient(Box::new(patient)), Syntax::Json),
        ),
        ("fixture.json", fhir::write(&fixture, Syntax::Json)),
        ("bundle.json", fhir::write(&bundle, Syntax::Json)),
        ("outcome.json", outcome::write(&issues, Syntax::Json)),
        ("outcome-ok.json", outcome::write(&[], Syntax::Json)),
    ];
    let mut args = Vec::new();
    for (name, text) in &docs {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        args.push(p);
    }
    let out = Command::new(&py)
        .arg("-c")
        .arg(VALIDATE)
        .args(&args)
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        docs.len()
    );

    // The oracle is not a rubber stamp: an element of the wrong shape is refused.
    let wrong = dir.path().join("wrong.json");
    std::fs::write(
        &wrong,
        r#"{"resourceType":"Patient","gender":{"code":"female"}}"#,
    )
    .expect("write");
    let out = Command::new(&py)
        .arg("-c")
        .arg(VALIDATE)
        .arg(&wrong)
        .output()
        .expect("run python");
    assert!(!out.status.success());
}
