//! insilab's own WSDL and XSDs, served at `GET /lps?wsdl` and `GET /lps?xsd=NAME`.
//!
//! One job: serve the contract documents, self-contained: every `schemaLocation` is a relative
//! `lps?xsd=NAME` that resolves on the simulator itself, so WSDL-driven client generators work
//! offline. The WSDL's endpoint address is the simulator's own URL.

/// Name and text of each schema document.
pub const SCHEMAS: &[(&str, &str)] = &[
    (
        "INSi_RECSANS_INS.xsd",
        include_str!("../data/contract/INSi_RECSANS_INS.xsd"),
    ),
    (
        "INSi_RECVITALE_INS.xsd",
        include_str!("../data/contract/INSi_RECVITALE_INS.xsd"),
    ),
    (
        "INSi_VERIFINS.xsd",
        include_str!("../data/contract/INSi_VERIFINS.xsd"),
    ),
    (
        "INSi_RESULTAT_INS.xsd",
        include_str!("../data/contract/INSi_RESULTAT_INS.xsd"),
    ),
    ("ctxbam.xsd", include_str!("../data/contract/ctxbam.xsd")),
    ("ctxlps.xsd", include_str!("../data/contract/ctxlps.xsd")),
    (
        "siram-erreur.xsd",
        include_str!("../data/contract/siram-erreur.xsd"),
    ),
    (
        "ws-addressing.xsd",
        include_str!("../data/contract/ws-addressing.xsd"),
    ),
    (
        "wsse-security.xsd",
        include_str!("../data/contract/wsse-security.xsd"),
    ),
];

/// The WSDL template (`{{ENDPOINT}}` is replaced by the endpoint URL).
pub const WSDL_TEMPLATE: &str = include_str!("../data/contract/insilab-insi.wsdl");

const XML: &str = "text/xml; charset=utf-8";

/// The WSDL with `endpoint` as the service address.
pub fn wsdl(endpoint: &str) -> String {
    WSDL_TEMPLATE.replace("{{ENDPOINT}}", &xml_escape(endpoint))
}

/// Answers a `GET /lps?…` query: `wsdl` or `xsd=NAME`. `None` for anything else.
pub fn serve(query: Option<&str>, endpoint: &str) -> Option<(&'static str, String)> {
    let q = query?;
    if q.eq_ignore_ascii_case("wsdl") || q.eq_ignore_ascii_case("wsdl=") {
        return Some((XML, wsdl(endpoint)));
    }
    let name = q.strip_prefix("xsd=")?;
    SCHEMAS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| (XML, (*text).to_owned()))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;

    #[test]
    fn every_schema_location_resolves_on_the_simulator() {
        let mut docs: Vec<String> = vec![wsdl("https://127.0.0.1:1/lps")];
        docs.extend(SCHEMAS.iter().map(|(_, t)| t.to_string()));
        for doc in &docs {
            for part in doc.split("schemaLocation=\"").skip(1) {
                let loc = &part[..part.find('"').unwrap()];
                let q = loc
                    .strip_prefix("lps?")
                    .unwrap_or_else(|| panic!("remote location {loc}"));
                assert!(serve(Some(q), "x").is_some(), "{loc} does not resolve");
            }
            assert!(!doc.contains("http://www.w3.org/2006/03/addressing/ws-addr.xsd"));
        }
    }

    #[test]
    fn wsdl_marks_verification_as_reconstructed() {
        let w = wsdl("https://127.0.0.1:1/lps");
        assert!(w.contains("verifierInsAvecTraitsIdentite"));
        assert!(w.contains("RECONSTRUCTED CONTRACT"));
        assert!(w.contains("location=\"https://127.0.0.1:1/lps\""));
    }
}
