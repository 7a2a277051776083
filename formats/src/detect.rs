//! Which carrier a document is, by its content, and its checks: what `insilab lint` applies to
//! a file (INSi SOAP is read by core and recognised here only by its root element).

use insilab_core::rules::Finding;

#[cfg(feature = "symbol")]
use crate::datamatrix;
use crate::{cda, fhir, hl7, rules};

/// MLLP start block: a captured MLLP frame is linted as the HL7 message it carries.
const MLLP_START: u8 = 0x0B;
/// How many leading bytes are looked at for an XML root element.
const SNIFF_XML_BYTES: usize = 64 * 1024;

/// A document kind recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Carrier {
    /// An INSi SOAP envelope (request or answer: core reads it).
    Insi,
    /// An HL7 v2 ER7 message (possibly in an MLLP frame).
    Hl7,
    /// A FHIR resource in JSON.
    FhirJson,
    /// A FHIR resource in XML.
    FhirXml,
    /// A CDA R2 document.
    Cda,
    /// A PNG or JPEG image, or a PDF page embedding one, carrying an INS Datamatrix.
    DatamatrixImage,
    /// The text payload of an INS Datamatrix.
    DatamatrixPayload,
}

impl Carrier {
    /// `insi`, `hl7`, `fhir-json`, `fhir-xml`, `cda`, `datamatrix-image`, `datamatrix-payload`.
    pub fn as_str(self) -> &'static str {
        match self {
            Carrier::Insi => "insi",
            Carrier::Hl7 => "hl7",
            Carrier::FhirJson => "fhir-json",
            Carrier::FhirXml => "fhir-xml",
            Carrier::Cda => "cda",
            Carrier::DatamatrixImage => "datamatrix-image",
            Carrier::DatamatrixPayload => "datamatrix-payload",
        }
    }
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// The `{namespace}local` of the root element, read from the first bytes only.
fn xml_root(bytes: &[u8]) -> Option<(String, String)> {
    let head = &bytes[..bytes.len().min(SNIFF_XML_BYTES)];
    let mut reader = quick_xml::reader::NsReader::from_reader(head);
    loop {
        match reader.read_resolved_event() {
            Ok((ns, quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e))) => {
                let ns = match ns {
                    quick_xml::name::ResolveResult::Bound(n) => n.into_inner().to_owned(),
                    _ => String::new(),
                };
                return Some((ns, e.local_name().as_ref().to_owned()));
            }
            Ok((_, quick_xml::events::Event::Eof)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Recognises a document: image magic numbers, `MSH` (or an MLLP frame), `IS0` payloads, `{`
/// FHIR JSON, and for XML the root element (`Envelope` INSi, `ClinicalDocument` CDA, an
/// element in the FHIR namespace).
pub fn sniff(bytes: &[u8]) -> Option<Carrier> {
    if bytes.starts_with(b"\x89PNG")
        || bytes.starts_with(b"\xFF\xD8\xFF")
        || bytes.starts_with(b"%PDF-")
    {
        return Some(Carrier::DatamatrixImage);
    }
    let t = trim_start(bytes);
    let t = t.strip_prefix(&[MLLP_START]).unwrap_or(t);
    if t.starts_with(b"MSH") {
        return Some(Carrier::Hl7);
    }
    if t.starts_with(b"IS0") {
        return Some(Carrier::DatamatrixPayload);
    }
    match t.first() {
        Some(b'{') => Some(Carrier::FhirJson),
        Some(b'<') => {
            let (ns, name) = xml_root(t)?;
            match (ns.as_str(), name.as_str()) {
                (_, "Envelope") => Some(Carrier::Insi),
                (cda::CDA_NS, "ClinicalDocument") => Some(Carrier::Cda),
                (fhir::node::FHIR_NS, _) => Some(Carrier::FhirXml),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Why a document could not be checked as the carrier it was taken for.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CarrierError {
    /// HL7 v2 reader error.
    #[error("not a readable HL7 v2 message: {0}")]
    Hl7(#[from] hl7::Hl7Error),
    /// FHIR reader error.
    #[error("not a readable FHIR Patient or Bundle: {0}")]
    Fhir(#[from] fhir::FhirError),
    /// CDA reader error.
    #[error("not a readable CDA header: {0}")]
    Cda(#[from] cda::CdaError),
    /// No Datamatrix found in the image.
    #[cfg(feature = "symbol")]
    #[error("no readable INS Datamatrix in the image: {0}")]
    Symbol(#[from] datamatrix::SymbolError),
    /// Built without the `symbol` feature (the fuzz build): images are not read.
    #[cfg(not(feature = "symbol"))]
    #[error("this build reads no images (feature `symbol` off)")]
    NoImageSupport,
    /// A payload that is not text.
    #[error("a Datamatrix payload must be UTF-8 text")]
    PayloadNotText,
    /// INSi is checked by core, not here.
    #[error("INSi envelopes are checked by the INSi rules")]
    Insi,
}

/// What a check found: the findings and, for an image, the payload decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Findings in rule order of each format's checks.
    pub findings: Vec<Finding>,
    /// The Datamatrix payload decoded from an image.
    pub payload: Option<String>,
}

/// Reads `bytes` as `carrier` and applies that format's rules.
pub fn check(carrier: Carrier, bytes: &[u8]) -> Result<Checked, CarrierError> {
    let only = |findings| Checked {
        findings,
        payload: None,
    };
    match carrier {
        Carrier::Insi => Err(CarrierError::Insi),
        Carrier::Hl7 => {
            let t = trim_start(bytes);
            let t = t.strip_prefix(&[MLLP_START]).unwrap_or(t);
            let t = t.strip_suffix(b"\x1C\x0D").unwrap_or(t);
            let msg = hl7::parse(t)?;
            Ok(only(rules::hl7::check_message(&msg)))
        }
        Carrier::FhirJson => Ok(only(rules::fhir::check_resource(&fhir::read_json(bytes)?))),
        Carrier::FhirXml => Ok(only(rules::fhir::check_resource(&fhir::read_xml(bytes)?))),
        Carrier::Cda => Ok(only(rules::cda::check_header(&cda::read(bytes)?))),
        #[cfg(not(feature = "symbol"))]
        Carrier::DatamatrixImage => Err(CarrierError::NoImageSupport),
        #[cfg(feature = "symbol")]
        Carrier::DatamatrixImage => {
            let payload = datamatrix::decode_image(bytes)?;
            Ok(Checked {
                findings: rules::datamatrix::check_payload(&payload),
                payload: Some(payload),
            })
        }
        Carrier::DatamatrixPayload => {
            let text = std::str::from_utf8(bytes).map_err(|_| CarrierError::PayloadNotText)?;
            let text = text.trim_end_matches(['\r', '\n']);
            Ok(only(rules::datamatrix::check_payload(text)))
        }
    }
}
