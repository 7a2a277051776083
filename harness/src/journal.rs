//! Turns simulator journal entries into [`Exchange`]s: parses the raw request and response
//! with `core::insi` so the checks see headers, traits and answers whatever the simulator
//! recorded.

use insilab_core::insi::{Limits, Response, parse_request, parse_response};
use insilab_simulator::JournalEntry;
use insilab_simulator::journal::Outcome;

use crate::exchange::{AnswerFacts, Exchange, FindingFact, HeaderFacts, SentTraits};
use crate::outcome::{StoredIns, StoredTraits};

/// Builds the judged view of one journal entry.
pub fn exchange_from_entry(entry: &JournalEntry) -> Exchange {
    let limits = Limits::default();
    let request = parse_request(entry.raw_request.as_bytes(), &limits).ok();
    let mut headers = HeaderFacts {
        content_type: entry.content_type.clone(),
        message_id: entry.message_id.clone(),
        ..HeaderFacts::default()
    };
    let mut sent = SentTraits::default();
    let mut operation = entry
        .operation
        .clone()
        .unwrap_or_else(|| "unknown".to_owned());
    if let Some(req) = &request {
        operation = req.operation().to_string();
        headers.action = req.headers.action.clone();
        headers.message_id = req.headers.message_id.clone();
        headers.bam_version = req.headers.bam.as_ref().and_then(|b| b.version.clone());
        headers.lps_version = req.headers.lps.as_ref().and_then(|l| l.version.clone());
        headers.idam = req.headers.lps.as_ref().and_then(|l| l.idam.clone());
        sent = req.sent_traits();
    }
    let findings = entry
        .findings
        .iter()
        .map(|f| FindingFact {
            rule_id: f.rule_id.to_string(),
            severity: f.severity,
            message: f.message.clone(),
        })
        .collect();
    let cert = entry.client_certificate.as_ref();
    let answer = answer_facts(entry);
    Exchange {
        operation,
        tenant: entry.tenant.clone(),
        cert_cn: cert.and_then(|c| c.cn.clone()),
        cert_ou: cert.and_then(|c| c.ou.clone()),
        tls_version: entry.tls_version.clone(),
        headers,
        sent,
        findings,
        answer,
        request_xml: entry.raw_request.to_string(),
        response_xml: (!entry.raw_response.is_empty()).then(|| entry.raw_response.to_string()),
    }
}

fn answer_facts(entry: &JournalEntry) -> AnswerFacts {
    let mut facts = AnswerFacts {
        http_status: Some(entry.http_status),
        ..AnswerFacts::default()
    };
    if let Outcome::Injected { what } = &entry.outcome {
        facts.damaged = Some(what.clone());
        return facts;
    }
    if let Outcome::Http { reason } = &entry.outcome {
        facts.damaged = Some(format!("HTTP {} ({reason})", entry.http_status));
        return facts;
    }
    match parse_response(entry.raw_response.as_bytes(), &Limits::default()) {
        Ok(Response::Result(result)) => {
            facts.cr = Some(result.code_cr.clone());
            if let Some(ind) = result.individu {
                let ins = |e: &insilab_core::insi::InsEntry| StoredIns {
                    matricule: e.id.num_identifiant.clone(),
                    key: e.id.cle.clone().unwrap_or_default(),
                    oid: e.oid.clone(),
                    date_deb: e.date_deb.clone(),
                    date_fin: e.date_fin.clone(),
                };
                facts.active = Some(ins(&ind.ins_actif));
                facts.history = ind.ins_histo.iter().map(ins).collect();
                let t = &ind.tiq;
                facts.traits = Some(StoredTraits {
                    birth_name: t.nom_naissance.clone().unwrap_or_default(),
                    first_name: t.prenom.clone(),
                    first_names_list: t.liste_prenom.clone().unwrap_or_default(),
                    sex: t.sexe.clone().unwrap_or_default(),
                    birth_date: t.date_naissance.clone().unwrap_or_default(),
                    birthplace: t.lieu_naissance.clone(),
                });
            }
        }
        Ok(Response::Fault(fault)) => facts.fault = Some(fault.erreur.code),
        Err(_) => {
            facts.damaged = Some(match &entry.outcome {
                Outcome::TlsFailure { error } => format!("TLS failure: {error}"),
                other => format!("unreadable answer ({})", other.label()),
            });
        }
    }
    facts
}
