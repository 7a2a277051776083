//! Which documented fault to answer, and in which captured form.
//!
//! One job: name a fault by its `Erreur` code (`insi_102`, `insi_101`, `desir_1020`…) with an
//! optional [`FaultVariant`] (the older `insi_102` capture: `severite="fatal"` before `code`,
//! no `messageID`), the same way in the dataset, in overrides and through the admin API.

use insilab_core::insi::faults::{self, FaultVariant};
use insilab_core::insi::model::Fault;
use serde::{Deserialize, Serialize};

/// A fault named in a dataset behaviour: a bare code (`fault: insi_102`) or a code with its
/// variant (`fault: {code: insi_102, variant: older}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FaultChoice {
    /// The fault in its current form.
    Code(String),
    /// The fault in the given form.
    WithVariant {
        /// `Erreur` code.
        code: String,
        /// Captured form (default `current`).
        #[serde(default)]
        variant: FaultVariant,
    },
}

impl FaultChoice {
    /// The `Erreur` code.
    pub fn code(&self) -> &str {
        match self {
            FaultChoice::Code(code) | FaultChoice::WithVariant { code, .. } => code,
        }
    }

    /// The captured form.
    pub fn variant(&self) -> FaultVariant {
        match self {
            FaultChoice::Code(_) => FaultVariant::Current,
            FaultChoice::WithVariant { variant, .. } => *variant,
        }
    }
}

/// The documented fault `code` in `variant`, echoing `message_id` unless the variant drops it;
/// `None` for an unknown code.
pub fn build(code: &str, variant: FaultVariant, message_id: Option<&str>) -> Option<Fault> {
    faults::by_code(code, message_id).map(|f| variant.apply(f))
}

/// Whether `v` is the default form (keeps serialised overrides short).
pub fn is_current(v: &FaultVariant) -> bool {
    *v == FaultVariant::Current
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;

    #[test]
    fn a_choice_reads_as_a_bare_code_or_with_its_variant() {
        let bare: FaultChoice = serde_saphyr::from_str("insi_102").unwrap();
        assert_eq!(bare, FaultChoice::Code("insi_102".into()));
        let older: FaultChoice =
            serde_saphyr::from_str("{code: insi_102, variant: older}").unwrap();
        assert_eq!(older.code(), "insi_102");
        assert_eq!(older.variant(), FaultVariant::Older);
        let f = build(older.code(), older.variant(), Some("uuid:1")).unwrap();
        assert_eq!(f.erreur.message_id, None);
        assert_eq!(f.erreur.severite, "fatal");
        assert!(build("insi_999", FaultVariant::Current, None).is_none());
    }

    #[test]
    fn the_variant_is_selectable_in_a_dataset_and_through_the_admin_api() {
        let yaml = "persons:\n  - id: older\n    birth_name: ADRUN\n    first_names: [ZOE]\n    sex: F\n    birth_date: \"1975-12-31\"\n    behaviour: {fault: {code: insi_102, variant: older}}\n";
        let d = crate::dataset::Dataset::from_yaml(yaml, "test").unwrap();
        let Some(crate::dataset::Behaviour::Fault(choice)) = &d.persons[0].behaviour else {
            panic!("a fault behaviour: {:?}", d.persons[0].behaviour)
        };
        assert_eq!(choice.variant(), FaultVariant::Older);
        let unknown = yaml.replace("insi_102", "insi_999");
        assert!(crate::dataset::Dataset::from_yaml(&unknown, "test").is_err());
        // The admin API's JSON (POST /overrides) is the OverrideSpec's serde form.
        let spec: crate::overrides::OverrideSpec = serde_json::from_str(
            r#"{"match": {"birth_name": "ADRUN"}, "answer": {"kind": "fault", "code": "insi_102", "variant": "older"}}"#,
        )
        .unwrap();
        assert_eq!(
            spec.answer,
            crate::overrides::OverrideAnswer::Fault {
                code: "insi_102".into(),
                variant: FaultVariant::Older
            }
        );
        spec.validate().unwrap();
    }
}
