//! [`InsiClient`]: runs the three operations, the first-name algorithm of `insi-protocol.md` §7
//! and the birthplace retry, and records every attempt.

use std::time::Instant;

use insilab_core::insi::{Request, Response, reader, writer};

use crate::config::ClientConfig;
use crate::envelope::{self, Stamp};
use crate::error::ClientError;
use crate::judge;
use crate::outcome::{Attempt, AttemptResult, Operation, SearchOutcome, Verdict};
use crate::query::{CardQuery, TraitsQuery, VerifyQuery};
use crate::transport::{Endpoint, Transport, kind};
use crate::validate;

/// The reference INSi client. Cheap to share (`&self` methods); one connection per attempt.
#[derive(Debug, Clone)]
pub struct InsiClient {
    config: ClientConfig,
    transport: Transport,
    /// Card mode: every call carries an assertion signed by this card.
    card: Option<std::sync::Arc<crate::CardSigner>>,
}

/// What one attempt produced, for the algorithm to decide the next step.
enum Step {
    Cr {
        code: String,
        individu: Option<insilab_core::insi::Individu>,
    },
    Stop(Verdict),
}

impl InsiClient {
    /// Builds a client, loading the TLS identity named in `config.tls`.
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let tls = crate::tls::client_tls_config(&config.tls)?;
        Self::from_rustls(config, tls)
    }

    /// Builds a client with a ready rustls configuration (`config.tls` is ignored).
    pub fn from_rustls(
        config: ClientConfig,
        tls: rustls::ClientConfig,
    ) -> Result<Self, ClientError> {
        if config.connect_timeout.is_zero() {
            return Err(ClientError::InvalidSetting {
                name: "connect_timeout",
                reason: "must be greater than zero".to_owned(),
            });
        }
        if config.total_timeout.is_zero() {
            return Err(ClientError::InvalidSetting {
                name: "total_timeout",
                reason: "must be greater than zero".to_owned(),
            });
        }
        if config.idam.trim().is_empty() {
            return Err(ClientError::InvalidSetting {
                name: "idam",
                reason: "the software authorisation number (IDAM) is empty".to_owned(),
            });
        }
        let endpoint = Endpoint::parse(&config.url)?;
        let transport = Transport::new(endpoint, tls, config.connect_timeout, config.total_timeout);
        Ok(InsiClient {
            config,
            transport,
            card: None,
        })
    }

    /// Card mode: signs a fresh CPx assertion with `card` for every call and puts it in
    /// `wsse:Security` (pair it with a TLS configuration without client certificate).
    pub fn with_card(mut self, card: crate::CardSigner) -> Self {
        self.card = Some(std::sync::Arc::new(card));
        self
    }

    /// Searches by identity traits.
    ///
    /// Refuses invalid traits without calling; then calls once per birth first name, in order,
    /// stopping at the first `00`; on `02`, when a birthplace was supplied, retries the same
    /// first name with it; when no call gave `00` and there are several first names, makes a
    /// last call with the whole list in one `Prenom`. A fault or a technical error stops the
    /// search at once (never retried automatically).
    pub async fn search_traits(&self, query: &TraitsQuery) -> SearchOutcome {
        let violations = validate::traits(query);
        if !violations.is_empty() {
            return SearchOutcome {
                attempts: Vec::new(),
                verdict: Verdict::RefusedInput { violations },
            };
        }
        let mut attempts = Vec::new();
        let mut saw_several = false;
        let mut plan: Vec<Vec<String>> =
            query.first_names.iter().map(|n| vec![n.clone()]).collect();
        if query.first_names.len() > 1 {
            plan.push(vec![query.first_names.join(" ")]);
        }
        for prenoms in plan {
            let mut birthplace: Option<&str> = None;
            loop {
                let step = self
                    .traits_attempt(query, prenoms.clone(), birthplace, &mut attempts)
                    .await;
                match step {
                    Step::Stop(verdict) => return SearchOutcome { attempts, verdict },
                    Step::Cr { code, individu } => match code.as_str() {
                        "00" => {
                            return SearchOutcome {
                                attempts,
                                verdict: found_or_refused(individu.as_ref()),
                            };
                        }
                        "01" => break,
                        "02" => {
                            // §7 / CNDA 2.06 cas 2: resolve a 02 with the birthplace, once.
                            match (&query.birthplace, birthplace) {
                                (Some(place), None) => birthplace = Some(place.as_str()),
                                _ => {
                                    saw_several = true;
                                    break;
                                }
                            }
                        }
                        other => {
                            return SearchOutcome {
                                attempts,
                                verdict: unknown_cr(other),
                            };
                        }
                    },
                }
            }
        }
        let verdict = if saw_several {
            Verdict::Ambiguous
        } else {
            Verdict::NotFound
        };
        SearchOutcome { attempts, verdict }
    }

    /// Searches with the Vitale card data (one call).
    pub async fn search_card(&self, query: &CardQuery) -> SearchOutcome {
        let violations = validate::card(query);
        if !violations.is_empty() {
            return SearchOutcome {
                attempts: Vec::new(),
                verdict: Verdict::RefusedInput { violations },
            };
        }
        let stamp = Stamp::now();
        let request = envelope::card_search(&self.config, &stamp, query);
        let mut attempts = Vec::new();
        let step = self
            .attempt(
                Operation::CardSearch,
                request,
                &stamp,
                Vec::new(),
                None,
                &mut attempts,
            )
            .await;
        let verdict = match step {
            Step::Stop(v) => v,
            Step::Cr { code, individu } => single_call_verdict(&code, individu.as_ref(), None),
        };
        SearchOutcome { attempts, verdict }
    }

    /// Verifies that an INS and a set of traits belong together (reconstructed contract; one
    /// call).
    pub async fn verify(&self, query: &VerifyQuery) -> SearchOutcome {
        let violations = validate::verify(query);
        if !violations.is_empty() {
            return SearchOutcome {
                attempts: Vec::new(),
                verdict: Verdict::RefusedInput { violations },
            };
        }
        let stamp = Stamp::now();
        let request = envelope::verification(&self.config, &stamp, query);
        let mut attempts = Vec::new();
        let step = self
            .attempt(
                Operation::Verification,
                request,
                &stamp,
                query.first_names.first().cloned().into_iter().collect(),
                query.birthplace.clone(),
                &mut attempts,
            )
            .await;
        let verdict = match step {
            Step::Stop(v) => v,
            Step::Cr { code, individu } => {
                single_call_verdict(&code, individu.as_ref(), Some((&query.ins, &query.oid)))
            }
        };
        SearchOutcome { attempts, verdict }
    }

    async fn traits_attempt(
        &self,
        query: &TraitsQuery,
        prenoms: Vec<String>,
        birthplace: Option<&str>,
        attempts: &mut Vec<Attempt>,
    ) -> Step {
        let stamp = Stamp::now();
        let request = envelope::traits_search(
            &self.config,
            &stamp,
            &query.birth_name,
            prenoms.clone(),
            &query.sex,
            &query.birth_date,
            birthplace,
        );
        self.attempt(
            Operation::TraitsSearch,
            request,
            &stamp,
            prenoms,
            birthplace.map(str::to_owned),
            attempts,
        )
        .await
    }

    /// Sends one request, records it in `attempts`, and says what it produced.
    async fn attempt(
        &self,
        operation: Operation,
        request: Request,
        stamp: &Stamp,
        first_names_sent: Vec<String>,
        birthplace_sent: Option<String>,
        attempts: &mut Vec<Attempt>,
    ) -> Step {
        let wire_op = operation;
        let mut request = request;
        if let Some(card) = &self.card {
            match card.security(time::OffsetDateTime::now_utc()) {
                Ok(security) => request.headers.security = Some(security),
                Err(e) => {
                    return Step::Stop(Verdict::TechnicalError {
                        kind: kind::CARD.to_owned(),
                        message: e.to_string(),
                    });
                }
            }
        }
        let request_xml = writer::write_request(&request);
        let content_type = writer::content_type(wire_op);
        let started = Instant::now();
        let sent = self
            .transport
            .post(&content_type, request_xml.clone())
            .await;
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut attempt = Attempt {
            operation,
            first_names_sent,
            birthplace_sent,
            message_id: stamp.message_id.clone(),
            request_xml,
            response_xml: None,
            http_status: None,
            duration_ms,
            result: AttemptResult::Transport {
                message: String::new(),
            },
        };
        let (result, step) = match sent {
            Err(failure) => {
                attempt.http_status = failure.status;
                (
                    AttemptResult::Transport {
                        message: failure.message.clone(),
                    },
                    Step::Stop(Verdict::TechnicalError {
                        kind: failure.kind.to_owned(),
                        message: failure.message,
                    }),
                )
            }
            Ok(answer) => {
                attempt.http_status = Some(answer.status);
                attempt.response_xml = Some(String::from_utf8_lossy(&answer.body).into_owned());
                interpret(answer.status, &answer.body)
            }
        };
        attempt.result = result;
        attempts.push(attempt);
        step
    }
}

/// Reads an HTTP answer: a fault (any status), a `RESULTAT` (200), or a technical error.
fn interpret(status: u16, body: &[u8]) -> (AttemptResult, Step) {
    let parsed = reader::parse_response(body, &reader::Limits::default());
    match parsed {
        Ok(Response::Fault(fault)) => {
            let code = if fault.erreur.code.is_empty() {
                fault.subcode.clone()
            } else {
                fault.erreur.code.clone()
            };
            (
                AttemptResult::Fault { code: code.clone() },
                Step::Stop(Verdict::Fault {
                    code,
                    subcode: fault.subcode,
                    reason: fault.reason,
                }),
            )
        }
        Ok(Response::Result(result)) if status == 200 => (
            AttemptResult::Cr {
                code: result.code_cr.clone(),
                label: result.libelle_cr.clone(),
            },
            Step::Cr {
                code: result.code_cr,
                individu: result.individu,
            },
        ),
        Ok(Response::Result(_)) => technical(
            kind::HTTP_STATUS,
            format!("http status {status} with a RESULTAT body: the answer is not usable"),
        ),
        Err(e) if status != 200 => technical(
            kind::HTTP_STATUS,
            format!("http status {status} without a readable SOAP fault ({e})"),
        ),
        Err(e) => technical(
            kind::MALFORMED,
            format!("the answer is not a readable INSi answer: {e}"),
        ),
    }
}

fn technical(kind: &'static str, message: String) -> (AttemptResult, Step) {
    (
        AttemptResult::Transport {
            message: message.clone(),
        },
        Step::Stop(Verdict::TechnicalError {
            kind: kind.to_owned(),
            message,
        }),
    )
}

fn found_or_refused(individu: Option<&insilab_core::insi::Individu>) -> Verdict {
    match judge::accept(individu) {
        Ok(found) => Verdict::Found(found),
        Err(refusal) => Verdict::RefusedAnswer {
            reason: refusal.reason,
            rule: refusal.rule,
        },
    }
}

fn unknown_cr(code: &str) -> Verdict {
    Verdict::RefusedAnswer {
        reason: format!("unknown CodeCR {code:?} (expected 00, 01 or 02)"),
        rule: judge::RULE_UNKNOWN_CR,
    }
}

/// Verdict of a one-call operation; `verified` carries the INS a verification supplied.
fn single_call_verdict(
    code: &str,
    individu: Option<&insilab_core::insi::Individu>,
    verified: Option<(&String, &String)>,
) -> Verdict {
    match (code, verified, individu) {
        ("00", Some((ins, oid)), None) => Verdict::Verified {
            ins: ins.clone(),
            oid: oid.clone(),
        },
        ("00", _, individu) => found_or_refused(individu),
        ("01", _, _) => Verdict::NotFound,
        ("02", _, _) => Verdict::Ambiguous,
        (other, _, _) => unknown_cr(other),
    }
}
