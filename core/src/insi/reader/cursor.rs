//! The cursor: walks a document element by element under the [`Limits`], refuses the
//! forbidden constructs (`DOCTYPE`, entities, processing instructions) and keeps the element path
//! for error messages. The request and answer grammars ([`super::request`], [`super::answer`])
//! are written on top of it.

use std::borrow::Cow;

use quick_xml::NsReader;
use quick_xml::events::{BytesCData, BytesStart, BytesText, Event};
use quick_xml::name::ResolveResult;

use super::scan::{self, Bail, Next, Opened, ScanLimits, Scanner, Tok};
use super::{Limits, ParseError, ParseErrorKind};
use crate::insi::names as n;

/// The namespaces insilab knows, resolved once per element so that matching is a cheap enum
/// comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ns {
    Soap,
    Wsa,
    CtxBam,
    CtxLps,
    Wsse,
    Saml,
    Ds,
    RecSans,
    RecVit,
    Resultat,
    Verif,
    Siram,
    /// No namespace.
    None,
    /// A namespace insilab does not know (or an undeclared prefix).
    Other,
}

impl Ns {
    pub(super) fn of(uri: &str) -> Ns {
        match uri {
            n::NS_SOAP12 => Ns::Soap,
            n::NS_RESULTAT => Ns::Resultat,
            n::NS_RECSANS => Ns::RecSans,
            n::NS_WSA => Ns::Wsa,
            n::NS_CTXBAM => Ns::CtxBam,
            n::NS_CTXLPS => Ns::CtxLps,
            n::NS_WSSE => Ns::Wsse,
            n::NS_SAML => Ns::Saml,
            n::NS_DS => Ns::Ds,
            n::NS_RECVIT => Ns::RecVit,
            n::NS_VERIF => Ns::Verif,
            n::NS_SIRAM => Ns::Siram,
            _ => Ns::Other,
        }
    }
}

/// Which tokenizer a [`Cursor`] reads with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The strict fast tokenizer ([`scan`]): fails on anything outside its subset, with an
    /// error that says nothing (the caller then reads the document again in `Full` mode).
    Fast,
    /// quick-xml's `NsReader`: every construct, every refusal with its message.
    Full,
}

/// The tokenizer under a [`Cursor`].
#[expect(
    clippy::large_enum_variant,
    reason = "one cursor lives on the stack per document; boxing the scanner would bring back \
              the allocation its inline stacks avoid"
)]
enum Src<'i> {
    Full(NsReader<&'i [u8]>),
    Fast(Scanner<'i>),
}

/// A start tag, as the tokenizer gave it.
pub(super) enum Start<'i> {
    Full(BytesStart<'i>),
    Fast(scan::FastStart<'i>),
}

impl Start<'_> {
    /// The qualified name as written.
    pub(super) fn name(&self) -> &str {
        match self {
            Start::Full(start) => start.name().into_inner(),
            Start::Fast(start) => start.qname,
        }
    }
}

/// A child element just opened.
pub(super) struct Child<'i> {
    pub(super) ns: Ns,
    pub(super) start: Start<'i>,
    /// Where the local name starts in the qualified name (found once, when the element opened).
    local_at: usize,
}

impl Child<'_> {
    pub(super) fn local(&self) -> &str {
        let name = self.start.name();
        name.get(self.local_at..).unwrap_or(name)
    }
}

/// Where the local part of `start`'s qualified name begins (after the last `:`).
fn local_at(start: &BytesStart<'_>) -> usize {
    let name: &str = start.name().into_inner();
    name.rfind(':').map_or(0, |i| i + 1)
}

/// The `Id` attribute of `Body`, whatever its namespace (`Id`, `wsu:Id`).
pub(super) fn body_id(
    cur: &Cursor<'_, '_>,
    start: &Start<'_>,
) -> Result<Option<String>, ParseError> {
    let start = match start {
        Start::Full(start) => start,
        Start::Fast(start) => {
            let [id] = scan::attribute_values(start.attrs, [n::ATTR_ID], false);
            return Ok(id.map(str::to_owned));
        }
    };
    // Well-formedness (duplicates included) was checked when the element opened.
    for attr in start.attributes().with_checks(false) {
        let attr = attr.map_err(|e| cur.err(ParseErrorKind::Xml(e.to_string())))?;
        if attr.key.local_name().as_ref() == n::ATTR_ID {
            return cur.attr_value(&attr).map(Some);
        }
    }
    Ok(None)
}

/// Walks the document element by element, enforcing the limits and keeping the element path
/// for error messages.
pub(super) struct Cursor<'i, 'l> {
    src: Src<'i>,
    pub(super) input: &'i str,
    pub(super) limits: &'l Limits,
    pub(super) depth: usize,
    pub(super) elements: usize,
    /// `/Envelope/Body/...`: one reused buffer, `path_ends` remembers where each level ends.
    pub(super) path: String,
    pub(super) path_ends: Vec<usize>,
    /// Position before the last event read (start of that event's markup).
    pub(super) event_start: u64,
}

/// Character data, decoded only when a value is read (the whitespace between elements never is).
pub(super) enum Text<'i> {
    Raw(BytesText<'i>),
    CData(BytesCData<'i>),
    /// A character or predefined entity reference, resolved.
    Resolved(Cow<'i, str>),
    /// Text of the fast path's subset: as written is as read.
    Plain(&'i str),
}

impl<'i> Text<'i> {
    /// The text, line ends normalised (XML 1.0).
    fn content(&self) -> Cow<'i, str> {
        match self {
            Text::Raw(t) => t.xml10_content(),
            Text::CData(d) => d.xml10_content(),
            Text::Resolved(r) => r.clone(),
            Text::Plain(p) => Cow::Borrowed(p),
        }
    }

    /// Only XML white space (line-end normalisation keeps that true or false).
    fn is_blank(&self) -> bool {
        match self {
            Text::Raw(t) => is_blank(t),
            Text::CData(d) => is_blank(d),
            Text::Resolved(r) => is_blank(r),
            Text::Plain(p) => is_blank(p),
        }
    }
}

/// A simplified event: what the parse functions need.
pub(super) enum Ev<'i> {
    Start(Child<'i>),
    End,
    Text(Text<'i>),
    /// Whitespace-insignificant events (comments, the XML declaration).
    Other,
    Eof,
}

impl<'i, 'l> Cursor<'i, 'l> {
    pub(super) fn new(xml: &'i [u8], limits: &'l Limits, mode: Mode) -> Result<Self, ParseError> {
        let at_root = |kind| ParseError {
            kind,
            offset: 0,
            path: "/".to_owned(),
        };
        if xml.len() > limits.max_body_bytes {
            return Err(at_root(ParseErrorKind::LimitExceeded {
                limit: "max_body_bytes",
                value: xml.len(),
                max: limits.max_body_bytes,
            }));
        }
        let input = std::str::from_utf8(xml).map_err(|e| ParseError {
            kind: ParseErrorKind::InvalidUtf8,
            offset: e.valid_up_to() as u64,
            path: "/".to_owned(),
        })?;
        let src = match mode {
            Mode::Fast => Src::Fast(Scanner::new(
                input,
                ScanLimits {
                    max_attributes: limits.max_attributes,
                    max_value_bytes: limits.max_text_bytes,
                },
            )),
            Mode::Full => {
                let mut reader = NsReader::from_str(input);
                let config = reader.config_mut();
                // `<a/>` becomes Start + End: one code path for empty and non-empty elements.
                config.expand_empty_elements = true;
                config.check_end_names = true;
                config.check_comments = true;
                config.trim_text_start = false;
                config.trim_text_end = false;
                Src::Full(reader)
            }
        };
        Ok(Cursor {
            src,
            input,
            limits,
            depth: 0,
            elements: 0,
            // The fast mode keeps no path (its errors only send the document to the full one).
            path: String::with_capacity(if mode == Mode::Full { 64 } else { 0 }),
            path_ends: Vec::with_capacity(if mode == Mode::Full { 16 } else { 0 }),
            event_start: 0,
        })
    }

    /// Byte offset the tokenizer has reached.
    pub(super) fn position(&self) -> u64 {
        match &self.src {
            Src::Full(reader) => reader.buffer_position(),
            Src::Fast(scanner) => scanner.position() as u64,
        }
    }

    pub(super) fn err(&self, kind: ParseErrorKind) -> ParseError {
        ParseError {
            kind,
            offset: self.position(),
            path: if self.path.is_empty() {
                "/".to_owned()
            } else {
                self.path.clone()
            },
        }
    }

    pub(super) fn limit(
        &self,
        limit: &'static str,
        value: usize,
        max: usize,
    ) -> Result<(), ParseError> {
        if value > max {
            Err(self.err(ParseErrorKind::LimitExceeded { limit, value, max }))
        } else {
            Ok(())
        }
    }

    pub(super) fn text_limit(&self, len: usize) -> Result<(), ParseError> {
        self.limit("max_text_bytes", len, self.limits.max_text_bytes)
    }

    /// The next event, with the limits and the forbidden constructs checked.
    pub(super) fn next(&mut self) -> Result<Ev<'i>, ParseError> {
        self.event_start = self.position();
        let read = match &mut self.src {
            Src::Fast(scanner) => {
                return match scanner.next() {
                    Ok(tok) => self.fast_event(tok),
                    Err(Bail) => Err(self.bail()),
                };
            }
            Src::Full(reader) => match reader.read_resolved_event() {
                Ok((ResolveResult::Bound(ns), ev)) => Ok((Ns::of(ns.into_inner()), ev)),
                Ok((ResolveResult::Unbound, ev)) => Ok((Ns::None, ev)),
                Ok((ResolveResult::Unknown(_), ev)) => Ok((Ns::Other, ev)),
                Err(e) => Err((e.to_string(), reader.error_position())),
            },
        };
        let (ns, event) = match read {
            Ok(read) => read,
            Err((message, offset)) => {
                let mut err = self.err(ParseErrorKind::Xml(message));
                err.offset = offset;
                return Err(err);
            }
        };
        match event {
            Event::Start(start) => {
                self.elements += 1;
                self.limit("max_elements", self.elements, self.limits.max_elements)?;
                self.depth += 1;
                let local_at = local_at(&start);
                self.path.push('/');
                let name: &str = start.name().into_inner();
                self.path.push_str(name.get(local_at..).unwrap_or(name));
                self.path_ends.push(self.path.len());
                self.limit("max_depth", self.depth, self.limits.max_depth)?;
                let mut count = 0usize;
                // Most elements carry no attribute: skip the iterator set-up for them.
                let attributes = if start.attributes_raw().is_empty() {
                    None
                } else {
                    Some(start.attributes())
                };
                for attr in attributes.into_iter().flatten() {
                    let attr = attr.map_err(|e| self.err(ParseErrorKind::Xml(e.to_string())))?;
                    count += 1;
                    self.limit("max_attributes", count, self.limits.max_attributes)?;
                    self.text_limit(attr.value.len())?;
                }
                Ok(Ev::Start(Child {
                    ns,
                    start: Start::Full(start),
                    local_at,
                }))
            }
            Event::End(_) => {
                // quick-xml checks that end names match, so depth > 0 here.
                self.depth = self.depth.saturating_sub(1);
                self.path_ends.pop();
                let keep = self.path_ends.last().copied().unwrap_or(0);
                self.path.truncate(keep);
                Ok(Ev::End)
            }
            Event::Empty(_) => {
                // expand_empty_elements is set: quick-xml never yields Empty.
                Err(self.err(ParseErrorKind::Xml("unexpected empty element event".into())))
            }
            Event::Text(text) => {
                self.text_limit(text.len())?;
                Ok(Ev::Text(Text::Raw(text)))
            }
            Event::CData(data) => {
                self.text_limit(data.len())?;
                Ok(Ev::Text(Text::CData(data)))
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => Cow::Owned(c.to_string()),
                    Ok(None) => match &*reference {
                        "lt" => Cow::Borrowed("<"),
                        "gt" => Cow::Borrowed(">"),
                        "amp" => Cow::Borrowed("&"),
                        "apos" => Cow::Borrowed("'"),
                        "quot" => Cow::Borrowed("\""),
                        other => {
                            return Err(self.err(ParseErrorKind::EntityForbidden(truncated(other))));
                        }
                    },
                    Err(e) => return Err(self.err(ParseErrorKind::Xml(e.to_string()))),
                };
                Ok(Ev::Text(Text::Resolved(resolved)))
            }
            Event::Comment(comment) => {
                self.text_limit(comment.len())?;
                Ok(Ev::Other)
            }
            Event::Decl(_) => {
                if self.event_start == 0 {
                    Ok(Ev::Other)
                } else {
                    Err(self.err(ParseErrorKind::ProcessingInstructionForbidden("xml".into())))
                }
            }
            Event::PI(pi) => Err(self.err(ParseErrorKind::ProcessingInstructionForbidden(
                truncated(pi.target()),
            ))),
            Event::DocType(_) => Err(self.err(ParseErrorKind::DoctypeForbidden)),
            Event::Eof => {
                if self.depth > 0 {
                    Err(self.err(ParseErrorKind::Truncated))
                } else {
                    Ok(Ev::Eof)
                }
            }
        }
    }

    /// The fast path gave up: an error that only makes the caller read the document again in
    /// full (nothing is allocated for it).
    fn bail(&self) -> ParseError {
        ParseError {
            kind: ParseErrorKind::Xml(String::new()),
            offset: self.position(),
            path: String::new(),
        }
    }

    /// The event for a token of the fast path, under the same limits as the full reader's. The
    /// element path is not kept: an error in this mode is only a reason to read again in full.
    fn fast_event(&mut self, tok: Tok<'i>) -> Result<Ev<'i>, ParseError> {
        match tok {
            Tok::Start(start) => self.fast_child(start).map(Ev::Start),
            Tok::End => {
                self.depth = self.depth.saturating_sub(1);
                Ok(Ev::End)
            }
            Tok::Text(text) => {
                self.text_limit(text.len())?;
                Ok(Ev::Text(Text::Plain(text)))
            }
            Tok::Decl => Ok(Ev::Other),
            Tok::Comment(len) => {
                self.text_limit(len)?;
                Ok(Ev::Other)
            }
            Tok::Eof => {
                if self.depth > 0 {
                    Err(self.bail())
                } else {
                    Ok(Ev::Eof)
                }
            }
        }
    }

    /// An element the fast path opened, under the same limits as the full reader's (the
    /// scanner enforced those on the attributes).
    #[inline]
    fn fast_child(&mut self, opened: Opened<'i>) -> Result<Child<'i>, ParseError> {
        self.elements += 1;
        self.limit("max_elements", self.elements, self.limits.max_elements)?;
        self.depth += 1;
        self.limit("max_depth", self.depth, self.limits.max_depth)?;
        Ok(Child {
            ns: opened.ns,
            local_at: opened.local_at,
            start: Start::Fast(opened.start),
        })
    }

    /// Reads up to the root element, which must be `{soap12}Envelope`.
    pub(super) fn open_envelope(&mut self) -> Result<(), ParseError> {
        loop {
            match self.next()? {
                Ev::Start(child) => {
                    if child.ns == Ns::Soap && child.local() == n::EL_ENVELOPE {
                        return Ok(());
                    }
                    let name = truncated(child.start.name());
                    return Err(self.err(ParseErrorKind::NotSoapEnvelope(name)));
                }
                Ev::Text(t) if t.is_blank() => {}
                Ev::Text(_) => {
                    return Err(
                        self.err(ParseErrorKind::Xml("text before the root element".into()))
                    );
                }
                Ev::Other => {}
                Ev::End => return Err(self.err(ParseErrorKind::Xml("unexpected end tag".into()))),
                Ev::Eof => {
                    return Err(self.err(ParseErrorKind::NotSoapEnvelope("no element".into())));
                }
            }
        }
    }

    /// After the root element closed: only whitespace and comments may follow.
    pub(super) fn finish(&mut self) -> Result<(), ParseError> {
        loop {
            match self.next()? {
                Ev::Eof => return Ok(()),
                Ev::Text(t) if t.is_blank() => {}
                Ev::Other => {}
                Ev::Start(child) => {
                    return Err(self.unexpected(&child));
                }
                Ev::Text(_) | Ev::End => {
                    return Err(
                        self.err(ParseErrorKind::Xml("content after the root element".into()))
                    );
                }
            }
        }
    }

    /// The namespace URI of `child` (empty when unbound or undeclared), for messages. The fast
    /// path's messages are never shown (its errors send the document to the full reader): it
    /// keeps no URI and says nothing.
    pub(super) fn ns_uri(&self, child: &Child<'_>) -> String {
        match (&self.src, &child.start) {
            (Src::Full(reader), Start::Full(start)) => {
                match reader.resolver().resolve_element(start.name()).0 {
                    ResolveResult::Bound(ns) => truncated(ns.into_inner()),
                    _ => String::new(),
                }
            }
            (_, Start::Fast(_)) | (Src::Fast(_), Start::Full(_)) => String::new(),
        }
    }

    pub(super) fn unexpected(&self, child: &Child<'_>) -> ParseError {
        self.err(ParseErrorKind::UnexpectedElement {
            ns: self.ns_uri(child),
            name: truncated(child.local()),
        })
    }

    /// The next child of the current element, or `None` when the current element ends.
    /// Text between children (whitespace, stray text) is ignored.
    pub(super) fn next_child(&mut self) -> Result<Option<Child<'i>>, ParseError> {
        loop {
            if let Src::Fast(scanner) = &mut self.src {
                // The text between children is ignored: the fast path steps over it (white space
                // of an indented document, mostly) without an event, under the same limit. Then
                // the common steps, a child or the end, come straight from the scanner; anything
                // else (a comment, the end of input) goes through the events below. (In this
                // mode any error only sends the document to the full reader: their order does
                // not matter.)
                let step = scanner.skip_text().and_then(|skipped| {
                    let at = scanner.position();
                    scanner.child().map(|next| (skipped, at, next))
                });
                let Ok((skipped, at, next)) = step else {
                    return Err(self.bail());
                };
                self.text_limit(skipped)?;
                self.event_start = at as u64;
                match next {
                    Next::Start(start) => return self.fast_child(start).map(Some),
                    Next::End => {
                        self.depth = self.depth.saturating_sub(1);
                        return Ok(None);
                    }
                    Next::Other => {}
                }
            }
            match self.next()? {
                Ev::Start(child) => return Ok(Some(child)),
                Ev::End => return Ok(None),
                Ev::Text(_) | Ev::Other => {}
                Ev::Eof => return Err(self.err(ParseErrorKind::Truncated)),
            }
        }
    }

    /// Skips the rest of the current element, limits still enforced.
    pub(super) fn skip(&mut self) -> Result<(), ParseError> {
        let target = self.depth - 1;
        while self.depth > target {
            if let Ev::Eof = self.next()? {
                return Err(self.err(ParseErrorKind::Truncated));
            }
        }
        Ok(())
    }

    /// The text content of the current element (which must hold no child element).
    pub(super) fn text(&mut self) -> Result<String, ParseError> {
        if let Src::Fast(scanner) = &mut self.src {
            self.event_start = scanner.position() as u64;
            match scanner.text_content() {
                Ok(Some(text)) => {
                    // The end tag was read with the text.
                    self.depth = self.depth.saturating_sub(1);
                    self.text_limit(text.len())?;
                    return Ok(text.to_owned());
                }
                Ok(None) => {}
                Err(Bail) => return Err(self.bail()),
            }
        }
        let mut acc: Option<Cow<'i, str>> = None;
        loop {
            match self.next()? {
                Ev::Text(t) => {
                    let t = t.content();
                    acc = Some(match acc {
                        None => t,
                        Some(prev) => {
                            let mut s = prev.into_owned();
                            s.push_str(&t);
                            self.text_limit(s.len())?;
                            Cow::Owned(s)
                        }
                    });
                }
                Ev::Other => {}
                Ev::End => return Ok(acc.map(Cow::into_owned).unwrap_or_default()),
                Ev::Start(child) => return Err(self.unexpected(&child)),
                Ev::Eof => return Err(self.err(ParseErrorKind::Truncated)),
            }
        }
    }

    /// Sets `slot` to the element's text, refusing a second occurrence.
    pub(super) fn text_once(
        &mut self,
        slot: &mut Option<String>,
        name: &'static str,
    ) -> Result<(), ParseError> {
        if slot.is_some() {
            return Err(self.err(ParseErrorKind::DuplicateElement(name)));
        }
        *slot = Some(self.text()?);
        Ok(())
    }

    pub(super) fn attr_value(
        &self,
        attr: &quick_xml::events::attributes::Attribute<'_>,
    ) -> Result<String, ParseError> {
        attr.normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(Cow::into_owned)
            .map_err(|e| {
                // An unknown entity in an attribute is the same refusal as in text.
                let msg = e.to_string();
                if msg.contains("entity") || msg.contains("reference") {
                    self.err(ParseErrorKind::EntityForbidden(truncated(&msg)))
                } else {
                    self.err(ParseErrorKind::Xml(msg))
                }
            })
    }

    /// The value of the unqualified attribute `local` (any prefix accepted).
    pub(super) fn attr(
        &self,
        start: &Start<'_>,
        local: &str,
    ) -> Result<Option<String>, ParseError> {
        self.attrs(start, [local]).map(|[value]| value)
    }

    /// The values of the unqualified attributes `locals` (any prefix accepted), read in one
    /// walk over the element's attributes.
    pub(super) fn attrs<const N: usize>(
        &self,
        start: &Start<'_>,
        locals: [&str; N],
    ) -> Result<[Option<String>; N], ParseError> {
        let start = match start {
            Start::Full(start) => start,
            Start::Fast(start) => {
                return Ok(scan::attribute_values(start.attrs, locals, true)
                    .map(|value| value.map(str::to_owned)));
            }
        };
        let mut found: [Option<String>; N] = std::array::from_fn(|_| None);
        // Well-formedness (duplicates included) was checked when the element opened.
        for attr in start.attributes().with_checks(false) {
            let attr = attr.map_err(|e| self.err(ParseErrorKind::Xml(e.to_string())))?;
            let key = attr.key;
            if key.as_namespace_binding().is_some() {
                continue;
            }
            for (local, slot) in locals.iter().zip(found.iter_mut()) {
                if slot.is_none() && key.local_name().as_ref() == *local {
                    *slot = Some(self.attr_value(&attr)?);
                }
            }
        }
        Ok(found)
    }
}

/// The local part of a QName written as text (`soap:Sender` → `Sender`), surrounding
/// whitespace ignored. The prefix is not resolved: fault codes are matched by local name.
pub(super) fn local_part(qname: &str) -> &str {
    let q = qname.trim();
    match q.rfind(':') {
        Some(i) => &q[i + 1..],
        None => q,
    }
}

pub(super) fn is_blank(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Keeps error messages bounded when they quote input.
pub(super) fn truncated(s: &str) -> String {
    const MAX: usize = 64;
    if s.len() <= MAX {
        return s.to_owned();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}
