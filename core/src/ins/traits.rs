//! The strict traits of an identity: birth name, first-name list, sex, birth date, birthplace.

use std::fmt;
use std::str::FromStr;

use time::{Date, Month};

use super::Matricule;

/// Why a trait value is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TraitError {
    /// Sex other than `M` / `F`.
    #[error("sex {0:?} is neither M nor F")]
    Sex(String),
    /// Birth date text not in the `YYYY-MM-DD` form.
    #[error("birth date {0:?} is not of the form YYYY-MM-DD")]
    DateFormat(String),
    /// Birth date in the right form but not a calendar date (e.g. `2001-02-30`, month `13`).
    #[error("birth date {0:?} is not a calendar date")]
    DateNotInCalendar(String),
    /// An incomplete date cannot be completed automatically: the year is unknown and the user
    /// must choose one compatible with the stated age (EXI ID 11).
    #[error("birth date has no year: the user must choose one compatible with the stated age")]
    UnknownYear,
    /// Birthplace COG code not of 5 characters.
    #[error("birthplace code {0:?} is not 5 characters")]
    CogLength(String),
    /// Birthplace COG code with a character not allowed at its position.
    #[error("birthplace code {value:?} has invalid character {found:?} at position {position}")]
    CogCharacter {
        /// The code.
        value: String,
        /// 1-based position.
        position: usize,
        /// The character found.
        found: char,
    },
}

/// Longest value echoed back in an error (keeps errors bounded on hostile input).
const MAX_ECHO: usize = 32;

fn echo(s: &str) -> String {
    s.chars().take(MAX_ECHO).collect()
}

/// The strict sex trait: INSi delivers `M` or `F` only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Sex {
    /// `M`.
    M,
    /// `F`.
    F,
}

impl Sex {
    /// Parses `M` or `F` (exactly, upper case).
    pub fn parse(s: &str) -> Result<Sex, TraitError> {
        match s {
            "M" => Ok(Sex::M),
            "F" => Ok(Sex::F),
            other => Err(TraitError::Sex(echo(other))),
        }
    }

    /// `M` or `F`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::M => "M",
            Sex::F => "F",
        }
    }

    /// The matricule sex digit that usually goes with this sex (`1` / `2`).
    pub fn usual_sex_digit(self) -> char {
        match self {
            Sex::M => '1',
            Sex::F => '2',
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Sex {
    type Err = TraitError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Sex::parse(s)
    }
}

/// A birth date, complete or with unknown parts (guide EXI ID 11/12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BirthDate {
    /// A full calendar date.
    Full(Date),
    /// Some part is unknown (`None`); at least one is unknown.
    Incomplete {
        /// Year, if known.
        year: Option<u16>,
        /// Month 1–12, if known.
        month: Option<u8>,
        /// Day 1–31, if known.
        day: Option<u8>,
    },
}

/// A date completed by the EXI ID 11 rules, with the flag that says whether it is fictive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CompletedDate {
    /// The date to store in the health-identity birth-date field.
    pub date: Date,
    /// `true` when some part was invented by the completion rule (EXI ID 12: the flag travels
    /// with the identity).
    pub fictive: bool,
}

impl BirthDate {
    /// Parses `YYYY-MM-DD`. Unknown parts written as zeros (`0000`, `00`) give
    /// [`BirthDate::Incomplete`]: how INSi encodes unknown parts is not public (ins-rules.md
    /// §3.4), this is insilab's convention.
    pub fn parse(s: &str) -> Result<BirthDate, TraitError> {
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(TraitError::DateFormat(echo(s)));
        }
        // Shape checked: ASCII digits at these ranges, so the slices and parses succeed.
        let num = |r: std::ops::Range<usize>| s[r].parse::<u16>().unwrap_or(0);
        let (year, month, day) = (num(0..4), num(5..7), num(8..10));
        let not_calendar = || TraitError::DateNotInCalendar(echo(s));
        if month > 12 || day > 31 {
            return Err(not_calendar());
        }
        if year == 0 || month == 0 || day == 0 {
            let bd = BirthDate::Incomplete {
                year: (year != 0).then_some(year),
                month: (month != 0).then_some(month as u8),
                day: (day != 0).then_some(day as u8),
            };
            // A known day must exist in the known month (any year: Feb 29 allowed if no year).
            if let (Some(m), Some(d)) = (bd.month(), bd.day()) {
                let y = bd.year().map_or(2000, i32::from);
                if date(y, m, d).is_none() {
                    return Err(not_calendar());
                }
            }
            return Ok(bd);
        }
        date(i32::from(year), month as u8, day as u8)
            .map(BirthDate::Full)
            .ok_or_else(not_calendar)
    }

    /// Year, if known.
    pub fn year(&self) -> Option<u16> {
        match self {
            // Dates we build have years 1..=9999.
            BirthDate::Full(d) => u16::try_from(d.year()).ok(),
            BirthDate::Incomplete { year, .. } => *year,
        }
    }

    /// Month, if known.
    pub fn month(&self) -> Option<u8> {
        match self {
            BirthDate::Full(d) => Some(u8::from(d.month())),
            BirthDate::Incomplete { month, .. } => *month,
        }
    }

    /// Day, if known.
    pub fn day(&self) -> Option<u8> {
        match self {
            BirthDate::Full(d) => Some(d.day()),
            BirthDate::Incomplete { day, .. } => *day,
        }
    }

    /// Whether some part is unknown.
    pub fn is_incomplete(&self) -> bool {
        matches!(self, BirthDate::Incomplete { .. })
    }

    /// Completes the date per guide EXI ID 11: unknown day ⇒ 01; unknown month ⇒ January;
    /// unknown day and month ⇒ 31 December; unknown year ⇒ [`TraitError::UnknownYear`].
    pub fn complete(&self) -> Result<CompletedDate, TraitError> {
        match *self {
            BirthDate::Full(date) => Ok(CompletedDate {
                date,
                fictive: false,
            }),
            BirthDate::Incomplete { year: None, .. } => Err(TraitError::UnknownYear),
            BirthDate::Incomplete {
                year: Some(y),
                month,
                day,
            } => {
                let (m, d) = match (month, day) {
                    (None, None) => (12, 31),
                    (Some(m), None) => (m, 1),
                    (None, Some(d)) => (1, d),
                    (Some(m), Some(d)) => (m, d),
                };
                // A known day that does not exist in that year (29 Feb of a common year)
                // falls back to the last day of the month.
                let date = date(i32::from(y), m, d)
                    .or_else(|| date(i32::from(y), m, 28))
                    .ok_or_else(|| {
                        TraitError::DateNotInCalendar(format!("{y:04}-{m:02}-{d:02}"))
                    })?;
                Ok(CompletedDate {
                    date,
                    fictive: true,
                })
            }
        }
    }
}

fn date(year: i32, month: u8, day: u8) -> Option<Date> {
    let month = Month::try_from(month).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

impl fmt::Display for BirthDate {
    /// `YYYY-MM-DD`, unknown parts as zeros (the form [`BirthDate::parse`] reads).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year().unwrap_or(0),
            self.month().unwrap_or(0),
            self.day().unwrap_or(0)
        )
    }
}

impl FromStr for BirthDate {
    type Err = TraitError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BirthDate::parse(s)
    }
}

impl serde::Serialize for BirthDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for BirthDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        BirthDate::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// What a birthplace COG code designates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CogKind {
    /// Metropolitan commune: 2-digit département + 3-digit commune.
    Commune,
    /// Corsican commune: `2A` / `2B` + 3 digits.
    Corsica,
    /// Corsican commune coded before the 1976 split (`20` + 3 digits); INSi now answers `2A`/`2B`.
    CorsicaLegacy,
    /// Overseas: `97x` / `98x` + 2 digits.
    Overseas,
    /// Born abroad: `99` + INSEE country code.
    Abroad,
}

/// A birthplace INSEE COG code (5 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cog(String);

impl Cog {
    /// Parses a 5-character COG code: digits, or `2A`/`2B` followed by 3 digits; département
    /// `00` does not exist.
    pub fn parse(s: &str) -> Result<Cog, TraitError> {
        let count = s.chars().count();
        if count != 5 {
            return Err(TraitError::CogLength(echo(s)));
        }
        let mut prev = ' ';
        for (i, c) in s.chars().enumerate() {
            let ok = c.is_ascii_digit() || (i == 1 && prev == '2' && (c == 'A' || c == 'B'));
            if !ok {
                return Err(TraitError::CogCharacter {
                    value: echo(s),
                    position: i + 1,
                    found: c,
                });
            }
            prev = c;
        }
        if s.starts_with("00") {
            return Err(TraitError::CogCharacter {
                value: echo(s),
                position: 2,
                found: '0',
            });
        }
        Ok(Cog(s.to_owned()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the code designates.
    pub fn kind(&self) -> CogKind {
        let b = self.0.as_bytes();
        match (b[0], b[1]) {
            (b'2', b'A' | b'B') => CogKind::Corsica,
            (b'2', b'0') => CogKind::CorsicaLegacy,
            (b'9', b'9') => CogKind::Abroad,
            (b'9', b'7' | b'8') => CogKind::Overseas,
            _ => CogKind::Commune,
        }
    }
}

impl fmt::Display for Cog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Cog {
    type Err = TraitError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cog::parse(s)
    }
}

impl serde::Serialize for Cog {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Cog {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Cog::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The strict traits of an identity (ins-rules.md §3.1).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Traits {
    /// Birth name (nom de naissance).
    pub birth_name: String,
    /// Birth first names, in order; the first is the first birth first name.
    pub first_names: Vec<String>,
    /// Sex.
    pub sex: Sex,
    /// Birth date.
    pub birth_date: BirthDate,
    /// Birthplace COG code (optional for an INSi call).
    pub birthplace: Option<Cog>,
}

impl Traits {
    /// The first-name list as one string, names separated by a single space (`ListePrenom`).
    pub fn first_names_list(&self) -> String {
        self.first_names.join(" ")
    }

    /// Disagreements between the matricule layout and these traits (sex digit, birth year and
    /// month). Remarks, never errors: a sixth of the ANS test identities have a sex digit that
    /// contradicts the sex trait, and special months exist (ins-rules.md §1.2, check H-MAT-04).
    pub fn matricule_remarks(&self, matricule: &Matricule) -> Vec<String> {
        let mut out = Vec::new();
        let digit = matricule.sex_digit();
        if matches!(digit, '1' | '2') && digit != self.sex.usual_sex_digit() {
            out.push(format!(
                "sex digit {digit} of the matricule does not match sex {}",
                self.sex
            ));
        }
        if let Some(year) = self.birth_date.year() {
            let yy = format!("{:02}", year % 100);
            if yy != matricule.year() {
                out.push(format!(
                    "matricule year {} does not match birth year {year}",
                    matricule.year()
                ));
            }
        }
        if let Some(month) = self.birth_date.month()
            && matches!(matricule.month().parse::<u8>(), Ok(1..=12))
            && format!("{month:02}") != matricule.month()
        {
            out.push(format!(
                "matricule month {} does not match birth month {month:02}",
                matricule.month()
            ));
        }
        out
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;

    #[test]
    fn incomplete_dates_complete_per_exi_id_11() {
        let c = |s: &str| BirthDate::parse(s).and_then(|d| d.complete());
        let d = |y, m, dd| date(y, m, dd).unwrap();
        assert_eq!(
            c("1980-05-00"),
            Ok(CompletedDate {
                date: d(1980, 5, 1),
                fictive: true
            })
        );
        assert_eq!(c("1980-00-17").map(|x| x.date), Ok(d(1980, 1, 17)));
        assert_eq!(c("1980-00-00").map(|x| x.date), Ok(d(1980, 12, 31)));
        assert_eq!(c("0000-05-17"), Err(TraitError::UnknownYear));
        assert_eq!(
            c("1980-05-17"),
            Ok(CompletedDate {
                date: d(1980, 5, 17),
                fictive: false
            })
        );
        assert_eq!(
            c("1981-02-29").map(|x| x.date),
            Err(TraitError::DateNotInCalendar("1981-02-29".into()))
        );
        assert!(BirthDate::parse("0000-02-29").is_ok());
        assert!(BirthDate::parse("0000-02-30").is_err());
        assert!(BirthDate::parse("1980-13-01").is_err());
        assert!(BirthDate::parse("1980-1-01").is_err());
        assert!(BirthDate::parse("01/02/1980").is_err());
        assert_eq!(
            BirthDate::parse("1980-00-00").unwrap().to_string(),
            "1980-00-00"
        );
    }

    #[test]
    fn matricule_remarks_are_warnings_for_mismatches() {
        let m = Matricule::parse("279035121518989").unwrap();
        let mut t = Traits {
            birth_name: "PAT-TROIS".into(),
            first_names: vec!["DOMINIQUE".into()],
            sex: Sex::F,
            birth_date: BirthDate::parse("1979-03-28").unwrap(),
            birthplace: Some(Cog::parse("63220").unwrap()),
        };
        assert_eq!(t.matricule_remarks(&m), Vec::<String>::new());
        t.sex = Sex::M;
        t.birth_date = BirthDate::parse("1980-04-00").unwrap();
        assert_eq!(t.matricule_remarks(&m).len(), 3);
    }

    #[test]
    fn cog_kinds() {
        let k = |s: &str| Cog::parse(s).map(|c| c.kind());
        assert_eq!(k("63220"), Ok(CogKind::Commune));
        assert_eq!(k("2A020"), Ok(CogKind::Corsica));
        assert_eq!(k("2B020"), Ok(CogKind::Corsica));
        assert_eq!(k("20020"), Ok(CogKind::CorsicaLegacy));
        assert_eq!(k("97411"), Ok(CogKind::Overseas));
        assert_eq!(k("99352"), Ok(CogKind::Abroad));
        assert!(matches!(
            k("2C020"),
            Err(TraitError::CogCharacter { position: 2, .. })
        ));
        assert!(matches!(k("6322"), Err(TraitError::CogLength(_))));
        assert!(matches!(k("00123"), Err(TraitError::CogCharacter { .. })));
        assert!(matches!(
            k("6322O"),
            Err(TraitError::CogCharacter {
                position: 5,
                found: 'O',
                ..
            })
        ));
    }
}
