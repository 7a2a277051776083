//! The dataset: who exists on the simulated platform and how each person answers.
//!
//! One job: load and validate the YAML description of persons (the embedded default reproduces
//! `cnda-test-data.md`). Matching a request against persons lives in [`crate::matching`].

use serde::{Deserialize, Serialize};

use crate::error::{Result, SimulatorError};

/// OIDs of the NIR and NIA assigning authorities (defined once, in `insilab_core::ins::oid`).
pub use insilab_core::ins::{OID_NIA, OID_NIR};

/// The embedded default dataset (CNDA cases and the other persons of the qualification platform).
pub const DEFAULT_DATASET_YAML: &str = include_str!("../data/default-dataset.yaml");

/// Largest dataset file accepted, so that a mistaken path cannot exhaust memory.
pub const MAX_DATASET_BYTES: u64 = 16 * 1024 * 1024;

/// A set of persons.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    /// Free text describing the dataset.
    #[serde(default)]
    pub description: Option<String>,
    /// The persons.
    #[serde(default)]
    pub persons: Vec<Person>,
    /// The verification answers, one template per case (reconstructed contract; the defaults
    /// follow `insi-protocol.md` §2).
    #[serde(default, skip_serializing_if = "VerificationAnswers::is_default")]
    pub verification: VerificationAnswers,
}

/// A case of the verification operation (reconstructed contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationCase {
    /// `INSFourni` is a person's active INS (with its OID) and the traits match.
    Verified,
    /// `INSFourni` is no person's INS (or not with that OID).
    Unknown,
    /// `INSFourni` is a person's active INS but the traits do not match.
    TraitsMismatch,
    /// `INSFourni` is a former (historised) INS of a person: replaced by the active one.
    Replaced,
}

impl VerificationCase {
    /// `verified`, `unknown`, `traits_mismatch`, `replaced`.
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationCase::Verified => "verified",
            VerificationCase::Unknown => "unknown",
            VerificationCase::TraitsMismatch => "traits_mismatch",
            VerificationCase::Replaced => "replaced",
        }
    }
}

/// The `RESULTAT` of one verification case: `CR/CodeCR`, `CR/LibelleCR` and whether the
/// person's `INDIVIDU` (active INS, history, traits) comes with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationTemplate {
    /// `CodeCR` (two digits).
    pub code: String,
    /// `LibelleCR`.
    pub label: String,
    /// Whether the answer carries the person's `INDIVIDU` (for `replaced`: names the active
    /// INS).
    #[serde(default)]
    pub individu: bool,
}

impl VerificationTemplate {
    fn of((code, label): (&str, &str), individu: bool) -> Self {
        VerificationTemplate {
            code: code.to_owned(),
            label: label.to_owned(),
            individu,
        }
    }
}

/// Longest `LibelleCR` of a verification template.
pub const MAX_VERIFICATION_LABEL_CHARS: usize = 200;

/// The verification answers of a dataset (key `verification`). **Reconstructed**: the
/// official contract is gated; a publisher holding it aligns these templates in its dataset,
/// without code. Defaults (`insi-protocol.md` §2): `verified` `00 OK` with the person's
/// `INDIVIDU`; `unknown`, `traits_mismatch` and `replaced` `01 Aucune identite trouvee` without
/// it (a replaced INS also gets the journal finding `INSI-VER-004`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VerificationAnswers {
    /// The INS is verified.
    pub verified: VerificationTemplate,
    /// The INS is unknown.
    pub unknown: VerificationTemplate,
    /// The traits do not match the INS.
    pub traits_mismatch: VerificationTemplate,
    /// The INS is a former INS of the person.
    pub replaced: VerificationTemplate,
}

impl Default for VerificationAnswers {
    fn default() -> Self {
        use insilab_core::insi::names::{CR_NOT_FOUND, CR_OK};
        VerificationAnswers {
            verified: VerificationTemplate::of(CR_OK, true),
            unknown: VerificationTemplate::of(CR_NOT_FOUND, false),
            traits_mismatch: VerificationTemplate::of(CR_NOT_FOUND, false),
            replaced: VerificationTemplate::of(CR_NOT_FOUND, false),
        }
    }
}

impl VerificationAnswers {
    /// Whether these are the defaults (then not written when a dataset is saved).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// The template of `case`.
    pub fn template(&self, case: VerificationCase) -> &VerificationTemplate {
        match case {
            VerificationCase::Verified => &self.verified,
            VerificationCase::Unknown => &self.unknown,
            VerificationCase::TraitsMismatch => &self.traits_mismatch,
            VerificationCase::Replaced => &self.replaced,
        }
    }

    fn validate(&self, origin: &str) -> Result<()> {
        for case in [
            VerificationCase::Verified,
            VerificationCase::Unknown,
            VerificationCase::TraitsMismatch,
            VerificationCase::Replaced,
        ] {
            let t = self.template(case);
            let bad = |message: String| SimulatorError::DatasetValue {
                origin: origin.to_owned(),
                person: format!("verification.{}", case.as_str()),
                message,
            };
            if t.code.len() != 2 || !t.code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(format!("code `{}` is not two digits", t.code)));
            }
            if t.label.trim().is_empty() || t.label.chars().count() > MAX_VERIFICATION_LABEL_CHARS {
                return Err(bad(format!(
                    "label must be 1 to {MAX_VERIFICATION_LABEL_CHARS} characters"
                )));
            }
            if case == VerificationCase::Unknown && t.individu {
                return Err(bad(
                    "an unknown INS designates no person: individu must be false".into(),
                ));
            }
        }
        Ok(())
    }
}

/// One person known to the simulated platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// A stable id (e.g. `cnda-2.04`), used in the journal and in error messages.
    pub id: String,
    /// Where the person comes from (e.g. the CNDA case), for readers.
    #[serde(default)]
    pub note: Option<String>,
    /// Birth name (`NomNaissance`), in the INSi lexical profile.
    pub birth_name: String,
    /// Birth first names, in order (`ListePrenom` is these joined by one space).
    pub first_names: Vec<String>,
    /// `M` or `F`.
    pub sex: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// INSEE COG code of the birthplace.
    #[serde(default)]
    pub birthplace: Option<String>,
    /// The active INS; absent for persons that only answer a fault.
    #[serde(default)]
    pub ins: Option<InsNumber>,
    /// Earlier INS (`INSHISTO`), in the order they are returned.
    #[serde(default)]
    pub history: Vec<InsNumber>,
    /// Deviations of the returned traits (`TIQ`) from the person's traits.
    #[serde(default)]
    pub tiq: TiqOptions,
    /// What the person answers instead of the computed result.
    #[serde(default)]
    pub behaviour: Option<Behaviour>,
    /// How the person appears on a Vitale card (default: holder of their own card, rank 1).
    #[serde(default)]
    pub card: CardEntry,
    /// The person's `00` answer in each dialect, written once (see [`crate::answer_cache`]).
    #[serde(skip)]
    pub(crate) answers: crate::answer_cache::PerDialect,
}

/// How a person appears on a Vitale card: the card search matches `MatriculeOD` against
/// [`holder`](Self::holder) and `RangNaissance` against [`rank`](Self::rank).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardEntry {
    /// The insured person's matricule (`MatriculeOD`, 13 characters) when the person is a
    /// beneficiary on someone else's card; absent when the person holds the card.
    #[serde(default)]
    pub holder: Option<String>,
    /// Birth rank (`RangNaissance`) on the card: distinguishes twins on one card.
    #[serde(default = "default_rank")]
    pub rank: String,
}

impl Default for CardEntry {
    fn default() -> Self {
        CardEntry {
            holder: None,
            rank: default_rank(),
        }
    }
}

fn default_rank() -> String {
    "1".to_owned()
}

/// An INS as returned in `INSACTIF` or `INSHISTO`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsNumber {
    /// The 13-character `NumIdentifiant`.
    pub matricule: String,
    /// The key as returned. When absent the valid mod-97 key is computed; when present it is
    /// returned as written, even when wrong (CNDA 2.08 cas 2 ships wrong keys on purpose), and
    /// `raw_key: true` must say that a wrong key is deliberate.
    #[serde(default)]
    pub key: Option<String>,
    /// Set when `key` is deliberately not the valid key.
    #[serde(default)]
    pub raw_key: bool,
    /// Assigning authority OID (default: NIR).
    #[serde(default = "default_oid")]
    pub oid: String,
    /// `TypeMatricule`, returned only by dialects that carry it.
    #[serde(default)]
    pub type_matricule: Option<String>,
    /// `DateDeb`.
    #[serde(default)]
    pub start: Option<String>,
    /// `DateFin`.
    #[serde(default)]
    pub end: Option<String>,
}

fn default_oid() -> String {
    OID_NIR.to_owned()
}

/// Deviations of the returned `TIQ` from the person's traits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TiqOptions {
    /// Return `TIQ/Prenom` (the first first name) even in dialects that dropped it.
    #[serde(default)]
    pub prenom: bool,
}

/// What a person answers instead of the computed search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Behaviour {
    /// Answer the fault with this `Erreur` code (e.g. `insi_102`, `desir_1020`), optionally in
    /// a given captured form (`{code: insi_102, variant: older}`).
    Fault(crate::fault_choice::FaultChoice),
    /// Answer this CNDA answer file verbatim (e.g. `TEST_2.05`).
    AnswerFile(String),
}

impl Dataset {
    /// The embedded default dataset.
    pub fn embedded_default() -> Result<Self> {
        Self::from_yaml(DEFAULT_DATASET_YAML, "embedded default")
    }

    /// Parses and validates a dataset from YAML text; `origin` names it in errors.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Self> {
        let dataset: Dataset =
            serde_saphyr::from_str(text).map_err(|e| SimulatorError::DatasetSyntax {
                origin: origin.to_owned(),
                message: e.to_string(),
            })?;
        dataset.validate(origin)?;
        Ok(dataset)
    }

    /// Reads, parses and validates a dataset file.
    pub fn load(path: &std::path::Path) -> Result<Self> {
        let io = |source| SimulatorError::DatasetIo {
            path: path.to_owned(),
            source,
        };
        let len = std::fs::metadata(path).map_err(io)?.len();
        if len > MAX_DATASET_BYTES {
            return Err(SimulatorError::DatasetValue {
                origin: path.display().to_string(),
                person: "-".into(),
                message: format!("file is {len} bytes, more than the {MAX_DATASET_BYTES} allowed"),
            });
        }
        // Bounded read as well: devices and pipes report a length of 0 (`/dev/zero`).
        let mut text = String::new();
        let read = std::fs::File::open(path).and_then(|f| {
            std::io::Read::read_to_string(
                &mut std::io::Read::take(f, MAX_DATASET_BYTES + 1),
                &mut text,
            )
        });
        match read.map_err(io)? as u64 {
            n if n > MAX_DATASET_BYTES => {
                return Err(SimulatorError::DatasetValue {
                    origin: path.display().to_string(),
                    person: "-".into(),
                    message: format!("more than the {MAX_DATASET_BYTES} bytes allowed"),
                });
            }
            _ => {}
        }
        Self::from_yaml(&text, &path.display().to_string())
    }

    /// Appends the persons of `other` (later datasets add persons; ids must stay unique); its
    /// verification templates, when not the defaults, replace these.
    pub fn merge(&mut self, other: Dataset, origin: &str) -> Result<()> {
        self.persons.extend(other.persons);
        if !other.verification.is_default() {
            self.verification = other.verification;
        }
        self.validate(origin)
    }

    fn validate(&self, origin: &str) -> Result<()> {
        self.verification.validate(origin)?;
        let mut seen = std::collections::HashSet::new();
        for p in &self.persons {
            let bad = |message: String| SimulatorError::DatasetValue {
                origin: origin.to_owned(),
                person: p.id.clone(),
                message,
            };
            if !seen.insert(p.id.as_str()) {
                return Err(bad("duplicate person id".into()));
            }
            if p.sex != "M" && p.sex != "F" {
                return Err(bad(format!("sex `{}` is neither M nor F", p.sex)));
            }
            if !is_iso_date(&p.birth_date) {
                return Err(bad(format!(
                    "birth_date `{}` is not YYYY-MM-DD",
                    p.birth_date
                )));
            }
            if p.first_names.is_empty() {
                return Err(bad("first_names is empty".into()));
            }
            if p.ins.is_none() && !matches!(p.behaviour, Some(Behaviour::Fault(_))) {
                return Err(bad(
                    "a person without `ins` must have a fault behaviour".into()
                ));
            }
            if let Some(Behaviour::Fault(choice)) = &p.behaviour
                && insilab_core::insi::faults::by_code(choice.code(), None).is_none()
            {
                return Err(bad(format!("unknown fault code `{}`", choice.code())));
            }
            if let Some(Behaviour::AnswerFile(name)) = &p.behaviour
                && crate::answers::answer_file(name).is_none()
            {
                return Err(bad(format!("unknown answer file `{name}`")));
            }
            for ins in p.ins.iter().chain(&p.history) {
                ins.validate().map_err(bad)?;
            }
        }
        Ok(())
    }
}

impl InsNumber {
    /// The key to return: the written one, else the computed valid key.
    pub fn effective_key(&self) -> String {
        match &self.key {
            Some(k) => k.clone(),
            // validate() made sure the matricule is computable.
            None => compute_key(&self.matricule).unwrap_or_default(),
        }
    }

    fn validate(&self) -> Result<(), String> {
        let Some(valid) = compute_key(&self.matricule) else {
            return Err(format!(
                "matricule `{}` is not 13 characters of the NIR shape",
                self.matricule
            ));
        };
        if let Some(key) = &self.key
            && *key != valid
            && !self.raw_key
        {
            return Err(format!(
                "key `{key}` of `{}` is not the valid key `{valid}` (set raw_key: true if deliberate)",
                self.matricule
            ));
        }
        for d in self.start.iter().chain(&self.end) {
            if !is_iso_date(d) {
                return Err(format!("date `{d}` is not YYYY-MM-DD"));
            }
        }
        Ok(())
    }
}

/// Computes the mod-97 key of a 13-character matricule (Corsica `2A`→`19`, `2B`→`18`).
pub fn compute_key(matricule: &str) -> Option<String> {
    let m = matricule.as_bytes();
    if m.len() != 13 {
        return None;
    }
    let mut digits = String::with_capacity(13);
    for (i, c) in matricule.chars().enumerate() {
        match (i, c) {
            (6, 'A') if m[5] == b'2' => {
                digits.pop();
                digits.push_str("19");
            }
            (6, 'B') if m[5] == b'2' => {
                digits.pop();
                digits.push_str("18");
            }
            (_, d) if d.is_ascii_digit() => digits.push(d),
            _ => return None,
        }
    }
    let n: u64 = digits.parse().ok()?;
    Some(format!("{:02}", 97 - n % 97))
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;

    #[test]
    fn the_documented_verification_templates_are_the_defaults() {
        let doc = include_str!("../../docs/datasets.md");
        let block = doc
            .split("```yaml\nverification:")
            .nth(1)
            .and_then(|b| b.split("```").next())
            .unwrap();
        let dataset = Dataset::from_yaml(&format!("verification:{block}"), "docs").unwrap();
        assert_eq!(dataset.verification, VerificationAnswers::default());
        assert!(dataset.verification.is_default());
        // Written back without the defaults: a saved dataset is unchanged by the feature.
        let yaml = serde_saphyr::to_string(&Dataset::default()).unwrap();
        assert!(!yaml.contains("verification"), "{yaml}");
    }

    #[test]
    fn keys_of_the_cnda_table_are_recomputed() {
        assert_eq!(compute_key("1010663220754").as_deref(), Some("60"));
        assert_eq!(compute_key("160012B020777").as_deref(), Some("13"));
        assert_eq!(compute_key("297022A020778").as_deref(), Some("78"));
        assert_eq!(compute_key("1810363220456").as_deref(), Some("76"));
        assert_eq!(compute_key("2810363220456").as_deref(), Some("26"));
        assert_eq!(compute_key("12345"), None);
    }

    #[test]
    fn embedded_default_dataset_loads() {
        let d = Dataset::embedded_default().unwrap();
        assert!(d.persons.len() >= 15);
    }

    #[test]
    fn wrong_key_without_raw_key_is_refused() {
        let yaml = "persons:\n  - id: x\n    birth_name: A\n    first_names: [B]\n    sex: M\n    birth_date: '2000-01-01'\n    ins: {matricule: '1010663220754', key: '61'}\n";
        let err = Dataset::from_yaml(yaml, "t").unwrap_err();
        assert!(err.to_string().contains("raw_key"), "{err}");
    }
}
