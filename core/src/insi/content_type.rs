//! The HTTP `Content-Type` of SOAP 1.2 requests: the one parser of its `action` parameter.

/// The `action` parameter of a Content-Type value, quotes removed
/// (`application/soap+xml; charset=utf-8; action="urn:x"` → `urn:x`).
pub fn action_parameter(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("action")
            .then(|| v.trim().trim_matches('"'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
