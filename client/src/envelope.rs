//! Builds the typed request of one attempt exactly as `insi-protocol.md` §3 says: every header
//! with its version, a fresh `uuid:` MessageID, UTC `Temps` with milliseconds, `ContexteLPS`
//! from the configuration, the `COUVERTURE` each operation needs.

use insilab_core::insi::names;
use insilab_core::insi::{
    CardSearch, ContexteBam, ContexteLps, Couverture, Headers, InsEntry, Operation, Request,
    RequestBody, TraitsSearch, Verification, VerifiedTraits, WireMatricule,
};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::config::ClientConfig;
use crate::query::{CardQuery, VerifyQuery};

/// The per-attempt values that change between calls (a new MessageID, context ids and time
/// for every attempt).
#[derive(Debug, Clone)]
pub struct Stamp {
    /// `uuid:` + a fresh UUID.
    pub message_id: String,
    /// `Temps`: UTC, milliseconds, `Z`.
    pub temps: String,
    /// `ContexteBAM/Id`.
    pub bam_id: String,
    /// `ContexteLPS/Id`.
    pub lps_id: String,
}

impl Stamp {
    /// A new stamp for an attempt made now.
    pub fn now() -> Stamp {
        Stamp {
            message_id: format!("uuid:{}", uuid::Uuid::new_v4()),
            temps: format_temps(OffsetDateTime::now_utc()),
            bam_id: uuid::Uuid::new_v4().to_string(),
            lps_id: uuid::Uuid::new_v4().to_string(),
        }
    }
}

/// Formats `Temps`: `YYYY-MM-DDThh:mm:ss.mmmZ` in UTC.
pub fn format_temps(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let fmt =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    // Formatting a UTC date with a fixed, valid description only fails for years beyond 9999,
    // which `now_utc` cannot produce; fall back to RFC 3339 rather than panic.
    at.format(&fmt).unwrap_or_else(|_| {
        at.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    })
}

/// `ContexteLPS/LPS/Nom`: `urn:lps:<name>:<version>`, unless the name is already a URN.
fn lps_nom(config: &ClientConfig) -> String {
    if config.software_name.starts_with("urn:") {
        config.software_name.clone()
    } else {
        format!(
            "urn:lps:{}:{}",
            config.software_name, config.software_version
        )
    }
}

fn headers(
    config: &ClientConfig,
    operation: Operation,
    stamp: &Stamp,
    couverture: Couverture,
) -> Headers {
    Headers {
        action: Some(operation.action().to_owned()),
        message_id: Some(stamp.message_id.clone()),
        bam: Some(ContexteBam {
            version: Some(names::CTXBAM_VERSION.to_owned()),
            nature: Some(names::CTXBAM_NATURE.to_owned()),
            id: Some(stamp.bam_id.clone()),
            temps: Some(stamp.temps.clone()),
            emetteur: config.emetteur.clone(),
            date_ref: None,
            couverture: Some(couverture),
        }),
        lps: Some(ContexteLps {
            version: Some(names::CTXLPS_VERSION.to_owned()),
            nature: Some(names::CTXLPS_NATURE.to_owned()),
            id: Some(stamp.lps_id.clone()),
            temps: Some(stamp.temps.clone()),
            emetteur: config.emetteur.clone(),
            idam: Some(config.idam.clone()),
            idam_r: Some(names::IDAM_R.to_owned()),
            lps_version: Some(config.software_version.clone()),
            instance: Some(config.instance.to_string()),
            nom: Some(lps_nom(config)),
        }),
        // Mutual-TLS mode: no WS-Security header at all.
        security: None,
    }
}

/// A traits search sending `prenoms` (one element per `Prenom`) and the optional birthplace.
pub fn traits_search(
    config: &ClientConfig,
    stamp: &Stamp,
    birth_name: &str,
    prenoms: Vec<String>,
    sex: &str,
    birth_date: &str,
    birthplace: Option<&str>,
) -> Request {
    Request {
        // The traits search carries an empty COUVERTURE (required by the schema).
        headers: headers(
            config,
            Operation::TraitsSearch,
            stamp,
            Couverture::default(),
        ),
        body: RequestBody::TraitsSearch(TraitsSearch {
            nom_naissance: Some(birth_name.to_owned()),
            prenoms,
            sexe: Some(sex.to_owned()),
            date_naissance: Some(crate::validate::wire_birth_date(birth_date)),
            lieu_naissance: birthplace.map(str::to_owned),
        }),
        body_id: None,
    }
}

/// Splits a 13- or 15-character matricule into `NumIdentifiant` and `Cle`.
pub fn split_matricule(value: &str) -> (String, Option<String>) {
    let value = value.trim();
    match (value.get(..13), value.get(13..)) {
        (Some(body), Some(key)) if !key.is_empty() => (body.to_owned(), Some(key.to_owned())),
        _ => (value.to_owned(), None),
    }
}

/// Splits a matricule like [`split_matricule`] and, when only the 13-character body was given
/// (as read on some cards), completes the key: the service wants `Cle` with every matricule.
pub fn split_matricule_with_key(value: &str) -> (String, Option<String>) {
    let (body, key) = split_matricule(value);
    let key = key.or_else(|| {
        insilab_core::ins::compute_key(&body)
            .ok()
            .map(|k| format!("{k:02}"))
    });
    (body, key)
}

/// A Vitale card search with its `COUVERTURE` block.
pub fn card_search(config: &ClientConfig, stamp: &Stamp, query: &CardQuery) -> Request {
    let (od_num, od_key) = split_matricule_with_key(&query.insured_nir);
    let beneficiary = query
        .beneficiary_nir
        .as_deref()
        .map(split_matricule_with_key);
    let couverture = Couverture {
        assure_id_num: Some(od_num.clone()),
        beneficiaire_nir_num: beneficiary.as_ref().map(|(num, _)| num.clone()),
        beneficiaire_date_nai: Some(crate::validate::wire_birth_date(&query.birth_date)),
        beneficiaire_rang: Some(query.birth_rank.clone()),
    };
    Request {
        headers: headers(config, Operation::CardSearch, stamp, couverture),
        body: RequestBody::CardSearch(CardSearch {
            matricule_individu: beneficiary.map(|(num, key)| WireMatricule {
                num_identifiant: num,
                cle: key,
                type_matricule: None,
            }),
            matricule_od: Some(WireMatricule {
                num_identifiant: od_num,
                cle: od_key,
                type_matricule: None,
            }),
            nom_naissance: Some(query.birth_name.clone()),
            date_naissance: Some(crate::validate::wire_birth_date(&query.birth_date)),
            rang_naissance: Some(query.birth_rank.clone()),
        }),
        body_id: None,
    }
}

/// A verification (reconstructed contract).
pub fn verification(config: &ClientConfig, stamp: &Stamp, query: &VerifyQuery) -> Request {
    let (num, key) = split_matricule(&query.ins);
    Request {
        headers: headers(
            config,
            Operation::Verification,
            stamp,
            Couverture::default(),
        ),
        body: RequestBody::Verification(Verification {
            ins_fourni: InsEntry {
                id: WireMatricule {
                    num_identifiant: num,
                    cle: key,
                    type_matricule: None,
                },
                oid: query.oid.clone(),
                date_deb: None,
                date_fin: None,
            },
            traits: VerifiedTraits {
                nom_naissance: Some(query.birth_name.clone()),
                prenom: query.first_names.first().cloned(),
                liste_prenom: Some(query.first_names.join(" ")),
                sexe: Some(query.sex.clone()),
                date_naissance: Some(crate::validate::wire_birth_date(&query.birth_date)),
                lieu_naissance: query.birthplace.clone(),
            },
        }),
        body_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temps_is_utc_with_milliseconds_and_z() {
        let at = time::macros::datetime!(2026-11-27 16:05:09.123456 +01:00);
        assert_eq!(format_temps(at), "2026-11-27T15:05:09.123Z");
    }

    #[test]
    fn message_ids_are_uuid_urns_and_fresh() {
        let a = Stamp::now();
        let b = Stamp::now();
        assert!(a.message_id.starts_with("uuid:"));
        assert!(uuid::Uuid::parse_str(&a.message_id["uuid:".len()..]).is_ok());
        assert_ne!(a.message_id, b.message_id);
    }

    #[test]
    fn split_matricule_handles_13_and_15() {
        assert_eq!(
            split_matricule("109076322083489"),
            ("1090763220834".to_owned(), Some("89".to_owned()))
        );
        assert_eq!(
            split_matricule("1090763220834"),
            ("1090763220834".to_owned(), None)
        );
        assert_eq!(
            split_matricule_with_key("1090763220834"),
            ("1090763220834".to_owned(), Some("89".to_owned()))
        );
    }

    #[test]
    fn lps_nom_is_an_lps_urn() {
        let config = ClientConfig {
            software_name: "monlogiciel".into(),
            software_version: "2.1".into(),
            ..ClientConfig::default()
        };
        assert_eq!(lps_nom(&config), "urn:lps:monlogiciel:2.1");
    }
}
