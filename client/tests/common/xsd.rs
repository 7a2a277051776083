//! Validates a request envelope against the published INSi XSDs with xmllint.
//!
//! The published files have no SOAP envelope schema, so a wrapper schema written to a temporary
//! directory declares a minimal SOAP 1.2 `Envelope` whose `Header` and `Body` children are
//! `processContents="lax"`, and imports the published context and body schemas **by absolute
//! path** (they are never copied): every element the published schemas declare (`ContexteBAM`,
//! `ContexteLPS`, `RECSANSVITALE`, `RECVITALE`) is then validated strictly, and the WS-Addressing
//! headers, which have no published schema here, are skipped. Callers check separately that the
//! expected elements are present.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the published XSDs are on the development machines, when neither
/// `INSILAB_INSI_XSD_DIR` nor the `shared/` folder beside the checkout has them.
pub const REFERENCE_DIR: &str = "/work/shared/reference/insi-wsdl-1.5.0/xsd";

/// The published XSD folder: `INSILAB_INSI_XSD_DIR`, else `shared/` beside the checkout (as CI
/// lays it out), else [`REFERENCE_DIR`].
fn reference_dir() -> PathBuf {
    let candidates = [
        std::env::var_os("INSILAB_INSI_XSD_DIR").map(PathBuf::from),
        Some(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/reference/insi-wsdl-1.5.0/xsd"),
        ),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.is_dir())
        .unwrap_or_else(|| PathBuf::from(REFERENCE_DIR))
}

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

/// Why validation could not run.
#[derive(Debug)]
pub enum Skip {
    /// xmllint is not installed.
    NoXmllint,
    /// The published XSDs are not on this machine.
    NoReference(PathBuf),
}

/// Validates `xml`; `Err(Skip)` when the tools or the schemas are missing, `Ok(Err(report))`
/// when xmllint rejects the document.
pub fn validate(xml: &str) -> Result<Result<(), String>, Skip> {
    let reference = reference_dir();
    if !reference.is_dir() {
        return Err(Skip::NoReference(reference));
    }
    if Command::new("xmllint").arg("--version").output().is_err() {
        return Err(Skip::NoXmllint);
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
        Ok(Ok(()))
    } else {
        Ok(Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}
