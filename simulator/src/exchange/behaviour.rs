//! Behaviour: the first matching override, else the person's behaviour, else the dataset match.

use std::time::Duration;

use insilab_core::insi::model::{
    Individu, InsEntry, Request, RequestBody, SearchResult, Tiq, Verification, WireMatricule,
};
use insilab_core::insi::writer::Dialect;
use insilab_core::insi::{Operation, SentTraits, faults};
use insilab_core::rules::{Finding, RuleId};

use super::respond::{base, cached_processed, fault_processed, file_processed};
use super::{Behaviourals, ExchangeContext, Processed, Reply, SOAP_CONTENT_TYPE};
use crate::dataset::{Behaviour, InsNumber, Person, VerificationCase};
use crate::journal::{JournalFinding, Outcome};
use crate::matching::{self, MatchOutcome, TraitsQuery, VerificationOutcome};
use crate::overrides::{OverrideAnswer, RequestFacts};
use bytes::Bytes;

/// The answer to a request that passed dispatch, access and validation.
pub(super) fn answer_request(
    b: &Behaviourals<'_>,
    ctx: &ExchangeContext<'_>,
    request: Request,
    findings: Vec<Finding>,
) -> Processed {
    let body_op = request.operation();
    let tenant = ctx.client.and_then(|c| c.ou.as_deref());
    let query = query_of(&request.body);
    let facts = RequestFacts {
        operation: Some(op_name(body_op)),
        birth_name: query.birth_name.as_deref(),
        prenoms: &query.prenoms,
        tenant,
    };
    let taken = b.overrides.take(&facts);
    let mut out = answer(
        b,
        &request,
        &query,
        body_op,
        taken.as_ref().map(|(_, s)| &s.answer),
    );
    out.findings.splice(0..0, findings);
    if let Some((id, spec)) = taken {
        out.override_id = Some(id);
        out.delay = Duration::from_millis(spec.delay_ms);
    }
    out.message_id = request.headers.message_id;
    out.request_body = Some(request.body);
    out
}

/// The behaviour stage: override answer, else person behaviour, else dataset match.
fn answer(
    b: &Behaviourals<'_>,
    request: &Request,
    query: &TraitsQuery,
    op: Operation,
    forced: Option<&OverrideAnswer>,
) -> Processed {
    let mid = request.headers.message_id.as_deref();
    let normal = || normal_answer(b, request, query, op);
    match forced {
        None | Some(OverrideAnswer::Normal) => normal(),
        Some(OverrideAnswer::Cr { code }) => {
            if code == "02" {
                several(b.dialect, op)
            } else {
                not_found(b.dialect, op)
            }
        }
        Some(OverrideAnswer::AnswerFile { name }) => file_processed(op, name),
        Some(OverrideAnswer::Verification { case }) => match &request.body {
            RequestBody::Verification(v) => {
                let (_, person) = verification_case(b, v, query);
                verification_answer(b, op, v, *case, person)
            }
            _ => normal(),
        },
        Some(OverrideAnswer::Fault { code, variant }) => {
            let f = crate::fault_choice::build(code, *variant, mid)
                .unwrap_or_else(|| faults::insi_102(mid));
            fault_processed(b.dialect, Some(op), None, None, f, vec![])
        }
        Some(OverrideAnswer::HttpStatus { status }) => {
            let mut p = base(
                op,
                Outcome::Http {
                    reason: format!("injected status {status}"),
                },
            );
            p.reply = Reply::Full {
                status: *status,
                content_type: "text/plain; charset=utf-8",
                body: Bytes::from(format!("simulated HTTP status {status}\n")),
            };
            p
        }
        Some(OverrideAnswer::Reset) => {
            let mut p = base(
                op,
                Outcome::Injected {
                    what: "reset".into(),
                },
            );
            p.reply = Reply::Reset;
            p
        }
        Some(OverrideAnswer::Truncated) => {
            let mut p = normal();
            let body = match &p.reply {
                Reply::Full { body, .. } => body.clone(),
                _ => Bytes::new(),
            };
            p.reply = Reply::Truncated { body };
            p.outcome = Outcome::Injected {
                what: "truncated".into(),
            };
            p
        }
        Some(OverrideAnswer::Malformed) => {
            let mut p = normal();
            let mut body = p.reply.sent_body().to_vec();
            body.truncate(body.len() * 2 / 3);
            body.extend_from_slice(b"<<&insilab-malformed");
            p.reply = Reply::Full {
                status: 200,
                content_type: SOAP_CONTENT_TYPE,
                body: body.into(),
            };
            p.outcome = Outcome::Injected {
                what: "malformed".into(),
            };
            p
        }
    }
}

fn normal_answer(
    b: &Behaviourals<'_>,
    request: &Request,
    query: &TraitsQuery,
    op: Operation,
) -> Processed {
    let mid = request.headers.message_id.as_deref();
    match &request.body {
        RequestBody::TraitsSearch(_) => match matching::search(b.dataset, query) {
            MatchOutcome::None => not_found(b.dialect, op),
            MatchOutcome::Several(_) => several(b.dialect, op),
            MatchOutcome::One(p) => person_answer(b, op, p, mid),
        },
        RequestBody::CardSearch(c) => {
            let found: Vec<&Person> = b
                .dataset
                .persons
                .iter()
                .filter(|p| matching::card_matches(p, c))
                .collect();
            match found.as_slice() {
                [] => not_found(b.dialect, op),
                [p] => person_answer(b, op, p, mid),
                _ => several(b.dialect, op),
            }
        }
        RequestBody::Verification(v) => {
            let (case, person) = verification_case(b, v, query);
            // A person whose dataset entry answers a fault answers it to a verification
            // naming their INS too.
            if let Some(p) = person
                && matches!(p.behaviour, Some(Behaviour::Fault(_)))
            {
                return person_answer(b, op, p, mid);
            }
            verification_answer(b, op, v, case, person)
        }
    }
}

/// Which verification case a request is, and the person it names.
fn verification_case<'a>(
    b: &Behaviourals<'a>,
    v: &Verification,
    query: &TraitsQuery,
) -> (VerificationCase, Option<&'a Person>) {
    let id = &v.ins_fourni.id;
    match matching::verify(
        b.dataset,
        id.num_identifiant.trim(),
        id.cle.as_deref(),
        Some(v.ins_fourni.oid.as_str()),
        query,
    ) {
        VerificationOutcome::Confirmed(p) => (VerificationCase::Verified, Some(p)),
        VerificationOutcome::Historised(p) => (VerificationCase::Replaced, Some(p)),
        VerificationOutcome::TraitsMismatch(p) => (VerificationCase::TraitsMismatch, Some(p)),
        VerificationOutcome::NotConfirmed => (VerificationCase::Unknown, None),
    }
}

/// The `INDIVIDU` of a verification that names no person of the dataset (an override forcing
/// `verified`): the INS and the traits as sent.
fn individu_as_sent(v: &Verification, dialect: Dialect) -> Individu {
    let t = &v.traits;
    let mut individu = Individu {
        ins_actif: v.ins_fourni.clone(),
        ins_histo: Vec::new(),
        tiq: Tiq {
            nom_naissance: t.nom_naissance.clone(),
            prenom: t.prenom.clone(),
            liste_prenom: t.liste_prenom.clone().or_else(|| t.prenom.clone()),
            sexe: t.sexe.clone(),
            date_naissance: t.date_naissance.clone(),
            lieu_naissance: t.lieu_naissance.clone(),
        },
    };
    crate::dialect::shape(&mut individu, dialect);
    individu
}

/// The answer of a verification `case` by the dataset's templates (reconstructed contract):
/// the default templates share the cached `00`/`01` answers, others are written here.
fn verification_answer(
    b: &Behaviourals<'_>,
    op: Operation,
    v: &Verification,
    case: VerificationCase,
    person: Option<&Person>,
) -> Processed {
    let template = b.dataset.verification.template(case);
    let default = crate::dataset::VerificationAnswers::default();
    let mut out = match (case, person) {
        (VerificationCase::Verified, Some(p)) if template == default.template(case) => {
            found(b.dialect, op, p)
        }
        (_, _) if template == default.template(case) && !template.individu => {
            not_found(b.dialect, op)
        }
        _ => {
            let individu = template.individu.then(|| match person {
                Some(p) => individu(p, b.dialect),
                None => individu_as_sent(v, b.dialect),
            });
            let result = SearchResult {
                code_cr: template.code.clone(),
                libelle_cr: template.label.clone(),
                individu,
            };
            let body = Bytes::from(insilab_core::insi::writer::write_result(&result, b.dialect));
            cached_processed(op, &template.code, body)
        }
    };
    out.person = person.map(|p| p.id.clone());
    let id = &v.ins_fourni.id;
    let finding = match (case, person) {
        (VerificationCase::Replaced, Some(p))
            if p.history
                .iter()
                .any(|h| h.matricule == id.num_identifiant.trim()) =>
        {
            Some((
                RuleId::Ver004,
                format!(
                    "INS historised: `{}` is a former INS of `{}`",
                    id.num_identifiant, p.id
                ),
            ))
        }
        _ => None,
    };
    if let Some((rule, message)) = finding {
        out.findings.push(JournalFinding::new(
            rule,
            Some("VERIFINS/IndividuVerifie/INSFourni".into()),
            message,
        ));
    }
    out
}

fn person_answer(b: &Behaviourals<'_>, op: Operation, p: &Person, mid: Option<&str>) -> Processed {
    let mut out = match &p.behaviour {
        Some(Behaviour::Fault(choice)) => {
            let f = crate::fault_choice::build(choice.code(), choice.variant(), mid)
                .unwrap_or_else(|| faults::insi_102(mid));
            fault_processed(b.dialect, Some(op), None, None, f, vec![])
        }
        Some(Behaviour::AnswerFile(name)) => file_processed(op, name),
        None => found(b.dialect, op, p),
    };
    out.person = Some(p.id.clone());
    out
}

/// The `00` answer with `p`, written once per dialect and shared.
fn found(dialect: Dialect, op: Operation, p: &Person) -> Processed {
    let body = p
        .answers
        .get(dialect, || SearchResult::found(individu(p, dialect)));
    cached_processed(op, insilab_core::insi::names::CR_OK.0, body)
}

/// The `01` answer, written once per dialect and shared.
fn not_found(dialect: Dialect, op: Operation) -> Processed {
    let body = crate::answer_cache::not_found(dialect);
    cached_processed(op, insilab_core::insi::names::CR_NOT_FOUND.0, body)
}

/// The `02` answer, written once per dialect and shared.
fn several(dialect: Dialect, op: Operation) -> Processed {
    let body = crate::answer_cache::several(dialect);
    cached_processed(op, insilab_core::insi::names::CR_SEVERAL.0, body)
}

/// Builds the `INDIVIDU` of a person.
pub fn individu(p: &Person, dialect: Dialect) -> Individu {
    let entry = |i: &InsNumber| InsEntry {
        id: WireMatricule {
            num_identifiant: i.matricule.clone(),
            cle: Some(i.effective_key()),
            type_matricule: i.type_matricule.clone(),
        },
        oid: i.oid.clone(),
        date_deb: i.start.clone(),
        date_fin: i.end.clone(),
    };
    let with_prenom = p.tiq.prenom || dialect == Dialect::Y2022;
    let mut individu = Individu {
        ins_actif: p.ins.as_ref().map(entry).unwrap_or_default(),
        ins_histo: p.history.iter().map(entry).collect(),
        tiq: Tiq {
            nom_naissance: Some(p.birth_name.clone()),
            prenom: if with_prenom {
                p.first_names.first().cloned()
            } else {
                None
            },
            liste_prenom: Some(p.first_names.join(" ")),
            sexe: Some(p.sex.clone()),
            date_naissance: Some(p.birth_date.clone()),
            lieu_naissance: p.birthplace.clone(),
        },
    };
    crate::dialect::shape(&mut individu, dialect);
    individu
}

/// The matching query: the core projection of the traits sent; a verification matches on its
/// first first-name element (`Prenom`, else `ListePrenom`), a blank birthplace counts as none.
fn query_of(body: &RequestBody) -> TraitsQuery {
    let sent = SentTraits::of_body(body);
    let prenoms = match body {
        RequestBody::Verification(_) => sent.first_names.into_iter().take(1).collect(),
        _ => sent.first_names,
    };
    TraitsQuery {
        birth_name: sent.birth_name,
        prenoms,
        sex: sent.sex,
        birth_date: sent.birth_date,
        birthplace: sent.birthplace.filter(|s| !s.trim().is_empty()),
    }
}

/// The operation's name in the journal, metrics and overrides.
pub fn op_name(op: Operation) -> &'static str {
    match op {
        Operation::TraitsSearch => "traits_search",
        Operation::CardSearch => "card_search",
        Operation::Verification => "verification",
    }
}
