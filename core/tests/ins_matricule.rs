//! Matricule, key and OID against every INS of `cnda-test-data.md` and `ins-rules.md` §1.2,
//! plus property tests against an independent model of the key.
#![expect(clippy::unwrap_used, reason = "test vectors are known-valid")]

use insilab_core::ins::{Ins, Matricule, MatriculeError, Oid, OidError, compute_key};
use proptest::prelude::*;

/// Every valid INS named in the shared test data, with where it comes from.
const VALID: &[(&str, &str)] = &[
    ("101066322075460", "CNDA 2.03 cas 1 D'ARTAGNAN DE L'HERAULT"),
    (
        "160012B02077713",
        "CNDA 2.03 cas 2 ADRTROIS TOUSSAINT (Corsica)",
    ),
    ("109076322083489", "CNDA 2.04 active"),
    ("209076322083439", "CNDA 2.04 history"),
    ("209066322012355", "CNDA 2.04 cas 2 second history entry"),
    ("109076322088835", "CNDA 2.05 NIA"),
    ("236066322083656", "CNDA 2.07 cas 1 TCHITCHI"),
    ("180032B02040123", "CNDA 2.08 cas 1 CORSE ANTHONY (Corsica)"),
    ("275126322074974", "ADRUN ZOE"),
    ("297022A02077878", "ADRTROIS DOMINIQUE (Corsica 2A)"),
    ("110086322083060", "NESSI MICHELANGELO"),
    ("181016322075140", "PATB-QUATRE verification sample"),
    ("279035121518989", "ANS PAT-TROIS DOMINIQUE"),
    ("188102B17295165", "ANS CORSE FIGATELLIX (Corsica 2B)"),
    ("277076322082910", "ANS NESSI RUTH"),
    ("199013417202174", "ANS twin JUMEAUUN"),
    ("199013417202372", "ANS twin JUMEAUTROIS"),
    ("199013417202471", "ANS twin JUMEAUQUATRE"),
];

/// Wrong keys: (matricule, expected key, found key, origin).
const WRONG_KEY: &[(&str, u8, u8, &str)] = &[
    ("181036322045660", 76, 60, "CNDA 2.08 cas 2 HERMANN active"),
    ("281036322045610", 26, 10, "CNDA 2.08 cas 2 HERMANN history"),
    (
        "276037510669380",
        26,
        80,
        "ANS HL7 example DE VINCI DONATELLO",
    ),
];

#[test]
fn every_valid_test_ins_parses_with_its_key() {
    for (s, origin) in VALID {
        let m = Matricule::parse(s).unwrap_or_else(|e| panic!("{origin}: {e}"));
        assert!(m.is_key_valid(), "{origin}");
        assert_eq!(m.to_string(), *s, "{origin}");
        assert_eq!(compute_key(m.body()), Ok(m.key()), "{origin}");
    }
}

#[test]
fn wrong_keys_are_refused_strictly_and_kept_unchecked() {
    for &(s, expected, found, origin) in WRONG_KEY {
        assert_eq!(
            Matricule::parse(s),
            Err(MatriculeError::WrongKey { expected, found }),
            "{origin}"
        );
        let m = Matricule::parse_unchecked_key(s).unwrap();
        assert!(!m.is_key_valid(), "{origin}");
        assert_eq!((m.expected_key(), m.key()), (expected, found), "{origin}");
        assert_eq!(m.to_string(), s, "{origin}");
    }
}

#[test]
fn fr_core_example_is_invalid() {
    let err = Matricule::parse("123456789012244").unwrap_err();
    assert!(
        matches!(err, MatriculeError::WrongKey { found: 44, .. }),
        "{err:?}"
    );
}

#[test]
fn from_parts_matches_parse() {
    let m = Matricule::from_parts("160012B020777", "13").unwrap();
    assert_eq!(m, Matricule::parse("160012B02077713").unwrap());
    assert!(m.is_corsica());
    assert_eq!(
        Matricule::from_parts("181036322045", "60"),
        Err(MatriculeError::WrongLength {
            found: 12,
            expected: 13
        })
    );
    assert_eq!(
        Matricule::from_parts("1810363220456", "6"),
        Err(MatriculeError::WrongKeyLength { found: 1 })
    );
    assert_eq!(
        Matricule::from_parts("1810363220456", "6X"),
        Err(MatriculeError::InvalidCharacter {
            position: 15,
            found: 'X'
        })
    );
}

#[test]
fn layout_accessors() {
    let m = Matricule::parse("188102B17295165").unwrap();
    assert_eq!(m.sex_digit(), '1');
    assert_eq!(m.year(), "88");
    assert_eq!(m.month(), "10");
    assert_eq!(m.place(), "2B172");
    assert_eq!(m.order(), "951");
    assert_eq!(m.key(), 65);
    assert!(m.is_corsica());
    assert!(m.layout_remarks().is_empty());
    let plain = Matricule::parse("279035121518989").unwrap();
    assert!(!plain.is_corsica());
}

#[test]
fn layout_errors_name_the_position() {
    assert_eq!(
        Matricule::parse("27903512151898"),
        Err(MatriculeError::WrongLength {
            found: 14,
            expected: 15
        })
    );
    assert_eq!(
        Matricule::parse("2790351215189 9"),
        Err(MatriculeError::InvalidCharacter {
            position: 14,
            found: ' '
        })
    );
    assert_eq!(
        Matricule::parse("27903512151898é"),
        Err(MatriculeError::InvalidCharacter {
            position: 15,
            found: 'é'
        })
    );
    assert_eq!(
        Matricule::parse("188102b17295165"),
        Err(MatriculeError::InvalidCharacter {
            position: 7,
            found: 'b'
        })
    );
}

#[test]
fn serde_is_a_string_and_keeps_wrong_keys() {
    let m = Matricule::parse_unchecked_key("181036322045660").unwrap();
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(json, "\"181036322045660\"");
    let back: Matricule = serde_json::from_str(&json).unwrap();
    assert_eq!(back, m);
    let ins = Ins::new(Matricule::parse("109076322088835").unwrap(), Oid::Nia);
    assert_eq!(
        serde_json::to_string(&ins).unwrap(),
        r#"{"matricule":"109076322088835","oid":"1.2.250.1.213.1.4.9"}"#
    );
    assert!(serde_json::from_str::<Oid>("\"1.2.250.1.213.1.4.2\"").is_err());
}

#[test]
fn oid_labels() {
    let labels: Vec<_> = Oid::ALL.iter().map(|o| (o.as_str(), o.label())).collect();
    assert_eq!(
        labels,
        [
            ("1.2.250.1.213.1.4.8", "INS-NIR"),
            ("1.2.250.1.213.1.4.9", "INS-NIA"),
            ("1.2.250.1.213.1.4.10", "INS-NIR-TEST"),
            ("1.2.250.1.213.1.4.11", "INS-NIR-DEMO"),
        ]
    );
    assert!(matches!(
        Oid::parse("1.2.250.1.213.1.4.12"),
        Err(OidError::NotInsAuthority(_))
    ));
}

/// Reference model: substitute Corsica letters textually, then long division digit by digit.
fn reference_key(body: &str) -> u8 {
    let text = body.replacen("2A", "19", 1).replacen("2B", "18", 1);
    let rem = text
        .bytes()
        .fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97);
    (97 - rem) as u8
}

/// Reference model 2: the "letter → 0, subtract 1 000 000 / 2 000 000" form, in u128.
fn reference_key_subtract(body: &str) -> u8 {
    let (text, minus) = if body.as_bytes()[6] == b'A' {
        (body.replacen('A', "0", 1), 1_000_000u128)
    } else if body.as_bytes()[6] == b'B' {
        (body.replacen('B', "0", 1), 2_000_000u128)
    } else {
        (body.to_owned(), 0)
    };
    let n: u128 = text.parse::<u128>().unwrap() - minus;
    (97 - (n % 97)) as u8
}

fn body_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{13}",
        ("[0-9]{5}", prop_oneof![Just("2A"), Just("2B")], "[0-9]{6}")
            .prop_map(|(a, c, b)| format!("{a}{c}{b}")),
    ]
}

proptest! {
    #[test]
    fn key_matches_reference_models(body in body_strategy()) {
        let key = compute_key(&body).unwrap();
        prop_assert_eq!(key, reference_key(&body));
        prop_assert_eq!(key, reference_key_subtract(&body));
        prop_assert!((1..=97).contains(&key));
    }

    #[test]
    fn parse_display_round_trip(body in body_strategy(), key in 0u8..=99) {
        let text = format!("{body}{key:02}");
        let m = Matricule::parse_unchecked_key(&text).unwrap();
        prop_assert_eq!(m.to_string(), text.clone());
        prop_assert_eq!(m.is_key_valid(), key == reference_key(&body));
        match Matricule::parse(&text) {
            Ok(strict) => prop_assert_eq!(strict, m),
            Err(e) => prop_assert_eq!(e, MatriculeError::WrongKey { expected: reference_key(&body), found: key }),
        }
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,20}") {
        let _ = Matricule::parse(&s);
        let _ = Matricule::parse_unchecked_key(&s);
        let _ = compute_key(&s);
        let _ = Oid::parse(&s);
    }
}
