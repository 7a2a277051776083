//! End-to-end tests of `insilab ins`: output, JSON shape and exit codes of the real binary.
#![expect(clippy::unwrap_used, reason = "test harness")]

use std::process::Command;

fn ins(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .arg("ins")
        .args(args)
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
fn check_valid_corsica_matricule() {
    let (code, out, _) = ins(&["check", "188102B17295165", "--oid", "1.2.250.1.213.1.4.10"]);
    assert_eq!(code, 0, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn check_wrong_key_exits_1_and_names_both_keys() {
    let (code, out, _) = ins(&["check", "276037510669380"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn check_json_is_stable() {
    let (code, out, _) = ins(&[
        "check",
        "181036322045660",
        "--oid",
        "1.2.250.1.213.1.4.2",
        "--json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["key"]["expected"], 76);
    insta::assert_snapshot!(out);
    let (code, out, _) = ins(&["check", "27903512151898", "--json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["errors"][0]["code"], "wrong-length");
    assert!(v["layout"].is_null());
}

#[test]
fn key_command() {
    let (code, out, _) = ins(&["key", "2790351215189"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "key 89  matricule 279035121518989\n")
    );
    let (code, out, _) = ins(&["key", "160012B020777", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["key"], 13);
    assert_eq!(v["matricule"], "160012B02077713");
    let (code, out, _) = ins(&["key", "16001X"]);
    assert_eq!(code, 1);
    assert!(out.contains("6 characters"), "{out}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(ins(&[]).0, 2);
    assert_eq!(ins(&["check"]).0, 2);
    assert_eq!(ins(&["key", "2790351215189", "--bogus"]).0, 2);
}

#[test]
fn check_accepts_the_key_apart() {
    let (code, out, _) = ins(&["check", "1810363220456", "76", "--json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["key"]["found"], 76);
    let (code, _, _) = ins(&["check", "1810363220456", "60"]);
    assert_eq!(code, 1);
    let (code, out, _) = ins(&["check", "1810363220456", "7", "--json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["errors"][0]["code"], "wrong-length");
}
