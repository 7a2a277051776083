//! Same seed and time give byte-identical files; another seed gives other keys; `init` never
//! overwrites without `force` and replaces atomically with it.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on any unexpected error"
)]

use std::collections::BTreeMap;
use std::path::Path;

use insilab_certs::testing::{shared_options, shared_pki};
use insilab_certs::{CertsError, Pki, PkiOptions, init};

fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn same_seed_and_time_give_identical_bytes_and_another_seed_differs() {
    let shared = shared_pki().unwrap();
    let reference = read_tree(shared.dir());

    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("pki");
    init(&out, &shared_options(), false).unwrap();
    let again = read_tree(&out);
    assert_eq!(
        reference.keys().collect::<Vec<_>>(),
        again.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &reference {
        assert!(
            again[path] == *bytes,
            "{path} differs between two runs with the same seed and time (if the generator's \
             output changed on purpose, bump GENERATOR_REVISION so the shared PKI is rebuilt)"
        );
    }

    // Without force, an existing PKI is left alone.
    let refused = init(&out, &shared_options(), false).unwrap_err();
    assert!(
        matches!(refused, CertsError::AlreadyExists { .. }),
        "{refused}"
    );
    assert_eq!(read_tree(&out), again);

    // With force, it is replaced, here by another seed: every key and certificate differs.
    let other = PkiOptions {
        seed: shared_options().seed + 1,
        ..shared_options()
    };
    let replaced = init(&out, &other, true).unwrap();
    assert!(insilab_certs::is_own_pki(&out));
    assert_eq!(replaced.index().seed, other.seed);
    let different = read_tree(&out);
    for (path, bytes) in &reference {
        if path.ends_with(".pem") || path.ends_with(".der") || path.ends_with(".p12") {
            assert!(
                different[path] != *bytes,
                "{path} did not change with the seed"
            );
        }
    }
    // Nothing is left beside the PKI (staging or old directories).
    let leftovers: Vec<_> = std::fs::read_dir(scratch.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("pki")]);
}

#[test]
fn loading_a_missing_pki_names_the_directory_and_the_command() {
    let scratch = tempfile::tempdir().unwrap();
    let missing = scratch.path().join("nothing-here");
    let error = Pki::load(&missing).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, CertsError::Missing { .. }));
    assert!(
        message.contains(&missing.display().to_string()),
        "{message}"
    );
    assert!(message.contains("insilab pki init"), "{message}");
}

#[test]
fn an_unknown_identity_is_refused_with_the_known_names() {
    let pki = shared_pki().unwrap();
    let error = pki.identity("insi-admin").unwrap_err();
    assert!(matches!(error, CertsError::UnknownIdentity { .. }));
    let message = error.to_string();
    assert!(
        message.contains("\"insi-admin\"") && message.contains("insi-auto, insi-manu"),
        "{message}"
    );
}

#[test]
fn every_identity_of_the_catalogue_has_its_files() {
    let pki = shared_pki().unwrap();
    // 13 organisation/server identities and 6 virtual cards (3 valid, 3 negative).
    assert_eq!(pki.index().identities.len(), 19);
    for entry in &pki.index().identities {
        let identity = pki.identity(&entry.name).unwrap();
        assert!(
            identity.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"),
            "{}",
            entry.name
        );
        assert!(
            identity.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"),
            "{}",
            entry.name
        );
        assert!(
            identity.chain_pem.starts_with(&identity.cert_pem),
            "{}",
            entry.name
        );
        assert!(
            identity.p12_path.as_deref().is_some_and(Path::is_file),
            "{}",
            entry.name
        );
    }
    // The chain carries the intermediate but never the root.
    let root = pki.trust_roots_pem().unwrap();
    let auto = pki.identity("insi-auto").unwrap();
    assert_eq!(auto.chain_pem.matches("BEGIN CERTIFICATE").count(), 2);
    assert!(!auto.chain_pem.contains(root.trim()));
}

#[test]
fn force_never_deletes_a_directory_that_is_not_a_pki_it_made() {
    let scratch = tempfile::tempdir().unwrap();
    let foreign = scratch.path().join("thesis");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("chapter1.tex"), "precious").unwrap();
    // An index.yaml that another tool wrote is not ours either.
    let other_index = scratch.path().join("other");
    std::fs::create_dir(&other_index).unwrap();
    std::fs::write(
        other_index.join("index.yaml"),
        "generator: something-else 1.0\n",
    )
    .unwrap();
    for dir in [&foreign, &other_index] {
        let before = read_tree(dir);
        let refused = init(dir, &shared_options(), true).unwrap_err();
        assert!(matches!(refused, CertsError::NotAPki { .. }), "{refused}");
        assert!(
            refused.to_string().contains("no index.yaml of its own"),
            "{refused}"
        );
        assert_eq!(read_tree(dir), before, "{} was changed", dir.display());
    }
    // An empty directory is fine without force (nothing to lose).
    let empty = scratch.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert!(!insilab_certs::is_own_pki(&empty));
}
