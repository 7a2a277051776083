//! Thin adapters over `core::ins` used by the checks: lexical profile and INS key.

use insilab_core::ins::Matricule;
use insilab_core::ins::lexical::{NameKind, validate};

/// The first lexical-profile violation of a name sent in a request, as `LEX-00n: message`.
pub fn violation(field: &str, value: &str) -> Option<String> {
    let kind = if field == "NomNaissance" {
        NameKind::BirthName
    } else {
        NameKind::FirstName
    };
    validate(value, kind)
        .first()
        .map(|v| format!("{}: {}", v.rule_id, v.message))
}

/// Whether `key` is the valid key of the 13-character `matricule` (Corsica aware).
pub fn key_is_valid(matricule: &str, key: &str) -> bool {
    Matricule::from_parts_unchecked_key(matricule, key).is_ok_and(|m| m.is_key_valid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_the_cnda_data() {
        assert!(key_is_valid("180032B020401", "23"));
        assert!(key_is_valid("1090763220834", "89"));
        assert!(!key_is_valid("1810363220456", "60"));
        assert!(key_is_valid("1810363220456", "76"));
        assert!(!key_is_valid("12", "00"));
    }

    #[test]
    fn profile_violations_are_named() {
        assert!(violation("NomNaissance", "D'ARTAGNAN DE L'HERAULT").is_none());
        assert!(violation("Prenom", "pierre").is_some_and(|m| m.starts_with("LEX-002")));
        assert!(violation("NomNaissance", "D’ÆION").is_some());
    }
}
