//! What a scenario asked the software to enter and what the software reported, as the
//! [`ScenarioFacts`] stored next to its exchanges (the acceptance file shows them per case).

use insilab_reports::model::{CallFacts, FactPair, ScenarioFacts};

use crate::exchange::Exchange;
use crate::outcome::SutOutcome;
use crate::suite::PlannedScenario;

/// Builds the facts of a scenario: the table of its first action step (two columns: what,
/// value), the software's last answer, and the TLS facts of each call.
pub fn scenario_facts(
    scenario: &PlannedScenario,
    outcome: Option<&SutOutcome>,
    exchanges: &[Exchange],
) -> ScenarioFacts {
    let entered = scenario
        .steps
        .iter()
        .find_map(|s| s.table.as_ref())
        .map(|rows| {
            rows.iter()
                .filter_map(|row| match row.as_slice() {
                    [label, value, ..] => Some(pair(label, value)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let calls = exchanges
        .iter()
        .enumerate()
        .map(|(i, e)| CallFacts {
            index: u32::try_from(i + 1).unwrap_or(u32::MAX),
            client_cn: e.cert_cn.clone(),
            client_ou: e.cert_ou.clone(),
            tls_version: e.tls_version.clone(),
        })
        .collect();
    ScenarioFacts {
        entered,
        reported: outcome.map(reported).unwrap_or_default(),
        calls,
    }
}

fn pair(label: &str, value: &str) -> FactPair {
    FactPair {
        label: label.to_owned(),
        value: value.to_owned(),
    }
}

/// The driver answer as labelled lines, in the driver protocol's words.
fn reported(outcome: &SutOutcome) -> Vec<FactPair> {
    let mut out = vec![pair("outcome", outcome.outcome.as_str())];
    if let Some(stored) = &outcome.stored {
        out.push(pair("stored INS", &stored.ins.to_string()));
        let t = &stored.traits;
        out.push(pair("stored birth name", &t.birth_name));
        if let Some(first) = &t.first_name {
            out.push(pair("stored first name", first));
        }
        out.push(pair("stored first-name list", &t.first_names_list));
        out.push(pair("stored sex", &t.sex));
        out.push(pair("stored birth date", &t.birth_date));
        if let Some(place) = &t.birthplace {
            out.push(pair("stored birthplace", place));
        }
        for (i, h) in stored.history.iter().enumerate() {
            out.push(pair(&format!("stored history {}", i + 1), &h.to_string()));
        }
        if let Some(status) = &stored.status {
            out.push(pair("identity status", status));
        }
    } else {
        out.push(pair("stored INS", "none"));
    }
    if let Some(error) = &outcome.error_shown {
        out.push(pair("error shown", error));
    }
    if let Some(message) = &outcome.message {
        out.push(pair("message", message));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{OutcomeKind, StoredIdentity, StoredIns};

    #[test]
    fn reported_lists_what_was_stored_or_not() {
        let none = reported(&SutOutcome::bare(OutcomeKind::NotFound));
        assert_eq!(none[0], pair("outcome", "not_found"));
        assert_eq!(none[1], pair("stored INS", "none"));
        let mut found = SutOutcome::bare(OutcomeKind::Found);
        found.stored = Some(StoredIdentity {
            ins: StoredIns {
                matricule: "2360663220836".into(),
                key: "56".into(),
                oid: "1.2.250.1.213.1.4.8".into(),
                ..StoredIns::default()
            },
            ..StoredIdentity::default()
        });
        let lines = reported(&found);
        assert!(lines.contains(&pair(
            "stored INS",
            "2360663220836 56 (1.2.250.1.213.1.4.8)"
        )));
    }
}
