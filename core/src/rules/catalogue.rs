//! The rule catalogue: every check's stable id, severity, requirement links and summary.

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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
    /// `fault`, `cnda`, `advice`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Fault => "fault",
            Severity::Cnda => "cnda",
            Severity::Advice => "advice",
        }
    }
}

/// One check of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable id (`INSI-HDR-001`).
    pub id: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// Requirement ids in tag form (`EXI-REC-07`, `CNDA-2.03-cas3`, `INSI-HDR-01`), as listed in
    /// `scenarios/requirements.yaml`.
    pub requirements: &'static [&'static str],
    /// One-line summary.
    pub summary: &'static str,
}

const fn r(
    id: &'static str,
    severity: Severity,
    requirements: &'static [&'static str],
    summary: &'static str,
) -> Rule {
    Rule {
        id,
        severity,
        requirements,
        summary,
    }
}

use Severity::{Advice, Cnda, Fault};

const HDR: &[&str] = &["INSI-HDR-01"];
const LEX: &[&str] = &["INSI-LEX-01", "CNDA-2.03-cas3"];
const TRAITS: &[&str] = &["INSI-LEX-01", "EXI-ID-14"];
const COG: &[&str] = &["INSI-LEX-01", "EXI-ID-15"];
const RSP: &[&str] = &["INSI-RSP-01", "INSI-RSP-03"];
const STORE: &[&str] = &["EXI-REC-07"];

/// Every rule, request rules first, in id order within each family.
pub const CATALOGUE: &[Rule] = &[
    r("INSI-HDR-001", Fault, HDR, "wsa:Action is missing or empty"),
    r(
        "INSI-HDR-002",
        Fault,
        HDR,
        "wsa:Action is not the action of an INSi operation",
    ),
    r(
        "INSI-HDR-003",
        Fault,
        HDR,
        "wsa:Action does not match the body element",
    ),
    r(
        "INSI-HDR-004",
        Cnda,
        HDR,
        "wsa:MessageID is missing or empty",
    ),
    r(
        "INSI-HDR-005",
        Cnda,
        HDR,
        "wsa:MessageID is not `uuid:` followed by a UUID",
    ),
    r("INSI-HDR-006", Fault, HDR, "ContexteBAM header is missing"),
    r(
        "INSI-HDR-007",
        Fault,
        HDR,
        "ContexteBAM/@Version is missing or not 01_02",
    ),
    r(
        "INSI-HDR-008",
        Advice,
        HDR,
        "ContexteBAM/@Nature is present but not CTXBAM",
    ),
    r(
        "INSI-HDR-009",
        Cnda,
        HDR,
        "ContexteBAM/Id is missing or not a UUID",
    ),
    r(
        "INSI-HDR-010",
        Cnda,
        HDR,
        "ContexteBAM/Temps is missing or not a UTC time with milliseconds and Z",
    ),
    r(
        "INSI-HDR-011",
        Fault,
        HDR,
        "ContexteBAM/COUVERTURE is missing",
    ),
    r(
        "INSI-HDR-012",
        Cnda,
        HDR,
        "ContexteBAM/COUVERTURE is not empty in a traits search",
    ),
    r("INSI-HDR-013", Fault, HDR, "ContexteLPS header is missing"),
    r(
        "INSI-HDR-014",
        Fault,
        HDR,
        "ContexteLPS/@Version is missing or not 01_00",
    ),
    r(
        "INSI-HDR-015",
        Advice,
        HDR,
        "ContexteLPS/@Nature is present but not CTXLPS",
    ),
    r(
        "INSI-HDR-016",
        Cnda,
        HDR,
        "ContexteLPS/Id is missing or empty",
    ),
    r(
        "INSI-HDR-017",
        Cnda,
        HDR,
        "ContexteLPS/Temps is missing or not a UTC time with milliseconds and Z",
    ),
    r(
        "INSI-HDR-018",
        Fault,
        HDR,
        "ContexteLPS/LPS/IDAM (software authorisation number) is missing or empty",
    ),
    r(
        "INSI-HDR-019",
        Cnda,
        HDR,
        "ContexteLPS/LPS/IDAM/@R is missing or not 4",
    ),
    r(
        "INSI-HDR-020",
        Advice,
        HDR,
        "ContexteLPS/LPS/Version, Instance or Nom is missing",
    ),
    r(
        "INSI-HDR-021",
        Advice,
        HDR,
        "Content-Type has no action parameter (the service then relies on wsa:Action)",
    ),
    r(
        "INSI-HDR-022",
        Fault,
        HDR,
        "Content-Type action parameter differs from wsa:Action",
    ),
    r(
        "INSI-HDR-023",
        Fault,
        HDR,
        "Content-Type is not application/soap+xml",
    ),
    r(
        "INSI-TRT-001",
        Fault,
        TRAITS,
        "NomNaissance (birth name) is missing or empty",
    ),
    r(
        "INSI-TRT-002",
        Fault,
        LEX,
        "NomNaissance is outside the INSi lexical profile",
    ),
    r(
        "INSI-TRT-003",
        Cnda,
        &["INSI-ALG-01"],
        "no Prenom (first name) is sent",
    ),
    r(
        "INSI-TRT-004",
        Fault,
        LEX,
        "a first name (Prenom, ListePrenom) is outside the INSi lexical profile",
    ),
    r(
        "INSI-TRT-005",
        Advice,
        &["INSI-ALG-01"],
        "several Prenom elements: clients send one per call, the last call the whole list in one Prenom",
    ),
    r("INSI-TRT-006", Fault, TRAITS, "Sexe is missing"),
    r("INSI-TRT-007", Fault, TRAITS, "Sexe is not M or F"),
    r("INSI-TRT-008", Fault, TRAITS, "DateNaissance is missing"),
    r(
        "INSI-TRT-009",
        Fault,
        TRAITS,
        "DateNaissance is not a calendar date of the form YYYY-MM-DD",
    ),
    r(
        "INSI-TRT-010",
        Advice,
        TRAITS,
        "DateNaissance has unknown parts (00): how INSi takes them is not public",
    ),
    r(
        "INSI-TRT-011",
        Fault,
        COG,
        "LieuNaissance is not a 5-character INSEE COG code",
    ),
    r(
        "INSI-TRT-012",
        Advice,
        COG,
        "LieuNaissance uses the pre-1976 Corsica code 20xxx (INSi answers 2A/2B)",
    ),
    r(
        "INSI-TRT-013",
        Fault,
        TRAITS,
        "DateNaissance has an unknown year (0000): never sent; the user chooses a year compatible with the stated age (EXI ID 11)",
    ),
    r(
        "INSI-VIT-001",
        Fault,
        HDR,
        "RECVITALE has neither MatriculeIndividu nor MatriculeOD",
    ),
    r(
        "INSI-VIT-002",
        Fault,
        HDR,
        "a RECVITALE matricule has a wrong layout or key",
    ),
    r(
        "INSI-VIT-003",
        Advice,
        HDR,
        "ContexteBAM/COUVERTURE is empty in a Vitale search",
    ),
    r(
        "INSI-VER-001",
        Fault,
        &["INSI-RSP-01"],
        "INSFourni matricule has a wrong layout or key",
    ),
    r(
        "INSI-VER-002",
        Fault,
        &["INSI-RSP-01"],
        "INSFourni OID is not an INS assigning authority",
    ),
    r(
        "INSI-VER-003",
        Advice,
        &["EXI-ID-10"],
        "Prenom is not the first first name of ListePrenom",
    ),
    r(
        "INSI-SEC-001",
        Cnda,
        HDR,
        "a SAML assertion in wsse:Security carries no signature",
    ),
    r(
        "INSI-SEC-002",
        Advice,
        HDR,
        "a SAML assertion NameID qualifier is neither CPS nor PSC",
    ),
    r("INSI-RSP-001", Cnda, RSP, "CodeCR is not 00, 01 or 02"),
    r(
        "INSI-RSP-002",
        Advice,
        RSP,
        "LibelleCR is not the label of its CodeCR",
    ),
    r("INSI-RSP-003", Cnda, RSP, "CodeCR 00 without INDIVIDU"),
    r(
        "INSI-RSP-004",
        Cnda,
        RSP,
        "CodeCR 01 or 02 with an INDIVIDU",
    ),
    r(
        "INSI-RSP-005",
        Cnda,
        &["INSI-RSP-01", "EXI-REC-07"],
        "a 00 answer lacks a mandatory value (matricule, key, OID, birth name, first-name list, sex, birth date, birthplace)",
    ),
    r(
        "INSI-RSP-006",
        Cnda,
        &["INSI-RSP-01", "EXI-REC-08"],
        "an INS matricule (INSACTIF or INSHISTO) has a wrong layout",
    ),
    r(
        "INSI-RSP-007",
        Cnda,
        &["INSI-RSP-01", "CNDA-2.08-cas2"],
        "an INS key (INSACTIF or INSHISTO) does not match its matricule",
    ),
    r(
        "INSI-RSP-008",
        Cnda,
        &["INSI-RSP-01", "CNDA-2.05"],
        "an OID is not an INS assigning authority",
    ),
    r(
        "INSI-RSP-009",
        Advice,
        &["CNDA-2.05"],
        "TypeMatricule and OID disagree (NIA goes with .9)",
    ),
    r(
        "INSI-RSP-010",
        Advice,
        &["CNDA-2.04-cas2", "EXI-REC-08"],
        "DateDeb is after DateFin (store as returned)",
    ),
    r(
        "INSI-RSP-011",
        Advice,
        STORE,
        "a returned trait is outside the INSi profile or format (store as returned)",
    ),
    r(
        "INSI-RSP-012",
        Advice,
        &["EXI-ID-10", "EXI-REC-07"],
        "TIQ/Prenom is not the first first name of ListePrenom",
    ),
    r(
        "INSI-RSP-013",
        Advice,
        &["INSI-RSP-01"],
        "an INS of the test or demonstration authority (.10, .11)",
    ),
    r(
        "INSI-FLT-001",
        Cnda,
        &["INSI-FLT-01", "INSI-FLT-02"],
        "fault without siram:Erreur/@messageID",
    ),
    r(
        "INSI-FLT-002",
        Cnda,
        &["INSI-FLT-01", "INSI-FLT-02"],
        "fault without subcode or siram:Erreur/@code",
    ),
    r(
        "INSI-FLT-003",
        Advice,
        &["INSI-FLT-01", "INSI-FLT-02"],
        "siram:Erreur/@severite is not information, avertissement, erreur or fatale",
    ),
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    CATALOGUE
        .iter()
        .chain(super::formats::FORMAT_RULES)
        .find(|r| r.id == id)
}

/// Renders the catalogue as the Markdown table of `docs/ins-rules-implemented.md`.
pub fn markdown_table() -> String {
    let mut out = String::from("| Id | Severity | Requirements | Summary |\n|---|---|---|---|\n");
    for r in CATALOGUE {
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
