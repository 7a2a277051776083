//! The CNDA answer files, and insilab's own, as data.
//!
//! One job: hold the SOAP envelopes the CNDA hands out during the conformance session
//! (`REP_CR01`, `TEST_2.04_cas2`, `TEST_2.05`, `TEST_2.08_cas1`, `TEST_2.08_cas2`), written by us in
//! the "CNDA files" dialect from the facts of `cnda-test-data.md`. They are laid out as the CNDA
//! hands them out, not cleaned: the XML declaration, CRLF line ends, tab indentation and the
//! comments they carry (`<!-- OID NIA -->` in `TEST_2.05`, an editor's comment in
//! `TEST_2.08_cas1`, whose wording is ours), so that clients meet the whitespace and comments
//! they will meet at the CNDA. They carry no MessageID and are served byte for byte when an
//! override or a person behaviour selects them. The
//! `INSILAB_…` files are insilab's own cases (not the CNDA's), written to tell apart clients the
//! CNDA files cannot: one wrong key (historical or active) with the other right, a historical
//! NIA, an empty TIQ field, a valid `RESULTAT` under HTTP 500.

/// One answer file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerFile {
    /// The name the CNDA gives it (`TEST_2.05`).
    pub name: &'static str,
    /// What it reproduces.
    pub description: &'static str,
    /// The exact bytes served (SOAP 1.2 envelope).
    pub body: &'static str,
    /// The HTTP status served with it (200, except for insilab's case of a `RESULTAT` under an
    /// HTTP error).
    pub status: u16,
}

/// Every answer file known to the simulator.
pub const ANSWER_FILES: &[AnswerFile] = &[
    AnswerFile {
        name: "REP_CR01",
        description: "01 Aucune identite trouvee, injected where the test platform answers a technical fault",
        status: 200,
        body: include_str!("../data/answers/REP_CR01.xml"),
    },
    AnswerFile {
        name: "TEST_2.04_cas2",
        description: "ECETINSI: two historical INS, the first with its dates written before IdIndividu",
        status: 200,
        body: include_str!("../data/answers/TEST_2.04_cas2.xml"),
    },
    AnswerFile {
        name: "TEST_2.05",
        description: "PROVISOIRE MATRICULE: NIA OID, TIQ/Prenom present",
        status: 200,
        body: include_str!("../data/answers/TEST_2.05.xml"),
    },
    AnswerFile {
        name: "TEST_2.08_cas1",
        description: "CORSE ANTHONY: Corsica key, active INS repeated in the history",
        status: 200,
        body: include_str!("../data/answers/TEST_2.08_cas1.xml"),
    },
    AnswerFile {
        name: "TEST_2.08_cas2",
        description: "HERMANN GATIEN: both keys wrong on purpose (60 and 10; valid 76 and 26), TIQ/Prenom GATIEN",
        status: 200,
        body: include_str!("../data/answers/TEST_2.08_cas2.xml"),
    },
    AnswerFile {
        name: "INSILAB_HISTO_BAD_KEY",
        description: "insilab's own: ECETINSI with a valid active key but a historical key wrong (38; valid 39)",
        status: 200,
        body: include_str!("../data/answers/INSILAB_HISTO_BAD_KEY.xml"),
    },
    AnswerFile {
        name: "INSILAB_HISTO_NIA",
        description: "insilab's own: ECETINSI whose historical INS is a NIA (OID .9), to be stored with its OID",
        status: 200,
        body: include_str!("../data/answers/INSILAB_HISTO_NIA.xml"),
    },
    AnswerFile {
        name: "INSILAB_EMPTY_SEXE",
        description: "insilab's own: ECETINSI with an empty TIQ/Sexe, an incomplete 00 answer",
        status: 200,
        body: include_str!("../data/answers/INSILAB_EMPTY_SEXE.xml"),
    },
    AnswerFile {
        name: "INSILAB_ACTIVE_BAD_KEY",
        description: "insilab's own: ECETINSI with the active key wrong (88; valid 89) but the historical key right",
        status: 200,
        body: include_str!("../data/answers/INSILAB_ACTIVE_BAD_KEY.xml"),
    },
    AnswerFile {
        name: "INSILAB_RESULT_HTTP_500",
        description: "insilab's own: a complete, valid 00 answer for ECETINSI served with HTTP 500 (not usable)",
        status: 500,
        body: include_str!("../data/answers/INSILAB_RESULT_HTTP_500.xml"),
    },
];

/// The answer file called `name` (exact, or ignoring ASCII case), if any.
pub fn answer_file(name: &str) -> Option<&'static AnswerFile> {
    ANSWER_FILES
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name.trim()))
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "the embedded files are known-valid")]
mod tests {
    use super::*;
    use insilab_core::insi::{Limits, Response, parse_response};

    fn parsed(name: &str) -> Response {
        let f = answer_file(name).unwrap();
        parse_response(f.body.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn every_file_is_laid_out_as_the_cnda_hands_it_out() {
        // insilab's own files are ours, not the CNDA's: they only have to be RESULTAT answers.
        for f in ANSWER_FILES
            .iter()
            .filter(|f| f.name.starts_with("INSILAB_"))
        {
            assert!(
                matches!(parsed(f.name), Response::Result(_)),
                "{} is a RESULTAT",
                f.name
            );
        }
        for f in ANSWER_FILES
            .iter()
            .filter(|f| !f.name.starts_with("INSILAB_"))
        {
            assert!(
                f.body
                    .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<soap:Envelope"),
                "{}",
                f.name
            );
            // Every line ends with CRLF, none with a bare LF; nested lines are tab-indented.
            assert_eq!(f.body.matches('\n').count(), f.body.matches("\r\n").count());
            assert!(f.body.contains("\r\n\t<S:Body"), "{}", f.name);
            assert!(!f.body.contains("  <"), "{} indents with spaces", f.name);
            assert!(
                matches!(parsed(f.name), Response::Result(_)),
                "{} is a RESULTAT",
                f.name
            );
        }
    }

    #[test]
    fn files_carry_their_comments_and_the_reader_sees_through_them() {
        let nia = answer_file("TEST_2.05").unwrap().body;
        assert!(nia.contains("<!-- OID NIA -->\r\n\t\t\t\t\t<OID>1.2.250.1.213.1.4.9</OID>"));
        assert!(
            answer_file("TEST_2.08_cas1")
                .unwrap()
                .body
                .contains("<!-- ")
        );
        let Response::Result(r) = parsed("TEST_2.05") else {
            unreachable!()
        };
        let ind = r.individu.unwrap();
        assert_eq!(ind.ins_actif.oid, "1.2.250.1.213.1.4.9");
        assert_eq!(ind.ins_actif.id.num_identifiant, "1090763220888");
    }

    #[test]
    fn test_2_08_cas2_returns_prenom_gatien() {
        let Response::Result(r) = parsed("TEST_2.08_cas2") else {
            unreachable!()
        };
        let ind = r.individu.unwrap();
        assert_eq!(ind.tiq.prenom.as_deref(), Some("GATIEN"));
        assert_eq!(ind.ins_histo.len(), 2);
        assert_eq!(ind.ins_actif.id.cle.as_deref(), Some("60"));
    }
}
