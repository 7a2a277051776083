//! What the reference identity manager reads (a delivered carrier projected to one identity, with
//! the INS it *claims*, valid or not) and what it emits (HL7 v2 ADT, FHIR Patient, CDA header, a
//! printed page with the INS Datamatrix), through the `insilab_formats` builders and readers.

use base64::Engine as _;
use insilab_core::ins::status::IdentityStatus;
use insilab_core::ins::{BirthDate, Cog, Ins, Matricule, Oid, Sex, Traits};
use insilab_formats::identity as fid;
use insilab_formats::{cda, datamatrix, fhir, hl7};

use super::{Defect, Record};
use crate::actions::{Carrier, Transport};
use crate::outcome::StoredTraits;

/// Namespace of the reference manager's local patient ids (PID-3 `PI` repetition).
pub const IPP_NAMESPACE: &str = "INSILAB-REF";
/// The reference manager's facility OID for local ids (a private arc, not an INS OID).
pub const IPP_OID: &str = "1.2.250.1.999.1.1";
/// Namespace the [`Defect::WrongPid3Authority`] puts on the INS repetition.
const WRONG_NAMESPACE: &str = "INSILAB-INS";
/// Pixels per Datamatrix module on the printed page.
const PRINT_MODULE_PX: u32 = 6;
/// Largest decoded page or message the manager reads.
pub const MAX_RECEIVED_BYTES: usize = 8 * 1024 * 1024;

/// A delivered carrier as the manager reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The strict traits, as the manager stores them.
    pub traits: StoredTraits,
    /// The INS the carrier claims, valid or not: 15-character matricule and OID.
    pub claimed: Option<(String, String)>,
    /// The status the carrier says or implies.
    pub status: Option<IdentityStatus>,
    /// HL7 only: PID-32.
    pub pid32: Option<String>,
}

fn stored_traits(t: &Traits) -> StoredTraits {
    StoredTraits {
        birth_name: t.birth_name.clone(),
        first_name: t.first_names.first().cloned(),
        first_names_list: t.first_names_list(),
        sex: t.sex.as_str().to_owned(),
        birth_date: t.birth_date.to_string(),
        birthplace: t.birthplace.as_ref().map(|c| c.as_str().to_owned()),
    }
}

/// Reads a delivered carrier (`payload`: the message text, or the PNG page in base64).
pub fn read_carrier(carrier: Carrier, payload: &str) -> Result<Received, String> {
    if payload.len() > MAX_RECEIVED_BYTES {
        return Err(format!(
            "{} bytes, more than the limit of {MAX_RECEIVED_BYTES}",
            payload.len()
        ));
    }
    match carrier {
        Carrier::Hl7v2 => {
            let bytes = payload.as_bytes();
            let bytes = bytes
                .strip_prefix(&[insilab_formats::mllp::START_BLOCK])
                .unwrap_or(bytes);
            let bytes = bytes.strip_suffix(b"\x1C\x0D").unwrap_or(bytes);
            let msg = hl7::parse(bytes).map_err(|e| e.to_string())?;
            let pid = hl7::Pid::from_message(&msg).map_err(|e| e.to_string())?;
            let id = fid::from_pid(&pid).map_err(|e| e.to_string())?;
            let claimed = pid
                .ins_identifiers()
                .next()
                .map(|(_, cx)| (cx.id.clone(), cx.authority.universal_id.clone()));
            Ok(Received {
                traits: stored_traits(&id.traits),
                claimed,
                status: id.status,
                pid32: pid.reliability.first().cloned(),
            })
        }
        Carrier::Fhir => {
            let resource = fhir::read(payload.as_bytes()).map_err(|e| e.to_string())?;
            let patient = match &resource {
                fhir::Resource::Patient(p) => p.as_ref(),
                fhir::Resource::Bundle(b) => b
                    .patients()
                    .next()
                    .map(|(_, p)| p)
                    .ok_or("the Bundle holds no Patient")?,
            };
            let id = fid::from_patient(patient).map_err(|e| e.to_string())?;
            let claimed = patient
                .identifiers
                .iter()
                .find(|i| i.claims_ins() && i.use_.as_deref() != Some("old"))
                .map(|i| {
                    let system = i.system.as_deref().unwrap_or_default();
                    (
                        i.value.clone().unwrap_or_default(),
                        system
                            .strip_prefix(fhir::URN_OID)
                            .unwrap_or(system)
                            .to_owned(),
                    )
                });
            Ok(Received {
                traits: stored_traits(&id.traits),
                claimed,
                status: id.status,
                pid32: None,
            })
        }
        Carrier::Cda => {
            let header = cda::read(payload.as_bytes()).map_err(|e| e.to_string())?;
            let role = header
                .record_targets
                .first()
                .ok_or("the document has no recordTarget")?;
            let id = fid::from_patient_role(role).map_err(|e| e.to_string())?;
            let claimed = role.ins_ids().next().map(|(_, ii, oid)| {
                (
                    ii.extension.clone().unwrap_or_default(),
                    oid.as_str().to_owned(),
                )
            });
            Ok(Received {
                traits: stored_traits(&id.traits),
                claimed,
                status: id.status,
                pid32: None,
            })
        }
        Carrier::Datamatrix => {
            let png = base64::engine::general_purpose::STANDARD
                .decode(payload.trim())
                .map_err(|e| format!("the page is not base64: {e}"))?;
            let text = datamatrix::decode_image(&png).map_err(|e| e.to_string())?;
            let p = datamatrix::payload::parse_payload(&text).map_err(|e| e.to_string())?;
            let id = fid::from_payload(&p);
            Ok(Received {
                traits: stored_traits(&id.traits),
                claimed: Some((p.ins.matricule.to_string(), p.ins.oid.as_str().to_owned())),
                status: id.status,
                pid32: None,
            })
        }
    }
}

/// What the manager emits: the text form (the message, or the PNG in base64) and the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emission {
    /// The carrier.
    pub carrier: Carrier,
    /// The bytes as sent or printed.
    pub bytes: Vec<u8>,
}

impl Emission {
    /// The text form: the message, or the PNG in base64.
    pub fn text(&self) -> String {
        match self.carrier {
            Carrier::Datamatrix => base64::engine::general_purpose::STANDARD.encode(&self.bytes),
            _ => String::from_utf8_lossy(&self.bytes).into_owned(),
        }
    }

    fn extension(&self) -> &'static str {
        match self.carrier {
            Carrier::Hl7v2 => "hl7",
            Carrier::Fhir => "json",
            Carrier::Cda => "xml",
            Carrier::Datamatrix => "png",
        }
    }
}

/// A record as the formats' identity model (the INS only when held and valid).
fn identity_of(record: &Record, force_qualified: bool) -> Result<fid::Identity, String> {
    let t = &record.traits;
    let traits = Traits {
        birth_name: t.birth_name.clone(),
        first_names: t.first_names(),
        sex: Sex::parse(&t.sex).map_err(|e| e.to_string())?,
        birth_date: BirthDate::parse(&t.birth_date).map_err(|e| e.to_string())?,
        birthplace: match &t.birthplace {
            Some(c) => Some(Cog::parse(c).map_err(|e| e.to_string())?),
            None => None,
        },
    };
    let ins = match &record.ins {
        Some(i) => Some(Ins::new(
            Matricule::from_parts(&i.matricule, &i.key).map_err(|e| e.to_string())?,
            Oid::parse(&i.oid).map_err(|e| e.to_string())?,
        )),
        None => None,
    };
    let qualified = record.state.may_transmit_ins() || force_qualified;
    Ok(fid::Identity {
        ins,
        traits,
        status: Some(if qualified {
            IdentityStatus::Qual
        } else if record.state.status == IdentityStatus::Qual {
            IdentityStatus::Prov
        } else {
            record.state.status
        }),
    })
}

/// Builds what the manager emits for `record` on `carrier` (the INS only for a qualified
/// identity: the formats' builders leave it out otherwise).
pub fn emit_payload(
    local_id: &str,
    record: &Record,
    carrier: Carrier,
    defect: Option<Defect>,
) -> Result<Emission, String> {
    let force = defect == Some(Defect::DatamatrixForUnqualified) && carrier == Carrier::Datamatrix;
    let id = identity_of(record, force)?;
    let bytes = match carrier {
        Carrier::Hl7v2 => {
            let mut pid = fid::to_pid(&id, Some((local_id, IPP_NAMESPACE, IPP_OID)));
            if defect == Some(Defect::WrongPid3Authority) {
                for cx in pid.identifiers.iter_mut().filter(|c| c.type_code == "INS") {
                    cx.authority.namespace = WRONG_NAMESPACE.to_owned();
                }
            }
            let header = hl7::Header {
                sending_application: "INSILAB-REF".into(),
                sending_facility: "REF".into(),
                receiving_application: "RECEIVER".into(),
                receiving_facility: "RECEIVER".into(),
                timestamp: "20260101120000".into(),
                event: hl7::AdtEvent::A31,
                control_id: format!("{local_id}-A31"),
                processing_id: "P".into(),
                version: "2.5".into(),
                country: "FRA".into(),
                charset: "UNICODE UTF-8".into(),
                profile: vec!["2.11".into(), "IHE_FR".into()],
            };
            hl7::write(&hl7::adt::build_adt(&header, &pid, Vec::new())).into_bytes()
        }
        Carrier::Fhir => {
            let mut patient = fid::to_patient(&id);
            patient.id = Some(local_id.to_owned());
            fhir::write_json(&fhir::Resource::Patient(Box::new(patient))).into_bytes()
        }
        Carrier::Cda => {
            let role = match fid::to_patient_role(&id, Some((IPP_OID, local_id))) {
                Some(role) => role,
                None => {
                    // No INS: the patient role with the local id only.
                    let any = Ins::new(
                        Matricule::parse(PLACEHOLDER_MATRICULE).map_err(|e| e.to_string())?,
                        Oid::Nir,
                    );
                    let mut role = cda::PatientRole::from_identity(
                        &any,
                        Some((IPP_OID, local_id)),
                        &id.traits,
                    );
                    role.ids.remove(0);
                    role
                }
            };
            cda::write(&cda::CdaHeader {
                record_targets: vec![role],
            })
            .into_bytes()
        }
        Carrier::Datamatrix => {
            let payload = fid::to_payload(&id)
                .ok_or("no Datamatrix: the identity has no INS or no full birth date")?;
            datamatrix::encode_png(&datamatrix::payload::build(&payload), PRINT_MODULE_PX)
                .map_err(|e| e.to_string())?
        }
    };
    Ok(Emission { carrier, bytes })
}

/// A valid matricule used only to build an INS-less CDA patient role (its id is removed).
const PLACEHOLDER_MATRICULE: &str = "279035121518989";

/// Sends an emission to `destination`: `Ok(None)` for inline (the caller answers it), a note
/// of where it went otherwise.
pub async fn send(
    emission: &Emission,
    destination: &Transport,
    local_id: &str,
) -> Result<Option<String>, String> {
    match destination {
        Transport::Inline => Ok(None),
        Transport::Mllp { address } => {
            let addr: std::net::SocketAddr = address
                .parse()
                .map_err(|e| format!("MLLP address {address:?}: {e}"))?;
            let delivered = insilab_simulator::channels::mllp::send(
                addr,
                &emission.bytes,
                insilab_simulator::channels::mllp::SendTimeouts::default(),
            )
            .await
            .map_err(|e| format!("MLLP send to {address}: {e}"))?;
            Ok(Some(format!(
                "sent over MLLP to {address}: ACK {:?}",
                delivered.summary
            )))
        }
        Transport::Fhir { base_url } => {
            let resource = fhir::read_json(&emission.bytes).map_err(|e| e.to_string())?;
            let posted =
                insilab_simulator::channels::fhir::post(base_url, &resource, fhir::Syntax::Json)
                    .await
                    .map_err(|e| format!("FHIR post to {base_url}: {e}"))?;
            Ok(Some(format!(
                "posted to {base_url}: HTTP {}",
                posted.status
            )))
        }
        Transport::DropFolder { path } => {
            let file =
                std::path::Path::new(path).join(format!("{local_id}.{}", emission.extension()));
            std::fs::write(&file, &emission.bytes)
                .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
            Ok(Some(format!("written to {}", file.display())))
        }
    }
}
