//! `insilab pki` end to end: init writes a loadable PKI and refuses to overwrite it, show prints
//! the catalogue (table and JSON), export-trust prints or writes what clients need.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on any unexpected error"
)]

use std::process::{Command, Output};

use insilab_certs::testing::shared_pki;

fn insilab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn init_writes_a_pki_and_never_overwrites_it_without_force() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("pki");
    let out_arg = out.to_str().unwrap();
    let args = [
        "pki",
        "init",
        "--out",
        out_arg,
        "--seed",
        "7",
        "--now",
        "2026-11-27T10:00:00Z",
        "--structure-id",
        "10B0999999",
        "--organisation",
        "CABINET TEST",
        "--san",
        "insi.example.test",
    ];
    let first = insilab(&args);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("seed 7"), "{}", stdout(&first));

    let pki = insilab_certs::Pki::load(&out).unwrap();
    assert_eq!(pki.index().seed, 7);
    assert_eq!(pki.index().now, "2026-11-27T10:00:00Z");
    let auto = pki.index().identity("insi-auto").unwrap();
    assert_eq!(
        auto.facts.subject,
        "CN=INSI-AUTO,OU=10B0999999,O=CABINET TEST,C=FR"
    );
    assert_eq!(auto.facts.not_before, "2026-11-27T10:00:00Z");
    let organisation_cn = pki.index().identity("cn-organisation").unwrap();
    assert!(
        organisation_cn
            .facts
            .subject
            .starts_with("CN=CABINET TEST,")
    );
    let server_pem = std::fs::read(out.join("identities/server/cert.pem")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(out.join("identities/insi-auto/key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "private keys are readable by their owner only"
        );
    }

    let again = insilab(&args);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert_eq!(
        std::fs::read(out.join("identities/server/cert.pem")).unwrap(),
        server_pem
    );
}

#[test]
fn init_refuses_bad_options_before_generating_anything() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("pki");
    for (flag, value, named) in [
        ("--now", "yesterday", "--now"),
        ("--san", "not a name", "--san"),
        ("--organisation", "", "--organisation"),
    ] {
        let output = insilab(&["pki", "init", "--out", out.to_str().unwrap(), flag, value]);
        assert_eq!(output.status.code(), Some(2), "{flag}");
        assert!(
            stderr(&output).contains(named),
            "{flag}: {}",
            stderr(&output)
        );
        assert!(!out.exists(), "{flag}: something was written");
    }
}

#[test]
fn show_prints_the_catalogue_as_a_table_and_as_json() {
    let pki = shared_pki().unwrap();
    let dir = pki.dir().to_str().unwrap();
    let table = insilab(&["pki", "show", dir]);
    assert!(table.status.success(), "{}", stderr(&table));
    let text = stdout(&table).replace(dir, "[PKI]");
    insta::assert_snapshot!("pki_show_table", text);

    let json = insilab(&["pki", "show", dir, "--json"]);
    assert!(json.status.success(), "{}", stderr(&json));
    let parsed: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(
        parsed["identities"].as_array().unwrap().len(),
        pki.index().identities.len()
    );
    assert_eq!(parsed["identities"][1]["name"], "insi-auto");
    assert_eq!(parsed["identities"][1]["expected"], "accepted");
    let expired = parsed["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "expired")
        .unwrap();
    assert_eq!(expired["expected"]["tls_alert"], "certificate_expired");
}

#[test]
fn show_without_a_pki_says_how_to_make_one() {
    let scratch = tempfile::tempdir().unwrap();
    let missing = scratch.path().join("none");
    let output = insilab(&["pki", "show", missing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("insilab pki init"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn export_trust_prints_pem_writes_p12_and_prints_instructions() {
    let pki = shared_pki().unwrap();
    let dir = pki.dir().to_str().unwrap();
    let pem = insilab(&["pki", "export-trust", "--pki", dir, "--format", "pem"]);
    assert!(pem.status.success(), "{}", stderr(&pem));
    let text = stdout(&pem);
    assert_eq!(text.matches("-----BEGIN CERTIFICATE-----").count(), 3);
    assert!(text.starts_with(&pki.trust_roots_pem().unwrap()));

    let scratch = tempfile::tempdir().unwrap();
    let store = scratch.path().join("truststore.p12");
    let p12 = insilab(&[
        "pki",
        "export-trust",
        "--pki",
        dir,
        "--format",
        "p12",
        "--out",
        store.to_str().unwrap(),
    ]);
    assert!(p12.status.success(), "{}", stderr(&p12));
    assert_eq!(
        std::fs::read(&store).unwrap(),
        pki.truststore_p12("insilab").unwrap()
    );
    if Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let info = Command::new("openssl")
            .args([
                "pkcs12",
                "-in",
                store.to_str().unwrap(),
                "-passin",
                "pass:insilab",
                "-nokeys",
            ])
            .output()
            .unwrap();
        assert!(
            info.status.success(),
            "{}",
            String::from_utf8_lossy(&info.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&info.stdout)
                .matches("BEGIN CERTIFICATE")
                .count(),
            3
        );
    } else {
        insilab_testkit::skip(
            "the trust store opened independently with openssl",
            "`openssl` not found on PATH (apt-get install openssl)",
        );
    }

    let instructions = insilab(&[
        "pki",
        "export-trust",
        "--pki",
        dir,
        "--format",
        "jks-instructions",
    ]);
    assert!(instructions.status.success(), "{}", stderr(&instructions));
    let text = stdout(&instructions);
    for needle in [
        "keytool -importcert",
        "NODE_EXTRA_CA_CERTS=",
        "X509CertificateLoader",
        "curl --cacert",
        "ca/root.pem",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

#[test]
fn init_force_refuses_a_directory_that_is_not_its_own_pki_and_show_lists_file_purposes() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("thesis");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("chapter1.tex"), "precious").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["pki", "init", "--force", "--seed", "1", "--out"])
        .arg(&foreign)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("not a test PKI made by `insilab pki init`"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(foreign.join("chapter1.tex")).unwrap(),
        "precious"
    );

    let pki = insilab_certs::testing::shared_pki().unwrap();
    let show = std::process::Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["pki", "show"])
        .arg(pki.dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8(show.stdout).unwrap();
    assert!(
        stdout.contains("identities/insi-auto/chain.pem")
            && stdout.contains("certificate + issuing CA, the chain a client presents"),
        "{stdout}"
    );
    assert!(
        stdout.contains("insi-auto: private key (PKCS#8 PEM, unencrypted)"),
        "{stdout}"
    );
}
