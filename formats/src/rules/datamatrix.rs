//! `INS-DM-*` and `INS-DISP-001`: the INS Datamatrix payload (ins-rules.md §6, checks H-DM-01,
//! H-DM-02, H-DISP-01 as far as the payload shows it).

use insilab_core::ins::lexical::{self, NameKind};
use insilab_core::ins::{Cog, Ins, Matricule, Oid};
use insilab_core::rules::Finding;
use insilab_core::rules::RuleId;

use super::{Findings, quote};
use crate::datamatrix::payload::{
    FieldId, HEADER, MAX_NAME_LEN, RawPayload, gs_due, parse_dm_date, parse_raw,
};

/// Checks a payload text. A text that cannot even be cut into blocks gives one `INS-DM-001`
/// (too short, header) or `INS-DM-002` (unknown block) finding.
pub fn check_payload(text: &str) -> Vec<Finding> {
    match parse_raw(text) {
        Ok(raw) => check_raw(&raw),
        Err(e) => {
            let mut f = Findings::default();
            let id = match e {
                crate::datamatrix::DmError::TooShort { .. } => RuleId::Dm001,
                _ => RuleId::Dm002,
            };
            f.push(id, None, format!("payload cannot be read: {e}"));
            f.0
        }
    }
}

/// Checks a payload already cut into blocks.
pub fn check_raw(raw: &RawPayload) -> Vec<Finding> {
    let mut f = Findings::default();
    if raw.header != HEADER {
        f.push(
            RuleId::Dm001,
            "header".to_owned(),
            format!("header {} is not {HEADER}", quote(&raw.header)),
        );
    }
    for id in FieldId::ALL {
        let count = raw.blocks.iter().filter(|b| b.field() == Some(id)).count();
        if count == 0 && id.mandatory() {
            f.push(
                RuleId::Dm002,
                id.as_str().to_owned(),
                format!("field {} is missing", id.as_str()),
            );
        } else if count > 1 {
            f.push(
                RuleId::Dm002,
                id.as_str().to_owned(),
                format!("field {} appears {count} times", id.as_str()),
            );
        }
    }
    let order: Vec<FieldId> = raw.blocks.iter().filter_map(|b| b.field()).collect();
    if order.windows(2).any(|w| w[0] > w[1]) {
        let ids: Vec<&str> = order.iter().map(|i| i.as_str()).collect();
        f.push(
            RuleId::Dm010,
            None,
            format!("fields in the order {}", ids.join(" ")),
        );
    }
    let last = raw.blocks.len().saturating_sub(1);
    for (i, b) in raw.blocks.iter().enumerate() {
        let Some(id) = b.field() else { continue };
        let due = gs_due(id, &b.value, i == last);
        if due != b.gs {
            let what = if due {
                "missing after"
            } else {
                "not due after"
            };
            f.push(
                RuleId::Dm003,
                id.as_str().to_owned(),
                format!(
                    "gs {what} {} (value of {} characters, at character {})",
                    id.as_str(),
                    b.value.chars().count(),
                    b.offset
                ),
            );
        }
        check_value(id, &b.value, &mut f);
    }
    let s1 = raw.get(FieldId::S1).is_some();
    let s2 = raw.get(FieldId::S2).is_some();
    if s1 != s2 {
        f.push(
            RuleId::Disp001,
            None,
            if s1 {
                "matricule printed without its oid"
            } else {
                "oid printed without a matricule"
            }
            .to_owned(),
        );
    }
    f.0
}

fn check_value(id: FieldId, v: &str, f: &mut Findings) {
    let path = id.as_str().to_owned();
    match id {
        FieldId::S1 => {
            if let Err(e) = Matricule::parse(v) {
                f.push(RuleId::Dm005, path, format!("matricule {}: {e}", quote(v)));
            }
        }
        FieldId::S2 => match Oid::parse(v) {
            Err(e) => f.push(RuleId::Dm006, path, format!("oid {}: {e}", quote(v))),
            Ok(o) if o.is_test_or_demo() => f.push(
                RuleId::Dm012,
                path,
                format!("ins under the {} oid {}", o.label(), o.as_str()),
            ),
            Ok(_) => {}
        },
        FieldId::S3 | FieldId::S4 => {
            let len = v.chars().count();
            if len == 0 || len > MAX_NAME_LEN {
                f.push(
                    RuleId::Dm007,
                    path,
                    format!(
                        "{} of {len} characters, expected 1 to {MAX_NAME_LEN}",
                        id.as_str()
                    ),
                );
                return;
            }
            let kind = if id == FieldId::S4 {
                NameKind::BirthName
            } else {
                NameKind::FirstName
            };
            if let Some(viol) = lexical::validate(v, kind).first() {
                f.push(
                    RuleId::Dm007,
                    path,
                    format!("{} in {}", viol.message, quote(v)),
                );
            }
        }
        FieldId::S5 => {
            if v != "M" && v != "F" {
                f.push(
                    RuleId::Dm008,
                    path,
                    format!("sex {} is neither M nor F", quote(v)),
                );
            }
        }
        FieldId::S6 => {
            if let Err(e) = parse_dm_date(v) {
                f.push(RuleId::Dm004, path, e.to_string());
            }
        }
        FieldId::S7 => {
            if let Err(e) = Cog::parse(v) {
                f.push(RuleId::Dm009, path, format!("birth place code: {e}"));
            }
        }
    }
}

/// H-DM-02: the payload's S1/S2 must be the INS the software holds for the patient.
pub fn check_against(raw: &RawPayload, held: &Ins) -> Vec<Finding> {
    let mut f = Findings::default();
    let s1 = raw.get(FieldId::S1).map_or("", |b| b.value.as_str());
    let s2 = raw.get(FieldId::S2).map_or("", |b| b.value.as_str());
    if s1 != held.matricule.to_string() || s2 != held.oid.as_str() {
        f.push(
            RuleId::Dm011,
            None,
            format!(
                "datamatrix carries {} / {}, the patient's ins is {} / {}",
                quote(s1),
                quote(s2),
                held.matricule,
                held.oid.as_str()
            ),
        );
    }
    f.0
}
