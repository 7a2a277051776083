//! The skip is loud without `--nocapture`, and fails in strict mode: checked by running this
//! test binary again as a child with the switch off and on.

use std::process::Command;

const CHILD: &str = "INSILAB_TESTKIT_CHILD";

/// Does nothing unless run as the child of the two tests below.
#[test]
fn child_skips_a_check() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    insilab_testkit::skip("child check", "a tool this test pretends is missing");
    insilab_testkit::skip("second child check", "another reason");
    assert_eq!(insilab_testkit::skipped().len(), 2);
}

fn run_child(strict: &str) -> std::process::Output {
    let exe = std::env::current_exe().expect("the test binary's path");
    Command::new(exe)
        .args(["--exact", "child_skips_a_check", "--test-threads=1"])
        .env(CHILD, "1")
        .env(insilab_testkit::REQUIRE_TOOLS_ENV, strict)
        .env_remove("CI")
        .output()
        .expect("the test binary runs again")
}

#[test]
fn a_skip_is_shown_without_nocapture_with_its_count_and_reason() {
    let out = run_child("0");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("SKIPPED: child check: a tool this test pretends is missing"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 check(s) skipped so far in this test binary"),
        "{stderr}"
    );
    assert!(
        stderr.contains("second child check: another reason"),
        "{stderr}"
    );
}

#[test]
fn a_skip_fails_the_test_in_strict_mode() {
    let out = run_child("1");
    let all =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{all}");
    assert!(
        all.contains("child check: a tool this test pretends is missing"),
        "{all}"
    );
    assert!(!all.contains("SKIPPED"), "{all}");
}

#[test]
fn a_missing_program_is_reported_not_found() {
    let tool = insilab_testkit::Tool {
        program: "insilab-no-such-program-anywhere",
        probe: &["--version"],
        install: "nothing to install",
    };
    assert!(!tool.available());
    assert!(insilab_testkit::SH.available());
}

/// The published contract is where CI lays it out (`../shared/reference/insi-wsdl-1.5.0/`): its
/// absence fails CI (strict mode) and is loud elsewhere.
#[test]
fn the_published_contract_is_found() {
    if let Some(dir) =
        insilab_testkit::require_reference(env!("CARGO_MANIFEST_DIR"), "the published contract")
    {
        assert!(
            dir.join("DESIR_ICIR_EXP_1.5.0.wsdl").is_file(),
            "{}",
            dir.display()
        );
        assert!(
            dir.join("xsd/ServiceIdentiteCertifiee/INSi_RESULTAT_INS.xsd")
                .is_file(),
            "{}",
            dir.display()
        );
    }
}
