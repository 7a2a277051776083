//! The FHIR element tree both syntaxes are read into and written from.
//!
//! FHIR JSON and FHIR XML carry the same element tree: a [`Node`] has a name, a primitive value
//! (`"gender": "female"` / `<gender value="female"/>`), an extension `url` (a property in JSON,
//! an attribute in XML) and child elements; arrays become repeated children. Each node keeps its
//! location in the source syntax: a JSON path (`$.identifier[0].system`) or an XPath
//! (`/Patient/identifier[2]/system`). A resource inside another (`entry.resource`) is a node
//! `resource` whose only child is named after the resource type, as in XML.

use serde_json::Value;

use super::{FhirError, MAX_FHIR_BYTES, MAX_FHIR_DEPTH, MAX_FHIR_NODES};
use crate::xml::{self, Element};

/// FHIR's XML namespace.
pub const FHIR_NS: &str = "http://hl7.org/fhir";

/// Element names that are arrays in FHIR JSON (within the Patient and Bundle parts modelled).
const ARRAY_NAMES: &[&str] = &[
    "identifier",
    "extension",
    "name",
    "given",
    "prefix",
    "coding",
    "entry",
    "profile",
    "issue",
    "line",
    "address",
    "telecom",
    "expression",
];

/// One element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Node {
    /// Element name (the resource type for a resource).
    pub name: String,
    /// Primitive value.
    pub value: Option<String>,
    /// Extension url.
    pub url: Option<String>,
    /// Child elements in order.
    pub children: Vec<Node>,
    /// Location in the source (empty for nodes built to be written).
    pub path: String,
}

impl Node {
    /// A node with children.
    pub fn new(name: &str) -> Node {
        Node {
            name: name.to_owned(),
            ..Node::default()
        }
    }

    /// A primitive node.
    pub fn prim(name: &str, value: &str) -> Node {
        Node {
            name: name.to_owned(),
            value: Some(value.to_owned()),
            ..Node::default()
        }
    }

    /// Adds a child (builder style).
    pub fn with(mut self, child: Node) -> Node {
        self.children.push(child);
        self
    }

    /// Adds a primitive child when `value` is present.
    pub fn opt(mut self, name: &str, value: Option<&String>) -> Node {
        if let Some(v) = value {
            self.children.push(Node::prim(name, v));
        }
        self
    }

    /// Every child named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child named `name`.
    pub fn first(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
}

// ---------------------------------------------------------------- JSON -> Node

struct JsonCtx {
    nodes: usize,
}

fn json_err(path: &str, reason: &'static str, found: &Value) -> FhirError {
    FhirError::Invalid {
        at: path.to_owned(),
        found: found.to_string().chars().take(48).collect(),
        reason,
    }
}

/// Reads FHIR JSON into its resource node.
pub fn from_json(bytes: &[u8]) -> Result<Node, FhirError> {
    if bytes.len() > MAX_FHIR_BYTES {
        return Err(FhirError::TooLarge {
            size: bytes.len(),
            max: MAX_FHIR_BYTES,
        });
    }
    // serde_json bounds its own recursion (128 levels) and returns an error beyond it.
    let value: Value = serde_json::from_slice(bytes).map_err(|e| FhirError::Json {
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
    })?;
    let mut ctx = JsonCtx { nodes: 0 };
    resource_from_json(&value, "$", &mut ctx, 0)
}

fn resource_from_json(
    value: &Value,
    path: &str,
    ctx: &mut JsonCtx,
    depth: usize,
) -> Result<Node, FhirError> {
    let Value::Object(map) = value else {
        return Err(json_err(path, "a resource must be a JSON object", value));
    };
    let rt = match map.get("resourceType") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(other) => {
            return Err(json_err(
                &format!("{path}.resourceType"),
                "resourceType must be a non-empty string",
                other,
            ));
        }
        None => {
            return Err(FhirError::Missing {
                at: format!("{path}.resourceType"),
            });
        }
    };
    let mut node = Node {
        name: rt,
        path: path.to_owned(),
        ..Node::default()
    };
    object_children(&mut node, map, path, ctx, depth)?;
    Ok(node)
}

fn object_children(
    node: &mut Node,
    map: &serde_json::Map<String, Value>,
    path: &str,
    ctx: &mut JsonCtx,
    depth: usize,
) -> Result<(), FhirError> {
    if depth > MAX_FHIR_DEPTH {
        return Err(FhirError::Limit {
            at: path.to_owned(),
            what: "levels of nesting",
            max: MAX_FHIR_DEPTH,
        });
    }
    for (key, v) in map {
        if key == "resourceType" || key.starts_with('_') || key == "fhir_comments" {
            continue;
        }
        let kp = format!("{path}.{key}");
        if key == "url" {
            match v {
                Value::String(s) => node.url = Some(s.clone()),
                other => return Err(json_err(&kp, "url must be a string", other)),
            }
            continue;
        }
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let child = element_from_json(key, item, &format!("{kp}[{i}]"), ctx, depth)?;
                    node.children.push(child);
                }
            }
            other => {
                let child = element_from_json(key, other, &kp, ctx, depth)?;
                node.children.push(child);
            }
        }
    }
    Ok(())
}

fn element_from_json(
    name: &str,
    value: &Value,
    path: &str,
    ctx: &mut JsonCtx,
    depth: usize,
) -> Result<Node, FhirError> {
    ctx.nodes += 1;
    if ctx.nodes > MAX_FHIR_NODES {
        return Err(FhirError::Limit {
            at: path.to_owned(),
            what: "elements",
            max: MAX_FHIR_NODES,
        });
    }
    let mut node = Node {
        name: name.to_owned(),
        path: path.to_owned(),
        ..Node::default()
    };
    match value {
        Value::Null => return Err(json_err(path, "null is not allowed in FHIR JSON", value)),
        Value::Bool(b) => node.value = Some(b.to_string()),
        Value::Number(n) => node.value = Some(n.to_string()),
        Value::String(s) => node.value = Some(s.clone()),
        Value::Array(_) => return Err(json_err(path, "an array cannot hold an array", value)),
        Value::Object(map) => {
            if name == "resource" || name == "contained" {
                let inner = resource_from_json(value, path, ctx, depth + 1)?;
                node.children.push(inner);
            } else {
                object_children(&mut node, map, path, ctx, depth + 1)?;
            }
        }
    }
    Ok(node)
}

// ---------------------------------------------------------------- XML -> Node

/// Reads FHIR XML into its resource node.
pub fn from_xml(bytes: &[u8]) -> Result<Node, FhirError> {
    if bytes.len() > MAX_FHIR_BYTES {
        return Err(FhirError::TooLarge {
            size: bytes.len(),
            max: MAX_FHIR_BYTES,
        });
    }
    let root = xml::parse(bytes).map_err(FhirError::Xml)?;
    if root.ns != FHIR_NS {
        return Err(FhirError::Invalid {
            at: root.path.clone(),
            found: root.ns.chars().take(48).collect(),
            reason: "the root element is not in the FHIR namespace http://hl7.org/fhir",
        });
    }
    Ok(node_from_element(&root))
}

fn node_from_element(el: &Element) -> Node {
    let mut node = Node {
        name: el.name.clone(),
        value: el.attr("value").map(str::to_owned),
        url: el.attr("url").map(str::to_owned),
        children: Vec::new(),
        path: el.path.clone(),
    };
    for c in &el.children {
        if c.ns != FHIR_NS {
            // Narrative XHTML (`text/div`) and foreign elements are not FHIR elements.
            continue;
        }
        node.children.push(node_from_element(c));
    }
    node
}

// ---------------------------------------------------------------- Node -> text

/// Writes a resource node as FHIR JSON (two-space indentation).
pub fn to_json(resource: &Node) -> String {
    let mut out = String::new();
    write_json_resource(resource, 0, &mut out);
    out.push('\n');
    out
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

fn write_json_resource(node: &Node, level: usize, out: &mut String) {
    out.push_str("{\n");
    indent(out, level + 1);
    out.push_str(&format!("\"resourceType\": {}", json_str(&node.name)));
    write_json_members(node, level, out, true);
    out.push('\n');
    indent(out, level);
    out.push('}');
}

/// Writes the members of an object (`url` then the children grouped by name in first-seen
/// order), after `has_prev` earlier members.
fn write_json_members(node: &Node, level: usize, out: &mut String, mut has_prev: bool) {
    let mut sep = |out: &mut String| {
        if has_prev {
            out.push(',');
        }
        out.push('\n');
        indent(out, level + 1);
        has_prev = true;
    };
    if let Some(url) = &node.url {
        sep(out);
        out.push_str(&format!("\"url\": {}", json_str(url)));
    }
    let mut names: Vec<&str> = Vec::new();
    for c in &node.children {
        if !names.contains(&c.name.as_str()) {
            names.push(&c.name);
        }
    }
    for name in names {
        sep(out);
        out.push_str(&format!("{}: ", json_str(name)));
        let items: Vec<&Node> = node.all(name).collect();
        if ARRAY_NAMES.contains(&name) {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json_value(item, level + 1, out);
            }
            out.push(']');
        } else if let Some(item) = items.first() {
            // A non-array name never repeats in nodes built by the writer.
            write_json_value(item, level + 1, out);
        }
    }
}

fn write_json_value(node: &Node, level: usize, out: &mut String) {
    if node.name == "resource" {
        match node.children.first() {
            Some(inner) => write_json_resource(inner, level, out),
            None => out.push_str("{}"),
        }
    } else if let Some(v) = &node.value {
        out.push_str(&json_str(v));
    } else {
        out.push('{');
        write_json_members(node, level, out, false);
        out.push('\n');
        indent(out, level);
        out.push('}');
    }
}

/// Writes a resource node as FHIR XML.
pub fn to_xml(resource: &Node) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    write_xml(resource, 0, Some(FHIR_NS), &mut out);
    out
}

fn write_xml(node: &Node, level: usize, ns: Option<&str>, out: &mut String) {
    indent(out, level);
    out.push('<');
    out.push_str(&node.name);
    if let Some(ns) = ns {
        out.push_str(&format!(" xmlns=\"{ns}\""));
    }
    if let Some(url) = &node.url {
        out.push_str(&format!(" url=\"{}\"", xml::escape(url)));
    }
    if let Some(v) = &node.value {
        out.push_str(&format!(" value=\"{}\"", xml::escape(v)));
    }
    if node.children.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    for c in &node.children {
        write_xml(c, level + 1, None, out);
    }
    indent(out, level);
    out.push_str(&format!("</{}>\n", node.name));
}
