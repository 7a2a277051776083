//! The CNDA acceptance file (the "dossier de recette") drafted from a run.
//!
//! Before it grants a test session, the CNDA checks a file in which the publisher shows, for
//! each case of its test guide, what was done, what the software showed and the INSi traces.
//! This module drafts that file from an evidence directory:
//! - [`write_acceptance_html`]: one self-contained HTML page (cover, one section per case in
//!   the guide's order, then what is missing before submission) that prints well;
//! - [`write_traces_zip`]: the raw request and answer bytes, one folder per case, numbered as
//!   the HTML numbers them, for upload;
//! - [`super::pdf`] prints the HTML to PDF with headless Chromium.
//!
//! The draft is always produced: a run that misses cases, or cases whose content is not public,
//! yields a file marked incomplete with the list of what remains to be done.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use minijinja::Environment;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ReportError;
use crate::catalogue::Catalogue;
use crate::evidence::{self, MANIFEST_FILE, read_bounded, scenario_slug};
use crate::model::{FactPair, RunResults, ScenarioFacts, ScenarioResult, Status};

/// File name of the acceptance file (HTML) in the output directory.
pub const ACCEPTANCE_HTML_FILE: &str = "acceptance.html";
/// File name of the acceptance file printed to PDF.
pub const ACCEPTANCE_PDF_FILE: &str = "acceptance.pdf";
/// File name of the zip of the traces, named by case.
pub const ACCEPTANCE_ZIP_FILE: &str = "acceptance-traces.zip";
/// Every file the acceptance writer may put at the top of an evidence directory (derived, so
/// the manifest neither lists nor checks them).
pub const ACCEPTANCE_FILES: [&str; 3] = [
    ACCEPTANCE_HTML_FILE,
    ACCEPTANCE_PDF_FILE,
    ACCEPTANCE_ZIP_FILE,
];
/// Directory of the evidence holding screenshots: `screenshots/<scenario slug>/*.png|jpg`.
pub const SCREENSHOTS_DIR: &str = "screenshots";
/// Largest screenshot embedded in the HTML; a larger one is listed by name only.
pub const MAX_SCREENSHOT_BYTES: u64 = 8 * 1024 * 1024;
/// Most screenshots embedded per scenario.
pub const MAX_SCREENSHOTS_PER_SCENARIO: usize = 20;
/// Largest raw trace copied into the zip; a larger one is left out and listed as missing.
pub const MAX_TRACE_BYTES: u64 = 16 * 1024 * 1024;
/// Deepest XML nesting the pretty-printer indents; deeper documents are shown raw.
pub const MAX_PRETTY_XML_DEPTH: usize = 256;

const TEMPLATE_NAME: &str = "acceptance.html";
const TEMPLATE: &str = include_str!("../../templates/acceptance.html");

/// One case of the CNDA test guide for INSi, in the guide's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CndaCase {
    /// The case as the guide names it (`2.07 cas 1`).
    pub id: &'static str,
    /// Its requirement id in tag form (`CNDA-2.07-cas1`).
    pub tag: &'static str,
    /// What the case checks, in our words, for cases the catalogue does not describe.
    pub purpose: &'static str,
    /// The case is known by name only: its content (the CNDA answer file) is not public.
    pub known_by_name_only: bool,
}

const fn case(id: &'static str, tag: &'static str, purpose: &'static str) -> CndaCase {
    CndaCase {
        id,
        tag,
        purpose,
        known_by_name_only: false,
    }
}

/// The cases of the guide, in its order; the purposes of the first twelve come from the
/// requirement catalogue when it defines the tag (this text is the fallback).
pub const CNDA_CASES: [CndaCase; 14] = [
    case(
        "2.03 cas 1",
        "CNDA-2.03-cas1",
        "Apostrophes and spaces in the birth name and a hyphenated first name are sent as typed.",
    ),
    case(
        "2.03 cas 2",
        "CNDA-2.03-cas2",
        "A person born in Corsica is found and stored with the right key.",
    ),
    case(
        "2.03 cas 3",
        "CNDA-2.03-cas3",
        "Characters outside the INSi profile are refused before any call.",
    ),
    case(
        "2.04 cas 1",
        "CNDA-2.04-cas1",
        "An answer with one historical INS is stored with its history.",
    ),
    case(
        "2.04 cas 2",
        "CNDA-2.04-cas2",
        "An answer with several historical INS is read completely.",
    ),
    case(
        "2.05",
        "CNDA-2.05",
        "An INS issued as a NIA is stored with the NIA OID.",
    ),
    case(
        "2.06 cas 1",
        "CNDA-2.06-cas1",
        "Several persons match: nothing is stored and the user is told to refine.",
    ),
    case(
        "2.06 cas 2",
        "CNDA-2.06-cas2",
        "Adding the birthplace resolves the ambiguity.",
    ),
    case(
        "2.07 cas 1",
        "CNDA-2.07-cas1",
        "The first-name loop stops at the first first name that finds the person.",
    ),
    case(
        "2.07 cas 2",
        "CNDA-2.07-cas2",
        "Every first name, then all of them together, and nothing is stored.",
    ),
    case(
        "2.08 cas 1",
        "CNDA-2.08-cas1",
        "A Corsican INS repeated in the history is stored once with a valid key.",
    ),
    case(
        "2.08 cas 2",
        "CNDA-2.08-cas2",
        "An answer whose INS keys do not match the matricule is not stored.",
    ),
    CndaCase {
        id: "1.10",
        tag: "CNDA-1.10",
        purpose: "A search with the Vitale card, answered from a CNDA file whose content is not \
                  public: replay it with the file the CNDA sends and describe what the software \
                  showed.",
        known_by_name_only: true,
    },
    CndaCase {
        id: "3.05 cas 3",
        tag: "CNDA-3.05-cas3",
        purpose: "Most likely an INS verification, answered from a CNDA file whose content is not \
                  public: replay it with the file the CNDA sends and describe what the software \
                  showed.",
        known_by_name_only: true,
    },
];

/// One fact of the cover page and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverFact {
    /// The value.
    pub value: String,
    /// Where it was read (`ContexteLPS of the calls`, `acceptance configuration`, …).
    pub source: String,
}

impl CoverFact {
    /// A fact with its source.
    pub fn new(value: impl Into<String>, source: impl Into<String>) -> Self {
        CoverFact {
            value: value.into(),
            source: source.into(),
        }
    }
}

/// Publisher and software facts of the cover page; `None` is shown as "to be completed".
/// The run facts (date, run id, manifest digest) are read from the evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CoverFacts {
    /// The publisher (company) name.
    pub publisher: Option<CoverFact>,
    /// The software name (`ContexteLPS/LPS/Nom`).
    pub software_name: Option<CoverFact>,
    /// The software version (`ContexteLPS/LPS/Version`).
    pub software_version: Option<CoverFact>,
    /// The authorisation number (`ContexteLPS/LPS/IDAM`).
    pub idam: Option<CoverFact>,
    /// The structure (the client certificate's OU).
    pub structure: Option<CoverFact>,
    /// Subject of the client certificate the software presented.
    pub certificate_subject: Option<CoverFact>,
    /// Start of its validity, RFC 3339.
    pub certificate_not_before: Option<CoverFact>,
    /// End of its validity, RFC 3339.
    pub certificate_not_after: Option<CoverFact>,
}

/// The acceptance configuration a publisher may give (`--acceptance-config FILE`, YAML):
/// values that the calls cannot tell, or that override what they tell. Every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptanceConfig {
    /// Publisher (company) name.
    #[serde(default)]
    pub publisher: Option<String>,
    /// Software name.
    #[serde(default)]
    pub software: Option<String>,
    /// Software version.
    #[serde(default)]
    pub version: Option<String>,
    /// Authorisation number (IDAM).
    #[serde(default)]
    pub idam: Option<String>,
    /// Structure name or id.
    #[serde(default)]
    pub structure: Option<String>,
    /// PEM file of the client certificate the software presents (relative to the
    /// configuration file).
    #[serde(default)]
    pub client_certificate: Option<PathBuf>,
}

/// Largest acceptance configuration read.
pub const MAX_ACCEPTANCE_CONFIG_BYTES: u64 = 64 * 1024;

impl AcceptanceConfig {
    /// Reads a YAML configuration; a relative `client_certificate` is resolved against the
    /// file's directory.
    pub fn load(path: &Path) -> Result<AcceptanceConfig, ReportError> {
        let bytes = read_bounded(path, MAX_ACCEPTANCE_CONFIG_BYTES)?;
        let text = String::from_utf8(bytes).map_err(|_| ReportError::Yaml {
            origin: path.display().to_string(),
            message: "not UTF-8".to_owned(),
        })?;
        let mut config: AcceptanceConfig =
            serde_saphyr::from_str(&text).map_err(|e| ReportError::Yaml {
                origin: path.display().to_string(),
                message: e.to_string(),
            })?;
        if let (Some(cert), Some(dir)) = (&config.client_certificate, path.parent())
            && cert.is_relative()
        {
            config.client_certificate = Some(dir.join(cert));
        }
        Ok(config)
    }
}

/// What the acceptance writers read.
#[derive(Debug, Clone, Copy)]
pub struct AcceptanceInput<'a> {
    /// The run (exchanges inlined or not: the raw files are read from `evidence_dir`).
    pub results: &'a RunResults,
    /// The requirement catalogue (purposes of the cases, requirement summaries).
    pub catalogue: &'a Catalogue,
    /// The cover facts.
    pub cover: &'a CoverFacts,
    /// The evidence directory (facts, raw traces, screenshots, manifest).
    pub evidence_dir: &'a Path,
    /// Problems found by [`crate::evidence::verify_manifest`].
    pub evidence_problems: &'a [String],
    /// Another folder of screenshots laid out like the evidence's `screenshots/`
    /// (`<scenario slug>/*.png`), for screenshots taken after the run was sealed.
    pub screenshots_dir: Option<&'a Path>,
}

/// State of one case in the acceptance file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseState {
    /// Every scenario of the case passed.
    Passed,
    /// A scenario of the case failed.
    Failed,
    /// The run had the case but did not bring it to a verdict (skipped, not reached).
    NotRun,
    /// The run did not include the case.
    Absent,
    /// Known by name only: the publisher completes it with the CNDA file.
    ToBeCompleted,
}

impl CaseState {
    /// Words shown in the file.
    pub fn label(self) -> &'static str {
        match self {
            CaseState::Passed => "passed",
            CaseState::Failed => "failed",
            CaseState::NotRun => "not run",
            CaseState::Absent => "not in this run",
            CaseState::ToBeCompleted => "to be completed",
        }
    }
}

/// One call of a case as the file shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CallView {
    /// Position in the scenario, from 1.
    pub index: u32,
    /// INSi operation.
    pub operation: String,
    /// `CR 00`, `fault …`.
    pub outcome: String,
    /// The request, pretty-printed (raw when it is not well-formed).
    pub request: Option<String>,
    /// The answer, pretty-printed.
    pub response: Option<String>,
    /// Name of the request's attached file in the zip.
    pub request_attachment: String,
    /// Name of the answer's attached file, when there was an answer.
    pub response_attachment: Option<String>,
    /// Client certificate subject the simulator saw (`CN=INSI-AUTO, OU=…`).
    pub client: Option<String>,
}

/// One screenshot embedded in the file.
#[derive(Debug, Clone, Serialize)]
pub struct ScreenshotView {
    /// File name.
    pub name: String,
    /// `data:` URI, or `None` when too large to embed.
    pub data_uri: Option<String>,
}

/// One scenario of a case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseScenarioView {
    /// Scenario id.
    pub id: String,
    /// Scenario name.
    pub name: String,
    /// Its status.
    pub status: Status,
    /// The input the software was asked to enter.
    pub entered: Vec<FactPair>,
    /// What the software reported or stored.
    pub reported: Vec<FactPair>,
    /// The steps (what was checked), with their status and message.
    pub steps: Vec<crate::model::StepResult>,
    /// The calls.
    pub calls: Vec<CallView>,
    /// The operator's attestations.
    pub attestations: Vec<crate::model::Attestation>,
    /// The screenshots.
    pub screenshots: Vec<ScreenshotView>,
    /// Rules and requirements the verdict rests on (the failing rule first when it failed).
    pub rules: Vec<String>,
    /// Why it failed.
    pub failure: Option<String>,
}

/// One section of the file.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    /// Two-digit section number (`01`), also the prefix of its attached files.
    pub number: String,
    /// The case as the guide names it.
    pub id: &'static str,
    /// Requirement tag.
    pub tag: &'static str,
    /// What it checks, in our words.
    pub purpose: String,
    /// Known by name only.
    pub known_by_name_only: bool,
    /// Its state.
    pub state: CaseState,
    /// Words for the state.
    pub state_label: &'static str,
    /// The scenarios of the run rehearsing it.
    pub scenarios: Vec<CaseScenarioView>,
}

/// The whole file, computed once for the HTML and the zip.
#[derive(Debug, Clone, Serialize)]
pub struct AcceptanceView<'a> {
    /// The cover facts.
    pub cover: &'a CoverFacts,
    /// Run id.
    pub run_id: &'a str,
    /// Start of the run.
    pub date: &'a str,
    /// insilab version.
    pub tool_version: &'a str,
    /// Driver of the run.
    pub driver: &'a str,
    /// The software family judged, when the run says.
    pub family: Option<&'a str>,
    /// SHA-256 of `manifest.sha256`, when present.
    pub manifest_sha256: Option<String>,
    /// Every case, in the guide's order.
    pub cases: Vec<CaseView>,
    /// What is missing before submission, one line each; empty when complete.
    pub missing: Vec<String>,
    /// True when nothing is missing.
    pub complete: bool,
    /// Problems of the evidence seal.
    pub evidence_problems: &'a [String],
}

impl<'a> AcceptanceView<'a> {
    /// Computes the view: matches scenarios to cases by case id, reads facts, pretty-prints
    /// traces and embeds screenshots. Unreadable facts or screenshots are reported as missing
    /// items, never as errors: a draft is always produced.
    pub fn new(input: &AcceptanceInput<'a>) -> AcceptanceView<'a> {
        let results = input.results;
        let mut missing = Vec::new();
        let manifest_sha256 = read_bounded(
            &input.evidence_dir.join(MANIFEST_FILE),
            evidence::MAX_MANIFEST_BYTES,
        )
        .ok()
        .map(|bytes| hex::encode(Sha256::digest(bytes)));
        if manifest_sha256.is_none() {
            missing.push(format!(
                "The evidence has no {MANIFEST_FILE}: the traces cannot be shown unaltered."
            ));
        }
        for problem in input.evidence_problems {
            missing.push(format!("Evidence altered since the run: {problem}."));
        }
        let mut cases = Vec::new();
        for (n, case) in CNDA_CASES.iter().enumerate() {
            let number = format!("{:02}", n + 1);
            let purpose = input
                .catalogue
                .get(case.tag)
                .map(|r| r.summary.clone())
                .unwrap_or_else(|| case.purpose.to_owned());
            let scenarios: Vec<&ScenarioResult> = results
                .scenarios
                .iter()
                .filter(|s| s.case_id.as_deref() == Some(case.id))
                .collect();
            let views: Vec<CaseScenarioView> = scenarios
                .iter()
                .enumerate()
                .map(|(k, s)| {
                    let prefix = attachment_prefix(&number, case, k, scenarios.len());
                    scenario_view(input, s, &prefix, &mut missing, case.id)
                })
                .collect();
            let state = case_state(case, &scenarios);
            match state {
                CaseState::Passed => {}
                CaseState::Failed => {
                    let why: Vec<String> = views.iter().filter_map(|v| v.failure.clone()).collect();
                    missing.push(format!("{}: failed ({}).", case.id, why.join("; ")));
                }
                CaseState::NotRun => missing.push(format!(
                    "{}: not brought to a verdict in this run.",
                    case.id
                )),
                CaseState::Absent => missing.push(format!("{}: not run.", case.id)),
                CaseState::ToBeCompleted => missing.push(format!(
                    "{}: to be completed with the CNDA file (content not public).",
                    case.id
                )),
            }
            cases.push(CaseView {
                number,
                id: case.id,
                tag: case.tag,
                purpose,
                known_by_name_only: case.known_by_name_only,
                state,
                state_label: state.label(),
                scenarios: views,
            });
        }
        let cover = input.cover;
        for (fact, what) in [
            (&cover.publisher, "publisher"),
            (&cover.software_name, "software name"),
            (&cover.software_version, "software version"),
            (&cover.idam, "authorisation number (IDAM)"),
            (&cover.structure, "structure"),
            (&cover.certificate_subject, "client certificate"),
        ] {
            if fact.is_none() {
                missing.push(format!("Cover page: the {what} is not known."));
            }
        }
        AcceptanceView {
            cover,
            run_id: &results.run_id,
            date: &results.started_at,
            tool_version: &results.tool_version,
            driver: &results.driver,
            family: results.family.as_deref(),
            manifest_sha256,
            complete: missing.is_empty(),
            cases,
            missing,
            evidence_problems: input.evidence_problems,
        }
    }
}

fn case_state(case: &CndaCase, scenarios: &[&ScenarioResult]) -> CaseState {
    if scenarios.iter().any(|s| s.status == Status::Failed) {
        CaseState::Failed
    } else if !scenarios.is_empty() && scenarios.iter().all(|s| s.status == Status::Passed) {
        CaseState::Passed
    } else if !scenarios.is_empty() {
        CaseState::NotRun
    } else if case.known_by_name_only {
        CaseState::ToBeCompleted
    } else {
        CaseState::Absent
    }
}

/// Folder of a case's attached files: `01_2.03-cas1`, or `01_2.03-cas1_2` for the second
/// scenario of a case rehearsed twice.
fn attachment_prefix(number: &str, case: &CndaCase, k: usize, of: usize) -> String {
    let slug = scenario_slug(case.tag.trim_start_matches("CNDA-"));
    if of > 1 {
        format!("{number}_{slug}_{}", k + 1)
    } else {
        format!("{number}_{slug}")
    }
}

fn scenario_view(
    input: &AcceptanceInput<'_>,
    s: &ScenarioResult,
    prefix: &str,
    missing: &mut Vec<String>,
    case_id: &str,
) -> CaseScenarioView {
    let evidence_dir = input.evidence_dir;
    let facts = match evidence::load_facts(evidence_dir, &s.id) {
        Ok(facts) => facts.unwrap_or_default(),
        Err(e) => {
            missing.push(format!("{case_id}: facts unreadable ({e})."));
            ScenarioFacts::default()
        }
    };
    let calls = s
        .exchanges
        .iter()
        .map(|e| {
            let client = facts
                .calls
                .iter()
                .find(|c| c.index == e.index)
                .and_then(|c| {
                    let parts: Vec<String> = [("CN", &c.client_cn), ("OU", &c.client_ou)]
                        .into_iter()
                        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
                        .collect();
                    (!parts.is_empty()).then(|| parts.join(", "))
                });
            let request = trace_text(evidence_dir, Some(&e.request_file), &e.request_xml);
            let response = trace_text(evidence_dir, e.response_file.as_deref(), &e.response_xml);
            CallView {
                index: e.index,
                operation: e.operation.clone(),
                outcome: e.outcome.clone(),
                request: request.as_deref().map(pretty_xml),
                response: response.as_deref().map(pretty_xml),
                request_attachment: format!("{prefix}/{:03}-request.xml", e.index),
                response_attachment: e
                    .response_file
                    .as_ref()
                    .map(|_| format!("{prefix}/{:03}-response.xml", e.index)),
                client,
            }
        })
        .collect();
    let mut shots = screenshots(&evidence_dir.join(SCREENSHOTS_DIR), &s.id);
    if let Some(dir) = input.screenshots_dir {
        shots.extend(screenshots(dir, &s.id));
        shots.truncate(MAX_SCREENSHOTS_PER_SCENARIO);
    }
    let screenshots = shots;
    if !s.attestations.is_empty() && screenshots.is_empty() {
        missing.push(format!(
            "{case_id}: {} attestation(s) without a screenshot (put them in {SCREENSHOTS_DIR}/{}/).",
            s.attestations.len(),
            scenario_slug(&s.id)
        ));
    }
    let mut rules: Vec<String> = Vec::new();
    if let Some(rule) = s.failure.as_ref().and_then(|f| f.rule.clone()) {
        rules.push(rule);
    }
    for r in &s.requirements {
        if !rules.contains(r) {
            rules.push(r.clone());
        }
    }
    CaseScenarioView {
        id: s.id.clone(),
        name: s.name.clone(),
        status: s.status,
        entered: facts.entered,
        reported: facts.reported,
        steps: s.steps.clone(),
        calls,
        attestations: s.attestations.clone(),
        screenshots,
        rules,
        failure: s.failure.as_ref().map(|f| f.message.clone()),
    }
}

/// The text of a trace: the evidence file when readable, else the inline copy.
fn trace_text(dir: &Path, file: Option<&str>, inline: &Option<String>) -> Option<String> {
    file.and_then(|rel| read_inside(dir, rel, evidence::MAX_INLINE_XML_BYTES))
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .or_else(|| inline.clone())
}

/// Reads `rel` inside `dir` (no `..`, no absolute path), at most `limit` bytes.
fn read_inside(dir: &Path, rel: &str, limit: u64) -> Option<Vec<u8>> {
    let path = Path::new(rel);
    if path
        .components()
        .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return None;
    }
    read_bounded(&dir.join(path), limit).ok()
}

/// PNG and JPEG files of `<dir>/<scenario slug>/`, sorted by name, embedded as data URIs.
fn screenshots(dir: &Path, scenario_id: &str) -> Vec<ScreenshotView> {
    let folder = dir.join(scenario_slug(scenario_id));
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| mime_of(n).is_some())
        .collect();
    names.sort();
    names.truncate(MAX_SCREENSHOTS_PER_SCENARIO);
    names
        .into_iter()
        .map(|name| {
            let data_uri = mime_of(&name).and_then(|mime| {
                let bytes = read_bounded(&folder.join(&name), MAX_SCREENSHOT_BYTES).ok()?;
                Some(format!(
                    "data:{mime};base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(bytes)
                ))
            });
            ScreenshotView { name, data_uri }
        })
        .collect()
}

fn mime_of(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".png") {
        Some("image/png")
    } else if lower.ends_with(".jpg") || lower.ends_with(".jpeg") {
        Some("image/jpeg")
    } else {
        None
    }
}

/// Indents an XML document two spaces per level, dropping whitespace-only text. A document
/// that is not well-formed (or nested deeper than [`MAX_PRETTY_XML_DEPTH`]) is returned as is:
/// the file shows what was sent, whatever it was.
pub fn pretty_xml(xml: &str) -> String {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut writer = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    let mut depth = 0usize;
    loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(event) => event,
            Err(_) => return xml.to_owned(),
        };
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_PRETTY_XML_DEPTH || writer.write_event(event).is_err() {
            return xml.to_owned();
        }
    }
    if depth != 0 {
        return xml.to_owned();
    }
    String::from_utf8(writer.into_inner()).unwrap_or_else(|_| xml.to_owned())
}

/// Renders the acceptance file as one self-contained HTML page.
pub fn write_acceptance_html(input: &AcceptanceInput<'_>) -> Result<String, ReportError> {
    render_html(&AcceptanceView::new(input))
}

/// Renders an already computed view.
pub fn render_html(view: &AcceptanceView<'_>) -> Result<String, ReportError> {
    let template_error = |e: minijinja::Error| ReportError::Template {
        template: TEMPLATE_NAME,
        message: format!("{e:#}"),
    };
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template(TEMPLATE_NAME, TEMPLATE)
        .map_err(template_error)?;
    let template = env.get_template(TEMPLATE_NAME).map_err(template_error)?;
    template.render(view).map_err(template_error)
}

/// Builds the zip of the traces: one folder per case (`01_2.03-cas1/001-request.xml`, …), the
/// raw bytes of the evidence files (or the inline copy when a file is gone), every entry dated
/// 1980-01-01 00:00 so that the same run gives the same bytes.
pub fn write_traces_zip(
    view: &AcceptanceView<'_>,
    input: &AcceptanceInput<'_>,
) -> Result<Vec<u8>, ReportError> {
    let zip_error = |e: zip::result::ZipError| ReportError::Zip(e.to_string());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let scenarios = input.results.scenarios.iter();
    for case in &view.cases {
        for sv in &case.scenarios {
            let Some(s) = scenarios.clone().find(|s| s.id == sv.id) else {
                continue;
            };
            for (call, e) in sv.calls.iter().zip(&s.exchanges) {
                let pairs = [
                    (
                        Some(&call.request_attachment),
                        Some(e.request_file.as_str()),
                        &e.request_xml,
                    ),
                    (
                        call.response_attachment.as_ref(),
                        e.response_file.as_deref(),
                        &e.response_xml,
                    ),
                ];
                for (name, file, inline) in pairs {
                    let Some(name) = name else { continue };
                    let bytes = file
                        .and_then(|rel| read_inside(input.evidence_dir, rel, MAX_TRACE_BYTES))
                        .or_else(|| inline.as_ref().map(|x| x.clone().into_bytes()));
                    let Some(bytes) = bytes else { continue };
                    zip.start_file(name.as_str(), options).map_err(zip_error)?;
                    zip.write_all(&bytes)
                        .map_err(|e| ReportError::Zip(e.to_string()))?;
                }
            }
        }
    }
    let cursor = zip.finish().map_err(zip_error)?;
    Ok(cursor.into_inner())
}

/// The files [`write_acceptance`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptanceFiles {
    /// The HTML file.
    pub html: PathBuf,
    /// The zip of the traces.
    pub zip: PathBuf,
    /// True when every case passed and nothing is missing.
    pub complete: bool,
    /// What is missing, one line each.
    pub missing: Vec<String>,
}

/// Renders the HTML and the zip, then writes both into `dir` (created if needed).
pub fn write_acceptance(
    dir: &Path,
    input: &AcceptanceInput<'_>,
) -> Result<AcceptanceFiles, ReportError> {
    let view = AcceptanceView::new(input);
    let html = render_html(&view)?;
    let zip = write_traces_zip(&view, input)?;
    std::fs::create_dir_all(dir).map_err(|e| ReportError::io(dir, e))?;
    let html_path = dir.join(ACCEPTANCE_HTML_FILE);
    std::fs::write(&html_path, html).map_err(|e| ReportError::io(&html_path, e))?;
    let zip_path = dir.join(ACCEPTANCE_ZIP_FILE);
    std::fs::write(&zip_path, zip).map_err(|e| ReportError::io(&zip_path, e))?;
    Ok(AcceptanceFiles {
        html: html_path,
        zip: zip_path,
        complete: view.complete,
        missing: view.missing,
    })
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on an unexpected error"
)]
mod tests {
    use super::*;

    #[test]
    fn pretty_xml_indents_and_keeps_bad_input() {
        let pretty = pretty_xml("<a><b x=\"1\">t</b><c/></a>");
        assert_eq!(pretty, "<a>\n  <b x=\"1\">t</b>\n  <c/>\n</a>");
        assert_eq!(pretty_xml("<a><b></a>"), "<a><b></a>");
        assert_eq!(pretty_xml("<a>"), "<a>");
        let deep =
            "<a>".repeat(MAX_PRETTY_XML_DEPTH + 1) + &"</a>".repeat(MAX_PRETTY_XML_DEPTH + 1);
        assert_eq!(pretty_xml(&deep), deep);
    }

    #[test]
    fn cases_follow_the_guide_order() {
        let ids: Vec<&str> = CNDA_CASES.iter().map(|c| c.id).collect();
        assert_eq!(ids.first(), Some(&"2.03 cas 1"));
        assert_eq!(&ids[11..], ["2.08 cas 2", "1.10", "3.05 cas 3"]);
        assert!(CNDA_CASES[..12].iter().all(|c| !c.known_by_name_only));
        assert!(CNDA_CASES[12..].iter().all(|c| c.known_by_name_only));
        let catalogue = Catalogue::embedded();
        for c in &CNDA_CASES[..12] {
            assert!(
                catalogue.get(c.tag).is_some(),
                "{} not in the catalogue",
                c.tag
            );
        }
    }

    #[test]
    fn config_resolves_the_certificate_next_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("acceptance.yaml");
        std::fs::write(&path, "publisher: ACME\nclient_certificate: client.pem\n").unwrap();
        let config = AcceptanceConfig::load(&path).unwrap();
        assert_eq!(config.publisher.as_deref(), Some("ACME"));
        assert_eq!(
            config.client_certificate,
            Some(dir.path().join("client.pem"))
        );
        std::fs::write(&path, "publsher: typo\n").unwrap();
        assert!(matches!(
            AcceptanceConfig::load(&path),
            Err(ReportError::Yaml { .. })
        ));
    }
}
