//! The INS Datamatrix payload: a 26-character header, then `<id><value>` blocks S1–S7, a GS
//! (0x1D) after each variable-length field shorter than its maximum that is not the last.
//!
//! Reading has two steps: [`parse_raw`] cuts the text into blocks, tolerating what a faulty
//! producer writes (missing or extra GS, out-of-order blocks) and recording it for the rules;
//! [`parse_payload`] gives the typed [`InsPayload`] or the first reason it cannot.

use insilab_core::ins::{Cog, Ins, Matricule, Oid, Sex};
use time::{Date, Month};

/// The group separator (ASCII 29) that ends a short variable-length field.
pub const GS: char = '\u{1d}';
/// The header of version 01: marker `IS`, version `01`, 22 reserved zeros.
pub const HEADER: &str = "IS010000000000000000000000";
/// Header length.
pub const HEADER_LEN: usize = 26;
/// Longest payload accepted by the reader, characters (a Data Matrix holds at most 2 335
/// alphanumeric characters).
pub const MAX_PAYLOAD_CHARS: usize = 2_400;
/// Maximum length of S3 / S4.
pub const MAX_NAME_LEN: usize = 100;
/// Maximum length of S2 (`.10` / `.11` OIDs).
pub const MAX_OID_LEN: usize = 20;

/// The fields of the message zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldId {
    /// S1 matricule.
    S1,
    /// S2 OID.
    S2,
    /// S3 birth first-names list.
    S3,
    /// S4 birth name.
    S4,
    /// S5 sex.
    S5,
    /// S6 birth date `JJ-MM-AAAA`.
    S6,
    /// S7 birthplace COG code.
    S7,
}

impl FieldId {
    /// Every id, in emission order.
    pub const ALL: [FieldId; 7] = [
        FieldId::S1,
        FieldId::S2,
        FieldId::S3,
        FieldId::S4,
        FieldId::S5,
        FieldId::S6,
        FieldId::S7,
    ];

    /// `S1` …
    pub fn as_str(self) -> &'static str {
        match self {
            FieldId::S1 => "S1",
            FieldId::S2 => "S2",
            FieldId::S3 => "S3",
            FieldId::S4 => "S4",
            FieldId::S5 => "S5",
            FieldId::S6 => "S6",
            FieldId::S7 => "S7",
        }
    }

    /// The id written as `s`.
    pub fn parse(s: &str) -> Option<FieldId> {
        FieldId::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// `Some(len)` for a fixed-length field, `None` for a variable one.
    pub fn fixed_len(self) -> Option<usize> {
        match self {
            FieldId::S1 => Some(15),
            FieldId::S5 => Some(1),
            FieldId::S6 => Some(10),
            FieldId::S7 => Some(5),
            FieldId::S2 | FieldId::S3 | FieldId::S4 => None,
        }
    }

    /// Maximum length of the field.
    pub fn max_len(self) -> usize {
        match self {
            FieldId::S2 => MAX_OID_LEN,
            FieldId::S3 | FieldId::S4 => MAX_NAME_LEN,
            other => other.fixed_len().unwrap_or(0),
        }
    }

    /// Whether the field is mandatory (S7 is optional).
    pub fn mandatory(self) -> bool {
        self != FieldId::S7
    }
}

/// One block as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The 2-character id as written (`S1`, or an unknown one).
    pub id: String,
    /// The value.
    pub value: String,
    /// Whether a GS followed the value.
    pub gs: bool,
    /// 0-based character offset of the id in the payload.
    pub offset: usize,
}

impl Block {
    /// The known field id.
    pub fn field(&self) -> Option<FieldId> {
        FieldId::parse(&self.id)
    }
}

/// A payload cut into header and blocks, faults included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPayload {
    /// The first 26 characters (fewer if the payload is shorter).
    pub header: String,
    /// The blocks in payload order.
    pub blocks: Vec<Block>,
}

impl RawPayload {
    /// The first block with this id.
    pub fn get(&self, id: FieldId) -> Option<&Block> {
        self.blocks.iter().find(|b| b.field() == Some(id))
    }
}

/// Why a payload cannot be read, or cannot give a typed payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DmError {
    /// Longer than [`MAX_PAYLOAD_CHARS`].
    #[error("payload of {len} characters exceeds the limit of {max}")]
    TooLong {
        /// Length, characters.
        len: usize,
        /// Limit.
        max: usize,
    },
    /// Shorter than the header.
    #[error("payload of {len} characters is shorter than the 26-character header")]
    TooShort {
        /// Length.
        len: usize,
    },
    /// Header other than [`HEADER`].
    #[error("header {found:?} is not {HEADER}")]
    Header {
        /// What was found.
        found: String,
    },
    /// A block id that is not S1–S7, or text left that is not a block.
    #[error("at character {offset}: {found:?} is not a block id S1 to S7")]
    UnknownBlock {
        /// 0-based character offset.
        offset: usize,
        /// The two characters found.
        found: String,
    },
    /// A mandatory field is absent.
    #[error("field {0} is missing")]
    Missing(&'static str),
    /// A field value is invalid.
    #[error("field {field} value {value:?} is invalid: {reason}")]
    Invalid {
        /// `S1` …
        field: &'static str,
        /// The value (cut to 32 characters).
        value: String,
        /// Why.
        reason: String,
    },
}

/// Cuts `text` into header and blocks. Fails only when the text is too long or too short, or
/// when something that is not a block id is met (the rest cannot be cut).
pub fn parse_raw(text: &str) -> Result<RawPayload, DmError> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > MAX_PAYLOAD_CHARS {
        return Err(DmError::TooLong {
            len: chars.len(),
            max: MAX_PAYLOAD_CHARS,
        });
    }
    if chars.len() < HEADER_LEN {
        return Err(DmError::TooShort { len: chars.len() });
    }
    let header: String = chars[..HEADER_LEN].iter().collect();
    let mut blocks: Vec<Block> = Vec::new();
    let mut i = HEADER_LEN;
    while i < chars.len() {
        // A stray GS between blocks (e.g. after a fixed field) belongs to the previous block.
        if chars[i] == GS
            && let Some(prev) = blocks.last_mut()
            && !prev.gs
        {
            prev.gs = true;
            i += 1;
            continue;
        }
        let id: String = chars[i..chars.len().min(i + 2)].iter().collect();
        let Some(field) = FieldId::parse(&id) else {
            return Err(DmError::UnknownBlock {
                offset: i,
                found: id.chars().map(|c| if c == GS { '␝' } else { c }).collect(),
            });
        };
        let start = i + 2;
        let mut end = start;
        match field.fixed_len() {
            Some(n) => end = (start + n).min(chars.len()),
            None => {
                while end < chars.len() && end - start < field.max_len() && chars[end] != GS {
                    // A missing GS: the next block id starts here. Names hold no digits and OIDs
                    // no letters, so `S` + `1`..`7` cannot be part of the value.
                    if end > start
                        && chars[end] == 'S'
                        && chars.get(end + 1).is_some_and(|c| ('1'..='7').contains(c))
                    {
                        break;
                    }
                    end += 1;
                }
            }
        }
        let value: String = chars[start..end].iter().collect();
        let gs = chars.get(end) == Some(&GS);
        blocks.push(Block {
            id,
            value,
            gs,
            offset: i,
        });
        i = end + usize::from(gs);
    }
    Ok(RawPayload { header, blocks })
}

/// The typed payload of a qualified identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsPayload {
    /// S1 + S2.
    pub ins: Ins,
    /// S3: birth first names in order (written space-separated).
    pub first_names: Vec<String>,
    /// S4: birth name.
    pub birth_name: String,
    /// S5.
    pub sex: Sex,
    /// S6.
    pub birth_date: Date,
    /// S7, optional.
    pub birthplace: Option<Cog>,
}

fn invalid(field: FieldId, value: &str, reason: impl Into<String>) -> DmError {
    DmError::Invalid {
        field: field.as_str(),
        value: value.chars().take(32).collect(),
        reason: reason.into(),
    }
}

/// Parses `JJ-MM-AAAA`.
pub fn parse_dm_date(s: &str) -> Result<Date, DmError> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[2] == b'-'
        && b[5] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 2 || i == 5 || c.is_ascii_digit());
    if !shape {
        return Err(invalid(FieldId::S6, s, "not of the form JJ-MM-AAAA"));
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u16>().ok()).unwrap_or(0);
    let month = u8::try_from(num(3..5))
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(|| invalid(FieldId::S6, s, "month out of range"))?;
    let day = u8::try_from(num(0..2)).unwrap_or(0);
    Date::from_calendar_date(i32::from(num(6..10)), month, day)
        .map_err(|_| invalid(FieldId::S6, s, "not a calendar date"))
}

/// Writes `JJ-MM-AAAA`.
pub fn format_dm_date(d: Date) -> String {
    format!("{:02}-{:02}-{:04}", d.day(), u8::from(d.month()), d.year())
}

/// Typed payload from text: header, every mandatory field, each value valid. The GS rule and
/// block order are not enforced here (the rules report them).
pub fn parse_payload(text: &str) -> Result<InsPayload, DmError> {
    let raw = parse_raw(text)?;
    if raw.header != HEADER {
        return Err(DmError::Header {
            found: raw.header.clone(),
        });
    }
    let get = |id: FieldId| {
        raw.get(id)
            .map(|b| b.value.as_str())
            .ok_or(DmError::Missing(id.as_str()))
    };
    let s1 = get(FieldId::S1)?;
    let matricule = Matricule::parse(s1).map_err(|e| invalid(FieldId::S1, s1, e.to_string()))?;
    let s2 = get(FieldId::S2)?;
    let oid = Oid::parse(s2).map_err(|e| invalid(FieldId::S2, s2, e.to_string()))?;
    let s3 = get(FieldId::S3)?;
    if s3.is_empty() || s3.chars().count() > MAX_NAME_LEN {
        return Err(invalid(FieldId::S3, s3, "length not within 1 to 100"));
    }
    let s4 = get(FieldId::S4)?;
    if s4.is_empty() || s4.chars().count() > MAX_NAME_LEN {
        return Err(invalid(FieldId::S4, s4, "length not within 1 to 100"));
    }
    let s5 = get(FieldId::S5)?;
    let sex = Sex::parse(s5).map_err(|e| invalid(FieldId::S5, s5, e.to_string()))?;
    let birth_date = parse_dm_date(get(FieldId::S6)?)?;
    let birthplace = match raw.get(FieldId::S7) {
        Some(b) => {
            Some(Cog::parse(&b.value).map_err(|e| invalid(FieldId::S7, &b.value, e.to_string()))?)
        }
        None => None,
    };
    Ok(InsPayload {
        ins: Ins::new(matricule, oid),
        first_names: s3.split(' ').map(str::to_owned).collect(),
        birth_name: s4.to_owned(),
        sex,
        birth_date,
        birthplace,
    })
}

/// Writes the payload: header, S1→S7 in order, GS after each variable field shorter than its
/// maximum that is not the last field.
pub fn build(p: &InsPayload) -> String {
    let mut fields: Vec<(FieldId, String)> = vec![
        (FieldId::S1, p.ins.matricule.to_string()),
        (FieldId::S2, p.ins.oid.as_str().to_owned()),
        (FieldId::S3, p.first_names.join(" ")),
        (FieldId::S4, p.birth_name.clone()),
        (FieldId::S5, p.sex.as_str().to_owned()),
        (FieldId::S6, format_dm_date(p.birth_date)),
    ];
    if let Some(cog) = &p.birthplace {
        fields.push((FieldId::S7, cog.to_string()));
    }
    let last = fields.len() - 1;
    let mut out = String::from(HEADER);
    for (i, (id, value)) in fields.iter().enumerate() {
        out.push_str(id.as_str());
        out.push_str(value);
        if gs_due(*id, value, i == last) {
            out.push(GS);
        }
    }
    out
}

/// Whether a GS must follow a field with this value (the separator rule of §6).
pub fn gs_due(id: FieldId, value: &str, is_last: bool) -> bool {
    !is_last && id.fixed_len().is_none() && value.chars().count() < id.max_len()
}

impl InsPayload {
    /// The payload of an identity held as core types (one identity model, projected here).
    /// `None` when the birth date is incomplete: a Datamatrix carries a full date.
    pub fn from_identity(ins: Ins, traits: &insilab_core::ins::Traits) -> Option<InsPayload> {
        let insilab_core::ins::BirthDate::Full(birth_date) = traits.birth_date else {
            return None;
        };
        Some(InsPayload {
            ins,
            first_names: traits.first_names.clone(),
            birth_name: traits.birth_name.clone(),
            sex: traits.sex,
            birth_date,
            birthplace: traits.birthplace.clone(),
        })
    }

    /// The strict traits this payload carries, as core types.
    pub fn traits(&self) -> insilab_core::ins::Traits {
        insilab_core::ins::Traits {
            birth_name: self.birth_name.clone(),
            first_names: self.first_names.clone(),
            sex: self.sex,
            birth_date: insilab_core::ins::BirthDate::Full(self.birth_date),
            birthplace: self.birthplace.clone(),
        }
    }
}
