//! The INS matricule (NIR or NIA): layout, control key, Corsica codes.

use std::fmt;
use std::str::FromStr;

/// Length of the matricule body (everything but the key).
pub const BODY_LEN: usize = 13;
/// Length of the control key.
pub const KEY_LEN: usize = 2;
/// Length of a full matricule (body + key).
pub const MATRICULE_LEN: usize = BODY_LEN + KEY_LEN;

/// Why a string is not a matricule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MatriculeError {
    /// The matricule (or the body, for [`Matricule::from_parts`] and [`compute_key`]) has the
    /// wrong number of characters.
    #[error(
        "value has {found} characters, expected {expected} (13-character body, 15-character matricule)"
    )]
    WrongLength {
        /// Characters found.
        found: usize,
        /// Characters expected (15 for a matricule, 13 for a body).
        expected: usize,
    },
    /// The key given apart from the body is not two characters long.
    #[error("control key has {found} characters, expected 2")]
    WrongKeyLength {
        /// Characters found.
        found: usize,
    },
    /// A character is not allowed at this position (digits everywhere, `2A`/`2B` at 6–7).
    #[error("invalid character {found:?} at position {position} of the matricule")]
    InvalidCharacter {
        /// 1-based position in the 15-character matricule.
        position: usize,
        /// The character found.
        found: char,
    },
    /// The control key does not match the body.
    #[error("control key {found:02} is wrong, expected {expected:02}")]
    WrongKey {
        /// Key computed from the body.
        expected: u8,
        /// Key found.
        found: u8,
    },
}

/// An INS matricule: 13-character body + 2-digit control key.
///
/// The layout is always checked (digits, `2A`/`2B` in positions 6–7). The key is checked by
/// [`Matricule::parse`] and [`Matricule::from_parts`]; [`Matricule::parse_unchecked_key`] keeps a
/// wrong key so that answers such as CNDA 2.08 cas 2 can be represented and judged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Matricule {
    /// Invariant: 13 ASCII characters, valid layout.
    body: String,
    /// Invariant: 0..=99.
    key: u8,
}

impl Matricule {
    /// Parses a 15-character matricule and checks its key.
    pub fn parse(s: &str) -> Result<Matricule, MatriculeError> {
        let m = Self::parse_unchecked_key(s)?;
        m.checked()
    }

    /// Parses a 15-character matricule, checking the layout but keeping the key even if wrong.
    pub fn parse_unchecked_key(s: &str) -> Result<Matricule, MatriculeError> {
        let found = s.chars().count();
        if found != MATRICULE_LEN {
            return Err(MatriculeError::WrongLength {
                found,
                expected: MATRICULE_LEN,
            });
        }
        // 15 chars and (checked below) all ASCII, so byte slicing is on char boundaries.
        check_body(s.chars().take(BODY_LEN))?;
        let key = parse_key(s.chars().skip(BODY_LEN), BODY_LEN + 1)?;
        let body: String = s.chars().take(BODY_LEN).collect();
        Ok(Matricule { body, key })
    }

    /// Builds a matricule from a 13-character body and a separate 2-digit key; the key must be
    /// valid.
    pub fn from_parts(body13: &str, key: &str) -> Result<Matricule, MatriculeError> {
        Self::from_parts_unchecked_key(body13, key)?.checked()
    }

    /// Like [`Matricule::from_parts`] but keeps a wrong key (layout still checked).
    pub fn from_parts_unchecked_key(body13: &str, key: &str) -> Result<Matricule, MatriculeError> {
        let found = body13.chars().count();
        if found != BODY_LEN {
            return Err(MatriculeError::WrongLength {
                found,
                expected: BODY_LEN,
            });
        }
        check_body(body13.chars())?;
        let key_len = key.chars().count();
        if key_len != KEY_LEN {
            return Err(MatriculeError::WrongKeyLength { found: key_len });
        }
        let key = parse_key(key.chars(), BODY_LEN + 1)?;
        Ok(Matricule {
            body: body13.to_owned(),
            key,
        })
    }

    /// Builds the matricule whose key is the one computed from `body13`.
    pub fn with_computed_key(body13: &str) -> Result<Matricule, MatriculeError> {
        let key = compute_key(body13)?;
        Ok(Matricule {
            body: body13.to_owned(),
            key,
        })
    }

    fn checked(self) -> Result<Matricule, MatriculeError> {
        let expected = self.expected_key();
        if expected == self.key {
            Ok(self)
        } else {
            Err(MatriculeError::WrongKey {
                expected,
                found: self.key,
            })
        }
    }

    /// The 13-character body.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The key as carried (possibly wrong, see [`Matricule::is_key_valid`]).
    pub fn key(&self) -> u8 {
        self.key
    }

    /// The key computed from the body.
    pub fn expected_key(&self) -> u8 {
        key_of_checked_body(self.body.as_bytes())
    }

    /// Whether the carried key matches the body.
    pub fn is_key_valid(&self) -> bool {
        self.key == self.expected_key()
    }

    /// Position 1: `1` male, `2` female (other digits exist for provisional numbers).
    pub fn sex_digit(&self) -> char {
        char::from(self.body.as_bytes()[0])
    }

    /// Positions 2–3: last two digits of the birth year.
    pub fn year(&self) -> &str {
        &self.body[1..3]
    }

    /// Positions 4–5: birth month (`01`–`12`, or a special value when unknown).
    pub fn month(&self) -> &str {
        &self.body[3..5]
    }

    /// Positions 6–10: birth place (département + commune, `99` + country code abroad).
    pub fn place(&self) -> &str {
        &self.body[5..10]
    }

    /// Positions 11–13: order number.
    pub fn order(&self) -> &str {
        &self.body[10..13]
    }

    /// Whether positions 6–7 hold `2A` or `2B`.
    pub fn is_corsica(&self) -> bool {
        matches!(self.body.as_bytes()[6], b'A' | b'B')
    }

    /// Remarks on the layout that are not errors (ins-rules.md §1.1 marks them uncertain):
    /// a sex digit other than `1`/`2`, a month outside `01`–`12`.
    pub fn layout_remarks(&self) -> Vec<String> {
        let mut out = Vec::new();
        let sex = self.sex_digit();
        if sex != '1' && sex != '2' {
            out.push(format!(
                "sex digit {sex:?} is neither 1 (male) nor 2 (female): provisional or special number"
            ));
        }
        let month = self.month();
        if !matches!(month.parse::<u8>(), Ok(1..=12)) {
            out.push(format!(
                "month {month:?} is not 01-12: special value for an incomplete civil-status record"
            ));
        }
        out
    }
}

/// Checks the 13-character body layout; positions are 1-based in the matricule.
fn check_body(chars: impl Iterator<Item = char>) -> Result<(), MatriculeError> {
    let mut prev = ' ';
    for (i, c) in chars.enumerate() {
        let position = i + 1;
        let ok = match position {
            6 => c.is_ascii_digit(),
            7 => c.is_ascii_digit() || (prev == '2' && (c == 'A' || c == 'B')),
            _ => c.is_ascii_digit(),
        };
        if !ok {
            return Err(MatriculeError::InvalidCharacter { position, found: c });
        }
        prev = c;
    }
    Ok(())
}

fn parse_key(
    chars: impl Iterator<Item = char>,
    first_position: usize,
) -> Result<u8, MatriculeError> {
    let mut key: u8 = 0;
    for (i, c) in chars.enumerate() {
        let Some(d) = c.to_digit(10) else {
            return Err(MatriculeError::InvalidCharacter {
                position: first_position + i,
                found: c,
            });
        };
        // Two digits at most (callers check the length), so this stays below 100.
        key = key * 10 + d as u8;
    }
    Ok(key)
}

/// Computes the control key of a 13-character body: `97 − (N mod 97)`, with `2A` read as `19`
/// and `2B` as `18` (ins-rules.md §1.2).
pub fn compute_key(body13: &str) -> Result<u8, MatriculeError> {
    let found = body13.chars().count();
    if found != BODY_LEN {
        return Err(MatriculeError::WrongLength {
            found,
            expected: BODY_LEN,
        });
    }
    check_body(body13.chars())?;
    Ok(key_of_checked_body(body13.as_bytes()))
}

/// Key of a body whose layout was checked (13 ASCII bytes, digits or `2A`/`2B` at 6–7).
fn key_of_checked_body(body: &[u8]) -> u8 {
    let corsica = body.get(6).copied();
    let mut n: u64 = 0;
    for (i, &b) in body.iter().enumerate() {
        let d = match (i, corsica) {
            // "2A" -> "19", "2B" -> "18": rewrite both positions.
            (5, Some(b'A' | b'B')) => 1,
            (6, Some(b'A')) => 9,
            (6, Some(b'B')) => 8,
            _ => u64::from(b.wrapping_sub(b'0')),
        };
        n = n * 10 + d;
    }
    // 13 digits < 10^13 fits u64; the result is 1..=97.
    (97 - (n % 97)) as u8
}

impl fmt::Display for Matricule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{:02}", self.body, self.key)
    }
}

impl FromStr for Matricule {
    type Err = MatriculeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Matricule::parse(s)
    }
}

impl serde::Serialize for Matricule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Matricule {
    /// Deserialisation checks the layout but keeps a wrong key: stored answers must round-trip
    /// as returned (EXI REC 07); judge them with [`Matricule::is_key_valid`].
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Matricule::parse_unchecked_key(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corsica_forms_agree_with_ins_rules_example() {
        assert_eq!(compute_key("185032A004123"), Ok(24));
        assert_eq!(compute_key("185032B004123"), Ok(51));
    }

    #[test]
    fn letters_only_after_a_two_at_position_six() {
        assert_eq!(
            compute_key("185033A004123"),
            Err(MatriculeError::InvalidCharacter {
                position: 7,
                found: 'A'
            })
        );
        assert_eq!(
            compute_key("18503AB004123"),
            Err(MatriculeError::InvalidCharacter {
                position: 6,
                found: 'A'
            })
        );
        assert_eq!(
            compute_key("185032C004123"),
            Err(MatriculeError::InvalidCharacter {
                position: 7,
                found: 'C'
            })
        );
    }
}
