//! The generic ER7 layer: reader, writer, delimiters, escapes and limits.
//!
//! Tolerance of what real feeds carry: segments ended by `\r`, `\n` or `\r\n`; blank lines;
//! trailing separators (trailing empty fields, repetitions, components and sub-components are
//! dropped, so the model is normalised); bytes decoded as ISO 8859-1 when MSH-18 says `8859/1`,
//! as UTF-8 otherwise. Escapes `\F\ \S\ \R\ \E\ \T\` and `\Xhh..\` are decoded; other escape
//! sequences (`\H\`, `\.br\` …) are kept verbatim.

use std::fmt;

/// Largest message accepted, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;
/// Most segments in a message.
pub const MAX_SEGMENTS: usize = 1_000;
/// Most fields in a segment.
pub const MAX_FIELDS: usize = 256;
/// Most repetitions in a field.
pub const MAX_REPETITIONS: usize = 100;
/// Most components in a repetition.
pub const MAX_COMPONENTS: usize = 64;
/// Most sub-components in a component.
pub const MAX_SUBCOMPONENTS: usize = 32;
/// Longest value quoted back in an error.
const MAX_ECHO: usize = 32;

/// The reader's limits (defaults: the `MAX_*` constants of this module).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest message, bytes.
    pub message_bytes: usize,
    /// Most segments.
    pub segments: usize,
    /// Most fields per segment.
    pub fields: usize,
    /// Most repetitions per field.
    pub repetitions: usize,
    /// Most components per repetition.
    pub components: usize,
    /// Most sub-components per component.
    pub subcomponents: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            message_bytes: MAX_MESSAGE_BYTES,
            segments: MAX_SEGMENTS,
            fields: MAX_FIELDS,
            repetitions: MAX_REPETITIONS,
            components: MAX_COMPONENTS,
            subcomponents: MAX_SUBCOMPONENTS,
        }
    }
}

/// Where something is in a message: 1-based segment index and HL7 numbering below it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// 1-based index of the segment in the message (0 before the first segment).
    pub segment_index: usize,
    /// Segment id (`PID`), when known.
    pub segment: String,
    /// Field number as HL7 counts it (`PID-3` → 3; `MSH-2` → 2).
    pub field: Option<usize>,
    /// 1-based repetition.
    pub repetition: Option<usize>,
    /// 1-based component.
    pub component: Option<usize>,
    /// 1-based sub-component.
    pub subcomponent: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segment.is_empty() {
            write!(f, "segment #{}", self.segment_index)?;
        } else {
            write!(f, "{} (segment #{})", self.segment, self.segment_index)?;
        }
        if let Some(field) = self.field {
            write!(f, " field {field}")?;
        }
        if let Some(r) = self.repetition {
            write!(f, " repetition {r}")?;
        }
        if let Some(c) = self.component {
            write!(f, " component {c}")?;
        }
        if let Some(s) = self.subcomponent {
            write!(f, " sub-component {s}")?;
        }
        Ok(())
    }
}

/// Why a message cannot be read (or a typed view built from it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Hl7Error {
    /// The message is larger than the limit.
    #[error("message of {size} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// Size, bytes.
        size: usize,
        /// Limit, bytes.
        max: usize,
    },
    /// No segment at all.
    #[error("message is empty")]
    Empty,
    /// The first segment is not `MSH`.
    #[error("first segment is {found:?}, not MSH")]
    NoMsh {
        /// First characters of the first segment.
        found: String,
    },
    /// MSH-1 / MSH-2 are not a valid delimiter set.
    #[error("MSH delimiters {found:?} are invalid: {reason}")]
    Delimiters {
        /// The characters after `MSH`.
        found: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// Bytes that are not UTF-8 while MSH-18 does not declare ISO 8859-1.
    #[error("byte {offset} is not UTF-8 and MSH-18 does not declare 8859/1")]
    NotUtf8 {
        /// Byte offset of the first bad byte.
        offset: usize,
    },
    /// A segment id that is not three upper-case letters or digits.
    #[error("{at}: segment id {found:?} is not 3 upper-case letters or digits")]
    SegmentId {
        /// Where.
        at: Box<Location>,
        /// What was found.
        found: String,
    },
    /// A count over its limit.
    #[error("{at}: more than {max} {what}")]
    TooMany {
        /// Where.
        at: Box<Location>,
        /// What is counted (`segments`, `fields` …).
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// A field the typed view needs is absent.
    #[error("{at}: required value is missing")]
    Missing {
        /// Where.
        at: Box<Location>,
    },
    /// A value the typed view cannot accept.
    #[error("{at}: value {found:?} is invalid: {reason}")]
    Invalid {
        /// Where.
        at: Box<Location>,
        /// The value (cut).
        found: String,
        /// What is wrong.
        reason: &'static str,
    },
}

fn echo(s: &str) -> String {
    s.chars().take(MAX_ECHO).collect()
}

/// The five delimiters of a message (MSH-1 and MSH-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiters {
    /// Field separator (MSH-1), usually `|`.
    pub field: char,
    /// Component separator, usually `^`.
    pub component: char,
    /// Repetition separator, usually `~`.
    pub repetition: char,
    /// Escape character, usually `\`.
    pub escape: char,
    /// Sub-component separator, usually `&`.
    pub subcomponent: char,
    /// Truncation character (v2.7+, fifth MSH-2 character), if declared.
    pub truncation: Option<char>,
}

impl Default for Delimiters {
    fn default() -> Self {
        Delimiters {
            field: '|',
            component: '^',
            repetition: '~',
            escape: '\\',
            subcomponent: '&',
            truncation: None,
        }
    }
}

impl Delimiters {
    /// MSH-2 as written.
    pub fn encoding_characters(&self) -> String {
        let mut s: String = [
            self.component,
            self.repetition,
            self.escape,
            self.subcomponent,
        ]
        .iter()
        .collect();
        if let Some(t) = self.truncation {
            s.push(t);
        }
        s
    }

    /// Reads MSH-1 and MSH-2 from the text after `MSH`.
    fn from_header(after_msh: &str) -> Result<Delimiters, Hl7Error> {
        let bad = |reason| Hl7Error::Delimiters {
            found: echo(after_msh),
            reason,
        };
        let mut chars = after_msh.chars();
        let field = chars.next().ok_or(bad("no field separator"))?;
        let enc: Vec<char> = chars.take_while(|c| *c != field).collect();
        if enc.len() != 4 && enc.len() != 5 {
            return Err(bad("MSH-2 must hold 4 or 5 encoding characters"));
        }
        let mut all = vec![field];
        all.extend(&enc);
        for (i, c) in all.iter().enumerate() {
            if c.is_alphanumeric() || c.is_whitespace() || c.is_control() {
                return Err(bad("a delimiter is a letter, digit, space or control"));
            }
            // HL7 v2 delimiters are single-byte characters; ASCII ones also cut a message the
            // same way whether it is read as ISO 8859-1 or UTF-8.
            if !c.is_ascii() {
                return Err(bad("a delimiter is not an ASCII character"));
            }
            if all[..i].contains(c) {
                return Err(bad("two delimiters are the same character"));
            }
        }
        Ok(Delimiters {
            field,
            component: enc[0],
            repetition: enc[1],
            escape: enc[2],
            subcomponent: enc[3],
            truncation: enc.get(4).copied(),
        })
    }
}

/// A component: its sub-components (at least one), unescaped.
pub type Component = Vec<String>;
/// A repetition: its components (at least one).
pub type Repetition = Vec<Component>;
/// A field: its repetitions (empty for an empty field).
pub type Field = Vec<Repetition>;

/// One segment: its id and its fields, numbered as HL7 does (`fields[0]` is field 1). For MSH,
/// field 1 and 2 (the delimiters) are not stored: they live in [`Message::delimiters`], and
/// `fields[0]`, `fields[1]` are kept empty so that `fields[n - 1]` is always MSH-n.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Segment id (`MSH`, `PID` …).
    pub id: String,
    /// Fields 1..n; trailing empty fields are dropped.
    pub fields: Vec<Field>,
}

impl Segment {
    /// A segment with no fields.
    pub fn new(id: &str) -> Segment {
        Segment {
            id: id.to_owned(),
            fields: Vec::new(),
        }
    }

    /// Field `n` (1-based), if present.
    pub fn field(&self, n: usize) -> Option<&Field> {
        n.checked_sub(1).and_then(|i| self.fields.get(i))
    }

    /// The first sub-component of the first component of the first repetition of field `n`,
    /// or `""`.
    pub fn value(&self, n: usize) -> &str {
        self.component(n, 1, 1)
    }

    /// Component `c` (1-based) of repetition `r` (1-based) of field `n`, first sub-component,
    /// or `""`.
    pub fn component(&self, n: usize, r: usize, c: usize) -> &str {
        self.field(n)
            .and_then(|f| f.get(r.checked_sub(1)?))
            .and_then(|rep| rep.get(c.checked_sub(1)?))
            .and_then(|comp| comp.first())
            .map_or("", String::as_str)
    }

    /// Sets field `n` (1-based), growing the segment; then normalises trailing empties.
    pub fn set(&mut self, n: usize, field: Field) {
        if n == 0 {
            return;
        }
        while self.fields.len() < n {
            self.fields.push(Vec::new());
        }
        self.fields[n - 1] = field;
        normalise_segment(self);
    }
}

/// A whole message: its delimiters and segments (the first is MSH).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// MSH-1 and MSH-2.
    pub delimiters: Delimiters,
    /// Segments in order, MSH first.
    pub segments: Vec<Segment>,
}

impl Message {
    /// The first segment with this id.
    pub fn segment(&self, id: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.id == id)
    }

    /// 1-based index of the first segment with this id.
    pub fn segment_index(&self, id: &str) -> Option<usize> {
        self.segments.iter().position(|s| s.id == id).map(|i| i + 1)
    }

    /// MSH-18 character set (`""` when absent).
    pub fn charset(&self) -> &str {
        self.segment("MSH").map_or("", |m| m.value(18))
    }
}

/// Drops trailing empty sub-components, components, repetitions and fields (keeping at least one
/// sub-component per component and one component per repetition; an all-empty repetition list
/// becomes an empty field).
fn normalise_segment(seg: &mut Segment) {
    for field in &mut seg.fields {
        for rep in field.iter_mut() {
            for comp in rep.iter_mut() {
                while comp.len() > 1 && comp.last().is_some_and(String::is_empty) {
                    comp.pop();
                }
            }
            while rep.len() > 1 && rep.last().is_some_and(|c| c.len() == 1 && c[0].is_empty()) {
                rep.pop();
            }
        }
        while field.last().is_some_and(is_empty_rep) {
            field.pop();
        }
    }
    while seg.fields.last().is_some_and(Vec::is_empty) {
        seg.fields.pop();
    }
}

fn is_empty_rep(rep: &Repetition) -> bool {
    rep.iter().all(|c| c.iter().all(String::is_empty))
}

/// True when MSH-18, read exactly as the message model reads it ([`Message::charset`]: first
/// sub-component of the first component of the first repetition, unescaped), declares ISO
/// 8859-1 (`8859/1`, as HL7 table 0211 writes it). The first segment is decoded as ISO 8859-1
/// (one character per byte: this cannot fail); the delimiters being ASCII and blank lines being
/// ASCII-blank, it is cut and unescaped exactly as the UTF-8 reading would, so the reader's choice
/// of character set and the writer's ([`write_bytes`]) always agree.
fn declares_latin1(raw: &[u8], limits: &Limits) -> bool {
    let Some(first) = raw
        .split(|b| *b == b'\r' || *b == b'\n')
        .find(|l| !l.trim_ascii().is_empty())
    else {
        return false;
    };
    let line: String = first.iter().map(|b| char::from(*b)).collect();
    let Some(after_msh) = line.strip_prefix("MSH") else {
        return false;
    };
    let Ok(delimiters) = Delimiters::from_header(after_msh) else {
        return false;
    };
    parse_segment(&line, 1, &delimiters, limits)
        .is_ok_and(|msh| msh.value(18).eq_ignore_ascii_case("8859/1"))
}

fn decode(raw: &[u8], limits: &Limits) -> Result<String, Hl7Error> {
    if declares_latin1(raw, limits) {
        return Ok(raw.iter().map(|b| char::from(*b)).collect());
    }
    match std::str::from_utf8(raw) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => Err(Hl7Error::NotUtf8 {
            offset: e.valid_up_to(),
        }),
    }
}

/// Reads a message with the default [`Limits`].
pub fn parse(raw: &[u8]) -> Result<Message, Hl7Error> {
    parse_with(raw, &Limits::default())
}

/// Reads a message with these limits.
pub fn parse_with(raw: &[u8], limits: &Limits) -> Result<Message, Hl7Error> {
    if raw.len() > limits.message_bytes {
        return Err(Hl7Error::TooLarge {
            size: raw.len(),
            max: limits.message_bytes,
        });
    }
    let text = decode(raw, limits)?;
    // Blank means ASCII-blank, so that the lines are the same in either character set.
    let mut lines = text
        .split(['\r', '\n'])
        .filter(|l| !l.trim_ascii().is_empty())
        .peekable();
    let first = lines.peek().copied().ok_or(Hl7Error::Empty)?;
    let Some(after_msh) = first.strip_prefix("MSH") else {
        return Err(Hl7Error::NoMsh { found: echo(first) });
    };
    let delimiters = Delimiters::from_header(after_msh)?;
    let mut segments = Vec::new();
    for (i, line) in lines.enumerate() {
        let index = i + 1;
        if index > limits.segments {
            return Err(Hl7Error::TooMany {
                at: Box::new(Location {
                    segment_index: index,
                    ..Location::default()
                }),
                what: "segments",
                max: limits.segments,
            });
        }
        segments.push(parse_segment(line, index, &delimiters, limits)?);
    }
    Ok(Message {
        delimiters,
        segments,
    })
}

fn parse_segment(
    line: &str,
    index: usize,
    d: &Delimiters,
    limits: &Limits,
) -> Result<Segment, Hl7Error> {
    let mut at = Location {
        segment_index: index,
        ..Location::default()
    };
    let id: String = line.chars().take_while(|c| *c != d.field).collect();
    let id_ok = id.chars().count() == 3
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if !id_ok {
        return Err(Hl7Error::SegmentId {
            at: Box::new(at),
            found: echo(&id),
        });
    }
    at.segment = id.clone();
    let rest = &line[id.len()..];
    let mut seg = Segment::new(&id);
    // Pieces after the id: for MSH, piece 1 is MSH-2 (MSH-1 is the separator itself).
    let mut pieces = rest.split(d.field);
    pieces.next(); // empty text before the first separator
    let is_msh = id == "MSH";
    if is_msh {
        pieces.next(); // MSH-2: the encoding characters, in `delimiters`
        seg.fields.push(Vec::new());
        seg.fields.push(Vec::new());
    }
    for piece in pieces {
        let number = seg.fields.len() + 1;
        if number > limits.fields {
            at.field = Some(number);
            return Err(Hl7Error::TooMany {
                at: Box::new(at),
                what: "fields",
                max: limits.fields,
            });
        }
        at.field = Some(number);
        seg.fields.push(parse_field(piece, &at, d, limits)?);
    }
    normalise_segment(&mut seg);
    Ok(seg)
}

fn parse_field(
    text: &str,
    at: &Location,
    d: &Delimiters,
    limits: &Limits,
) -> Result<Field, Hl7Error> {
    let mut field = Vec::new();
    if text.is_empty() {
        return Ok(field);
    }
    let mut at = at.clone();
    for (r, rep_text) in text.split(d.repetition).enumerate() {
        at.repetition = Some(r + 1);
        if r >= limits.repetitions {
            return Err(Hl7Error::TooMany {
                at: Box::new(at),
                what: "repetitions",
                max: limits.repetitions,
            });
        }
        let mut rep = Vec::new();
        for (c, comp_text) in rep_text.split(d.component).enumerate() {
            if c >= limits.components {
                at.component = Some(c + 1);
                return Err(Hl7Error::TooMany {
                    at: Box::new(at),
                    what: "components",
                    max: limits.components,
                });
            }
            let mut comp = Vec::new();
            for (s, sub) in comp_text.split(d.subcomponent).enumerate() {
                if s >= limits.subcomponents {
                    at.component = Some(c + 1);
                    at.subcomponent = Some(s + 1);
                    return Err(Hl7Error::TooMany {
                        at: Box::new(at),
                        what: "sub-components",
                        max: limits.subcomponents,
                    });
                }
                comp.push(unescape(sub, d));
            }
            rep.push(comp);
        }
        field.push(rep);
    }
    Ok(field)
}

/// Decodes the escapes of one value. Never fails: an unterminated or unknown escape is kept as
/// written.
pub fn unescape(text: &str, d: &Delimiters) -> String {
    if !text.contains(d.escape) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(d.escape) {
        out.push_str(&rest[..start]);
        let after = &rest[start + d.escape.len_utf8()..];
        let Some(end) = after.find(d.escape) else {
            out.push_str(&rest[start..]);
            return out;
        };
        let seq = &after[..end];
        let whole = &rest[start..start + d.escape.len_utf8() * 2 + end];
        match seq {
            "F" => out.push(d.field),
            "S" => out.push(d.component),
            "R" => out.push(d.repetition),
            "E" => out.push(d.escape),
            "T" => out.push(d.subcomponent),
            _ => match hex_bytes(seq) {
                Some(bytes) => match String::from_utf8(bytes) {
                    Ok(s) => out.push_str(&s),
                    // Not UTF-8: read as ISO 8859-1, one character per byte.
                    Err(e) => out.extend(e.into_bytes().into_iter().map(char::from)),
                },
                None => out.push_str(whole),
            },
        }
        rest = &after[end + d.escape.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// `Xhhhh…` → bytes, when well formed.
fn hex_bytes(seq: &str) -> Option<Vec<u8>> {
    let hex = seq.strip_prefix('X')?;
    if hex.is_empty() || hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Escapes one value for writing: delimiters as `\F\ \S\ \R\ \E\ \T\`, CR and LF as `\X0D\`,
/// `\X0A\` (they would end the segment).
pub fn escape(value: &str, d: &Delimiters) -> String {
    let e = d.escape;
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        let code = if c == d.field {
            "F"
        } else if c == d.component {
            "S"
        } else if c == d.repetition {
            "R"
        } else if c == e {
            "E"
        } else if c == d.subcomponent {
            "T"
        } else if c == '\r' {
            "X0D"
        } else if c == '\n' {
            "X0A"
        } else {
            out.push(c);
            continue;
        };
        out.push(e);
        out.push_str(code);
        out.push(e);
    }
    out
}

/// Writes a message in ER7, segments ended by `\r`. The result is UTF-8 text; a message whose
/// MSH-18 declares `8859/1` must be transcoded by the caller ([`to_latin1`]).
pub fn write(msg: &Message) -> String {
    let d = &msg.delimiters;
    let mut out = String::new();
    for seg in &msg.segments {
        out.push_str(&seg.id);
        let skip = if seg.id == "MSH" {
            out.push(d.field);
            out.push_str(&d.encoding_characters());
            2
        } else {
            0
        };
        for field in seg.fields.iter().skip(skip) {
            out.push(d.field);
            for (r, rep) in field.iter().enumerate() {
                if r > 0 {
                    out.push(d.repetition);
                }
                for (c, comp) in rep.iter().enumerate() {
                    if c > 0 {
                        out.push(d.component);
                    }
                    for (s, sub) in comp.iter().enumerate() {
                        if s > 0 {
                            out.push(d.subcomponent);
                        }
                        out.push_str(&escape(sub, d));
                    }
                }
            }
        }
        out.push('\r');
    }
    out
}

/// Transcodes written text to ISO 8859-1 bytes; characters outside Latin-1 become `\Xhh..\`
/// escapes of their UTF-8 bytes.
pub fn to_latin1(text: &str, d: &Delimiters) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => out.push(b),
            Err(_) => {
                let mut buf = [0u8; 4];
                let mut esc = String::new();
                esc.push(d.escape);
                esc.push('X');
                for b in c.encode_utf8(&mut buf).bytes() {
                    esc.push_str(&format!("{b:02X}"));
                }
                esc.push(d.escape);
                out.extend(esc.bytes());
            }
        }
    }
    out
}

/// Writes a message as bytes in the character set MSH-18 declares: ISO 8859-1 for `8859/1`,
/// UTF-8 otherwise. `parse(&write_bytes(m)) == Ok(m)` for a normalised message.
pub fn write_bytes(msg: &Message) -> Vec<u8> {
    let text = write(msg);
    if msg.charset().eq_ignore_ascii_case("8859/1") {
        to_latin1(&text, &msg.delimiters)
    } else {
        text.into_bytes()
    }
}
