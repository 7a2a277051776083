//! `INS-CDA-*`: the INS in a CDA R2 header (ins-rules.md §2.5, checks H-CDA-01, H-CDA-02,
//! H-MAT-01…03, H-TXT-01). Paths are XPaths of the document
//! (`/ClinicalDocument/recordTarget/patientRole/id[1]/@extension`; the `recordTarget` index is
//! given only when there are several).

use insilab_core::ins::lexical::{self, NameKind};
use insilab_core::ins::{Cog, INS_OID_ROOT, Matricule, Oid};
use insilab_core::rules::{Finding, RuleId};

use super::{Findings, first_name_consistent, quote};
use crate::cda::{CdaHeader, PartKind, PatientRole};

/// `administrativeGenderCode` values of JDV_J143.
pub const GENDER_CODES: &[&str] = &["F", "M", "U"];

/// Checks every `recordTarget` of a header.
pub fn check_header(h: &CdaHeader) -> Vec<Finding> {
    let many = h.record_targets.len() > 1;
    h.record_targets
        .iter()
        .enumerate()
        .flat_map(|(i, pr)| {
            let base = if many {
                format!("/ClinicalDocument/recordTarget[{}]/patientRole", i + 1)
            } else {
                "/ClinicalDocument/recordTarget/patientRole".to_owned()
            };
            check_patient_role(pr, &base)
        })
        .collect()
}

fn id_path(base: &str, i: usize, n: usize) -> String {
    if n > 1 {
        format!("{base}/id[{}]", i + 1)
    } else {
        format!("{base}/id")
    }
}

/// Checks one patient role; `base` is its XPath.
pub fn check_patient_role(pr: &PatientRole, base: &str) -> Vec<Finding> {
    let mut f = Findings::default();
    let n = pr.ids.len();
    for (i, id) in pr.ids.iter().enumerate() {
        let root = id.root.as_deref().unwrap_or("");
        let under_arc = root
            .strip_prefix(INS_OID_ROOT)
            .is_some_and(|r| r.starts_with('.'));
        if under_arc && Oid::parse(root).is_err() {
            f.push(
                RuleId::Cda002,
                format!("{}/@root", id_path(base, i, n)),
                format!(
                    "id root {} is under the ins arc but not an ins oid",
                    quote(root)
                ),
            );
        }
    }
    let ins: Vec<_> = pr.ins_ids().collect();
    for (i, id, oid) in &ins {
        let path = id_path(base, *i, n);
        let ext = id.extension.clone().unwrap_or_default();
        if let Err(e) = Matricule::parse(&ext) {
            f.push(
                RuleId::Cda001,
                format!("{path}/@extension"),
                format!("matricule {}: {e}", quote(&ext)),
            );
        }
        for (name, v) in [
            ("assigningAuthorityName", &id.assigning_authority_name),
            ("displayable", &id.displayable),
            ("nullFlavor", &id.null_flavor),
        ] {
            if let Some(v) = v {
                f.push(
                    RuleId::Cda003,
                    format!("{path}/@{name}"),
                    format!("ins id carries {name}={}", quote(v)),
                );
            }
        }
        if oid.is_test_or_demo() {
            f.push(
                RuleId::Cda010,
                format!("{path}/@root"),
                format!("ins under the {} oid {}", oid.label(), oid.as_str()),
            );
        }
    }
    if ins.is_empty() {
        check_gender_birth(pr, base, &mut f);
        return f.0;
    }
    let has_ipp = pr.ids.iter().any(|id| {
        let root = id.root.as_deref().unwrap_or("");
        Oid::parse(root).is_err()
            && !root.starts_with(INS_OID_ROOT)
            && !root.is_empty()
            && id.extension.as_deref().is_some_and(|e| !e.is_empty())
    });
    if !has_ipp {
        f.push(
            RuleId::Cda004,
            format!("{base}/id"),
            format!(
                "{} id(s), none carries the local ipp (root of the facility, extension)",
                pr.ids.len()
            ),
        );
    }
    let patient = format!("{base}/patient/name");
    let family = pr.birth_name().map(str::to_owned);
    let list = pr.given_list();
    if family.as_deref().is_none_or(str::is_empty) || list.is_none() {
        f.push(
            RuleId::Cda005,
            patient.clone(),
            format!(
                "birth name family@BR {} and first-names list given {}",
                family.as_deref().map_or("absent".to_owned(), quote),
                list.as_deref().map_or("absent".to_owned(), quote)
            ),
        );
    }
    let first = pr.first_birth_given().map(str::to_owned);
    match (&first, &list) {
        (None, _) => f.push(
            RuleId::Cda006,
            format!("{patient}/given"),
            "no given@qualifier=BR (first birth first name)".to_owned(),
        ),
        (Some(g), Some(l)) if !first_name_consistent(g, l) => f.push(
            RuleId::Cda006,
            format!("{patient}/given"),
            format!(
                "given@BR {} is not the beginning of the list {}",
                quote(g),
                quote(l)
            ),
        ),
        _ => {}
    }
    let mut lexical_checked = Vec::new();
    if let Some(fam) = &family {
        lexical_checked.push(("family", fam.clone(), NameKind::BirthName));
    }
    if let Some(g) = &first {
        lexical_checked.push(("given", g.clone(), NameKind::FirstName));
    }
    for p in pr.parts(PartKind::Given, None) {
        lexical_checked.push(("given", p.text.clone(), NameKind::FirstName));
    }
    for (el, value, kind) in lexical_checked {
        if value.is_empty() {
            continue;
        }
        if let Some(v) = lexical::validate(&value, kind).first() {
            f.push(
                RuleId::Cda007,
                format!("{patient}/{el}"),
                format!("{} in {}", v.message, quote(&value)),
            );
            break;
        }
    }
    let county = pr.birthplace.as_ref().and_then(|b| b.county.clone());
    match county {
        None => f.push(
            RuleId::Cda008,
            format!("{base}/patient/birthplace"),
            "no birthplace/place/addr/county".to_owned(),
        ),
        Some(c) => {
            if let Err(e) = Cog::parse(&c) {
                f.push(
                    RuleId::Cda008,
                    format!("{base}/patient/birthplace/place/addr/county"),
                    format!("birth place code: {e}"),
                );
            }
        }
    }
    check_gender_birth(pr, base, &mut f);
    f.0
}

fn check_gender_birth(pr: &PatientRole, base: &str, f: &mut Findings) {
    let g = pr.gender_code.clone().unwrap_or_default();
    if !GENDER_CODES.contains(&g.as_str()) {
        f.push(
            RuleId::Cda009,
            format!("{base}/patient/administrativeGenderCode/@code"),
            format!("gender code {} is not F, M or U", quote(&g)),
        );
    }
    let b = pr.birth_time.clone().unwrap_or_default();
    // birthTime is a TS: YYYYMMDD, optionally followed by a time; the date part must be valid.
    let date = b.get(..8).unwrap_or("");
    if !super::is_compact_date(date)
        || !b
            .bytes()
            .all(|c| c.is_ascii_digit() || c == b'+' || c == b'-' || c == b'.')
    {
        f.push(
            RuleId::Cda009,
            format!("{base}/patient/birthTime/@value"),
            format!("birth time {} is not a YYYYMMDD calendar date", quote(&b)),
        );
    }
}
