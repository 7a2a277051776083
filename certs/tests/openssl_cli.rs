//! Independent checks with the OpenSSL command line: every valid chain verifies, each negative
//! certificate is rejected for its own reason, every PKCS#12 bundle opens with the documented
//! password, and the CRL lists exactly the revoked serial. Skipped (loudly) without `openssl`.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on any unexpected error"
)]

use std::path::Path;
use std::process::Command;

use insilab_certs::testing::shared_pki;
use insilab_certs::{Pki, Role};

fn openssl_available() -> bool {
    insilab_testkit::OPENSSL.require("the independent checks with the openssl command line")
}

/// Runs `openssl` in `dir`; returns (success, stdout + stderr).
fn openssl(dir: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

/// `openssl verify` of an identity against the test root, its chain as untrusted intermediates,
/// with the client or server purpose and, optionally, the ORGANISATIONS CRL.
fn verify(pki: &Pki, name: &str, purpose: &str, crl: bool) -> (bool, String) {
    let entry = pki.index().identity(name).unwrap();
    let mut args = vec![
        "verify",
        "-CAfile",
        "ca/root.pem",
        "-untrusted",
        &entry.chain,
        "-purpose",
        purpose,
    ];
    if crl {
        args.extend(["-crl_check", "-CRLfile", "crl/organisations.crl.pem"]);
    }
    args.push(&entry.cert);
    openssl(pki.dir(), &args)
}

#[test]
fn valid_chains_verify_and_each_negative_fails_for_its_reason() {
    if !openssl_available() {
        return;
    }
    let pki = shared_pki().unwrap();
    for name in ["insi-auto", "insi-manu", "cn-organisation", "cn-lowercase"] {
        let (ok, text) = verify(&pki, name, "sslclient", true);
        assert!(ok, "{name} should verify: {text}");
    }
    let (ok, text) = verify(&pki, "server", "sslserver", true);
    assert!(ok, "server should verify: {text}");
    // The CPx-like certificate chains to the root through FORT PERSONNES.
    let entry = pki.index().identity("cpx-899900063480").unwrap();
    let (ok, text) = openssl(
        pki.dir(),
        &[
            "verify",
            "-CAfile",
            "ca/root.pem",
            "-untrusted",
            &entry.chain,
            "-crl_check",
            "-CRLfile",
            "crl/personnes.crl.pem",
            &entry.cert,
        ],
    );
    assert!(ok, "cpx should verify: {text}");

    let rejected = [
        ("expired", "sslclient", true, "certificate has expired"),
        (
            "not-yet-valid",
            "sslclient",
            true,
            "certificate is not yet valid",
        ),
        ("revoked", "sslclient", true, "certificate revoked"),
        (
            "lookalike-issuer",
            "sslclient",
            false,
            "unable to get local issuer certificate",
        ),
        (
            "server-eku-only",
            "sslclient",
            true,
            "unsuitable certificate purpose",
        ),
        ("self-signed", "sslclient", false, "self-signed certificate"),
        (
            "server-expired",
            "sslserver",
            true,
            "certificate has expired",
        ),
        (
            "server-untrusted",
            "sslserver",
            false,
            "unable to get local issuer certificate",
        ),
    ];
    for (name, purpose, crl, reason) in rejected {
        let (ok, text) = verify(&pki, name, purpose, crl);
        assert!(!ok, "{name} should be rejected: {text}");
        assert!(
            text.contains(reason),
            "{name} should be rejected with {reason:?}: {text}"
        );
    }
    // Revocation is what rejects `revoked`: without the CRL it verifies.
    let (ok, text) = verify(&pki, "revoked", "sslclient", false);
    assert!(ok, "revoked verifies without -crl_check: {text}");
}

#[test]
fn every_pkcs12_bundle_opens_with_the_documented_password() {
    if !openssl_available() {
        return;
    }
    let pki = shared_pki().unwrap();
    let password = format!("pass:{}", pki.index().p12_password);
    assert_eq!(
        pki.index().p12_password,
        insilab_certs::DEFAULT_P12_PASSWORD
    );
    for entry in &pki.index().identities {
        let p12 = entry.p12.as_deref().unwrap();
        let (ok, text) = openssl(
            pki.dir(),
            &[
                "pkcs12", "-info", "-noout", "-passin", &password, "-in", p12,
            ],
        );
        assert!(ok, "{}: {text}", entry.name);
        assert!(
            text.contains("PBES2, PBKDF2, AES-256-CBC"),
            "{}: {text}",
            entry.name
        );
        assert!(text.contains("MAC: sha256"), "{}: {text}", entry.name);
        // The bundle's certificate is the identity's certificate.
        let (ok, text) = openssl(
            pki.dir(),
            &[
                "pkcs12", "-in", p12, "-passin", &password, "-nokeys", "-clcerts",
            ],
        );
        assert!(ok, "{}: {text}", entry.name);
        let expected = std::fs::read_to_string(pki.dir().join(&entry.cert)).unwrap();
        assert!(
            text.contains(expected.trim()),
            "{}: the bundle holds another certificate",
            entry.name
        );
        let (ok, _) = openssl(
            pki.dir(),
            &[
                "pkcs12",
                "-info",
                "-noout",
                "-passin",
                "pass:wrong",
                "-in",
                p12,
            ],
        );
        assert!(!ok, "{} opened with a wrong password", entry.name);
    }
}

#[test]
fn the_crl_lists_exactly_the_revoked_serials() {
    if !openssl_available() {
        return;
    }
    let pki = shared_pki().unwrap();
    let serial_of = |name: &str| pki.index().identity(name).unwrap().facts.serial.clone();
    let revoked_serial = serial_of("revoked");
    let revoked_card_serial = serial_of("cpx-revoked");
    for crl in &pki.index().crls {
        for (file, form) in [(&crl.pem, "PEM"), (&crl.der, "DER")] {
            let (ok, text) = openssl(
                pki.dir(),
                &["crl", "-inform", form, "-in", file, "-noout", "-text"],
            );
            assert!(ok, "{file}: {text}");
            let listed: Vec<String> = text
                .lines()
                .filter_map(|line| line.trim().strip_prefix("Serial Number: "))
                .map(str::to_owned)
                .collect();
            let expected = match crl.name.as_str() {
                "organisations" => vec![revoked_serial.clone()],
                "personnes" => vec![revoked_card_serial.clone()],
                _ => Vec::new(),
            };
            assert_eq!(listed, expected, "{file}");
            assert_eq!(crl.revoked_serials, expected, "index entry of {file}");
        }
    }
}

#[test]
fn the_index_agrees_with_openssl_on_every_certificate() {
    if !openssl_available() {
        return;
    }
    let pki = shared_pki().unwrap();
    let mut certs: Vec<(&str, &insilab_certs::CertFacts, Role)> = pki
        .index()
        .identities
        .iter()
        .map(|e| (e.cert.as_str(), &e.facts, e.role))
        .collect();
    certs.extend(
        pki.index()
            .cas
            .iter()
            .map(|e| (e.cert.as_str(), &e.facts, e.role)),
    );
    for (file, facts, _role) in certs {
        let (ok, text) = openssl(
            pki.dir(),
            &[
                "x509",
                "-in",
                file,
                "-noout",
                "-serial",
                "-fingerprint",
                "-sha256",
            ],
        );
        assert!(ok, "{file}: {text}");
        assert!(
            text.contains(&format!("serial={}", facts.serial)),
            "{file}: {text}"
        );
        assert!(
            text.contains(&format!("Fingerprint={}", facts.sha256)),
            "{file}: {text}"
        );
    }
    let (_, text) = openssl(
        pki.dir(),
        &[
            "x509",
            "-in",
            "identities/insi-auto/cert.pem",
            "-noout",
            "-subject",
            "-nameopt",
            "RFC2253",
        ],
    );
    assert_eq!(
        text.trim(),
        "subject=CN=INSI-AUTO,OU=10B0152872,O=CENTRE DE SANTE RPPS15287,C=FR"
    );
    let (_, text) = openssl(
        pki.dir(),
        &[
            "x509",
            "-in",
            "identities/server/cert.pem",
            "-noout",
            "-ext",
            "subjectAltName",
        ],
    );
    assert!(
        text.contains("DNS:localhost")
            && text.contains("IP Address:127.0.0.1")
            && text.contains("IP Address:0:0:0:0:0:0:0:1"),
        "{text}"
    );
    let (_, text) = openssl(
        pki.dir(),
        &[
            "x509",
            "-in",
            "identities/cpx-899900063480/cert.pem",
            "-noout",
            "-ext",
            "keyUsage",
        ],
    );
    assert!(
        text.contains("Non Repudiation") && !text.contains("Digital Signature"),
        "{text}"
    );
}

#[test]
fn bundles_written_by_openssl_are_read_too_legacy_ones_included() {
    if !openssl_available() {
        return;
    }
    let pki = shared_pki().unwrap();
    let identity = pki.identity("insi-manu").unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let (expected_chain, expected_key) = identity.rustls_identity().unwrap();
    // OpenSSL 3's default (PBES2/AES-256) and the 3DES + SHA-1 MAC form older tools write.
    for (file, extra) in [
        ("modern.p12", vec![]),
        (
            "legacy.p12",
            vec![
                "-certpbe",
                "PBE-SHA1-3DES",
                "-keypbe",
                "PBE-SHA1-3DES",
                "-macalg",
                "sha1",
            ],
        ),
    ] {
        let out = scratch.path().join(file);
        let mut args = vec![
            "pkcs12",
            "-export",
            "-in",
            identity.chain_path.to_str().unwrap(),
            "-inkey",
            identity.key_path.to_str().unwrap(),
            "-name",
            "from-openssl",
            "-passout",
            "pass:secret",
            "-out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        let (ok, text) = openssl(pki.dir(), &args);
        assert!(ok, "{file}: {text}");
        let (chain, key) = insilab_certs::client_identity_from_p12(&out, "secret").unwrap();
        assert_eq!(chain, expected_chain, "{file}");
        assert_eq!(key.secret_der(), expected_key.secret_der(), "{file}");
    }
}
