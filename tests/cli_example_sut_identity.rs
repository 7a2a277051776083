//! `insilab example-sut act` and `serve`: the reference identity manager behind the command and
//! http drivers (the store kept between processes, one per scenario; the hook over loopback).
#![expect(clippy::unwrap_used, reason = "test fixtures")]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Command, Stdio};

const CREATE: &str = r#"{"action":"create","scenario":"s1","method":"manual","traits":{"birth_name":"ADRUN","first_names":["ZOE"],"sex":"F","birth_date":"1975-12-31","birthplace":"63220"}}"#;

fn act(state: &std::path::Path, message: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["example-sut", "act", "--state"])
        .arg(state)
        .args(["--action-json", message])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn act_keeps_one_store_per_scenario_between_processes() {
    let dir = tempfile::tempdir().unwrap();
    let created = act(dir.path(), CREATE);
    assert_eq!(created["outcome"], "done");
    assert_eq!(created["identity"]["status"], "PROV");
    let id = created["identity"]["local_id"].as_str().unwrap().to_owned();
    let read = act(
        dir.path(),
        &format!(r#"{{"action":"read-identity","scenario":"s1","local_id":"{id}"}}"#),
    );
    assert_eq!(read["identity"]["traits"]["birth_name"], "ADRUN");
    let doubtful = act(
        dir.path(),
        &format!(
            r#"{{"action":"set-attribute","scenario":"s1","local_id":"{id}","attribute":"doubtful","value":true}}"#
        ),
    );
    assert_eq!(doubtful["identity"]["attributes"]["douteuse"], true);
    // Another scenario starts with an empty store.
    let other = act(
        dir.path(),
        &format!(r#"{{"action":"read-identity","scenario":"s2","local_id":"{id}"}}"#),
    );
    assert_eq!(other["outcome"], "refused");
}

#[test]
fn serve_answers_each_posted_action_with_its_outcome() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["example-sut", "serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let post = |body: &str| -> String {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        answer
    };
    let answer = post(CREATE);
    let _ = child.kill();
    let _ = child.wait();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""outcome":"done""#), "{answer}");
    assert!(answer.contains(r#""status":"PROV""#), "{answer}");
}
