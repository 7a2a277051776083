//! Dev-only test support shared by every test that needs something outside the project: an
//! external tool (an independent oracle such as `openssl`, `xmllint`, `chromium`, `curl`,
//! `xmlsec1`) or the published reference files (`insi-wsdl-1.5.0`).
//!
//! One rule for all of them (see `docs/reliability.md`):
//! - **strict mode** (`INSILAB_REQUIRE_TOOLS=1`, or `CI=true` as CI services set it): a missing
//!   tool or reference file **fails** the test that needs it, so CI cannot be green by skipping;
//! - otherwise (a developer's laptop) the check is skipped **loudly**: the reason and a running
//!   count of the skips in this test binary are written straight to the process's standard
//!   error. libtest captures only the `print!`/`eprint!` family, so the line shows up in the
//!   output of `cargo test` without `--nocapture`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// The environment variable that makes a missing tool or reference file fail the test.
pub const REQUIRE_TOOLS_ENV: &str = "INSILAB_REQUIRE_TOOLS";

/// The environment variable that points at the published `insi-wsdl-1.5.0` folder when it is not
/// laid out beside the checkout.
pub const REFERENCE_DIR_ENV: &str = "INSILAB_REFERENCE_DIR";

/// The older variable that points at the published XSD folder (`insi-wsdl-1.5.0/xsd`) directly.
pub const XSD_DIR_ENV: &str = "INSILAB_INSI_XSD_DIR";

/// The published contract's folder name, as CI lays it out in `../shared/reference/`.
pub const REFERENCE_NAME: &str = "insi-wsdl-1.5.0";

/// The reasons of the checks skipped so far in this test binary.
static SKIPPED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// True when a missing tool or reference file must fail the test (`INSILAB_REQUIRE_TOOLS=1` or
/// `CI=true`).
pub fn strict() -> bool {
    let on = |name: &str| {
        std::env::var(name).is_ok_and(|v| {
            let v = v.trim().to_ascii_lowercase();
            v == "1" || v == "true" || v == "yes"
        })
    };
    on(REQUIRE_TOOLS_ENV) || on("CI")
}

/// Records that `check` cannot run because of `reason`.
///
/// # Panics
/// In [`strict`] mode, always: the test that needed the missing piece fails, naming it.
pub fn skip(check: &str, reason: &str) {
    if strict() {
        panic!(
            "{check}: {reason}; {REQUIRE_TOOLS_ENV}/CI is set, so a missing tool or reference file fails the test"
        );
    }
    let (count, all) = match SKIPPED.lock() {
        Ok(mut list) => {
            list.push(format!("{check}: {reason}"));
            (list.len(), list.join("\n    "))
        }
        Err(_) => (0, String::new()),
    };
    // Straight to the process's stderr, not through `eprintln!`: libtest captures the macros and
    // shows them only for failing tests, and a skip must be visible on a passing run.
    let line = format!(
        "SKIPPED: {check}: {reason}\n  ({count} check(s) skipped so far in this test binary; set {REQUIRE_TOOLS_ENV}=1 to fail instead)\n    {all}\n"
    );
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// How many checks this test binary has skipped so far, with their reasons.
pub fn skipped() -> Vec<String> {
    SKIPPED.lock().map(|l| l.clone()).unwrap_or_default()
}

/// An external program a test needs, with how to install it.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// The program's name on `PATH`.
    pub program: &'static str,
    /// Arguments that make it print its version and exit 0 (the probe).
    pub probe: &'static [&'static str],
    /// What to do to get it (shown in the skip or failure).
    pub install: &'static str,
}

/// `openssl` (certificates, CRLs, PKCS#12, TLS alerts).
pub const OPENSSL: Tool = Tool {
    program: "openssl",
    probe: &["version"],
    install: "apt-get install openssl",
};
/// `xmllint` (XSD validity).
pub const XMLLINT: Tool = Tool {
    program: "xmllint",
    probe: &["--version"],
    install: "apt-get install libxml2-utils",
};
/// Headless `chromium` (the HTML report).
pub const CHROMIUM: Tool = Tool {
    program: "chromium",
    probe: &["--version"],
    install: "apt-get install chromium",
};
/// `curl` (the documented curl commands).
pub const CURL: Tool = Tool {
    program: "curl",
    probe: &["--version"],
    install: "apt-get install curl",
};
/// `xmlsec1` (XML signatures).
pub const XMLSEC1: Tool = Tool {
    program: "xmlsec1",
    probe: &["--version"],
    install: "apt-get install xmlsec1",
};
/// `sha256sum` (the evidence manifest).
pub const SHA256SUM: Tool = Tool {
    program: "sha256sum",
    probe: &["--version"],
    install: "apt-get install coreutils",
};
/// `sh` (command drivers and the docs' shell blocks).
pub const SH: Tool = Tool {
    program: "sh",
    probe: &["-c", "exit 0"],
    install: "apt-get install dash",
};

impl Tool {
    /// True when the program runs (its probe exits 0).
    pub fn available(&self) -> bool {
        Command::new(self.program)
            .args(self.probe)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// True when the program is there; otherwise [`skip`]s `check` (which fails in strict mode)
    /// and returns false.
    pub fn require(&self, check: &str) -> bool {
        let found = self.available();
        if !found {
            skip(
                check,
                &format!("`{}` not found on PATH ({})", self.program, self.install),
            );
        }
        found
    }
}

/// A tool known only by name (a program the other constants do not list).
pub fn require_program(program: &'static str, probe: &'static [&'static str], check: &str) -> bool {
    Tool {
        program,
        probe,
        install: "install it with the system's package manager",
    }
    .require(check)
}

/// Where the published contract may be, in the order looked at: `INSILAB_REFERENCE_DIR`, the
/// parent of `INSILAB_INSI_XSD_DIR`, then `shared/reference/insi-wsdl-1.5.0` in the checkout's
/// parent (as CI lays it out) — found by walking up from `manifest_dir`, so that any crate of the
/// workspace finds it.
pub fn reference_candidates(manifest_dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(dir) = std::env::var_os(REFERENCE_DIR_ENV) {
        out.push(PathBuf::from(dir));
    }
    if let Some(xsd) = std::env::var_os(XSD_DIR_ENV)
        && let Some(parent) = Path::new(&xsd).parent()
    {
        out.push(parent.to_path_buf());
    }
    for ancestor in manifest_dir.ancestors().skip(1) {
        out.push(ancestor.join("shared/reference").join(REFERENCE_NAME));
    }
    out
}

/// The published contract's folder (holding `xsd/` and the WSDL), looked up from the calling
/// crate's `CARGO_MANIFEST_DIR`; when absent, [`skip`]s `check` (fails in strict mode).
pub fn require_reference(manifest_dir: &str, check: &str) -> Option<PathBuf> {
    let candidates = reference_candidates(Path::new(manifest_dir));
    let found = candidates.iter().find(|p| p.join("xsd").is_dir()).cloned();
    if found.is_none() {
        skip(
            check,
            &format!(
                "the published contract `{REFERENCE_NAME}` was not found (looked at {}); set {REFERENCE_DIR_ENV}",
                candidates
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    found
}

/// The published XSD folder (`insi-wsdl-1.5.0/xsd`), or a [`skip`] of `check`.
pub fn require_xsd_dir(manifest_dir: &str, check: &str) -> Option<PathBuf> {
    if let Some(xsd) = std::env::var_os(XSD_DIR_ENV).map(PathBuf::from)
        && xsd.is_dir()
    {
        return Some(xsd);
    }
    require_reference(manifest_dir, check).map(|d| d.join("xsd"))
}

/// One image embedded in a test PDF by [`pdf_with_image`].
#[derive(Debug, Clone)]
pub struct PdfImage<'a> {
    /// Width in samples.
    pub width: u32,
    /// Height in samples.
    pub height: u32,
    /// `/ColorSpace` as written (`/DeviceGray`, `/DeviceRGB`), or `None` for an image mask.
    pub color_space: Option<&'a str>,
    /// `/BitsPerComponent`.
    pub bits: u8,
    /// `/Filter` name as written (`/FlateDecode`, `/DCTDecode`), or none: raw samples.
    pub filter: Option<&'a str>,
    /// The stream's data, already encoded as `filter` says.
    pub data: &'a [u8],
}

/// 8-bit grey `samples` (`width` × `height`, row by row) as the data of a 1-bit PDF image:
/// rows padded to a byte, bit 1 for a light sample (128 and above), 0 for a dark one (the one
/// an image mask paints).
pub fn one_bit_rows(samples: &[u8], width: u32, height: u32) -> Vec<u8> {
    let width = width as usize;
    let row = width.div_ceil(8);
    let mut bits = vec![0u8; row * height as usize];
    for (i, v) in samples.iter().enumerate() {
        let (x, y) = (i % width, i / width);
        if *v >= 128
            && let Some(byte) = bits.get_mut(y * row + x / 8)
        {
            *byte |= 0x80 >> (x % 8);
        }
    }
    bits
}

/// A minimal one-page PDF 1.4 (A4, 595 × 842 points) drawing `image` in a 200-point square
/// near the top, written by hand with its cross-reference table, so that the tests of a PDF
/// reader do not depend on the PDF library they test.
pub fn pdf_with_image(image: &PdfImage<'_>) -> Vec<u8> {
    let content = b"q 200 0 0 200 300 560 cm /Im1 Do Q\n";
    let colour = match image.color_space {
        Some(space) => format!("/ColorSpace {space} /BitsPerComponent {}", image.bits),
        None => "/ImageMask true".to_owned(),
    };
    let filter = image
        .filter
        .map(|f| format!(" /Filter {f}"))
        .unwrap_or_default();
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        [
            format!("<< /Length {} >>\nstream\n", content.len()).into_bytes(),
            content.to_vec(),
            b"\nendstream".to_vec(),
        ]
        .concat(),
        [
            format!(
                "<< /Type /XObject /Subtype /Image /Width {} /Height {} {colour}{filter} /Length {} >>\nstream\n",
                image.width,
                image.height,
                image.data.len()
            )
            .into_bytes(),
            image.data.to_vec(),
            b"\nendstream".to_vec(),
        ]
        .concat(),
    ];
    let mut pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// Poppler's `pdfimages` (Debian `poppler-utils`): lists and extracts the images of a PDF.
pub const PDFIMAGES: Tool = Tool {
    program: "pdfimages",
    probe: &["-v"],
    install: "apt-get install poppler-utils",
};
