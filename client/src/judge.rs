//! Decides whether a `00` answer may be stored: complete (CNDA: matricule, key, OID, birth name,
//! first-name list, sex, birth date, birthplace) and with valid INS keys (CNDA 2.08 cas 2).
//!
//! The judge is `insilab_core::rules::check_found`: the first finding of severity fault or CNDA
//! refuses the answer under its catalogue id (`INSI-RSP-007` for a wrong key, the id
//! `insilab lint` gives the same answer); advice never refuses.

use insilab_core::insi::{Individu, InsEntry};
use insilab_core::rules::{RuleId, Severity, check_found};

use crate::outcome::{FoundIdentity, HistoryEntry, ReturnedTraits};

/// The rule that refuses an answer whose `CodeCR` is none of `00`, `01`, `02`.
pub const RULE_UNKNOWN_CR: RuleId = RuleId::Rsp001;

/// Why a `00` answer is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The catalogue rule.
    pub rule: RuleId,
    /// What is wrong.
    pub reason: String,
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
    if let Some(f) = check_found(individu)
        .into_iter()
        .find(|f| f.severity != Severity::Advice)
    {
        // The rule id travels with the refusal; its requirement links (CNDA 2.08 cas 2 for a
        // wrong key) are the catalogue's, not a text the client adds.
        return Err(Refusal {
            rule: f.rule_id,
            reason: format!("{}: the answer must not be stored", f.message),
        });
    }
    let Some(individu) = individu else {
        // check_found reports INSI-RSP-003 (CNDA) when there is no INDIVIDU.
        return Err(Refusal {
            rule: RuleId::Rsp003,
            reason: "CodeCR 00 without INDIVIDU: the answer must not be stored".to_owned(),
        });
    };
    let active = &individu.ins_actif;
    let tiq = &individu.tiq;
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
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
            birth_name: value(&tiq.nom_naissance),
            first_name: tiq.prenom.clone(),
            first_names: value(&tiq.liste_prenom),
            sex: value(&tiq.sexe),
            birth_date: value(&tiq.date_naissance),
            birthplace: value(&tiq.lieu_naissance),
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
        assert_eq!(r.rule, RuleId::Rsp007);
        assert!(r.reason.contains("expected 76"), "{}", r.reason);
    }

    #[test]
    fn invalid_history_key_is_refused() {
        let mut i = ecetinsi();
        i.ins_histo
            .push(entry("2810363220456", "10", "1.2.250.1.213.1.4.8"));
        assert_eq!(accept(Some(&i)).unwrap_err().rule, RuleId::Rsp007);
    }

    #[test]
    fn missing_pieces_are_incomplete() {
        assert_eq!(accept(None).unwrap_err().rule, RuleId::Rsp003);
        let mut i = ecetinsi();
        i.tiq.lieu_naissance = None;
        assert_eq!(accept(Some(&i)).unwrap_err().rule, RuleId::Rsp005);
        let mut i = ecetinsi();
        i.ins_actif.id.cle = None;
        assert_eq!(accept(Some(&i)).unwrap_err().rule, RuleId::Rsp005);
        let mut i = ecetinsi();
        i.ins_actif.oid = String::new();
        assert_eq!(accept(Some(&i)).unwrap_err().rule, RuleId::Rsp005);
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
        assert_eq!(accept(Some(&i)).unwrap_err().rule, RuleId::Rsp008);
    }
}
