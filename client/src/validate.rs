//! Checks a query before any call (CNDA 2.03 cas 3: invalid traits are refused, not sent).

use insilab_core::ins::lexical::{self, NameKind};
use insilab_core::ins::{BirthDate, Cog, Oid, Sex};

use crate::outcome::InputViolation;
use crate::query::{CardQuery, TraitsQuery, VerifyQuery};

/// Rule id: sex is not `M` or `F`.
pub const RULE_SEX: &str = "CLIENT-INPUT-SEX";
/// Rule id: birth date is not `YYYY-MM-DD`.
pub const RULE_BIRTH_DATE: &str = "CLIENT-INPUT-DATE";
/// Rule id: birthplace is not a COG code.
pub const RULE_BIRTHPLACE: &str = "CLIENT-INPUT-COG";
/// Rule id: no first name given.
pub const RULE_NO_FIRST_NAME: &str = "CLIENT-INPUT-NO-FIRST-NAME";
/// Rule id: a matricule or INS is malformed.
pub const RULE_MATRICULE: &str = "CLIENT-INPUT-MATRICULE";
/// Rule id: an OID is not an INS authority.
pub const RULE_OID: &str = "CLIENT-INPUT-OID";
/// Rule id: a trait or the first-name list is longer than the client accepts.
pub const RULE_LENGTH: &str = "CLIENT-INPUT-LENGTH";
/// Rule id: the rank of birth is not a small positive integer.
pub const RULE_RANK: &str = "CLIENT-INPUT-RANK";

/// Largest accepted length of any single trait, in characters (far above real names; keeps
/// requests bounded).
pub const MAX_TRAIT_CHARS: usize = 200;
/// Largest accepted number of first names.
pub const MAX_FIRST_NAMES: usize = 20;

fn simple(field: &str, rule_id: &str, found: &str, message: String) -> InputViolation {
    InputViolation {
        field: field.to_owned(),
        rule_id: rule_id.to_owned(),
        position: None,
        found: Some(found.to_owned()),
        message,
    }
}

fn check_name(field: &str, value: &str, kind: NameKind, out: &mut Vec<InputViolation>) {
    if value.chars().count() > MAX_TRAIT_CHARS {
        out.push(simple(
            field,
            RULE_LENGTH,
            "",
            format!("{field} is longer than {MAX_TRAIT_CHARS} characters"),
        ));
        return;
    }
    out.extend(
        lexical::validate(value, kind)
            .into_iter()
            .map(|v| InputViolation {
                field: field.to_owned(),
                rule_id: v.rule_id.to_string(),
                position: Some(v.position),
                found: v.found.map(String::from),
                message: format!("{field}: {}", v.message),
            }),
    );
}

fn check_first_names(names: &[String], out: &mut Vec<InputViolation>) {
    if names.is_empty() {
        out.push(simple(
            "first_names",
            RULE_NO_FIRST_NAME,
            "",
            "at least one birth first name is required".to_owned(),
        ));
    }
    if names.len() > MAX_FIRST_NAMES {
        out.push(simple(
            "first_names",
            RULE_LENGTH,
            "",
            format!("more than {MAX_FIRST_NAMES} first names"),
        ));
        return;
    }
    for (i, name) in names.iter().enumerate() {
        check_name(&format!("first_names[{i}]"), name, NameKind::FirstName, out);
    }
}

fn check_sex(sex: &str, out: &mut Vec<InputViolation>) {
    if Sex::parse(sex).is_err() {
        out.push(simple(
            "sex",
            RULE_SEX,
            sex,
            format!("sex {sex:?} is neither M nor F"),
        ));
    }
}

fn check_date(field: &str, date: &str, out: &mut Vec<InputViolation>) {
    let shaped = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped || BirthDate::parse(date).is_err() {
        out.push(simple(
            field,
            RULE_BIRTH_DATE,
            date,
            format!("{field} {date:?} is not a date YYYY-MM-DD"),
        ));
    }
}

fn check_birthplace(place: Option<&str>, out: &mut Vec<InputViolation>) {
    if let Some(place) = place
        && Cog::parse(place).is_err()
    {
        out.push(simple(
            "birthplace",
            RULE_BIRTHPLACE,
            place,
            format!("birthplace {place:?} is not a 5-character INSEE COG code"),
        ));
    }
}

fn check_matricule(field: &str, value: &str, allow_short: bool, out: &mut Vec<InputViolation>) {
    let value = value.trim();
    let ok = match value.chars().count() {
        15 => insilab_core::ins::Matricule::parse_unchecked_key(value).is_ok(),
        13 if allow_short => insilab_core::ins::Matricule::with_computed_key(value).is_ok(),
        _ => false,
    };
    if !ok {
        let expected = if allow_short { "13 or 15" } else { "15" };
        out.push(simple(
            field,
            RULE_MATRICULE,
            value,
            format!("{field} {value:?} is not a matricule of {expected} characters"),
        ));
    }
}

/// Violations of a traits search (empty when it may be sent).
pub fn traits(query: &TraitsQuery) -> Vec<InputViolation> {
    let mut out = Vec::new();
    check_name(
        "birth_name",
        &query.birth_name,
        NameKind::BirthName,
        &mut out,
    );
    check_first_names(&query.first_names, &mut out);
    check_sex(&query.sex, &mut out);
    check_date("birth_date", &query.birth_date, &mut out);
    check_birthplace(query.birthplace.as_deref(), &mut out);
    out
}

/// Violations of a verification.
pub fn verify(query: &VerifyQuery) -> Vec<InputViolation> {
    let mut out = Vec::new();
    check_matricule("ins", &query.ins, false, &mut out);
    if Oid::parse(&query.oid).is_err() {
        out.push(simple(
            "oid",
            RULE_OID,
            &query.oid,
            format!("oid {:?} is not an INS assigning authority", query.oid),
        ));
    }
    check_name(
        "birth_name",
        &query.birth_name,
        NameKind::BirthName,
        &mut out,
    );
    check_first_names(&query.first_names, &mut out);
    check_sex(&query.sex, &mut out);
    check_date("birth_date", &query.birth_date, &mut out);
    check_birthplace(query.birthplace.as_deref(), &mut out);
    out
}

/// Violations of a Vitale card search.
pub fn card(query: &CardQuery) -> Vec<InputViolation> {
    let mut out = Vec::new();
    check_matricule("insured_nir", &query.insured_nir, true, &mut out);
    if let Some(b) = &query.beneficiary_nir {
        check_matricule("beneficiary_nir", b, true, &mut out);
    }
    check_name(
        "birth_name",
        &query.birth_name,
        NameKind::BirthName,
        &mut out,
    );
    check_date("birth_date", &query.birth_date, &mut out);
    let rank_ok = matches!(query.birth_rank.parse::<u8>(), Ok(1..=9));
    if !rank_ok {
        out.push(simple(
            "birth_rank",
            RULE_RANK,
            &query.birth_rank,
            format!(
                "birth rank {:?} is not a number from 1 to 9",
                query.birth_rank
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(name: &str, first: &[&str], sex: &str, date: &str, place: Option<&str>) -> TraitsQuery {
        TraitsQuery {
            birth_name: name.into(),
            first_names: first.iter().map(|s| s.to_string()).collect(),
            sex: sex.into(),
            birth_date: date.into(),
            birthplace: place.map(Into::into),
        }
    }

    #[test]
    fn cnda_2_03_cas_3_is_refused_with_each_violation() {
        let v = traits(&q("D’ÆION", &["CŒUR"], "M", "1987-01-01", Some("2B020")));
        assert!(
            v.iter()
                .any(|v| v.field == "birth_name" && v.found.as_deref() == Some("’"))
        );
        assert!(
            v.iter()
                .any(|v| v.field == "birth_name" && v.found.as_deref() == Some("Æ"))
        );
        assert!(
            v.iter()
                .any(|v| v.field == "first_names[0]" && v.found.as_deref() == Some("Œ"))
        );
    }

    #[test]
    fn valid_traits_pass() {
        assert!(
            traits(&q(
                "D'ARTAGNAN DE L'HERAULT",
                &["PIERRE-ALAIN"],
                "M",
                "2001-06-17",
                Some("63220")
            ))
            .is_empty()
        );
        assert!(
            traits(&q(
                "ADRTROIS",
                &["TOUSSAINT"],
                "M",
                "1960-01-01",
                Some("2B020")
            ))
            .is_empty()
        );
    }

    #[test]
    fn bad_formats_are_refused() {
        let v = traits(&q("NOM", &[], "X", "14/07/2009", Some("6322")));
        let rules: Vec<&str> = v.iter().map(|v| v.rule_id.as_str()).collect();
        assert!(rules.contains(&RULE_NO_FIRST_NAME));
        assert!(rules.contains(&RULE_SEX));
        assert!(rules.contains(&RULE_BIRTH_DATE));
        assert!(rules.contains(&RULE_BIRTHPLACE));
    }

    #[test]
    fn first_name_count_limit_is_enforced_at_the_boundary() {
        let names = |n: usize| vec!["ZOE"; n];
        assert!(
            traits(&q(
                "ADRUN",
                &names(MAX_FIRST_NAMES),
                "F",
                "1975-12-31",
                None
            ))
            .is_empty()
        );
        let over = traits(&q(
            "ADRUN",
            &names(MAX_FIRST_NAMES + 1),
            "F",
            "1975-12-31",
            None,
        ));
        assert!(over.iter().any(|v| v.rule_id == RULE_LENGTH));
    }

    #[test]
    fn length_limit_is_enforced_at_the_boundary() {
        let at = "A".repeat(MAX_TRAIT_CHARS);
        let over = "A".repeat(MAX_TRAIT_CHARS + 1);
        assert!(traits(&q(&at, &["ZOE"], "F", "1975-12-31", None)).is_empty());
        assert!(!traits(&q(&over, &["ZOE"], "F", "1975-12-31", None)).is_empty());
    }
}
