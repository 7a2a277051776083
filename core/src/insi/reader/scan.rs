//! The fast path: a strict, single-pass tokenizer for the plain shape every INSi envelope has in
//! practice (elements, attributes in double or single quotes, namespace declarations, text
//! without references, comments, an optional leading XML declaration).
//!
//! It works on the already validated `&str`, borrows every slice, resolves an element's prefix
//! against a small stack of bindings, and does nothing else. Anything outside that subset makes
//! it give up ([`Bail`]): CDATA, entity and character references, carriage returns
//! (line-end normalisation), control characters, a `DOCTYPE`, processing instructions, names
//! outside `[A-Za-z_][A-Za-z0-9._-]*` with at most one `:`, white space around `=` or in an end
//! tag, `>` or white space inside an attribute value, two attributes of the same local name,
//! empty or reserved namespace bindings, more than [`MAX_FAST_ATTRIBUTES`] attributes. The reader
//! then reads the document again with the full quick-xml reader, which alone decides refusals and
//! their messages, and the rarer constructs (docs/design.md, "The INSi reader's fast path").
//!
//! So this tokenizer never has to reproduce an error, only accept a subset of what the full
//! reader accepts and yield the same events for it; `core/tests/insi_roundtrip.rs` checks that
//! both readers give the same value wherever the fast one accepts.

use super::cursor::Ns;
use crate::insi::names as n;

/// Deepest nesting the fast path handles (an INSi request nests 8 deep, a SAML assertion in it
/// 9); deeper, or more namespace declarations in scope than [`MAX_FAST_BINDINGS`], and the full
/// reader reads it. Both stacks live inline in the scanner: the fast path allocates nothing but
/// the values the model keeps.
pub(super) const MAX_FAST_DEPTH: usize = 24;
/// Most namespace declarations in scope at once the fast path handles.
pub(super) const MAX_FAST_BINDINGS: usize = 24;

/// Most attributes on one element the fast path handles (the widest INSi element, a SAML
/// `Assertion` with its namespace declarations, has six); more and the full reader reads it.
pub(super) const MAX_FAST_ATTRIBUTES: usize = 12;

/// Not in the fast path's subset: read the document with the full reader.
#[derive(Debug)]
pub(super) struct Bail;

/// An element just opened: its tag as written. It is small (two slices) because it travels
/// up through the cursor to the grammar with every element.
pub(super) struct FastStart<'i> {
    /// The qualified name as written.
    pub(super) qname: &'i str,
    /// The attributes as written (checked: see [`attributes`]).
    pub(super) attrs: &'i str,
}

/// An element opened by [`Scanner::open_element`]: the tag, its namespace and where its local
/// name starts in the qualified name.
pub(super) struct Opened<'i> {
    pub(super) start: FastStart<'i>,
    pub(super) ns: Ns,
    pub(super) local_at: usize,
}

/// The reader's limits that the scanner enforces itself, on what only it sees (an element's
/// attributes); going over them is a [`Bail`] like any other, and the full reader then gives
/// the refusal its message.
#[derive(Clone, Copy)]
pub(super) struct ScanLimits {
    pub(super) max_attributes: usize,
    pub(super) max_value_bytes: usize,
}

/// A token of the subset.
pub(super) enum Tok<'i> {
    Start(Opened<'i>),
    End,
    /// Character data as written: no reference, no carriage return.
    Text(&'i str),
    /// The XML declaration, at byte 0 only.
    Decl,
    /// A comment, with the length of its content.
    Comment(usize),
    Eof,
}

#[derive(Clone, Copy)]
struct Open<'i> {
    qname: &'i str,
    /// Length of the binding stack before this element's declarations.
    bindings: usize,
}

#[derive(Clone, Copy)]
struct Binding<'i> {
    prefix: &'i str,
    ns: Ns,
}

/// What [`Scanner::child`] found where an element's next child would start.
pub(super) enum Next<'i> {
    /// A child element opened.
    Start(Opened<'i>),
    /// The current element's end tag (read).
    End,
    /// Something else (a comment, a declaration, the end of input): nothing was read, the
    /// caller walks the tokens.
    Other,
}

/// The tokenizer's state: a position, the open elements and the namespace bindings in scope
/// (`open[..depth]`, `bindings[..bound]`).
pub(super) struct Scanner<'i> {
    input: &'i str,
    limits: ScanLimits,
    pos: usize,
    open: [Open<'i>; MAX_FAST_DEPTH],
    depth: usize,
    bindings: [Binding<'i>; MAX_FAST_BINDINGS],
    bound: usize,
    /// The end of a self-closing element, still to be yielded.
    pending_end: bool,
}

/// Whether a run of text (up to its `<`) holds what makes the fast path give up: `&`, `]`
/// (for `]]>`), a carriage return, a control character other than tab and line feed. Written
/// as a fold without early exit so that the compiler can check many bytes per instruction.
fn text_spoiled(run: &[u8]) -> bool {
    run.iter().fold(false, |spoiled, &b| {
        spoiled | (b < 0x20 && b != b'\t' && b != b'\n') | (b == b'&') | (b == b']')
    })
}

/// Whether an attribute value holds what the subset refuses in one: markup, references, and
/// every character that attribute-value normalisation would change (a fold, as
/// [`text_spoiled`]).
fn value_spoiled(value: &[u8]) -> bool {
    value.iter().fold(false, |spoiled, &b| {
        spoiled | (b < 0x20) | (b == b'<') | (b == b'>') | (b == b'&')
    })
}

/// Name bytes of the subset: `NAME_START` may begin a name or the part after its `:`,
/// `NAME_MORE` may follow.
const NAME_START: u8 = 1;
const NAME_MORE: u8 = 2;

const fn name_classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphabetic() || c == b'_' {
            t[b] = NAME_START | NAME_MORE;
        } else if c.is_ascii_digit() || c == b'-' || c == b'.' {
            t[b] = NAME_MORE;
        }
        b += 1;
    }
    t
}
static NAME_CLASSES: [u8; 256] = name_classes();

/// A name of the subset starting at `from`: its end and the offset of its one `:` if any.
fn name(bytes: &[u8], from: usize) -> Result<(usize, Option<usize>), Bail> {
    let part = |at: usize| -> Result<usize, Bail> {
        match bytes.get(at) {
            Some(&b) if NAME_CLASSES[usize::from(b)] & NAME_START != 0 => {}
            _ => return Err(Bail),
        }
        let mut i = at + 1;
        while let Some(&b) = bytes.get(i) {
            if NAME_CLASSES[usize::from(b)] & NAME_MORE == 0 {
                break;
            }
            i += 1;
        }
        Ok(i)
    };
    let end = part(from)?;
    if bytes.get(end) != Some(&b':') {
        return Ok((end, None));
    }
    let end2 = part(end + 1)?;
    if bytes.get(end2) == Some(&b':') {
        return Err(Bail);
    }
    Ok((end2, Some(end - from)))
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n')
}

/// The attributes of a start tag the scanner accepted: `(qualified name, value)` pairs. The
/// scanner checked their syntax (white space, a name, `=`, a quoted value without its quote),
/// so this walk only splits.
pub(super) fn attributes(raw: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let bytes = raw.as_bytes();
        while bytes.get(at).is_some_and(|&b| is_space(b)) {
            at += 1;
        }
        let key_from = at;
        at = key_from + memchr::memchr(b'=', bytes.get(key_from..)?)?;
        let key = raw.get(key_from..at)?;
        let quote = *bytes.get(at + 1)?;
        let value_from = at + 2;
        at = value_from + memchr::memchr(quote, bytes.get(value_from..)?)?;
        let value = raw.get(value_from..at)?;
        at += 1;
        Some((key, value))
    })
}

/// The values of the attributes of `raw` (split as [`attributes`] does) whose local names are
/// `locals`, the first of each; namespace declarations are left out when `skip_bindings`. One
/// walk over the bytes for all of them, which makes no `&str` but the values: the grammar
/// looks up an attribute or two on a few elements of every document.
pub(super) fn attribute_values<'a, const N: usize>(
    raw: &'a str,
    locals: [&str; N],
    skip_bindings: bool,
) -> [Option<&'a str>; N] {
    let mut found: [Option<&'a str>; N] = [None; N];
    let bytes = raw.as_bytes();
    let mut at = 0usize;
    let mut missing = N;
    while missing > 0 {
        while bytes.get(at).is_some_and(|&b| is_space(b)) {
            at += 1;
        }
        let Some((key, value_from, value_len)) = (|| {
            let key_from = at;
            let key_len = memchr::memchr(b'=', bytes.get(key_from..)?)?;
            let key = bytes.get(key_from..key_from + key_len)?;
            let quote = *bytes.get(key_from + key_len + 1)?;
            let value_from = key_from + key_len + 2;
            let value_len = memchr::memchr(quote, bytes.get(value_from..)?)?;
            Some((key, value_from, value_len))
        })() else {
            break;
        };
        at = value_from + value_len + 1;
        if skip_bindings && is_binding_bytes(key) {
            continue;
        }
        let key_local = match key.iter().position(|&b| b == b':') {
            Some(colon) => key.get(colon + 1..).unwrap_or(key),
            None => key,
        };
        for (local, slot) in locals.iter().zip(found.iter_mut()) {
            if slot.is_none() && key_local == local.as_bytes() {
                *slot = raw.get(value_from..value_from + value_len);
                missing -= 1;
            }
        }
    }
    found
}

fn is_binding_bytes(key: &[u8]) -> bool {
    key == b"xmlns" || key.starts_with(b"xmlns:")
}

/// The local part of a qualified name of the subset (after its one `:`).
pub(super) fn local_name(qname: &str) -> &str {
    match qname.bytes().position(|b| b == b':') {
        Some(i) => qname.get(i + 1..).unwrap_or(qname),
        None => qname,
    }
}

/// Whether `key` declares a namespace (`xmlns`, `xmlns:p`).
pub(super) fn is_binding(key: &str) -> bool {
    is_binding_bytes(key.as_bytes())
}

impl<'i> Scanner<'i> {
    pub(super) fn new(input: &'i str, limits: ScanLimits) -> Self {
        Scanner {
            input,
            limits,
            pos: 0,
            open: [Open {
                qname: "",
                bindings: 0,
            }; MAX_FAST_DEPTH],
            depth: 0,
            bindings: [Binding {
                prefix: "",
                ns: Ns::None,
            }; MAX_FAST_BINDINGS],
            bound: 0,
            pending_end: false,
        }
    }

    /// Byte offset reached (the end of the last token).
    pub(super) fn position(&self) -> usize {
        self.pos
    }

    pub(super) fn next(&mut self) -> Result<Tok<'i>, Bail> {
        if self.end_pending() {
            return Ok(Tok::End);
        }
        let bytes = self.input.as_bytes();
        match bytes.get(self.pos) {
            None => Ok(Tok::Eof),
            Some(b'<') => match bytes.get(self.pos + 1) {
                Some(b'/') => self.end_tag(),
                Some(b'?') => self.declaration(),
                Some(b'!') => self.comment(),
                None => Err(Bail),
                Some(_) => self.open_element().map(Tok::Start),
            },
            Some(_) => self.text(),
        }
    }

    /// Whether the end of a self-closing element was still to be yielded (it is now: the
    /// element is closed).
    fn end_pending(&mut self) -> bool {
        let pending = std::mem::take(&mut self.pending_end);
        if pending {
            self.close();
        }
        pending
    }

    fn close(&mut self) {
        if let Some(depth) = self.depth.checked_sub(1) {
            self.depth = depth;
            self.bound = self.open[depth].bindings;
        }
    }

    fn text(&mut self) -> Result<Tok<'i>, Bail> {
        let text = self.text_run()?;
        Ok(Tok::Text(text))
    }

    /// The run of text from the position to the next `<` (or the end), checked.
    fn text_run(&mut self) -> Result<&'i str, Bail> {
        let rest = self.input.as_bytes().get(self.pos..).ok_or(Bail)?;
        let len = memchr::memchr(b'<', rest).unwrap_or(rest.len());
        let run = rest.get(..len).ok_or(Bail)?;
        if text_spoiled(run) {
            return Err(Bail);
        }
        let from = self.pos;
        self.pos += len;
        self.input.get(from..self.pos).ok_or(Bail)
    }

    /// Steps over the run of text at the position, if any (checked as [`Scanner::text`] does),
    /// and returns its length (0 when the next token is markup).
    #[inline]
    pub(super) fn skip_text(&mut self) -> Result<usize, Bail> {
        if self.pending_end
            || self
                .input
                .as_bytes()
                .get(self.pos)
                .is_none_or(|&b| b == b'<')
        {
            return Ok(0);
        }
        self.text_run().map(str::len)
    }

    /// The next child of the current element, or its end, after [`Scanner::skip_text`]: the
    /// grammar's common steps without a token in between.
    #[inline]
    pub(super) fn child(&mut self) -> Result<Next<'i>, Bail> {
        if self.end_pending() {
            return Ok(Next::End);
        }
        let bytes = self.input.as_bytes();
        if bytes.get(self.pos) != Some(&b'<') {
            return Ok(Next::Other);
        }
        match bytes.get(self.pos + 1) {
            Some(b'/') => {
                self.end_tag()?;
                Ok(Next::End)
            }
            Some(b'?' | b'!') | None => Ok(Next::Other),
            Some(_) => self.open_element().map(Next::Start),
        }
    }

    /// The text content of the element just opened, up to and including its end tag, when it
    /// holds only text (or nothing): the grammar's common case, read without one event per
    /// piece. `None` when a child element or a comment comes first (the caller then walks the
    /// events).
    pub(super) fn text_content(&mut self) -> Result<Option<&'i str>, Bail> {
        if self.end_pending() {
            return Ok(Some(""));
        }
        let at = self.pos;
        let text = if self.input.as_bytes().get(at) == Some(&b'<') {
            ""
        } else {
            self.text_run()?
        };
        if self.input.as_bytes().get(self.pos + 1) != Some(&b'/') {
            // A child, a comment: rewind, the event walk decides.
            self.pos = at;
            return Ok(None);
        }
        self.end_tag()?;
        Ok(Some(text))
    }

    /// `<!--` … `-->`, whose content holds no `--` and no control character but tab and line
    /// feed (a `DOCTYPE` or CDATA section is not a comment: the fast path gives up on it).
    fn comment(&mut self) -> Result<Tok<'i>, Bail> {
        const OPEN: &[u8] = b"<!--";
        let bytes = self.input.as_bytes();
        if !bytes
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(OPEN))
        {
            return Err(Bail);
        }
        let from = self.pos + OPEN.len();
        let mut i = from;
        loop {
            match bytes.get(i) {
                Some(b'-') if bytes.get(i + 1) == Some(&b'-') => {
                    if bytes.get(i + 2) != Some(&b'>') {
                        return Err(Bail);
                    }
                    self.pos = i + 3;
                    return Ok(Tok::Comment(i - from));
                }
                Some(&b) if b < 0x20 && b != b'\t' && b != b'\n' => return Err(Bail),
                Some(_) => i += 1,
                None => return Err(Bail),
            }
        }
    }

    fn declaration(&mut self) -> Result<Tok<'i>, Bail> {
        const OPEN: &str = "<?xml ";
        if self.pos != 0 || !self.input.starts_with(OPEN) {
            return Err(Bail);
        }
        let bytes = self.input.as_bytes();
        let mut i = OPEN.len();
        loop {
            match bytes.get(i) {
                Some(b'?') if bytes.get(i + 1) == Some(&b'>') => {
                    self.pos = i + 2;
                    return Ok(Tok::Decl);
                }
                Some(&b) if b == b' ' || (b.is_ascii_graphic() && !b"<>&?".contains(&b)) => {
                    i += 1;
                }
                _ => return Err(Bail),
            }
        }
    }

    fn end_tag(&mut self) -> Result<Tok<'i>, Bail> {
        let qname = self.open[..self.depth].last().ok_or(Bail)?.qname;
        let from = self.pos + 2;
        let bytes = self.input.as_bytes();
        let end = from + qname.len();
        if bytes.get(from..end) != Some(qname.as_bytes()) || bytes.get(end) != Some(&b'>') {
            return Err(Bail);
        }
        self.pos = end + 1;
        self.close();
        Ok(Tok::End)
    }

    /// The attributes of the start tag whose name ends at `name_end`: checked, their namespace
    /// declarations bound, the limits on their number and their values' length enforced.
    /// Returns where the tag's `>` (or `/>`) is and whether it self-closes.
    fn attributes(&mut self, name_end: usize) -> Result<(usize, bool), Bail> {
        let input = self.input;
        let bytes = input.as_bytes();
        let mut locals: [&str; MAX_FAST_ATTRIBUTES] = [""; MAX_FAST_ATTRIBUTES];
        let mut count = 0usize;
        let mut i = name_end;
        let self_closing = loop {
            let spaces_from = i;
            while bytes.get(i).is_some_and(|&b| is_space(b)) {
                i += 1;
            }
            match bytes.get(i) {
                Some(b'>') => break false,
                Some(b'/') if bytes.get(i + 1) == Some(&b'>') => break true,
                Some(_) if i > spaces_from => {}
                _ => return Err(Bail),
            }
            let key_from = i;
            let (key_end, key_colon) = name(bytes, key_from)?;
            let key = input.get(key_from..key_end).ok_or(Bail)?;
            i = key_end;
            if bytes.get(i) != Some(&b'=') {
                return Err(Bail);
            }
            i += 1;
            let quote = match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => q,
                _ => return Err(Bail),
            };
            i += 1;
            let value_from = i;
            let rest = bytes.get(value_from..).ok_or(Bail)?;
            let len = memchr::memchr(quote, rest).ok_or(Bail)?;
            if value_spoiled(rest.get(..len).ok_or(Bail)?) {
                return Err(Bail);
            }
            i = value_from + len;
            let value = input.get(value_from..i).ok_or(Bail)?;
            i += 1;
            let local = key_colon.map_or(key, |c| &key[c + 1..]);
            if count == MAX_FAST_ATTRIBUTES
                || count == self.limits.max_attributes
                || value.len() > self.limits.max_value_bytes
                || locals[..count].contains(&local)
            {
                return Err(Bail);
            }
            locals[count] = local;
            count += 1;
            let prefix = if key == "xmlns" {
                Some("")
            } else {
                key.strip_prefix("xmlns:")
            };
            if let Some(prefix) = prefix {
                if value.is_empty()
                    || prefix == "xml"
                    || prefix == "xmlns"
                    || value == n::NS_XML
                    || value == "http://www.w3.org/2000/xmlns/"
                {
                    return Err(Bail);
                }
                let slot = self.bindings.get_mut(self.bound).ok_or(Bail)?;
                *slot = Binding {
                    prefix,
                    ns: Ns::of(value),
                };
                self.bound += 1;
            }
        };
        Ok((i, self_closing))
    }

    pub(super) fn open_element(&mut self) -> Result<Opened<'i>, Bail> {
        let input = self.input;
        let bytes = input.as_bytes();
        let name_from = self.pos + 1;
        let (name_end, colon) = name(bytes, name_from)?;
        let qname = input.get(name_from..name_end).ok_or(Bail)?;
        if self.depth == MAX_FAST_DEPTH {
            return Err(Bail);
        }
        let bindings_before = self.bound;
        // Most elements carry no attribute: `>` right after the name skips the attribute walk.
        let (i, self_closing) = if bytes.get(name_end) == Some(&b'>') {
            (name_end, false)
        } else {
            self.attributes(name_end)?
        };
        let attrs = input.get(name_end..i).ok_or(Bail)?;
        let (prefix, local_at) = match colon {
            Some(c) => (&qname[..c], c + 1),
            None => ("", 0),
        };
        if prefix == "xml" || prefix == "xmlns" {
            return Err(Bail);
        }
        let in_scope = &self.bindings[..self.bound];
        let ns = match in_scope.iter().rev().find(|b| b.prefix == prefix) {
            Some(b) => b.ns,
            None if prefix.is_empty() => Ns::None,
            None => Ns::Other,
        };
        self.open[self.depth] = Open {
            qname,
            bindings: bindings_before,
        };
        self.depth += 1;
        self.pos = if self_closing { i + 2 } else { i + 1 };
        self.pending_end = self_closing;
        Ok(Opened {
            start: FastStart { qname, attrs },
            ns,
            local_at,
        })
    }
}
