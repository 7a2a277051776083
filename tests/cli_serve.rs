//! End-to-end tests of `insilab serve`: the missing-PKI hint, the banner, the admin API of the
//! running binary, and graceful shutdown on SIGTERM.
#![expect(clippy::unwrap_used, reason = "test harness")]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

#[test]
fn without_a_pki_it_prints_the_init_command_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-pki");
    let out = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["serve", "--pki"])
        .arg(&missing)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!("insilab pki init --out {}", missing.display())),
        "{err}"
    );
}

#[test]
fn serves_prints_where_to_connect_and_stops_gracefully_on_sigterm() {
    let pki = insilab_certs::testing::shared_pki().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.jsonl");
    // The file says 2022; the command line's --dialect cnda wins.
    let config = dir.path().join("serve.yaml");
    std::fs::write(
        &config,
        "dialect: \"2022\"\njournal_capacity: 5\nallow_idam: [MYIDAM000001]\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--admin",
            "127.0.0.1:0",
            "--admin-token",
            "t0ken",
            "--dialect",
            "cnda",
            "--pki",
        ])
        .arg(pki.dir())
        .arg("--journal")
        .arg(&journal)
        .arg("--config")
        .arg(&config)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.contains("RUST_LOG");
        banner.push(line);
        if done {
            break;
        }
    }
    let text = banner.join("\n");
    assert!(text.contains("endpoint     https://127.0.0.1:"), "{text}");
    assert!(text.contains("token t0ken"), "{text}");
    assert!(text.contains("dialect      cnda"), "{text}");
    assert!(text.contains("insi-auto"), "{text}");
    assert!(text.contains("trust root"), "{text}");
    let admin = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("admin API    http://"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();
    let mut tcp = std::net::TcpStream::connect(&admin).unwrap();
    write!(
        tcp,
        "GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    tcp.read_to_string(&mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(
        resp.contains("\"dialect\": \"CndaFiles\"") || resp.contains("cnda"),
        "{resp}"
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    if status.is_err() {
        insilab_testkit::skip(
            "graceful shutdown on SIGTERM",
            "`kill` not found (apt-get install procps)",
        );
        let _ = child.kill();
        let _ = child.wait();
        return;
    }
    // On the same stream as the banner (read to its end: the server has stopped).
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert!(
        rest.iter().any(|l| l.contains("journal flushed")),
        "{rest:?}"
    );
    assert!(journal.exists());
}

#[test]
fn an_invalid_dataset_prints_only_the_error_never_ready() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "garbage: [\n").unwrap();
    let pki = insilab_certs::testing::shared_pki().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--admin",
            "127.0.0.1:0",
            "--pki",
        ])
        .arg(pki.dir())
        .arg("--dataset")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stdout.contains("ready"), "{stdout}");
    assert!(stderr.contains("invalid dataset"), "{stderr}");
}

#[test]
fn serves_the_carriers_channels_next_to_insi() {
    let pki = insilab_certs::testing::shared_pki().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--admin",
            "127.0.0.1:0",
            "--mllp-listen",
            "127.0.0.1:0",
            "--fhir-listen",
            "127.0.0.1:0",
            "--pki",
        ])
        .arg(pki.dir())
        .arg("--drop-dir")
        .arg(&inbox)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.contains("RUST_LOG");
        banner.push(line);
        if done {
            break;
        }
    }
    let text = banner.join("\n");
    let mllp: std::net::SocketAddr = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("MLLP (HL7)"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("{text}"))
        .parse()
        .unwrap();
    assert!(text.contains("FHIR REST    http://127.0.0.1:"), "{text}");
    assert!(text.contains("drop folder"), "{text}");
    let message = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("formats/tests/fixtures/hl7/INS-HL7-004.hl7"),
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let delivered = rt
        .block_on(insilab_simulator::channels::mllp::send(
            mllp,
            &message,
            insilab_simulator::channels::mllp::SendTimeouts::default(),
        ))
        .unwrap();
    assert_eq!(delivered.summary.errors, vec!["INS-HL7-004"]);
    let _ = child.kill();
    let _ = child.wait();
}
