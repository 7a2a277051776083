//! Reading the data tables and quoted lists of the steps.

use super::{StepArgs, StepError};
use crate::outcome::{CardInput, TraitsInput};

/// The quoted items of a step argument: `"OLA", "CATARINA"` → `[OLA, CATARINA]`.
pub(super) fn quoted_list(text: &str) -> Vec<String> {
    text.split('"')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_owned())
        .collect()
}

/// Reads the traits table of a search step.
pub fn traits_from_table(table: &[Vec<String>]) -> Result<TraitsInput, String> {
    let mut input = TraitsInput::default();
    for row in table {
        let [key, value] = row.as_slice() else {
            return Err(format!("a traits row must have two cells, found {row:?}"));
        };
        match key.trim().to_lowercase().as_str() {
            "nom de naissance" | "birth name" => input.birth_name = value.clone(),
            "prénoms" | "prenoms" | "first names" => {
                input.first_names = value
                    .split(' ')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            "sexe" | "sex" => input.sex = value.clone(),
            "date de naissance" | "birth date" => input.birth_date = value.clone(),
            "lieu de naissance" | "birthplace" => input.birthplace = Some(value.clone()),
            other => return Err(format!("unknown traits row {other:?}")),
        }
    }
    Ok(input)
}

/// Reads the card table of the Vitale search step.
pub fn card_from_table(table: &[Vec<String>]) -> Result<CardInput, String> {
    let mut input = CardInput {
        birth_rank: 1,
        ..CardInput::default()
    };
    for row in table {
        let [key, value] = row.as_slice() else {
            return Err(format!("a card row must have two cells, found {row:?}"));
        };
        match key.trim().to_lowercase().as_str() {
            "nir de l'assuré" | "nir de l'assure" | "insured nir" => {
                input.insured_nir = value.clone()
            }
            "nir du bénéficiaire" | "nir du beneficiaire" | "beneficiary nir" => {
                input.beneficiary_nir = Some(value.clone())
            }
            "nom de naissance" | "birth name" => input.birth_name = value.clone(),
            "date de naissance" | "birth date" => input.birth_date = value.clone(),
            "rang de naissance" | "birth rank" => {
                input.birth_rank = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("birth rank {value:?} is not a small number"))?
            }
            other => return Err(format!("unknown card row {other:?}")),
        }
    }
    Ok(input)
}

/// The data table of an action step, or a broken-step error naming what the step needs.
pub(super) fn step_table<'a>(a: &'a StepArgs, needs: &str) -> Result<&'a [Vec<String>], StepError> {
    a.table
        .as_deref()
        .ok_or_else(|| StepError::Broken(format!("the {needs} step needs a table")))
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;

    #[test]
    fn traits_table_reads_french_rows() {
        let table = vec![
            vec!["nom de naissance".to_owned(), "TCHITCHI".to_owned()],
            vec!["prénoms".to_owned(), "OLA CATARINA BELLA".to_owned()],
            vec!["sexe".to_owned(), "F".to_owned()],
            vec!["date de naissance".to_owned(), "1936-06-21".to_owned()],
        ];
        let t = traits_from_table(&table).unwrap();
        assert_eq!(t.first_names, ["OLA", "CATARINA", "BELLA"]);
        assert!(t.birthplace.is_none());
        assert!(traits_from_table(&[vec!["taille".into(), "1".into()]]).is_err());
    }

    #[test]
    fn quoted_lists_keep_the_items_in_order() {
        assert_eq!(quoted_list(r#""OLA", "CATARINA""#), ["OLA", "CATARINA"]);
        assert!(quoted_list("none").is_empty());
    }
}
