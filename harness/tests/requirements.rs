//! The feature tags and the requirement catalogue (scenarios/requirements.yaml) agree: every
//! requirement tag names a known requirement, and every automated requirement is exercised.
#![expect(clippy::unwrap_used, reason = "test fixtures")]

use std::collections::BTreeSet;

use insilab_reports::catalogue::{Catalogue, CheckMode};

#[test]
fn every_tag_names_a_catalogued_requirement_and_every_automated_one_is_exercised() {
    let catalogue = Catalogue::embedded();
    assert!(
        !catalogue.requirements.is_empty(),
        "the embedded catalogue is empty"
    );
    let scenarios = insilab_harness::suite::load("all").unwrap();
    let mut used = BTreeSet::new();
    let mut unknown = Vec::new();
    for s in &scenarios {
        for tag in s.requirements() {
            if catalogue.get(&tag).is_none() {
                unknown.push(format!("{} ({}): @{tag}", s.id, s.feature_file));
            }
            used.insert(tag);
        }
    }
    assert!(
        unknown.is_empty(),
        "tags naming no requirement of scenarios/requirements.yaml:\n{}",
        unknown.join("\n")
    );
    let unexercised: Vec<&str> = catalogue
        .requirements
        .iter()
        .filter(|r| r.check == CheckMode::Automated && !used.contains(&r.id))
        .map(|r| r.id.as_str())
        .collect();
    assert!(
        unexercised.is_empty(),
        "automated requirements no scenario exercises: {unexercised:?}"
    );
}
