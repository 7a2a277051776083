//! The answer grammar: a `RESULTAT` (with `INDIVIDU`) or a SOAP 1.2 `Fault`, read through the
//! [`Cursor`].

use super::ParseErrorKind;
use super::cursor::{Cursor, Mode, Ns, Start, local_part, truncated};
use super::scan;
use super::{Limits, ParseError};
use crate::insi::model::{
    Erreur, Fault, FaultCodeValue, Individu, InsEntry, Response, SearchResult,
};
use crate::insi::names as n;

/// Reads an answer envelope: a `RESULTAT` or a SOAP 1.2 `Fault`, with the tokenizer `mode`
/// names.
pub(super) fn parse_response(
    xml: &[u8],
    limits: &Limits,
    mode: Mode,
) -> Result<Response, ParseError> {
    let mut cur = Cursor::new(xml, limits, mode)?;
    cur.open_envelope()?;
    let mut response: Option<Response> = None;
    let mut seen_body = false;
    while let Some(child) = cur.next_child()? {
        match (child.ns, child.local()) {
            (Ns::Soap, n::EL_BODY) => {
                if seen_body {
                    return Err(cur.err(ParseErrorKind::DuplicateElement(n::EL_BODY)));
                }
                seen_body = true;
                response = cur.response_body()?;
            }
            _ => cur.skip()?,
        }
    }
    cur.finish()?;
    if !seen_body {
        return Err(cur.err(ParseErrorKind::MissingElement(n::EL_BODY)));
    }
    response.ok_or_else(|| cur.err(ParseErrorKind::MissingElement("RESULTAT or Fault")))
}

impl Cursor<'_, '_> {
    pub(super) fn response_body(&mut self) -> Result<Option<Response>, ParseError> {
        let mut resp: Option<Response> = None;
        while let Some(child) = self.next_child()? {
            let parsed = match (child.ns, child.local()) {
                (Ns::Resultat, n::EL_RESULTAT) => Response::Result(self.resultat()?),
                (Ns::Soap, n::EL_FAULT) => Response::Fault(self.fault()?),
                _ => {
                    self.skip()?;
                    continue;
                }
            };
            if resp.is_some() {
                return Err(self.err(ParseErrorKind::DuplicateElement("RESULTAT or Fault")));
            }
            resp = Some(parsed);
        }
        Ok(resp)
    }

    pub(super) fn resultat(&mut self) -> Result<SearchResult, ParseError> {
        let mut cr: Option<(String, String)> = None;
        let mut individu: Option<Individu> = None;
        while let Some(child) = self.next_child()? {
            match (child.ns, child.local()) {
                (Ns::Resultat, n::EL_CR) => {
                    if cr.is_some() {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_CR)));
                    }
                    let (mut code, mut label) = (None, None);
                    while let Some(c) = self.next_child()? {
                        match (c.ns, c.local()) {
                            (Ns::Resultat, n::EL_CODE_CR) => {
                                self.text_once(&mut code, n::EL_CODE_CR)?
                            }
                            (Ns::Resultat, n::EL_LIBELLE_CR) => {
                                self.text_once(&mut label, n::EL_LIBELLE_CR)?
                            }
                            _ => self.skip()?,
                        }
                    }
                    let code = code
                        .ok_or_else(|| self.err(ParseErrorKind::MissingElement(n::EL_CODE_CR)))?;
                    cr = Some((code, label.unwrap_or_default()));
                }
                (Ns::Resultat, n::EL_INDIVIDU) => {
                    if individu.is_some() {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_INDIVIDU)));
                    }
                    individu = Some(self.individu()?);
                }
                _ => self.skip()?,
            }
        }
        let (code_cr, libelle_cr) =
            cr.ok_or_else(|| self.err(ParseErrorKind::MissingElement(n::EL_CR)))?;
        Ok(SearchResult {
            code_cr,
            libelle_cr,
            individu,
        })
    }

    pub(super) fn individu(&mut self) -> Result<Individu, ParseError> {
        let mut actif: Option<InsEntry> = None;
        let mut ind = Individu::default();
        let mut seen_tiq = false;
        while let Some(child) = self.next_child()? {
            match (child.ns, child.local()) {
                (Ns::Resultat, n::EL_INSACTIF) => {
                    if actif.is_some() {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_INSACTIF)));
                    }
                    actif = Some(self.ins_entry(Ns::Resultat)?);
                }
                (Ns::Resultat, n::EL_INSHISTO) => {
                    let e = self.ins_entry(Ns::Resultat)?;
                    ind.ins_histo.push(e);
                }
                (Ns::Resultat, n::EL_TIQ) => {
                    if seen_tiq {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_TIQ)));
                    }
                    seen_tiq = true;
                    let t = self.traits6(Ns::Resultat)?;
                    let [nom, prenom, liste, sexe, date, lieu] = t;
                    ind.tiq = crate::insi::model::Tiq {
                        nom_naissance: nom,
                        prenom,
                        liste_prenom: liste,
                        sexe,
                        date_naissance: date,
                        lieu_naissance: lieu,
                    };
                }
                _ => self.skip()?,
            }
        }
        ind.ins_actif =
            actif.ok_or_else(|| self.err(ParseErrorKind::MissingElement(n::EL_INSACTIF)))?;
        Ok(ind)
    }

    pub(super) fn fault(&mut self) -> Result<Fault, ParseError> {
        let mut value: Option<FaultCodeValue> = None;
        let mut subcode: Option<String> = None;
        let mut reason: Option<String> = None;
        let mut erreur: Option<Erreur> = None;
        while let Some(child) = self.next_child()? {
            match (child.ns, child.local()) {
                (Ns::Soap, n::EL_CODE) => {
                    while let Some(c) = self.next_child()? {
                        match (c.ns, c.local()) {
                            (Ns::Soap, n::EL_VALUE) => {
                                let raw = self.text()?;
                                let v = match local_part(&raw) {
                                    n::FAULT_SENDER => FaultCodeValue::Sender,
                                    n::FAULT_RECEIVER => FaultCodeValue::Receiver,
                                    _ => {
                                        return Err(self.err(ParseErrorKind::InvalidValue {
                                            element: "Fault/Code/Value",
                                            value: truncated(&raw),
                                        }));
                                    }
                                };
                                value = Some(v);
                            }
                            (Ns::Soap, n::EL_SUBCODE) => {
                                while let Some(s) = self.next_child()? {
                                    if (s.ns, s.local()) == (Ns::Soap, n::EL_VALUE)
                                        && subcode.is_none()
                                    {
                                        let raw = self.text()?;
                                        subcode = Some(local_part(&raw).to_owned());
                                    } else {
                                        self.skip()?;
                                    }
                                }
                            }
                            _ => self.skip()?,
                        }
                    }
                }
                (Ns::Soap, n::EL_REASON) => {
                    while let Some(t) = self.next_child()? {
                        if (t.ns, t.local()) == (Ns::Soap, n::EL_TEXT) && reason.is_none() {
                            reason = Some(self.text()?);
                        } else {
                            self.skip()?;
                        }
                    }
                }
                (Ns::Soap, n::EL_DETAIL) => {
                    while let Some(d) = self.next_child()? {
                        if (d.ns, d.local()) == (Ns::Siram, n::EL_ERREUR) && erreur.is_none() {
                            let [code, severite, message_id] =
                                self.attrs(&d.start, ["code", "severite", "messageID"])?;
                            erreur = Some(Erreur {
                                code: code.unwrap_or_default(),
                                severite: severite.unwrap_or_default(),
                                message_id,
                                severite_first: severite_before_code(&d.start),
                                text: self.text()?,
                            });
                        } else {
                            self.skip()?;
                        }
                    }
                }
                _ => self.skip()?,
            }
        }
        Ok(Fault {
            value: value
                .ok_or_else(|| self.err(ParseErrorKind::MissingElement("Fault/Code/Value")))?,
            subcode: subcode.unwrap_or_default(),
            reason: reason.unwrap_or_default(),
            erreur: erreur.unwrap_or_default(),
        })
    }
}

/// Whether `severite` comes before `code` among the attributes of `siram:Erreur` (the older
/// `insi_102` capture); malformed attributes count as the current order.
fn severite_before_code(start: &Start<'_>) -> bool {
    let position = |local: &str| match start {
        Start::Full(start) => start.attributes().flatten().position(|a| {
            a.key.as_namespace_binding().is_none() && a.key.local_name().as_ref() == local
        }),
        Start::Fast(start) => scan::attributes(start.attrs)
            .position(|(key, _)| !scan::is_binding(key) && scan::local_name(key) == local),
    };
    matches!((position("severite"), position("code")), (Some(s), Some(c)) if s < c)
}
