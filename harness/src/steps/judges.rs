//! The judges of the call checks: pure functions over the calls observed at the simulator,
//! returning typed problems named by rules of the catalogue (`core::rules`). The request rules
//! are those the simulator already applied to every call (its journal carries their findings);
//! the certificate rule is a behaviour rule of the catalogue.

use insilab_core::rules::behaviour::check_organisation_certificate;
use insilab_core::rules::{CATALOGUE, Component, Rule, RuleId, Severity};

use super::Problem;
use crate::exchange::{Exchange, FindingSeverity};

/// Id prefixes of the header rules.
const HEADER_FAMILIES: [&str; 2] = ["INSI-HDR-0", "INSI-SEC-0"];

/// Requirement the lexical-profile rules evidence.
const LEXICAL_REQUIREMENT: &str = "INSI-LEX-01";

/// The request rules (the catalogue's rules the simulator applies to every call).
pub fn request_rules() -> impl Iterator<Item = &'static Rule> {
    CATALOGUE
        .iter()
        .filter(|r| r.applied_by.contains(&Component::Simulator))
}

/// The header rules.
pub fn header_rules() -> impl Iterator<Item = &'static Rule> {
    request_rules().filter(|r| HEADER_FAMILIES.iter().any(|p| r.id.as_str().starts_with(p)))
}

/// The request rules of the INSi lexical profile.
pub fn lexical_rules() -> impl Iterator<Item = &'static Rule> {
    request_rules().filter(|r| r.requirements.contains(&LEXICAL_REQUIREMENT))
}

/// Which rules a call check evaluates and how it judges one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallCheck {
    /// The client certificate (`INSI-TLS-01`).
    Certificate,
    /// The header rules, from the simulator's findings.
    Headers,
    /// The lexical-profile rules, from the simulator's findings.
    Lexical,
    /// Every request rule of severity fault or CNDA, from the simulator's findings.
    Findings,
}

impl CallCheck {
    /// The ids of the rules this check evaluates.
    pub fn rules(self) -> Vec<RuleId> {
        match self {
            CallCheck::Certificate => {
                vec![insilab_core::rules::behaviour::ORGANISATION_CERTIFICATE]
            }
            CallCheck::Headers => header_rules().map(|r| r.id).collect(),
            CallCheck::Lexical => lexical_rules().map(|r| r.id).collect(),
            CallCheck::Findings => request_rules().map(|r| r.id).collect(),
        }
    }

    /// Problems of call `index` (from 1).
    pub fn judge(self, index: usize, e: &Exchange) -> Vec<Problem> {
        match self {
            CallCheck::Certificate => {
                check_organisation_certificate(index, e.cert_cn.as_deref(), e.cert_ou.as_deref())
                    .into_iter()
                    .map(Problem::from)
                    .collect()
            }
            CallCheck::Headers => findings_of(index, e, |r| {
                HEADER_FAMILIES.iter().any(|p| r.id.as_str().starts_with(p))
            }),
            CallCheck::Lexical => {
                findings_of(index, e, |r| r.requirements.contains(&LEXICAL_REQUIREMENT))
            }
            CallCheck::Findings => findings_of(index, e, |_| true),
        }
    }
}

/// Every call judged by every check: the rules evaluated, and the problems found.
pub fn judge_calls(exchanges: &[Exchange], checks: &[CallCheck]) -> (Vec<RuleId>, Vec<Problem>) {
    let rules = checks.iter().flat_map(|c| c.rules()).collect();
    let mut problems = Vec::new();
    for (i, e) in exchanges.iter().enumerate() {
        for check in checks {
            problems.extend(check.judge(i + 1, e));
        }
    }
    (rules, problems)
}

/// The simulator's findings of severity fault or CNDA on call `index`, for the request rules
/// `keep` selects. A rule id the catalogue does not know (a simulator of another version)
/// is kept under its own id.
fn findings_of(index: usize, e: &Exchange, keep: impl Fn(&Rule) -> bool) -> Vec<Problem> {
    e.findings
        .iter()
        .filter(|f| f.severity != FindingSeverity::Advice)
        .filter(|f| {
            insilab_core::rules::find(&f.rule_id)
                .is_none_or(|r| r.applied_by.contains(&Component::Simulator) && keep(r))
        })
        .map(|f| Problem {
            rule: f.rule_id.clone(),
            message: format!(
                "call {index}: {} finding {}: {}",
                match f.severity {
                    Severity::Cnda => "CNDA",
                    other => other.as_str(),
                },
                f.rule_id,
                f.message
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::FindingFact;

    fn call(findings: &[(&str, FindingSeverity)]) -> Exchange {
        Exchange {
            cert_cn: Some("INSI-AUTO".into()),
            cert_ou: Some("499700".into()),
            findings: findings
                .iter()
                .map(|(id, severity)| FindingFact {
                    rule_id: (*id).into(),
                    severity: *severity,
                    message: "m".into(),
                })
                .collect(),
            ..Exchange::default()
        }
    }

    #[test]
    fn header_check_keeps_header_findings_and_drops_advice() {
        let e = call(&[
            ("INSI-HDR-005", FindingSeverity::Cnda),
            ("INSI-HDR-021", FindingSeverity::Advice),
            ("INSI-TRT-001", FindingSeverity::Fault),
        ]);
        let (rules, problems) = judge_calls(std::slice::from_ref(&e), &[CallCheck::Headers]);
        assert!(rules.contains(&RuleId::Hdr005) && !rules.contains(&RuleId::Trt001));
        let ids: Vec<&str> = problems.iter().map(|p| p.rule.as_str()).collect();
        assert_eq!(ids, ["INSI-HDR-005"]);
        let (_, all) = judge_calls(&[e], &[CallCheck::Findings]);
        assert_eq!(all.len(), 2);
    }

    #[test]
    fn a_server_certificate_fires_the_organisation_certificate_rule() {
        let mut e = call(&[]);
        e.cert_cn = Some("insi.example".into());
        let (_, problems) = judge_calls(&[e], &[CallCheck::Certificate]);
        assert_eq!(problems[0].rule, "INSI-TLS-01");
    }

    #[test]
    fn lexical_rules_are_request_rules_of_the_lexical_requirement() {
        assert!(lexical_rules().count() > 0);
        assert!(lexical_rules().all(|r| r.applied_by.contains(&Component::Simulator)));
    }
}
