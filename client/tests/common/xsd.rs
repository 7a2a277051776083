//! Validates a request envelope against the published INSi XSDs with xmllint.
//!
//! The published files have no SOAP envelope schema, so a wrapper schema written to a temporary
//! directory declares a minimal SOAP 1.2 `Envelope` whose `Header` and `Body` children are
//! `processContents="lax"`, and imports the published context and body schemas **by absolute
//! path** (they are never copied): every element the published schemas declare (`ContexteBAM`,
//! `ContexteLPS`, `RECSANSVITALE`, `RECVITALE`) is then validated strictly, and the WS-Addressing
//! headers, which have no published schema here, are skipped. Callers check separately that the
//! expected elements are present.

use std::path::Path;
use std::process::Command;

fn wrapper_xsd(reference: &Path) -> String {
    let p = |rel: &str| reference.join(rel).display().to_string();
    format!(
        r###"<?xml version="1.0" encoding="UTF-8"?>
<!-- insilab test wrapper: a minimal SOAP 1.2 envelope importing the published INSi schemas. -->
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           targetNamespace="http://www.w3.org/2003/05/soap-envelope"
           elementFormDefault="qualified">
  <xs:import namespace="urn:siram:bam:ctxbam" schemaLocation="{bam}"/>
  <xs:import namespace="urn:siram:lps:ctxlps" schemaLocation="{lps}"/>
  <xs:import namespace="http://www.cnamts.fr/INSiRecSans" schemaLocation="{recsans}"/>
  <xs:import namespace="http://www.cnamts.fr/INSiRecVit" schemaLocation="{recvit}"/>
  <xs:element name="Envelope">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Header" minOccurs="0">
          <xs:complexType>
            <xs:sequence>
              <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
            </xs:sequence>
            <xs:anyAttribute namespace="##other" processContents="lax"/>
          </xs:complexType>
        </xs:element>
        <xs:element name="Body">
          <xs:complexType>
            <xs:sequence>
              <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
            </xs:sequence>
            <xs:anyAttribute namespace="##any" processContents="lax"/>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
      <xs:anyAttribute namespace="##other" processContents="lax"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
"###,
        bam = p("CTX/ROOT_ctxbam_CTXBAM_V01_02.xsd"),
        lps = p("CTX/ROOT_ctxlps_CTXLPS_V01_00.xsd"),
        recsans = p("ServiceIdentiteCertifiee/INSi_RECSANS_INS.xsd"),
        recvit = p("ServiceIdentiteCertifiee/INSi_RECVITALE_INS.xsd"),
    )
}

/// Validates `xml`; `None` when xmllint or the published schemas are missing (the check was
/// skipped through `insilab_testkit`, which fails instead under `INSILAB_REQUIRE_TOOLS=1`),
/// `Some(Err(report))` when xmllint rejects the document.
pub fn validate(check: &str, xml: &str) -> Option<Result<(), String>> {
    let reference = insilab_testkit::require_xsd_dir(env!("CARGO_MANIFEST_DIR"), check)?;
    if !insilab_testkit::XMLLINT.require(check) {
        return None;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let xsd = dir.path().join("envelope-wrapper.xsd");
    std::fs::write(&xsd, wrapper_xsd(&reference)).expect("write wrapper xsd");
    let doc = dir.path().join("request.xml");
    std::fs::write(&doc, xml).expect("write request");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(&xsd)
        .arg(&doc)
        .output()
        .expect("run xmllint");
    if out.status.success() {
        Some(Ok(()))
    } else {
        Some(Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}
