//! The INSi lexical profile for names: [`validate`] reports every violation with its position;
//! [`normalise`] is a separate, explicit transliteration that reports each change it makes.
//!
//! Profile (insi-protocol.md §3, ins-rules.md §3.2): `A`–`Z`, space, apostrophe `'`, hyphen `-`,
//! and `--` in birth names only. No lower case, diacritics, ligatures, digits or other
//! punctuation. First character neither space nor hyphen; no doubled space or apostrophe, no
//! space next to an apostrophe; a first name does not end with `-` or `'` and holds no `--`.

use crate::rules::{Rule, RuleId};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Which trait a name is (the profile differs slightly between them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// Birth name (`NomNaissance`): `--` allowed.
    BirthName,
    /// A first name (`Prenom`), possibly a space-separated list: no `--`, no trailing `-`/`'`.
    FirstName,
}

/// One breach of the lexical profile.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// Stable rule id (`LEX-001` …), see [`rules`].
    pub rule_id: RuleId,
    /// 1-based character index of the offending character (0 for the empty value).
    pub position: usize,
    /// The offending character, if there is one.
    pub found: Option<char>,
    /// Lower-case message naming the character and position.
    pub message: String,
}

/// The lexical rules of the catalogue (`LEX-001` …), in id order.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    crate::rules::CATALOGUE
        .iter()
        .filter(|r| r.id.as_str().starts_with("LEX-"))
}

fn violation(rule_id: RuleId, position: usize, found: Option<char>, message: String) -> Violation {
    Violation {
        rule_id,
        position,
        found,
        message,
    }
}

fn is_profile_char(c: char) -> bool {
    c.is_ascii_uppercase() || c == ' ' || c == '\'' || c == '-'
}

/// Returns every violation of the profile in `value`, ordered by position (then rule id).
pub fn validate(value: &str, kind: NameKind) -> Vec<Violation> {
    let mut out = Vec::new();
    if value.is_empty() {
        out.push(violation(
            RuleId::Lex001,
            0,
            None,
            "the value is empty".into(),
        ));
        return out;
    }
    // Upper-case letters alone break no rule (every rule is about an empty value, a character
    // outside A–Z, or a space, an apostrophe or a hyphen): most names, checked in one pass.
    if value.bytes().all(|b| b.is_ascii_uppercase()) {
        return out;
    }
    every_violation(value, kind, out)
}

/// [`validate`] without its shortcut for upper-case letters.
fn every_violation(value: &str, kind: NameKind, mut out: Vec<Violation>) -> Vec<Violation> {
    let chars: Vec<char> = value.chars().collect();
    let last = chars.len();
    for (i, &c) in chars.iter().enumerate() {
        let pos = i + 1;
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let next = chars.get(i + 1).copied();
        if !is_profile_char(c) {
            let (rule, what, hint) = if c.is_ascii_lowercase() {
                (RuleId::Lex002, "lower-case letter", "")
            } else if c.is_alphabetic() && transliterable(c) {
                (
                    RuleId::Lex003,
                    "letter with a diacritic or ligature",
                    " (normalise can transliterate it)",
                )
            } else if transliterable(c) {
                (RuleId::Lex004, "typographic apostrophe", " (write ')")
            } else {
                (RuleId::Lex004, "character outside the insi profile", "")
            };
            out.push(violation(
                rule,
                pos,
                Some(c),
                format!("{what} {c:?} at position {pos}{hint}"),
            ));
        }
        if pos == 1 && (c == ' ' || c == '-') {
            out.push(violation(
                RuleId::Lex005,
                pos,
                Some(c),
                format!("first character {c:?} is a space or a hyphen"),
            ));
        }
        if c == ' ' && prev == Some(' ') {
            out.push(violation(
                RuleId::Lex006,
                pos,
                Some(c),
                format!("doubled space at position {pos}"),
            ));
        }
        if c == '\'' && prev == Some('\'') {
            out.push(violation(
                RuleId::Lex007,
                pos,
                Some(c),
                format!("doubled apostrophe at position {pos}"),
            ));
        }
        if c == ' ' && (prev == Some('\'') || next == Some('\'')) {
            out.push(violation(
                RuleId::Lex008,
                pos,
                Some(c),
                format!("space next to an apostrophe at position {pos}"),
            ));
        }
        if c == '-' && prev == Some('-') {
            let run_start = prev_run_len(&chars, i);
            if kind == NameKind::FirstName && run_start == 2 {
                out.push(violation(
                    RuleId::Lex010,
                    pos,
                    Some(c),
                    format!("double hyphen at position {pos} is allowed in birth names only"),
                ));
            }
            if run_start == 3 {
                out.push(violation(
                    RuleId::Lex011,
                    pos,
                    Some(c),
                    format!("more than two hyphens in a row at position {pos}"),
                ));
            }
        }
        if pos == last {
            if kind == NameKind::FirstName && (c == '-' || c == '\'') {
                out.push(violation(
                    RuleId::Lex009,
                    pos,
                    Some(c),
                    format!("first name ends with {c:?} at position {pos}"),
                ));
            }
            if c == ' ' {
                out.push(violation(
                    RuleId::Lex012,
                    pos,
                    Some(c),
                    format!("last character is a space at position {pos}"),
                ));
            }
        }
    }
    out
}

/// Length of the run of hyphens ending at index `i` (inclusive).
fn prev_run_len(chars: &[char], i: usize) -> usize {
    chars[..=i].iter().rev().take_while(|&&c| c == '-').count()
}

/// Validates an ordered list of first names; each violation comes with the 0-based index of
/// the name in `names`.
pub fn validate_first_names(names: &[String]) -> Vec<(usize, Violation)> {
    names
        .iter()
        .enumerate()
        .flat_map(|(i, n)| {
            validate(n, NameKind::FirstName)
                .into_iter()
                .map(move |v| (i, v))
        })
        .collect()
}

/// Why [`normalise`] refused a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NormaliseError {
    /// A character has no transliteration into the profile (digit, `_`, `/`, …): refused rather
    /// than dropped.
    #[error(
        "character {found:?} at position {position} has no transliteration into the insi profile"
    )]
    NoTransliteration {
        /// 1-based character index in the input.
        position: usize,
        /// The character.
        found: char,
    },
}

/// One change made by [`normalise`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// 1-based character index in the input.
    pub position: usize,
    /// The input character.
    pub from: char,
    /// What replaced it (one or two characters).
    pub to: String,
    /// Why: `upper case`, `diacritic removed`, `ligature expanded`, `typographic apostrophe`.
    pub reason: &'static str,
}

/// The result of [`normalise`]: the value and every change made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Normalised {
    /// The transliterated value (it may still break positional rules: run [`validate`]).
    pub value: String,
    /// The changes, in input order.
    pub changes: Vec<Change>,
}

/// Transliterates into the profile's alphabet: upper case, diacritics stripped (NFD, combining
/// marks dropped), `Œ`→`OE`, `Æ`→`AE`, `’ ‘ ʼ`→`'`. Spacing is left alone (that is the user's
/// call, [`validate`] reports it). Characters with no transliteration are refused.
pub fn normalise(value: &str) -> Result<Normalised, NormaliseError> {
    let mut out = String::with_capacity(value.len());
    let mut changes = Vec::new();
    for (i, c) in value.chars().enumerate() {
        let position = i + 1;
        if is_profile_char(c) {
            out.push(c);
            continue;
        }
        let Some((to, reason)) = transliterate(c) else {
            return Err(NormaliseError::NoTransliteration { position, found: c });
        };
        out.push_str(&to);
        changes.push(Change {
            position,
            from: c,
            to,
            reason,
        });
    }
    Ok(Normalised {
        value: out,
        changes,
    })
}

fn transliterable(c: char) -> bool {
    transliterate(c).is_some()
}

/// Transliteration of one character outside the profile, or `None` if it has none.
fn transliterate(c: char) -> Option<(String, &'static str)> {
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' => {
            return Some(("'".into(), "typographic apostrophe"));
        }
        'Œ' | 'œ' => return Some(("OE".into(), "ligature expanded")),
        'Æ' | 'æ' => return Some(("AE".into(), "ligature expanded")),
        _ => {}
    }
    if c.is_ascii_lowercase() {
        return Some((c.to_ascii_uppercase().to_string(), "upper case"));
    }
    if !c.is_alphabetic() {
        return None;
    }
    let base: String = std::iter::once(c)
        .nfd()
        .filter(|&m| !is_combining_mark(m))
        .collect();
    let had_marks = base != c.to_string();
    let upper: String = base.chars().flat_map(char::to_uppercase).collect();
    if upper.is_empty() || !upper.chars().all(|u| u.is_ascii_uppercase()) {
        return None;
    }
    let reason = if had_marks {
        "diacritic removed"
    } else {
        "upper case"
    };
    Some((upper, reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_twelve_lexical_rules_are_in_the_catalogue() {
        let ids: Vec<_> = rules().map(|r| r.id.as_str()).collect();
        assert_eq!(ids.len(), 12);
        assert_eq!(ids.first(), Some(&"LEX-001"));
        assert_eq!(ids.last(), Some(&"LEX-012"));
    }

    proptest::proptest! {
        /// The shortcut for upper-case letters changes no verdict: `validate` reports what the
        /// full walk reports, on values of every rule's characters (and plain A–Z runs).
        #[test]
        fn the_shortcut_agrees_with_the_full_walk(
            value in proptest::prop_oneof!["[A-Z]{0,12}", "[A-Za-zÉé' \\-’]{0,12}"],
            first_name in proptest::bool::ANY,
        ) {
            let kind = if first_name { NameKind::FirstName } else { NameKind::BirthName };
            let all = if value.is_empty() { validate(&value, kind) } else { every_violation(&value, kind, Vec::new()) };
            proptest::prop_assert_eq!(validate(&value, kind), all);
        }
    }
}
