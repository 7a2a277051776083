//! Finding and parsing the Gherkin suites: the embedded `cnda` and `protocol` suites, or any
//! directory/file the user names; outline expansion and tag filtering.

use std::path::{Path, PathBuf};

use gherkin::tagexpr::TagOperation;

use crate::HarnessError;

/// One embedded feature file: suite, file name, text.
struct EmbeddedFeature {
    suite: &'static str,
    file: &'static str,
    text: &'static str,
}

macro_rules! embedded {
    ($suite:literal, $file:literal) => {
        EmbeddedFeature {
            suite: $suite,
            file: concat!($suite, "/", $file),
            text: include_str!(concat!("../../scenarios/", $suite, "/", $file)),
        }
    };
}

/// The suites shipped inside the binary, so `insilab run` works outside the source tree.
const EMBEDDED: &[EmbeddedFeature] = &[
    embedded!("cnda", "2.03-lexical.feature"),
    embedded!("cnda", "2.04-history.feature"),
    embedded!("cnda", "2.05-nia.feature"),
    embedded!("cnda", "2.06-ambiguous.feature"),
    embedded!("cnda", "2.07-first-names.feature"),
    embedded!("cnda", "2.08-keys.feature"),
    embedded!("protocol", "tls.feature"),
    embedded!("protocol", "faults.feature"),
    embedded!("protocol", "network.feature"),
    embedded!("protocol", "answers.feature"),
    embedded!("protocol", "verification.feature"),
    embedded!("protocol", "card.feature"),
    embedded!("protocol", "card-mode.feature"),
    embedded!("protocol", "insilab-answers.feature"),
    embedded!("receiving", "verification.feature"),
    embedded!("receiving", "emission.feature"),
    embedded!("business", "statuses.feature"),
];

/// Largest feature file read from disk.
pub const MAX_FEATURE_BYTES: u64 = 1024 * 1024;

/// One step of a scenario, ready to run.
#[derive(Debug, Clone)]
pub struct PlannedStep {
    /// Keyword as written (`Given `, `And `…), trimmed.
    pub keyword: String,
    /// Text after the keyword (outline placeholders replaced).
    pub text: String,
    /// Data table rows, if any.
    pub table: Option<Vec<Vec<String>>>,
    /// Line in the feature file.
    pub line: usize,
}

/// One scenario, ready to run (outlines are expanded into one scenario per example row).
#[derive(Debug, Clone)]
pub struct PlannedScenario {
    /// Unique id: `<suite>/<case id or slug>`.
    pub id: String,
    /// Suite name (`cnda`, `protocol`, or the directory name).
    pub suite: String,
    /// Feature name.
    pub feature: String,
    /// Feature file, relative to the scenarios directory.
    pub feature_file: String,
    /// Scenario name.
    pub name: String,
    /// Tags of the feature and the scenario, without `@`.
    pub tags: Vec<String>,
    /// Background steps then the scenario's steps.
    pub steps: Vec<PlannedStep>,
    /// Line of the scenario.
    pub line: usize,
}

impl PlannedScenario {
    /// The CNDA case id when tagged `@CNDA-2.07-cas1` → `2.07 cas 1`.
    pub fn case_id(&self) -> Option<String> {
        self.tags.iter().find_map(|t| {
            let rest = t.strip_prefix("CNDA-")?;
            Some(match rest.split_once("-cas") {
                Some((num, case)) => format!("{num} cas {case}"),
                None => rest.to_owned(),
            })
        })
    }

    /// Tags that name requirements (upper-case ids such as `EXI-REC-07`, `INSI-ALG-01`).
    pub fn requirements(&self) -> Vec<String> {
        self.tags
            .iter()
            .filter(|t| is_requirement_tag(t))
            .cloned()
            .collect()
    }

    /// Whether the scenario applies to software of `family` (`insilab run --family`): one of
    /// its requirements binds that family in `catalogue` (`scenarios/requirements.yaml`
    /// `families`). A scenario naming no catalogued requirement applies to every family.
    pub fn applies_to(
        &self,
        family: insilab_reports::catalogue::Family,
        catalogue: &insilab_reports::Catalogue,
    ) -> bool {
        let bound: Vec<_> = self
            .requirements()
            .iter()
            .filter_map(|id| catalogue.get(id))
            .map(|r| family.is_bound_by(&r.families))
            .collect();
        bound.is_empty() || bound.contains(&true)
    }

    /// Tags that are not requirement ids (`cnda`, `reference-only`…).
    pub fn other_tags(&self) -> Vec<String> {
        self.tags
            .iter()
            .filter(|t| !is_requirement_tag(t))
            .cloned()
            .collect()
    }
}

/// A requirement tag starts with an upper-case letter (`CNDA-…`, `EXI-…`, `INSI-…`, `RNIV-…`);
/// plain tags are lower case.
pub fn is_requirement_tag(tag: &str) -> bool {
    tag.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && tag.contains('-')
}

/// Turns a scenario name into a file-system-safe slug.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out.truncate(80);
    out
}

/// Loads a suite selection: `cnda`, `protocol`, `all`, or a path to a `.feature` file or a
/// directory of them (searched recursively, sorted by path).
pub fn load(selection: &str) -> Result<Vec<PlannedScenario>, HarnessError> {
    let mut scenarios = Vec::new();
    match selection {
        "cnda" | "protocol" | "receiving" | "business" | "all" => {
            for feature in EMBEDDED
                .iter()
                .filter(|f| selection == "all" || f.suite == selection)
            {
                let parsed = gherkin::Feature::parse(feature.text, gherkin::GherkinEnv::default())
                    .map_err(|e| HarnessError::Feature {
                        path: PathBuf::from(feature.file),
                        message: e.to_string(),
                    })?;
                plan_feature(&parsed, feature.suite, feature.file, &mut scenarios);
            }
        }
        path => {
            let path = Path::new(path);
            if !path.exists() {
                return Err(HarnessError::UnknownSuite(selection.to_owned()));
            }
            let mut files = Vec::new();
            collect_features(path, &mut files)?;
            files.sort();
            let base = if path.is_dir() {
                path
            } else {
                path.parent().unwrap_or(Path::new("."))
            };
            for file in files {
                let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
                if size > MAX_FEATURE_BYTES {
                    return Err(HarnessError::Feature {
                        path: file,
                        message: format!(
                            "{size} bytes, more than the limit of {MAX_FEATURE_BYTES}"
                        ),
                    });
                }
                let parsed = gherkin::Feature::parse_path(&file, gherkin::GherkinEnv::default())
                    .map_err(|e| HarnessError::Feature {
                        path: file.clone(),
                        message: e.to_string(),
                    })?;
                let relative = file.strip_prefix(base).unwrap_or(&file);
                let suite = relative
                    .parent()
                    .and_then(|p| p.components().next())
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .filter(|s| !s.is_empty())
                    .or_else(|| base.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .unwrap_or_else(|| "custom".to_owned());
                plan_feature(&parsed, &suite, &relative.to_string_lossy(), &mut scenarios);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for scenario in &mut scenarios {
        let base = scenario.id.clone();
        let mut n = 2;
        while !seen.insert(scenario.id.clone()) {
            scenario.id = format!("{base}-{n}");
            n += 1;
        }
    }
    Ok(scenarios)
}

/// The embedded feature texts, for tests and `docs/steps.md` checks: `(file, text)`.
pub fn embedded_texts() -> impl Iterator<Item = (&'static str, &'static str)> {
    EMBEDDED.iter().map(|f| (f.file, f.text))
}

fn collect_features(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), HarnessError> {
    if path.is_file() {
        out.push(path.to_owned());
        return Ok(());
    }
    let entries = std::fs::read_dir(path).map_err(|e| HarnessError::Feature {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect_features(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "feature") {
            out.push(p);
        }
    }
    Ok(())
}

fn plan_feature(
    feature: &gherkin::Feature,
    suite: &str,
    file: &str,
    out: &mut Vec<PlannedScenario>,
) {
    let background: Vec<&gherkin::Step> = feature
        .background
        .as_ref()
        .map(|b| b.steps.iter().collect())
        .unwrap_or_default();
    let mut all: Vec<(&gherkin::Scenario, Vec<&gherkin::Step>, Vec<String>)> = feature
        .scenarios
        .iter()
        .map(|s| (s, background.clone(), Vec::new()))
        .collect();
    for rule in &feature.rules {
        let mut steps = background.clone();
        if let Some(b) = &rule.background {
            steps.extend(b.steps.iter());
        }
        for s in &rule.scenarios {
            all.push((s, steps.clone(), rule.tags.clone()));
        }
    }
    for (scenario, background, rule_tags) in all {
        let mut tags: Vec<String> = feature.tags.clone();
        tags.extend(rule_tags);
        tags.extend(scenario.tags.iter().cloned());
        let tags: Vec<String> = tags
            .into_iter()
            .map(|t| t.trim_start_matches('@').to_owned())
            .collect();
        let rows = outline_rows(scenario);
        for (row_index, row) in rows.iter().enumerate() {
            let replace = |text: &str| -> String {
                let mut text = text.to_owned();
                for (key, value) in row {
                    text = text.replace(&format!("<{key}>"), value);
                }
                text
            };
            let mut row_tags = tags.clone();
            if let Some(extra) = row_tag(scenario, row_index) {
                row_tags.extend(extra);
            }
            let steps = background
                .iter()
                .copied()
                .chain(scenario.steps.iter())
                .map(|s| PlannedStep {
                    keyword: s.keyword.trim().to_owned(),
                    text: replace(&s.value),
                    table: s.table.as_ref().map(|t| {
                        t.rows
                            .iter()
                            .map(|r| r.iter().map(|c| replace(c)).collect())
                            .collect()
                    }),
                    line: s.position.line,
                })
                .collect();
            let name = replace(&scenario.name);
            let case = PlannedScenario {
                id: String::new(),
                suite: suite.to_owned(),
                feature: feature.name.clone(),
                feature_file: file.to_owned(),
                name: name.clone(),
                tags: row_tags,
                steps,
                line: scenario.position.line,
            };
            let key = match case.case_id() {
                Some(_) => case
                    .tags
                    .iter()
                    .find(|t| t.starts_with("CNDA-"))
                    .map(|t| slug(t.trim_start_matches("CNDA-")))
                    .unwrap_or_default(),
                None => slug(&name),
            };
            out.push(PlannedScenario {
                id: format!("{suite}/{key}"),
                ..case
            });
        }
    }
}

/// For an outline: one map per example row; otherwise one empty map.
fn outline_rows(scenario: &gherkin::Scenario) -> Vec<Vec<(String, String)>> {
    let mut rows = Vec::new();
    for examples in &scenario.examples {
        let Some(table) = &examples.table else {
            continue;
        };
        let Some((header, body)) = table.rows.split_first() else {
            continue;
        };
        for row in body {
            rows.push(header.iter().cloned().zip(row.iter().cloned()).collect());
        }
    }
    if rows.is_empty() {
        rows.push(Vec::new());
    }
    rows
}

fn row_tag(scenario: &gherkin::Scenario, row_index: usize) -> Option<Vec<String>> {
    let mut index = 0;
    for examples in &scenario.examples {
        let count = examples
            .table
            .as_ref()
            .map_or(0, |t| t.rows.len().saturating_sub(1));
        if row_index < index + count {
            return Some(examples.tags.clone());
        }
        index += count;
    }
    None
}

/// A parsed `--tags` expression (`@cnda and not @slow`).
#[derive(Debug, Clone)]
pub struct TagFilter(TagOperation);

impl TagFilter {
    /// Parses a Gherkin tag expression.
    pub fn parse(expression: &str) -> Result<Self, HarnessError> {
        expression
            .parse::<TagOperation>()
            .map(TagFilter)
            .map_err(|e| HarnessError::TagExpression(expression.to_owned(), e.to_string()))
    }

    /// Whether a scenario with these tags (without `@`) is selected.
    pub fn matches(&self, tags: &[String]) -> bool {
        eval(&self.0, tags)
    }
}

fn eval(op: &TagOperation, tags: &[String]) -> bool {
    match op {
        TagOperation::And(a, b) => eval(a, tags) && eval(b, tags),
        TagOperation::Or(a, b) => eval(a, tags) || eval(b, tags),
        TagOperation::Not(a) => !eval(a, tags),
        TagOperation::Tag(t) => {
            let t = t.trim_start_matches('@');
            tags.iter().any(|x| x == t)
        }
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;

    /// A feature file added under `scenarios/` but not to [`EMBEDDED`] would be silently left
    /// out of `insilab run --suite cnda|protocol|receiving|business|all`.
    #[test]
    fn every_feature_file_of_the_shipped_suites_is_embedded() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
        let mut on_disk = Vec::new();
        for suite in ["cnda", "protocol", "receiving", "business"] {
            for entry in std::fs::read_dir(format!("{root}/{suite}")).unwrap() {
                let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                if name.ends_with(".feature") {
                    on_disk.push(format!("{suite}/{name}"));
                }
            }
        }
        on_disk.sort();
        let mut embedded: Vec<String> = EMBEDDED.iter().map(|f| f.file.to_owned()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
    }

    #[test]
    fn cnda_suite_has_one_scenario_per_case() {
        let scenarios = load("cnda").unwrap();
        let mut cases: Vec<String> = scenarios.iter().filter_map(|s| s.case_id()).collect();
        cases.sort();
        assert_eq!(
            cases,
            [
                "2.03 cas 1",
                "2.03 cas 2",
                "2.03 cas 3",
                "2.04 cas 1",
                "2.04 cas 2",
                "2.05",
                "2.06 cas 1",
                "2.06 cas 2",
                "2.07 cas 1",
                "2.07 cas 2",
                "2.08 cas 1",
                "2.08 cas 2"
            ]
        );
        assert!(scenarios.iter().all(|s| s.id.starts_with("cnda/")));
        assert!(scenarios.iter().any(|s| s.id == "cnda/2.07-cas1"));
    }

    #[test]
    fn tag_filter_evaluates_expressions() {
        let f = TagFilter::parse("@cnda and not @CNDA-2.05").unwrap();
        assert!(f.matches(&["cnda".into(), "CNDA-2.04-cas1".into()]));
        assert!(!f.matches(&["cnda".into(), "CNDA-2.05".into()]));
        assert!(!f.matches(&["protocol".into()]));
        assert!(TagFilter::parse("@a and (").is_err());
    }

    #[test]
    fn feature_file_size_limit_holds_at_the_boundary() {
        let dir = tempfile::tempdir().unwrap();
        let head =
            "Feature: f\n  Scenario: s\n    Given the simulator answers in the \"live\" dialect\n";
        let mut text = head.to_owned();
        while text.len() < usize::try_from(MAX_FEATURE_BYTES).unwrap() - 2 {
            text.push_str("# padding padding padding padding padding padding padding padding\n");
        }
        text.truncate(usize::try_from(MAX_FEATURE_BYTES).unwrap() - 1);
        text.push('\n');
        let path = dir.path().join("limit.feature");
        std::fs::write(&path, &text).unwrap();
        assert_eq!(load(path.to_str().unwrap()).unwrap().len(), 1);
        text.push('\n');
        std::fs::write(&path, &text).unwrap();
        assert!(matches!(
            load(path.to_str().unwrap()),
            Err(HarnessError::Feature { .. })
        ));
    }

    #[test]
    fn slugs_are_file_safe() {
        assert_eq!(
            slug("2.07 cas 1 — TCHITCHI, the loop"),
            "2.07-cas-1-tchitchi-the-loop"
        );
    }
}
