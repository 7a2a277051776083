//! Arbitrary journal entries, for the property tests of the ring and of the JSONL line.

use insilab_core::insi::model::{
    CardSearch, InsEntry, RequestBody, TraitsSearch, Verification, VerifiedTraits, WireMatricule,
};
use insilab_core::rules::Finding;
use proptest::prelude::*;

use super::{ClientCertificate, JournalEntry, Outcome, RawBody};
use crate::card::CardHolder;

pub(crate) fn text() -> BoxedStrategy<String> {
    prop_oneof![
        Just(String::new()),
        "[a-zé]{1,8}",
        "[A-Z0-9 ]{20,80}",
        // What JSON escapes, and what it does not (DEL, non-ASCII).
        "[\\x00-\\x1f\"\\\\a\\x7fé€]{1,10}",
    ]
    .boxed()
}

pub(crate) fn opt_text() -> BoxedStrategy<Option<String>> {
    proptest::option::of(text()).boxed()
}

pub(crate) fn matricule() -> BoxedStrategy<WireMatricule> {
    (text(), opt_text(), opt_text())
        .prop_map(|(num_identifiant, cle, type_matricule)| WireMatricule {
            num_identifiant,
            cle,
            type_matricule,
        })
        .boxed()
}

pub(crate) fn request_body() -> BoxedStrategy<RequestBody> {
    let traits = (
        opt_text(),
        proptest::collection::vec(text(), 0..4),
        opt_text(),
        opt_text(),
        opt_text(),
    )
        .prop_map(
            |(nom_naissance, prenoms, sexe, date_naissance, lieu_naissance)| {
                RequestBody::TraitsSearch(TraitsSearch {
                    nom_naissance,
                    prenoms,
                    sexe,
                    date_naissance,
                    lieu_naissance,
                })
            },
        );
    let card = (
        proptest::option::of(matricule()),
        proptest::option::of(matricule()),
        opt_text(),
        opt_text(),
        opt_text(),
    )
        .prop_map(|(mi, mo, nom, date, rang)| {
            RequestBody::CardSearch(CardSearch {
                matricule_individu: mi,
                matricule_od: mo,
                nom_naissance: nom,
                date_naissance: date,
                rang_naissance: rang,
            })
        });
    let verification = (
        matricule(),
        text(),
        opt_text(),
        opt_text(),
        opt_text(),
        opt_text(),
    )
        .prop_map(|(id, oid, deb, nom, prenom, sexe)| {
            RequestBody::Verification(Verification {
                ins_fourni: InsEntry {
                    id,
                    oid,
                    date_deb: deb.clone(),
                    date_fin: None,
                },
                traits: VerifiedTraits {
                    nom_naissance: nom,
                    prenom: prenom.clone(),
                    liste_prenom: prenom,
                    sexe,
                    date_naissance: deb,
                    lieu_naissance: None,
                },
            })
        });
    prop_oneof![traits, card, verification].boxed()
}

pub(crate) fn outcome() -> BoxedStrategy<Outcome> {
    (0..9u8, text())
        .prop_map(|(kind, s)| match kind {
            0 => Outcome::Cr { code: s },
            1 => Outcome::Fault { code: s },
            2 => Outcome::AnswerFile { name: s },
            3 => Outcome::Http { reason: s },
            4 => Outcome::Injected { what: s },
            5 => Outcome::TlsFailure { error: s },
            6 => Outcome::Ack { code: s },
            7 => Outcome::Checked { verdict: s },
            _ => Outcome::ChannelError { error: s },
        })
        .boxed()
}

pub(crate) fn finding() -> BoxedStrategy<Finding> {
    let ids = insilab_core::rules::RuleId::ALL;
    (0..ids.len(), text(), opt_text())
        .prop_map(move |(i, message, path)| {
            let mut f = Finding::new(ids[i], path, message);
            // The severity is the catalogue's; vary it to check that it is copied.
            if i % 2 == 0 {
                f.severity = insilab_core::rules::Severity::Advice;
            }
            f
        })
        .boxed()
}

pub(crate) fn body() -> BoxedStrategy<RawBody> {
    prop_oneof![
        Just(RawBody::new()),
        "<[a-z]{0,40}/>".prop_map(RawBody::from),
        "[ -~]{100,600}".prop_map(RawBody::from),
        "[ -~\\x00-\\x1fé]{0,200}".prop_map(RawBody::from),
    ]
    .boxed()
}

pub(crate) fn certificate() -> BoxedStrategy<ClientCertificate> {
    (text(), text(), text(), opt_text(), opt_text())
        .prop_map(|(subject, issuer, serial, cn, ou)| ClientCertificate {
            subject,
            issuer,
            serial,
            cn,
            ou,
        })
        .boxed()
}

pub(crate) fn card() -> BoxedStrategy<CardHolder> {
    (
        opt_text(),
        opt_text(),
        opt_text(),
        opt_text(),
        any::<bool>(),
    )
        .prop_map(
            |(professional_id, certificate_subject, certificate_issuer, certificate_serial, r)| {
                CardHolder {
                    professional_id,
                    certificate_subject,
                    certificate_issuer,
                    certificate_serial,
                    refused_by: r.then_some(insilab_core::rules::RuleId::ALL[0]),
                }
            },
        )
        .boxed()
}

prop_compose! {
    pub(crate) fn entry()(
        seq in any::<u64>(),
        (time, tenant, listener) in (text(), opt_text(), text()),
        client_certificate in proptest::option::of(certificate()),
        card in proptest::option::of(card()),
        (tls_version, http_request, operation, message_id, content_type)
            in (opt_text(), text(), opt_text(), opt_text(), opt_text()),
        request_body in proptest::option::of(request_body()),
        outcome in outcome(),
        (person, override_id, http_status, duration_us)
            in (opt_text(), proptest::option::of(any::<u64>()), any::<u16>(), any::<u64>()),
        findings in proptest::collection::vec(finding(), 0..4),
        (raw_request, raw_response) in (body(), body()),
    ) -> JournalEntry {
        JournalEntry {
            seq, time, tenant, listener, client_certificate, card, tls_version,
            http_request, operation, message_id, content_type, request_body, outcome,
            person, override_id, http_status, duration_us, findings, raw_request,
            raw_response,
        }
    }
}
