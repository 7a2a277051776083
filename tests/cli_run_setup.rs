//! `insilab run` set-up problems: a wrong INSi endpoint, an unreachable remote simulator, a wrong
//! admin token, an unreadable PKI, a test hook that does not answer. Each ends the run with exit
//! 2 and one clear message on standard error, no scenario is reported failed and no report
//! claims that a requirement failed.
#![expect(clippy::unwrap_used, reason = "test harness")]

use std::io::BufRead as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};

mod common;
use common::pki;

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A running `insilab serve` (killed when dropped), its admin URL and INSi endpoint.
struct Serve {
    child: Child,
    admin: String,
    endpoint: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(token: &str) -> Serve {
    let mut child = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--admin",
            "127.0.0.1:0",
            "--admin-token",
            token,
            "--pki",
        ])
        .arg(pki())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut admin, mut endpoint) = (None, None);
    for line in lines.by_ref() {
        let line = line.unwrap();
        let field = |name: &str| {
            line.trim()
                .strip_prefix(name)
                .and_then(|l| l.split_whitespace().next())
                .map(str::to_owned)
        };
        if let Some(url) = field("admin API") {
            admin = Some(url);
        }
        if let Some(url) = field("endpoint") {
            endpoint = Some(url);
        }
        if line.contains("RUST_LOG") {
            break;
        }
    }
    // Keep reading the banner's pipe so that the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Serve {
        child,
        admin: admin.unwrap(),
        endpoint: endpoint.unwrap(),
    }
}

/// Runs `insilab run` on the TLS feature with `args`; returns exit code, stdout, stderr.
fn run(out: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["run", "--formats", "html,junit,json,md", "--suite"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/protocol/tls.feature"))
        .arg("--out")
        .arg(out)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("INSILAB_ADMIN_TOKEN")
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Exit 2, exactly one error line that contains `expected`, nothing judged, no report.
fn assert_setup_error(out: &Path, (code, stdout, stderr): (i32, String, String), expected: &str) {
    assert_eq!(code, 2, "{stdout}{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "one message expected:\n{stderr}");
    assert!(errors[0].contains(expected), "{stderr}");
    assert!(
        !stderr.contains("Some(") && !stderr.contains("\\\""),
        "{stderr}"
    );
    assert!(!stdout.contains("FAIL"), "{stdout}");
    assert!(!stdout.contains("passed,"), "{stdout}");
    for report in ["report.html", "junit.xml", "report.json", "report.md"] {
        assert!(!out.join(report).exists(), "{report} was written");
    }
}

#[test]
fn a_wrong_insi_endpoint_is_a_setup_error_naming_the_served_one() {
    let sim = serve("t0ken");
    let dir = tempfile::tempdir().unwrap();
    let pki = pki();
    let wrong_port = format!("https://127.0.0.1:{}/lps", closed_port());
    let base = |endpoint: &str| {
        vec![
            "--simulator".to_owned(),
            sim.admin.clone(),
            "--admin-token".into(),
            "t0ken".into(),
            "--pki".into(),
            pki.display().to_string(),
            "--endpoint".into(),
            endpoint.to_owned(),
        ]
    };
    let args = base(&wrong_port);
    let out = dir.path().join("port");
    let result = run(&out, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(result.2.contains(&sim.endpoint), "{}", result.2);
    assert_setup_error(&out, result, "wrong INSi endpoint");

    let wrong_path = sim.endpoint.replace("/lps", "/not-insi");
    let args = base(&wrong_path);
    let out = dir.path().join("path");
    let result = run(&out, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_setup_error(&out, result, "the path is /not-insi, not /lps");

    // The right one runs (and the reference client passes).
    let args = base(&sim.endpoint);
    let (code, stdout, stderr) = run(
        &dir.path().join("right"),
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn a_wrong_admin_token_is_a_setup_error() {
    let sim = serve("t0ken");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let pki = pki();
    let result = run(
        &out,
        &[
            "--simulator",
            &sim.admin,
            "--admin-token",
            "not-the-token",
            "--endpoint",
            &sim.endpoint,
            "--pki",
            &pki.display().to_string(),
        ],
    );
    assert_setup_error(&out, result, "refused the token (HTTP 401 Unauthorized)");
}

#[test]
fn an_unreachable_remote_simulator_is_a_setup_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let admin = format!("http://127.0.0.1:{}", closed_port());
    let pki = pki();
    let result = run(
        &out,
        &[
            "--simulator",
            &admin,
            "--admin-token",
            "t0ken",
            "--pki",
            &pki.display().to_string(),
        ],
    );
    assert!(result.2.contains(&admin), "{}", result.2);
    assert_setup_error(&out, result, "does not answer");
}

#[test]
fn an_unreadable_pki_is_a_setup_error() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("pki");
    std::fs::create_dir(&broken).unwrap();
    std::fs::write(broken.join("index.yaml"), "format: [not, a, pki\n").unwrap();
    let out = dir.path().join("out");
    let result = run(&out, &["--pki", &broken.display().to_string()]);
    assert!(result.2.contains("index.yaml"), "{}", result.2);
    assert_setup_error(&out, result, "pki");
    // Left as it was: a broken PKI is never replaced behind the user's back.
    assert_eq!(
        std::fs::read_to_string(broken.join("index.yaml")).unwrap(),
        "format: [not, a, pki\n"
    );
}

#[test]
fn a_test_hook_that_does_not_answer_is_a_setup_error() {
    let dir = tempfile::tempdir().unwrap();
    let hook = format!("http://127.0.0.1:{}/insilab", closed_port());
    let cfg = dir.path().join("hook.yaml");
    std::fs::write(&cfg, format!("url: {hook}\ntimeout_seconds: 5\n")).unwrap();
    let out = dir.path().join("out");
    let pki = pki();
    let result = run(
        &out,
        &[
            "--driver",
            "http",
            "--driver-config",
            &cfg.display().to_string(),
            "--pki",
            &pki.display().to_string(),
        ],
    );
    assert!(result.2.contains(&hook), "{}", result.2);
    // The connection's own cause, not hyper's empty `client error (Connect)`.
    assert!(!result.2.contains("client error"), "{}", result.2);
    assert!(result.2.contains("refused"), "{}", result.2);
    assert_setup_error(&out, result, "");
}

#[test]
fn a_missing_driver_program_is_a_setup_error_with_one_message() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sut.yaml");
    std::fs::write(
        &cfg,
        "search-traits: [/nonexistent/publisher-sut, \"{traits_json}\"]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let pki = pki();
    let result = run(
        &out,
        &[
            "--driver",
            "command",
            "--driver-config",
            &cfg.display().to_string(),
            "--pki",
            &pki.display().to_string(),
        ],
    );
    assert_setup_error(&out, result, "/nonexistent/publisher-sut");
}
