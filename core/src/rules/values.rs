//! The request checks on single values, for callers that judge a value before it is sent (the
//! reference client refuses an input with the very rules the simulator and `lint` apply to the
//! request it would become). Each function returns the findings of its element, at the path
//! given (`base` stands for the parent element).

use super::request::{
    check_birth_name, check_birthplace, check_date, check_first_names, check_rank, check_sex,
    matricule_problem,
};
use super::{Finding, Findings, RuleId};
use crate::ins::Oid;
use crate::insi::WireMatricule;

fn run(check: impl FnOnce(&mut Findings)) -> Vec<Finding> {
    let mut f = Findings::default();
    check(&mut f);
    f.0
}

/// `NomNaissance` (`INSI-TRT-001`, `-002`, `-013`).
pub fn birth_name(base: &str, value: Option<&str>) -> Vec<Finding> {
    run(|f| check_birth_name(f, base, &value.map(str::to_owned)))
}

/// The first names, one `Prenom` each (`INSI-TRT-003`, `-004`, `-013`); several are at
/// `{base}/Prenom[i]` (1-based).
pub fn first_names(base: &str, names: &[String]) -> Vec<Finding> {
    run(|f| check_first_names(f, base, names))
}

/// `Sexe` (`INSI-TRT-006`, `-007`).
pub fn sex(base: &str, value: Option<&str>) -> Vec<Finding> {
    run(|f| check_sex(f, base, &value.map(str::to_owned)))
}

/// `DateNaissance` (`INSI-TRT-008`, `-009`, `-010`).
pub fn birth_date(base: &str, value: Option<&str>) -> Vec<Finding> {
    run(|f| check_date(f, base, &value.map(str::to_owned)))
}

/// `LieuNaissance` (`INSI-TRT-011`, `-012`).
pub fn birthplace(base: &str, value: Option<&str>) -> Vec<Finding> {
    run(|f| check_birthplace(f, base, &value.map(str::to_owned)))
}

/// `RangNaissance` of a Vitale search (`INSI-VIT-004`).
pub fn birth_rank(path: &str, value: Option<&str>) -> Vec<Finding> {
    run(|f| check_rank(f, path, value))
}

/// A matricule with its key, under `rule` (`INSI-VIT-002` for a card search,
/// `INSI-VER-001` for the INS of a verification).
pub fn matricule(rule: RuleId, path: &str, value: &WireMatricule) -> Vec<Finding> {
    run(|f| {
        if let Some(problem) = matricule_problem(value) {
            f.push(rule, Some(path.to_owned()), problem);
        }
    })
}

/// The OID of the INS of a verification (`INSI-VER-002`).
pub fn ins_oid(path: &str, value: &str) -> Vec<Finding> {
    run(|f| {
        if let Err(e) = Oid::parse(value) {
            f.push(
                RuleId::Ver002,
                Some(path.to_owned()),
                format!("{path}: {e}"),
            );
        }
    })
}
