//! `insilab datamatrix`: encode to PNG/SVG, decode an image or a payload file, exit codes.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_insilab");

const IDENTITY: &[&str] = &[
    "--ins",
    "279035121518989",
    "--oid",
    "1.2.250.1.213.1.4.8",
    "--nom",
    "PAT-TROIS",
    "--prenoms",
    "DOMINIQUE",
    "--sexe",
    "F",
    "--naissance",
    "28-03-1979",
    "--lieu",
    "63220",
];

const PAYLOAD: &str = "IS010000000000000000000000S1279035121518989S21.2.250.1.213.1.4.8\u{1d}S3DOMINIQUE\u{1d}S4PAT-TROIS\u{1d}S5FS628-03-1979S763220";

#[test]
fn encode_then_decode_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let png = dir.path().join("ins.png");
    let out = Command::new(BIN)
        .args(["datamatrix", "encode"])
        .args(IDENTITY)
        .arg("--out")
        .arg(&png)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(BIN)
        .args(["datamatrix", "decode", "--json"])
        .arg(&png)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["source"], "image");
    assert_eq!(doc["payload"], PAYLOAD);
    assert_eq!(doc["findings"], serde_json::json!([]));

    let svg = dir.path().join("ins.svg");
    let out = Command::new(BIN)
        .args(["datamatrix", "encode"])
        .args(IDENTITY)
        .arg("--out")
        .arg(&svg)
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert!(
        std::fs::read_to_string(&svg)
            .expect("svg")
            .starts_with("<svg")
    );
}

#[test]
fn faulty_payload_exits_1_and_setup_problems_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let txt = dir.path().join("payload.txt");
    std::fs::write(&txt, PAYLOAD.replace("S5F", "S5X")).expect("write");
    let out = Command::new(BIN)
        .args(["datamatrix", "decode"])
        .arg(&txt)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("INS-DM-008"), "{text}");
    assert!(text.contains("<GS>"), "{text}");

    let out = Command::new(BIN)
        .args(["datamatrix", "decode"])
        .arg(dir.path().join("missing.png"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));

    let out = Command::new(BIN)
        .args(["datamatrix", "encode"])
        .args(IDENTITY)
        .arg("--out")
        .arg(dir.path().join("ins.gif"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".png or .svg"));
}
