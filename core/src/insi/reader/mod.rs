//! The INSi reader: bytes of a SOAP envelope to typed [`Request`] / [`Response`] values.
//!
//! Two tokenizers feed one cursor and one grammar per message kind: a strict fast path of our
//! own ([`scan`]) for the plain shape every INSi envelope has, and `quick_xml::NsReader` with
//! borrowed events for everything else; a document the fast path does not take, or refuses, is
//! read again in full, so refusals and their messages always come from quick-xml. Elements are
//! recognised by namespace
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
//!
//! Layout: [`cursor`] (limits, forbidden constructs, element path), [`scan`] (the fast
//! tokenizer), [`request`] and [`answer`] (the two grammars, written on the cursor).

mod answer;
mod cursor;
mod request;
mod scan;

pub use cursor::Mode;

use std::fmt;

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
///
/// The fast tokenizer reads it first; a document outside its subset (or refused) is read again
/// by the full reader, which alone gives refusals and their messages.
pub fn parse_request(xml: &[u8], limits: &Limits) -> Result<super::Request, ParseError> {
    request::parse_request(xml, limits, Mode::Fast)
        .or_else(|_| request::parse_request(xml, limits, Mode::Full))
}

/// Read an answer envelope: a `RESULTAT` or a SOAP 1.2 `Fault` (fast tokenizer first, as
/// [`parse_request`]).
pub fn parse_response(xml: &[u8], limits: &Limits) -> Result<super::Response, ParseError> {
    answer::parse_response(xml, limits, Mode::Fast)
        .or_else(|_| answer::parse_response(xml, limits, Mode::Full))
}

/// [`parse_request`] with one tokenizer only: in [`Mode::Fast`] an error means "outside the
/// subset or refused", without a message. For the tests that compare the two tokenizers.
#[doc(hidden)]
pub fn parse_request_with(
    xml: &[u8],
    limits: &Limits,
    mode: Mode,
) -> Result<super::Request, ParseError> {
    request::parse_request(xml, limits, mode)
}

/// [`parse_response`] with one tokenizer only (see [`parse_request_with`]).
#[doc(hidden)]
pub fn parse_response_with(
    xml: &[u8],
    limits: &Limits,
    mode: Mode,
) -> Result<super::Response, ParseError> {
    answer::parse_response(xml, limits, mode)
}
