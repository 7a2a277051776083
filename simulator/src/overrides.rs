//! Scenario overrides and fault injection.
//!
//! One job: hold rules "for the next N requests matching P, answer X" and hand out the first
//! matching one, consuming one of its uses. Settable from the library ([`Overrides`]) and the
//! admin API (same JSON shape, [`OverrideSpec`]).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::error::{Result, SimulatorError};
use crate::matching::{normalise_name, requested_first_names};

/// Largest number of overrides held at once (a runaway script cannot exhaust memory).
pub const MAX_OVERRIDES: usize = 10_000;
/// Longest injected delay, in milliseconds.
pub const MAX_DELAY_MS: u64 = 120_000;

/// Which requests an override applies to (every field that is set must match).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RequestPattern {
    /// `traits_search`, `card_search` or `verification`.
    pub operation: Option<String>,
    /// Birth name (compared normalised).
    pub birth_name: Option<String>,
    /// First name(s): equal to the request's first-name list joined by one space.
    pub first_name: Option<String>,
    /// Tenant (client certificate OU). With a tenant token this is forced to the token's tenant.
    pub tenant: Option<String>,
}

/// What an override answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OverrideAnswer {
    /// Answer the normal result (useful with a delay only).
    Normal,
    /// `RESULTAT` with this `CodeCR` (`01` or `02`; `00` needs a person: use the dataset or a file).
    Cr {
        /// `01` or `02`.
        code: String,
    },
    /// A verification answered as `case` (`verified`, `unknown`, `traits_mismatch`,
    /// `replaced`) by the dataset's verification templates, naming the person whose INS was
    /// sent when there is one (for `verified` without one: the INS and traits as sent). Other
    /// operations answer normally.
    Verification {
        /// The case.
        case: crate::dataset::VerificationCase,
    },
    /// A CNDA answer file, verbatim (`TEST_2.04_cas2`).
    AnswerFile {
        /// File name.
        name: String,
    },
    /// The documented fault with this `Erreur` code (`insi_102`, `insi_101`, `desir_1020`…).
    Fault {
        /// Erreur code.
        code: String,
        /// Captured form: `current` (default) or `older` (`severite="fatal"` before `code`, no
        /// `messageID`).
        #[serde(default, skip_serializing_if = "crate::fault_choice::is_current")]
        variant: insilab_core::insi::faults::FaultVariant,
    },
    /// A bare HTTP status with a short text body.
    HttpStatus {
        /// The status (100..=599).
        status: u16,
    },
    /// Close the connection without answering.
    Reset,
    /// Announce the full normal answer but send only its first half, then close.
    Truncated,
    /// HTTP 200 with a body that is not well-formed XML (the normal answer cut and spoiled).
    Malformed,
}

/// An override as set by a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideSpec {
    /// Which requests.
    #[serde(default, rename = "match")]
    pub pattern: RequestPattern,
    /// How many requests it applies to (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// What to answer.
    pub answer: OverrideAnswer,
    /// Wait this long before answering, in milliseconds.
    #[serde(default)]
    pub delay_ms: u64,
}

fn one() -> u32 {
    1
}

impl OverrideSpec {
    /// Checks that the named answer file or fault exists and the values are in range.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(SimulatorError::Override(m));
        if self.count == 0 {
            return bad("count must be at least 1".into());
        }
        if self.delay_ms > MAX_DELAY_MS {
            return bad(format!(
                "delay_ms {} is more than {MAX_DELAY_MS}",
                self.delay_ms
            ));
        }
        if let Some(op) = &self.pattern.operation
            && !["traits_search", "card_search", "verification"].contains(&op.as_str())
        {
            return bad(format!(
                "operation `{op}` is not traits_search, card_search or verification"
            ));
        }
        match &self.answer {
            OverrideAnswer::Cr { code } if code != "01" && code != "02" => bad(format!(
                "cr `{code}` is not 01 or 02 (a 00 needs a person: use the dataset or an answer file)"
            )),
            OverrideAnswer::AnswerFile { name } if crate::answers::answer_file(name).is_none() => {
                bad(format!("unknown answer file `{name}`"))
            }
            OverrideAnswer::Fault { code, .. }
                if insilab_core::insi::faults::by_code(code, None).is_none() =>
            {
                bad(format!("unknown fault code `{code}`"))
            }
            OverrideAnswer::HttpStatus { status } if !(100..=599).contains(status) => {
                bad(format!("http status {status} is not between 100 and 599"))
            }
            _ => Ok(()),
        }
    }
}

/// What a request looks like to the override matcher.
#[derive(Debug, Clone, Default)]
pub struct RequestFacts<'a> {
    /// Operation name.
    pub operation: Option<&'a str>,
    /// Birth name sent.
    pub birth_name: Option<&'a str>,
    /// First names sent (each `Prenom`).
    pub prenoms: &'a [String],
    /// Tenant.
    pub tenant: Option<&'a str>,
}

impl RequestPattern {
    fn matches(&self, r: &RequestFacts<'_>) -> bool {
        let op = self
            .operation
            .as_deref()
            .is_none_or(|o| Some(o) == r.operation);
        let tenant = self.tenant.as_deref().is_none_or(|t| Some(t) == r.tenant);
        let name = self.birth_name.as_deref().is_none_or(|n| {
            r.birth_name
                .is_some_and(|b| normalise_name(b) == normalise_name(n))
        });
        let first = self
            .first_name
            .as_deref()
            .is_none_or(|f| requested_first_names(r.prenoms).join(" ") == normalise_name(f));
        op && tenant && name && first
    }
}

/// An active override.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveOverride {
    /// Id, for the journal and for listing.
    pub id: u64,
    /// The rule.
    pub spec: OverrideSpec,
    /// Uses left.
    pub remaining: u32,
}

/// The override store (cheap to clone).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    inner: Arc<Store>,
}

#[derive(Debug, Default)]
struct Store {
    list: Mutex<Vec<ActiveOverride>>,
    /// The last id given.
    last_id: AtomicU64,
    /// How many overrides are active (the list's length, stored under its lock): a request
    /// reads it without the lock, which every exchange would otherwise take (and, with two
    /// workers, pass from one core to the other) only to find the list empty.
    active: AtomicUsize,
}

impl Overrides {
    /// Adds an override after validating it; returns its id.
    pub fn add(&self, spec: OverrideSpec) -> Result<u64> {
        spec.validate()?;
        let mut list = self.lock();
        if list.len() >= MAX_OVERRIDES {
            return Err(SimulatorError::Override(format!(
                "more than {MAX_OVERRIDES} overrides are active"
            )));
        }
        let id = self.inner.last_id.fetch_add(1, Ordering::Relaxed) + 1;
        list.push(ActiveOverride {
            id,
            remaining: spec.count,
            spec,
        });
        self.inner.active.store(list.len(), Ordering::Release);
        Ok(id)
    }

    /// Removes every override (of one tenant only when `tenant` is given); returns how many.
    pub fn clear(&self, tenant: Option<&str>) -> usize {
        let mut list = self.lock();
        let before = list.len();
        match tenant {
            None => list.clear(),
            Some(t) => list.retain(|o| o.spec.pattern.tenant.as_deref() != Some(t)),
        }
        self.inner.active.store(list.len(), Ordering::Release);
        before - list.len()
    }

    /// The active overrides (of one tenant only when `tenant` is given).
    pub fn list(&self, tenant: Option<&str>) -> Vec<ActiveOverride> {
        self.lock()
            .iter()
            .filter(|o| tenant.is_none_or(|t| o.spec.pattern.tenant.as_deref() == Some(t)))
            .cloned()
            .collect()
    }

    /// Takes one use of the first override (in insertion order) matching `facts`.
    pub fn take(&self, facts: &RequestFacts<'_>) -> Option<(u64, OverrideSpec)> {
        if self.inner.active.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut list = self.lock();
        let i = list.iter().position(|o| o.spec.pattern.matches(facts))?;
        let o = &mut list[i];
        o.remaining -= 1;
        let out = (o.id, o.spec.clone());
        if o.remaining == 0 {
            list.remove(i);
            self.inner.active.store(list.len(), Ordering::Release);
        }
        Some(out)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<ActiveOverride>> {
        // Poisoning cannot leave the list inconsistent (every mutation is a single step).
        self.inner.list.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;

    fn spec(json: &str) -> OverrideSpec {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn fires_exactly_n_times_for_matching_requests_only() {
        let o = Overrides::default();
        o.add(spec(
            r#"{"match":{"birth_name":"ecetinsi","tenant":"T1"},"count":2,"answer":{"kind":"answer_file","name":"TEST_2.04_cas2"}}"#,
        ))
        .unwrap();
        let prenoms = vec!["PIERRE-ALAIN".to_string()];
        let hit = RequestFacts {
            operation: Some("traits_search"),
            birth_name: Some("ECETINSI"),
            prenoms: &prenoms,
            tenant: Some("T1"),
        };
        let other_tenant = RequestFacts {
            tenant: Some("T2"),
            ..hit.clone()
        };
        assert!(o.take(&other_tenant).is_none());
        assert!(o.take(&hit).is_some());
        assert!(o.take(&hit).is_some());
        assert!(o.take(&hit).is_none());
    }

    #[test]
    fn invalid_specs_are_refused() {
        let o = Overrides::default();
        for bad in [
            r#"{"answer":{"kind":"answer_file","name":"TEST_9"}}"#,
            r#"{"answer":{"kind":"fault","code":"nope"}}"#,
            r#"{"answer":{"kind":"cr","code":"00"}}"#,
            r#"{"count":0,"answer":{"kind":"reset"}}"#,
        ] {
            assert!(o.add(spec(bad)).is_err(), "{bad}");
        }
    }
}
