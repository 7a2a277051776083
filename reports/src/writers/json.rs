//! The JSON report: the [`ReportView`] serialised as-is. Its shape is documented by
//! `docs/report-schema.json` (a test validates the output against it); the version is
//! [`crate::SCHEMA_VERSION`].

use super::{ReportInput, ReportView};
use crate::ReportError;

/// Renders the JSON report (pretty-printed, trailing newline).
pub fn write_json(input: &ReportInput<'_>) -> Result<String, ReportError> {
    let view = ReportView::new(input);
    let mut text = serde_json::to_string_pretty(&view).map_err(|e| ReportError::Json {
        origin: "report.json".to_owned(),
        message: e.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}
