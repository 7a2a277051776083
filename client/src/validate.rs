//! Checks a query before any call (CNDA 2.03 cas 3: invalid traits are refused, not sent).
//!
//! The client does not judge by itself: every value goes through the request checks of
//! `insilab_core::rules` (the same rules the simulator journal and `insilab lint` report), and a
//! finding of severity fault or CNDA refuses the query under the rule's own id. Lexical findings
//! (`INSI-TRT-002`, `INSI-TRT-004`) carry the `LEX-…` rule, position and character of each
//! violation.

use insilab_core::ins::Matricule;
use insilab_core::ins::lexical::{self, NameKind, Violation};
use insilab_core::insi::WireMatricule;
use insilab_core::rules::{Finding, RuleId, Severity, values};

use crate::outcome::InputViolation;
use crate::query::{CardQuery, TraitsQuery, VerifyQuery};

pub use insilab_core::rules::{MAX_FIRST_NAMES, MAX_TRAIT_CHARS};

/// Keeps the findings that refuse a query (advice never does) as violations of `field`.
/// `lexical` is the value the lexical findings were computed on, if it is a name.
fn refuse(
    field: &str,
    found: Option<&str>,
    lexical: Option<(&str, NameKind)>,
    findings: Vec<Finding>,
    out: &mut Vec<InputViolation>,
) {
    // A name's lexical findings come one per violation, in the order `lexical::validate`
    // returns them: pair them to keep the position and character.
    let mut details: std::vec::IntoIter<Violation> = lexical
        .map(|(v, k)| lexical::validate(v, k))
        .unwrap_or_default()
        .into_iter();
    for f in findings {
        let detail = matches!(f.rule_id, RuleId::Trt002 | RuleId::Trt004)
            .then(|| details.next())
            .flatten();
        if f.severity == Severity::Advice {
            continue;
        }
        out.push(InputViolation {
            field: field.to_owned(),
            rule_id: f.rule_id,
            lexical_rule: detail.as_ref().map(|d| d.rule_id),
            position: detail.as_ref().map(|d| d.position),
            found: match &detail {
                Some(d) => d.found.map(String::from),
                None => found.map(str::to_owned),
            },
            message: match &detail {
                Some(d) => format!("{field}: {}", d.message),
                None => format!("{field}: {}", f.message),
            },
        });
    }
}

fn check_birth_name(value: &str, out: &mut Vec<InputViolation>) {
    refuse(
        "birth_name",
        Some(value),
        Some((value, NameKind::BirthName)),
        values::birth_name("birth_name", Some(value)),
        out,
    );
}

fn check_first_names(names: &[String], out: &mut Vec<InputViolation>) {
    // Checked one name at a time so that each violation names its input.
    if names.is_empty() || names.len() > MAX_FIRST_NAMES {
        refuse(
            "first_names",
            Some(""),
            None,
            values::first_names("first_names", names),
            out,
        );
        return;
    }
    for (i, name) in names.iter().enumerate() {
        let field = format!("first_names[{i}]");
        refuse(
            &field,
            Some(name),
            Some((name, NameKind::FirstName)),
            values::first_names(&field, std::slice::from_ref(name)),
            out,
        );
    }
}

fn check_sex(sex: &str, out: &mut Vec<InputViolation>) {
    refuse("sex", Some(sex), None, values::sex("sex", Some(sex)), out);
}

fn check_date(field: &str, date: &str, out: &mut Vec<InputViolation>) {
    refuse(
        field,
        Some(date),
        None,
        values::birth_date(field, Some(date)),
        out,
    );
}

fn check_birthplace(place: Option<&str>, out: &mut Vec<InputViolation>) {
    if let Some(place) = place {
        refuse(
            "birthplace",
            Some(place),
            None,
            values::birthplace("birthplace", Some(place)),
            out,
        );
    }
}

/// The matricule as it would travel: 15 characters split into body and key, or (when
/// `allow_short`) 13 characters with the key computed; anything else travels without a key.
fn wire_matricule(value: &str, allow_short: bool) -> WireMatricule {
    let value = value.trim();
    let (num, cle) = match value.chars().count() {
        15 if value.is_char_boundary(13) => (value[..13].to_owned(), Some(value[13..].to_owned())),
        13 if allow_short => (
            value.to_owned(),
            Matricule::with_computed_key(value)
                .ok()
                .map(|m| format!("{:02}", m.key())),
        ),
        _ => (value.to_owned(), None),
    };
    WireMatricule {
        num_identifiant: num,
        cle,
        type_matricule: None,
    }
}

fn check_matricule(
    field: &str,
    rule: RuleId,
    value: &str,
    allow_short: bool,
    out: &mut Vec<InputViolation>,
) {
    refuse(
        field,
        Some(value.trim()),
        None,
        values::matricule(rule, field, &wire_matricule(value, allow_short)),
        out,
    );
}

/// Violations of a traits search (empty when it may be sent).
pub fn traits(query: &TraitsQuery) -> Vec<InputViolation> {
    let mut out = Vec::new();
    check_birth_name(&query.birth_name, &mut out);
    check_first_names(&query.first_names, &mut out);
    check_sex(&query.sex, &mut out);
    check_date("birth_date", &query.birth_date, &mut out);
    check_birthplace(query.birthplace.as_deref(), &mut out);
    out
}

/// Violations of a verification.
pub fn verify(query: &VerifyQuery) -> Vec<InputViolation> {
    let mut out = Vec::new();
    check_matricule("ins", RuleId::Ver001, &query.ins, false, &mut out);
    refuse(
        "oid",
        Some(&query.oid),
        None,
        values::ins_oid("oid", &query.oid),
        &mut out,
    );
    check_birth_name(&query.birth_name, &mut out);
    check_first_names(&query.first_names, &mut out);
    check_sex(&query.sex, &mut out);
    check_date("birth_date", &query.birth_date, &mut out);
    check_birthplace(query.birthplace.as_deref(), &mut out);
    out
}

/// Violations of a Vitale card search.
pub fn card(query: &CardQuery) -> Vec<InputViolation> {
    let mut out = Vec::new();
    check_matricule(
        "insured_nir",
        RuleId::Vit002,
        &query.insured_nir,
        true,
        &mut out,
    );
    if let Some(b) = &query.beneficiary_nir {
        check_matricule("beneficiary_nir", RuleId::Vit002, b, true, &mut out);
    }
    check_birth_name(&query.birth_name, &mut out);
    check_date("birth_date", &query.birth_date, &mut out);
    refuse(
        "birth_rank",
        Some(&query.birth_rank),
        None,
        values::birth_rank("birth_rank", Some(&query.birth_rank)),
        &mut out,
    );
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
        let rules: Vec<RuleId> = v.iter().map(|v| v.rule_id).collect();
        assert!(rules.contains(&RuleId::Trt003));
        assert!(rules.contains(&RuleId::Trt007));
        assert!(rules.contains(&RuleId::Trt009));
        assert!(rules.contains(&RuleId::Trt011));
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
        assert!(over.iter().any(|v| v.rule_id == RuleId::Trt013));
    }

    #[test]
    fn length_limit_is_enforced_at_the_boundary() {
        let at = "A".repeat(MAX_TRAIT_CHARS);
        let over = "A".repeat(MAX_TRAIT_CHARS + 1);
        assert!(traits(&q(&at, &["ZOE"], "F", "1975-12-31", None)).is_empty());
        assert!(!traits(&q(&over, &["ZOE"], "F", "1975-12-31", None)).is_empty());
    }
}
