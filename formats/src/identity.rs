//! One identity model: the core [`Ins`], [`Traits`] and [`IdentityStatus`], and a projection to
//! and from every carrier (HL7 v2 PID, FHIR Patient, CDA patientRole, Datamatrix payload), so
//! that the same INS, traits and status mean the same thing in every format.
//!
//! Status mapping (ins-rules.md §2.3–§2.5, §6):
//! - HL7 v2 PID-32: `VALI` with an INS ⇒ `QUAL`; `VALI` without ⇒ `VALI`; `PROV` ⇒ `PROV` (a
//!   PAM flow cannot tell `RECUP` from `PROV`); `RECUP`/`QUAL` as sent;
//! - FHIR: the `identityStatus` of the identity-reliability extension;
//! - CDA: no status element; an INS id implies `QUAL` (the ANS CDA→FHIR mapping), none ⇒ unknown;
//! - Datamatrix: only a qualified identity may be encoded ⇒ `QUAL`.

use insilab_core::ins::status::IdentityStatus;
use insilab_core::ins::{BirthDate, Cog, Ins, Matricule, Oid, Sex, Traits};

use crate::cda::PatientRole;
use crate::datamatrix::payload::InsPayload;
use crate::fhir::{
    BirthPlace, CS_COMMUNE, CS_IDENTITY_STATUS, Coding, HumanName, Identifier, IdentityReliability,
    PROFILE_PATIENT_INS, Patient,
};
use crate::hl7::{Cx, Hd, Pid, Xad, Xpn};

/// An identity as every carrier projects it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The INS, when the carrier holds a valid one (matricule with its key, INS OID).
    pub ins: Option<Ins>,
    /// The strict traits.
    pub traits: Traits,
    /// The identity status, when the carrier says or implies it.
    pub status: Option<IdentityStatus>,
}

/// Why a carrier cannot be projected: what is missing or invalid, where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {reason}")]
pub struct ProjectionError {
    /// Location in the carrier (`PID-7`, `Patient.birthDate`, an XPath).
    pub at: String,
    /// What is wrong.
    pub reason: String,
}

fn perr(at: &str, reason: impl std::fmt::Display) -> ProjectionError {
    ProjectionError {
        at: at.to_owned(),
        reason: reason.to_string(),
    }
}

fn first_names(list: &str) -> Vec<String> {
    list.split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `YYYYMMDD` → core birth date.
fn compact_date(at: &str, s: &str) -> Result<BirthDate, ProjectionError> {
    let iso = match (s.get(0..4), s.get(4..6), s.get(6..8)) {
        (Some(y), Some(m), Some(d)) => format!("{y}-{m}-{d}"),
        _ => return Err(perr(at, format!("{s:?} is not YYYYMMDD"))),
    };
    BirthDate::parse(&iso).map_err(|e| perr(at, e))
}

// ------------------------------------------------------------------ HL7 v2

/// Projects a PID (reuses [`Pid::ins`] and [`Pid::traits`]).
pub fn from_pid(pid: &Pid) -> Result<Identity, ProjectionError> {
    let traits = pid.traits().map_err(|e| perr("PID", e))?;
    let ins = pid.ins();
    let status = if pid.reliability.iter().any(|c| c == "VALI") {
        Some(if ins.is_some() {
            IdentityStatus::Qual
        } else {
            IdentityStatus::Vali
        })
    } else {
        pid.reliability
            .iter()
            .find_map(|c| IdentityStatus::from_code(c))
    };
    Ok(Identity {
        ins,
        traits,
        status,
    })
}

/// The PID of an identity: INS repetition (and IPP when given as `(id, namespace, oid)`), the
/// `L` name, PID-7/8, the `BDL` birthplace and PID-32 (only `PROV`/`VALI` travel: `QUAL` and
/// `VALI` become `VALI`, `RECUP` and `PROV` become `PROV`). The INS travels only for `QUAL`.
pub fn to_pid(id: &Identity, ipp: Option<(&str, &str, &str)>) -> Pid {
    let mut pid = Pid {
        set_id: "1".into(),
        ..Pid::default()
    };
    if let Some((ipp, ns, oid)) = ipp {
        pid.identifiers.push(Cx {
            id: ipp.to_owned(),
            authority: Hd {
                namespace: ns.to_owned(),
                universal_id: oid.to_owned(),
                universal_id_type: "ISO".into(),
            },
            type_code: "PI".into(),
            effective_date: String::new(),
        });
    }
    let qualified = id.status == Some(IdentityStatus::Qual);
    if let (Some(ins), true) = (&id.ins, qualified) {
        let ns = if ins.oid == Oid::Nia {
            crate::rules::hl7::NAMESPACE_NIA
        } else {
            crate::rules::hl7::NAMESPACE_NIR
        };
        pid.identifiers.push(Cx {
            id: ins.matricule.to_string(),
            authority: Hd {
                namespace: ns.into(),
                universal_id: ins.oid.as_str().into(),
                universal_id_type: "ISO".into(),
            },
            type_code: "INS".into(),
            effective_date: String::new(),
        });
    }
    let t = &id.traits;
    pid.names.push(Xpn {
        family: t.birth_name.clone(),
        given: t.first_names.first().cloned().unwrap_or_default(),
        further_given: t.first_names_list(),
        prefix: String::new(),
        type_code: "L".into(),
    });
    pid.birth_date = crate::cda::compact_birth_date(&t.birth_date);
    pid.sex = t.sex.as_str().into();
    if let Some(cog) = &t.birthplace {
        pid.addresses.push(Xad {
            type_code: "BDL".into(),
            county: cog.as_str().into(),
            ..Xad::default()
        });
    }
    pid.identity_unknown = "N".into();
    pid.reliability = match id.status {
        Some(IdentityStatus::Qual | IdentityStatus::Vali) => vec!["VALI".into()],
        Some(_) => vec!["PROV".into()],
        None => Vec::new(),
    };
    pid
}

// ------------------------------------------------------------------ FHIR

/// Projects a FHIR Patient: the first INS identifier with a valid matricule and an INS OID
/// system, the official name (family, birth-list-given-name or the given names), gender,
/// birthDate, the INSEE code of the birth place, the identity status.
pub fn from_patient(p: &Patient) -> Result<Identity, ProjectionError> {
    let ins = p.identifiers.iter().find_map(|i| {
        if !i.claims_ins() || i.use_.as_deref() == Some("old") {
            return None;
        }
        let m = Matricule::parse(i.value.as_deref()?).ok()?;
        Some(Ins::new(m, i.ins_oid()?))
    });
    let name = p
        .official_name()
        .ok_or_else(|| perr("Patient.name", "no official name"))?;
    let family = name
        .family
        .clone()
        .filter(|f| !f.is_empty())
        .ok_or_else(|| perr("Patient.name.family", "missing"))?;
    let list = name
        .birth_list_given_name
        .clone()
        .unwrap_or_else(|| name.given.join(" "));
    let first_names = first_names(&list);
    if first_names.is_empty() {
        return Err(perr("Patient.name.given", "no first name"));
    }
    let sex = match p.gender.as_deref() {
        Some("male") => Sex::M,
        Some("female") => Sex::F,
        other => {
            return Err(perr(
                "Patient.gender",
                format!("{other:?} is not male or female"),
            ));
        }
    };
    let bd = p
        .birth_date
        .as_deref()
        .ok_or_else(|| perr("Patient.birthDate", "missing"))?;
    let birth_date = BirthDate::parse(bd).map_err(|e| perr("Patient.birthDate", e))?;
    let birthplace = match p
        .birth_place
        .as_ref()
        .and_then(|b| b.insee_code.as_ref()?.code.as_deref())
    {
        Some(c) => Some(Cog::parse(c).map_err(|e| perr("Patient.extension:birthPlace", e))?),
        None => None,
    };
    Ok(Identity {
        ins,
        traits: Traits {
            birth_name: family,
            first_names,
            sex,
            birth_date,
            birthplace,
        },
        status: p.status_code().and_then(IdentityStatus::from_code),
    })
}

/// The FR Core Patient of an identity (the INS identifier only when the status is `QUAL`).
pub fn to_patient(id: &Identity) -> Patient {
    let t = &id.traits;
    let mut p = Patient {
        profiles: vec![PROFILE_PATIENT_INS.to_owned()],
        ..Patient::default()
    };
    if let Some(s) = id.status {
        p.reliability.push(IdentityReliability {
            identity_status: Some(Coding::new(CS_IDENTITY_STATUS, s.code())),
            ..IdentityReliability::default()
        });
    }
    if let Some(cog) = &t.birthplace {
        p.birth_place = Some(BirthPlace {
            insee_code: Some(Coding::new(CS_COMMUNE, cog.as_str())),
            ..BirthPlace::default()
        });
    }
    if let (Some(ins), Some(IdentityStatus::Qual)) = (&id.ins, id.status) {
        p.identifiers.push(Identifier::ins(ins));
    }
    p.names.push(HumanName {
        use_: Some("official".into()),
        family: Some(t.birth_name.clone()),
        given: t.first_names.first().cloned().into_iter().collect(),
        prefix: Vec::new(),
        birth_list_given_name: Some(t.first_names_list()),
    });
    p.gender = Some(
        match t.sex {
            Sex::M => "male",
            Sex::F => "female",
        }
        .into(),
    );
    p.birth_date = t.birth_date.complete().ok().map(|c| {
        let d = c.date;
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    });
    p
}

// ------------------------------------------------------------------ CDA

/// Projects a CDA patient role: the first INS id with a valid matricule, the `BR` birth name,
/// the first-names list (unqualified `given`, else `given@BR`), sex, birth time, county.
pub fn from_patient_role(pr: &PatientRole) -> Result<Identity, ProjectionError> {
    let ins = pr.ins_ids().find_map(|(_, id, oid)| {
        Some(Ins::new(
            Matricule::parse(id.extension.as_deref()?).ok()?,
            oid,
        ))
    });
    let family = pr
        .birth_name()
        .filter(|f| !f.is_empty())
        .ok_or_else(|| perr("patient/name/family[@qualifier='BR']", "missing"))?
        .to_owned();
    let list = pr
        .given_list()
        .or_else(|| pr.first_birth_given().map(str::to_owned))
        .unwrap_or_default();
    let first_names = first_names(&list);
    if first_names.is_empty() {
        return Err(perr("patient/name/given", "no first name"));
    }
    let sex = Sex::parse(pr.gender_code.as_deref().unwrap_or(""))
        .map_err(|e| perr("patient/administrativeGenderCode/@code", e))?;
    let bt = pr.birth_time.as_deref().unwrap_or("");
    let birth_date = compact_date("patient/birthTime/@value", bt.get(..8).unwrap_or(bt))?;
    let birthplace = match pr.birthplace.as_ref().and_then(|b| b.county.as_deref()) {
        Some(c) => {
            Some(Cog::parse(c).map_err(|e| perr("patient/birthplace/place/addr/county", e))?)
        }
        None => None,
    };
    let status = ins.as_ref().map(|_| IdentityStatus::Qual);
    Ok(Identity {
        ins,
        traits: Traits {
            birth_name: family,
            first_names,
            sex,
            birth_date,
            birthplace,
        },
        status,
    })
}

/// The CDA patient role of a qualified identity (`None` without an INS or not `QUAL`: the CDA
/// header only carries the INS of a qualified identity).
pub fn to_patient_role(id: &Identity, ipp: Option<(&str, &str)>) -> Option<PatientRole> {
    match (&id.ins, id.status) {
        (Some(ins), Some(IdentityStatus::Qual)) => {
            Some(PatientRole::from_identity(ins, ipp, &id.traits))
        }
        _ => None,
    }
}

// ------------------------------------------------------------------ Datamatrix

/// Projects a Datamatrix payload (reuses [`InsPayload::traits`]): status `QUAL`.
pub fn from_payload(p: &InsPayload) -> Identity {
    Identity {
        ins: Some(p.ins.clone()),
        traits: p.traits(),
        status: Some(IdentityStatus::Qual),
    }
}

/// The Datamatrix payload of an identity (reuses [`InsPayload::from_identity`]): `None` unless
/// the identity is qualified with an INS and a full birth date.
pub fn to_payload(id: &Identity) -> Option<InsPayload> {
    match (&id.ins, id.status) {
        (Some(ins), Some(IdentityStatus::Qual)) => {
            InsPayload::from_identity(ins.clone(), &id.traits)
        }
        _ => None,
    }
}
