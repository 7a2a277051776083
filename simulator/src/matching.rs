//! Matching rules: which dataset persons a search designates.
//!
//! One job: turn a traits search (or a verification) into "none", "one person" or "several".
//! The rules, documented in `docs/datasets.md`:
//! - names compare after normalisation (surrounding spaces removed, inner runs of spaces made
//!   one, upper case); birth name, sex and birth date must be equal;
//! - the first names sent are the `Prenom` elements, each split on spaces: one `Prenom`
//!   `PIERRE PAUL` and two `Prenom` `PIERRE`, `PAUL` are the same list. Every name of the list
//!   must be one of the person's birth first names; a hyphenated name is one name;
//! - the birthplace filters only when it is sent;
//! - a Vitale card search ([`card_matches`]) compares each field it sends: `MatriculeIndividu`
//!   with the active matricule, `MatriculeOD` with the card holder's matricule (the person's own
//!   when they hold the card), `NomNaissance`, `DateNaissance`, and `RangNaissance` with the
//!   person's rank on the card (twins on one card differ only by it);
//! - a verification confirms only the active INS with its OID and matching traits.

use insilab_core::insi::model::CardSearch;

use crate::dataset::{Dataset, Person};

/// The traits of a search, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraitsQuery {
    /// `NomNaissance`.
    pub birth_name: Option<String>,
    /// Every `Prenom` element, as sent.
    pub prenoms: Vec<String>,
    /// `Sexe`.
    pub sex: Option<String>,
    /// `DateNaissance`.
    pub birth_date: Option<String>,
    /// `LieuNaissance`.
    pub birthplace: Option<String>,
}

/// The outcome of matching a query against the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOutcome<'a> {
    /// Nobody matches (`01`).
    None,
    /// Exactly one person matches (`00`).
    One(&'a Person),
    /// Several persons match (`02`); the count.
    Several(usize),
}

/// Normalises a name for comparison: trims, collapses inner space runs, upper-cases.
pub fn normalise_name(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// The list of first names a query asks for (each `Prenom` split on spaces, normalised).
pub fn requested_first_names(prenoms: &[String]) -> Vec<String> {
    prenoms
        .iter()
        .flat_map(|p| p.split_whitespace())
        .map(str::to_uppercase)
        .collect()
}

/// Whether `a` and `b` are the same words (split on white space, ASCII case ignored), without
/// allocating: this runs for every person on every search.
pub fn same_words(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        // The common case, on bytes: in ASCII, Unicode's white space is tab to carriage
        // return and the space (what `split_whitespace` splits on).
        let (mut x, mut y) = (ascii_words(a), ascii_words(b));
        return loop {
            match (x.next(), y.next()) {
                (None, None) => break true,
                (Some(p), Some(q)) if p.eq_ignore_ascii_case(q) => {}
                _ => break false,
            }
        };
    }
    let (mut x, mut y) = (a.split_whitespace(), b.split_whitespace());
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if p.eq_ignore_ascii_case(q) => {}
            _ => return false,
        }
    }
}

/// The words of an ASCII text: split on tab to carriage return and the space.
fn ascii_words(s: &str) -> impl Iterator<Item = &[u8]> {
    s.as_bytes()
        .split(|b| matches!(b, b'\t'..=b'\r' | b' '))
        .filter(|w| !w.is_empty())
}

/// `a == b` for short texts (a date, a sex), byte by byte: a search compares the query's
/// birth date with every person's, and most differ in their first bytes; this stops there,
/// where a call to `memcmp` costs more than the whole comparison.
fn same_short(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// A query's values read once for a whole search (trimmed as the comparisons want them).
struct Prepared<'q> {
    query: &'q TraitsQuery,
    birth_name: Option<&'q str>,
    birth_date: Option<&'q str>,
    sex: Option<&'q str>,
}

impl<'q> Prepared<'q> {
    fn of(query: &'q TraitsQuery) -> Self {
        Prepared {
            query,
            birth_name: query.birth_name.as_deref(),
            birth_date: query.birth_date.as_deref().map(str::trim),
            sex: query.sex.as_deref().map(str::trim),
        }
    }

    fn matches(&self, person: &Person) -> bool {
        let Some(name) = self.birth_name else {
            return false;
        };
        // The cheap, selective comparisons first: most persons differ by birth date.
        if !self
            .birth_date
            .is_some_and(|d| same_short(d, &person.birth_date))
            || !self.sex.is_some_and(|s| same_short(s, &person.sex))
            || !same_words(name, &person.birth_name)
        {
            return false;
        }
        let mut wanted = self
            .query
            .prenoms
            .iter()
            .flat_map(|p| p.split_whitespace())
            .peekable();
        if wanted.peek().is_none() {
            return false;
        }
        if !wanted.all(|w| person.first_names.iter().any(|f| same_words(f, w))) {
            return false;
        }
        match (&self.query.birthplace, &person.birthplace) {
            (Some(sent), Some(have)) => sent.trim().eq_ignore_ascii_case(have),
            (Some(_), None) => false,
            (None, _) => true,
        }
    }
}

/// Does `person` match `query`?
pub fn person_matches(person: &Person, query: &TraitsQuery) -> bool {
    Prepared::of(query).matches(person)
}

/// Matches a traits search against the dataset.
pub fn search<'a>(dataset: &'a Dataset, query: &TraitsQuery) -> MatchOutcome<'a> {
    let query = Prepared::of(query);
    let mut found = dataset.persons.iter().filter(|p| query.matches(p));
    match (found.next(), found.count()) {
        (None, _) => MatchOutcome::None,
        (Some(p), 0) => MatchOutcome::One(p),
        (Some(_), more) => MatchOutcome::Several(more + 1),
    }
}

/// Result of a verification lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerificationOutcome<'a> {
    /// The INS is the active INS of this person and the traits match.
    Confirmed(&'a Person),
    /// The INS is only in a person's history (reported `01`, finding "INS historised").
    Historised(&'a Person),
    /// The INS is this person's active INS but the traits do not match.
    TraitsMismatch(&'a Person),
    /// The INS is no person's INS (with that key and OID).
    NotConfirmed,
}

/// Does `person` match the Vitale card search `c`? Every field sent must match; at least one of
/// `MatriculeIndividu`, `MatriculeOD`, `NomNaissance` must be sent.
pub fn card_matches(person: &Person, c: &CardSearch) -> bool {
    let Some(ins) = &person.ins else { return false };
    let individu_ok = c
        .matricule_individu
        .as_ref()
        .is_none_or(|m| m.num_identifiant.trim() == ins.matricule);
    let holder = person.card.holder.as_deref().unwrap_or(&ins.matricule);
    let od_ok = c
        .matricule_od
        .as_ref()
        .is_none_or(|m| m.num_identifiant.trim() == holder);
    let name_ok = c
        .nom_naissance
        .as_ref()
        .is_none_or(|n| same_words(n, &person.birth_name));
    let date_ok = c
        .date_naissance
        .as_ref()
        .is_none_or(|d| d.trim() == person.birth_date);
    let rank_ok = c
        .rang_naissance
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .is_none_or(|r| same_rank(r, &person.card.rank));
    let something =
        c.matricule_individu.is_some() || c.matricule_od.is_some() || c.nom_naissance.is_some();
    something && individu_ok && od_ok && name_ok && date_ok && rank_ok
}

/// Ranks compare as numbers when both are (`01` is `1`), else as text.
fn same_rank(a: &str, b: &str) -> bool {
    match (a.parse::<u32>(), b.trim().parse::<u32>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b.trim(),
    }
}

/// Verifies that `matricule` (+ optional key) with `oid` is the active INS of a person matching
/// `query`. An INS sent with another OID than the person's does not verify (an INS is the
/// matricule *and* its assigning authority); `None` skips the OID check.
pub fn verify<'a>(
    dataset: &'a Dataset,
    matricule: &str,
    key: Option<&str>,
    oid: Option<&str>,
    query: &TraitsQuery,
) -> VerificationOutcome<'a> {
    let key_ok = |ins: &crate::dataset::InsNumber| {
        key.is_none_or(|k| k == ins.effective_key()) && oid.is_none_or(|o| o.trim() == ins.oid)
    };
    for p in &dataset.persons {
        if let Some(ins) = &p.ins
            && ins.matricule == matricule
            && key_ok(ins)
        {
            return if person_matches(p, query) {
                VerificationOutcome::Confirmed(p)
            } else {
                VerificationOutcome::TraitsMismatch(p)
            };
        }
    }
    for p in &dataset.persons {
        if p.history
            .iter()
            .any(|h| h.matricule == matricule && key_ok(h))
        {
            return VerificationOutcome::Historised(p);
        }
    }
    VerificationOutcome::NotConfirmed
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;
    use crate::dataset::OID_NIR as NIR;
    use proptest::prelude::*;

    proptest! {
        /// The ASCII path splits and compares as `split_whitespace` and `eq_ignore_ascii_case`.
        #[test]
        fn same_words_is_the_definition(
            a in "[aAbB \t\n\u{b}\u{c}\r\u{1c}\u{a0}é-]{0,8}",
            b in "[aAbB \t\n\u{b}\u{c}\r\u{1c}\u{a0}é-]{0,8}",
        ) {
            let words = |s: &str| s.split_whitespace().map(str::to_ascii_uppercase).collect::<Vec<_>>();
            prop_assert_eq!(same_words(&a, &b), words(&a) == words(&b));
        }
    }

    fn q(name: &str, prenoms: &[&str], sex: &str, date: &str, place: Option<&str>) -> TraitsQuery {
        TraitsQuery {
            birth_name: Some(name.into()),
            prenoms: prenoms.iter().map(|s| s.to_string()).collect(),
            sex: Some(sex.into()),
            birth_date: Some(date.into()),
            birthplace: place.map(Into::into),
        }
    }

    fn id(o: MatchOutcome<'_>) -> String {
        match o {
            MatchOutcome::None => "01".into(),
            MatchOutcome::One(p) => p.id.clone(),
            MatchOutcome::Several(n) => format!("02x{n}"),
        }
    }

    #[test]
    fn cnda_first_name_loops() {
        let d = Dataset::embedded_default().unwrap();
        let t = |p: &[&str]| id(search(&d, &q("TCHITCHI", p, "F", "1936-06-21", None)));
        assert_eq!(t(&["OLA"]), "01");
        assert_eq!(t(&["CATARINA"]), "cnda-2.07-cas1");
        assert_eq!(t(&["CATARINA BELLA"]), "cnda-2.07-cas1");
        assert_eq!(t(&["CATARINA", "BELLA"]), "cnda-2.07-cas1");
        assert_eq!(t(&["OLA CATARINA BELLA"]), "01");
        let h = |p: &[&str]| id(search(&d, &q("HOUILLES", p, "M", "1993-01-27", None)));
        assert_eq!(h(&["PIERRE"]), "01");
        assert_eq!(h(&["PIERRE PAUL JACQUES"]), "01");
    }

    #[test]
    fn hyphenated_name_is_one_name_and_several_resolve_with_birthplace() {
        let d = Dataset::embedded_default().unwrap();
        let r = search(
            &d,
            &q(
                "D'ARTAGNAN DE L'HERAULT",
                &["PIERRE-ALAIN"],
                "M",
                "2001-06-17",
                None,
            ),
        );
        assert_eq!(id(r), "cnda-2.03-cas1");
        let r = search(
            &d,
            &q(
                "D'ARTAGNAN DE L'HERAULT",
                &["PIERRE"],
                "M",
                "2001-06-17",
                None,
            ),
        );
        assert_eq!(id(r), "01");
        let r = search(&d, &q("DE VINCI", &["LEONARDO"], "M", "2014-02-01", None));
        assert_eq!(id(r), "02x2");
        let r = search(
            &d,
            &q("DE VINCI", &["LEONARDO"], "M", "2014-02-01", Some("63220")),
        );
        assert_eq!(id(r), "cnda-2.06-a");
    }

    #[test]
    fn verification_confirms_only_the_active_ins_with_matching_traits() {
        let d = Dataset::embedded_default().unwrap();
        let traits = q("ECETINSI", &["PIERRE-ALAIN"], "M", "2009-07-14", None);
        assert!(matches!(
            verify(&d, "1090763220834", Some("89"), Some(NIR), &traits),
            VerificationOutcome::Confirmed(_)
        ));
        assert!(matches!(
            verify(&d, "2090763220834", Some("39"), Some(NIR), &traits),
            VerificationOutcome::Historised(_)
        ));
        let other = q("ECETINSI", &["PAUL"], "M", "2009-07-14", None);
        assert!(matches!(
            verify(&d, "1090763220834", Some("89"), Some(NIR), &other),
            VerificationOutcome::TraitsMismatch(p) if p.id == "cnda-2.04"
        ));
        // The same INS with the NIA OID (or any other) is not this person's INS.
        for oid in [crate::dataset::OID_NIA, "1.2.250.1.213.1.4.10"] {
            assert_eq!(
                verify(&d, "1090763220834", Some("89"), Some(oid), &traits),
                VerificationOutcome::NotConfirmed,
                "{oid}"
            );
        }
    }

    fn card(
        individu: Option<&str>,
        od: Option<&str>,
        name: &str,
        date: &str,
        rank: Option<&str>,
    ) -> CardSearch {
        let m = |n: &str| insilab_core::insi::model::WireMatricule {
            num_identifiant: n.into(),
            cle: None,
            type_matricule: None,
        };
        CardSearch {
            matricule_individu: individu.map(m),
            matricule_od: od.map(m),
            nom_naissance: Some(name.into()),
            date_naissance: Some(date.into()),
            rang_naissance: rank.map(Into::into),
        }
    }

    fn card_ids(d: &Dataset, c: &CardSearch) -> Vec<String> {
        d.persons
            .iter()
            .filter(|p| card_matches(p, c))
            .map(|p| p.id.clone())
            .collect()
    }

    #[test]
    fn twins_on_one_card_are_told_apart_by_their_rank() {
        let d = Dataset::embedded_default().unwrap();
        let parent = "1690134172015";
        let both = card(None, Some(parent), "INSFAMILLEQUATRE", "1999-01-15", None);
        assert_eq!(card_ids(&d, &both).len(), 2, "without the rank: 02");
        let first = card(
            None,
            Some(parent),
            "INSFAMILLEQUATRE",
            "1999-01-15",
            Some("1"),
        );
        assert_eq!(card_ids(&d, &first), ["card-twin-rank-1"]);
        let second = card(
            None,
            Some(parent),
            "INSFAMILLEQUATRE",
            "1999-01-15",
            Some("02"),
        );
        assert_eq!(card_ids(&d, &second), ["card-twin-rank-2"]);
        let third = card(
            None,
            Some(parent),
            "INSFAMILLEQUATRE",
            "1999-01-15",
            Some("3"),
        );
        assert!(card_ids(&d, &third).is_empty());
    }

    #[test]
    fn matricule_od_tells_the_holder_from_a_beneficiary() {
        let d = Dataset::embedded_default().unwrap();
        // A twin searched as if they held their own card: nobody.
        let own = card(
            None,
            Some("1990134172021"),
            "INSFAMILLEQUATRE",
            "1999-01-15",
            Some("1"),
        );
        assert!(card_ids(&d, &own).is_empty());
        // The ECETINSI card (the person holds it): found with their own MatriculeOD only.
        let holder = card(
            Some("1090763220834"),
            Some("1090763220834"),
            "ECETINSI",
            "2009-07-14",
            Some("1"),
        );
        assert_eq!(card_ids(&d, &holder), ["cnda-2.04"]);
        let elsewhere = card(
            Some("1090763220834"),
            Some("1690134172015"),
            "ECETINSI",
            "2009-07-14",
            Some("1"),
        );
        assert!(card_ids(&d, &elsewhere).is_empty());
    }
}
