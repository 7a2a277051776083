//! The validation stage: the simulator judges a request with the rules of `core::rules` only,
//! and decides from those findings which fault the real service would send.
//!
//! A rule's [`RuleAction`] says whether its finding faults the exchange or is only journalled.
//! By default a rule of severity `fault` faults and every other rule is journalled, so that the
//! simulator's decisions and the catalogue agree (issue 18). Where the real service's behaviour is
//! uncertain, the configuration changes it per rule (`rules:` in the configuration file, see
//! `docs/simulator.md`).

use std::collections::BTreeMap;

use insilab_core::insi::{Fault, Request, faults};
use insilab_core::rules::{Finding, RuleId, Severity};
use serde::{Deserialize, Serialize};

/// What the simulator does when a rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleAction {
    /// Answer the fault the real service sends.
    Fault,
    /// Answer normally; the finding is only journalled.
    Journal,
}

/// The per-rule actions in force (defaults: severity `fault` faults, the rest is journalled).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultPolicy {
    overrides: BTreeMap<RuleId, RuleAction>,
}

impl FaultPolicy {
    /// The default policy changed for the rules of `overrides`.
    pub fn new(overrides: BTreeMap<RuleId, RuleAction>) -> Self {
        FaultPolicy { overrides }
    }

    /// The action for `rule`.
    pub fn action(&self, rule: RuleId) -> RuleAction {
        self.overrides
            .get(&rule)
            .copied()
            .unwrap_or_else(|| default_action(rule))
    }
}

/// The default action of a rule: [`RuleAction::Fault`] for severity `fault`.
pub fn default_action(rule: RuleId) -> RuleAction {
    if rule.severity() == Severity::Fault {
        RuleAction::Fault
    } else {
        RuleAction::Journal
    }
}

/// The rules of the dispatch stage (`wsa:Action`), judged before access.
pub const DISPATCH_RULES: &[RuleId] = &[RuleId::Hdr001, RuleId::Hdr002, RuleId::Hdr003];
/// The rules of the addressing stage (`wsa:MessageID`), judged before access.
pub const ADDRESSING_RULES: &[RuleId] = &[RuleId::Hdr004, RuleId::Hdr005];

/// The first finding among `findings` whose rule is in `stage` (all rules when `None`) and
/// whose action is [`RuleAction::Fault`].
pub fn decisive<'f>(
    findings: &'f [Finding],
    policy: &FaultPolicy,
    stage: Option<&[RuleId]>,
) -> Option<&'f Finding> {
    findings.iter().find(|f| {
        stage.is_none_or(|s| s.contains(&f.rule_id))
            && policy.action(f.rule_id) == RuleAction::Fault
    })
}

/// Judges a request with the rules of `core::rules` (the simulator's only judge).
pub fn judge(request: &Request, content_type: Option<&str>) -> Vec<Finding> {
    let check = insilab_core::rules::CheckContext {
        content_type,
        http_action: None,
    };
    insilab_core::rules::check_request(request, &check)
}

/// The fault the real service sends for `finding`: `insi_19` for a missing birth name,
/// `desir_550` for a missing IDAM, otherwise the invalid-request Sender fault naming the finding.
pub fn fault_for(finding: &Finding, message_id: Option<&str>) -> Fault {
    match finding.rule_id {
        RuleId::Trt001 => faults::insi_19_missing_birth_name(message_id),
        RuleId::Hdr018 => faults::desir_550(message_id),
        rule => faults::invalid_request(message_id, &format!("{rule}: {}", finding.message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_catalogue_severity_and_config_overrides_them() {
        let p = FaultPolicy::default();
        assert_eq!(p.action(RuleId::Hdr007), RuleAction::Fault);
        assert_eq!(p.action(RuleId::Hdr004), RuleAction::Journal);
        let p = FaultPolicy::new(BTreeMap::from([
            (RuleId::Hdr004, RuleAction::Fault),
            (RuleId::Hdr007, RuleAction::Journal),
        ]));
        assert_eq!(p.action(RuleId::Hdr004), RuleAction::Fault);
        assert_eq!(p.action(RuleId::Hdr007), RuleAction::Journal);
    }

    #[test]
    fn decisive_respects_the_stage_and_the_policy() {
        let f = vec![
            Finding::new(RuleId::Hdr004, None, "no MessageID".into()),
            Finding::new(RuleId::Trt007, None, "Sexe".into()),
        ];
        let p = FaultPolicy::default();
        assert_eq!(decisive(&f, &p, Some(ADDRESSING_RULES)), None);
        assert_eq!(
            decisive(&f, &p, None).map(|f| f.rule_id),
            Some(RuleId::Trt007)
        );
        let strict = FaultPolicy::new(BTreeMap::from([(RuleId::Hdr004, RuleAction::Fault)]));
        assert_eq!(
            decisive(&f, &strict, Some(ADDRESSING_RULES)).map(|f| f.rule_id),
            Some(RuleId::Hdr004)
        );
    }
}
