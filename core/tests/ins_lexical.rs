//! The INSi lexical profile: `validate` reports every violation with its position and rule id;
//! `normalise` reports each change and refuses what it cannot transliterate.
#![expect(clippy::unwrap_used, reason = "test fixtures")]

use insilab_core::ins::lexical::{
    self, NameKind, NormaliseError, normalise, rules, validate, validate_first_names,
};
use proptest::prelude::*;

/// (rule id, position) pairs, the part of a violation a user acts on.
fn ids(value: &str, kind: NameKind) -> Vec<(&'static str, usize)> {
    validate(value, kind)
        .into_iter()
        .map(|v| (v.rule_id.as_str(), v.position))
        .collect()
}

#[test]
fn cnda_valid_names_have_no_violation() {
    for name in [
        "D'ARTAGNAN DE L'HERAULT",
        "ADRTROIS",
        "DE VINCI",
        "PATB-QUATRE",
        "NOM--COMPOSE",
    ] {
        assert_eq!(ids(name, NameKind::BirthName), [], "{name}");
    }
    for name in [
        "PIERRE-ALAIN",
        "OLA CATARINA BELLA",
        "PIERRE PAUL JACQUES",
        "D'ARTAGNAN",
    ] {
        assert_eq!(ids(name, NameKind::FirstName), [], "{name}");
    }
}

#[test]
fn cnda_2_03_cas_3_reports_apostrophe_and_ligatures() {
    let v = validate("D’ÆION", NameKind::BirthName);
    assert_eq!(
        v.iter()
            .map(|v| (v.rule_id.as_str(), v.position, v.found))
            .collect::<Vec<_>>(),
        [("LEX-004", 2, Some('’')), ("LEX-003", 3, Some('Æ'))]
    );
    assert_eq!(ids("CŒUR", NameKind::FirstName), [("LEX-003", 2)]);
}

#[test]
fn lower_case_reports_each_letter() {
    assert_eq!(
        ids("Dupont", NameKind::BirthName),
        [
            ("LEX-002", 2),
            ("LEX-002", 3),
            ("LEX-002", 4),
            ("LEX-002", 5),
            ("LEX-002", 6)
        ]
    );
    assert_eq!(ids("élodie", NameKind::FirstName)[0], ("LEX-003", 1));
}

#[test]
fn spacing_rules() {
    assert_eq!(ids("JEAN  PIERRE", NameKind::FirstName), [("LEX-006", 6)]);
    assert_eq!(ids("D 'ARTAGNAN", NameKind::BirthName), [("LEX-008", 2)]);
    assert_eq!(ids("D' ARTAGNAN", NameKind::BirthName), [("LEX-008", 3)]);
    assert_eq!(ids("D''ARTAGNAN", NameKind::BirthName), [("LEX-007", 3)]);
    assert_eq!(ids(" MARTIN", NameKind::BirthName), [("LEX-005", 1)]);
    assert_eq!(ids("-MARTIN", NameKind::BirthName), [("LEX-005", 1)]);
    assert_eq!(ids("'MARTIN", NameKind::BirthName), []);
    assert_eq!(ids("MARTIN ", NameKind::BirthName), [("LEX-012", 7)]);
    assert_eq!(ids("", NameKind::BirthName), [("LEX-001", 0)]);
}

#[test]
fn hyphen_rules_differ_between_birth_and_first_names() {
    assert_eq!(ids("PIERRE-", NameKind::FirstName), [("LEX-009", 7)]);
    assert_eq!(ids("PIERRE'", NameKind::FirstName), [("LEX-009", 7)]);
    assert_eq!(ids("PIERRE-", NameKind::BirthName), []);
    assert_eq!(ids("JEAN--PIERRE", NameKind::FirstName), [("LEX-010", 6)]);
    assert_eq!(ids("JEAN--PIERRE", NameKind::BirthName), []);
    assert_eq!(ids("JEAN---PIERRE", NameKind::BirthName), [("LEX-011", 7)]);
}

#[test]
fn every_violation_is_reported_not_just_the_first() {
    assert_eq!(
        ids("ja  n2-", NameKind::FirstName),
        [
            ("LEX-002", 1),
            ("LEX-002", 2),
            ("LEX-006", 4),
            ("LEX-002", 5),
            ("LEX-004", 6),
            ("LEX-009", 7),
        ]
    );
    insta::assert_yaml_snapshot!(validate("d’Æion  -", NameKind::FirstName));
}

#[test]
fn first_name_lists_carry_the_name_index() {
    let names = vec!["OLA".to_owned(), "CATARINA-".to_owned(), "bella".to_owned()];
    let v: Vec<_> = validate_first_names(&names)
        .into_iter()
        .map(|(i, v)| (i, v.rule_id.as_str(), v.position))
        .collect();
    assert_eq!(
        v,
        [
            (1, "LEX-009", 9),
            (2, "LEX-002", 1),
            (2, "LEX-002", 2),
            (2, "LEX-002", 3),
            (2, "LEX-002", 4),
            (2, "LEX-002", 5),
        ]
    );
}

#[test]
fn normalise_reports_every_change() {
    let n = normalise("d’Æion").unwrap();
    assert_eq!(n.value, "D'AEION");
    assert_eq!(
        n.changes
            .iter()
            .map(|c| (c.position, c.from, c.to.as_str(), c.reason))
            .collect::<Vec<_>>(),
        [
            (1, 'd', "D", "upper case"),
            (2, '’', "'", "typographic apostrophe"),
            (3, 'Æ', "AE", "ligature expanded"),
            (4, 'i', "I", "upper case"),
            (5, 'o', "O", "upper case"),
            (6, 'n', "N", "upper case"),
        ]
    );
    assert_eq!(normalise("CŒUR").unwrap().value, "COEUR");
    let e = normalise("Hélène-Çà").unwrap();
    assert_eq!(e.value, "HELENE-CA");
    assert_eq!(
        (e.changes[0].position, e.changes[0].reason),
        (2, "diacritic removed")
    );
    assert_eq!(
        (e.changes[1].position, e.changes[1].reason),
        (3, "upper case")
    );
    let clean = normalise("D'ARTAGNAN").unwrap();
    assert!(clean.changes.is_empty());
    assert_eq!(clean.value, "D'ARTAGNAN");
}

#[test]
fn normalise_refuses_what_has_no_transliteration() {
    for (input, position, found) in [
        ("JEAN2", 5, '2'),
        ("A_B", 2, '_'),
        ("A/B", 2, '/'),
        ("ØRSTED", 1, 'Ø'),
    ] {
        assert_eq!(
            normalise(input),
            Err(NormaliseError::NoTransliteration { position, found }),
            "{input}"
        );
    }
}

#[test]
fn rule_table_covers_every_id_emitted() {
    let known: Vec<&str> = rules().map(|r| r.id.as_str()).collect();
    for s in [
        "", " ", "a", "é", "2", "A  B", "A''B", "A 'B", "A-", "A--B", "A---B", "A ",
    ] {
        for kind in [NameKind::BirthName, NameKind::FirstName] {
            for v in lexical::validate(s, kind) {
                assert!(known.contains(&v.rule_id.as_str()), "{}", v.rule_id);
            }
        }
    }
}

proptest! {
    /// What normalise accepts only holds profile characters (positional rules aside).
    #[test]
    fn normalised_values_are_in_the_alphabet(s in "\\PC{0,30}") {
        if let Ok(n) = normalise(&s) {
            prop_assert!(n.value.chars().all(|c| c.is_ascii_uppercase() || " '-".contains(c)));
            let v = validate(&n.value, NameKind::BirthName);
            prop_assert!(v.iter().all(|v| !matches!(v.rule_id.as_str(), "LEX-002" | "LEX-003" | "LEX-004")));
        }
    }

    /// Profile-alphabet values are left unchanged.
    #[test]
    fn profile_values_are_fixed_points(s in "[A-Z '-]{0,30}") {
        let n = normalise(&s).unwrap();
        prop_assert_eq!(n.value, s);
        prop_assert!(n.changes.is_empty());
    }
}
