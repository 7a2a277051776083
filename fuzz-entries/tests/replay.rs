//! Replays every committed corpus entry and crash regression through the fuzzed entry points,
//! on stable: `fuzz/corpus/<target>/*` and `fuzz/regressions/<target>/*`. A finding of the
//! fuzzer, once minimised into `fuzz/regressions/`, stays fixed.

use std::path::{Path, PathBuf};

use insilab_fuzz_entries::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

#[test]
fn every_target_has_a_seed_corpus_and_replays_it() {
    let mut replayed = 0;
    for target in TARGETS {
        let corpus = files(&fuzz_dir().join("corpus").join(target.name));
        assert!(
            !corpus.is_empty(),
            "fuzz/corpus/{} has no seed (write a few inputs there; see docs/reliability.md)",
            target.name
        );
        for file in corpus {
            let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            (target.run)(&data);
            replayed += 1;
        }
    }
    assert!(replayed >= TARGETS.len());
}

/// The committed seeds of `target`: file name and bytes.
fn named_seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    files(&fuzz_dir().join("corpus").join(target))
        .into_iter()
        .map(|file| {
            let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            (name, data)
        })
        .collect()
}

/// The PDF seeds reach the whole reader: each page with an image decodes to the ins-rules.md §6
/// example (so the fuzzer starts from inputs that get through lopdf, our sample unpacking and
/// the symbol search), and the page without one is the typed "no image" error.
#[test]
fn the_pdf_seeds_reach_the_symbol() {
    use insilab_formats::datamatrix::{SymbolError, decode_pdf};
    let mut decoded = 0;
    for (name, data) in named_seeds("pdf_datamatrix") {
        let read = decode_pdf(&data);
        if name == "no-image.pdf" {
            assert!(
                matches!(read, Err(SymbolError::NotFound(ref why)) if why.contains("no image")),
                "{name}: {read:?}"
            );
        } else {
            let payload = read.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(payload.contains("S3DOMINIQUE"), "{name}: {payload:?}");
            decoded += 1;
        }
    }
    assert!(decoded >= 4, "only {decoded} PDF seeds decode");
}

/// The image seeds reach the whole reader: each PNG and JPEG with a symbol decodes to the
/// ins-rules.md §6 example (so the fuzzer starts from inputs that get through the `image`
/// decoders and rxing's search), and the blank one is the typed "not found" error.
#[test]
fn the_image_seeds_reach_the_symbol() {
    use insilab_formats::datamatrix::{SymbolError, decode_image};
    let mut decoded = std::collections::BTreeSet::new();
    for (name, data) in named_seeds("datamatrix_image") {
        let read = decode_image(&data);
        if name == "blank.png" {
            assert!(
                matches!(read, Err(SymbolError::NotFound(_))),
                "{name}: {read:?}"
            );
        } else {
            let payload = read.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(payload.contains("S3DOMINIQUE"), "{name}: {payload:?}");
            decoded.insert(name.rsplit('.').next().unwrap_or_default().to_owned());
        }
    }
    assert!(
        decoded.contains("png") && decoded.contains("jpg"),
        "a PNG and a JPEG seed must decode: {decoded:?}"
    );
}

/// The `(name, version)` pairs of a `Cargo.lock`.
fn locked_packages(lock: &str) -> std::collections::BTreeSet<(String, String)> {
    let field = |block: &str, key: &str| {
        block.lines().find_map(|line| {
            line.strip_prefix(key)
                .and_then(|rest| rest.strip_prefix(" = \""))
                .and_then(|rest| rest.strip_suffix('"'))
                .map(str::to_owned)
        })
    };
    lock.split("[[package]]")
        .skip(1)
        .filter_map(|block| Some((field(block, "name")?, field(block, "version")?)))
        .collect()
}

/// The fuzz workspace's lock file is committed, and it builds the readers with the versions
/// the main workspace tests: every package both lock files name is at a version the main one
/// has (after `cargo update` in the main workspace, run `cargo update -p NAME --precise V` in
/// `fuzz/`).
#[test]
fn the_fuzz_lock_pins_the_workspace_versions() {
    let read = |path: PathBuf| {
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let main = locked_packages(&read(fuzz_dir().join("../Cargo.lock")));
    let fuzz = locked_packages(&read(fuzz_dir().join("Cargo.lock")));
    assert!(
        main.len() > 100 && fuzz.len() > 100,
        "{} {}",
        main.len(),
        fuzz.len()
    );
    let names: std::collections::BTreeSet<&String> = main.iter().map(|(n, _)| n).collect();
    let drift: Vec<_> = fuzz
        .iter()
        .filter(|(name, _)| names.contains(name))
        .filter(|package| !main.contains(*package))
        .collect();
    assert!(
        drift.is_empty(),
        "fuzz/Cargo.lock differs from Cargo.lock: {drift:?}"
    );
}

#[test]
fn every_crash_regression_stays_fixed() {
    for target in TARGETS {
        for file in files(&fuzz_dir().join("regressions").join(target.name)) {
            let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            (target.run)(&data);
        }
    }
}

#[test]
fn every_target_has_a_cargo_fuzz_binary() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap_or_default();
    for target in TARGETS {
        assert!(
            manifest.contains(&format!("name = \"{}\"", target.name)),
            "fuzz/Cargo.toml lacks the [[bin]] {}",
            target.name
        );
        assert!(
            fuzz_dir()
                .join("fuzz_targets")
                .join(format!("{}.rs", target.name))
                .is_file(),
            "fuzz/fuzz_targets/{}.rs is missing",
            target.name
        );
    }
}

/// Hostile inputs that each entry point must survive (no panic), whatever the target.
#[test]
fn every_target_survives_degenerate_inputs() {
    let inputs: [&[u8]; 6] = [
        b"",
        b"\0",
        &[0xff; 64],
        b"<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY a \"aaaa\">]><a>&a;</a>",
        b"- - - - - - - - &a [*a, *a]",
        b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
    ];
    for target in TARGETS {
        for input in inputs {
            (target.run)(input);
        }
    }
}

/// The `cpx_assertion` seeds the campaign generates (`write_cpx_seeds`, from the shared test
/// PKI, with the trust the target loads) reach the end of the reader: the valid assertions pass
/// every rule (so the fuzzer starts from inputs whose signature, certificate chain and CRL
/// checks all run), and each negative case is refused. The committed, hand-written seeds carry
/// no valid signature and are refused.
#[test]
fn the_cpx_seeds_are_judged_as_their_names_say() {
    use insilab_fuzz_entries::{CpxTrust, cpx_assertion_with, write_cpx_seeds};
    let pki = insilab_certs::testing::shared_pki().expect("the shared test PKI");
    let dir = tempfile::tempdir().expect("a temporary directory");
    write_cpx_seeds(&pki, dir.path()).expect("the cpx seeds are written");
    let trust = CpxTrust::load(&dir.path().join("cpx")).expect("the trust written reads back");
    let policy = trust.policy();
    let seeds = files(&dir.path().join("corpus/cpx_assertion"));
    let mut valid = 0;
    for file in &seeds {
        let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        cpx_assertion_with(&data, &trust);
        let report = insilab_core::rules::check_assertion(&data, &policy);
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with("valid-") {
            assert!(report.findings.is_empty(), "{name}: {:#?}", report.findings);
            valid += 1;
        } else {
            assert!(report.refusal().is_some(), "{name} is not refused");
        }
    }
    assert!(valid >= 4 && seeds.len() > valid, "{} seeds", seeds.len());
    for file in files(&fuzz_dir().join("corpus/cpx_assertion")) {
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let report = insilab_core::rules::check_assertion(&data, &policy);
        assert!(
            report.refusal().is_some(),
            "{} is a committed seed yet accepted",
            file.display()
        );
    }
}
