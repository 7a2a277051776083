//! The request grammar: envelope headers (`wsa`, `ContexteBAM`, `ContexteLPS`, `Security`) and
//! the three request bodies, read through the [`Cursor`].

use super::ParseErrorKind;
use super::cursor::{Cursor, Mode, Ns, Start, body_id, truncated};
use super::{Limits, ParseError};
use crate::insi::model::{
    Assertion, CardSearch, ContexteBam, ContexteLps, Couverture, Headers, InsEntry, Request,
    RequestBody, Security, TraitsSearch, Verification, VerifiedTraits, WireMatricule,
};
use crate::insi::names as n;

/// Reads a request envelope (`RECSANSVITALE`, `RECVITALE` or `VERIFINS` body) with the
/// tokenizer `mode` names.
pub(super) fn parse_request(
    xml: &[u8],
    limits: &Limits,
    mode: Mode,
) -> Result<Request, ParseError> {
    let mut cur = Cursor::new(xml, limits, mode)?;
    cur.open_envelope()?;
    let mut headers: Option<Headers> = None;
    let mut body: Option<(Option<String>, RequestBody)> = None;
    while let Some(child) = cur.next_child()? {
        match (child.ns, child.local()) {
            (Ns::Soap, n::EL_HEADER) => {
                if headers.is_some() {
                    return Err(cur.err(ParseErrorKind::DuplicateElement(n::EL_HEADER)));
                }
                headers = Some(cur.headers()?);
            }
            (Ns::Soap, n::EL_BODY) => {
                if body.is_some() {
                    return Err(cur.err(ParseErrorKind::DuplicateElement(n::EL_BODY)));
                }
                let id = body_id(&cur, &child.start)?;
                body = Some((id, cur.request_body()?));
            }
            _ => cur.skip()?,
        }
    }
    cur.finish()?;
    let (body_id, body) =
        body.ok_or_else(|| cur.err(ParseErrorKind::MissingElement(n::EL_BODY)))?;
    Ok(Request {
        headers: headers.unwrap_or_default(),
        body,
        body_id,
    })
}

impl Cursor<'_, '_> {
    pub(super) fn headers(&mut self) -> Result<Headers, ParseError> {
        let mut h = Headers::default();
        while let Some(child) = self.next_child()? {
            match (child.ns, child.local()) {
                (Ns::Wsa, n::EL_ACTION) => self.text_once(&mut h.action, n::EL_ACTION)?,
                (Ns::Wsa, n::EL_MESSAGE_ID) => {
                    self.text_once(&mut h.message_id, n::EL_MESSAGE_ID)?
                }
                (Ns::CtxBam, n::EL_CONTEXTE_BAM) => {
                    if h.bam.is_some() {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_CONTEXTE_BAM)));
                    }
                    h.bam = Some(self.bam(&child.start)?);
                }
                (Ns::CtxLps, n::EL_CONTEXTE_LPS) => {
                    if h.lps.is_some() {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_CONTEXTE_LPS)));
                    }
                    h.lps = Some(self.lps(&child.start)?);
                }
                (Ns::Wsse, n::EL_SECURITY) => {
                    if h.security.is_some() {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_SECURITY)));
                    }
                    h.security = Some(self.security()?);
                }
                _ => self.skip()?,
            }
        }
        Ok(h)
    }

    pub(super) fn bam(&mut self, start: &Start<'_>) -> Result<ContexteBam, ParseError> {
        let [version, nature] = self.attrs(start, [n::ATTR_VERSION, n::ATTR_NATURE])?;
        let mut bam = ContexteBam {
            version,
            nature,
            ..ContexteBam::default()
        };
        while let Some(child) = self.next_child()? {
            match (child.ns, child.local()) {
                (Ns::CtxBam, n::EL_ID) => self.text_once(&mut bam.id, n::EL_ID)?,
                (Ns::CtxBam, n::EL_TEMPS) => self.text_once(&mut bam.temps, n::EL_TEMPS)?,
                (Ns::CtxBam, n::EL_EMETTEUR) => {
                    self.text_once(&mut bam.emetteur, n::EL_EMETTEUR)?
                }
                (Ns::CtxBam, n::EL_DATE_REF) => {
                    self.text_once(&mut bam.date_ref, n::EL_DATE_REF)?
                }
                (Ns::CtxBam, n::EL_COUVERTURE) => {
                    if bam.couverture.is_some() {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_COUVERTURE)));
                    }
                    bam.couverture = Some(self.couverture()?);
                }
                _ => self.skip()?,
            }
        }
        Ok(bam)
    }

    pub(super) fn couverture(&mut self) -> Result<Couverture, ParseError> {
        let mut c = Couverture::default();
        while let Some(child) = self.next_child()? {
            match (child.ns, child.local()) {
                (Ns::CtxBam, n::EL_ASSURE) => {
                    // ASSURE/Id/Num
                    while let Some(id) = self.next_child()? {
                        if (id.ns, id.local()) == (Ns::CtxBam, n::EL_ID) {
                            while let Some(num) = self.next_child()? {
                                if (num.ns, num.local()) == (Ns::CtxBam, n::EL_NUM) {
                                    self.text_once(&mut c.assure_id_num, n::EL_NUM)?;
                                } else {
                                    self.skip()?;
                                }
                            }
                        } else {
                            self.skip()?;
                        }
                    }
                }
                (Ns::CtxBam, n::EL_BENEFICIAIRE) => {
                    while let Some(b) = self.next_child()? {
                        match (b.ns, b.local()) {
                            (Ns::CtxBam, n::EL_NIR) => {
                                while let Some(num) = self.next_child()? {
                                    if (num.ns, num.local()) == (Ns::CtxBam, n::EL_NUM) {
                                        self.text_once(&mut c.beneficiaire_nir_num, n::EL_NUM)?;
                                    } else {
                                        self.skip()?;
                                    }
                                }
                            }
                            (Ns::CtxBam, n::EL_DATE_NAI) => {
                                self.text_once(&mut c.beneficiaire_date_nai, n::EL_DATE_NAI)?
                            }
                            (Ns::CtxBam, n::EL_RANG) => {
                                self.text_once(&mut c.beneficiaire_rang, n::EL_RANG)?
                            }
                            _ => self.skip()?,
                        }
                    }
                }
                _ => self.skip()?,
            }
        }
        Ok(c)
    }

    pub(super) fn lps(&mut self, start: &Start<'_>) -> Result<ContexteLps, ParseError> {
        let [version, nature] = self.attrs(start, [n::ATTR_VERSION, n::ATTR_NATURE])?;
        let mut lps = ContexteLps {
            version,
            nature,
            ..ContexteLps::default()
        };
        while let Some(child) = self.next_child()? {
            match (child.ns, child.local()) {
                (Ns::CtxLps, n::EL_ID) => self.text_once(&mut lps.id, n::EL_ID)?,
                (Ns::CtxLps, n::EL_TEMPS) => self.text_once(&mut lps.temps, n::EL_TEMPS)?,
                (Ns::CtxLps, n::EL_EMETTEUR) => {
                    self.text_once(&mut lps.emetteur, n::EL_EMETTEUR)?
                }
                (Ns::CtxLps, n::EL_LPS) => {
                    while let Some(l) = self.next_child()? {
                        match (l.ns, l.local()) {
                            (Ns::CtxLps, n::EL_IDAM) => {
                                if lps.idam.is_some() {
                                    return Err(
                                        self.err(ParseErrorKind::DuplicateElement(n::EL_IDAM))
                                    );
                                }
                                lps.idam_r = self.attr(&l.start, n::ATTR_R)?;
                                lps.idam = Some(self.text()?);
                            }
                            (Ns::CtxLps, n::EL_VERSION) => {
                                self.text_once(&mut lps.lps_version, n::EL_VERSION)?
                            }
                            (Ns::CtxLps, n::EL_INSTANCE) => {
                                self.text_once(&mut lps.instance, n::EL_INSTANCE)?
                            }
                            (Ns::CtxLps, n::EL_NOM) => self.text_once(&mut lps.nom, n::EL_NOM)?,
                            _ => self.skip()?,
                        }
                    }
                }
                _ => self.skip()?,
            }
        }
        Ok(lps)
    }

    pub(super) fn security(&mut self) -> Result<Security, ParseError> {
        let mut sec = Security::default();
        while let Some(child) = self.next_child()? {
            if (child.ns, child.local()) == (Ns::Saml, n::EL_ASSERTION) {
                let from = self.event_start;
                let assertion = self.assertion(&child.start, from)?;
                sec.assertions.push(assertion);
            } else {
                self.skip()?;
            }
        }
        Ok(sec)
    }

    pub(super) fn assertion(
        &mut self,
        start: &Start<'_>,
        from: u64,
    ) -> Result<Assertion, ParseError> {
        let [id, issue_instant] = self.attrs(start, [n::ATTR_SAML_ID, n::ATTR_ISSUE_INSTANT])?;
        let mut a = Assertion {
            id,
            issue_instant,
            ..Assertion::default()
        };
        while let Some(child) = self.next_child()? {
            match (child.ns, child.local()) {
                (Ns::Saml, n::EL_ISSUER) => self.text_once(&mut a.issuer, n::EL_ISSUER)?,
                (Ns::Ds, n::EL_SIGNATURE) => {
                    a.has_signature = true;
                    self.skip()?;
                }
                (Ns::Saml, n::EL_SUBJECT) => {
                    while let Some(s) = self.next_child()? {
                        if (s.ns, s.local()) == (Ns::Saml, n::EL_NAME_ID) {
                            if a.name_id.is_some() {
                                return Err(
                                    self.err(ParseErrorKind::DuplicateElement(n::EL_NAME_ID))
                                );
                            }
                            a.name_qualifier = self.attr(&s.start, n::ATTR_NAME_QUALIFIER)?;
                            a.name_id = Some(self.text()?);
                        } else {
                            self.skip()?;
                        }
                    }
                }
                (Ns::Saml, "AttributeStatement") => {
                    while let Some(attr) = self.next_child()? {
                        if (attr.ns, attr.local()) == (Ns::Saml, n::EL_ATTRIBUTE) {
                            let name = self.attr(&attr.start, n::ATTR_NAME)?.unwrap_or_default();
                            let mut value: Option<String> = None;
                            while let Some(v) = self.next_child()? {
                                if value.is_none()
                                    && (v.ns, v.local()) == (Ns::Saml, n::EL_ATTRIBUTE_VALUE)
                                {
                                    value = Some(self.text()?);
                                } else {
                                    self.skip()?;
                                }
                            }
                            a.attributes.push((name, value.unwrap_or_default()));
                        } else {
                            self.skip()?;
                        }
                    }
                }
                _ => self.skip()?,
            }
        }
        let to = self.position();
        // Both offsets come from the reader on this very input, at event boundaries, so they
        // are in range and on character boundaries; `get` keeps that unproven claim panic-free.
        a.raw_xml = usize::try_from(from)
            .ok()
            .zip(usize::try_from(to).ok())
            .and_then(|(f, t)| self.input.get(f..t))
            .unwrap_or_default()
            .to_owned();
        Ok(a)
    }

    pub(super) fn request_body(&mut self) -> Result<RequestBody, ParseError> {
        let mut body: Option<RequestBody> = None;
        let mut unknown: Option<(String, String)> = None;
        while let Some(child) = self.next_child()? {
            let parsed = match (child.ns, child.local()) {
                (Ns::RecSans, n::EL_RECSANSVITALE) => {
                    Some(RequestBody::TraitsSearch(self.traits_search()?))
                }
                (Ns::RecVit, n::EL_RECVITALE) => Some(RequestBody::CardSearch(self.card_search()?)),
                (Ns::Verif, n::EL_VERIFINS) => {
                    Some(RequestBody::Verification(self.verification()?))
                }
                _ => {
                    if unknown.is_none() {
                        unknown = Some((self.ns_uri(&child), truncated(child.local())));
                    }
                    self.skip()?;
                    None
                }
            };
            if let Some(parsed) = parsed {
                if body.is_some() {
                    return Err(self.err(ParseErrorKind::DuplicateElement("operation body")));
                }
                body = Some(parsed);
            }
        }
        match (body, unknown) {
            (Some(body), _) => Ok(body),
            (None, Some((ns, name))) => {
                Err(self.err(ParseErrorKind::UnknownOperation { ns, name }))
            }
            (None, None) => Err(self.err(ParseErrorKind::MissingElement("operation body"))),
        }
    }

    pub(super) fn traits_search(&mut self) -> Result<TraitsSearch, ParseError> {
        let mut t = TraitsSearch::default();
        while let Some(child) = self.next_child()? {
            if child.ns != Ns::RecSans {
                self.skip()?;
                continue;
            }
            match child.local() {
                n::EL_NOM_NAISSANCE => self.text_once(&mut t.nom_naissance, n::EL_NOM_NAISSANCE)?,
                n::EL_PRENOM => {
                    let p = self.text()?;
                    t.prenoms.push(p);
                }
                n::EL_SEXE => self.text_once(&mut t.sexe, n::EL_SEXE)?,
                n::EL_DATE_NAISSANCE => {
                    self.text_once(&mut t.date_naissance, n::EL_DATE_NAISSANCE)?
                }
                n::EL_LIEU_NAISSANCE => {
                    self.text_once(&mut t.lieu_naissance, n::EL_LIEU_NAISSANCE)?
                }
                _ => self.skip()?,
            }
        }
        Ok(t)
    }

    pub(super) fn card_search(&mut self) -> Result<CardSearch, ParseError> {
        let mut c = CardSearch::default();
        while let Some(child) = self.next_child()? {
            if child.ns != Ns::RecVit {
                self.skip()?;
                continue;
            }
            match child.local() {
                n::EL_MATRICULE_INDIVIDU => {
                    if c.matricule_individu.is_some() {
                        return Err(
                            self.err(ParseErrorKind::DuplicateElement(n::EL_MATRICULE_INDIVIDU))
                        );
                    }
                    c.matricule_individu = Some(self.matricule(Ns::RecVit)?);
                }
                n::EL_MATRICULE_OD => {
                    if c.matricule_od.is_some() {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_MATRICULE_OD)));
                    }
                    c.matricule_od = Some(self.matricule(Ns::RecVit)?);
                }
                n::EL_NOM_NAISSANCE => self.text_once(&mut c.nom_naissance, n::EL_NOM_NAISSANCE)?,
                n::EL_DATE_NAISSANCE => {
                    self.text_once(&mut c.date_naissance, n::EL_DATE_NAISSANCE)?
                }
                n::EL_RANG_NAISSANCE => {
                    self.text_once(&mut c.rang_naissance, n::EL_RANG_NAISSANCE)?
                }
                _ => self.skip()?,
            }
        }
        Ok(c)
    }

    pub(super) fn verification(&mut self) -> Result<Verification, ParseError> {
        let mut v: Option<Verification> = None;
        while let Some(child) = self.next_child()? {
            if (child.ns, child.local()) != (Ns::Verif, n::EL_INDIVIDU_VERIFIE) {
                self.skip()?;
                continue;
            }
            if v.is_some() {
                return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_INDIVIDU_VERIFIE)));
            }
            let mut ver = Verification::default();
            let (mut seen_ins, mut seen_traits) = (false, false);
            while let Some(part) = self.next_child()? {
                match (part.ns, part.local()) {
                    (Ns::Verif, n::EL_INS_FOURNI) => {
                        if seen_ins {
                            return Err(
                                self.err(ParseErrorKind::DuplicateElement(n::EL_INS_FOURNI))
                            );
                        }
                        seen_ins = true;
                        ver.ins_fourni = self.ins_entry(Ns::Verif)?;
                    }
                    (Ns::Verif, n::EL_TRAITS_IDENTITE_INDIVIDU) => {
                        if seen_traits {
                            return Err(self.err(ParseErrorKind::DuplicateElement(
                                n::EL_TRAITS_IDENTITE_INDIVIDU,
                            )));
                        }
                        seen_traits = true;
                        let [nom, prenom, liste, sexe, date, lieu] = self.traits6(Ns::Verif)?;
                        ver.traits = VerifiedTraits {
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
            v = Some(ver);
        }
        v.ok_or_else(|| self.err(ParseErrorKind::MissingElement(n::EL_INDIVIDU_VERIFIE)))
    }

    /// `NumIdentifiant`, `Cle`, `TypeMatricule` in namespace `ns`.
    pub(super) fn matricule(&mut self, ns: Ns) -> Result<WireMatricule, ParseError> {
        let mut num: Option<String> = None;
        let mut m = WireMatricule::default();
        while let Some(child) = self.next_child()? {
            if child.ns != ns {
                self.skip()?;
                continue;
            }
            match child.local() {
                n::EL_NUM_IDENTIFIANT => self.text_once(&mut num, n::EL_NUM_IDENTIFIANT)?,
                n::EL_CLE => self.text_once(&mut m.cle, n::EL_CLE)?,
                n::EL_TYPE_MATRICULE => {
                    self.text_once(&mut m.type_matricule, n::EL_TYPE_MATRICULE)?
                }
                _ => self.skip()?,
            }
        }
        m.num_identifiant = num.unwrap_or_default();
        Ok(m)
    }

    /// An `IdentifiantNationalSante`: `IdIndividu`, `OID`, `DateDeb`, `DateFin`, any order.
    pub(super) fn ins_entry(&mut self, ns: Ns) -> Result<InsEntry, ParseError> {
        let mut e = InsEntry::default();
        let mut seen_id = false;
        let mut oid: Option<String> = None;
        while let Some(child) = self.next_child()? {
            if child.ns != ns {
                self.skip()?;
                continue;
            }
            match child.local() {
                n::EL_ID_INDIVIDU => {
                    if seen_id {
                        return Err(self.err(ParseErrorKind::DuplicateElement(n::EL_ID_INDIVIDU)));
                    }
                    seen_id = true;
                    e.id = self.matricule(ns)?;
                }
                n::EL_OID => self.text_once(&mut oid, n::EL_OID)?,
                n::EL_DATE_DEB => self.text_once(&mut e.date_deb, n::EL_DATE_DEB)?,
                n::EL_DATE_FIN => self.text_once(&mut e.date_fin, n::EL_DATE_FIN)?,
                _ => self.skip()?,
            }
        }
        e.oid = oid.unwrap_or_default();
        Ok(e)
    }

    /// The six traits of `TIQ` / `TraitsIdentiteIndividu`, in model order.
    pub(super) fn traits6(&mut self, ns: Ns) -> Result<[Option<String>; 6], ParseError> {
        let mut t: [Option<String>; 6] = Default::default();
        while let Some(child) = self.next_child()? {
            if child.ns != ns {
                self.skip()?;
                continue;
            }
            let (i, name) = match child.local() {
                n::EL_NOM_NAISSANCE => (0, n::EL_NOM_NAISSANCE),
                n::EL_PRENOM => (1, n::EL_PRENOM),
                n::EL_LISTE_PRENOM => (2, n::EL_LISTE_PRENOM),
                n::EL_SEXE => (3, n::EL_SEXE),
                n::EL_DATE_NAISSANCE => (4, n::EL_DATE_NAISSANCE),
                n::EL_LIEU_NAISSANCE => (5, n::EL_LIEU_NAISSANCE),
                _ => {
                    self.skip()?;
                    continue;
                }
            };
            self.text_once(&mut t[i], name)?;
        }
        Ok(t)
    }
}
