//! `INS-HL7-*`: the INS in the PID of an IHE PAM France message (ins-rules.md §2.3, §7.1,
//! checks H-HL7-01…04, H-MAT-01…03, H-TXT-01).

use insilab_core::ins::lexical::{self, NameKind};
use insilab_core::ins::{Cog, Matricule, Oid};
use insilab_core::rules::Finding;
use insilab_core::rules::RuleId;

use super::{Findings, first_name_consistent, quote};
use crate::hl7::{Message, Pid};

/// PID-32 codes of HL7 table 0445 as extended for France (ins-rules.md §2.3).
pub const TABLE_0445_FR: &[&str] = &[
    "VIDE", "PROV", "VALI", "DOUB", "DESA", "DPOT", "DOUA", "COLP", "COLV", "FILI", "CACH", "ANOM",
    "IDVER", "RECD", "IDRA", "USUR", "HOMD", "HOMA", "INVA", "FICT", "DOUT", "RECUP", "QUAL",
];

/// Namespace of CX-4 for an INS-NIR (production, test and demonstration OIDs).
pub const NAMESPACE_NIR: &str = "ASIP-SANTE-INS-NIR";
/// Namespace of CX-4 for an INS-NIA (not confirmed by the sources: ins-rules.md §7.1 **U**).
pub const NAMESPACE_NIA: &str = "ASIP-SANTE-INS-NIA";

/// Checks the PID of `msg`; a message without PID gives no finding (nothing carries an INS).
pub fn check_message(msg: &Message) -> Vec<Finding> {
    match msg.segment("PID") {
        Some(seg) => check_pid(&Pid::from_segment(seg)),
        None => Vec::new(),
    }
}

/// Checks the identity fields of one PID.
pub fn check_pid(pid: &Pid) -> Vec<Finding> {
    let mut f = Findings::default();
    let ins: Vec<_> = pid.ins_identifiers().collect();
    for (i, cx) in &ins {
        let path = format!("PID-3({})", i + 1);
        let a = &cx.authority;
        let oid = Oid::parse(&a.universal_id);
        let expected_ns = match oid {
            Ok(Oid::Nia) => NAMESPACE_NIA,
            _ => NAMESPACE_NIR,
        };
        if cx.type_code != "INS" || a.universal_id_type != "ISO" || a.namespace != expected_ns {
            f.push(
                RuleId::Hl7001,
                path.clone(),
                format!(
                    "ins repetition has cx-4 {}&{}&{} and cx-5 {}, expected {expected_ns}&<oid>&ISO and INS",
                    quote(&a.namespace),
                    quote(&a.universal_id),
                    quote(&a.universal_id_type),
                    quote(&cx.type_code)
                ),
            );
        }
        if let Err(e) = Matricule::parse(&cx.id) {
            f.push(
                RuleId::Hl7002,
                format!("{path}.1"),
                format!("matricule {}: {e}", quote(&cx.id)),
            );
        }
        match oid {
            Err(e) => f.push(
                RuleId::Hl7003,
                format!("{path}.4.2"),
                format!("authority oid {}: {e}", quote(&a.universal_id)),
            ),
            Ok(o) => {
                let nia_ns = a.namespace == NAMESPACE_NIA;
                if (o == Oid::Nia) != nia_ns && a.namespace.starts_with("ASIP-SANTE-INS-N") {
                    f.push(
                        RuleId::Hl7003,
                        format!("{path}.4"),
                        format!(
                            "oid {} does not match namespace {}",
                            o.as_str(),
                            quote(&a.namespace)
                        ),
                    );
                }
                if o.is_test_or_demo() {
                    f.push(
                        RuleId::Hl7012,
                        format!("{path}.4.2"),
                        format!("ins under the {} oid {}", o.label(), o.as_str()),
                    );
                }
            }
        }
    }
    for (r, code) in pid.reliability.iter().enumerate() {
        let path = format!("PID-32({})", r + 1);
        if !TABLE_0445_FR.contains(&code.as_str()) {
            f.push(
                RuleId::Hl7005,
                path,
                format!(
                    "identity reliability code {} is not in table 0445",
                    quote(code)
                ),
            );
        } else if code == "RECUP" || code == "QUAL" {
            f.push(
                RuleId::Hl7006,
                path,
                format!("identity reliability code {code} is not sent in IHE PAM France flows"),
            );
        }
    }
    if !ins.is_empty() && !pid.reliability.iter().any(|c| c == "VALI") {
        f.push(
            RuleId::Hl7004,
            "PID-32".to_owned(),
            format!(
                "pid-3 carries an ins while pid-32 is {}",
                quote(&pid.reliability.join("~"))
            ),
        );
    }
    check_names(pid, !ins.is_empty(), &mut f);
    if !ins.is_empty() {
        check_birth(pid, &mut f);
    }
    f.0
}

fn check_names(pid: &Pid, has_ins: bool, f: &mut Findings) {
    let Some((r, l)) = pid
        .names
        .iter()
        .enumerate()
        .find(|(_, n)| n.type_code == "L")
    else {
        if has_ins {
            f.push(
                RuleId::Hl7008,
                "PID-5".to_owned(),
                "no pid-5 repetition of type l (birth name)".to_owned(),
            );
        }
        return;
    };
    let path = format!("PID-5({})", r + 1);
    if has_ins && (l.family.is_empty() || l.given.is_empty() || l.further_given.is_empty()) {
        f.push(
            RuleId::Hl7008,
            path.clone(),
            format!(
                "l repetition lacks a birth name, first birth first name or first-names list (xpn-1 {}, xpn-2 {}, xpn-3 {})",
                quote(&l.family),
                quote(&l.given),
                quote(&l.further_given)
            ),
        );
    }
    if !l.given.is_empty()
        && !l.further_given.is_empty()
        && !first_name_consistent(&l.given, &l.further_given)
    {
        f.push(
            RuleId::Hl7007,
            format!("{path}.2"),
            format!(
                "first first name {} is not the beginning of the list {}",
                quote(&l.given),
                quote(&l.further_given)
            ),
        );
    }
    if has_ins {
        for (comp, value, kind) in [
            (1, &l.family, NameKind::BirthName),
            (2, &l.given, NameKind::FirstName),
            (3, &l.further_given, NameKind::FirstName),
        ] {
            if value.is_empty() {
                continue;
            }
            if let Some(v) = lexical::validate(value, kind).first() {
                f.push(
                    RuleId::Hl7010,
                    format!("{path}.{comp}"),
                    format!("{} in {}", v.message, quote(value)),
                );
            }
        }
    }
}

fn check_birth(pid: &Pid, f: &mut Findings) {
    if !super::is_compact_date(&pid.birth_date) {
        f.push(
            RuleId::Hl7011,
            "PID-7".to_owned(),
            format!(
                "birth date {} is not a YYYYMMDD calendar date",
                quote(&pid.birth_date)
            ),
        );
    }
    if pid.sex != "M" && pid.sex != "F" {
        f.push(
            RuleId::Hl7011,
            "PID-8".to_owned(),
            format!("sex {} is neither M nor F", quote(&pid.sex)),
        );
    }
    match pid
        .addresses
        .iter()
        .enumerate()
        .find(|(_, a)| a.type_code == "BDL")
    {
        None => f.push(
            RuleId::Hl7009,
            "PID-11".to_owned(),
            "no pid-11 repetition of type bdl (birth place)".to_owned(),
        ),
        Some((r, a)) => {
            if let Err(e) = Cog::parse(&a.county) {
                f.push(
                    RuleId::Hl7009,
                    format!("PID-11({}).9", r + 1),
                    format!("birth place code: {e}"),
                );
            }
        }
    }
}
