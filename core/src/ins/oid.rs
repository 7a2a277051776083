//! The INS assigning authorities (OIDs) and the INS itself (matricule + OID).

use std::fmt;
use std::str::FromStr;

use super::Matricule;

/// OID of the NIR authority (`Oid::Nir`): the one definition every crate uses.
pub const OID_NIR: &str = "1.2.250.1.213.1.4.8";
/// OID of the NIA authority (`Oid::Nia`).
pub const OID_NIA: &str = "1.2.250.1.213.1.4.9";

/// Root of the INS assigning-authority OIDs; the authority is the last arc.
pub const INS_OID_ROOT: &str = "1.2.250.1.213.1.4";

/// Longest OID text we look at; anything longer is reported truncated (keeps errors bounded).
const MAX_OID_ECHO: usize = 64;

/// Why a string is not an INS assigning-authority OID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OidError {
    /// The OID is empty.
    #[error("oid is empty")]
    Empty,
    /// Not a dotted-decimal OID at all.
    #[error("oid {0:?} is not a dotted-decimal oid")]
    Malformed(String),
    /// A well-formed OID that is not one of `.8`, `.9`, `.10`, `.11` of `1.2.250.1.213.1.4`
    /// (e.g. `.2`, the legacy INS-C, or `.5`).
    #[error(
        "oid {0:?} is not an ins assigning authority (expected 1.2.250.1.213.1.4.8, .9, .10 or .11)"
    )]
    NotInsAuthority(String),
}

/// An INS assigning authority (ins-rules.md §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Oid {
    /// `1.2.250.1.213.1.4.8`: INS-NIR (production).
    Nir,
    /// `1.2.250.1.213.1.4.9`: INS-NIA (production, identifier awaiting a NIR).
    Nia,
    /// `1.2.250.1.213.1.4.10`: INS-NIR de test (fictitious test patients).
    NirTest,
    /// `1.2.250.1.213.1.4.11`: INS-NIR de démonstration.
    NirDemo,
}

impl Oid {
    /// Every INS authority, in OID order.
    pub const ALL: [Oid; 4] = [Oid::Nir, Oid::Nia, Oid::NirTest, Oid::NirDemo];

    /// Parses the dotted OID (no `urn:oid:` prefix).
    pub fn parse(s: &str) -> Result<Oid, OidError> {
        if s.is_empty() {
            return Err(OidError::Empty);
        }
        if let Some(oid) = Self::ALL.into_iter().find(|o| o.as_str() == s) {
            return Ok(oid);
        }
        let echo: String = s.chars().take(MAX_OID_ECHO).collect();
        let well_formed = s
            .split('.')
            .all(|arc| !arc.is_empty() && arc.bytes().all(|b| b.is_ascii_digit()));
        if well_formed {
            Err(OidError::NotInsAuthority(echo))
        } else {
            Err(OidError::Malformed(echo))
        }
    }

    /// The dotted OID.
    pub fn as_str(self) -> &'static str {
        match self {
            Oid::Nir => OID_NIR,
            Oid::Nia => OID_NIA,
            Oid::NirTest => "1.2.250.1.213.1.4.10",
            Oid::NirDemo => "1.2.250.1.213.1.4.11",
        }
    }

    /// The FR Core slice name: `INS-NIR`, `INS-NIA`, `INS-NIR-TEST`, `INS-NIR-DEMO`.
    pub fn label(self) -> &'static str {
        match self {
            Oid::Nir => "INS-NIR",
            Oid::Nia => "INS-NIA",
            Oid::NirTest => "INS-NIR-TEST",
            Oid::NirDemo => "INS-NIR-DEMO",
        }
    }

    /// Whether this authority is for test or demonstration patients only.
    pub fn is_test_or_demo(self) -> bool {
        matches!(self, Oid::NirTest | Oid::NirDemo)
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Oid {
    type Err = OidError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Oid::parse(s)
    }
}

impl serde::Serialize for Oid {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Oid {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Oid::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An INS: a matricule never travels without its assigning authority.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Ins {
    /// The matricule (NIR or NIA).
    pub matricule: Matricule,
    /// Its assigning authority.
    pub oid: Oid,
}

impl Ins {
    /// Pairs a matricule with its authority.
    pub fn new(matricule: Matricule, oid: Oid) -> Ins {
        Ins { matricule, oid }
    }
}

impl fmt::Display for Ins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} {})", self.matricule, self.oid.label(), self.oid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_authorities_round_trip() {
        for oid in Oid::ALL {
            assert_eq!(Oid::parse(oid.as_str()), Ok(oid));
        }
    }

    #[test]
    fn other_oids_are_refused_with_their_kind() {
        assert_eq!(
            Oid::parse("1.2.250.1.213.1.4.2"),
            Err(OidError::NotInsAuthority("1.2.250.1.213.1.4.2".into()))
        );
        assert_eq!(
            Oid::parse("1.2.250.1.213.1.4.5"),
            Err(OidError::NotInsAuthority("1.2.250.1.213.1.4.5".into()))
        );
        assert_eq!(
            Oid::parse("1.2.250.1.213.1.1.1"),
            Err(OidError::NotInsAuthority("1.2.250.1.213.1.1.1".into()))
        );
        assert_eq!(
            Oid::parse("urn:oid:1.2.250.1.213.1.4.8"),
            Err(OidError::Malformed("urn:oid:1.2.250.1.213.1.4.8".into()))
        );
        assert_eq!(
            Oid::parse("1.2.250.1.213.1.4.8 "),
            Err(OidError::Malformed("1.2.250.1.213.1.4.8 ".into()))
        );
        assert_eq!(Oid::parse(""), Err(OidError::Empty));
    }
}
