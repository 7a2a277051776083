//! Headless Chromium renders the HTML report to a PNG and prints it to PDF: the page is valid
//! enough for a real browser and, being self-contained, renders without any network.
//!
//! `cargo test -p insilab-reports --test chromium -- --ignored` refreshes the README
//! screenshot `docs/img/report.png` through the same code path.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on an unexpected error"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use insilab_reports::{ReportInput, write_html};

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// `chromium` (Debian) or `chromium-browser`, when installed.
/// The Chromium binary, or `None` after a loud skip of `check` (a failure in strict mode).
fn chromium(check: &str) -> Option<&'static str> {
    let found = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|bin| Command::new(bin).arg("--version").output().is_ok());
    if found.is_none() {
        insilab_testkit::CHROMIUM.require(check);
    }
    found
}

/// Renders `html_file` to `png` at 1280×2000 with a fresh profile and no background traffic.
fn screenshot(bin: &str, html_file: &Path, png: &Path) {
    headless(bin, html_file, &format!("--screenshot={}", png.display()));
}

/// Runs headless Chromium on `html_file` with one output flag (`--screenshot=…` or
/// `--print-to-pdf=…`).
fn headless(bin: &str, html_file: &Path, output_flag: &str) {
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", html_file.display());
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(output_flag)
        .arg("--window-size=1280,2000")
        .arg(url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn render_fixture(dir: &Path, problems: &[String]) -> PathBuf {
    let results = common::results();
    let catalogue = common::catalogue();
    let dsr = common::dsr();
    let html = write_html(&ReportInput {
        results: &results,
        catalogue: &catalogue,
        dsr: Some(&dsr),
        evidence_problems: problems,
    })
    .unwrap();
    let path = dir.join("report.html");
    std::fs::write(&path, html).unwrap();
    path
}

fn check_png(png: &Path) {
    let bytes = std::fs::read(png).unwrap();
    assert!(bytes.starts_with(PNG_MAGIC), "not a PNG");
    // A blank 1280×2000 page compresses to a few kB; the report draws far more than that.
    assert!(
        bytes.len() > 20_000,
        "suspiciously small PNG: {} bytes",
        bytes.len()
    );
}

#[test]
fn chromium_renders_the_report() {
    let Some(bin) = chromium("chromium_renders_the_report") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let html = render_fixture(dir.path(), &["modified: results.json".to_owned()]);
    let png = dir.path().join("report.png");
    screenshot(bin, &html, &png);
    check_png(&png);
}

#[test]
fn chromium_prints_the_report_to_pdf() {
    let Some(bin) = chromium("chromium_prints_the_report_to_pdf") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let html = render_fixture(dir.path(), &[]);
    let pdf = dir.path().join("report.pdf");
    headless(bin, &html, &format!("--print-to-pdf={}", pdf.display()));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    // The fixture's matrix and scenarios cannot fit on one page: Chromium writes an
    // uncompressed page tree whose root says how many pages it has (`/Count N`).
    let text = String::from_utf8_lossy(&bytes);
    let pages: usize = text
        .split("/Count ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(pages >= 2, "expected several pages, found {pages}");
}

#[test]
#[ignore = "refreshes docs/img/report.png; run with --ignored"]
fn refresh_readme_screenshot() {
    let Some(bin) = chromium("refresh_readme_screenshot") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let html = render_fixture(dir.path(), &[]);
    let png = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/img/report.png");
    std::fs::create_dir_all(png.parent().unwrap()).unwrap();
    screenshot(bin, &html, &png);
    check_png(&png);
}
