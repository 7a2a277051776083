//! The CNDA answer files, as data.
//!
//! One job: hold the SOAP envelopes the CNDA hands out during the conformance session
//! (`REP_CR01`, `TEST_2.04_cas2`, `TEST_2.05`, `TEST_2.08_cas1`, `TEST_2.08_cas2`), written by us in
//! the "CNDA files" dialect from the facts of `cnda-test-data.md`. They carry no MessageID and
//! are served byte for byte when an override or a person behaviour selects them.

/// One answer file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerFile {
    /// The name the CNDA gives it (`TEST_2.05`).
    pub name: &'static str,
    /// What it reproduces.
    pub description: &'static str,
    /// The exact bytes served (HTTP 200, SOAP 1.2 envelope).
    pub body: &'static str,
}

/// Every answer file known to the simulator.
pub const ANSWER_FILES: &[AnswerFile] = &[
    AnswerFile {
        name: "REP_CR01",
        description: "01 Aucune identite trouvee, injected where the test platform answers a technical fault",
        body: include_str!("../data/answers/REP_CR01.xml"),
    },
    AnswerFile {
        name: "TEST_2.04_cas2",
        description: "ECETINSI: two historical INS, the first with its dates written before IdIndividu",
        body: include_str!("../data/answers/TEST_2.04_cas2.xml"),
    },
    AnswerFile {
        name: "TEST_2.05",
        description: "PROVISOIRE MATRICULE: NIA OID, TIQ/Prenom present",
        body: include_str!("../data/answers/TEST_2.05.xml"),
    },
    AnswerFile {
        name: "TEST_2.08_cas1",
        description: "CORSE ANTHONY: Corsica key, active INS repeated in the history",
        body: include_str!("../data/answers/TEST_2.08_cas1.xml"),
    },
    AnswerFile {
        name: "TEST_2.08_cas2",
        description: "HERMANN GATIEN: both keys wrong on purpose (60 and 10; valid 76 and 26)",
        body: include_str!("../data/answers/TEST_2.08_cas2.xml"),
    },
];

/// The answer file called `name` (exact, or ignoring ASCII case), if any.
pub fn answer_file(name: &str) -> Option<&'static AnswerFile> {
    ANSWER_FILES
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name.trim()))
}
