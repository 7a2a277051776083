//! CDA R2 header: the patient of `recordTarget/patientRole` as the CI-SIS carries the INS
//! (ins-rules.md §2.5): `id` with the INS OID as root and the matricule as extension, a second
//! `id` for the local IPP, the birth name and given names with their qualifiers, sex, birth time
//! and birth place.
//!
//! [`read`] returns a typed [`CdaHeader`] or a [`CdaError`] naming the XPath of what was wrong;
//! [`write`] writes a `ClinicalDocument` carrying these header elements only. The rest of the
//! document (author, custodian, body …) is ignored on reading. No I/O, no panic, bounded by the
//! limits of [`crate::xml`].

use crate::xml::{self, Element, XmlError};

/// The HL7 v3 namespace of CDA.
pub const CDA_NS: &str = "urn:hl7-org:v3";
/// Code system of `administrativeGenderCode` (HL7 AdministrativeGender, JDV_J143).
pub const GENDER_CODE_SYSTEM: &str = "2.16.840.1.113883.5.1";
/// Most `recordTarget`s read.
pub const MAX_RECORD_TARGETS: usize = 100;

/// Why a document is not a readable CDA header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CdaError {
    /// Not well-formed or refused XML.
    #[error(transparent)]
    Xml(XmlError),
    /// The root is not `{urn:hl7-org:v3}ClinicalDocument`.
    #[error("{at}: root element {found:?} is not {{urn:hl7-org:v3}}ClinicalDocument")]
    NotCda {
        /// XPath.
        at: String,
        /// `{ns}name` found.
        found: String,
    },
    /// A required element is absent.
    #[error("{at}: required element is missing")]
    Missing {
        /// XPath.
        at: String,
    },
    /// A limit was reached.
    #[error("{at}: more than {max} {what}")]
    Limit {
        /// XPath.
        at: String,
        /// What is counted.
        what: &'static str,
        /// The limit.
        max: usize,
    },
}

/// An `II` (instance identifier).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ii {
    /// `@root` (an OID).
    pub root: Option<String>,
    /// `@extension`.
    pub extension: Option<String>,
    /// `@assigningAuthorityName` (forbidden on the INS id).
    pub assigning_authority_name: Option<String>,
    /// `@displayable` (forbidden on the INS id).
    pub displayable: Option<String>,
    /// `@nullFlavor` (forbidden on the INS id).
    pub null_flavor: Option<String>,
}

/// What a name part is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// `family`.
    Family,
    /// `given`.
    Given,
    /// `prefix`.
    Prefix,
}

impl PartKind {
    fn element(self) -> &'static str {
        match self {
            PartKind::Family => "family",
            PartKind::Given => "given",
            PartKind::Prefix => "prefix",
        }
    }
}

/// One part of a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePart {
    /// Family, given or prefix.
    pub kind: PartKind,
    /// `@qualifier` (`BR` birth, `SP` used name, `CL` …).
    pub qualifier: Option<String>,
    /// The text, surrounding white space removed.
    pub text: String,
}

/// A `name` of the patient.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CdaName {
    /// Parts in document order.
    pub parts: Vec<NamePart>,
}

/// `birthplace/place/addr`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Birthplace {
    /// `county`: the COG code.
    pub county: Option<String>,
    /// `city`.
    pub city: Option<String>,
}

/// `recordTarget/patientRole` and its `patient`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatientRole {
    /// `id`s (the INS first, then the IPP).
    pub ids: Vec<Ii>,
    /// `patient/name`s.
    pub names: Vec<CdaName>,
    /// `patient/administrativeGenderCode/@code`.
    pub gender_code: Option<String>,
    /// `patient/birthTime/@value`.
    pub birth_time: Option<String>,
    /// `patient/birthplace/place/addr`.
    pub birthplace: Option<Birthplace>,
}

/// The CDA header parts insilab models.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CdaHeader {
    /// `recordTarget/patientRole`s (at least one).
    pub record_targets: Vec<PatientRole>,
}

impl PatientRole {
    /// The name parts of `kind` with this qualifier (`None`: without qualifier), in order.
    pub fn parts(
        &self,
        kind: PartKind,
        qualifier: Option<&str>,
    ) -> impl Iterator<Item = &NamePart> {
        self.names
            .iter()
            .flat_map(|n| n.parts.iter())
            .filter(move |p| p.kind == kind && p.qualifier.as_deref() == qualifier)
    }

    /// The birth name: the first `family@qualifier="BR"`.
    pub fn birth_name(&self) -> Option<&str> {
        self.parts(PartKind::Family, Some("BR"))
            .next()
            .map(|p| p.text.as_str())
    }

    /// The first birth first name: `given@qualifier="BR"`.
    pub fn first_birth_given(&self) -> Option<&str> {
        self.parts(PartKind::Given, Some("BR"))
            .next()
            .map(|p| p.text.as_str())
    }

    /// The birth first-names list: every unqualified `given`, joined by one space.
    pub fn given_list(&self) -> Option<String> {
        let parts: Vec<&str> = self
            .parts(PartKind::Given, None)
            .map(|p| p.text.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// The ids whose root is one of the four INS OIDs, with their index.
    pub fn ins_ids(&self) -> impl Iterator<Item = (usize, &Ii, insilab_core::ins::Oid)> {
        self.ids.iter().enumerate().filter_map(|(i, id)| {
            let oid = insilab_core::ins::Oid::parse(id.root.as_deref()?).ok()?;
            Some((i, id, oid))
        })
    }
}

fn missing(at: String) -> CdaError {
    CdaError::Missing { at }
}

/// Reads the header of a CDA document.
pub fn read(bytes: &[u8]) -> Result<CdaHeader, CdaError> {
    let root = xml::parse(bytes).map_err(CdaError::Xml)?;
    if root.ns != CDA_NS || root.name != "ClinicalDocument" {
        return Err(CdaError::NotCda {
            at: root.path.clone(),
            found: format!("{{{}}}{}", root.ns, root.name)
                .chars()
                .take(80)
                .collect(),
        });
    }
    let mut header = CdaHeader::default();
    for (i, rt) in root.children_named("recordTarget").enumerate() {
        if i >= MAX_RECORD_TARGETS {
            return Err(CdaError::Limit {
                at: rt.path.clone(),
                what: "recordTarget elements",
                max: MAX_RECORD_TARGETS,
            });
        }
        let role = rt
            .child("patientRole")
            .ok_or_else(|| missing(format!("{}/patientRole", rt.path)))?;
        header.record_targets.push(patient_role(role));
    }
    if header.record_targets.is_empty() {
        return Err(missing(format!("{}/recordTarget", root.path)));
    }
    Ok(header)
}

fn cda_children<'a>(el: &'a Element, name: &'a str) -> impl Iterator<Item = &'a Element> {
    el.children_named(name).filter(|c| c.ns == CDA_NS)
}

fn cda_child<'a>(el: &'a Element, name: &'a str) -> Option<&'a Element> {
    cda_children(el, name).next()
}

fn attr(el: &Element, name: &str) -> Option<String> {
    el.attr(name).map(str::to_owned)
}

fn patient_role(role: &Element) -> PatientRole {
    let mut pr = PatientRole {
        ids: cda_children(role, "id")
            .map(|id| Ii {
                root: attr(id, "root"),
                extension: attr(id, "extension"),
                assigning_authority_name: attr(id, "assigningAuthorityName"),
                displayable: attr(id, "displayable"),
                null_flavor: attr(id, "nullFlavor"),
            })
            .collect(),
        ..PatientRole::default()
    };
    let Some(patient) = cda_child(role, "patient") else {
        return pr;
    };
    for name in cda_children(patient, "name") {
        let parts = name
            .children
            .iter()
            .filter(|c| c.ns == CDA_NS)
            .filter_map(|c| {
                let kind = match c.name.as_str() {
                    "family" => PartKind::Family,
                    "given" => PartKind::Given,
                    "prefix" => PartKind::Prefix,
                    _ => return None,
                };
                Some(NamePart {
                    kind,
                    qualifier: attr(c, "qualifier"),
                    text: c.text.trim().to_owned(),
                })
            })
            .collect();
        pr.names.push(CdaName { parts });
    }
    pr.gender_code = cda_child(patient, "administrativeGenderCode").and_then(|g| attr(g, "code"));
    pr.birth_time = cda_child(patient, "birthTime").and_then(|b| attr(b, "value"));
    pr.birthplace = cda_child(patient, "birthplace")
        .and_then(|b| cda_child(b, "place"))
        .and_then(|p| cda_child(p, "addr"))
        .map(|addr| Birthplace {
            county: cda_child(addr, "county").map(|c| c.text.trim().to_owned()),
            city: cda_child(addr, "city").map(|c| c.text.trim().to_owned()),
        });
    pr
}

fn push_attr(out: &mut String, name: &str, value: Option<&String>) {
    if let Some(v) = value {
        out.push_str(&format!(" {name}=\"{}\"", xml::escape(v)));
    }
}

/// Writes a `ClinicalDocument` carrying these header elements (realm, typeId, recordTargets).
pub fn write(h: &CdaHeader) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <ClinicalDocument xmlns=\"urn:hl7-org:v3\">\n  <realmCode code=\"FR\"/>\n  \
         <typeId root=\"2.16.840.1.113883.1.3\" extension=\"POCD_HD000040\"/>\n",
    );
    for pr in &h.record_targets {
        out.push_str("  <recordTarget>\n    <patientRole>\n");
        for id in &pr.ids {
            out.push_str("      <id");
            push_attr(&mut out, "root", id.root.as_ref());
            push_attr(&mut out, "extension", id.extension.as_ref());
            push_attr(
                &mut out,
                "assigningAuthorityName",
                id.assigning_authority_name.as_ref(),
            );
            push_attr(&mut out, "displayable", id.displayable.as_ref());
            push_attr(&mut out, "nullFlavor", id.null_flavor.as_ref());
            out.push_str("/>\n");
        }
        out.push_str("      <patient>\n");
        for name in &pr.names {
            out.push_str("        <name>");
            for p in &name.parts {
                let el = p.kind.element();
                out.push_str(&format!("<{el}"));
                push_attr(&mut out, "qualifier", p.qualifier.as_ref());
                out.push_str(&format!(">{}</{el}>", xml::escape(&p.text)));
            }
            out.push_str("</name>\n");
        }
        if let Some(g) = &pr.gender_code {
            out.push_str(&format!(
                "        <administrativeGenderCode code=\"{}\" codeSystem=\"{GENDER_CODE_SYSTEM}\"/>\n",
                xml::escape(g)
            ));
        }
        if let Some(b) = &pr.birth_time {
            out.push_str(&format!(
                "        <birthTime value=\"{}\"/>\n",
                xml::escape(b)
            ));
        }
        if let Some(bp) = &pr.birthplace {
            out.push_str("        <birthplace>\n          <place>\n            <addr>");
            if let Some(c) = &bp.county {
                out.push_str(&format!("<county>{}</county>", xml::escape(c)));
            }
            if let Some(c) = &bp.city {
                out.push_str(&format!("<city>{}</city>", xml::escape(c)));
            }
            out.push_str("</addr>\n          </place>\n        </birthplace>\n");
        }
        out.push_str("      </patient>\n    </patientRole>\n  </recordTarget>\n");
    }
    out.push_str("</ClinicalDocument>\n");
    out
}

impl PatientRole {
    /// The patient role of an identity held as core types: INS id, IPP id (root = the
    /// facility's OID), birth name and first names with their qualifiers, sex, birth date and
    /// birth place (one identity model, projected here).
    pub fn from_identity(
        ins: &insilab_core::ins::Ins,
        ipp: Option<(&str, &str)>,
        traits: &insilab_core::ins::Traits,
    ) -> PatientRole {
        let mut ids = vec![Ii {
            root: Some(ins.oid.as_str().to_owned()),
            extension: Some(ins.matricule.to_string()),
            ..Ii::default()
        }];
        if let Some((root, ext)) = ipp {
            ids.push(Ii {
                root: Some(root.to_owned()),
                extension: Some(ext.to_owned()),
                ..Ii::default()
            });
        }
        let part = |kind, q: Option<&str>, text: &str| NamePart {
            kind,
            qualifier: q.map(str::to_owned),
            text: text.to_owned(),
        };
        let first = traits.first_names.first().cloned().unwrap_or_default();
        PatientRole {
            ids,
            names: vec![CdaName {
                parts: vec![
                    part(PartKind::Family, Some("BR"), &traits.birth_name),
                    part(PartKind::Given, Some("BR"), &first),
                    part(PartKind::Given, None, &traits.first_names_list()),
                ],
            }],
            gender_code: Some(traits.sex.as_str().to_owned()),
            birth_time: Some(compact_birth_date(&traits.birth_date)),
            birthplace: traits.birthplace.as_ref().map(|c| Birthplace {
                county: Some(c.as_str().to_owned()),
                city: None,
            }),
        }
    }
}

/// `YYYYMMDD` of a birth date (unknown parts completed per EXI ID 11).
pub fn compact_birth_date(d: &insilab_core::ins::BirthDate) -> String {
    match d.complete() {
        Ok(c) => {
            let date = c.date;
            format!(
                "{:04}{:02}{:02}",
                date.year(),
                u8::from(date.month()),
                date.day()
            )
        }
        Err(_) => String::new(),
    }
}
