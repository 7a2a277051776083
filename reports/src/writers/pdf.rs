//! Prints an HTML report to PDF with headless Chromium, when it is installed.
//!
//! Chromium is an independent renderer we do not ship: [`find_chromium`] looks for it, and
//! [`print_to_pdf`] runs it with a fresh profile, no background traffic and a time limit.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::ReportError;

/// Environment variable naming the Chromium binary to use (overrides the search on `PATH`).
pub const CHROMIUM_ENV: &str = "INSILAB_CHROMIUM";
/// Binary names looked for on `PATH`, in order.
pub const CHROMIUM_NAMES: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];
/// Longest a print may take before Chromium is killed.
pub const PRINT_TIMEOUT: Duration = Duration::from_secs(120);
/// How often the running Chromium is polled.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// The Chromium binary: `$INSILAB_CHROMIUM` when set, else the first of [`CHROMIUM_NAMES`]
/// found on `PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(CHROMIUM_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    CHROMIUM_NAMES.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Prints `html` (a local file) to `pdf` with `chromium`. Fails when Chromium exits with an
/// error, runs longer than [`PRINT_TIMEOUT`], or writes no PDF.
pub fn print_to_pdf(chromium: &Path, html: &Path, pdf: &Path) -> Result<(), ReportError> {
    let fail = |message: String| ReportError::Pdf {
        chromium: chromium.to_owned(),
        html: html.to_owned(),
        message,
    };
    let html_abs = std::path::absolute(html).map_err(|e| ReportError::io(html, e))?;
    let pdf_abs = std::path::absolute(pdf).map_err(|e| ReportError::io(pdf, e))?;
    let profile = tempfile::tempdir().map_err(|e| fail(format!("no temporary profile: {e}")))?;
    // A file, not a pipe: Chromium may write more than a pipe holds before it exits.
    let log_path = profile.path().join("chromium-stderr.log");
    let log = std::fs::File::create(&log_path).map_err(|e| ReportError::io(&log_path, e))?;
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf_abs.display()))
        .arg(format!("file://{}", html_abs.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .map_err(|e| fail(format!("cannot start it: {e}")))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > PRINT_TIMEOUT => {
                // Best effort: the process may have just exited.
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail(format!(
                    "still running after {} s",
                    PRINT_TIMEOUT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(POLL_INTERVAL),
            Err(e) => return Err(fail(format!("cannot wait for it: {e}"))),
        }
    };
    if !status.success() {
        let stderr = std::fs::read_to_string(&log_path).unwrap_or_default();
        let tail: String = stderr.lines().rev().take(5).collect::<Vec<_>>().join(" | ");
        return Err(fail(format!("exited with {status}: {tail}")));
    }
    let size = std::fs::metadata(&pdf_abs).map(|m| m.len()).unwrap_or(0);
    if size == 0 {
        return Err(fail("no PDF was written".to_owned()));
    }
    Ok(())
}
