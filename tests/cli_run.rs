//! `insilab run`: the CNDA suite with the reference driver passes and writes evidence; a faulty
//! driver fails with exit 1; setup errors exit 2. The summary ends with `N passed, N failed`.
#![expect(clippy::unwrap_used, reason = "test harness")]

use std::path::Path;
use std::process::Command;

fn run(out: &Path, args: &[&str]) -> (i32, String, String) {
    let pki = insilab_certs::testing::shared_pki()
        .unwrap()
        .dir()
        .to_owned();
    let output = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .arg("run")
        .arg("--out")
        .arg(out)
        .arg("--pki")
        .arg(pki)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn cnda_suite_passes_with_the_reference_driver() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("evidence");
    let (code, stdout, stderr) = run(&out, &["--suite", "cnda"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout.lines().last(),
        Some("12 passed, 0 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("PASS cnda/2.07-cas1"), "{stdout}");
    for file in [
        "results.json",
        "manifest.sha256",
        "version.txt",
        "dataset.yaml",
        "report.html",
        "junit.xml",
    ] {
        assert!(out.join(file).exists(), "{file} missing");
    }
    assert!(
        out.join("exchanges")
            .join("cnda_2.07-cas1")
            .join("002-request.xml")
            .exists()
    );
}

#[test]
fn a_faulty_driver_fails_with_exit_1_and_names_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(
        dir.path(),
        &[
            "--suite",
            "cnda",
            "--driver",
            "faulty:history-dropped",
            "--tags",
            "@CNDA-2.04-cas1 or @CNDA-2.03-cas3",
        ],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(
        stdout.lines().last(),
        Some("1 passed, 1 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("INSI-STO-03"), "{stdout}");
}

#[test]
fn setup_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(dir.path(), &["--suite", "no-such-suite"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no-such-suite"), "{stderr}");
    let (code, _, stderr) = run(dir.path(), &["--driver", "command"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--driver-config"), "{stderr}");
    let (code, _, _) = run(dir.path(), &["--tags", "@a and ("]);
    assert_eq!(code, 2);
}

#[test]
fn a_dsr_mapping_groups_the_reports_by_dsr_item_and_a_bad_one_is_a_setup_error() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/dsr-mapping.example.yaml");
    let out = dir.path().join("evidence");
    let (code, stdout, stderr) = run(
        &out,
        &[
            "--suite",
            "cnda",
            "--dsr-mapping",
            example.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("EXAMPLE-INS-01"),
        "the HTML report groups by DSR item"
    );
    let json = std::fs::read_to_string(out.join("report.json")).unwrap();
    assert!(
        json.contains("EXAMPLE-INS-02"),
        "the JSON report carries the DSR items"
    );

    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "items:\n  - id: DSR-X\n    requirements: [NOT-A-REQUIREMENT]\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(
        &dir.path().join("never"),
        &["--suite", "cnda", "--dsr-mapping", bad.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("NOT-A-REQUIREMENT"), "{stderr}");
    assert!(
        !dir.path().join("never/results.json").exists(),
        "nothing ran"
    );
}

#[test]
fn a_non_empty_out_is_refused_with_exit_2_and_force_replaces_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("evidence");
    std::fs::create_dir_all(out.join("exchanges/old-run")).unwrap();
    std::fs::write(out.join("exchanges/old-run/001-request.xml"), "<old/>").unwrap();
    std::fs::write(out.join("results.json"), "{}").unwrap();
    let tags = ["--suite", "cnda", "--tags", "@CNDA-2.07-cas1"];

    let (code, stdout, stderr) = run(&out, &tags);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("is not empty"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(out.join("results.json")).unwrap(),
        "{}",
        "a refused run touches nothing"
    );

    let (code, stdout, stderr) = run(&out, &[&tags[..], &["--force"]].concat());
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        !out.join("exchanges/old-run").exists(),
        "--force replaces the directory whole"
    );
    let manifest = std::fs::read_to_string(out.join("manifest.sha256")).unwrap();
    assert!(!manifest.contains("old-run"), "{manifest}");
    assert!(manifest.contains("cnda_2.07-cas1"), "{manifest}");
}

#[test]
fn the_family_option_runs_what_binds_that_software_and_the_reports_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("evidence");
    let (code, stdout, stderr) = run(
        &out,
        &[
            "--suite",
            "protocol",
            "--family",
            "non-repository",
            "--formats",
            "json,md,junit,html",
            "--acceptance",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(results["family"], "non-repository");
    let scenarios = results["scenarios"].as_array().unwrap();
    // Only the verification scenarios bind a software that is not an identity repository.
    assert!(!scenarios.is_empty());
    for s in scenarios {
        let reqs: Vec<&str> = s["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert!(reqs.contains(&"INSI-VER-01"), "{}: {reqs:?}", s["id"]);
    }
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        md.contains("Software family judged: `non-repository`"),
        "{md}"
    );
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert!(
        junit.contains(r#"name="family" value="non-repository""#),
        "{junit}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("family judged"), "missing in the HTML report");
    let acceptance: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("acceptance"))
                && p.extension().is_some_and(|e| e == "html")
        })
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(!acceptance.is_empty());
    assert!(
        acceptance
            .iter()
            .all(|a| a.contains("Software family judged")),
        "missing in the acceptance draft"
    );
    // The CNDA search cases bind identity repositories only: nothing left is a set-up error.
    let (code, _, stderr) = run(
        &dir.path().join("none"),
        &["--suite", "cnda", "--family", "non-repository"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("family non-repository"), "{stderr}");
    let (code, _, stderr) = run(&dir.path().join("bad"), &["--family", "repository"]);
    assert_eq!(code, 2, "{stderr}");
}
