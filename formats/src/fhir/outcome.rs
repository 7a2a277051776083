//! `OperationOutcome`: how the FHIR endpoint answers the rules that failed, and how the client
//! reads a peer's answer.

use insilab_core::rules::{Finding, Severity, rule};

use super::node::{self, Node};
use super::{FhirError, Syntax};

/// Code system naming insilab's rules in `issue.details.coding`.
pub const CS_INSILAB_RULES: &str = "https://insilab.invalid/fhir/CodeSystem/rules";

/// One issue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Issue {
    /// `fatal`, `error`, `warning`, `information`.
    pub severity: String,
    /// `invariant`, `structure`, `informational` …
    pub code: String,
    /// `details.coding.code`: the rule id.
    pub rule_id: Option<String>,
    /// `diagnostics`.
    pub diagnostics: Option<String>,
    /// `expression` (FHIRPath of the element).
    pub expression: Vec<String>,
}

impl Issue {
    /// The issue of a finding: severity error (warning for advice), code `invariant`.
    pub fn of(f: &Finding) -> Issue {
        Issue {
            severity: if f.severity == Severity::Advice {
                "warning"
            } else {
                "error"
            }
            .into(),
            code: "invariant".into(),
            rule_id: Some(f.rule_id.as_str().into()),
            diagnostics: Some(format!("{}: {}", rule(f.rule_id).summary, f.message)),
            expression: f.path.iter().cloned().collect(),
        }
    }
}

/// The OperationOutcome of `issues` (an `information` issue when there is none).
pub fn write(issues: &[Issue], syntax: Syntax) -> String {
    let mut n = Node::new("OperationOutcome");
    let all_ok = [Issue {
        severity: "information".into(),
        code: "informational".into(),
        diagnostics: Some("no rule failed".into()),
        ..Issue::default()
    }];
    let issues = if issues.is_empty() {
        &all_ok[..]
    } else {
        issues
    };
    for i in issues {
        let mut issue = Node::new("issue")
            .with(Node::prim("severity", &i.severity))
            .with(Node::prim("code", &i.code));
        if let Some(id) = &i.rule_id {
            let mut coding = Node::new("coding")
                .with(Node::prim("system", CS_INSILAB_RULES))
                .with(Node::prim("code", id));
            if let Ok(r) = insilab_core::rules::RuleId::parse(id) {
                coding = coding.with(Node::prim("display", rule(r).summary));
            }
            issue = issue.with(Node::new("details").with(coding));
        }
        issue = issue.opt("diagnostics", i.diagnostics.as_ref());
        for e in &i.expression {
            issue = issue.with(Node::prim("expression", e));
        }
        n = n.with(issue);
    }
    match syntax {
        Syntax::Json => node::to_json(&n),
        Syntax::Xml => node::to_xml(&n),
    }
}

/// Reads an OperationOutcome (JSON or XML by the first byte).
pub fn read(bytes: &[u8]) -> Result<Vec<Issue>, FhirError> {
    let n = match Syntax::sniff(bytes) {
        Some(Syntax::Xml) => node::from_xml(bytes)?,
        _ => node::from_json(bytes)?,
    };
    if n.name != "OperationOutcome" {
        return Err(FhirError::ResourceType {
            at: n.path.clone(),
            found: n.name.chars().take(48).collect(),
        });
    }
    let v = |n: &Node, name: &str| n.first(name).and_then(|c| c.value.clone());
    Ok(n.all("issue")
        .map(|i| Issue {
            severity: v(i, "severity").unwrap_or_default(),
            code: v(i, "code").unwrap_or_default(),
            rule_id: i
                .first("details")
                .and_then(|d| d.all("coding").find_map(|c| v(c, "code"))),
            diagnostics: v(i, "diagnostics"),
            expression: i
                .all("expression")
                .filter_map(|e| e.value.clone())
                .collect(),
        })
        .collect())
}
