//! `insilab card sign` / `card verify`: a signed assertion verifies (exit 0), a case of the
//! negative catalogue is refused naming its rule (exit 1), an unreadable file is a setup error
//! (exit 2); and `insilab query --card` is served by the card listener.
#![expect(clippy::unwrap_used, reason = "test harness")]

use std::path::Path;
use std::process::Command;

use insilab_certs::testing::shared_pki;

fn insilab(pki: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(args)
        .env("INSILAB_PKI", pki)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_signed_assertion_verifies_and_a_tampered_one_names_its_rule() {
    let pki = shared_pki().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (code, xml, err) = insilab(pki.dir(), &["card", "sign", "--card", "00B6087510"]);
    assert_eq!(code, 0, "{err}");
    assert!(xml.starts_with("<saml:Assertion "), "{xml}");
    let good = dir.path().join("good.xml");
    std::fs::write(&good, &xml).unwrap();
    let (code, out, err) = insilab(pki.dir(), &["card", "verify", good.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("professional 00B6087510"), "{out}");

    let (code, xml, err) = insilab(
        pki.dir(),
        &[
            "card",
            "sign",
            "--card",
            "899900063480",
            "--case",
            "revoked-certificate",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let bad = dir.path().join("revoked.xml");
    std::fs::write(&bad, &xml).unwrap();
    let (code, out, _) = insilab(
        pki.dir(),
        &["card", "verify", "--json", bad.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["findings"][0]["rule_id"], "INSI-CPX-012", "{doc}");
    assert_eq!(doc["professional_id"], "899900063480");

    let (code, _, err) = insilab(
        pki.dir(),
        &[
            "card",
            "verify",
            dir.path().join("missing.xml").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = insilab(pki.dir(), &["card", "sign", "--card", "123"]);
    assert_eq!(code, 2, "an unknown professional is a setup error: {err}");
}
