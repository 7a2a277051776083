//! The rule catalogue: every check's stable id ([`RuleId`]), severity, requirement links,
//! summary and the components that apply it.
//!
//! The catalogue is one table (the `catalogue!` invocation below): adding a rule there adds its
//! [`RuleId`] variant, its string form and its [`Rule`] entry at once, so the id space and the
//! catalogue cannot drift apart.

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The real service would answer a fault (or refuse the exchange).
    Fault,
    /// The CNDA would flag it during the conformance session.
    Cnda,
    /// Worth fixing; neither the service nor the CNDA is known to object.
    Advice,
}

impl Severity {
    /// Every severity, most serious first.
    pub const ALL: [Severity; 3] = [Severity::Fault, Severity::Cnda, Severity::Advice];

    /// `fault`, `cnda`, `advice`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Fault => "fault",
            Severity::Cnda => "cnda",
            Severity::Advice => "advice",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// A part of insilab that applies rules of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Component {
    /// The INSi simulator (journal findings, fault decisions).
    Simulator,
    /// `insilab lint` (requests and answers on disk).
    Lint,
    /// The reference client (`insilab query`: input refusals, answer judge).
    Client,
    /// The compliance harness (scenario judges).
    Harness,
}

impl Component {
    /// `simulator`, `lint`, `client`, `harness`.
    pub fn as_str(self) -> &'static str {
        match self {
            Component::Simulator => "simulator",
            Component::Lint => "lint",
            Component::Client => "client",
            Component::Harness => "harness",
        }
    }
}

impl std::fmt::Display for Component {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// One check of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable id (`INSI-HDR-001`).
    pub id: RuleId,
    /// Severity of its findings.
    pub severity: Severity,
    /// Requirement ids in tag form (`EXI-REC-07`, `CNDA-2.03-cas3`, `INSI-HDR-01`), as listed in
    /// `scenarios/requirements.yaml`.
    pub requirements: &'static [&'static str],
    /// One-line summary.
    pub summary: &'static str,
    /// The components that apply it.
    pub applied_by: &'static [Component],
}

/// A string that is not the id of a rule of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule id {0:?} (see `insilab rule` for the catalogue)")]
pub struct UnknownRule(pub String);

macro_rules! catalogue {
    ($( $variant:ident = $id:literal, $sev:ident, $reqs:expr, $summary:literal, [$($comp:ident),*]; )*) => {
        /// The stable id of a rule of the catalogue. Its string form ([`RuleId::as_str`],
        /// `Display`, serde) is the published id (`INSI-HDR-001`); parsing accepts exactly those.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum RuleId {
            $(
                #[doc = concat!("`", $id, "`: ", $summary, ".")]
                $variant,
            )*
        }

        impl RuleId {
            /// Every id, in catalogue order.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)*];

            /// The published id (`INSI-HDR-001`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $id,)*
                }
            }
        }

        /// Every rule, request rules first, in id order within each family; lexical profile
        /// rules last.
        pub const CATALOGUE: &[Rule] = &[
            $(
                Rule {
                    id: RuleId::$variant,
                    severity: $sev,
                    requirements: $reqs,
                    summary: $summary,
                    applied_by: &[$($comp),*],
                },
            )*
        ];
    };
}

impl RuleId {
    /// The id whose published form is `id` (exact, case-sensitive).
    pub fn parse(id: &str) -> Result<Self, UnknownRule> {
        RuleId::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == id)
            .ok_or_else(|| UnknownRule(id.to_owned()))
    }

    /// The catalogue entry of this id.
    pub fn rule(self) -> &'static Rule {
        rule(self)
    }

    /// The severity of this rule's findings.
    pub fn severity(self) -> Severity {
        rule(self).severity
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Compares with a published id (`RuleId::Hdr001 == "INSI-HDR-001"`), handy in tests and filters.
impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Compares with a published id.
impl PartialEq<str> for RuleId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl std::str::FromStr for RuleId {
    type Err = UnknownRule;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RuleId::parse(s)
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        RuleId::parse(&s).map_err(serde::de::Error::custom)
    }
}

use Component::{Client, Harness, Lint, Simulator};
use Severity::{Advice, Cnda, Fault};

const HDR: &[&str] = &["INSI-HDR-01"];
const LEX: &[&str] = &["INSI-LEX-01", "CNDA-2.03-cas3"];
const TRAITS: &[&str] = &["INSI-LEX-01", "EXI-ID-14"];
const COG: &[&str] = &["INSI-LEX-01", "EXI-ID-15"];
const RSP: &[&str] = &["INSI-RSP-01", "INSI-RSP-03"];
const STORE: &[&str] = &["EXI-REC-07"];
const CPX: &[&str] = &["INSI-CPX-01"];

catalogue! {
    Hdr001 = "INSI-HDR-001", Fault, HDR, "wsa:Action is missing or empty", [Simulator, Lint];
    Hdr002 = "INSI-HDR-002", Fault, HDR, "wsa:Action is not the action of an INSi operation", [Simulator, Lint];
    Hdr003 = "INSI-HDR-003", Fault, HDR, "wsa:Action does not match the body element", [Simulator, Lint];
    Hdr004 = "INSI-HDR-004", Cnda, HDR, "wsa:MessageID is missing or empty", [Simulator, Lint];
    Hdr005 = "INSI-HDR-005", Cnda, HDR, "wsa:MessageID is not `uuid:` followed by a UUID", [Simulator, Lint];
    Hdr006 = "INSI-HDR-006", Fault, HDR, "ContexteBAM header is missing", [Simulator, Lint];
    Hdr007 = "INSI-HDR-007", Fault, HDR, "ContexteBAM/@Version is missing or not 01_02", [Simulator, Lint];
    Hdr008 = "INSI-HDR-008", Advice, HDR, "ContexteBAM/@Nature is present but not CTXBAM", [Simulator, Lint];
    Hdr009 = "INSI-HDR-009", Cnda, HDR, "ContexteBAM/Id is missing or not a UUID", [Simulator, Lint];
    Hdr010 = "INSI-HDR-010", Cnda, HDR, "ContexteBAM/Temps is missing or not a UTC time with milliseconds and Z", [Simulator, Lint];
    Hdr011 = "INSI-HDR-011", Fault, HDR, "ContexteBAM/COUVERTURE is missing", [Simulator, Lint];
    Hdr012 = "INSI-HDR-012", Cnda, HDR, "ContexteBAM/COUVERTURE is not empty in a traits search", [Simulator, Lint];
    Hdr013 = "INSI-HDR-013", Fault, HDR, "ContexteLPS header is missing", [Simulator, Lint];
    Hdr014 = "INSI-HDR-014", Fault, HDR, "ContexteLPS/@Version is missing or not 01_00", [Simulator, Lint];
    Hdr015 = "INSI-HDR-015", Advice, HDR, "ContexteLPS/@Nature is present but not CTXLPS", [Simulator, Lint];
    Hdr016 = "INSI-HDR-016", Cnda, HDR, "ContexteLPS/Id is missing or empty", [Simulator, Lint];
    Hdr017 = "INSI-HDR-017", Cnda, HDR, "ContexteLPS/Temps is missing or not a UTC time with milliseconds and Z", [Simulator, Lint];
    Hdr018 = "INSI-HDR-018", Fault, HDR, "ContexteLPS/LPS/IDAM (software authorisation number) is missing or empty", [Simulator, Lint];
    Hdr019 = "INSI-HDR-019", Cnda, HDR, "ContexteLPS/LPS/IDAM/@R is missing or not 4", [Simulator, Lint];
    Hdr020 = "INSI-HDR-020", Advice, HDR, "ContexteLPS/LPS/Version, Instance or Nom is missing", [Simulator, Lint];
    Hdr021 = "INSI-HDR-021", Advice, HDR, "Content-Type has no action parameter (the service then relies on wsa:Action)", [Simulator, Lint];
    Hdr022 = "INSI-HDR-022", Fault, HDR, "Content-Type action parameter differs from wsa:Action", [Simulator, Lint];
    Hdr023 = "INSI-HDR-023", Fault, HDR, "Content-Type is not application/soap+xml", [Simulator, Lint];
    Trt001 = "INSI-TRT-001", Fault, TRAITS, "NomNaissance (birth name) is missing or empty", [Simulator, Lint, Client];
    Trt002 = "INSI-TRT-002", Fault, LEX, "NomNaissance is outside the INSi lexical profile", [Simulator, Lint, Client];
    Trt003 = "INSI-TRT-003", Fault, &["INSI-ALG-01"], "no Prenom (first name) is sent", [Simulator, Lint, Client];
    Trt004 = "INSI-TRT-004", Fault, LEX, "a first name (Prenom, ListePrenom) is outside the INSi lexical profile", [Simulator, Lint, Client];
    Trt005 = "INSI-TRT-005", Advice, &["INSI-ALG-01"], "several Prenom elements: clients send one per call, the last call the whole list in one Prenom", [Simulator, Lint];
    Trt006 = "INSI-TRT-006", Fault, TRAITS, "Sexe is missing", [Simulator, Lint, Client];
    Trt007 = "INSI-TRT-007", Fault, TRAITS, "Sexe is not M or F", [Simulator, Lint, Client];
    Trt008 = "INSI-TRT-008", Fault, TRAITS, "DateNaissance is missing", [Simulator, Lint, Client];
    Trt009 = "INSI-TRT-009", Fault, TRAITS, "DateNaissance is not a calendar date of the form YYYY-MM-DD", [Simulator, Lint, Client];
    Trt010 = "INSI-TRT-010", Advice, TRAITS, "DateNaissance has unknown parts (00): how INSi takes them is not public", [Simulator, Lint, Client];
    Trt011 = "INSI-TRT-011", Fault, COG, "LieuNaissance is not a 5-character INSEE COG code", [Simulator, Lint, Client];
    Trt012 = "INSI-TRT-012", Advice, COG, "LieuNaissance uses the pre-1976 Corsica code 20xxx (INSi answers 2A/2B)", [Simulator, Lint, Client];
    Trt013 = "INSI-TRT-013", Fault, TRAITS, "DateNaissance has an unknown year (0000): never sent; the user chooses a year compatible with the stated age (EXI ID 11)", [Simulator, Lint, Client];
    Trt014 = "INSI-TRT-014", Fault, TRAITS, "a trait is longer than 200 characters, or more than 20 first names are given (insilab's bound, MAX_TRAIT_CHARS / MAX_FIRST_NAMES)", [Simulator, Lint, Client];
    Vit001 = "INSI-VIT-001", Fault, HDR, "RECVITALE has neither MatriculeIndividu nor MatriculeOD", [Simulator, Lint];
    Vit002 = "INSI-VIT-002", Fault, HDR, "a RECVITALE matricule has a wrong layout or key", [Simulator, Lint, Client];
    Vit003 = "INSI-VIT-003", Advice, HDR, "ContexteBAM/COUVERTURE is empty in a Vitale search", [Simulator, Lint];
    Vit004 = "INSI-VIT-004", Fault, HDR, "RangNaissance is not a number from 1 to 9", [Simulator, Lint, Client];
    Ver001 = "INSI-VER-001", Fault, &["INSI-RSP-01"], "INSFourni matricule has a wrong layout or key", [Simulator, Lint, Client];
    Ver002 = "INSI-VER-002", Fault, &["INSI-RSP-01"], "INSFourni OID is not an INS assigning authority", [Simulator, Lint, Client];
    Ver003 = "INSI-VER-003", Advice, &["EXI-ID-10"], "Prenom is not the first first name of ListePrenom", [Simulator, Lint];
    Ver004 = "INSI-VER-004", Advice, &["INSI-VER-01"], "INSFourni is a former (historised) INS of the person: the verification answers 01, search again for the active INS", [Simulator];
    Sec001 = "INSI-SEC-001", Cnda, HDR, "a SAML assertion in wsse:Security carries no signature", [Simulator, Lint];
    Sec002 = "INSI-SEC-002", Advice, HDR, "a SAML assertion NameID qualifier is neither CPS nor PSC", [Simulator, Lint];
    Rsp001 = "INSI-RSP-001", Cnda, RSP, "CodeCR is not 00, 01 or 02", [Lint, Client];
    Rsp002 = "INSI-RSP-002", Advice, RSP, "LibelleCR is not the label of its CodeCR", [Lint, Client];
    Rsp003 = "INSI-RSP-003", Cnda, RSP, "CodeCR 00 without INDIVIDU", [Lint, Client];
    Rsp004 = "INSI-RSP-004", Cnda, RSP, "CodeCR 01 or 02 with an INDIVIDU", [Lint, Client];
    Rsp005 = "INSI-RSP-005", Cnda, &["INSI-RSP-01", "EXI-REC-07"], "a 00 answer lacks a mandatory value (matricule, key, OID, birth name, first-name list, sex, birth date, birthplace)", [Lint, Client];
    Rsp006 = "INSI-RSP-006", Cnda, &["INSI-RSP-01", "EXI-REC-08"], "an INS matricule (INSACTIF or INSHISTO) has a wrong layout", [Lint, Client];
    Rsp007 = "INSI-RSP-007", Cnda, &["INSI-RSP-01", "CNDA-2.08-cas2"], "an INS key (INSACTIF or INSHISTO) does not match its matricule", [Lint, Client];
    Rsp008 = "INSI-RSP-008", Cnda, &["INSI-RSP-01", "CNDA-2.05"], "an OID is not an INS assigning authority", [Lint, Client];
    Rsp009 = "INSI-RSP-009", Advice, &["CNDA-2.05"], "TypeMatricule and OID disagree (NIA goes with .9)", [Lint, Client];
    Rsp010 = "INSI-RSP-010", Advice, &["CNDA-2.04-cas2", "EXI-REC-08"], "DateDeb is after DateFin (store as returned)", [Lint, Client];
    Rsp011 = "INSI-RSP-011", Advice, STORE, "a returned trait is outside the INSi profile or format (store as returned)", [Lint, Client];
    Rsp012 = "INSI-RSP-012", Advice, &["EXI-ID-10", "EXI-REC-07"], "TIQ/Prenom is not the first first name of ListePrenom", [Lint, Client];
    Rsp013 = "INSI-RSP-013", Advice, &["INSI-RSP-01"], "an INS of the test or demonstration authority (.10, .11)", [Lint, Client];
    Flt001 = "INSI-FLT-001", Cnda, &["INSI-FLT-01", "INSI-FLT-02"], "fault without siram:Erreur/@messageID", [Lint];
    Flt002 = "INSI-FLT-002", Cnda, &["INSI-FLT-01", "INSI-FLT-02"], "fault without subcode or siram:Erreur/@code", [Lint];
    Flt003 = "INSI-FLT-003", Advice, &["INSI-FLT-01", "INSI-FLT-02"], "siram:Erreur/@severite is not information, avertissement, erreur or fatale", [Lint];
    Cpx001 = "INSI-CPX-001", Fault, CPX, "wsse:Security holds no saml:Assertion (card mode)", [Simulator];
    Cpx002 = "INSI-CPX-002", Fault, CPX, "the card-mode message holds a DOCTYPE, is not well-formed or exceeds the limits", [Simulator];
    Cpx003 = "INSI-CPX-003", Fault, CPX, "the assertion lacks ID, Version 2.0, a zoned IssueInstant or an X509SubjectName Issuer", [Simulator];
    Cpx004 = "INSI-CPX-004", Fault, CPX, "the assertion has no ds:Signature right after saml:Issuer", [Simulator];
    Cpx005 = "INSI-CPX-005", Fault, CPX, "the signature uses other than exclusive c14n, RSA-SHA256, SHA-256 and the enveloped transforms (SHA-1 refused)", [Simulator];
    Cpx006 = "INSI-CPX-006", Fault, CPX, "the signature does not hold exactly one Reference to `#` + the assertion's ID", [Simulator];
    Cpx007 = "INSI-CPX-007", Fault, CPX, "the assertion's signature does not verify (content or signature altered)", [Simulator];
    Cpx008 = "INSI-CPX-008", Fault, CPX, "the signed element is not the assertion judged (signature wrapping, duplicated ID)", [Simulator];
    Cpx009 = "INSI-CPX-009", Fault, CPX, "KeyInfo holds no readable X509Certificate", [Simulator];
    Cpx010 = "INSI-CPX-010", Fault, CPX, "the card certificate is not issued by TEST AC IGC-SANTE FORT PERSONNES", [Simulator];
    Cpx011 = "INSI-CPX-011", Fault, CPX, "the card certificate is expired or not yet valid", [Simulator];
    Cpx012 = "INSI-CPX-012", Fault, CPX, "the card certificate is revoked", [Simulator];
    Cpx013 = "INSI-CPX-013", Fault, CPX, "IssueInstant is older than the validity window (stale assertion)", [Simulator];
    Cpx014 = "INSI-CPX-014", Fault, CPX, "IssueInstant is in the future beyond the clock skew", [Simulator];
    Cpx015 = "INSI-CPX-015", Fault, CPX, "the assertion names no professional (Subject/NameID)", [Simulator];
    Cpx016 = "INSI-CPX-016", Fault, CPX, "NameID/@NameQualifier is not CPS or PSC", [Simulator];
    Cpx017 = "INSI-CPX-017", Fault, CPX, "a professional's attribute (secteurActivite, identifiantFacturation) is missing", [Simulator];
    Cpx018 = "INSI-CPX-018", Advice, CPX, "saml:Issuer is not the card certificate's subject DN", [Simulator];
    Lex001 = "LEX-001", Fault, LEX, "the value is empty", [Client, Simulator, Lint];
    Lex002 = "LEX-002", Fault, LEX, "lower-case letter (the profile is upper case only)", [Client, Simulator, Lint];
    Lex003 = "LEX-003", Fault, LEX, "letter with a diacritic or a ligature (transliterable: Æ, Œ, É…)", [Client, Simulator, Lint];
    Lex004 = "LEX-004", Fault, LEX, "character outside the profile (digit, punctuation, typographic apostrophe…)", [Client, Simulator, Lint];
    Lex005 = "LEX-005", Fault, LEX, "first character is a space or a hyphen", [Client, Simulator, Lint];
    Lex006 = "LEX-006", Fault, LEX, "doubled space", [Client, Simulator, Lint];
    Lex007 = "LEX-007", Fault, LEX, "doubled apostrophe", [Client, Simulator, Lint];
    Lex008 = "LEX-008", Fault, LEX, "space next to an apostrophe", [Client, Simulator, Lint];
    Lex009 = "LEX-009", Fault, LEX, "first name ends with a hyphen or an apostrophe", [Client, Simulator, Lint];
    Lex010 = "LEX-010", Fault, LEX, "double hyphen in a first name", [Client, Simulator, Lint];
    Lex011 = "LEX-011", Fault, LEX, "more than two hyphens in a row", [Client, Simulator, Lint];
    Lex012 = "LEX-012", Fault, LEX, "last character is a space", [Client, Simulator, Lint];
    // Client behaviour (`behaviour.rs`): judged by the harness from the calls observed at the
    // simulator and the outcome the software reports.
    Alg01 = "INSI-ALG-01", Cnda, &["INSI-ALG-01", "CNDA-2.04-cas1", "CNDA-2.07-cas1", "CNDA-2.07-cas2"], "first-name loop: one call per first name in the order entered, stopping at the first 00", [Harness];
    Alg02 = "INSI-ALG-02", Cnda, &["INSI-ALG-02", "EXI-ID-15", "CNDA-2.06-cas1", "CNDA-2.06-cas2"], "after a 02, retry with the birthplace when known, else report several identities", [Harness];
    Alg03 = "INSI-ALG-03", Cnda, &["INSI-ALG-01", "CNDA-2.07-cas2"], "after every first name answered 01, one last call with all of them, then no identity found", [Harness];
    Alg04 = "INSI-ALG-04", Cnda, &["INSI-LEX-01", "EXI-ID-14", "CNDA-2.03-cas3"], "traits outside the INSi profile are refused before any call", [Harness];
    Sto01 = "INSI-STO-01", Cnda, &["EXI-REC-07", "INSI-RSP-01", "CNDA-2.03-cas1", "CNDA-2.03-cas2", "CNDA-2.04-cas1", "CNDA-2.04-cas2", "CNDA-2.05", "CNDA-2.06-cas2", "CNDA-2.07-cas1", "CNDA-2.08-cas1"], "the active INS and its OID are stored exactly as returned, with a valid key", [Harness];
    Sto02 = "INSI-STO-02", Cnda, &["EXI-REC-07", "EXI-ID-10"], "the traits are stored exactly as returned, the first first name first of the list", [Harness];
    Sto03 = "INSI-STO-03", Cnda, &["EXI-REC-08", "INSI-RSP-02", "CNDA-2.04-cas1", "CNDA-2.04-cas2", "CNDA-2.08-cas1"], "the INS history is stored exactly as returned (matricule, key, OID of every entry)", [Harness];
    Sto04 = "INSI-STO-04", Cnda, &["INSI-RSP-01", "CNDA-2.08-cas2"], "a 00 answer is stored only when complete with valid keys (active and historical)", [Harness];
    Sto05 = "INSI-STO-05", Cnda, &["EXI-REC-07", "CNDA-2.05"], "the assigning-authority OID stored with the INS is the one returned (NIR or NIA)", [Harness];
    Sto06 = "INSI-STO-06", Cnda, &["EXI-REC-08", "CNDA-2.04-cas1"], "the DateDeb/DateFin of every historical INS are stored exactly as returned", [Harness];
    Tls01 = "INSI-TLS-01", Cnda, &["INSI-TLS-01"], "calls use an organisation certificate (CN INSI-AUTO or INSI-MANU, OU present)", [Harness];
    Tls02 = "INSI-TLS-02", Cnda, &["INSI-TLS-02"], "a server with a negative certificate gets no request; the user sees a technical error", [Harness];
    Net01 = "INSI-NET-01", Cnda, &["INSI-NET-01"], "transport errors, timeouts and HTTP errors are reported as technical errors", [Harness];
    Rsp03 = "INSI-RSP-03", Cnda, &["INSI-RSP-03"], "an answer that cannot be read is refused", [Harness];
    Flt01 = "INSI-FLT-01", Cnda, &["INSI-FLT-01"], "a functional fault (insi_…, desir_1020) is shown with its code", [Harness];
    Flt02 = "INSI-FLT-02", Cnda, &["INSI-FLT-02"], "a service fault (desir_550, DESIR_560) is shown with its code", [Harness];
    Ver01 = "INSI-VER-01", Cnda, &["INSI-VER-01"], "a verification reports the INS verified exactly when the service confirmed it", [Harness];
    // Software that receives an INS (guide Règle 52) and identity repositories' business
    // scenarios (ins-rules.md §2, §3, §5.2): judged by the harness from the identity the
    // software reports, the calls observed and what it emits.
    Rcv01 = "INSI-RCV-01", Cnda, &["GUIDE-R52", "INSI-VER-01", "EXI-REC-02"], "an INS received from another identification domain triggers exactly one verification call carrying the received INS, OID and traits", [Harness];
    Rcv02 = "INSI-RCV-02", Cnda, &["GUIDE-R52", "RNIV-EXI-SI-08"], "after the verification on receipt the identity is qualified exactly when the service confirmed the INS; otherwise it is not qualified, keeps no INS and the user is alerted", [Harness];
    Rcv03 = "INSI-RCV-03", Cnda, &["GUIDE-R52", "EXI-REC-07"], "a received INS with a wrong key, or under a test or demonstration OID in production, is refused with an alert and without any call", [Harness];
    Rcv04 = "INSI-RCV-04", Cnda, &["EXI-ID-29", "RNIV-EXI-SI-08"], "an HL7 INS received with PID-32 other than VALI is not stored as received", [Harness];
    Rcv05 = "INSI-RCV-05", Cnda, &["GUIDE-R52"], "an INS the software already holds as QUAL or RECUP is not verified again", [Harness];
    Rcv06 = "INSI-RCV-06", Cnda, &["EXI-ID-29", "RNIV-EXI-SI-08", "EXI-DIF-02"], "what the software emits or prints carries the INS (and a Datamatrix) only for a qualified identity", [Harness];
    Bus01 = "INSI-BUS-01", Cnda, &["RNIV-EXI-SI-07"], "the identity status follows the state machine: manual entry PROV, high-trust document VALI, INSi retrieval RECUP, both QUAL", [Harness];
    Bus02 = "INSI-BUS-02", Cnda, &["EXI-ID-26", "RNIV-EXI-SI-09"], "a doubtful or fictitious identity is PROV, loses its INS and is never sent to INSi", [Harness];
    Bus03 = "INSI-BUS-03", Cnda, &["EXI-ID-24"], "attributes combine by the rule: fictitious with nothing, doubtful with homonym", [Harness];
    Bus04 = "INSI-BUS-04", Cnda, &["EXI-REC-07", "RNIV-EXI-SI-07"], "traits returned by INSi that differ from the local ones are not stored silently: local traits and status stay, the user is alerted", [Harness];
    Bus05 = "INSI-BUS-05", Cnda, &["EXI-ID-11", "EXI-ID-12"], "an incomplete birth date is completed by the rule (day 01, month 01, both 31/12) and flagged as completed", [Harness];
    Bus06 = "INSI-BUS-06", Cnda, &["EXI-ID-10"], "a first first name inconsistent with the beginning of the first-names list raises an alert", [Harness];
    Bus07 = "INSI-BUS-07", Cnda, &["EXI-ID-08"], "used name and used first name are never filled automatically from the birth traits", [Harness];
    Bus08 = "INSI-BUS-08", Cnda, &["RNIV-EXI-SI-07"], "an identity read from the Appli carte Vitale is QUAL at once, without INSi call, with its collection method", [Harness];
    Bus09 = "INSI-BUS-09", Cnda, &["EXI-ID-19", "RNIV-EXI-SI-10"], "the type of the identity document checked is recorded with the identity", [Harness];
    // Exchange formats (`formats` crate, ins-rules.md §2.3, §6, §7.1, §8): HL7 v2, the INS
    // Datamatrix and what a printed Datamatrix shows.
    Hl7001 = "INS-HL7-001", Cnda, &["EXI-REC-07", "EXI-ID-29"], "PID-3 INS repetition: CX-4 is not ASIP-SANTE-INS-NIR (NIA for .9)&<INS OID>&ISO or CX-5 is not INS", [Lint];
    Hl7002 = "INS-HL7-002", Cnda, &["EXI-REC-07", "EXI-ID-29"], "PID-3 INS repetition: the matricule is malformed or its control key is wrong", [Lint];
    Hl7003 = "INS-HL7-003", Cnda, &["EXI-REC-07", "EXI-ID-29"], "PID-3 INS repetition: the assigning authority OID is not an INS OID (.8, .9, .10, .11) or does not match the namespace", [Lint];
    Hl7004 = "INS-HL7-004", Cnda, &["EXI-ID-29", "RNIV-EXI-SI-08"], "PID-3 carries an INS while PID-32 is not VALI (only a qualified identity travels with its INS)", [Lint];
    Hl7005 = "INS-HL7-005", Cnda, &["EXI-ID-29", "RNIV-EXI-SI-08"], "PID-32 is not a code of HL7 table 0445 as extended for France", [Lint];
    Hl7006 = "INS-HL7-006", Advice, &["EXI-ID-29", "RNIV-EXI-SI-08"], "PID-32 is RECUP or QUAL: IHE PAM France sends only PROV and VALI (unconfirmed for PAM FR 2.11)", [Lint];
    Hl7007 = "INS-HL7-007", Cnda, &["EXI-ID-10"], "PID-5 L repetition: XPN-2 is not the beginning of the XPN-3 first-names list", [Lint];
    Hl7008 = "INS-HL7-008", Cnda, &["INSI-LEX-01", "EXI-ID-14"], "PID-3 carries an INS but PID-5 has no L (birth name) repetition with a birth name and first names", [Lint];
    Hl7009 = "INS-HL7-009", Cnda, &["EXI-ID-15"], "PID-3 carries an INS but PID-11 has no BDL repetition with a 5-character COG code in XAD-9", [Lint];
    Hl7010 = "INS-HL7-010", Cnda, &["INSI-LEX-01", "EXI-ID-14"], "PID-5 L repetition: a strict trait breaks the INSi lexical profile", [Lint];
    Hl7011 = "INS-HL7-011", Cnda, &["INSI-LEX-01", "EXI-ID-14"], "PID-7 is not a YYYYMMDD calendar date or PID-8 is not M/F while PID-3 carries an INS", [Lint];
    Hl7012 = "INS-HL7-012", Advice, &["EXI-REC-07", "EXI-ID-29"], "PID-3 carries an INS under the test (.10) or demonstration (.11) OID", [Lint];
    Dm001 = "INS-DM-001", Cnda, &["EXI-DIF-02"], "Datamatrix header is not IS01 followed by 22 zeros", [Lint];
    Dm002 = "INS-DM-002", Cnda, &["EXI-DIF-02"], "Datamatrix segments: S1-S6 not all present, a segment repeated or an unknown identifier", [Lint];
    Dm003 = "INS-DM-003", Cnda, &["EXI-DIF-02"], "Datamatrix separator rule: GS missing after a short variable field, or present where none is due", [Lint];
    Dm004 = "INS-DM-004", Cnda, &["EXI-DIF-02"], "Datamatrix S6 birth date is not a JJ-MM-AAAA calendar date", [Lint];
    Dm005 = "INS-DM-005", Cnda, &["EXI-REC-07", "EXI-ID-29"], "Datamatrix S1 matricule is malformed or its control key is wrong", [Lint];
    Dm006 = "INS-DM-006", Cnda, &["EXI-REC-07", "EXI-ID-29"], "Datamatrix S2 is not an INS OID (.8, .9, .10, .11)", [Lint];
    Dm007 = "INS-DM-007", Cnda, &["INSI-LEX-01", "EXI-ID-14"], "Datamatrix S3/S4 is empty, longer than 100 characters or breaks the INSi lexical profile", [Lint];
    Dm008 = "INS-DM-008", Cnda, &["INSI-LEX-01", "EXI-ID-14"], "Datamatrix S5 sex is not M or F", [Lint];
    Dm009 = "INS-DM-009", Cnda, &["EXI-ID-15"], "Datamatrix S7 birthplace is not a 5-character COG code", [Lint];
    Dm010 = "INS-DM-010", Advice, &["EXI-DIF-02"], "Datamatrix segments are not in the order S1 to S7 (order not confirmed as mandatory)", [Lint];
    Dm011 = "INS-DM-011", Cnda, &["EXI-ID-29", "RNIV-EXI-SI-08"], "Datamatrix S1/S2 differ from the INS the software holds for the patient", [Lint];
    Dm012 = "INS-DM-012", Advice, &["EXI-REC-07", "EXI-ID-29"], "Datamatrix carries an INS under the test (.10) or demonstration (.11) OID", [Lint];
    Fhir001 = "INS-FHIR-001", Cnda, &["EXI-REC-07", "EXI-ID-29"], "FHIR Patient INS identifier: the type is not the fr-core-cs-v2-0203 code of its slice (INS-NIR, INS-NIA, INS-NIR-TEST, INS-NIR-DEMO)", [Lint];
    Fhir002 = "INS-FHIR-002", Cnda, &["EXI-REC-07", "EXI-ID-29"], "FHIR Patient INS identifier: the matricule is malformed or its control key is wrong", [Lint];
    Fhir003 = "INS-FHIR-003", Cnda, &["EXI-REC-07", "EXI-ID-29"], "FHIR Patient INS identifier: the system is not urn:oid: followed by an INS OID (.8, .9, .10, .11) matching its type", [Lint];
    Fhir004 = "INS-FHIR-004", Cnda, &["EXI-REC-07"], "FHIR Patient INS identifier: use is not official (or old) for a NIR slice, temp for the NIA slice", [Lint];
    Fhir005 = "INS-FHIR-005", Cnda, &["RNIV-EXI-SI-07"], "FHIR Patient: no identity-reliability extension with an identityStatus of fr-core-cs-identity-status (PROV, RECUP, VALI, QUAL)", [Lint];
    Fhir006 = "INS-FHIR-006", Cnda, &["EXI-ID-29", "RNIV-EXI-SI-08"], "FHIR Patient carries an INS identifier while its identity status is not QUAL", [Lint];
    Fhir007 = "INS-FHIR-007", Cnda, &["RNIV-EXI-SI-09", "EXI-ID-24", "EXI-ID-26"], "FHIR Patient: a DOUT or FICT comment with a status other than PROV, or FICT together with DOUT (fr-core-identity-reliability-1/2)", [Lint];
    Fhir008 = "INS-FHIR-008", Cnda, &["EXI-REC-07"], "FHIR Patient: more than one official INS identifier (fr-core-2)", [Lint];
    Fhir009 = "INS-FHIR-009", Cnda, &["INSI-LEX-01", "EXI-ID-14"], "FHIR Patient with an INS: no official name with a family name and exactly one given name", [Lint];
    Fhir010 = "INS-FHIR-010", Cnda, &["EXI-ID-10"], "FHIR Patient official name: the birth-list-given-name extension is missing or does not start with the given name", [Lint];
    Fhir011 = "INS-FHIR-011", Cnda, &["INSI-LEX-01", "EXI-ID-14"], "FHIR Patient with an INS: a strict trait of the official name breaks the INSi lexical profile", [Lint];
    Fhir012 = "INS-FHIR-012", Cnda, &["INSI-LEX-01", "EXI-ID-14"], "FHIR Patient with an INS: gender is not male, female or unknown, or birthDate is not a YYYY-MM-DD calendar date", [Lint];
    Fhir013 = "INS-FHIR-013", Cnda, &["EXI-ID-15"], "FHIR Patient with an INS: no birthPlace extension with a 5-character COG INSEE code", [Lint];
    Fhir014 = "INS-FHIR-014", Advice, &["EXI-REC-07", "EXI-ID-29"], "FHIR Patient carries an INS under the test (.10) or demonstration (.11) OID", [Lint];
    Cda001 = "INS-CDA-001", Cnda, &["EXI-REC-07", "EXI-ID-29"], "CDA patientRole id under an INS OID: the extension is not a well-formed matricule with a valid control key", [Lint];
    Cda002 = "INS-CDA-002", Cnda, &["EXI-REC-07", "EXI-ID-29"], "CDA patientRole id rooted under the INS arc 1.2.250.1.213.1.4 with an OID that is not an INS OID (.8, .9, .10, .11)", [Lint];
    Cda003 = "INS-CDA-003", Cnda, &["EXI-REC-07"], "CDA patientRole INS id carries assigningAuthorityName, displayable or nullFlavor", [Lint];
    Cda004 = "INS-CDA-004", Cnda, &["EXI-REC-07"], "CDA patientRole with an INS id has no second id (the local IPP)", [Lint];
    Cda005 = "INS-CDA-005", Cnda, &["INSI-LEX-01", "EXI-ID-14"], "CDA patient with an INS: no family@qualifier=BR birth name or no unqualified given (birth first-names list)", [Lint];
    Cda006 = "INS-CDA-006", Cnda, &["EXI-ID-10"], "CDA patient with an INS: given@qualifier=BR is missing or is not the beginning of the birth first-names list", [Lint];
    Cda007 = "INS-CDA-007", Cnda, &["INSI-LEX-01", "EXI-ID-14"], "CDA patient with an INS: a strict trait of the name breaks the INSi lexical profile", [Lint];
    Cda008 = "INS-CDA-008", Cnda, &["EXI-ID-15"], "CDA patient with an INS: birthplace/place/addr/county is missing or not a 5-character COG code", [Lint];
    Cda009 = "INS-CDA-009", Cnda, &["INSI-LEX-01", "EXI-ID-14"], "CDA patient: administrativeGenderCode is not F, M or U, or birthTime is not a YYYYMMDD calendar date", [Lint];
    Cda010 = "INS-CDA-010", Advice, &["EXI-REC-07", "EXI-ID-29"], "CDA patientRole carries an INS under the test (.10) or demonstration (.11) OID", [Lint];
    Disp001 = "INS-DISP-001", Cnda, &["EXI-DIF-02"], "printed Datamatrix shows a matricule without its OID (or an OID without a matricule)", [Lint];
}

/// The catalogue entry of `id`.
pub fn rule(id: RuleId) -> &'static Rule {
    // CATALOGUE and RuleId come from one macro invocation, in the same order: the variant's
    // index is its entry (checked by `every_id_is_its_own_entry`).
    &CATALOGUE[id as usize]
}

/// The rule whose published id is `id`, if any.
pub fn find(id: &str) -> Option<&'static Rule> {
    RuleId::parse(id).ok().map(rule)
}

/// Every rule of the catalogue, in catalogue order.
pub fn all() -> &'static [Rule] {
    CATALOGUE
}

/// Renders the request and answer rules (the `INSI-…` families) as the Markdown table of
/// `docs/ins-rules-implemented.md`.
pub fn markdown_table() -> String {
    let mut out = String::from("| Id | Severity | Requirements | Summary |\n|---|---|---|---|\n");
    for r in CATALOGUE
        .iter()
        .filter(|r| r.id.as_str().starts_with("INSI-"))
    {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            r.id,
            r.severity.as_str(),
            r.requirements.join(", "),
            r.summary
        ));
    }
    out
}

/// Renders `docs/rules.md`: every rule of the catalogue with its severity, requirements,
/// summary and the components that apply it.
pub fn markdown_document() -> String {
    let mut out = String::from(
        "# The rule catalogue\n\n\
         <!-- Generated from `insilab_core::rules::CATALOGUE`; a test fails when it drifts.\n\
         Regenerate: INSILAB_UPDATE_DOCS=1 cargo test -p insilab-core --test rules_catalogue -->\n\n\
         Every check insilab performs on a request, an answer or a name is one rule of this\n\
         catalogue, with a stable id. The simulator journal, `insilab lint`, `insilab query` (the\n\
         reference client's refusals) and the harness report the same ids. Explain one rule with\n\
         `insilab rule ID`; list them with `insilab rule` (`--json` for tools).\n\n\
         Severities: **fault**: the real service answers a fault (the simulator does too, unless\n\
         its configuration says otherwise, see `docs/simulator.md`); **cnda**: the CNDA flags it;\n\
         **advice**: worth fixing, nobody known to object.\n\n\
         | Id | Severity | Requirements | Applied by | Summary |\n\
         |---|---|---|---|---|\n",
    );
    for r in CATALOGUE {
        let by: Vec<&str> = r.applied_by.iter().map(|c| c.as_str()).collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.id,
            r.severity,
            r.requirements.join(", "),
            by.join(", "),
            r.summary
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_is_its_own_entry() {
        assert_eq!(RuleId::ALL.len(), CATALOGUE.len());
        for (i, id) in RuleId::ALL.iter().enumerate() {
            assert_eq!(CATALOGUE[i].id, *id);
            assert_eq!(rule(*id).id, *id);
            assert_eq!(RuleId::parse(id.as_str()), Ok(*id));
        }
    }

    #[test]
    fn ids_are_unique_and_unknown_ids_are_refused() {
        let mut ids: Vec<_> = CATALOGUE.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CATALOGUE.len());
        assert!(RuleId::parse("INSI-HDR-999").is_err());
        assert!(RuleId::parse("insi-hdr-001").is_err());
    }

    #[test]
    fn serde_uses_the_published_form() {
        let json = serde_json::to_string(&RuleId::Rsp007).expect("serialise");
        assert_eq!(json, "\"INSI-RSP-007\"");
        let back: RuleId = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, RuleId::Rsp007);
        assert!(serde_json::from_str::<RuleId>("\"CLIENT-ANS-INVALID-KEY\"").is_err());
    }
}
