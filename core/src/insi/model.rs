//! The typed INSi messages, holding raw wire values.
//!
//! Every value is the string found on the wire, untouched: an answer may carry an invalid key
//! (CNDA 2.08 cas 2), a request may carry lower-case traits. This layer never rejects what a
//! later check (`ins`, `rules`) must report; `None` means "element absent", `Some("")` means
//! "element present and empty".

use serde::{Deserialize, Serialize};

use super::names::{self, Operation};

/// A request envelope: headers, body, and the `Id` attribute of `Body` when present.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Request {
    /// The SOAP header blocks insilab knows.
    pub headers: Headers,
    /// The operation body.
    pub body: RequestBody,
    /// The `Id` (or `wsu:Id`) attribute of `Body`, when present.
    pub body_id: Option<String>,
}

impl Request {
    /// The operation of the body.
    pub fn operation(&self) -> Operation {
        self.body.operation()
    }
}

/// The SOAP header blocks of a request (each `None` when absent).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Headers {
    /// `wsa:Action` text.
    pub action: Option<String>,
    /// `wsa:MessageID` text.
    pub message_id: Option<String>,
    /// `ctxbam:ContexteBAM`.
    pub bam: Option<ContexteBam>,
    /// `ctxlps:ContexteLPS`.
    pub lps: Option<ContexteLps>,
    /// `wsse:Security` (present but empty in mutual-TLS mode for some clients).
    pub security: Option<Security>,
}

/// `ctxbam:ContexteBAM`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContexteBam {
    /// `@Version` (expected `01_02`).
    pub version: Option<String>,
    /// `@Nature` (`CTXBAM`, optional).
    pub nature: Option<String>,
    /// `Id`.
    pub id: Option<String>,
    /// `Temps`.
    pub temps: Option<String>,
    /// `Emetteur`.
    pub emetteur: Option<String>,
    /// `DateRef`.
    pub date_ref: Option<String>,
    /// `COUVERTURE` (required by the schema; empty for the traits search).
    pub couverture: Option<Couverture>,
}

/// `COUVERTURE`: all `None` is the empty `COUVERTURE` of a traits search.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Couverture {
    /// `ASSURE/Id/Num`.
    pub assure_id_num: Option<String>,
    /// `BENEFICIAIRE/Nir/Num`.
    pub beneficiaire_nir_num: Option<String>,
    /// `BENEFICIAIRE/DateNai`.
    pub beneficiaire_date_nai: Option<String>,
    /// `BENEFICIAIRE/Rang`.
    pub beneficiaire_rang: Option<String>,
}

impl Couverture {
    /// Whether `ASSURE` has content to write.
    pub fn has_assure(&self) -> bool {
        self.assure_id_num.is_some()
    }

    /// Whether `BENEFICIAIRE` has content to write.
    pub fn has_beneficiaire(&self) -> bool {
        self.beneficiaire_nir_num.is_some()
            || self.beneficiaire_date_nai.is_some()
            || self.beneficiaire_rang.is_some()
    }
}

/// `ctxlps:ContexteLPS`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContexteLps {
    /// `@Version` (expected `01_00`).
    pub version: Option<String>,
    /// `@Nature` (`CTXLPS`, optional).
    pub nature: Option<String>,
    /// `Id`.
    pub id: Option<String>,
    /// `Temps`.
    pub temps: Option<String>,
    /// `Emetteur`.
    pub emetteur: Option<String>,
    /// `LPS/IDAM`: the software authorisation number.
    pub idam: Option<String>,
    /// `LPS/IDAM/@R`.
    pub idam_r: Option<String>,
    /// `LPS/Version`: the software version.
    pub lps_version: Option<String>,
    /// `LPS/Instance`: the installation id.
    pub instance: Option<String>,
    /// `LPS/Nom`: the software name.
    pub nom: Option<String>,
}

impl ContexteLps {
    /// Whether an `LPS` element has content to write.
    pub fn has_lps(&self) -> bool {
        self.idam.is_some()
            || self.idam_r.is_some()
            || self.lps_version.is_some()
            || self.instance.is_some()
            || self.nom.is_some()
    }
}

/// `wsse:Security`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Security {
    /// The SAML assertions it holds, in document order.
    pub assertions: Vec<Assertion>,
}

/// A SAML 2.0 assertion (the CPx "assertion PS"), kept as raw XML plus its parsed fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Assertion {
    /// The exact bytes of the `Assertion` element, from `<` to the end of its end tag: a
    /// signature check works on these (namespace declarations of ancestors are not included).
    pub raw_xml: String,
    /// `@ID`.
    pub id: Option<String>,
    /// `@IssueInstant`.
    pub issue_instant: Option<String>,
    /// `Issuer` text (the card certificate subject DN).
    pub issuer: Option<String>,
    /// `Subject/NameID` text (the professional's id).
    pub name_id: Option<String>,
    /// `Subject/NameID/@NameQualifier` (`CPS` or `PSC`).
    pub name_qualifier: Option<String>,
    /// `AttributeStatement/Attribute`: (`@Name`, first `AttributeValue` text), in order.
    pub attributes: Vec<(String, String)>,
    /// Whether a `ds:Signature` child is present (not verified here).
    pub has_signature: bool,
}

/// The body of a request, one variant per operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestBody {
    /// `RECSANSVITALE`.
    TraitsSearch(TraitsSearch),
    /// `RECVITALE`.
    CardSearch(CardSearch),
    /// `VERIFINS` (reconstructed contract).
    Verification(Verification),
}

impl Default for RequestBody {
    fn default() -> Self {
        RequestBody::TraitsSearch(TraitsSearch::default())
    }
}

impl RequestBody {
    /// The operation this body belongs to.
    pub fn operation(&self) -> Operation {
        match self {
            RequestBody::TraitsSearch(_) => Operation::TraitsSearch,
            RequestBody::CardSearch(_) => Operation::CardSearch,
            RequestBody::Verification(_) => Operation::Verification,
        }
    }
}

/// `RECSANSVITALE`: search by identity traits.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TraitsSearch {
    /// `NomNaissance`.
    pub nom_naissance: Option<String>,
    /// Each `Prenom` element, in order (clients send one; the schema allows several).
    pub prenoms: Vec<String>,
    /// `Sexe`.
    pub sexe: Option<String>,
    /// `DateNaissance`.
    pub date_naissance: Option<String>,
    /// `LieuNaissance`.
    pub lieu_naissance: Option<String>,
}

/// A matricule as on the wire (`IdIndividu`, `MatriculeIndividu`, `MatriculeOD`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WireMatricule {
    /// `NumIdentifiant` (13 characters when valid; empty string when absent).
    pub num_identifiant: String,
    /// `Cle`.
    pub cle: Option<String>,
    /// `TypeMatricule`.
    pub type_matricule: Option<String>,
}

/// `RECVITALE`: search with the Vitale card.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CardSearch {
    /// `MatriculeIndividu`.
    pub matricule_individu: Option<WireMatricule>,
    /// `MatriculeOD`.
    pub matricule_od: Option<WireMatricule>,
    /// `NomNaissance`.
    pub nom_naissance: Option<String>,
    /// `DateNaissance`.
    pub date_naissance: Option<String>,
    /// `RangNaissance`.
    pub rang_naissance: Option<String>,
}

/// `VERIFINS/IndividuVerifie` (reconstructed contract).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Verification {
    /// `INSFourni`: `IdIndividu` + `OID` (dates unused).
    pub ins_fourni: InsEntry,
    /// `TraitsIdentiteIndividu`.
    pub traits: VerifiedTraits,
}

/// `TraitsIdentiteIndividu` of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VerifiedTraits {
    /// `NomNaissance`.
    pub nom_naissance: Option<String>,
    /// `Prenom`.
    pub prenom: Option<String>,
    /// `ListePrenom`.
    pub liste_prenom: Option<String>,
    /// `Sexe`.
    pub sexe: Option<String>,
    /// `DateNaissance`.
    pub date_naissance: Option<String>,
    /// `LieuNaissance`.
    pub lieu_naissance: Option<String>,
}

/// `RESULTAT`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SearchResult {
    /// `CR/CodeCR`.
    pub code_cr: String,
    /// `CR/LibelleCR`.
    pub libelle_cr: String,
    /// `INDIVIDU` (present with `00`).
    pub individu: Option<Individu>,
}

impl SearchResult {
    /// `01` / `Aucune identite trouvee`.
    pub fn not_found() -> Self {
        Self::with_cr(names::CR_NOT_FOUND, None)
    }

    /// `02` / `Plusieurs identites trouvees`.
    pub fn several() -> Self {
        Self::with_cr(names::CR_SEVERAL, None)
    }

    /// `00` / `OK` with the person.
    pub fn found(individu: Individu) -> Self {
        Self::with_cr(names::CR_OK, Some(individu))
    }

    fn with_cr((code, label): (&str, &str), individu: Option<Individu>) -> Self {
        SearchResult {
            code_cr: code.to_owned(),
            libelle_cr: label.to_owned(),
            individu,
        }
    }
}

/// `INDIVIDU`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Individu {
    /// `INSACTIF`.
    pub ins_actif: InsEntry,
    /// `INSHISTO`, in document order.
    pub ins_histo: Vec<InsEntry>,
    /// `TIQ`.
    pub tiq: Tiq,
}

/// An INS as on the wire (`INSACTIF`, `INSHISTO`, `INSFourni`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InsEntry {
    /// `IdIndividu`.
    pub id: WireMatricule,
    /// `OID` (empty string when absent).
    pub oid: String,
    /// `DateDeb`.
    pub date_deb: Option<String>,
    /// `DateFin`.
    pub date_fin: Option<String>,
}

/// `TIQ`: the returned traits.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tiq {
    /// `NomNaissance`.
    pub nom_naissance: Option<String>,
    /// `Prenom` (absent from live answers since late 2022).
    pub prenom: Option<String>,
    /// `ListePrenom`.
    pub liste_prenom: Option<String>,
    /// `Sexe`.
    pub sexe: Option<String>,
    /// `DateNaissance`.
    pub date_naissance: Option<String>,
    /// `LieuNaissance`.
    pub lieu_naissance: Option<String>,
}

/// SOAP 1.2 `Code/Value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultCodeValue {
    /// `soap:Sender`: the request is at fault.
    #[default]
    Sender,
    /// `soap:Receiver`: the service is at fault.
    Receiver,
}

impl FaultCodeValue {
    /// The local name (`Sender`, `Receiver`).
    pub fn local_name(self) -> &'static str {
        match self {
            FaultCodeValue::Sender => names::FAULT_SENDER,
            FaultCodeValue::Receiver => names::FAULT_RECEIVER,
        }
    }
}

/// A SOAP 1.2 fault with its `siram:Erreur` detail.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Fault {
    /// `Code/Value`.
    pub value: FaultCodeValue,
    /// `Code/Subcode/Value` local part (`siram_100`).
    pub subcode: String,
    /// `Reason/Text` (user-facing French text).
    pub reason: String,
    /// `Detail/siram:Erreur`.
    pub erreur: Erreur,
}

/// `siram:Erreur`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Erreur {
    /// `@code` (`desir_550`).
    pub code: String,
    /// `@severite` (`erreur`, `fatale`, …).
    pub severite: String,
    /// `@messageID`: the request's MessageID.
    pub message_id: Option<String>,
    /// The technical text.
    pub text: String,
    /// `severite` written before `code` (the older `insi_102` capture:
    /// `<siram:Erreur severite="fatal" code="insi_102" …>`); otherwise the current order
    /// `code`, `messageID`, `severite`.
    #[serde(default)]
    pub severite_first: bool,
}

/// An answer: a `RESULTAT` or a fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// HTTP 200 with `RESULTAT`.
    Result(SearchResult),
    /// HTTP 500 with a SOAP fault.
    Fault(Fault),
}
