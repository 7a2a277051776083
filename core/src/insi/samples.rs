//! Ready-made messages built from the public CNDA test data (cnda-test-data.md), for tests,
//! benches, examples and documentation across the workspace. Values are wire strings, exactly
//! as the qualification platform or the CNDA files carry them.

use super::model::{
    ContexteBam, ContexteLps, Couverture, Headers, Individu, InsEntry, Request, RequestBody,
    SearchResult, Tiq, TraitsSearch, WireMatricule,
};
use super::names::{self, Operation};

/// OIDs of the NIR and NIA authorities (defined once, in `ins::oid`).
pub use crate::ins::{OID_NIA, OID_NIR};

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

/// Complete headers of a traits search in mutual-TLS mode (IDAM `PDP17NF21DD0`).
pub fn headers(op: Operation) -> Headers {
    Headers {
        action: s(op.action()),
        message_id: s("uuid:2d0f3a5e-7c1b-4c55-9a2e-3f1c0b8d6e41"),
        bam: Some(ContexteBam {
            version: s(names::CTXBAM_VERSION),
            nature: s(names::CTXBAM_NATURE),
            id: s("8f7c2b1e-0d3a-4e5f-9b6c-1a2d3e4f5a6b"),
            temps: s("2026-11-27T10:15:30.123Z"),
            emetteur: s("10B0152872"),
            date_ref: None,
            couverture: Some(Couverture::default()),
        }),
        lps: Some(ContexteLps {
            version: s(names::CTXLPS_VERSION),
            nature: s(names::CTXLPS_NATURE),
            id: s("5b9e8d7c-6a5f-4e3d-2c1b-0a9f8e7d6c5b"),
            temps: s("2026-11-27T10:15:30.123Z"),
            emetteur: s("10B0152872"),
            idam: s("PDP17NF21DD0"),
            idam_r: s(names::IDAM_R),
            lps_version: s("1.0.0"),
            instance: s("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"),
            nom: s("urn:lps:insilab-demo:1.0.0"),
        }),
        security: None,
    }
}

/// CNDA 2.03 cas 1 as a traits search: `D'ARTAGNAN DE L'HERAULT` / `PIERRE-ALAIN` / M /
/// 2001-06-17 / 63220.
pub fn traits_search_request() -> Request {
    Request {
        headers: headers(Operation::TraitsSearch),
        body: RequestBody::TraitsSearch(TraitsSearch {
            nom_naissance: s("D'ARTAGNAN DE L'HERAULT"),
            prenoms: vec!["PIERRE-ALAIN".to_owned()],
            sexe: s("M"),
            date_naissance: s("2001-06-17"),
            lieu_naissance: s("63220"),
        }),
        body_id: None,
    }
}

fn entry(num: &str, cle: &str, oid: &str) -> InsEntry {
    InsEntry {
        id: WireMatricule {
            num_identifiant: num.to_owned(),
            cle: s(cle),
            type_matricule: None,
        },
        oid: oid.to_owned(),
        date_deb: None,
        date_fin: None,
    }
}

/// The `00` answer of CNDA 2.04 cas 2: ECETINSI with two `INSHISTO` (the first with the odd
/// dates 2019-03-01 → 2019-02-28), `TIQ/Prenom` present, no `TypeMatricule`.
pub fn found_two_histories() -> SearchResult {
    let mut first = entry("2090763220834", "39", OID_NIR);
    first.date_deb = s("2019-03-01");
    first.date_fin = s("2019-02-28");
    SearchResult::found(Individu {
        ins_actif: entry("1090763220834", "89", OID_NIR),
        ins_histo: vec![first, entry("2090663220123", "55", OID_NIR)],
        tiq: Tiq {
            nom_naissance: s("ECETINSI"),
            prenom: s("PIERRE-ALAIN"),
            liste_prenom: s("PIERRE-ALAIN MURIEL FLORIANT"),
            sexe: s("M"),
            date_naissance: s("2009-07-14"),
            lieu_naissance: s("63220"),
        },
    })
}

/// The `00` answer of CNDA 2.05: PROVISOIRE with a NIA (`.9`) and `TypeMatricule`.
pub fn found_nia() -> SearchResult {
    let mut actif = entry("1090763220888", "35", OID_NIA);
    actif.id.type_matricule = s("NIA");
    SearchResult::found(Individu {
        ins_actif: actif,
        ins_histo: Vec::new(),
        tiq: Tiq {
            nom_naissance: s("PROVISOIRE"),
            prenom: s("MATRICULE"),
            liste_prenom: s("MATRICULE"),
            sexe: s("M"),
            date_naissance: s("2009-07-01"),
            lieu_naissance: s("63220"),
        },
    })
}
