//! The INSi reader: bytes of a SOAP envelope to typed [`Request`] / [`Response`] values.
//!
//! Built on `quick_xml::NsReader` with borrowed events. Elements are recognised by namespace
//! URI and local name, never by prefix or position: header blocks in any order, whitespace and
//! comments anywhere between elements, `Id` on `Body`, `DateDeb`/`DateFin` before `IdIndividu`,
//! `TIQ/Prenom` present or absent, several `Prenom`. Elements insilab does not know (`wsa:To`,
//! extensions) are skipped, still under the limits. Values are kept as found (no trimming, no
//! re-casing); a missing value element is `None` (or an empty string where the model holds a
//! plain `String`), so that the rule checks, not the reader, report it.
//!
//! Hard limits ([`Limits`]) bound everything the input controls. `DOCTYPE` (and with it every
//! entity declaration), entity references other than the five predefined ones, and processing
//! instructions other than the leading XML declaration are rejected.

use std::borrow::Cow;
use std::fmt;

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::model::{
    Assertion, CardSearch, ContexteBam, ContexteLps, Couverture, Erreur, Fault, FaultCodeValue,
    Headers, Individu, InsEntry, Request, RequestBody, Response, SearchResult, Security,
    TraitsSearch, Verification, VerifiedTraits, WireMatricule,
};
use super::names as n;

/// Default [`Limits::max_body_bytes`]: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Default [`Limits::max_depth`]: 32 nested elements.
pub const DEFAULT_MAX_DEPTH: usize = 32;
/// Default [`Limits::max_elements`]: 10 000 elements.
pub const DEFAULT_MAX_ELEMENTS: usize = 10_000;
/// Default [`Limits::max_attributes`]: 32 attributes per element (namespace declarations count).
pub const DEFAULT_MAX_ATTRIBUTES: usize = 32;
/// Default [`Limits::max_text_bytes`]: 8 KiB of text per node.
pub const DEFAULT_MAX_TEXT_BYTES: usize = 8 * 1024;

/// The hard limits the reader enforces; exceeding one is [`ParseErrorKind::LimitExceeded`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    /// Maximum size of the whole document, in bytes.
    pub max_body_bytes: usize,
    /// Maximum element nesting depth (the `Envelope` is depth 1).
    pub max_depth: usize,
    /// Maximum number of elements in the document.
    pub max_elements: usize,
    /// Maximum number of attributes on one element, namespace declarations included.
    pub max_attributes: usize,
    /// Maximum bytes of one text node (the text content of one element, one attribute value,
    /// one comment), as written in the document.
    pub max_text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_depth: DEFAULT_MAX_DEPTH,
            max_elements: DEFAULT_MAX_ELEMENTS,
            max_attributes: DEFAULT_MAX_ATTRIBUTES,
            max_text_bytes: DEFAULT_MAX_TEXT_BYTES,
        }
    }
}

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The document is not well-formed XML (quick-xml's message).
    #[error("malformed xml: {0}")]
    Xml(String),
    /// The document is not UTF-8.
    #[error("the document is not valid utf-8")]
    InvalidUtf8,
    /// A hard limit was exceeded.
    #[error("limit {limit} exceeded: {value} > {max}")]
    LimitExceeded {
        /// The limit's name (`max_depth`, …).
        limit: &'static str,
        /// The value reached.
        value: usize,
        /// The configured maximum.
        max: usize,
    },
    /// A `DOCTYPE` declaration (which could declare entities) is present.
    #[error("doctype declarations are forbidden")]
    DoctypeForbidden,
    /// An entity reference other than the five predefined ones.
    #[error("entity reference &{0}; is forbidden")]
    EntityForbidden(String),
    /// A processing instruction (other than the leading XML declaration).
    #[error("processing instruction <?{0}?> is forbidden")]
    ProcessingInstructionForbidden(String),
    /// The root element is not a SOAP 1.2 `Envelope`.
    #[error("the root element is not a soap 1.2 envelope: {0}")]
    NotSoapEnvelope(String),
    /// A required element is missing.
    #[error("missing element {0}")]
    MissingElement(&'static str),
    /// An element appears where it cannot (a second root, a child in a text-only element).
    #[error("unexpected element {{{ns}}}{name}")]
    UnexpectedElement {
        /// Its namespace URI (empty when unbound).
        ns: String,
        /// Its local name.
        name: String,
    },
    /// An element that may appear once appears twice.
    #[error("duplicate element {0}")]
    DuplicateElement(&'static str),
    /// The `Body` holds no operation element insilab knows.
    #[error("unknown operation: body element {{{ns}}}{name}")]
    UnknownOperation {
        /// Namespace URI of the body element.
        ns: String,
        /// Its local name.
        name: String,
    },
    /// A value outside its allowed set (e.g. a fault `Code/Value` other than Sender/Receiver).
    #[error("invalid value {value:?} for {element}")]
    InvalidValue {
        /// The element.
        element: &'static str,
        /// The value found.
        value: String,
    },
    /// The document ends before its root element is closed.
    #[error("truncated document")]
    Truncated,
}

/// A refused document: why, at which byte, in which element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Why.
    pub kind: ParseErrorKind,
    /// Byte offset in the input (the position the reader had reached).
    pub offset: u64,
    /// Element path of local names, e.g. `/Envelope/Body/RECSANSVITALE` (`/` at the root).
    pub path: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {} in {}", self.kind, self.offset, self.path)
    }
}

impl std::error::Error for ParseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.kind)
    }
}

/// Read a request envelope (`RECSANSVITALE`, `RECVITALE` or `VERIFINS` body).
pub fn parse_request(xml: &[u8], limits: &Limits) -> Result<Request, ParseError> {
    let mut cur = Cursor::new(xml, limits)?;
    cur.open_envelope()?;
    let mut headers: Option<Headers> = None;
    let mut body: Option<(Option<String>, RequestBody)> = None;
    while let Some(child) = cur.next_child()? {
        match (child.ns, child.local()) {
            (Ns::Soap, n::EL_HEADER) => {
                if headers.is_some() {
                    return Err(cur.err(ParseErrorKind::DuplicateElement(n::EL_HEADER)));
                }
                headers = Some(cur.headers()?);
            }
            (Ns::Soap, n::EL_BODY) => {
                if body.is_some() {
                    return Err(cur.err(ParseErrorKind::DuplicateElement(n::EL_BODY)));
                }
                let id = body_id(&cur, &child.start)?;
                body = Some((id, cur.request_body()?));
            }
            _ => cur.skip()?,
        }
    }
    cur.finish()?;
    let (body_id, body) =
        body.ok_or_else(|| cur.err(ParseErrorKind::MissingElement(n::EL_BODY)))?;
    Ok(Request {
        headers: headers.unwrap_or_default(),
        body,
        body_id,
    })
}

/// Read an answer envelope: a `RESULTAT` or a SOAP 1.2 `Fault`.
pub fn parse_response(xml: &[u8], limits: &Limits) -> Result<Response, ParseError> {
    let mut cur = Cursor::new(xml, limits)?;
    cur.open_envelope()?;
    let mut response: Option<Response> = None;
    let mut seen_body = false;
    while let Some(child) = cur.next_child()? {
        match (child.ns, child.local()) {
            (Ns::Soap, n::EL_BODY) => {
                if seen_body {
                    return Err(cur.err(ParseErrorKind::DuplicateElement(n::EL_BODY)));
                }
                seen_body = true;
                response = cur.response_body()?;
            }
            _ => cur.skip()?,
        }
    }
    cur.finish()?;
    if !seen_body {
        return Err(cur.err(ParseErrorKind::MissingElement(n::EL_BODY)));
    }
    response.ok_or_else(|| cur.err(ParseErrorKind::MissingElement("RESULTAT or Fault")))
}

/// The namespaces insilab knows, resolved once per element so that matching is a cheap enum
/// comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
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
    fn of(uri: &str) -> Ns {
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

/// A child element just opened.
struct Child<'i> {
    ns: Ns,
    start: BytesStart<'i>,
}

impl Child<'_> {
    fn local(&self) -> &str {
        local_of(&self.start)
    }
}

fn local_of<'a>(start: &'a BytesStart<'_>) -> &'a str {
    let name: &'a str = start.name().into_inner();
    match name.rfind(':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The `Id` attribute of `Body`, whatever its namespace (`Id`, `wsu:Id`).
fn body_id(cur: &Cursor<'_, '_>, start: &BytesStart<'_>) -> Result<Option<String>, ParseError> {
    for attr in start.attributes() {
        let attr = attr.map_err(|e| cur.err(ParseErrorKind::Xml(e.to_string())))?;
        if attr.key.local_name().as_ref() == n::ATTR_ID {
            return cur.attr_value(&attr).map(Some);
        }
    }
    Ok(None)
}

/// Walks the document element by element, enforcing the limits and keeping the element path
/// for error messages.
struct Cursor<'i, 'l> {
    reader: NsReader<&'i [u8]>,
    input: &'i str,
    limits: &'l Limits,
    depth: usize,
    elements: usize,
    /// `/Envelope/Body/...`: one reused buffer, `path_ends` remembers where each level ends.
    path: String,
    path_ends: Vec<usize>,
    /// Position before the last event read (start of that event's markup).
    event_start: u64,
}

/// A simplified event: what the parse functions need.
enum Ev<'i> {
    Start(Child<'i>),
    End,
    Text(Cow<'i, str>),
    /// Whitespace-insignificant events (comments, the XML declaration).
    Other,
    Eof,
}

impl<'i, 'l> Cursor<'i, 'l> {
    fn new(xml: &'i [u8], limits: &'l Limits) -> Result<Self, ParseError> {
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
        let mut reader = NsReader::from_str(input);
        let config = reader.config_mut();
        // `<a/>` becomes Start + End: one code path for empty and non-empty elements.
        config.expand_empty_elements = true;
        config.check_end_names = true;
        config.check_comments = true;
        config.trim_text_start = false;
        config.trim_text_end = false;
        Ok(Cursor {
            reader,
            input,
            limits,
            depth: 0,
            elements: 0,
            path: String::with_capacity(64),
            path_ends: Vec::with_capacity(16),
            event_start: 0,
        })
    }

    fn err(&self, kind: ParseErrorKind) -> ParseError {
        ParseError {
            kind,
            offset: self.reader.buffer_position(),
            path: if self.path.is_empty() {
                "/".to_owned()
            } else {
                self.path.clone()
            },
        }
    }

    fn limit(&self, limit: &'static str, value: usize, max: usize) -> Result<(), ParseError> {
        if value > max {
            Err(self.err(ParseErrorKind::LimitExceeded { limit, value, max }))
        } else {
            Ok(())
        }
    }

    fn text_limit(&self, len: usize) -> Result<(), ParseError> {
        self.limit("max_text_bytes", len, self.limits.max_text_bytes)
    }

    /// The next event, with the limits and the forbidden constructs checked.
    fn next(&mut self) -> Result<Ev<'i>, ParseError> {
        self.event_start = self.reader.buffer_position();
        let (ns, event) = match self.reader.read_resolved_event() {
            Ok((ResolveResult::Bound(ns), ev)) => (Ns::of(ns.into_inner()), ev),
            Ok((ResolveResult::Unbound, ev)) => (Ns::None, ev),
            Ok((ResolveResult::Unknown(_), ev)) => (Ns::Other, ev),
            Err(e) => {
                let mut err = self.err(ParseErrorKind::Xml(e.to_string()));
                err.offset = self.reader.error_position();
                return Err(err);
            }
        };
        match event {
            Event::Start(start) => {
                self.elements += 1;
                self.limit("max_elements", self.elements, self.limits.max_elements)?;
                self.depth += 1;
                self.path.push('/');
                self.path.push_str(local_of(&start));
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
                Ok(Ev::Start(Child { ns, start }))
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
                Ok(Ev::Text(text.xml10_content()))
            }
            Event::CData(data) => {
                self.text_limit(data.len())?;
                Ok(Ev::Text(data.xml10_content()))
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
                Ok(Ev::Text(resolved))
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

    /// Reads up to the root element, which must be `{soap12}Envelope`.
    fn open_envelope(&mut self) -> Result<(), ParseError> {
        loop {
            match self.next()? {
                Ev::Start(child) => {
                    if child.ns == Ns::Soap && child.local() == n::EL_ENVELOPE {
                        return Ok(());
                    }
                    let name = truncated(child.start.name().into_inner());
                    return Err(self.err(ParseErrorKind::NotSoapEnvelope(name)));
                }
                Ev::Text(t) if is_blank(&t) => {}
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
    fn finish(&mut self) -> Result<(), ParseError> {
        loop {
            match self.next()? {
                Ev::Eof => return Ok(()),
                Ev::Text(t) if is_blank(&t) => {}
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

    fn unexpected(&self, child: &Child<'_>) -> ParseError {
        let ns = match self.reader.resolver().resolve_element(child.start.name()).0 {
            ResolveResult::Bound(ns) => ns.into_inner().to_owned(),
            _ => String::new(),
        };
        self.err(ParseErrorKind::UnexpectedElement {
            ns: truncated(&ns),
            name: truncated(child.local()),
        })
    }

    /// The next child of the current element, or `None` when the current element ends.
    /// Text between children (whitespace, stray text) is ignored.
    fn next_child(&mut self) -> Result<Option<Child<'i>>, ParseError> {
        loop {
            match self.next()? {
                Ev::Start(child) => return Ok(Some(child)),
                Ev::End => return Ok(None),
                Ev::Text(_) | Ev::Other => {}
                Ev::Eof => return Err(self.err(ParseErrorKind::Truncated)),
            }
        }
    }

    /// Skips the rest of the current element, limits still enforced.
    fn skip(&mut self) -> Result<(), ParseError> {
        let target = self.depth - 1;
        while self.depth > target {
            if let Ev::Eof = self.next()? {
                return Err(self.err(ParseErrorKind::Truncated));
            }
        }
        Ok(())
    }

    /// The text content of the current element (which must hold no child element).
    fn text(&mut self) -> Result<String, ParseError> {
        let mut acc: Option<Cow<'i, str>> = None;
        loop {
            match self.next()? {
                Ev::Text(t) => {
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
    fn text_once(
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

    fn attr_value(
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
    fn attr(&self, start: &BytesStart<'_>, local: &str) -> Result<Option<String>, ParseError> {
        for attr in start.attributes() {
            let attr = attr.map_err(|e| self.err(ParseErrorKind::Xml(e.to_string())))?;
            let key = attr.key;
            if key.as_namespace_binding().is_none() && key.local_name().as_ref() == local {
                return self.attr_value(&attr).map(Some);
            }
        }
        Ok(None)
    }

    // ---- request ----

    fn headers(&mut self) -> Result<Headers, ParseError> {
        let mut h = Headers::default();
        while let Some(child) = self.next_child()? {
            match (child.ns, child.local()) {
                (Ns::Wsa, n::EL_ACTION) => self.text_once(&mut h.action, n::EL_ACTION)?,
                (Ns::Wsa, n::EL_MESSAGE_ID) => {
                    self.text_once(&mut h.message_id, n::EL_MESSAGE_ID)?
                }
                (Ns::CtxBam, n::EL_CONTEXTE_BAM) => {
                    if h.bam.is_some() {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_CONTEXTE_BAM)));
                    }
                    h.bam = Some(self.bam(&child.start)?);
                }
                (Ns::CtxLps, n::EL_CONTEXTE_LPS) => {
                    if h.lps.is_some() {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_CONTEXTE_LPS)));
                    }
                    h.lps = Some(self.lps(&child.start)?);
                }
                (Ns::Wsse, n::EL_SECURITY) => {
                    if h.security.is_some() {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_SECURITY)));
                    }
                    h.security = Some(self.security()?);
                }
                _ => self.skip()?,
            }
        }
        Ok(h)
    }

    fn bam(&mut self, start: &BytesStart<'_>) -> Result<ContexteBam, ParseError> {
        let mut bam = ContexteBam {
            version: self.attr(start, n::ATTR_VERSION)?,
            nature: self.attr(start, n::ATTR_NATURE)?,
            ..ContexteBam::default()
        };
        while let Some(child) = self.next_child()? {
            match (child.ns, child.local()) {
                (Ns::CtxBam, n::EL_ID) => self.text_once(&mut bam.id, n::EL_ID)?,
                (Ns::CtxBam, n::EL_TEMPS) => self.text_once(&mut bam.temps, n::EL_TEMPS)?,
                (Ns::CtxBam, n::EL_EMETTEUR) => {
                    self.text_once(&mut bam.emetteur, n::EL_EMETTEUR)?
                }
                (Ns::CtxBam, n::EL_DATE_REF) => {
                    self.text_once(&mut bam.date_ref, n::EL_DATE_REF)?
                }
                (Ns::CtxBam, n::EL_COUVERTURE) => {
                    if bam.couverture.is_some() {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_COUVERTURE)));
                    }
                    bam.couverture = Some(self.couverture()?);
                }
                _ => self.skip()?,
            }
        }
        Ok(bam)
    }

    fn couverture(&mut self) -> Result<Couverture, ParseError> {
        let mut c = Couverture::default();
        while let Some(child) = self.next_child()? {
            match (child.ns, child.local()) {
                (Ns::CtxBam, n::EL_ASSURE) => {
                    // ASSURE/Id/Num
                    while let Some(id) = self.next_child()? {
                        if (id.ns, id.local()) == (Ns::CtxBam, n::EL_ID) {
                            while let Some(num) = self.next_child()? {
                                if (num.ns, num.local()) == (Ns::CtxBam, n::EL_NUM) {
                                    self.text_once(&mut c.assure_id_num, n::EL_NUM)?;
                                } else {
                                    self.skip()?;
                                }
                            }
                        } else {
                            self.skip()?;
                        }
                    }
                }
                (Ns::CtxBam, n::EL_BENEFICIAIRE) => {
                    while let Some(b) = self.next_child()? {
                        match (b.ns, b.local()) {
                            (Ns::CtxBam, n::EL_NIR) => {
                                while let Some(num) = self.next_child()? {
                                    if (num.ns, num.local()) == (Ns::CtxBam, n::EL_NUM) {
                                        self.text_once(&mut c.beneficiaire_nir_num, n::EL_NUM)?;
                                    } else {
                                        self.skip()?;
                                    }
                                }
                            }
                            (Ns::CtxBam, n::EL_DATE_NAI) => {
                                self.text_once(&mut c.beneficiaire_date_nai, n::EL_DATE_NAI)?
                            }
                            (Ns::CtxBam, n::EL_RANG) => {
                                self.text_once(&mut c.beneficiaire_rang, n::EL_RANG)?
                            }
                            _ => self.skip()?,
                        }
                    }
                }
                _ => self.skip()?,
            }
        }
        Ok(c)
    }

    fn lps(&mut self, start: &BytesStart<'_>) -> Result<ContexteLps, ParseError> {
        let mut lps = ContexteLps {
            version: self.attr(start, n::ATTR_VERSION)?,
            nature: self.attr(start, n::ATTR_NATURE)?,
            ..ContexteLps::default()
        };
        while let Some(child) = self.next_child()? {
            match (child.ns, child.local()) {
                (Ns::CtxLps, n::EL_ID) => self.text_once(&mut lps.id, n::EL_ID)?,
                (Ns::CtxLps, n::EL_TEMPS) => self.text_once(&mut lps.temps, n::EL_TEMPS)?,
                (Ns::CtxLps, n::EL_EMETTEUR) => {
                    self.text_once(&mut lps.emetteur, n::EL_EMETTEUR)?
                }
                (Ns::CtxLps, n::EL_LPS) => {
                    while let Some(l) = self.next_child()? {
                        match (l.ns, l.local()) {
                            (Ns::CtxLps, n::EL_IDAM) => {
                                if lps.idam.is_some() {
                                    return Err(
                                        self.err(ParseErrorKind::DuplicateElement(n::EL_IDAM))
                                    );
                                }
                                lps.idam_r = self.attr(&l.start, n::ATTR_R)?;
                                lps.idam = Some(self.text()?);
                            }
                            (Ns::CtxLps, n::EL_VERSION) => {
                                self.text_once(&mut lps.lps_version, n::EL_VERSION)?
                            }
                            (Ns::CtxLps, n::EL_INSTANCE) => {
                                self.text_once(&mut lps.instance, n::EL_INSTANCE)?
                            }
                            (Ns::CtxLps, n::EL_NOM) => self.text_once(&mut lps.nom, n::EL_NOM)?,
                            _ => self.skip()?,
                        }
                    }
                }
                _ => self.skip()?,
            }
        }
        Ok(lps)
    }

    fn security(&mut self) -> Result<Security, ParseError> {
        let mut sec = Security::default();
        while let Some(child) = self.next_child()? {
            if (child.ns, child.local()) == (Ns::Saml, n::EL_ASSERTION) {
                let from = self.event_start;
                let assertion = self.assertion(&child.start, from)?;
                sec.assertions.push(assertion);
            } else {
                self.skip()?;
            }
        }
        Ok(sec)
    }

    fn assertion(&mut self, start: &BytesStart<'_>, from: u64) -> Result<Assertion, ParseError> {
        let mut a = Assertion {
            id: self.attr(start, n::ATTR_SAML_ID)?,
            issue_instant: self.attr(start, n::ATTR_ISSUE_INSTANT)?,
            ..Assertion::default()
        };
        while let Some(child) = self.next_child()? {
            match (child.ns, child.local()) {
                (Ns::Saml, n::EL_ISSUER) => self.text_once(&mut a.issuer, n::EL_ISSUER)?,
                (Ns::Ds, n::EL_SIGNATURE) => {
                    a.has_signature = true;
                    self.skip()?;
                }
                (Ns::Saml, n::EL_SUBJECT) => {
                    while let Some(s) = self.next_child()? {
                        if (s.ns, s.local()) == (Ns::Saml, n::EL_NAME_ID) {
                            if a.name_id.is_some() {
                                return Err(
                                    self.err(ParseErrorKind::DuplicateElement(n::EL_NAME_ID))
                                );
                            }
                            a.name_qualifier = self.attr(&s.start, n::ATTR_NAME_QUALIFIER)?;
                            a.name_id = Some(self.text()?);
                        } else {
                            self.skip()?;
                        }
                    }
                }
                (Ns::Saml, "AttributeStatement") => {
                    while let Some(attr) = self.next_child()? {
                        if (attr.ns, attr.local()) == (Ns::Saml, n::EL_ATTRIBUTE) {
                            let name = self.attr(&attr.start, n::ATTR_NAME)?.unwrap_or_default();
                            let mut value: Option<String> = None;
                            while let Some(v) = self.next_child()? {
                                if value.is_none()
                                    && (v.ns, v.local()) == (Ns::Saml, n::EL_ATTRIBUTE_VALUE)
                                {
                                    value = Some(self.text()?);
                                } else {
                                    self.skip()?;
                                }
                            }
                            a.attributes.push((name, value.unwrap_or_default()));
                        } else {
                            self.skip()?;
                        }
                    }
                }
                _ => self.skip()?,
            }
        }
        let to = self.reader.buffer_position();
        // Both offsets come from the reader on this very input, at event boundaries, so they
        // are in range and on character boundaries; `get` keeps that unproven claim panic-free.
        a.raw_xml = usize::try_from(from)
            .ok()
            .zip(usize::try_from(to).ok())
            .and_then(|(f, t)| self.input.get(f..t))
            .unwrap_or_default()
            .to_owned();
        Ok(a)
    }

    fn request_body(&mut self) -> Result<RequestBody, ParseError> {
        let mut body: Option<RequestBody> = None;
        let mut unknown: Option<(String, String)> = None;
        while let Some(child) = self.next_child()? {
            let parsed = match (child.ns, child.local()) {
                (Ns::RecSans, n::EL_RECSANSVITALE) => {
                    Some(RequestBody::TraitsSearch(self.traits_search()?))
                }
                (Ns::RecVit, n::EL_RECVITALE) => Some(RequestBody::CardSearch(self.card_search()?)),
                (Ns::Verif, n::EL_VERIFINS) => {
                    Some(RequestBody::Verification(self.verification()?))
                }
                _ => {
                    if unknown.is_none() {
                        let ns = match self.reader.resolver().resolve_element(child.start.name()).0
                        {
                            ResolveResult::Bound(ns) => ns.into_inner().to_owned(),
                            _ => String::new(),
                        };
                        unknown = Some((truncated(&ns), truncated(child.local())));
                    }
                    self.skip()?;
                    None
                }
            };
            if let Some(parsed) = parsed {
                if body.is_some() {
                    return Err(self.err(ParseErrorKind::DuplicateElement("operation body")));
                }
                body = Some(parsed);
            }
        }
        match (body, unknown) {
            (Some(body), _) => Ok(body),
            (None, Some((ns, name))) => {
                Err(self.err(ParseErrorKind::UnknownOperation { ns, name }))
            }
            (None, None) => Err(self.err(ParseErrorKind::MissingElement("operation body"))),
        }
    }

    fn traits_search(&mut self) -> Result<TraitsSearch, ParseError> {
        let mut t = TraitsSearch::default();
        while let Some(child) = self.next_child()? {
            if child.ns != Ns::RecSans {
                self.skip()?;
                continue;
            }
            match child.local() {
                n::EL_NOM_NAISSANCE => self.text_once(&mut t.nom_naissance, n::EL_NOM_NAISSANCE)?,
                n::EL_PRENOM => {
                    let p = self.text()?;
                    t.prenoms.push(p);
                }
                n::EL_SEXE => self.text_once(&mut t.sexe, n::EL_SEXE)?,
                n::EL_DATE_NAISSANCE => {
                    self.text_once(&mut t.date_naissance, n::EL_DATE_NAISSANCE)?
                }
                n::EL_LIEU_NAISSANCE => {
                    self.text_once(&mut t.lieu_naissance, n::EL_LIEU_NAISSANCE)?
                }
                _ => self.skip()?,
            }
        }
        Ok(t)
    }

    fn card_search(&mut self) -> Result<CardSearch, ParseError> {
        let mut c = CardSearch::default();
        while let Some(child) = self.next_child()? {
            if child.ns != Ns::RecVit {
                self.skip()?;
                continue;
            }
            match child.local() {
                n::EL_MATRICULE_INDIVIDU => {
                    if c.matricule_individu.is_some() {
                        return Err(
                            self.err(ParseErrorKind::DuplicateElement(n::EL_MATRICULE_INDIVIDU))
                        );
                    }
                    c.matricule_individu = Some(self.matricule(Ns::RecVit)?);
                }
                n::EL_MATRICULE_OD => {
                    if c.matricule_od.is_some() {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_MATRICULE_OD)));
                    }
                    c.matricule_od = Some(self.matricule(Ns::RecVit)?);
                }
                n::EL_NOM_NAISSANCE => self.text_once(&mut c.nom_naissance, n::EL_NOM_NAISSANCE)?,
                n::EL_DATE_NAISSANCE => {
                    self.text_once(&mut c.date_naissance, n::EL_DATE_NAISSANCE)?
                }
                n::EL_RANG_NAISSANCE => {
                    self.text_once(&mut c.rang_naissance, n::EL_RANG_NAISSANCE)?
                }
                _ => self.skip()?,
            }
        }
        Ok(c)
    }

    fn verification(&mut self) -> Result<Verification, ParseError> {
        let mut v: Option<Verification> = None;
        while let Some(child) = self.next_child()? {
            if (child.ns, child.local()) != (Ns::Verif, n::EL_INDIVIDU_VERIFIE) {
                self.skip()?;
                continue;
            }
            if v.is_some() {
                return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_INDIVIDU_VERIFIE)));
            }
            let mut ver = Verification::default();
            let (mut seen_ins, mut seen_traits) = (false, false);
            while let Some(part) = self.next_child()? {
                match (part.ns, part.local()) {
                    (Ns::Verif, n::EL_INS_FOURNI) => {
                        if seen_ins {
                            return Err(
                                self.err(ParseErrorKind::DuplicateElement(n::EL_INS_FOURNI))
                            );
                        }
                        seen_ins = true;
                        ver.ins_fourni = self.ins_entry(Ns::Verif)?;
                    }
                    (Ns::Verif, n::EL_TRAITS_IDENTITE_INDIVIDU) => {
                        if seen_traits {
                            return Err(self.err(ParseErrorKind::DuplicateElement(
                                n::EL_TRAITS_IDENTITE_INDIVIDU,
                            )));
                        }
                        seen_traits = true;
                        let [nom, prenom, liste, sexe, date, lieu] = self.traits6(Ns::Verif)?;
                        ver.traits = VerifiedTraits {
                            nom_naissance: nom,
                            prenom,
                            liste_prenom: liste,
                            sexe,
                            date_naissance: date,
                            lieu_naissance: lieu,
                        };
                    }
                    _ => self.skip()?,
                }
            }
            v = Some(ver);
        }
        v.ok_or_else(|| self.err(ParseErrorKind::MissingElement(n::EL_INDIVIDU_VERIFIE)))
    }

    /// `NumIdentifiant`, `Cle`, `TypeMatricule` in namespace `ns`.
    fn matricule(&mut self, ns: Ns) -> Result<WireMatricule, ParseError> {
        let mut num: Option<String> = None;
        let mut m = WireMatricule::default();
        while let Some(child) = self.next_child()? {
            if child.ns != ns {
                self.skip()?;
                continue;
            }
            match child.local() {
                n::EL_NUM_IDENTIFIANT => self.text_once(&mut num, n::EL_NUM_IDENTIFIANT)?,
                n::EL_CLE => self.text_once(&mut m.cle, n::EL_CLE)?,
                n::EL_TYPE_MATRICULE => {
                    self.text_once(&mut m.type_matricule, n::EL_TYPE_MATRICULE)?
                }
                _ => self.skip()?,
            }
        }
        m.num_identifiant = num.unwrap_or_default();
        Ok(m)
    }

    /// An `IdentifiantNationalSante`: `IdIndividu`, `OID`, `DateDeb`, `DateFin`, any order.
    fn ins_entry(&mut self, ns: Ns) -> Result<InsEntry, ParseError> {
        let mut e = InsEntry::default();
        let mut seen_id = false;
        let mut oid: Option<String> = None;
        while let Some(child) = self.next_child()? {
            if child.ns != ns {
                self.skip()?;
                continue;
            }
            match child.local() {
                n::EL_ID_INDIVIDU => {
                    if seen_id {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_ID_INDIVIDU)));
                    }
                    seen_id = true;
                    e.id = self.matricule(ns)?;
                }
                n::EL_OID => self.text_once(&mut oid, n::EL_OID)?,
                n::EL_DATE_DEB => self.text_once(&mut e.date_deb, n::EL_DATE_DEB)?,
                n::EL_DATE_FIN => self.text_once(&mut e.date_fin, n::EL_DATE_FIN)?,
                _ => self.skip()?,
            }
        }
        e.oid = oid.unwrap_or_default();
        Ok(e)
    }

    /// The six traits of `TIQ` / `TraitsIdentiteIndividu`, in model order.
    fn traits6(&mut self, ns: Ns) -> Result<[Option<String>; 6], ParseError> {
        let mut t: [Option<String>; 6] = Default::default();
        while let Some(child) = self.next_child()? {
            if child.ns != ns {
                self.skip()?;
                continue;
            }
            let (i, name) = match child.local() {
                n::EL_NOM_NAISSANCE => (0, n::EL_NOM_NAISSANCE),
                n::EL_PRENOM => (1, n::EL_PRENOM),
                n::EL_LISTE_PRENOM => (2, n::EL_LISTE_PRENOM),
                n::EL_SEXE => (3, n::EL_SEXE),
                n::EL_DATE_NAISSANCE => (4, n::EL_DATE_NAISSANCE),
                n::EL_LIEU_NAISSANCE => (5, n::EL_LIEU_NAISSANCE),
                _ => {
                    self.skip()?;
                    continue;
                }
            };
            self.text_once(&mut t[i], name)?;
        }
        Ok(t)
    }

    // ---- response ----

    fn response_body(&mut self) -> Result<Option<Response>, ParseError> {
        let mut resp: Option<Response> = None;
        while let Some(child) = self.next_child()? {
            let parsed = match (child.ns, child.local()) {
                (Ns::Resultat, n::EL_RESULTAT) => Response::Result(self.resultat()?),
                (Ns::Soap, n::EL_FAULT) => Response::Fault(self.fault()?),
                _ => {
                    self.skip()?;
                    continue;
                }
            };
            if resp.is_some() {
                return Err(self.err(ParseErrorKind::DuplicateElement("RESULTAT or Fault")));
            }
            resp = Some(parsed);
        }
        Ok(resp)
    }

    fn resultat(&mut self) -> Result<SearchResult, ParseError> {
        let mut cr: Option<(String, String)> = None;
        let mut individu: Option<Individu> = None;
        while let Some(child) = self.next_child()? {
            match (child.ns, child.local()) {
                (Ns::Resultat, n::EL_CR) => {
                    if cr.is_some() {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_CR)));
                    }
                    let (mut code, mut label) = (None, None);
                    while let Some(c) = self.next_child()? {
                        match (c.ns, c.local()) {
                            (Ns::Resultat, n::EL_CODE_CR) => {
                                self.text_once(&mut code, n::EL_CODE_CR)?
                            }
                            (Ns::Resultat, n::EL_LIBELLE_CR) => {
                                self.text_once(&mut label, n::EL_LIBELLE_CR)?
                            }
                            _ => self.skip()?,
                        }
                    }
                    let code = code
                        .ok_or_else(|| self.err(ParseErrorKind::MissingElement(n::EL_CODE_CR)))?;
                    cr = Some((code, label.unwrap_or_default()));
                }
                (Ns::Resultat, n::EL_INDIVIDU) => {
                    if individu.is_some() {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_INDIVIDU)));
                    }
                    individu = Some(self.individu()?);
                }
                _ => self.skip()?,
            }
        }
        let (code_cr, libelle_cr) =
            cr.ok_or_else(|| self.err(ParseErrorKind::MissingElement(n::EL_CR)))?;
        Ok(SearchResult {
            code_cr,
            libelle_cr,
            individu,
        })
    }

    fn individu(&mut self) -> Result<Individu, ParseError> {
        let mut actif: Option<InsEntry> = None;
        let mut ind = Individu::default();
        let mut seen_tiq = false;
        while let Some(child) = self.next_child()? {
            match (child.ns, child.local()) {
                (Ns::Resultat, n::EL_INSACTIF) => {
                    if actif.is_some() {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_INSACTIF)));
                    }
                    actif = Some(self.ins_entry(Ns::Resultat)?);
                }
                (Ns::Resultat, n::EL_INSHISTO) => {
                    let e = self.ins_entry(Ns::Resultat)?;
                    ind.ins_histo.push(e);
                }
                (Ns::Resultat, n::EL_TIQ) => {
                    if seen_tiq {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_TIQ)));
                    }
                    seen_tiq = true;
                    let t = self.traits6(Ns::Resultat)?;
                    let [nom, prenom, liste, sexe, date, lieu] = t;
                    ind.tiq = super::model::Tiq {
                        nom_naissance: nom,
                        prenom,
                        liste_prenom: liste,
                        sexe,
                        date_naissance: date,
                        lieu_naissance: lieu,
                    };
                }
                _ => self.skip()?,
            }
        }
        ind.ins_actif =
            actif.ok_or_else(|| self.err(ParseErrorKind::MissingElement(n::EL_INSACTIF)))?;
        Ok(ind)
    }

    fn fault(&mut self) -> Result<Fault, ParseError> {
        let mut value: Option<FaultCodeValue> = None;
        let mut subcode: Option<String> = None;
        let mut reason: Option<String> = None;
        let mut erreur: Option<Erreur> = None;
        while let Some(child) = self.next_child()? {
            match (child.ns, child.local()) {
                (Ns::Soap, n::EL_CODE) => {
                    while let Some(c) = self.next_child()? {
                        match (c.ns, c.local()) {
                            (Ns::Soap, n::EL_VALUE) => {
                                let raw = self.text()?;
                                let v = match local_part(&raw) {
                                    n::FAULT_SENDER => FaultCodeValue::Sender,
                                    n::FAULT_RECEIVER => FaultCodeValue::Receiver,
                                    _ => {
                                        return Err(self.err(ParseErrorKind::InvalidValue {
                                            element: "Fault/Code/Value",
                                            value: truncated(&raw),
                                        }));
                                    }
                                };
                                value = Some(v);
                            }
                            (Ns::Soap, n::EL_SUBCODE) => {
                                while let Some(s) = self.next_child()? {
                                    if (s.ns, s.local()) == (Ns::Soap, n::EL_VALUE)
                                        && subcode.is_none()
                                    {
                                        let raw = self.text()?;
                                        subcode = Some(local_part(&raw).to_owned());
                                    } else {
                                        self.skip()?;
                                    }
                                }
                            }
                            _ => self.skip()?,
                        }
                    }
                }
                (Ns::Soap, n::EL_REASON) => {
                    while let Some(t) = self.next_child()? {
                        if (t.ns, t.local()) == (Ns::Soap, n::EL_TEXT) && reason.is_none() {
                            reason = Some(self.text()?);
                        } else {
                            self.skip()?;
                        }
                    }
                }
                (Ns::Soap, n::EL_DETAIL) => {
                    while let Some(d) = self.next_child()? {
                        if (d.ns, d.local()) == (Ns::Siram, n::EL_ERREUR) && erreur.is_none() {
                            erreur = Some(Erreur {
                                code: self.attr(&d.start, "code")?.unwrap_or_default(),
                                severite: self.attr(&d.start, "severite")?.unwrap_or_default(),
                                message_id: self.attr(&d.start, "messageID")?,
                                severite_first: severite_before_code(&d.start),
                                text: self.text()?,
                            });
                        } else {
                            self.skip()?;
                        }
                    }
                }
                _ => self.skip()?,
            }
        }
        Ok(Fault {
            value: value
                .ok_or_else(|| self.err(ParseErrorKind::MissingElement("Fault/Code/Value")))?,
            subcode: subcode.unwrap_or_default(),
            reason: reason.unwrap_or_default(),
            erreur: erreur.unwrap_or_default(),
        })
    }
}

/// The local part of a QName written as text (`soap:Sender` → `Sender`), surrounding
/// whitespace ignored. The prefix is not resolved: fault codes are matched by local name.
fn local_part(qname: &str) -> &str {
    let q = qname.trim();
    match q.rfind(':') {
        Some(i) => &q[i + 1..],
        None => q,
    }
}

fn is_blank(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Keeps error messages bounded when they quote input.
fn truncated(s: &str) -> String {
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

/// Whether `severite` comes before `code` among the attributes of `siram:Erreur` (the older
/// `insi_102` capture); malformed attributes count as the current order.
fn severite_before_code(start: &BytesStart<'_>) -> bool {
    let position = |local: &str| {
        start.attributes().flatten().position(|a| {
            a.key.as_namespace_binding().is_none() && a.key.local_name().as_ref() == local
        })
    };
    matches!((position("severite"), position("code")), (Some(s), Some(c)) if s < c)
}
