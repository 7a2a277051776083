//! The report writers and the view they share.
//!
//! Every writer renders the same [`ReportView`]: the run, the requirement coverage computed
//! against the catalogue (and the DSR mapping when given), and the evidence problems found by
//! the manifest check. Computing it once keeps the four formats in agreement.

pub mod acceptance;
mod html;
mod json;
mod junit;
pub mod markdown;
pub mod pdf;
mod view;

use std::path::{Path, PathBuf};
use std::str::FromStr;

pub use html::write_html;
pub use json::write_json;
pub use junit::write_junit;
pub use markdown::write_markdown;
pub use view::{
    CountsView, CoverageState, DsrRequirementView, DsrView, REPORT_KIND, ReportView,
    RequirementView, SuiteView,
};

use crate::ReportError;
use crate::catalogue::{Catalogue, DsrMapping};
use crate::model::RunResults;

/// What every writer reads.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The run.
    pub results: &'a RunResults,
    /// The requirement catalogue.
    pub catalogue: &'a Catalogue,
    /// The user's DSR mapping, when given.
    pub dsr: Option<&'a DsrMapping>,
    /// Problems found by [`crate::evidence::verify_manifest`] (tampered, missing, unlisted).
    pub evidence_problems: &'a [String],
}

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Self-contained HTML page (`report.html`).
    Html,
    /// JUnit XML for CI (`junit.xml`).
    Junit,
    /// Versioned JSON (`report.json`, schema `docs/report-schema.json`).
    Json,
    /// Markdown summary for merge-request comments (`summary.md`).
    Markdown,
}

impl Format {
    /// Every format, in the order `write_all` writes them by default.
    pub const ALL: [Format; 4] = [Format::Html, Format::Junit, Format::Json, Format::Markdown];

    /// File name of the report in the output directory.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Html => "report.html",
            Format::Junit => "junit.xml",
            Format::Json => "report.json",
            Format::Markdown => "summary.md",
        }
    }

    /// Renders the report in this format.
    pub fn render(self, input: &ReportInput<'_>) -> Result<String, ReportError> {
        match self {
            Format::Html => write_html(input),
            Format::Junit => write_junit(input),
            Format::Json => write_json(input),
            Format::Markdown => write_markdown(input),
        }
    }
}

impl FromStr for Format {
    type Err = ReportError;

    /// Accepts `html`, `junit`, `json` and `md` (or `markdown`), case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "html" => Ok(Format::Html),
            "junit" => Ok(Format::Junit),
            "json" => Ok(Format::Json),
            "md" | "markdown" => Ok(Format::Markdown),
            _ => Err(ReportError::UnknownFormat(s.to_owned())),
        }
    }
}

/// Renders each format and writes it into `dir` (created if needed); returns the paths written.
/// Every report is rendered before any file is written, so a failure leaves no partial set.
pub fn write_all(
    dir: &Path,
    input: &ReportInput<'_>,
    formats: &[Format],
) -> Result<Vec<PathBuf>, ReportError> {
    let mut rendered = Vec::new();
    for format in formats {
        if rendered.iter().any(|(f, _)| f == format) {
            continue;
        }
        rendered.push((*format, format.render(input)?));
    }
    std::fs::create_dir_all(dir).map_err(|e| ReportError::io(dir, e))?;
    let mut paths = Vec::new();
    for (format, text) in rendered {
        let path = dir.join(format.file_name());
        std::fs::write(&path, text).map_err(|e| ReportError::io(&path, e))?;
        paths.push(path);
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_by_name() {
        assert_eq!("html".parse::<Format>().ok(), Some(Format::Html));
        assert_eq!(" JUnit".parse::<Format>().ok(), Some(Format::Junit));
        assert_eq!("md".parse::<Format>().ok(), Some(Format::Markdown));
        assert!(matches!(
            "pdf".parse::<Format>(),
            Err(ReportError::UnknownFormat(name)) if name == "pdf"
        ));
    }
}
