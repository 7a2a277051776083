//! `INS-FHIR-*`: a FHIR Patient as FR Core's `fr-core-patient-ins` constrains it (ins-rules.md
//! §2.4, §3, checks H-FHIR-01, H-FHIR-02, H-MAT-01…03, H-STA-02/03, H-TXT-01). Paths are
//! FHIRPath-like (`Patient.identifier[1].system`), the form `OperationOutcome.issue.expression`
//! uses, whatever the syntax read.

use insilab_core::ins::lexical::{self, NameKind};
use insilab_core::ins::{Cog, Matricule, Oid};
use insilab_core::rules::{Finding, RuleId};

use super::{Findings, first_name_consistent, quote};
use crate::fhir::{
    Bundle, CS_IDENTITY_STATUS, CS_V2_0203, Identifier, Patient, Resource, slice_type,
};

/// FR Core identity statuses.
pub const IDENTITY_STATUSES: &[&str] = &["PROV", "RECUP", "VALI", "QUAL"];
/// Genders of `fr-core-vs-patient-gender-INS`.
pub const INS_GENDERS: &[&str] = &["male", "female", "unknown"];

/// Checks a resource read: a Patient, or every Patient of a Bundle.
pub fn check_resource(r: &Resource) -> Vec<Finding> {
    match r {
        Resource::Patient(p) => check_patient(p, "Patient"),
        Resource::Bundle(b) => check_bundle(b),
    }
}

/// Checks every Patient of a Bundle (paths `Bundle.entry[i].resource…`).
pub fn check_bundle(b: &Bundle) -> Vec<Finding> {
    b.patients()
        .flat_map(|(i, p)| check_patient(p, &format!("Bundle.entry[{i}].resource")))
        .collect()
}

fn ins_identifiers(p: &Patient) -> impl Iterator<Item = (usize, &Identifier)> {
    p.identifiers
        .iter()
        .enumerate()
        .filter(|(_, i)| i.claims_ins())
}

/// Checks one Patient; `base` prefixes the paths.
pub fn check_patient(p: &Patient, base: &str) -> Vec<Finding> {
    let mut f = Findings::default();
    let ins: Vec<(usize, &Identifier)> = ins_identifiers(p).collect();
    for (i, id) in &ins {
        check_identifier(*i, id, base, &mut f);
    }
    let active: Vec<&(usize, &Identifier)> = ins
        .iter()
        .filter(|(_, id)| id.use_.as_deref() != Some("old"))
        .collect();
    let official = ins
        .iter()
        .filter(|(_, id)| id.use_.as_deref() == Some("official"))
        .count();
    if official > 1 {
        f.push(
            RuleId::Fhir008,
            format!("{base}.identifier"),
            format!("{official} ins identifiers with use official"),
        );
    }
    check_status(p, base, !active.is_empty(), &mut f);
    if !active.is_empty() {
        check_traits(p, base, &mut f);
    }
    f.0
}

fn check_identifier(i: usize, id: &Identifier, base: &str, f: &mut Findings) {
    let path = format!("{base}.identifier[{i}]");
    let system = id.system.clone().unwrap_or_default();
    let oid = id.ins_oid();
    let type_codes: Vec<(&str, &str)> = id
        .type_
        .iter()
        .map(|c| {
            (
                c.system.as_deref().unwrap_or(""),
                c.code.as_deref().unwrap_or(""),
            )
        })
        .collect();
    let typed: Option<&str> = type_codes
        .iter()
        .find(|(_, c)| c.starts_with("INS-"))
        .map(|(_, c)| *c);
    match oid {
        None => f.push(
            RuleId::Fhir003,
            format!("{path}.system"),
            format!(
                "system {} is not urn:oid: followed by an ins oid",
                quote(&system)
            ),
        ),
        Some(o) => {
            let expected = slice_type(o);
            let ok = type_codes
                .iter()
                .any(|(s, c)| *s == CS_V2_0203 && *c == expected);
            if !ok {
                let found: Vec<String> =
                    type_codes.iter().map(|(s, c)| format!("{s}#{c}")).collect();
                f.push(
                    RuleId::Fhir001,
                    format!("{path}.type"),
                    format!(
                        "system {system} needs type {CS_V2_0203}#{expected}, found {}",
                        quote(&found.join(", "))
                    ),
                );
            }
            if o.is_test_or_demo() {
                f.push(
                    RuleId::Fhir014,
                    format!("{path}.system"),
                    format!("ins under the {} oid {}", o.label(), o.as_str()),
                );
            }
            let use_ = id.use_.as_deref().unwrap_or("");
            let use_ok = match o {
                Oid::Nia => use_ == "temp" || use_ == "old",
                _ => use_ == "official" || use_ == "old",
            };
            if !use_ok {
                let expected = if o == Oid::Nia {
                    "temp"
                } else {
                    "official (or old)"
                };
                f.push(
                    RuleId::Fhir004,
                    format!("{path}.use"),
                    format!("use {} for {}, expected {expected}", quote(use_), o.label()),
                );
            }
        }
    }
    if oid.is_none() && typed.is_none() {
        // Claimed by its system alone (INS arc, unknown OID): the type is missing too.
        f.push(
            RuleId::Fhir001,
            format!("{path}.type"),
            "identifier under the ins arc has no INS-* type".to_owned(),
        );
    }
    let value = id.value.clone().unwrap_or_default();
    if let Err(e) = Matricule::parse(&value) {
        f.push(
            RuleId::Fhir002,
            format!("{path}.value"),
            format!("matricule {}: {e}", quote(&value)),
        );
    }
}

fn check_status(p: &Patient, base: &str, has_ins: bool, f: &mut Findings) {
    let status = p
        .reliability
        .iter()
        .enumerate()
        .find_map(|(i, r)| r.identity_status.as_ref().map(|c| (i, c)));
    let code = match status {
        None => {
            f.push(
                RuleId::Fhir005,
                format!("{base}.extension"),
                if p.reliability.is_empty() {
                    "no fr-core-identity-reliability extension".to_owned()
                } else {
                    "identity-reliability extension without identityStatus".to_owned()
                },
            );
            None
        }
        Some((i, c)) => {
            let code = c.code.as_deref().unwrap_or("");
            let system = c.system.as_deref().unwrap_or("");
            if system != CS_IDENTITY_STATUS || !IDENTITY_STATUSES.contains(&code) {
                f.push(
                    RuleId::Fhir005,
                    format!("{base}.extension[{i}].identityStatus"),
                    format!(
                        "identity status {}#{} is not one of {CS_IDENTITY_STATUS}#PROV|RECUP|VALI|QUAL",
                        quote(system),
                        quote(code)
                    ),
                );
                None
            } else {
                Some(code)
            }
        }
    };
    if has_ins && code.is_some_and(|c| c != "QUAL") {
        f.push(
            RuleId::Fhir006,
            format!("{base}.identifier"),
            format!(
                "ins identifier while the identity status is {}",
                code.unwrap_or_default()
            ),
        );
    }
    let comments: Vec<&str> = p
        .reliability
        .iter()
        .flat_map(|r| r.comments.iter())
        .filter_map(|c| c.code.as_deref())
        .collect();
    let dout = comments.contains(&"DOUT");
    let fict = comments.contains(&"FICT");
    if dout && fict {
        f.push(
            RuleId::Fhir007,
            format!("{base}.extension"),
            "comments FICT and DOUT together (fr-core-identity-reliability-2)".to_owned(),
        );
    }
    if (dout || fict) && code.is_some_and(|c| c != "PROV") {
        f.push(
            RuleId::Fhir007,
            format!("{base}.extension"),
            format!(
                "comment {} with status {} (fr-core-identity-reliability-1: PROV)",
                if fict { "FICT" } else { "DOUT" },
                code.unwrap_or_default()
            ),
        );
    }
}

fn check_traits(p: &Patient, base: &str, f: &mut Findings) {
    match p
        .names
        .iter()
        .enumerate()
        .find(|(_, n)| n.use_.as_deref() == Some("official"))
    {
        None => f.push(
            RuleId::Fhir009,
            format!("{base}.name"),
            "no name with use official (birth name)".to_owned(),
        ),
        Some((i, n)) => {
            let path = format!("{base}.name[{i}]");
            let family = n.family.clone().unwrap_or_default();
            if family.is_empty() || n.given.len() != 1 {
                f.push(
                    RuleId::Fhir009,
                    path.clone(),
                    format!(
                        "official name has family {} and {} given names, expected a family name and exactly one given",
                        quote(&family),
                        n.given.len()
                    ),
                );
            }
            let given = n.given.first().cloned().unwrap_or_default();
            match &n.birth_list_given_name {
                None => f.push(
                    RuleId::Fhir010,
                    format!("{path}.extension"),
                    "official name lacks the birth-list-given-name extension".to_owned(),
                ),
                Some(list) if !given.is_empty() && !first_name_consistent(&given, list) => f.push(
                    RuleId::Fhir010,
                    format!("{path}.given[0]"),
                    format!(
                        "given {} is not the beginning of the birth list {}",
                        quote(&given),
                        quote(list)
                    ),
                ),
                Some(_) => {}
            }
            let list = n.birth_list_given_name.clone().unwrap_or_default();
            for (where_, value, kind) in [
                ("family".to_owned(), &family, NameKind::BirthName),
                ("given[0]".to_owned(), &given, NameKind::FirstName),
                ("extension".to_owned(), &list, NameKind::FirstName),
            ] {
                if value.is_empty() {
                    continue;
                }
                if let Some(v) = lexical::validate(value, kind).first() {
                    f.push(
                        RuleId::Fhir011,
                        format!("{path}.{where_}"),
                        format!("{} in {}", v.message, quote(value)),
                    );
                }
            }
        }
    }
    let gender = p.gender.clone().unwrap_or_default();
    if !INS_GENDERS.contains(&gender.as_str()) {
        f.push(
            RuleId::Fhir012,
            format!("{base}.gender"),
            format!("gender {} is not male, female or unknown", quote(&gender)),
        );
    }
    let bd = p.birth_date.clone().unwrap_or_default();
    if !is_fhir_date(&bd) {
        f.push(
            RuleId::Fhir012,
            format!("{base}.birthDate"),
            format!(
                "birth date {} is not a YYYY-MM-DD calendar date",
                quote(&bd)
            ),
        );
    }
    let code = p
        .birth_place
        .as_ref()
        .and_then(|b| b.insee_code.as_ref())
        .and_then(|c| c.code.clone());
    match code {
        None => f.push(
            RuleId::Fhir013,
            format!("{base}.extension"),
            "no birthPlace extension with an insee code".to_owned(),
        ),
        Some(c) => {
            if let Err(e) = Cog::parse(&c) {
                f.push(
                    RuleId::Fhir013,
                    format!("{base}.extension.valueAddress"),
                    format!("birth place code: {e}"),
                );
            }
        }
    }
}

/// `YYYY-MM-DD`, a calendar date.
pub fn is_fhir_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let compact: String = s.chars().filter(|c| *c != '-').collect();
    super::is_compact_date(&compact)
}
