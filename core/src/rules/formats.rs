//! Rules of the exchange formats that carry the INS outside INSi: HL7 v2 (`INS-HL7-*`), the INS
//! Datamatrix (`INS-DM-*`) and what a printed Datamatrix must show (`INS-DISP-*`). The checks
//! live in the `insilab-formats` crate; this slice gives their ids, severities, requirement
//! links and summaries (ins-rules.md §2.3, §6, §7.1, §8 `H-HL7-*`, `H-DM-*`, `H-DISP-*`).

use super::catalogue::{Rule, Severity};

use Severity::{Advice, Cnda};

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

/// The INS travels with its OID and only for a qualified identity.
const TRANSMIT: &[&str] = &["EXI-ID-29", "RNIV-EXI-SI-08"];
/// Matricule and OID are stored and passed on together.
const STORE: &[&str] = &["EXI-REC-07", "EXI-ID-29"];
/// Strict traits in their own fields and in the INSi lexical profile.
const TRAITS: &[&str] = &["INSI-LEX-01", "EXI-ID-14"];
/// First first name consistent with the list.
const FIRST: &[&str] = &["EXI-ID-10"];
/// Birthplace code.
const COG: &[&str] = &["EXI-ID-15"];
/// The printed Datamatrix.
const PRINT: &[&str] = &["EXI-DIF-02"];

/// Every format rule, HL7 v2 first, then the Datamatrix, then display; id order in each family.
pub const FORMAT_RULES: &[Rule] = &[
    r(
        "INS-HL7-001",
        Cnda,
        STORE,
        "PID-3 INS repetition: CX-4 is not ASIP-SANTE-INS-NIR (NIA for .9)&<INS OID>&ISO or CX-5 is not INS",
    ),
    r(
        "INS-HL7-002",
        Cnda,
        STORE,
        "PID-3 INS repetition: the matricule is malformed or its control key is wrong",
    ),
    r(
        "INS-HL7-003",
        Cnda,
        STORE,
        "PID-3 INS repetition: the assigning authority OID is not an INS OID (.8, .9, .10, .11) or does not match the namespace",
    ),
    r(
        "INS-HL7-004",
        Cnda,
        TRANSMIT,
        "PID-3 carries an INS while PID-32 is not VALI (only a qualified identity travels with its INS)",
    ),
    r(
        "INS-HL7-005",
        Cnda,
        TRANSMIT,
        "PID-32 is not a code of HL7 table 0445 as extended for France",
    ),
    r(
        "INS-HL7-006",
        Advice,
        TRANSMIT,
        "PID-32 is RECUP or QUAL: IHE PAM France sends only PROV and VALI (unconfirmed for PAM FR 2.11)",
    ),
    r(
        "INS-HL7-007",
        Cnda,
        FIRST,
        "PID-5 L repetition: XPN-2 is not the beginning of the XPN-3 first-names list",
    ),
    r(
        "INS-HL7-008",
        Cnda,
        TRAITS,
        "PID-3 carries an INS but PID-5 has no L (birth name) repetition with a birth name and first names",
    ),
    r(
        "INS-HL7-009",
        Cnda,
        COG,
        "PID-3 carries an INS but PID-11 has no BDL repetition with a 5-character COG code in XAD-9",
    ),
    r(
        "INS-HL7-010",
        Cnda,
        TRAITS,
        "PID-5 L repetition: a strict trait breaks the INSi lexical profile",
    ),
    r(
        "INS-HL7-011",
        Cnda,
        TRAITS,
        "PID-7 is not a YYYYMMDD calendar date or PID-8 is not M/F while PID-3 carries an INS",
    ),
    r(
        "INS-HL7-012",
        Advice,
        STORE,
        "PID-3 carries an INS under the test (.10) or demonstration (.11) OID",
    ),
    r(
        "INS-DM-001",
        Cnda,
        PRINT,
        "Datamatrix header is not IS01 followed by 22 zeros",
    ),
    r(
        "INS-DM-002",
        Cnda,
        PRINT,
        "Datamatrix segments: S1-S6 not all present, a segment repeated or an unknown identifier",
    ),
    r(
        "INS-DM-003",
        Cnda,
        PRINT,
        "Datamatrix separator rule: GS missing after a short variable field, or present where none is due",
    ),
    r(
        "INS-DM-004",
        Cnda,
        PRINT,
        "Datamatrix S6 birth date is not a JJ-MM-AAAA calendar date",
    ),
    r(
        "INS-DM-005",
        Cnda,
        STORE,
        "Datamatrix S1 matricule is malformed or its control key is wrong",
    ),
    r(
        "INS-DM-006",
        Cnda,
        STORE,
        "Datamatrix S2 is not an INS OID (.8, .9, .10, .11)",
    ),
    r(
        "INS-DM-007",
        Cnda,
        TRAITS,
        "Datamatrix S3/S4 is empty, longer than 100 characters or breaks the INSi lexical profile",
    ),
    r(
        "INS-DM-008",
        Cnda,
        TRAITS,
        "Datamatrix S5 sex is not M or F",
    ),
    r(
        "INS-DM-009",
        Cnda,
        COG,
        "Datamatrix S7 birthplace is not a 5-character COG code",
    ),
    r(
        "INS-DM-010",
        Advice,
        PRINT,
        "Datamatrix segments are not in the order S1 to S7 (order not confirmed as mandatory)",
    ),
    r(
        "INS-DM-011",
        Cnda,
        TRANSMIT,
        "Datamatrix S1/S2 differ from the INS the software holds for the patient",
    ),
    r(
        "INS-DM-012",
        Advice,
        STORE,
        "Datamatrix carries an INS under the test (.10) or demonstration (.11) OID",
    ),
    r(
        "INS-DISP-001",
        Cnda,
        PRINT,
        "printed Datamatrix shows a matricule without its OID (or an OID without a matricule)",
    ),
];

/// Renders [`FORMAT_RULES`] as the Markdown table of `docs/formats.md`.
pub fn markdown_table() -> String {
    let mut out = String::from("| Id | Severity | Requirements | Summary |\n|---|---|---|---|\n");
    for r in FORMAT_RULES {
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
