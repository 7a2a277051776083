//! FHIR R4 Patient as FR Core constrains it (`fr-core-patient-ins`, ins-rules.md §2.4), and a
//! `Bundle` carrying Patients, in JSON and XML.
//!
//! [`read`] / [`read_json`] / [`read_xml`] return a typed [`Resource`] or a [`FhirError`] naming
//! the JSON path or XPath of what was wrong; [`write_json`] / [`write_xml`] write it back. Only
//! the identity part of a Patient is modelled (identifiers, identity reliability, official and
//! other names, gender, birth date, birth place); other elements are ignored on reading. The
//! readers do no I/O and never panic; sizes are bounded by the `MAX_FHIR_*` constants.

pub mod node;
pub mod outcome;

use node::Node;

use crate::xml::XmlError;

/// Largest FHIR document accepted, bytes.
pub const MAX_FHIR_BYTES: usize = 4 * 1024 * 1024;
/// Deepest nesting of JSON objects read.
pub const MAX_FHIR_DEPTH: usize = 64;
/// Most elements in a document.
pub const MAX_FHIR_NODES: usize = 100_000;
/// Most entries in a Bundle.
pub const MAX_BUNDLE_ENTRIES: usize = 1_000;

/// Code system of identifier types (`INS-NIR` …).
pub const CS_V2_0203: &str = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203";
/// The identity reliability extension.
pub const EXT_IDENTITY_RELIABILITY: &str =
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability";
/// Code system of identity statuses.
pub const CS_IDENTITY_STATUS: &str =
    "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status";
/// Code system of identity status comments (attributes).
pub const CS_IDENTITY_STATUS_COMMENT: &str =
    "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status-comment";
/// Code system of collection methods.
pub const CS_METHOD_COLLECTION: &str =
    "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-method-collection";
/// The birth list of first names extension on `name[official]`.
pub const EXT_BIRTH_LIST_GIVEN_NAME: &str =
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-birth-list-given-name";
/// The birth place extension (core FHIR).
pub const EXT_BIRTH_PLACE: &str = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace";
/// The INSEE code extension on an address.
pub const EXT_INSEE_CODE: &str =
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code";
/// Code system of COG commune codes (used when writing the INSEE code).
pub const CS_COMMUNE: &str =
    "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM";
/// The FR Core INS Patient profile.
pub const PROFILE_PATIENT_INS: &str =
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-ins";
/// `urn:oid:` prefix of identifier systems.
pub const URN_OID: &str = "urn:oid:";

/// Why a FHIR document cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FhirError {
    /// Over [`MAX_FHIR_BYTES`].
    #[error("document of {size} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// Size.
        size: usize,
        /// Limit.
        max: usize,
    },
    /// Not JSON.
    #[error("not JSON at line {line} column {column}: {reason}")]
    Json {
        /// Line.
        line: usize,
        /// Column.
        column: usize,
        /// serde_json's reason.
        reason: String,
    },
    /// Not well-formed or refused XML.
    #[error(transparent)]
    Xml(XmlError),
    /// A limit was reached.
    #[error("{at}: more than {max} {what}")]
    Limit {
        /// JSON path or XPath.
        at: String,
        /// What is counted.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// A required element is absent.
    #[error("{at}: required element is missing")]
    Missing {
        /// JSON path or XPath.
        at: String,
    },
    /// The root resource is neither a Patient nor a Bundle.
    #[error("{at}: resource type {found:?} is not Patient or Bundle")]
    ResourceType {
        /// JSON path or XPath.
        at: String,
        /// The type found.
        found: String,
    },
    /// A value of the wrong shape.
    #[error("{at}: {found} is invalid: {reason}")]
    Invalid {
        /// JSON path or XPath.
        at: String,
        /// The value (cut).
        found: String,
        /// What is wrong.
        reason: &'static str,
    },
}

/// A Coding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coding {
    /// `system`.
    pub system: Option<String>,
    /// `code`.
    pub code: Option<String>,
    /// `display`.
    pub display: Option<String>,
}

impl Coding {
    /// A coding with system and code.
    pub fn new(system: &str, code: &str) -> Coding {
        Coding {
            system: Some(system.to_owned()),
            code: Some(code.to_owned()),
            display: None,
        }
    }
}

/// An Identifier.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identifier {
    /// `use` (`official`, `temp`, `old` …).
    pub use_: Option<String>,
    /// `type.coding`.
    pub type_: Vec<Coding>,
    /// `system` (`urn:oid:1.2.250.1.213.1.4.8`).
    pub system: Option<String>,
    /// `value` (the matricule).
    pub value: Option<String>,
}

/// A HumanName.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HumanName {
    /// `use` (`official` for the birth name, `usual` for the used name).
    pub use_: Option<String>,
    /// `family`.
    pub family: Option<String>,
    /// `given` (FR Core: exactly one, the first birth first name, in the official name).
    pub given: Vec<String>,
    /// `prefix`.
    pub prefix: Vec<String>,
    /// The `fr-core-patient-birth-list-given-name` extension (the whole list, one string).
    pub birth_list_given_name: Option<String>,
}

/// The `fr-core-identity-reliability` extension.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityReliability {
    /// `identityStatus` (PROV, RECUP, VALI, QUAL).
    pub identity_status: Option<Coding>,
    /// `methodCollection`.
    pub method_collection: Option<Coding>,
    /// `dateCollection`.
    pub date_collection: Option<String>,
    /// `comment` codings (attributes such as DOUT, FICT, HOMD), one per comment.
    pub comments: Vec<Coding>,
    /// `validationDate`.
    pub validation_date: Option<String>,
    /// `validationMode`.
    pub validation_mode: Option<Coding>,
}

/// The `patient-birthPlace` extension's address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BirthPlace {
    /// The `fr-core-address-insee-code` coding (COG code).
    pub insee_code: Option<Coding>,
    /// `city`.
    pub city: Option<String>,
    /// `country`.
    pub country: Option<String>,
}

/// A Patient: its identity part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Patient {
    /// `id`.
    pub id: Option<String>,
    /// `meta.profile`.
    pub profiles: Vec<String>,
    /// Identity reliability extensions (FR Core: 1..*).
    pub reliability: Vec<IdentityReliability>,
    /// Birth place extension.
    pub birth_place: Option<BirthPlace>,
    /// `identifier`.
    pub identifiers: Vec<Identifier>,
    /// `name`.
    pub names: Vec<HumanName>,
    /// `gender`.
    pub gender: Option<String>,
    /// `birthDate`.
    pub birth_date: Option<String>,
}

/// The resource of a Bundle entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryResource {
    /// A Patient (boxed: much larger than the other variant).
    Patient(Box<Patient>),
    /// Any other resource: only its type is kept.
    Other(String),
}

/// A Bundle entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BundleEntry {
    /// `fullUrl`.
    pub full_url: Option<String>,
    /// `resource`.
    pub resource: Option<EntryResource>,
}

/// A Bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bundle {
    /// `id`.
    pub id: Option<String>,
    /// `type` (`transaction`, `collection`, `batch` …).
    pub type_: Option<String>,
    /// `entry`.
    pub entries: Vec<BundleEntry>,
}

impl Bundle {
    /// The Patients of the bundle, with their entry index.
    pub fn patients(&self) -> impl Iterator<Item = (usize, &Patient)> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match &e.resource {
                Some(EntryResource::Patient(p)) => Some((i, &**p)),
                _ => None,
            })
    }
}

/// A document read: a Patient or a Bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// A Patient (boxed: much larger than the other variant).
    Patient(Box<Patient>),
    /// A Bundle.
    Bundle(Bundle),
}

/// The syntax of a FHIR document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `application/fhir+json`.
    Json,
    /// `application/fhir+xml`.
    Xml,
}

impl Syntax {
    /// The FHIR MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            Syntax::Json => "application/fhir+json",
            Syntax::Xml => "application/fhir+xml",
        }
    }

    /// The syntax of a document by its first non-blank byte (`{` JSON, `<` XML).
    pub fn sniff(bytes: &[u8]) -> Option<Syntax> {
        let first = bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace() && **b != 0xEF && **b != 0xBB && **b != 0xBF)?;
        match first {
            b'{' => Some(Syntax::Json),
            b'<' => Some(Syntax::Xml),
            _ => None,
        }
    }
}

// ------------------------------------------------------------------ reading

/// Reads FHIR JSON.
pub fn read_json(bytes: &[u8]) -> Result<Resource, FhirError> {
    resource(&node::from_json(bytes)?)
}

/// Reads FHIR XML.
pub fn read_xml(bytes: &[u8]) -> Result<Resource, FhirError> {
    resource(&node::from_xml(bytes)?)
}

/// Reads JSON or XML, by the first non-blank byte.
pub fn read(bytes: &[u8]) -> Result<Resource, FhirError> {
    match Syntax::sniff(bytes) {
        Some(Syntax::Xml) => read_xml(bytes),
        _ => read_json(bytes),
    }
}

fn resource(n: &Node) -> Result<Resource, FhirError> {
    match n.name.as_str() {
        "Patient" => Ok(Resource::Patient(Box::new(patient(n)?))),
        "Bundle" => Ok(Resource::Bundle(bundle(n)?)),
        other => Err(FhirError::ResourceType {
            at: n.path.clone(),
            found: other.chars().take(48).collect(),
        }),
    }
}

fn complex(n: &Node) -> Result<&Node, FhirError> {
    if n.value.is_some() {
        return Err(FhirError::Invalid {
            at: n.path.clone(),
            found: n
                .value
                .clone()
                .unwrap_or_default()
                .chars()
                .take(48)
                .collect(),
            reason: "a primitive value where FHIR expects an element with children",
        });
    }
    Ok(n)
}

fn prim_of(n: &Node) -> Result<String, FhirError> {
    match &n.value {
        Some(v)
            if n.children
                .iter()
                .all(|c| c.name == "extension" || c.name == "id") =>
        {
            Ok(v.clone())
        }
        _ => Err(FhirError::Invalid {
            at: n.path.clone(),
            found: format!("element {}", n.name),
            reason: "FHIR expects a primitive value here",
        }),
    }
}

/// The single primitive child `name`, if any (a repeated single-valued element is refused).
fn prim(n: &Node, name: &str) -> Result<Option<String>, FhirError> {
    let mut it = n.all(name);
    let Some(first) = it.next() else {
        return Ok(None);
    };
    if let Some(second) = it.next() {
        return Err(FhirError::Invalid {
            at: second.path.clone(),
            found: format!("a second {name}"),
            reason: "this element does not repeat",
        });
    }
    prim_of(first).map(Some)
}

fn prims(n: &Node, name: &str) -> Result<Vec<String>, FhirError> {
    n.all(name).map(prim_of).collect()
}

fn single<'a>(n: &'a Node, name: &'a str) -> Result<Option<&'a Node>, FhirError> {
    let mut it = n.all(name);
    let first = it.next();
    if let Some(second) = it.next() {
        return Err(FhirError::Invalid {
            at: second.path.clone(),
            found: format!("a second {name}"),
            reason: "this element does not repeat",
        });
    }
    first.map(complex).transpose()
}

fn coding(n: &Node) -> Result<Coding, FhirError> {
    let n = complex(n)?;
    Ok(Coding {
        system: prim(n, "system")?,
        code: prim(n, "code")?,
        display: prim(n, "display")?,
    })
}

fn url_of(n: &Node) -> Result<&str, FhirError> {
    n.url.as_deref().ok_or_else(|| FhirError::Missing {
        at: format!(
            "{}{}",
            n.path,
            if n.path.starts_with('$') {
                ".url"
            } else {
                "/@url"
            }
        ),
    })
}

fn patient(n: &Node) -> Result<Patient, FhirError> {
    let mut p = Patient {
        id: prim(n, "id")?,
        ..Patient::default()
    };
    if let Some(meta) = single(n, "meta")? {
        p.profiles = prims(meta, "profile")?;
    }
    for ext in n.all("extension") {
        let ext = complex(ext)?;
        match url_of(ext)? {
            EXT_IDENTITY_RELIABILITY => p.reliability.push(reliability(ext)?),
            EXT_BIRTH_PLACE if p.birth_place.is_none() => p.birth_place = Some(birth_place(ext)?),
            _ => {}
        }
    }
    for id in n.all("identifier") {
        let id = complex(id)?;
        let mut ident = Identifier {
            use_: prim(id, "use")?,
            system: prim(id, "system")?,
            value: prim(id, "value")?,
            type_: Vec::new(),
        };
        if let Some(t) = single(id, "type")? {
            ident.type_ = t.all("coding").map(coding).collect::<Result<_, _>>()?;
        }
        p.identifiers.push(ident);
    }
    for name in n.all("name") {
        let name = complex(name)?;
        let mut h = HumanName {
            use_: prim(name, "use")?,
            family: prim(name, "family")?,
            given: prims(name, "given")?,
            prefix: prims(name, "prefix")?,
            birth_list_given_name: None,
        };
        for ext in name.all("extension") {
            let ext = complex(ext)?;
            if url_of(ext)? == EXT_BIRTH_LIST_GIVEN_NAME {
                h.birth_list_given_name = prim(ext, "valueString")?;
            }
        }
        p.names.push(h);
    }
    p.gender = prim(n, "gender")?;
    p.birth_date = prim(n, "birthDate")?;
    Ok(p)
}

fn reliability(ext: &Node) -> Result<IdentityReliability, FhirError> {
    let mut r = IdentityReliability::default();
    for sub in ext.all("extension") {
        let sub = complex(sub)?;
        let value_coding = || -> Result<Option<Coding>, FhirError> {
            single(sub, "valueCoding")?.map(coding).transpose()
        };
        match url_of(sub)? {
            "identityStatus" => r.identity_status = value_coding()?,
            "methodCollection" => r.method_collection = value_coding()?,
            "validationMode" => r.validation_mode = value_coding()?,
            "dateCollection" | "dateInterrogationINSi" => {
                r.date_collection = prim(sub, "valueDate")?.or(prim(sub, "valueDateTime")?);
            }
            "validationDate" => {
                r.validation_date = prim(sub, "valueDate")?.or(prim(sub, "valueDateTime")?);
            }
            "comment" => {
                if let Some(cc) = single(sub, "valueCodeableConcept")? {
                    for c in cc.all("coding") {
                        r.comments.push(coding(c)?);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(r)
}

fn birth_place(ext: &Node) -> Result<BirthPlace, FhirError> {
    let mut b = BirthPlace::default();
    if let Some(addr) = single(ext, "valueAddress")? {
        for e in addr.all("extension") {
            let e = complex(e)?;
            if url_of(e)? == EXT_INSEE_CODE && b.insee_code.is_none() {
                b.insee_code = single(e, "valueCoding")?.map(coding).transpose()?;
            }
        }
        b.city = prim(addr, "city")?;
        b.country = prim(addr, "country")?;
    }
    Ok(b)
}

fn bundle(n: &Node) -> Result<Bundle, FhirError> {
    let mut b = Bundle {
        id: prim(n, "id")?,
        type_: prim(n, "type")?,
        entries: Vec::new(),
    };
    for (i, e) in n.all("entry").enumerate() {
        if i >= MAX_BUNDLE_ENTRIES {
            return Err(FhirError::Limit {
                at: e.path.clone(),
                what: "bundle entries",
                max: MAX_BUNDLE_ENTRIES,
            });
        }
        let e = complex(e)?;
        let mut entry = BundleEntry {
            full_url: prim(e, "fullUrl")?,
            resource: None,
        };
        if let Some(r) = single(e, "resource")? {
            let inner = r
                .children
                .first()
                .ok_or_else(|| FhirError::Missing { at: r.path.clone() })?;
            entry.resource = Some(if inner.name == "Patient" {
                EntryResource::Patient(Box::new(patient(inner)?))
            } else {
                EntryResource::Other(inner.name.clone())
            });
        }
        b.entries.push(entry);
    }
    Ok(b)
}

// ------------------------------------------------------------------ writing

fn coding_node(name: &str, c: &Coding) -> Node {
    Node::new(name)
        .opt("system", c.system.as_ref())
        .opt("code", c.code.as_ref())
        .opt("display", c.display.as_ref())
}

fn ext(url: &str) -> Node {
    Node {
        url: Some(url.to_owned()),
        ..Node::new("extension")
    }
}

fn reliability_node(r: &IdentityReliability) -> Node {
    let mut n = ext(EXT_IDENTITY_RELIABILITY);
    if let Some(c) = &r.identity_status {
        n = n.with(ext("identityStatus").with(coding_node("valueCoding", c)));
    }
    if let Some(c) = &r.method_collection {
        n = n.with(ext("methodCollection").with(coding_node("valueCoding", c)));
    }
    if let Some(d) = &r.date_collection {
        n = n.with(ext("dateCollection").with(Node::prim("valueDate", d)));
    }
    for c in &r.comments {
        n = n.with(
            ext("comment").with(Node::new("valueCodeableConcept").with(coding_node("coding", c))),
        );
    }
    if let Some(d) = &r.validation_date {
        n = n.with(ext("validationDate").with(Node::prim("valueDate", d)));
    }
    if let Some(c) = &r.validation_mode {
        n = n.with(ext("validationMode").with(coding_node("valueCoding", c)));
    }
    n
}

fn birth_place_node(b: &BirthPlace) -> Node {
    let mut addr = Node::new("valueAddress");
    if let Some(c) = &b.insee_code {
        addr = addr.with(ext(EXT_INSEE_CODE).with(coding_node("valueCoding", c)));
    }
    addr = addr
        .opt("city", b.city.as_ref())
        .opt("country", b.country.as_ref());
    ext(EXT_BIRTH_PLACE).with(addr)
}

/// The element tree of a Patient, in the element order FHIR XML requires.
pub fn patient_node(p: &Patient) -> Node {
    let mut n = Node::new("Patient").opt("id", p.id.as_ref());
    if !p.profiles.is_empty() {
        let mut meta = Node::new("meta");
        for prof in &p.profiles {
            meta = meta.with(Node::prim("profile", prof));
        }
        n = n.with(meta);
    }
    for r in &p.reliability {
        n = n.with(reliability_node(r));
    }
    if let Some(b) = &p.birth_place {
        n = n.with(birth_place_node(b));
    }
    for id in &p.identifiers {
        let mut i = Node::new("identifier").opt("use", id.use_.as_ref());
        if !id.type_.is_empty() {
            let mut t = Node::new("type");
            for c in &id.type_ {
                t = t.with(coding_node("coding", c));
            }
            i = i.with(t);
        }
        n = n.with(
            i.opt("system", id.system.as_ref())
                .opt("value", id.value.as_ref()),
        );
    }
    for name in &p.names {
        let mut h = Node::new("name");
        if let Some(list) = &name.birth_list_given_name {
            h = h.with(ext(EXT_BIRTH_LIST_GIVEN_NAME).with(Node::prim("valueString", list)));
        }
        h = h
            .opt("use", name.use_.as_ref())
            .opt("family", name.family.as_ref());
        for g in &name.given {
            h = h.with(Node::prim("given", g));
        }
        for pr in &name.prefix {
            h = h.with(Node::prim("prefix", pr));
        }
        n = n.with(h);
    }
    n.opt("gender", p.gender.as_ref())
        .opt("birthDate", p.birth_date.as_ref())
}

/// The element tree of a resource.
pub fn resource_node(r: &Resource) -> Node {
    match r {
        Resource::Patient(p) => patient_node(p),
        Resource::Bundle(b) => {
            let mut n = Node::new("Bundle")
                .opt("id", b.id.as_ref())
                .opt("type", b.type_.as_ref());
            for e in &b.entries {
                let mut en = Node::new("entry").opt("fullUrl", e.full_url.as_ref());
                if let Some(res) = &e.resource {
                    let inner = match res {
                        EntryResource::Patient(p) => patient_node(p),
                        EntryResource::Other(t) => Node::new(t),
                    };
                    en = en.with(Node::new("resource").with(inner));
                }
                n = n.with(en);
            }
            n
        }
    }
}

/// Writes FHIR JSON.
pub fn write_json(r: &Resource) -> String {
    node::to_json(&resource_node(r))
}

/// Writes FHIR XML.
pub fn write_xml(r: &Resource) -> String {
    node::to_xml(&resource_node(r))
}

/// Writes in the given syntax.
pub fn write(r: &Resource, syntax: Syntax) -> String {
    match syntax {
        Syntax::Json => write_json(r),
        Syntax::Xml => write_xml(r),
    }
}

// ------------------------------------------------------------------ projections

/// The identifier type code of the FR Core slice of an INS OID.
pub fn slice_type(oid: insilab_core::ins::Oid) -> &'static str {
    use insilab_core::ins::Oid;
    match oid {
        Oid::Nir => "INS-NIR",
        Oid::Nia => "INS-NIA",
        Oid::NirTest => "INS-NIR-TEST",
        Oid::NirDemo => "INS-NIR-DEMO",
    }
}

/// The identifier `use` of the FR Core slice of an INS OID.
pub fn slice_use(oid: insilab_core::ins::Oid) -> &'static str {
    match oid {
        insilab_core::ins::Oid::Nia => "temp",
        _ => "official",
    }
}

impl Identifier {
    /// The FR Core INS identifier of `ins`.
    pub fn ins(ins: &insilab_core::ins::Ins) -> Identifier {
        Identifier {
            use_: Some(slice_use(ins.oid).to_owned()),
            type_: vec![Coding::new(CS_V2_0203, slice_type(ins.oid))],
            system: Some(format!("{URN_OID}{}", ins.oid.as_str())),
            value: Some(ins.matricule.to_string()),
        }
    }

    /// The OID of `system` when it is `urn:oid:` + an INS OID.
    pub fn ins_oid(&self) -> Option<insilab_core::ins::Oid> {
        let s = self.system.as_deref()?.strip_prefix(URN_OID)?;
        insilab_core::ins::Oid::parse(s).ok()
    }

    /// Whether this identifier claims to be an INS: an `INS-*` type code of fr-core-cs-v2-0203,
    /// or a system under the INS arc `urn:oid:1.2.250.1.213.1.4.` (legacy INS-C `.2` aside). An
    /// `NH` (NSS) identifier under `.8` is not an INS (ins-rules.md §1.4).
    pub fn claims_ins(&self) -> bool {
        let typed_ins = self
            .type_
            .iter()
            .any(|c| c.code.as_deref().is_some_and(|c| c.starts_with("INS-")));
        let typed_other = !self.type_.is_empty() && !typed_ins;
        let system_ins = self.system.as_deref().is_some_and(|s| {
            let s = s.strip_prefix(URN_OID).unwrap_or(s);
            s.strip_prefix(insilab_core::ins::INS_OID_ROOT)
                .is_some_and(|rest| rest.starts_with('.') && rest != ".2")
        });
        typed_ins || (system_ins && !typed_other)
    }
}

impl Patient {
    /// The official name (`use = official`), FR Core's birth name.
    pub fn official_name(&self) -> Option<&HumanName> {
        self.names
            .iter()
            .find(|n| n.use_.as_deref() == Some("official"))
    }

    /// The identity status code of the first reliability extension that has one.
    pub fn status_code(&self) -> Option<&str> {
        self.reliability
            .iter()
            .find_map(|r| r.identity_status.as_ref()?.code.as_deref())
    }
}
