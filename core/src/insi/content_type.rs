//! The HTTP `Content-Type` of SOAP 1.2 requests: the one parser of its `action` parameter.

/// The `action` parameter of a Content-Type value, quotes removed
/// (`application/soap+xml; charset=utf-8; action="urn:x"` → `urn:x`).
///
/// Read on every request the simulator checks, so it works on bytes: the parameters are found
/// with `memchr`, and white space is trimmed byte by byte (Unicode white space, which
/// [`str::trim`] also removes, is handled by `str::trim` when a non-ASCII byte ends a part).
pub fn action_parameter(content_type: &str) -> Option<&str> {
    let bytes = content_type.as_bytes();
    // What comes before the first `;` is the media type, not a parameter.
    let mut at = memchr::memchr(b';', bytes)? + 1;
    loop {
        let rest = content_type.get(at..)?;
        let end = memchr::memchr(b';', rest.as_bytes()).unwrap_or(rest.len());
        let param = rest.get(..end)?;
        if let Some(eq) = memchr::memchr(b'=', param.as_bytes()) {
            let (key, value) = (param.get(..eq)?, param.get(eq + 1..)?);
            if trim_space(key).eq_ignore_ascii_case("action") {
                return Some(trim_space(value).trim_matches('"'));
            }
        }
        if end == rest.len() {
            return None;
        }
        at += end + 1;
    }
}

/// [`str::trim`]: ASCII white space byte by byte, the rest of Unicode's through `str::trim`.
fn trim_space(s: &str) -> &str {
    let is_space = |b: &u8| matches!(b, b'\t'..=b'\r' | b' ');
    let bytes = s.as_bytes();
    let from = bytes
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(bytes.len());
    let to = bytes
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(from, |i| i + 1);
    let trimmed = s.get(from..to).unwrap_or_default();
    match (trimmed.as_bytes().first(), trimmed.as_bytes().last()) {
        (Some(first), Some(last)) if !first.is_ascii() || !last.is_ascii() => trimmed.trim(),
        _ => trimmed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn action_parameter_is_read_from_the_content_type() {
        assert_eq!(
            action_parameter("application/soap+xml; charset=utf-8; action=\"urn:x\""),
            Some("urn:x")
        );
        assert_eq!(
            action_parameter("application/soap+xml; ACTION = urn:y "),
            Some("urn:y")
        );
        assert_eq!(action_parameter("application/soap+xml"), None);
        assert_eq!(action_parameter("action=urn:z"), None, "not a parameter");
        assert_eq!(
            action_parameter("a/b;\u{a0}action\u{3000}=\u{2003}\"urn:u\"\u{85}; action=v"),
            Some("urn:u"),
            "Unicode white space is trimmed as str::trim does"
        );
        assert_eq!(action_parameter("a/b; x; action=\"\"v\"\""), Some("v"));
    }

    /// The definition the byte-level reader must agree with.
    fn by_the_definition(content_type: &str) -> Option<&str> {
        content_type.split(';').skip(1).find_map(|param| {
            let (k, v) = param.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("action")
                .then(|| v.trim().trim_matches('"'))
        })
    }

    proptest! {
        #[test]
        fn agrees_with_the_definition(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just(";".to_string()),
                    Just("=".to_string()),
                    Just("\"".to_string()),
                    Just("action".to_string()),
                    Just("AcTiOn".to_string()),
                    Just("charset=utf-8".to_string()),
                    "[ \t\r\n\u{b}\u{c}\u{1c}\u{85}\u{a0}\u{2003}\u{3000}]{1,3}",
                    "[a-z:/+.-]{1,8}",
                    "\\PC{1,4}",
                ],
                0..12,
            )
        ) {
            let content_type = parts.concat();
            prop_assert_eq!(action_parameter(&content_type), by_the_definition(&content_type));
        }
    }
}
