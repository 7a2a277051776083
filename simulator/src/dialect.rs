//! What an answer dialect changes in the data of a person, before the writer writes it.
//!
//! One job: the 2022 dialect (insi-protocol.md §5, as captured) carries `TypeMatricule` in
//! `INSACTIF` and `INSHISTO` and codes Corsica birthplaces the pre-2022 way (`20020` rather
//! than `2A020`/`2B020`). The writer writes what the model holds; this module decides what the
//! model holds for a dialect. `TIQ/Prenom` is decided where the `INDIVIDU` is built.

use insilab_core::insi::model::{Individu, InsEntry};
use insilab_core::insi::writer::Dialect;

use crate::dataset::{OID_NIA, OID_NIR};

/// `TypeMatricule` of a NIR (the value captured in 2022 answers).
pub const TYPE_MATRICULE_NIR: &str = "NIR";
/// `TypeMatricule` of a NIA.
pub const TYPE_MATRICULE_NIA: &str = "NIA";

/// Adapts `individu` to `dialect` (no change for the live and CNDA-files dialects).
pub fn shape(individu: &mut Individu, dialect: Dialect) {
    if dialect != Dialect::Y2022 {
        return;
    }
    for entry in std::iter::once(&mut individu.ins_actif).chain(individu.ins_histo.iter_mut()) {
        fill_type_matricule(entry);
    }
    if let Some(place) = individu.tiq.lieu_naissance.as_mut()
        && let Some(old) = pre_2022_corsica_cog(place)
    {
        *place = old;
    }
}

fn fill_type_matricule(entry: &mut InsEntry) {
    if entry.id.type_matricule.is_some() {
        return;
    }
    entry.id.type_matricule = match entry.oid.as_str() {
        OID_NIR => Some(TYPE_MATRICULE_NIR.to_owned()),
        OID_NIA => Some(TYPE_MATRICULE_NIA.to_owned()),
        _ => None,
    };
}

/// `20xxx` for a Corsica COG `2Axxx` / `2Bxxx` (either case), `None` otherwise.
pub fn pre_2022_corsica_cog(cog: &str) -> Option<String> {
    let b = cog.as_bytes();
    (b.len() == 5
        && b[0] == b'2'
        && matches!(b[1], b'A' | b'B' | b'a' | b'b')
        && b[2..].iter().all(u8::is_ascii_digit))
    .then(|| format!("20{}", &cog[2..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use insilab_core::insi::model::{Tiq, WireMatricule};

    fn individu(place: &str) -> Individu {
        let entry = |n: &str, oid: &str| InsEntry {
            id: WireMatricule {
                num_identifiant: n.into(),
                cle: Some("23".into()),
                type_matricule: None,
            },
            oid: oid.into(),
            date_deb: None,
            date_fin: None,
        };
        Individu {
            ins_actif: entry("180032B020401", OID_NIR),
            ins_histo: vec![entry("180032B020401", OID_NIR)],
            tiq: Tiq {
                lieu_naissance: Some(place.into()),
                ..Tiq::default()
            },
        }
    }

    #[test]
    fn the_2022_dialect_codes_corsica_20_and_types_the_matricules() {
        let mut i = individu("2B020");
        shape(&mut i, Dialect::Y2022);
        assert_eq!(i.tiq.lieu_naissance.as_deref(), Some("20020"));
        assert_eq!(i.ins_histo[0].id.type_matricule.as_deref(), Some("NIR"));
        assert_eq!(i.ins_actif.id.type_matricule.as_deref(), Some("NIR"));
        let mut i = individu("63220");
        shape(&mut i, Dialect::Y2022);
        assert_eq!(i.tiq.lieu_naissance.as_deref(), Some("63220"));
    }

    #[test]
    fn other_dialects_are_left_alone() {
        for d in [Dialect::Live, Dialect::CndaFiles] {
            let mut i = individu("2A004");
            shape(&mut i, d);
            assert_eq!(i, individu("2A004"));
        }
        assert_eq!(pre_2022_corsica_cog("2A004").as_deref(), Some("20004"));
        assert_eq!(pre_2022_corsica_cog("99134"), None);
        assert_eq!(pre_2022_corsica_cog("2C004"), None);
    }
}
