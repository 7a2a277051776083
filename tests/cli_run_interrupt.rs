//! An interrupted `insilab run` stops the software under test with it: the command driver's
//! program runs in its own process group, killed whole when the run is stopped, so that what the
//! program spawned (here a sleeping child of a shell script) does not outlive the run.
#![expect(clippy::unwrap_used, reason = "test harness")]

use std::path::Path;
use std::process::Command;

/// Whether process `pid` is gone (or a zombie waiting to be reaped), read from `/proc`.
fn gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // `pid (comm) S …`: the state follows the last `)`.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
    }
}

#[test]
fn an_interrupted_run_kills_the_driver_program_and_its_children() {
    if !insilab_testkit::SH.require("interrupted run kills the driver's process group") {
        return;
    }
    if !Path::new("/proc/self/stat").exists() {
        insilab_testkit::skip(
            "interrupted run kills the driver's process group",
            "no /proc to read process states from",
        );
        return;
    }
    let pki = insilab_certs::testing::shared_pki().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("grandchild.pid");
    let cfg = dir.path().join("sut.yaml");
    // A software that starts a helper and waits for it: the helper is the driver's grandchild.
    std::fs::write(
        &cfg,
        format!(
            "search-traits: [sh, -c, 'sleep 300 & echo $! > {}; wait']\ntimeout_seconds: 600\n",
            pidfile.display()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let child = Command::new(env!("CARGO_BIN_EXE_insilab"))
        .args(["run", "--driver", "command", "--formats", "json"])
        .arg("--suite")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/protocol/tls.feature"))
        .arg("--driver-config")
        .arg(&cfg)
        .arg("--out")
        .arg(&out)
        .arg("--pki")
        .arg(pki.dir())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the helper runs (hang guard only, never a timed assertion).
    let mut pid = String::new();
    for _ in 0..1200 {
        pid = std::fs::read_to_string(&pidfile).unwrap_or_default();
        if !pid.trim().is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let pid = pid.trim().to_owned();
    assert!(
        !pid.is_empty(),
        "the driver's program never started its helper"
    );
    assert!(!gone(&pid), "the helper {pid} should be running");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // Hang guard (the helper sleeps 300 s): the run gets 60 s to stop.
    let mut child = child;
    let mut stopped = false;
    for _ in 0..1200 {
        if child.try_wait().unwrap().is_some() {
            stopped = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    if !stopped {
        let _ = Command::new("kill").args(["-KILL", &pid]).status();
        let _ = child.kill();
        let _ = child.wait();
        panic!("the interrupted run did not stop: the driver's grandchild {pid} kept it running");
    }
    // SIGKILL was sent to the group before the run exited; give the kernel a moment to reap.
    for _ in 0..100 {
        if gone(&pid) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Checked before reading the run's output: a surviving helper holds its stderr open.
    let survived = !gone(&pid);
    if survived {
        let _ = Command::new("kill").args(["-KILL", &pid]).status();
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("interrupted (SIGTERM)"), "{stderr}");
    assert!(
        !survived,
        "the driver's grandchild {pid} outlived the interrupted run"
    );
}
