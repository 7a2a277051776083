//! The request every simulator bench sends: the `ADRUN ZOE` traits search with full headers
//! (one person of the default dataset answers it, `CodeCR 00`), as `insilab_core`'s writer
//! writes it (about 1.5 KB).

use bytes::Bytes;
use insilab_core::insi::model::{
    ContexteBam, ContexteLps, Couverture, Headers, Request, RequestBody, TraitsSearch,
};
use insilab_core::insi::{Operation, writer};

/// The traits search, serialised.
pub fn search_body() -> Bytes {
    let req = Request {
        headers: Headers {
            action: Some(Operation::TraitsSearch.action().into()),
            message_id: Some("uuid:4b0f4d7e-1c1e-4a4f-9d3c-000000000001".into()),
            bam: Some(ContexteBam {
                version: Some("01_02".into()),
                nature: Some("CTXBAM".into()),
                id: Some("9c1f7a34-0000-4000-8000-000000000001".into()),
                temps: Some("2026-11-27T10:00:00.000Z".into()),
                couverture: Some(Couverture::default()),
                ..Default::default()
            }),
            lps: Some(ContexteLps {
                version: Some("01_00".into()),
                nature: Some("CTXLPS".into()),
                id: Some("9c1f7a34-0000-4000-8000-000000000002".into()),
                temps: Some("2026-11-27T10:00:00.000Z".into()),
                idam: Some("PDP17NF21DD0".into()),
                idam_r: Some("4".into()),
                lps_version: Some("1.0".into()),
                instance: Some("9c1f7a34-0000-4000-8000-000000000003".into()),
                nom: Some("urn:lps:loadgen:1.0".into()),
                ..Default::default()
            }),
            security: None,
        },
        body: RequestBody::TraitsSearch(TraitsSearch {
            nom_naissance: Some("ADRUN".into()),
            prenoms: vec!["ZOE".into()],
            sexe: Some("F".into()),
            date_naissance: Some("1975-12-31".into()),
            lieu_naissance: None,
        }),
        body_id: None,
    };
    Bytes::from(writer::write_request(&req))
}
