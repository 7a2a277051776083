//! Decides whether a `00` answer may be stored: complete (CNDA: matricule, key, OID, birth name,
//! first-name list, sex, birth date, birthplace) and with valid INS keys (CNDA 2.08 cas 2).

use insilab_core::ins::{Matricule, Oid};
use insilab_core::insi::{Individu, InsEntry};

use crate::outcome::{FoundIdentity, HistoryEntry, ReturnedTraits};

/// Rule id: a `00` answer lacks an element the CNDA requires.
pub const RULE_INCOMPLETE: &str = "CLIENT-ANS-INCOMPLETE";
/// Rule id: the active INS has a malformed matricule.
pub const RULE_MALFORMED_INS: &str = "CLIENT-ANS-MALFORMED-INS";
/// Rule id: the active INS key does not match its matricule.
pub const RULE_INVALID_KEY: &str = "CLIENT-ANS-INVALID-KEY";
/// Rule id: a historical INS key does not match its matricule (or the matricule is malformed).
pub const RULE_INVALID_HISTORY_KEY: &str = "CLIENT-ANS-INVALID-HISTORY-KEY";
/// Rule id: the active INS OID is not an INS assigning authority.
pub const RULE_UNKNOWN_OID: &str = "CLIENT-ANS-UNKNOWN-OID";
/// Rule id: the `CodeCR` is none of `00`, `01`, `02`.
pub const RULE_UNKNOWN_CR: &str = "CLIENT-ANS-UNKNOWN-CR";

/// Why a `00` answer is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// One of the `RULE_*` ids.
    pub rule: &'static str,
    /// What is wrong.
    pub reason: String,
}

fn refuse(rule: &'static str, reason: String) -> Refusal {
    Refusal { rule, reason }
}

fn required<'a>(value: &'a Option<String>, what: &str) -> Result<&'a str, Refusal> {
    match value.as_deref() {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(refuse(
            RULE_INCOMPLETE,
            format!("the 00 answer has no {what}: it must not be stored"),
        )),
    }
}

fn ins_string(entry: &InsEntry) -> String {
    format!(
        "{}{}",
        entry.id.num_identifiant,
        entry.id.cle.as_deref().unwrap_or_default()
    )
}

/// Judges the `INDIVIDU` of a `00` answer.
pub fn accept(individu: Option<&Individu>) -> Result<FoundIdentity, Refusal> {
    let Some(individu) = individu else {
        return Err(refuse(
            RULE_INCOMPLETE,
            "the 00 answer has no INDIVIDU: it must not be stored".to_owned(),
        ));
    };
    let active = &individu.ins_actif;
    if active.id.num_identifiant.trim().is_empty() {
        return Err(refuse(
            RULE_INCOMPLETE,
            "the 00 answer has no INSACTIF/IdIndividu/NumIdentifiant: it must not be stored"
                .to_owned(),
        ));
    }
    let key = required(&active.id.cle, "INSACTIF/IdIndividu/Cle")?;
    if active.oid.trim().is_empty() {
        return Err(refuse(
            RULE_INCOMPLETE,
            "the 00 answer has no INSACTIF/OID: it must not be stored".to_owned(),
        ));
    }
    let tiq = &individu.tiq;
    let birth_name = required(&tiq.nom_naissance, "TIQ/NomNaissance")?;
    let first_names = required(&tiq.liste_prenom, "TIQ/ListePrenom")?;
    let sex = required(&tiq.sexe, "TIQ/Sexe")?;
    let birth_date = required(&tiq.date_naissance, "TIQ/DateNaissance")?;
    let birthplace = required(&tiq.lieu_naissance, "TIQ/LieuNaissance")?;

    let num = &active.id.num_identifiant;
    match Matricule::from_parts_unchecked_key(num, key) {
        Err(e) => {
            return Err(refuse(
                RULE_MALFORMED_INS,
                format!("the active INS {num} {key} is malformed ({e}): it must not be stored"),
            ));
        }
        Ok(m) if !m.is_key_valid() => {
            return Err(refuse(
                RULE_INVALID_KEY,
                format!(
                    "the active INS {num} has key {key}, but its valid key is {:02}: the answer \
                     must not be stored (CNDA 2.08 cas 2)",
                    m.expected_key()
                ),
            ));
        }
        Ok(_) => {}
    }
    if Oid::parse(active.oid.trim()).is_err() {
        return Err(refuse(
            RULE_UNKNOWN_OID,
            format!(
                "the active INS OID {:?} is not an INS assigning authority",
                active.oid
            ),
        ));
    }
    for (i, h) in individu.ins_histo.iter().enumerate() {
        let hnum = &h.id.num_identifiant;
        // The schema makes `Cle` optional; a historical entry without one cannot be checked,
        // but one with a key must be right.
        let Some(hkey) = h.id.cle.as_deref() else {
            continue;
        };
        match Matricule::from_parts_unchecked_key(hnum, hkey) {
            Ok(m) if m.is_key_valid() => {}
            Ok(m) => {
                return Err(refuse(
                    RULE_INVALID_HISTORY_KEY,
                    format!(
                        "historical INS #{} {hnum} has key {hkey}, but its valid key is {:02}: \
                         the answer must not be stored (CNDA 2.08 cas 2)",
                        i + 1,
                        m.expected_key()
                    ),
                ));
            }
            Err(e) => {
                return Err(refuse(
                    RULE_INVALID_HISTORY_KEY,
                    format!(
                        "historical INS #{} {hnum} {hkey} is malformed ({e}): the answer must not \
                         be stored",
                        i + 1
                    ),
                ));
            }
        }
    }
    Ok(FoundIdentity {
        ins: ins_string(active),
        oid: active.oid.clone(),
        type_matricule: active.id.type_matricule.clone(),
        date_deb: active.date_deb.clone(),
        date_fin: active.date_fin.clone(),
        history: individu
            .ins_histo
            .iter()
            .map(|h| HistoryEntry {
                ins: ins_string(h),
                oid: (!h.oid.is_empty()).then(|| h.oid.clone()),
                type_matricule: h.id.type_matricule.clone(),
                date_deb: h.date_deb.clone(),
                date_fin: h.date_fin.clone(),
            })
            .collect(),
        traits: ReturnedTraits {
            birth_name: birth_name.to_owned(),
            first_name: tiq.prenom.clone(),
            first_names: first_names.to_owned(),
            sex: sex.to_owned(),
            birth_date: birth_date.to_owned(),
            birthplace: birthplace.to_owned(),
        },
    })
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]
mod tests {
    use super::*;
    use insilab_core::insi::{Tiq, WireMatricule};

    fn entry(num: &str, key: &str, oid: &str) -> InsEntry {
        InsEntry {
            id: WireMatricule {
                num_identifiant: num.into(),
                cle: Some(key.into()),
                type_matricule: None,
            },
            oid: oid.into(),
            date_deb: None,
            date_fin: None,
        }
    }

    fn ecetinsi() -> Individu {
        Individu {
            ins_actif: entry("1090763220834", "89", "1.2.250.1.213.1.4.8"),
            ins_histo: vec![entry("2090763220834", "39", "1.2.250.1.213.1.4.8")],
            tiq: Tiq {
                nom_naissance: Some("ECETINSI".into()),
                prenom: None,
                liste_prenom: Some("PIERRE-ALAIN MURIEL FLORIANT".into()),
                sexe: Some("M".into()),
                date_naissance: Some("2009-07-14".into()),
                lieu_naissance: Some("63220".into()),
            },
        }
    }

    #[test]
    fn complete_answer_is_kept_as_returned() {
        let found = accept(Some(&ecetinsi())).unwrap();
        assert_eq!(found.ins, "109076322083489");
        assert_eq!(found.history.len(), 1);
        assert_eq!(found.history[0].ins, "209076322083439");
        assert_eq!(found.traits.first_names, "PIERRE-ALAIN MURIEL FLORIANT");
        assert_eq!(found.traits.first_name, None);
    }

    #[test]
    fn hermann_invalid_keys_are_refused() {
        let mut i = ecetinsi();
        i.ins_actif = entry("1810363220456", "60", "1.2.250.1.213.1.4.8");
        let r = accept(Some(&i)).unwrap_err();
        assert_eq!(r.rule, RULE_INVALID_KEY);
        assert!(r.reason.contains("76"), "{}", r.reason);
    }

    #[test]
    fn invalid_history_key_is_refused() {
        let mut i = ecetinsi();
        i.ins_histo
            .push(entry("2810363220456", "10", "1.2.250.1.213.1.4.8"));
        assert_eq!(accept(Some(&i)).unwrap_err().rule, RULE_INVALID_HISTORY_KEY);
    }

    #[test]
    fn missing_pieces_are_incomplete() {
        assert_eq!(accept(None).unwrap_err().rule, RULE_INCOMPLETE);
        let mut i = ecetinsi();
        i.tiq.lieu_naissance = None;
        assert_eq!(accept(Some(&i)).unwrap_err().rule, RULE_INCOMPLETE);
        let mut i = ecetinsi();
        i.ins_actif.id.cle = None;
        assert_eq!(accept(Some(&i)).unwrap_err().rule, RULE_INCOMPLETE);
        let mut i = ecetinsi();
        i.ins_actif.oid = String::new();
        assert_eq!(accept(Some(&i)).unwrap_err().rule, RULE_INCOMPLETE);
    }

    #[test]
    fn corsica_and_nia_are_accepted() {
        let mut i = ecetinsi();
        i.ins_actif = entry("180032B020401", "23", "1.2.250.1.213.1.4.8");
        i.ins_histo = vec![entry("180032B020401", "23", "1.2.250.1.213.1.4.8")];
        assert!(accept(Some(&i)).is_ok());
        let mut i = ecetinsi();
        i.ins_actif = entry("1090763220888", "35", "1.2.250.1.213.1.4.9");
        i.ins_histo.clear();
        assert_eq!(accept(Some(&i)).unwrap().oid, "1.2.250.1.213.1.4.9");
    }

    #[test]
    fn unknown_oid_is_refused() {
        let mut i = ecetinsi();
        i.ins_actif.oid = "1.2.3".into();
        assert_eq!(accept(Some(&i)).unwrap_err().rule, RULE_UNKNOWN_OID);
    }
}
