//! Independent oracle: the Python `hl7` package (python-hl7) reads the ER7 we write and finds
//! the same PID values. The python comes from `INSILAB_PYTHON_HL7`, or from the venv that
//! `scripts/install-oracles.sh` makes under `target/oracles/venv` (`.ci/run` runs it; the test
//! itself never reaches the network). Missing: the test fails under `INSILAB_REQUIRE_TOOLS=1` or
//! `CI=true` (crate `testkit`), else is skipped loudly.

use std::path::{Path, PathBuf};
use std::process::Command;

use insilab_formats::hl7::adt::build_adt;
use insilab_formats::hl7::{AdtEvent, Cx, Hd, Header, Pid, Xad, Xpn, write};

/// Where `scripts/install-oracles.sh` puts its venv, from the workspace root.
const ORACLE_VENV: &str = "target/oracles/venv";

fn has_hl7(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import hl7"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A python that imports `hl7`, if one is installed.
fn python() -> Option<PathBuf> {
    let candidate = match std::env::var_os("INSILAB_PYTHON_HL7") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(ORACLE_VENV)
            .join("bin/python"),
    };
    has_hl7(&candidate).then_some(candidate)
}

#[test]
fn python_hl7_reads_what_we_write() {
    let Some(py) = python() else {
        insilab_testkit::skip(
            "python_hl7_reads_what_we_write",
            "no python with the hl7 package: run scripts/install-oracles.sh or set INSILAB_PYTHON_HL7",
        );
        return;
    };
    let pid = Pid {
        set_id: "1".into(),
        identifiers: vec![
            Cx {
                id: "000003".into(),
                authority: Hd {
                    namespace: "CHU-X".into(),
                    universal_id: "000897406".into(),
                    universal_id_type: "N".into(),
                },
                type_code: "PI".into(),
                effective_date: String::new(),
            },
            Cx {
                id: "279035121518989".into(),
                authority: Hd {
                    namespace: "ASIP-SANTE-INS-NIR".into(),
                    universal_id: "1.2.250.1.213.1.4.8".into(),
                    universal_id_type: "ISO".into(),
                },
                type_code: "INS".into(),
                effective_date: "20101207".into(),
            },
        ],
        names: vec![
            Xpn {
                family: "D'ARC^|~&".into(),
                given: "JEANNE".into(),
                further_given: "JEANNE MARIE".into(),
                prefix: String::new(),
                type_code: "L".into(),
            },
            Xpn {
                family: "MARTIN".into(),
                type_code: "D".into(),
                ..Xpn::default()
            },
        ],
        birth_date: "19790328".into(),
        sex: "F".into(),
        addresses: vec![Xad {
            type_code: "BDL".into(),
            county: "63220".into(),
            ..Xad::default()
        }],
        identity_unknown: "N".into(),
        reliability: vec!["VALI".into()],
    };
    let header = Header {
        sending_application: "INSILAB".into(),
        sending_facility: "LAB".into(),
        receiving_application: "SUT".into(),
        receiving_facility: "HOP".into(),
        timestamp: "20261201120000".into(),
        event: AdtEvent::A28,
        control_id: "1".into(),
        processing_id: "P".into(),
        version: "2.5".into(),
        country: "FRA".into(),
        charset: "UNICODE UTF-8".into(),
        profile: vec!["2.11".into(), "IHE_FR".into()],
    };
    let text = write(&build_adt(&header, &pid, Vec::new()));
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("adt.hl7");
    std::fs::write(&file, &text).expect("write");
    let script = r#"
import sys, hl7
m = hl7.parse(open(sys.argv[1], encoding='utf-8', newline='').read())
x = lambda *p: str(m.extract_field('PID', 1, *p))
print('\n'.join([x(3,1,1), x(3,1,5), x(3,2,1), x(3,2,4,1), x(3,2,4,2), x(3,2,4,3), x(3,2,5), x(3,2,7),
  x(5,1,1), x(5,1,2), x(5,1,3), x(5,1,7), x(5,2,1), x(5,2,7), x(7,1,1), x(8,1,1), x(11,1,7), x(11,1,9),
  x(31,1,1), x(32,1,1), str(m.extract_field('MSH', 1, 9, 1, 2))]))
"#;
    let out = Command::new(&py)
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    let ins = &pid.identifiers[1];
    let expected = [
        "000003",
        "PI",
        &ins.id,
        &ins.authority.namespace,
        &ins.authority.universal_id,
        "ISO",
        "INS",
        "20101207",
        "D'ARC^|~&",
        "JEANNE",
        "JEANNE MARIE",
        "L",
        "MARTIN",
        "D",
        "19790328",
        "F",
        "BDL",
        "63220",
        "N",
        "VALI",
        "A28",
    ];
    assert_eq!(got, expected, "python-hl7 read: {text:?}");
}
