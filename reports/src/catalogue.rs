//! The requirement catalogue (`scenarios/requirements.yaml`) and the user's DSR mapping.
//!
//! The catalogue says, for every requirement id a feature tag may carry, where the requirement
//! comes from, what it asks in one line, which software families it binds and whether the
//! harness checks it automatically or asks the operator to attest it.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::ReportError;

/// Largest catalogue or mapping file read (they are hand-written lists, a few kB).
pub const MAX_YAML_BYTES: u64 = 1024 * 1024;

/// The catalogue shipped with insilab.
const EMBEDDED_CATALOGUE: &str = include_str!("../../scenarios/requirements.yaml");

/// Document a requirement comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// The CNDA conformance test guide for INSi (test cases `2.03 cas 1`…).
    CndaTestGuide,
    /// ANS *Guide d'implémentation de l'INS dans les logiciels* v3 (`EXI ID nn`…).
    AnsGuideV3,
    /// *Référentiel national d'identitovigilance* (`EXI SI nn`).
    Rniv,
    /// The INSi web-service contract (WSDL, headers, TLS, answer dialects).
    InsiContract,
}

impl Source {
    /// Every source, in report order.
    pub const ALL: [Source; 4] = [
        Source::CndaTestGuide,
        Source::AnsGuideV3,
        Source::Rniv,
        Source::InsiContract,
    ];

    /// Title used in reports.
    pub fn title(self) -> &'static str {
        match self {
            Source::CndaTestGuide => "CNDA test guide",
            Source::AnsGuideV3 => "ANS INS implementation guide v3",
            Source::Rniv => "RNIV",
            Source::InsiContract => "INSi contract",
        }
    }

    /// The kebab-case key used in YAML and JSON.
    pub fn key(self) -> &'static str {
        match self {
            Source::CndaTestGuide => "cnda-test-guide",
            Source::AnsGuideV3 => "ans-guide-v3",
            Source::Rniv => "rniv",
            Source::InsiContract => "insi-contract",
        }
    }
}

/// Software family a requirement binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// Software that creates or modifies identities (patient admin, LGC, RIS…).
    IdentityRepository,
    /// Software that only receives identities through flows.
    NonRepository,
    /// Every software that handles the INS.
    All,
}

impl Family {
    /// Every family, in the order `--family` lists them.
    pub const ALL: [Family; 3] = [
        Family::NonRepository,
        Family::IdentityRepository,
        Family::All,
    ];

    /// `identity-repository`, `non-repository`, `all`.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::IdentityRepository => "identity-repository",
            Family::NonRepository => "non-repository",
            Family::All => "all",
        }
    }

    /// Parses [`Family::as_str`].
    pub fn parse(word: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.as_str() == word)
    }

    /// Whether a requirement binding `families` applies to software of family `self` (`all`
    /// judges everything; a requirement for `all` binds every family).
    pub fn is_bound_by(self, families: &[Family]) -> bool {
        self == Family::All || families.iter().any(|f| *f == Family::All || *f == self)
    }
}

/// How the harness establishes that a requirement holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckMode {
    /// Steps judge the exchanges and the outcome the software reports.
    Automated,
    /// An operator attests what the software displayed or did.
    Attestation,
}

/// One requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// Tag form of the id (`EXI-REC-07`), as written in feature tags.
    pub id: String,
    /// Id as the source writes it (`EXI REC 07`, `2.07 cas 1`).
    pub label: String,
    /// Source document.
    pub source: Source,
    /// One-line summary in our words.
    pub summary: String,
    /// Software families bound by the requirement.
    pub families: Vec<Family>,
    /// How it is checked.
    pub check: CheckMode,
}

/// The list of requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// Requirements, in file order.
    pub requirements: Vec<Requirement>,
}

impl Catalogue {
    /// Reads and checks a catalogue file.
    pub fn load(path: &Path) -> Result<Catalogue, ReportError> {
        let text = read_bounded(path)?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses and checks a catalogue from YAML text.
    pub fn from_yaml_str(text: &str) -> Result<Catalogue, ReportError> {
        Self::parse(text, "<string>")
    }

    /// The catalogue shipped with this build (`scenarios/requirements.yaml`).
    pub fn embedded() -> Catalogue {
        // The embedded file is checked by a unit test, so this cannot fail in a released build;
        // fall back to an empty catalogue rather than panicking if it ever did.
        Self::parse(EMBEDDED_CATALOGUE, "<embedded>").unwrap_or(Catalogue {
            requirements: Vec::new(),
        })
    }

    /// The requirement with this tag-form id.
    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }

    /// Requirements of one source, in file order.
    pub fn by_source(&self, source: Source) -> impl Iterator<Item = &Requirement> {
        self.requirements.iter().filter(move |r| r.source == source)
    }

    fn parse(text: &str, origin: &str) -> Result<Catalogue, ReportError> {
        let catalogue: Catalogue = serde_saphyr::from_str(text).map_err(|e| ReportError::Yaml {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        let mut seen = BTreeSet::new();
        for req in &catalogue.requirements {
            if !seen.insert(req.id.as_str()) {
                return Err(ReportError::DuplicateRequirement {
                    id: req.id.clone(),
                    origin: origin.to_owned(),
                });
            }
        }
        Ok(catalogue)
    }
}

/// One item of a Ségur DSR (the publisher's gated document) and the requirements it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DsrItem {
    /// DSR item id as the publisher's DSR writes it.
    pub id: String,
    /// Optional title of the item.
    #[serde(default)]
    pub title: Option<String>,
    /// Requirement ids (tag form) the item covers.
    pub requirements: Vec<String>,
}

/// The user-supplied mapping from DSR items to requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DsrMapping {
    /// Items, in file order.
    pub items: Vec<DsrItem>,
}

impl DsrMapping {
    /// Reads a mapping file and checks every requirement id against the catalogue.
    pub fn load(path: &Path, catalogue: &Catalogue) -> Result<DsrMapping, ReportError> {
        let text = read_bounded(path)?;
        Self::parse(&text, &path.display().to_string(), catalogue)
    }

    /// Parses a mapping from YAML text and checks it against the catalogue.
    pub fn from_yaml_str(text: &str, catalogue: &Catalogue) -> Result<DsrMapping, ReportError> {
        Self::parse(text, "<string>", catalogue)
    }

    fn parse(text: &str, origin: &str, catalogue: &Catalogue) -> Result<DsrMapping, ReportError> {
        let mapping: DsrMapping = serde_saphyr::from_str(text).map_err(|e| ReportError::Yaml {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        let mut seen = BTreeSet::new();
        for item in &mapping.items {
            if !seen.insert(item.id.as_str()) {
                return Err(ReportError::DuplicateDsrItem {
                    item: item.id.clone(),
                    origin: origin.to_owned(),
                });
            }
            if let Some(unknown) = item
                .requirements
                .iter()
                .find(|id| catalogue.get(id).is_none())
            {
                return Err(ReportError::UnknownRequirement {
                    item: item.id.clone(),
                    id: unknown.clone(),
                    origin: origin.to_owned(),
                });
            }
        }
        Ok(mapping)
    }
}

/// Reads a small text file, refusing anything above [`MAX_YAML_BYTES`].
fn read_bounded(path: &Path) -> Result<String, ReportError> {
    let size = std::fs::metadata(path)
        .map_err(|e| ReportError::io(path, e))?
        .len();
    if size > MAX_YAML_BYTES {
        return Err(ReportError::TooLarge {
            path: path.to_owned(),
            size,
            limit: MAX_YAML_BYTES,
        });
    }
    // Bounded read as well: devices and pipes report a length of 0 (`/dev/zero`).
    let mut text = String::new();
    let read = std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_string(
                &mut std::io::Read::take(f, MAX_YAML_BYTES + 1),
                &mut text,
            )
        })
        .map_err(|e| ReportError::io(path, e))?;
    if read as u64 > MAX_YAML_BYTES {
        return Err(ReportError::TooLarge {
            path: path.to_owned(),
            size: read as u64,
            limit: MAX_YAML_BYTES,
        });
    }
    Ok(text)
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on an unexpected error"
)]
mod tests {
    use super::*;

    #[test]
    fn a_family_is_bound_by_its_own_requirements_and_those_for_all() {
        use Family::*;
        assert!(NonRepository.is_bound_by(&[NonRepository]));
        assert!(NonRepository.is_bound_by(&[All]));
        assert!(!NonRepository.is_bound_by(&[IdentityRepository]));
        assert!(!IdentityRepository.is_bound_by(&[NonRepository]));
        assert!(All.is_bound_by(&[IdentityRepository]));
        for f in Family::ALL {
            assert_eq!(Family::parse(f.as_str()), Some(f));
            assert_eq!(
                serde_json::to_value(f).unwrap(),
                serde_json::Value::from(f.as_str())
            );
        }
        assert_eq!(Family::parse("repository"), None);
    }

    #[test]
    fn embedded_catalogue_parses_and_has_the_agreed_ids() {
        let cat = Catalogue::parse(EMBEDDED_CATALOGUE, "<embedded>").unwrap();
        for id in [
            "CNDA-2.03-cas1",
            "CNDA-2.08-cas2",
            "EXI-REC-07",
            "EXI-DIF-02",
            "RNIV-EXI-SI-09",
            "INSI-TLS-01",
            "INSI-RSP-03",
        ] {
            assert!(cat.get(id).is_some(), "{id} missing");
        }
        assert_eq!(Catalogue::embedded(), cat);
    }

    #[test]
    fn duplicate_requirement_is_refused() {
        let yaml = "requirements:\n\
          - {id: A, label: A, source: rniv, summary: s, families: [all], check: automated}\n\
          - {id: A, label: A, source: rniv, summary: s, families: [all], check: automated}\n";
        let err = Catalogue::from_yaml_str(yaml).unwrap_err();
        assert!(matches!(err, ReportError::DuplicateRequirement { ref id, .. } if id == "A"));
    }

    #[test]
    fn mapping_with_unknown_id_names_it() {
        let cat = Catalogue::embedded();
        let yaml = "items:\n  - id: DSR-1\n    requirements: [EXI-REC-07, EXI-NOPE-99]\n";
        let err = DsrMapping::from_yaml_str(yaml, &cat).unwrap_err();
        match err {
            ReportError::UnknownRequirement { item, id, .. } => {
                assert_eq!((item.as_str(), id.as_str()), ("DSR-1", "EXI-NOPE-99"));
            }
            other => panic!("unexpected error {other}"),
        }
    }

    #[test]
    fn example_mapping_loads() {
        let cat = Catalogue::embedded();
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/dsr-mapping.example.yaml");
        let mapping = DsrMapping::load(&path, &cat).unwrap();
        assert!(!mapping.items.is_empty());
    }

    #[test]
    fn oversized_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        let head = "requirements: []\n";
        let at_limit = format!(
            "{head}{}",
            "#".repeat(usize::try_from(MAX_YAML_BYTES).unwrap() - head.len())
        );
        std::fs::write(&path, &at_limit).unwrap();
        assert!(
            Catalogue::load(&path).is_ok(),
            "a file of exactly the limit is read"
        );
        std::fs::write(&path, at_limit + "#").unwrap();
        assert!(matches!(
            Catalogue::load(&path),
            Err(ReportError::TooLarge { .. })
        ));
    }
}
