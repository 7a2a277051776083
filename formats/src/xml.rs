//! A small, bounded XML element tree for the FHIR XML and CDA readers (quick-xml underneath).
//!
//! Only what those formats need: elements with their namespace URI and local name, unprefixed
//! attributes, text, and an XPath to every element (`/ClinicalDocument/recordTarget/patientRole/id[2]`,
//! the index only where a name repeats among siblings). DOCTYPE, processing instructions and
//! entities other than the five predefined ones and character references are refused (no
//! entity expansion, no external fetch). Every count is bounded by a named limit.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// Largest document accepted, bytes.
pub const MAX_XML_BYTES: usize = 4 * 1024 * 1024;
/// Deepest element nesting.
pub const MAX_XML_DEPTH: usize = 64;
/// Most elements in a document.
pub const MAX_XML_ELEMENTS: usize = 100_000;
/// Most attributes on one element.
pub const MAX_XML_ATTRIBUTES: usize = 64;
/// Longest value quoted back in an error.
const MAX_ECHO: usize = 48;

/// Why a document is not a readable XML tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// Over [`MAX_XML_BYTES`].
    #[error("document of {size} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// Size.
        size: usize,
        /// Limit.
        max: usize,
    },
    /// Not UTF-8.
    #[error("byte {offset} is not UTF-8")]
    NotUtf8 {
        /// First bad byte.
        offset: usize,
    },
    /// Not well-formed (quick-xml's reason), at a byte offset and element path.
    #[error("{path} (byte {offset}): not well-formed XML: {reason}")]
    Syntax {
        /// Element path when the error was met.
        path: String,
        /// Byte offset.
        offset: u64,
        /// What quick-xml says.
        reason: String,
    },
    /// A construct refused for safety (DOCTYPE, processing instruction, unknown entity).
    #[error("{path}: {what} is not accepted")]
    Forbidden {
        /// Element path.
        path: String,
        /// `DOCTYPE`, `processing instruction x`, `entity &x;`.
        what: String,
    },
    /// A limit was reached.
    #[error("{path}: more than {max} {what}")]
    Limit {
        /// Element path.
        path: String,
        /// `levels of nesting`, `elements`, `attributes`.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// No root element.
    #[error("document has no root element")]
    NoRoot,
}

/// One element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// Namespace URI, empty when unbound.
    pub ns: String,
    /// Local name.
    pub name: String,
    /// Unprefixed attributes (local name, normalised value), in document order; namespace
    /// declarations and prefixed attributes (`xsi:type`) are kept under their local name only
    /// when unprefixed.
    pub attrs: Vec<(String, String)>,
    /// Child elements.
    pub children: Vec<Element>,
    /// Concatenated character data directly inside this element.
    pub text: String,
    /// XPath of this element.
    pub path: String,
}

impl Element {
    /// The value of the unprefixed attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// XPath of attribute `name` of this element.
    pub fn attr_path(&self, name: &str) -> String {
        format!("{}/@{name}", self.path)
    }
}

fn echo(s: &str) -> String {
    s.chars().take(MAX_ECHO).collect()
}

struct Builder {
    stack: Vec<Element>,
    root: Option<Element>,
    elements: usize,
}

impl Builder {
    fn path(&self) -> String {
        let mut p = String::new();
        for e in &self.stack {
            p.push('/');
            p.push_str(&e.name);
        }
        if p.is_empty() { "/".to_owned() } else { p }
    }

    fn limit(&self, what: &'static str, value: usize, max: usize) -> Result<(), XmlError> {
        if value > max {
            Err(XmlError::Limit {
                path: self.path(),
                what,
                max,
            })
        } else {
            Ok(())
        }
    }

    fn open(&mut self, ns: String, start: &BytesStart<'_>) -> Result<(), XmlError> {
        self.elements += 1;
        self.limit("elements", self.elements, MAX_XML_ELEMENTS)?;
        let name = start.local_name().as_ref().to_owned();
        let mut el = Element {
            ns,
            name,
            ..Element::default()
        };
        self.stack.push(el.clone());
        self.limit("levels of nesting", self.stack.len(), MAX_XML_DEPTH)?;
        let mut count = 0;
        for attr in start.attributes() {
            let attr = attr.map_err(|e| self.syntax(0, e.to_string()))?;
            count += 1;
            self.limit("attributes", count, MAX_XML_ATTRIBUTES)?;
            if attr.key.prefix().is_some() || attr.key.as_namespace_binding().is_some() {
                continue;
            }
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(Cow::into_owned)
                .map_err(|e| XmlError::Forbidden {
                    path: self.path(),
                    what: format!("attribute value ({})", echo(&e.to_string())),
                })?;
            let key = attr.key.local_name().as_ref().to_owned();
            el.attrs.push((key, value));
        }
        if let Some(top) = self.stack.last_mut() {
            *top = el;
        }
        Ok(())
    }

    fn close(&mut self) {
        if let Some(el) = self.stack.pop() {
            match self.stack.last_mut() {
                Some(parent) => parent.children.push(el),
                None => self.root = Some(el),
            }
        }
    }

    fn text(&mut self, t: &str) {
        if let Some(top) = self.stack.last_mut() {
            top.text.push_str(t);
        }
    }

    fn syntax(&self, offset: u64, reason: String) -> XmlError {
        XmlError::Syntax {
            path: self.path(),
            offset,
            reason: echo(&reason),
        }
    }
}

/// Assigns XPaths: `/root/child[2]`, the index only where the name repeats among siblings.
fn assign_paths(el: &mut Element, path: String) {
    el.path = path;
    let names: Vec<String> = el.children.iter().map(|c| c.name.clone()).collect();
    let mut seen: Vec<(String, usize)> = Vec::new();
    for child in &mut el.children {
        let total = names.iter().filter(|n| **n == child.name).count();
        let idx = match seen.iter_mut().find(|(n, _)| *n == child.name) {
            Some((_, i)) => {
                *i += 1;
                *i
            }
            None => {
                seen.push((child.name.clone(), 1));
                1
            }
        };
        let p = if total > 1 {
            format!("{}/{}[{idx}]", el.path, child.name)
        } else {
            format!("{}/{}", el.path, child.name)
        };
        assign_paths(child, p);
    }
}

/// Parses a document into its root element.
pub fn parse(bytes: &[u8]) -> Result<Element, XmlError> {
    if bytes.len() > MAX_XML_BYTES {
        return Err(XmlError::TooLarge {
            size: bytes.len(),
            max: MAX_XML_BYTES,
        });
    }
    let input = std::str::from_utf8(bytes).map_err(|e| XmlError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let mut reader = NsReader::from_str(input);
    let config = reader.config_mut();
    config.expand_empty_elements = true;
    config.check_end_names = true;
    config.check_comments = true;
    let mut b = Builder {
        stack: Vec::new(),
        root: None,
        elements: 0,
    };
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok(x) => x,
            Err(e) => return Err(b.syntax(reader.error_position(), e.to_string())),
        };
        let ns = match ns {
            ResolveResult::Bound(ns) => ns.into_inner().to_owned(),
            _ => String::new(),
        };
        match event {
            Event::Start(start) => {
                if b.root.is_some() && b.stack.is_empty() {
                    return Err(b.syntax(
                        reader.buffer_position(),
                        "content after the root element".into(),
                    ));
                }
                b.open(ns, &start)?;
            }
            Event::End(_) => b.close(),
            Event::Empty(start) => {
                b.open(ns, &start)?;
                b.close();
            }
            Event::Text(t) => {
                let text = t.xml10_content();
                if b.stack.is_empty() {
                    if !text.trim().is_empty() {
                        return Err(b.syntax(
                            reader.buffer_position(),
                            "text outside the root element".into(),
                        ));
                    }
                } else {
                    b.text(&text);
                }
            }
            Event::CData(d) => {
                let text = d.xml10_content();
                b.text(&text);
            }
            Event::GeneralRef(r) => {
                let resolved: Cow<'_, str> = match r.resolve_char_ref() {
                    Ok(Some(c)) => Cow::Owned(c.to_string()),
                    Ok(None) => match &*r {
                        "lt" => Cow::Borrowed("<"),
                        "gt" => Cow::Borrowed(">"),
                        "amp" => Cow::Borrowed("&"),
                        "apos" => Cow::Borrowed("'"),
                        "quot" => Cow::Borrowed("\""),
                        other => {
                            return Err(XmlError::Forbidden {
                                path: b.path(),
                                what: format!("entity &{};", echo(other)),
                            });
                        }
                    },
                    Err(e) => return Err(b.syntax(reader.buffer_position(), e.to_string())),
                };
                b.text(&resolved);
            }
            Event::Comment(_) | Event::Decl(_) => {}
            Event::PI(pi) => {
                return Err(XmlError::Forbidden {
                    path: b.path(),
                    what: format!("processing instruction {}", echo(pi.target())),
                });
            }
            Event::DocType(_) => {
                return Err(XmlError::Forbidden {
                    path: b.path(),
                    what: "DOCTYPE".into(),
                });
            }
            Event::Eof => break,
        }
    }
    if !b.stack.is_empty() {
        return Err(b.syntax(
            reader.buffer_position(),
            "document ends inside an element".into(),
        ));
    }
    let mut root = b.root.ok_or(XmlError::NoRoot)?;
    let p = format!("/{}", root.name);
    assign_paths(&mut root, p);
    Ok(root)
}

/// Escapes text for element content or a double-quoted attribute value.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_index_repeated_names_only() {
        let root = parse(b"<a xmlns='urn:x'><b/><c><d/></c><b x='1&amp;2'/></a>").expect("xml");
        assert_eq!(root.ns, "urn:x");
        assert_eq!(root.children[0].path, "/a/b[1]");
        assert_eq!(root.children[1].children[0].path, "/a/c/d");
        assert_eq!(root.children[2].attr("x"), Some("1&2"));
    }

    #[test]
    fn refuses_doctype_and_entities() {
        assert!(matches!(
            parse(b"<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>"),
            Err(XmlError::Forbidden { .. })
        ));
        assert!(matches!(
            parse(b"<a>&e;</a>"),
            Err(XmlError::Forbidden { .. })
        ));
        assert!(parse(b"<a><b></a>").is_err());
        assert!(parse(b"").is_err());
    }
}
