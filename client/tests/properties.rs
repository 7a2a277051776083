//! Properties of the client's pure parts: input validation and answer judging never panic on
//! any input, profile-conforming traits are never refused, and an accepted answer always has
//! valid keys.

use insilab_client::envelope::split_matricule_with_key;
use insilab_client::{TraitsQuery, judge, validate};
use insilab_core::ins::Matricule;
use insilab_core::insi::{Individu, InsEntry, Tiq, WireMatricule};
use proptest::prelude::*;

fn query(
    name: String,
    first: Vec<String>,
    sex: String,
    date: String,
    place: Option<String>,
) -> TraitsQuery {
    TraitsQuery {
        birth_name: name,
        first_names: first,
        sex,
        birth_date: date,
        birthplace: place,
    }
}

fn entry(num: String, key: Option<String>, oid: String) -> InsEntry {
    InsEntry {
        id: WireMatricule {
            num_identifiant: num,
            cle: key,
            type_matricule: None,
        },
        oid,
        date_deb: None,
        date_fin: None,
    }
}

/// A generated identity: (well-formed with valid keys, body, key, history, OID).
type Identity = (
    bool,
    String,
    Option<String>,
    Vec<(String, Option<String>)>,
    String,
);

/// A 13-character matricule body of the NIR layout (sex, year, month, place, order), with
/// Corsica's `2A`/`2B` places half of the time.
fn nir_body() -> impl Strategy<Value = String> {
    (
        "[12][0-9]{2}(0[1-9]|1[0-2])",
        prop_oneof!["[0-9]{2}", Just("2A".to_owned()), Just("2B".to_owned())],
        "[0-9]{6}",
    )
        .prop_map(|(a, p, b)| format!("{a}{p}{b}"))
}

/// A body with its computed (valid) key.
fn keyed_body() -> impl Strategy<Value = (String, String)> {
    nir_body().prop_map(|body| {
        let key = Matricule::with_computed_key(&body)
            .map(|m| format!("{:02}", m.key()))
            .unwrap_or_default();
        (body, key)
    })
}

/// A valid identity: right keys on the active INS and on every historical one, an INS OID.
fn valid_identity() -> impl Strategy<Value = Identity> {
    (
        keyed_body(),
        proptest::collection::vec(keyed_body(), 0..3),
        prop_oneof![
            Just("1.2.250.1.213.1.4.8".to_owned()),
            Just("1.2.250.1.213.1.4.9".to_owned())
        ],
    )
        .prop_map(|((num, key), histo, oid)| {
            let histo = histo.into_iter().map(|(n, k)| (n, Some(k))).collect();
            (true, num, Some(key), histo, oid)
        })
}

/// Anything: mostly malformed or wrongly keyed identities.
fn any_identity() -> impl Strategy<Value = Identity> {
    (
        "[0-9AB]{0,15}",
        proptest::option::of("[0-9]{0,3}"),
        proptest::collection::vec(("[0-9AB]{11,14}", proptest::option::of("[0-9]{2}")), 0..3),
        prop_oneof![
            Just("1.2.250.1.213.1.4.8".to_owned()),
            Just("1.2.250.1.213.1.4.9".to_owned()),
            ".{0,10}"
        ],
    )
        .prop_map(|(num, key, histo, oid)| (false, num, key, histo, oid))
}

proptest! {
    #[test]
    fn validation_never_panics(
        name in ".{0,60}",
        first in proptest::collection::vec(".{0,30}", 0..5),
        sex in ".{0,3}",
        date in ".{0,12}",
        place in proptest::option::of(".{0,7}"),
    ) {
        let _ = validate::traits(&query(name, first, sex, date, place));
    }

    #[test]
    fn profile_conforming_traits_are_accepted(
        name in "[A-Z]{1,20}( [A-Z]{1,20}){0,2}",
        first in proptest::collection::vec("[A-Z]{1,15}(-[A-Z]{1,15})?", 1..4),
        sex in "[MF]",
        year in 1900u16..2025,
        month in 1u8..=12,
        day in 1u8..=28,
    ) {
        let date = format!("{year:04}-{month:02}-{day:02}");
        let v = validate::traits(&query(name, first, sex, date, Some("63220".into())));
        prop_assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn card_matricules_never_panic(value in ".{0,20}") {
        let _ = split_matricule_with_key(&value);
    }

    #[test]
    fn judging_never_panics_and_accepts_only_valid_keys(
        (valid, num, key, histo, oid) in prop_oneof![valid_identity(), any_identity()],
    ) {
        let individu = Individu {
            ins_actif: entry(num.clone(), key.clone(), oid),
            ins_histo: histo.into_iter().map(|(n, k)| entry(n, k, "1.2.250.1.213.1.4.8".into())).collect(),
            tiq: Tiq {
                nom_naissance: Some("ADRUN".into()),
                prenom: None,
                liste_prenom: Some("ZOE".into()),
                sexe: Some("F".into()),
                date_naissance: Some("1975-12-31".into()),
                lieu_naissance: Some("63220".into()),
            },
        };
        let judged = judge::accept(Some(&individu));
        // Half of the cases are well-formed identities with right keys: those must be accepted,
        // so the property below is exercised on acceptances, not only on refusals.
        if valid {
            prop_assert!(judged.is_ok(), "{judged:?}");
        }
        if let Ok(found) = judged {
            let m = Matricule::parse_unchecked_key(&found.ins);
            prop_assert!(m.as_ref().is_ok_and(Matricule::is_key_valid), "{found:?}");
            for h in &found.history {
                if h.ins.chars().count() == 15 {
                    prop_assert!(Matricule::parse_unchecked_key(&h.ins).is_ok_and(|m| m.is_key_valid()));
                }
            }
        }
    }
}
