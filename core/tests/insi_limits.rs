//! Every reader limit at its boundary: the limit itself passes, one more fails with
//! `LimitExceeded` naming the limit.

use insilab_core::insi::reader::{
    DEFAULT_MAX_ATTRIBUTES, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_ELEMENTS,
    DEFAULT_MAX_TEXT_BYTES,
};
use insilab_core::insi::{Limits, ParseErrorKind, RequestBody, parse_request};

const HEAD: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>"#;
const MID: &str =
    r#"</s:Header><s:Body><RECSANSVITALE xmlns="http://www.cnamts.fr/INSiRecSans"><NomNaissance>"#;
const TAIL: &str = "</NomNaissance></RECSANSVITALE></s:Body></s:Envelope>";

/// An envelope with `header` inside `Header` and `name` as the birth name.
fn doc(header: &str, name: &str) -> String {
    format!("{HEAD}{header}{MID}{name}{TAIL}")
}

fn limit_hit(xml: &str, limits: &Limits) -> Option<(&'static str, usize, usize)> {
    match parse_request(xml.as_bytes(), limits) {
        Ok(_) => None,
        Err(e) => match e.kind {
            ParseErrorKind::LimitExceeded { limit, value, max } => Some((limit, value, max)),
            other => panic!("unexpected error {other:?}"),
        },
    }
}

#[test]
fn defaults_are_the_documented_values() {
    let l = Limits::default();
    assert_eq!(l.max_body_bytes, 1024 * 1024);
    assert_eq!(l.max_depth, 32);
    assert_eq!(l.max_elements, 10_000);
    assert_eq!(l.max_attributes, 32);
    assert_eq!(l.max_text_bytes, 8 * 1024);
    assert_eq!(
        (
            DEFAULT_MAX_BODY_BYTES,
            DEFAULT_MAX_DEPTH,
            DEFAULT_MAX_ELEMENTS,
            DEFAULT_MAX_ATTRIBUTES,
            DEFAULT_MAX_TEXT_BYTES
        ),
        (1024 * 1024, 32, 10_000, 32, 8 * 1024)
    );
}

#[test]
fn body_bytes_at_default_boundary() {
    let base = doc("", "X");
    // Pad with a comment (in the Header) to exactly the limit.
    let pad = DEFAULT_MAX_BODY_BYTES - base.len() - "<!---->".len();
    // A comment is a text node too: split the padding into comments under the text limit.
    let mut header = String::new();
    let mut left = pad;
    while left > 0 {
        let chunk = left.min(4000);
        header.push_str("<!--");
        header.push_str(&"a".repeat(chunk));
        header.push_str("-->");
        left -= chunk;
    }
    // Each extra comment added 7 bytes of markup; trim the padding to land exactly.
    let mut at_limit = doc(&header, "X");
    while at_limit.len() > DEFAULT_MAX_BODY_BYTES {
        at_limit = at_limit.replacen("aa", "a", 1);
    }
    while at_limit.len() < DEFAULT_MAX_BODY_BYTES {
        at_limit = at_limit.replacen("<!--a", "<!--aa", 1);
    }
    assert_eq!(at_limit.len(), DEFAULT_MAX_BODY_BYTES);
    assert_eq!(limit_hit(&at_limit, &Limits::default()), None);
    let over = at_limit.replacen("<!--a", "<!--aa", 1);
    assert_eq!(
        limit_hit(&over, &Limits::default()),
        Some((
            "max_body_bytes",
            DEFAULT_MAX_BODY_BYTES + 1,
            DEFAULT_MAX_BODY_BYTES
        ))
    );
}

#[test]
fn depth_at_default_boundary() {
    // Envelope (1) / Header (2) / x... : n nested x elements reach depth 2 + n.
    let nest = |n: usize| format!("{}{}", "<x>".repeat(n), "</x>".repeat(n));
    let ok = doc(&nest(DEFAULT_MAX_DEPTH - 2), "X");
    assert_eq!(limit_hit(&ok, &Limits::default()), None);
    let over = doc(&nest(DEFAULT_MAX_DEPTH - 1), "X");
    assert_eq!(
        limit_hit(&over, &Limits::default()),
        Some(("max_depth", DEFAULT_MAX_DEPTH + 1, DEFAULT_MAX_DEPTH))
    );
}

#[test]
fn element_count_at_default_boundary() {
    // Envelope, Header, Body, RECSANSVITALE, NomNaissance = 5 elements.
    let ok = doc(&"<x/>".repeat(DEFAULT_MAX_ELEMENTS - 5), "X");
    assert_eq!(limit_hit(&ok, &Limits::default()), None);
    let over = doc(&"<x/>".repeat(DEFAULT_MAX_ELEMENTS - 4), "X");
    assert_eq!(
        limit_hit(&over, &Limits::default()),
        Some((
            "max_elements",
            DEFAULT_MAX_ELEMENTS + 1,
            DEFAULT_MAX_ELEMENTS
        ))
    );
}

#[test]
fn attributes_at_default_boundary() {
    let with = |n: usize| {
        let attrs: String = (0..n).map(|i| format!(" a{i}=\"v\"")).collect();
        doc(&format!("<x{attrs}/>"), "X")
    };
    assert_eq!(
        limit_hit(&with(DEFAULT_MAX_ATTRIBUTES), &Limits::default()),
        None
    );
    assert_eq!(
        limit_hit(&with(DEFAULT_MAX_ATTRIBUTES + 1), &Limits::default()),
        Some((
            "max_attributes",
            DEFAULT_MAX_ATTRIBUTES + 1,
            DEFAULT_MAX_ATTRIBUTES
        ))
    );
}

#[test]
fn text_at_default_boundary_in_text_attribute_and_comment() {
    let max = DEFAULT_MAX_TEXT_BYTES;
    let hit = Some(("max_text_bytes", max + 1, max));
    let name = |n: usize| doc("", &"A".repeat(n));
    let req = parse_request(name(max).as_bytes(), &Limits::default()).expect("at limit");
    let RequestBody::TraitsSearch(t) = req.body else {
        panic!("not a traits search")
    };
    assert_eq!(t.nom_naissance.map(|n| n.len()), Some(max));
    assert_eq!(limit_hit(&name(max + 1), &Limits::default()), hit);
    // Text split by entity references still counts as one node.
    let split = doc(
        "",
        &format!("{}&amp;{}", "A".repeat(max / 2), "A".repeat(max / 2)),
    );
    assert_eq!(
        limit_hit(&split, &Limits::default()),
        Some(("max_text_bytes", max + 1, max))
    );
    let attr = |n: usize| doc(&format!("<x a=\"{}\"/>", "v".repeat(n)), "X");
    assert_eq!(limit_hit(&attr(max), &Limits::default()), None);
    assert_eq!(limit_hit(&attr(max + 1), &Limits::default()), hit);
    let comment = |n: usize| doc(&format!("<!--{}-->", "c".repeat(n)), "X");
    assert_eq!(limit_hit(&comment(max), &Limits::default()), None);
    assert_eq!(limit_hit(&comment(max + 1), &Limits::default()), hit);
}

#[test]
fn custom_limits_are_honoured() {
    // Namespace URIs are attribute values, hence text nodes: the SOAP one is 39 bytes.
    let xml = doc("<x a=\"1\" b=\"2\"/>", &"A".repeat(40));
    let tight = Limits {
        max_body_bytes: xml.len(),
        max_depth: 4,
        max_elements: 6,
        max_attributes: 2,
        max_text_bytes: 40,
    };
    assert_eq!(limit_hit(&xml, &tight), None);
    for (limits, name) in [
        (
            Limits {
                max_body_bytes: xml.len() - 1,
                ..tight
            },
            "max_body_bytes",
        ),
        (
            Limits {
                max_depth: 3,
                ..tight
            },
            "max_depth",
        ),
        (
            Limits {
                max_elements: 5,
                ..tight
            },
            "max_elements",
        ),
        (
            Limits {
                max_attributes: 1,
                ..tight
            },
            "max_attributes",
        ),
        (
            Limits {
                max_text_bytes: 39,
                ..tight
            },
            "max_text_bytes",
        ),
    ] {
        assert_eq!(limit_hit(&xml, &limits).map(|h| h.0), Some(name));
    }
}
