//! One SOAP exchange, from request bytes to response bytes, without sockets.
//!
//! One job: envelope parsing and dispatch by `wsa:Action` (checked against the body element),
//! the checks (`core::rules` findings, certificate CN, IDAM registry, traits), then the
//! behaviour (overrides first, then the person's behaviour, then the dataset match) and the
//! writer in the chosen dialect. Every fault echoes the request's MessageID.

use std::time::Duration;

use bytes::Bytes;
use insilab_core::ins::BirthDate;
use insilab_core::ins::lexical::{self, NameKind};
use insilab_core::insi::model::{
    CardSearch, Fault, Individu, InsEntry, Request, RequestBody, SearchResult, Tiq, TraitsSearch,
    Verification, WireMatricule,
};
use insilab_core::insi::writer::{self, Dialect};
use insilab_core::insi::{Operation, faults, reader};

use crate::config::ACCEPTED_CLIENT_CNS;
use crate::dataset::{Behaviour, Dataset, InsNumber, Person};
use crate::journal::{ClientCertificate, JournalFinding, Outcome};
use crate::matching::{self, MatchOutcome, TraitsQuery, VerificationOutcome};
use crate::overrides::{OverrideAnswer, Overrides, RequestFacts};

/// Content type of SOAP 1.2 answers.
pub const SOAP_CONTENT_TYPE: &str = "application/soap+xml; charset=utf-8";

/// Which listener a request arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// Mutual TLS (organisation certificate).
    Mtls,
    /// Card mode (no client certificate; not enabled in this version).
    Card,
}

impl Listener {
    /// `mtls` or `card`.
    pub fn name(self) -> &'static str {
        match self {
            Listener::Mtls => "mtls",
            Listener::Card => "card",
        }
    }
}

/// What the simulator must do on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A complete HTTP answer.
    Full {
        /// HTTP status.
        status: u16,
        /// `Content-Type`.
        content_type: &'static str,
        /// Body.
        body: Bytes,
    },
    /// Close the connection without answering.
    Reset,
    /// Announce `body` (its full length) but send only its first half, then close.
    Truncated {
        /// The complete body whose first half is sent.
        body: Bytes,
    },
}

impl Reply {
    /// The body bytes that reach the client.
    pub fn sent_body(&self) -> &[u8] {
        match self {
            Reply::Full { body, .. } => body,
            Reply::Reset => &[],
            Reply::Truncated { body } => &body[..body.len() / 2],
        }
    }

    /// The HTTP status (0 when no status is sent).
    pub fn status(&self) -> u16 {
        match self {
            Reply::Full { status, .. } => *status,
            Reply::Reset => 0,
            Reply::Truncated { .. } => 200,
        }
    }
}

/// Facts about the request besides its body.
#[derive(Debug, Clone)]
pub struct ExchangeContext<'a> {
    /// Listener.
    pub listener: Listener,
    /// Verified client certificate (mutual TLS only).
    pub client: Option<&'a ClientCertificate>,
    /// Request `Content-Type`.
    pub content_type: Option<&'a str>,
}

/// The shared state an exchange reads.
#[derive(Debug)]
pub struct Behaviourals<'a> {
    /// Persons.
    pub dataset: &'a Dataset,
    /// Dialect of generated answers.
    pub dialect: Dialect,
    /// Accepted IDAM.
    pub idam_registry: &'a std::collections::HashSet<String>,
    /// Overrides.
    pub overrides: &'a Overrides,
    /// Reader limits.
    pub reader_limits: &'a reader::Limits,
}

/// The result of processing one exchange.
#[derive(Debug, Clone)]
pub struct Processed {
    /// What to send.
    pub reply: Reply,
    /// Wait this long first.
    pub delay: Duration,
    /// Operation, when recognised.
    pub operation: Option<Operation>,
    /// `wsa:MessageID`.
    pub message_id: Option<String>,
    /// Parsed body.
    pub request_body: Option<insilab_core::insi::model::RequestBody>,
    /// Outcome.
    pub outcome: Outcome,
    /// Answering person.
    pub person: Option<String>,
    /// Override used.
    pub override_id: Option<u64>,
    /// Findings.
    pub findings: Vec<JournalFinding>,
}

/// Text of the card-mode fault.
pub const CARD_MODE_DISABLED: &str = "card mode is not enabled in this version";

/// Processes one SOAP request body.
pub fn process(b: &Behaviourals<'_>, ctx: &ExchangeContext<'_>, body: &[u8]) -> Processed {
    let request = match reader::parse_request(body, b.reader_limits) {
        Ok(r) => r,
        Err(e) => {
            let message_id = sniff_message_id(body);
            let fault = faults::invalid_request(
                message_id.as_deref(),
                &format!("the request is not a valid INSi SOAP 1.2 envelope: {e}"),
            );
            return fault_processed(b.dialect, None, message_id, None, fault, vec![]);
        }
    };
    let message_id = request.headers.message_id.clone();
    let mid = message_id.as_deref();
    let body_op = request.operation();
    let findings = run_rules(&request, ctx);
    let fault = |f: Fault, findings: Vec<JournalFinding>| {
        fault_processed(
            b.dialect,
            Some(body_op),
            message_id.clone(),
            Some(request.body.clone()),
            f,
            findings,
        )
    };

    if ctx.listener == Listener::Card {
        return fault(faults::invalid_request(mid, CARD_MODE_DISABLED), findings);
    }
    // Dispatch: wsa:Action is mandatory and must name the body's operation.
    match request.headers.action.as_deref().map(str::trim) {
        None | Some("") => {
            return fault(
                faults::invalid_request(mid, "the wsa:Action header is missing"),
                findings,
            );
        }
        Some(action) => match Operation::from_action(action) {
            Some(op) if op == body_op => {}
            _ => {
                let detail = format!(
                    "wsa:Action `{action}` does not match the body element `{}`",
                    body_op.body_element()
                );
                return fault(faults::invalid_request(mid, &detail), findings);
            }
        },
    }
    if mid.is_none_or(|m| m.trim().is_empty()) {
        return fault(
            faults::invalid_request(None, "the wsa:MessageID header is missing"),
            findings,
        );
    }
    // Access checks, in the order the real service is believed to apply them.
    let cn = ctx.client.and_then(|c| c.cn.as_deref());
    if !cn.is_some_and(|cn| ACCEPTED_CLIENT_CNS.contains(&cn)) {
        return fault(faults::desir_560(mid), findings);
    }
    let idam = request.headers.lps.as_ref().and_then(|l| l.idam.as_deref());
    if !idam.is_some_and(|i| b.idam_registry.contains(i.trim())) {
        return fault(faults::desir_550(mid), findings);
    }
    if request.headers.bam.is_none() || request.headers.lps.is_none() {
        let which = if request.headers.bam.is_none() {
            "ContexteBAM"
        } else {
            "ContexteLPS"
        };
        return fault(
            faults::invalid_request(mid, &format!("the {which} header is missing")),
            findings,
        );
    }
    if let Err(f) = check_body(&request.body, mid) {
        return fault(*f, findings);
    }

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
    out.message_id = message_id;
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
            let r = if code == "02" {
                SearchResult::several()
            } else {
                SearchResult::not_found()
            };
            result_processed(b.dialect, op, r, None)
        }
        Some(OverrideAnswer::AnswerFile { name }) => file_processed(op, name),
        Some(OverrideAnswer::Fault { code }) => {
            let f = faults::by_code(code, mid).unwrap_or_else(|| faults::insi_102(mid));
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
            MatchOutcome::None => result_processed(b.dialect, op, SearchResult::not_found(), None),
            MatchOutcome::Several(_) => {
                result_processed(b.dialect, op, SearchResult::several(), None)
            }
            MatchOutcome::One(p) => person_answer(b, op, p, mid),
        },
        RequestBody::CardSearch(c) => {
            let found: Vec<&Person> = b
                .dataset
                .persons
                .iter()
                .filter(|p| card_matches(p, c))
                .collect();
            match found.as_slice() {
                [] => result_processed(b.dialect, op, SearchResult::not_found(), None),
                [p] => person_answer(b, op, p, mid),
                _ => result_processed(b.dialect, op, SearchResult::several(), None),
            }
        }
        RequestBody::Verification(v) => {
            let id = &v.ins_fourni.id;
            match matching::verify(
                b.dataset,
                id.num_identifiant.trim(),
                id.cle.as_deref(),
                query,
            ) {
                VerificationOutcome::Confirmed(p) => {
                    let mut out = result_processed(
                        b.dialect,
                        op,
                        SearchResult::found(individu(p, b.dialect)),
                        Some(p),
                    );
                    out.person = Some(p.id.clone());
                    out
                }
                VerificationOutcome::Historised(p) => {
                    let mut out = result_processed(b.dialect, op, SearchResult::not_found(), None);
                    out.person = Some(p.id.clone());
                    out.findings.push(JournalFinding {
                        rule_id: "SIM-VERIF-001".into(),
                        severity: "warning".into(),
                        message: format!(
                            "INS historised: `{}` is a former INS of `{}`",
                            id.num_identifiant, p.id
                        ),
                        path: Some("VERIFINS/IndividuVerifie/INSFourni".into()),
                    });
                    out
                }
                VerificationOutcome::NotConfirmed => {
                    result_processed(b.dialect, op, SearchResult::not_found(), None)
                }
            }
        }
    }
}

fn person_answer(b: &Behaviourals<'_>, op: Operation, p: &Person, mid: Option<&str>) -> Processed {
    let mut out = match &p.behaviour {
        Some(Behaviour::Fault(code)) => {
            let f = faults::by_code(code, mid).unwrap_or_else(|| faults::insi_102(mid));
            fault_processed(b.dialect, Some(op), None, None, f, vec![])
        }
        Some(Behaviour::AnswerFile(name)) => file_processed(op, name),
        None => result_processed(
            b.dialect,
            op,
            SearchResult::found(individu(p, b.dialect)),
            Some(p),
        ),
    };
    out.person = Some(p.id.clone());
    out
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
    Individu {
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
    }
}

fn card_matches(p: &Person, c: &CardSearch) -> bool {
    let Some(ins) = &p.ins else { return false };
    let mat_ok = c
        .matricule_individu
        .as_ref()
        .is_none_or(|m| m.num_identifiant.trim() == ins.matricule);
    let name_ok = c
        .nom_naissance
        .as_ref()
        .is_none_or(|n| matching::same_words(n, &p.birth_name));
    let date_ok = c
        .date_naissance
        .as_ref()
        .is_none_or(|d| d.trim() == p.birth_date);
    let something = c.matricule_individu.is_some() || c.nom_naissance.is_some();
    something && mat_ok && name_ok && date_ok
}

fn query_of(body: &RequestBody) -> TraitsQuery {
    match body {
        RequestBody::TraitsSearch(t) => TraitsQuery {
            birth_name: t.nom_naissance.clone(),
            prenoms: t.prenoms.clone(),
            sex: t.sexe.clone(),
            birth_date: t.date_naissance.clone(),
            birthplace: t.lieu_naissance.clone().filter(|s| !s.trim().is_empty()),
        },
        RequestBody::Verification(Verification { traits, .. }) => TraitsQuery {
            birth_name: traits.nom_naissance.clone(),
            prenoms: traits
                .prenom
                .clone()
                .or_else(|| traits.liste_prenom.clone())
                .into_iter()
                .collect(),
            sex: traits.sexe.clone(),
            birth_date: traits.date_naissance.clone(),
            birthplace: traits
                .lieu_naissance
                .clone()
                .filter(|s| !s.trim().is_empty()),
        },
        RequestBody::CardSearch(c) => TraitsQuery {
            birth_name: c.nom_naissance.clone(),
            birth_date: c.date_naissance.clone(),
            ..TraitsQuery::default()
        },
    }
}

/// Checks the traits of the body; the Sender fault to answer when they are invalid.
fn check_body(body: &RequestBody, mid: Option<&str>) -> Result<(), Box<Fault>> {
    let (name, prenoms, sex, date, place) = match body {
        RequestBody::TraitsSearch(TraitsSearch {
            nom_naissance,
            prenoms,
            sexe,
            date_naissance,
            lieu_naissance,
        }) => (
            nom_naissance,
            prenoms.clone(),
            sexe,
            date_naissance,
            lieu_naissance,
        ),
        RequestBody::Verification(v) => (
            &v.traits.nom_naissance,
            v.traits
                .prenom
                .iter()
                .chain(&v.traits.liste_prenom)
                .cloned()
                .collect(),
            &v.traits.sexe,
            &v.traits.date_naissance,
            &v.traits.lieu_naissance,
        ),
        RequestBody::CardSearch(_) => return Ok(()),
    };
    let invalid = |detail: String| Err(Box::new(faults::invalid_request(mid, &detail)));
    let Some(name) = name.as_deref().filter(|n| !n.trim().is_empty()) else {
        return Err(Box::new(faults::insi_19_missing_birth_name(mid)));
    };
    if let Some(v) = lexical::validate(name, NameKind::BirthName).first() {
        return invalid(format!("NomNaissance `{name}`: {}", v.message));
    }
    if prenoms.iter().all(|p| p.trim().is_empty()) {
        return invalid("Prenom is mandatory".into());
    }
    for p in &prenoms {
        if let Some(v) = lexical::validate(p, NameKind::FirstName).first() {
            return invalid(format!("Prenom `{p}`: {}", v.message));
        }
    }
    match sex.as_deref() {
        Some("M" | "F") => {}
        Some(s) => return invalid(format!("Sexe `{s}` is neither M nor F")),
        None => return invalid("Sexe is mandatory".into()),
    }
    match date.as_deref() {
        Some(d) if BirthDate::parse(d).is_ok() => {}
        Some(d) => return invalid(format!("DateNaissance `{d}` is not a YYYY-MM-DD date")),
        None => return invalid("DateNaissance is mandatory".into()),
    }
    if let Some(p) = place.as_deref().filter(|p| !p.is_empty())
        && !(p.len() == 5 && p.bytes().all(|c| c.is_ascii_alphanumeric()))
    {
        return invalid(format!("LieuNaissance `{p}` is not a 5-character COG code"));
    }
    Ok(())
}

fn run_rules(request: &Request, ctx: &ExchangeContext<'_>) -> Vec<JournalFinding> {
    let check = insilab_core::rules::CheckContext {
        content_type: ctx.content_type,
        http_action: None,
    };
    insilab_core::rules::check_request(request, &check)
        .into_iter()
        .map(|f| JournalFinding {
            rule_id: f.rule_id.to_owned(),
            severity: f.severity.as_str().to_owned(),
            message: f.message,
            path: f.path,
        })
        .collect()
}

/// The `action` parameter of a SOAP 1.2 content type.
pub fn action_param(content_type: &str) -> Option<String> {
    content_type.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("action")).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The operation's name in the journal, metrics and overrides.
pub fn op_name(op: Operation) -> &'static str {
    match op {
        Operation::TraitsSearch => "traits_search",
        Operation::CardSearch => "card_search",
        Operation::Verification => "verification",
    }
}

fn base(op: Operation, outcome: Outcome) -> Processed {
    Processed {
        reply: Reply::Reset,
        delay: Duration::ZERO,
        operation: Some(op),
        message_id: None,
        request_body: None,
        outcome,
        person: None,
        override_id: None,
        findings: vec![],
    }
}

fn result_processed(
    dialect: Dialect,
    op: Operation,
    r: SearchResult,
    _p: Option<&Person>,
) -> Processed {
    let mut p = base(
        op,
        Outcome::Cr {
            code: r.code_cr.clone(),
        },
    );
    p.reply = Reply::Full {
        status: 200,
        content_type: SOAP_CONTENT_TYPE,
        body: Bytes::from(writer::write_result(&r, dialect)),
    };
    p
}

fn file_processed(op: Operation, name: &str) -> Processed {
    let mut p = base(
        op,
        Outcome::AnswerFile {
            name: name.to_owned(),
        },
    );
    match crate::answers::answer_file(name) {
        Some(f) => {
            p.reply = Reply::Full {
                status: f.status,
                content_type: SOAP_CONTENT_TYPE,
                body: Bytes::from_static(f.body.as_bytes()),
            };
            p.outcome = Outcome::AnswerFile {
                name: f.name.to_owned(),
            };
        }
        None => {
            // Validated when the dataset or override was loaded; answer 500 rather than panic.
            p.reply = Reply::Full {
                status: 500,
                content_type: "text/plain; charset=utf-8",
                body: Bytes::from(format!("unknown answer file `{name}`\n")),
            };
            p.outcome = Outcome::Http {
                reason: format!("unknown answer file `{name}`"),
            };
        }
    }
    p
}

fn fault_processed(
    dialect: Dialect,
    op: Option<Operation>,
    message_id: Option<String>,
    request_body: Option<insilab_core::insi::model::RequestBody>,
    fault: Fault,
    findings: Vec<JournalFinding>,
) -> Processed {
    Processed {
        reply: Reply::Full {
            status: 500,
            content_type: SOAP_CONTENT_TYPE,
            body: Bytes::from(writer::write_fault(&fault, dialect.fault_dialect())),
        },
        delay: Duration::ZERO,
        operation: op,
        message_id,
        request_body,
        outcome: Outcome::Fault {
            code: fault.erreur.code.clone(),
        },
        person: None,
        override_id: None,
        findings,
    }
}

/// Best-effort `wsa:MessageID` of a request that did not parse, so that even the "invalid
/// envelope" fault echoes it.
pub fn sniff_message_id(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("MessageID")?;
    let after = &text[start..];
    let open_end = after.find('>')?;
    if after[..open_end].ends_with('/') {
        return None;
    }
    let rest = &after[open_end + 1..];
    let close = rest.find('<')?;
    let id = rest[..close].trim();
    (!id.is_empty() && id.len() <= 200).then(|| id.to_owned())
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn with_state<T>(f: impl FnOnce(&Behaviourals<'_>) -> T) -> T {
        let dataset = Dataset::embedded_default().unwrap();
        let registry = ["PDP17NF21DD0".to_string()].into_iter().collect();
        let overrides = Overrides::default();
        let limits = reader::Limits::default();
        let b = Behaviourals {
            dataset: &dataset,
            dialect: Dialect::Live,
            idam_registry: &registry,
            overrides: &overrides,
            reader_limits: &limits,
        };
        f(&b)
    }

    fn client() -> ClientCertificate {
        ClientCertificate {
            cn: Some("INSI-AUTO".into()),
            ou: Some("T".into()),
            ..Default::default()
        }
    }

    proptest! {
        #[test]
        fn any_bytes_get_an_answer_never_a_panic(body in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let c = client();
            let ctx = ExchangeContext { listener: Listener::Mtls, client: Some(&c), content_type: None };
            let p = with_state(|b| process(b, &ctx, &body));
            let is_fault = matches!(p.reply, Reply::Full { status: 500, .. });
            prop_assert!(is_fault, "any bytes get a 500 fault");
        }

        #[test]
        fn sniffing_a_message_id_never_panics(text in ".{0,300}") {
            let _ = sniff_message_id(text.as_bytes());
        }
    }

    #[test]
    fn the_message_id_of_an_unparsable_request_is_still_echoed() {
        let body = b"<Envelope><wsa:MessageID>uuid:abc</wsa:MessageID><broken";
        assert_eq!(sniff_message_id(body).as_deref(), Some("uuid:abc"));
        let c = client();
        let ctx = ExchangeContext {
            listener: Listener::Mtls,
            client: Some(&c),
            content_type: None,
        };
        let p = with_state(|b| process(b, &ctx, body));
        assert_eq!(p.message_id.as_deref(), Some("uuid:abc"));
        assert!(String::from_utf8_lossy(p.reply.sent_body()).contains("messageID=\"uuid:abc\""));
    }

    #[test]
    fn action_parameter_is_read_from_the_content_type() {
        assert_eq!(
            action_param("application/soap+xml; charset=utf-8; action=\"urn:x\"").as_deref(),
            Some("urn:x")
        );
        assert_eq!(action_param("application/soap+xml"), None);
    }
}
