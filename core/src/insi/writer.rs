//! The INSi writer: typed messages to the exact bytes of a SOAP envelope.
//!
//! Requests are written clean, in schema order, with fixed prefixes. Answers are written in one
//! of the three dialects seen on the wire (insi-protocol.md §5), faults in one of the two fault
//! dialects. Output is compact (no whitespace between elements); answers start with
//! [`XML_DECLARATION`] (the declaration and a line feed, as captured), requests carry none.
//! The writer writes what the model holds: the model decides whether `TIQ/Prenom`,
//! `TypeMatricule` or dates exist; only the live dialect strips `TIQ/Prenom` and
//! `TypeMatricule`, as the live service does since late 2022.
//!
//! Text and attribute values are escaped so that the reader gives back exactly the same
//! strings (`\r`, and in attributes `\t` and `\n`, become character references, which XML
//! normalisation leaves alone). Characters XML 1.0 forbids (most C0 controls) cannot be
//! represented and are written as they are: the model should not hold them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::model::{
    ContexteBam, ContexteLps, Fault, InsEntry, Request, RequestBody, Response, SearchResult, Tiq,
    WireMatricule,
};
use super::names::{self as n, Operation};

/// What every answer, result or fault, starts with: the XML declaration and a line feed, as
/// captured from the service (insi-protocol.md §5). Requests carry none.
pub const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// HTTP `Content-Type` of every INSi message, before the `action` parameter.
pub const CONTENT_TYPE_PREFIX: &str = "application/soap+xml; charset=utf-8";

/// The `Content-Type` of a request of `op`, with its `action` parameter.
pub fn content_type(op: Operation) -> String {
    format!("{CONTENT_TYPE_PREFIX}; action=\"{}\"", op.action())
}

/// The dialect of a `RESULTAT` answer (insi-protocol.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Dialect {
    /// Today's live service: default namespace, no `TIQ/Prenom`, no `TypeMatricule`.
    #[default]
    #[serde(rename = "live")]
    Live,
    /// Answers of 2022: every element prefixed `ns2:` (`xmlns:ns3` RecVit, `xmlns:ns2` Resultat,
    /// default namespace RecSans), `TIQ/Prenom` and `TypeMatricule` kept.
    #[serde(rename = "2022")]
    Y2022,
    /// The CNDA answer files: `S:Body`, `DateDeb`/`DateFin` written before `IdIndividu`.
    #[serde(rename = "cnda")]
    CndaFiles,
}

impl Dialect {
    /// Every dialect.
    pub const ALL: [Dialect; 3] = [Dialect::Live, Dialect::Y2022, Dialect::CndaFiles];

    /// The dialect's name (`live`, `2022`, `cnda`).
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Live => "live",
            Dialect::Y2022 => "2022",
            Dialect::CndaFiles => "cnda",
        }
    }

    /// The fault dialect used with this answer dialect: `Current` for live and 2022, `Legacy`
    /// for the CNDA files (the older servers that produced those files used `S:` and
    /// `xml:lang="en"`; our reading, uncertain).
    pub fn fault_dialect(self) -> FaultDialect {
        match self {
            Dialect::Live | Dialect::Y2022 => FaultDialect::Current,
            Dialect::CndaFiles => FaultDialect::Legacy,
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown dialect name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown dialect {0:?}: expected live, 2022 or cnda")]
pub struct UnknownDialect(pub String);

impl FromStr for Dialect {
    type Err = UnknownDialect;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dialect::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| UnknownDialect(s.to_owned()))
    }
}

impl Dialect {
    /// The dialect named `word` in a scenario step: `live`, `2022`, `cnda` (or `cnda-files`).
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "cnda-files" => Some(Dialect::CndaFiles),
            other => other.parse().ok(),
        }
    }
}

/// The dialect of a SOAP fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultDialect {
    /// Captured 2025–2026: prefix `soap:`, `env:Body` declaring `env` only, `xml:lang="fr"`.
    #[default]
    Current,
    /// Captured 2023 to early 2025: prefix `S:` declared with `env` on `env:Body`, `xmlns:ns4`
    /// (SOAP 1.1) on `S:Fault`, `xml:lang="en"` (with the French text all the same).
    Legacy,
}

/// Write a request: schema order, prefixes `soap`, `wsa`, `ctxbam`, `ctxlps`, `wsse`, and the
/// body's own prefix. Absent header blocks are not written. Assertions are written verbatim
/// from [`Assertion::raw_xml`](super::model::Assertion::raw_xml) inside `wsse:Security`, which
/// declares `saml:` and `ds:` for assertions that rely on an ancestor's declaration (an
/// assertion relying on other prefixes declared on an ancestor must carry its own declarations).
pub fn write_request(req: &Request) -> String {
    let mut w = W::with_capacity(2048);
    w.raw("<soap:Envelope xmlns:soap=\"");
    w.raw(n::NS_SOAP12);
    w.raw("\"><soap:Header>");
    let h = &req.headers;
    if let Some(action) = &h.action {
        w.leaf_ns("wsa:Action", n::NS_WSA, action);
    }
    if let Some(id) = &h.message_id {
        w.leaf_ns("wsa:MessageID", n::NS_WSA, id);
    }
    if let Some(bam) = &h.bam {
        write_bam(&mut w, bam);
    }
    if let Some(lps) = &h.lps {
        write_lps(&mut w, lps);
    }
    if let Some(sec) = &h.security {
        w.raw("<wsse:Security xmlns:wsse=\"");
        w.raw(n::NS_WSSE);
        w.raw("\" xmlns:saml=\"");
        w.raw(n::NS_SAML);
        w.raw("\" xmlns:ds=\"");
        w.raw(n::NS_DS);
        w.raw("\">");
        for a in &sec.assertions {
            w.raw(&a.raw_xml);
        }
        w.raw("</wsse:Security>");
    }
    w.raw("</soap:Header><soap:Body");
    if let Some(id) = &req.body_id {
        w.attr("Id", id);
    }
    w.raw(">");
    match &req.body {
        RequestBody::TraitsSearch(t) => {
            w.open_ns("rs:RECSANSVITALE", "rs", n::NS_RECSANS);
            w.opt("rs:NomNaissance", &t.nom_naissance);
            for p in &t.prenoms {
                w.leaf("rs:Prenom", p);
            }
            w.opt("rs:Sexe", &t.sexe);
            w.opt("rs:DateNaissance", &t.date_naissance);
            w.opt("rs:LieuNaissance", &t.lieu_naissance);
            w.close("rs:RECSANSVITALE");
        }
        RequestBody::CardSearch(c) => {
            w.open_ns("rv:RECVITALE", "rv", n::NS_RECVIT);
            if let Some(m) = &c.matricule_individu {
                w.open("rv:MatriculeIndividu");
                write_matricule(&mut w, "rv:", m, true);
                w.close("rv:MatriculeIndividu");
            }
            if let Some(m) = &c.matricule_od {
                w.open("rv:MatriculeOD");
                write_matricule(&mut w, "rv:", m, true);
                w.close("rv:MatriculeOD");
            }
            w.opt("rv:NomNaissance", &c.nom_naissance);
            w.opt("rv:DateNaissance", &c.date_naissance);
            w.opt("rv:RangNaissance", &c.rang_naissance);
            w.close("rv:RECVITALE");
        }
        RequestBody::Verification(v) => {
            w.open_ns("vi:VERIFINS", "vi", n::NS_VERIF);
            w.open("vi:IndividuVerifie");
            w.open("vi:INSFourni");
            write_ins_entry(&mut w, "vi:", &v.ins_fourni, true, false);
            w.close("vi:INSFourni");
            w.open("vi:TraitsIdentiteIndividu");
            let t = &v.traits;
            w.opt("vi:NomNaissance", &t.nom_naissance);
            w.opt("vi:Prenom", &t.prenom);
            w.opt("vi:ListePrenom", &t.liste_prenom);
            w.opt("vi:Sexe", &t.sexe);
            w.opt("vi:DateNaissance", &t.date_naissance);
            w.opt("vi:LieuNaissance", &t.lieu_naissance);
            w.close("vi:TraitsIdentiteIndividu");
            w.close("vi:IndividuVerifie");
            w.close("vi:VERIFINS");
        }
    }
    w.raw("</soap:Body></soap:Envelope>");
    w.0
}

fn write_bam(w: &mut W, bam: &ContexteBam) {
    w.raw("<ctxbam:ContexteBAM xmlns:ctxbam=\"");
    w.raw(n::NS_CTXBAM);
    w.raw("\"");
    if let Some(v) = &bam.version {
        w.attr(n::ATTR_VERSION, v);
    }
    if let Some(v) = &bam.nature {
        w.attr(n::ATTR_NATURE, v);
    }
    w.raw(">");
    w.opt("ctxbam:Id", &bam.id);
    w.opt("ctxbam:Temps", &bam.temps);
    w.opt("ctxbam:Emetteur", &bam.emetteur);
    w.opt("ctxbam:DateRef", &bam.date_ref);
    if let Some(c) = &bam.couverture {
        if !c.has_assure() && !c.has_beneficiaire() {
            w.raw("<ctxbam:COUVERTURE/>");
        } else {
            w.open("ctxbam:COUVERTURE");
            if let Some(num) = &c.assure_id_num {
                w.raw("<ctxbam:ASSURE><ctxbam:Id>");
                w.leaf("ctxbam:Num", num);
                w.raw("</ctxbam:Id></ctxbam:ASSURE>");
            }
            if c.has_beneficiaire() {
                w.open("ctxbam:BENEFICIAIRE");
                if let Some(num) = &c.beneficiaire_nir_num {
                    w.open("ctxbam:Nir");
                    w.leaf("ctxbam:Num", num);
                    w.close("ctxbam:Nir");
                }
                w.opt("ctxbam:DateNai", &c.beneficiaire_date_nai);
                w.opt("ctxbam:Rang", &c.beneficiaire_rang);
                w.close("ctxbam:BENEFICIAIRE");
            }
            w.close("ctxbam:COUVERTURE");
        }
    }
    w.raw("</ctxbam:ContexteBAM>");
}

fn write_lps(w: &mut W, lps: &ContexteLps) {
    w.raw("<ctxlps:ContexteLPS xmlns:ctxlps=\"");
    w.raw(n::NS_CTXLPS);
    w.raw("\"");
    if let Some(v) = &lps.version {
        w.attr(n::ATTR_VERSION, v);
    }
    if let Some(v) = &lps.nature {
        w.attr(n::ATTR_NATURE, v);
    }
    w.raw(">");
    w.opt("ctxlps:Id", &lps.id);
    w.opt("ctxlps:Temps", &lps.temps);
    w.opt("ctxlps:Emetteur", &lps.emetteur);
    if lps.has_lps() {
        w.open("ctxlps:LPS");
        if lps.idam.is_some() || lps.idam_r.is_some() {
            w.raw("<ctxlps:IDAM");
            if let Some(r) = &lps.idam_r {
                w.attr(n::ATTR_R, r);
            }
            w.raw(">");
            w.text(lps.idam.as_deref().unwrap_or_default());
            w.raw("</ctxlps:IDAM>");
        }
        w.opt("ctxlps:Version", &lps.lps_version);
        w.opt("ctxlps:Instance", &lps.instance);
        w.opt("ctxlps:Nom", &lps.nom);
        w.close("ctxlps:LPS");
    }
    w.raw("</ctxlps:ContexteLPS>");
}

/// `NumIdentifiant`, `Cle`, `TypeMatricule` with element prefix `p` (e.g. `"ns2:"` or `""`).
fn write_matricule(w: &mut W, p: &str, m: &WireMatricule, with_type: bool) {
    w.leaf_p(p, n::EL_NUM_IDENTIFIANT, &m.num_identifiant);
    w.opt_p(p, n::EL_CLE, &m.cle);
    if with_type {
        w.opt_p(p, n::EL_TYPE_MATRICULE, &m.type_matricule);
    }
}

fn write_ins_entry(w: &mut W, p: &str, e: &InsEntry, with_type: bool, dates_first: bool) {
    if dates_first {
        w.opt_p(p, n::EL_DATE_DEB, &e.date_deb);
        w.opt_p(p, n::EL_DATE_FIN, &e.date_fin);
    }
    w.open_p(p, n::EL_ID_INDIVIDU);
    write_matricule(w, p, &e.id, with_type);
    w.close_p(p, n::EL_ID_INDIVIDU);
    w.leaf_p(p, n::EL_OID, &e.oid);
    if !dates_first {
        w.opt_p(p, n::EL_DATE_DEB, &e.date_deb);
        w.opt_p(p, n::EL_DATE_FIN, &e.date_fin);
    }
}

fn write_tiq(w: &mut W, p: &str, t: &Tiq, with_prenom: bool) {
    w.open_p(p, n::EL_TIQ);
    w.opt_p(p, n::EL_NOM_NAISSANCE, &t.nom_naissance);
    if with_prenom {
        w.opt_p(p, n::EL_PRENOM, &t.prenom);
    }
    w.opt_p(p, n::EL_LISTE_PRENOM, &t.liste_prenom);
    w.opt_p(p, n::EL_SEXE, &t.sexe);
    w.opt_p(p, n::EL_DATE_NAISSANCE, &t.date_naissance);
    w.opt_p(p, n::EL_LIEU_NAISSANCE, &t.lieu_naissance);
    w.close_p(p, n::EL_TIQ);
}

/// Write a `RESULTAT` answer in `dialect`.
pub fn write_result(result: &SearchResult, dialect: Dialect) -> String {
    let mut w = W::with_capacity(1536);
    w.raw(XML_DECLARATION);
    let (p, full) = match dialect {
        Dialect::Live => {
            // Captured byte for byte (insi-protocol.md §5): `xmlns:S` before `xmlns:env`.
            w.raw("<soap:Envelope xmlns:soap=\"");
            w.raw(n::NS_SOAP12);
            w.raw("\"><env:Body xmlns:S=\"");
            w.raw(n::NS_SOAP12);
            w.raw("\" xmlns:env=\"");
            w.raw(n::NS_SOAP12);
            w.raw("\"><RESULTAT xmlns=\"");
            w.raw(n::NS_RESULTAT);
            w.raw("\" xmlns:ns0=\"");
            w.raw(n::NS_RECVIT);
            w.raw("\" xmlns:ns1=\"");
            w.raw(n::NS_RECSANS);
            w.raw("\">");
            ("", false)
        }
        Dialect::Y2022 => {
            // As captured in 2022: `ns2` is the result namespace, `ns3` the card search's and
            // the default namespace the traits search's (no element uses it).
            w.raw("<S:Envelope xmlns:S=\"");
            w.raw(n::NS_SOAP12);
            w.raw("\"><S:Body><ns2:RESULTAT xmlns:ns3=\"");
            w.raw(n::NS_RECVIT);
            w.raw("\" xmlns:ns2=\"");
            w.raw(n::NS_RESULTAT);
            w.raw("\" xmlns=\"");
            w.raw(n::NS_RECSANS);
            w.raw("\">");
            ("ns2:", true)
        }
        Dialect::CndaFiles => {
            w.raw("<soap:Envelope xmlns:soap=\"");
            w.raw(n::NS_SOAP12);
            w.raw("\"><S:Body xmlns:S=\"");
            w.raw(n::NS_SOAP12);
            w.raw("\"><RESULTAT xmlns:ns3=\"");
            w.raw(n::NS_RECVIT);
            w.raw("\" xmlns:ns2=\"");
            w.raw(n::NS_RECSANS);
            w.raw("\" xmlns=\"");
            w.raw(n::NS_RESULTAT);
            w.raw("\">");
            ("", true)
        }
    };
    let dates_first = dialect == Dialect::CndaFiles;
    w.open_p(p, n::EL_CR);
    w.leaf_p(p, n::EL_CODE_CR, &result.code_cr);
    w.leaf_p(p, n::EL_LIBELLE_CR, &result.libelle_cr);
    w.close_p(p, n::EL_CR);
    if let Some(ind) = &result.individu {
        w.open_p(p, n::EL_INDIVIDU);
        w.open_p(p, n::EL_INSACTIF);
        write_ins_entry(&mut w, p, &ind.ins_actif, full, dates_first);
        w.close_p(p, n::EL_INSACTIF);
        for h in &ind.ins_histo {
            w.open_p(p, n::EL_INSHISTO);
            write_ins_entry(&mut w, p, h, full, dates_first);
            w.close_p(p, n::EL_INSHISTO);
        }
        write_tiq(&mut w, p, &ind.tiq, full);
        w.close_p(p, n::EL_INDIVIDU);
    }
    match dialect {
        Dialect::Live => w.raw("</RESULTAT></env:Body></soap:Envelope>"),
        Dialect::Y2022 => w.raw("</ns2:RESULTAT></S:Body></S:Envelope>"),
        Dialect::CndaFiles => w.raw("</RESULTAT></S:Body></soap:Envelope>"),
    }
    w.0
}

/// Write a SOAP 1.2 fault in `dialect`, byte for byte as captured (insi-protocol.md §5):
/// the XML declaration and a line feed; `soap:Envelope`; `env:Body` declaring `env` (and, in the
/// legacy dialect, `S` first); the fault elements prefixed `soap:` (current) or `S:` (legacy,
/// with the unused `xmlns:ns4` of SOAP 1.1 on `S:Fault`); the subcode QName with the envelope
/// prefix (`soap:siram_100`); `siram:Erreur` declaring `urn:siram` after its attributes, in the
/// order `code`, `messageID`, `severite`, or `severite`, `code` for the older `insi_102`
/// variant ([`Erreur::severite_first`](super::model::Erreur::severite_first)).
pub fn write_fault(fault: &Fault, dialect: FaultDialect) -> String {
    let (p, lang) = match dialect {
        FaultDialect::Current => ("soap", n::LANG_CURRENT),
        FaultDialect::Legacy => ("S", n::LANG_LEGACY),
    };
    let mut w = W::with_capacity(1024);
    w.raw(XML_DECLARATION);
    let tag = |w: &mut W, close: bool, local: &str| {
        w.raw(if close { "</" } else { "<" });
        w.raw(p);
        w.raw(":");
        w.raw(local);
    };
    w.raw("<soap:Envelope xmlns:soap=\"");
    w.raw(n::NS_SOAP12);
    w.raw("\"><env:Body");
    if dialect == FaultDialect::Legacy {
        w.raw(" xmlns:S=\"");
        w.raw(n::NS_SOAP12);
        w.raw("\"");
    }
    w.raw(" xmlns:env=\"");
    w.raw(n::NS_SOAP12);
    w.raw("\">");
    tag(&mut w, false, n::EL_FAULT);
    if dialect == FaultDialect::Legacy {
        w.raw(" xmlns:ns4=\"");
        w.raw(n::NS_SOAP11);
        w.raw("\"");
    }
    w.raw(">");
    tag(&mut w, false, n::EL_CODE);
    w.raw(">");
    tag(&mut w, false, n::EL_VALUE);
    w.raw(">");
    w.raw(p);
    w.raw(":");
    w.raw(fault.value.local_name());
    tag(&mut w, true, n::EL_VALUE);
    w.raw(">");
    tag(&mut w, false, n::EL_SUBCODE);
    w.raw(">");
    tag(&mut w, false, n::EL_VALUE);
    w.raw(">");
    w.raw(p);
    w.raw(":");
    w.text(&fault.subcode);
    tag(&mut w, true, n::EL_VALUE);
    w.raw(">");
    tag(&mut w, true, n::EL_SUBCODE);
    w.raw(">");
    tag(&mut w, true, n::EL_CODE);
    w.raw(">");
    tag(&mut w, false, n::EL_REASON);
    w.raw(">");
    tag(&mut w, false, n::EL_TEXT);
    w.raw(" xml:lang=\"");
    w.raw(lang);
    w.raw("\">");
    w.text(&fault.reason);
    tag(&mut w, true, n::EL_TEXT);
    w.raw(">");
    tag(&mut w, true, n::EL_REASON);
    w.raw(">");
    tag(&mut w, false, n::EL_DETAIL);
    w.raw("><siram:Erreur");
    let e = &fault.erreur;
    if e.severite_first {
        w.attr("severite", &e.severite);
        w.attr("code", &e.code);
        if let Some(id) = &e.message_id {
            w.attr("messageID", id);
        }
    } else {
        w.attr("code", &e.code);
        if let Some(id) = &e.message_id {
            w.attr("messageID", id);
        }
        w.attr("severite", &e.severite);
    }
    w.raw(" xmlns:siram=\"");
    w.raw(n::NS_SIRAM);
    w.raw("\">");
    w.text(&e.text);
    w.raw("</siram:Erreur>");
    for local in [n::EL_DETAIL, n::EL_FAULT] {
        tag(&mut w, true, local);
        w.raw(">");
    }
    w.raw("</env:Body></soap:Envelope>");
    w.0
}

/// Write an answer: a result in `dialect`, or a fault in `dialect`'s fault dialect
/// ([`Dialect::fault_dialect`]: live and 2022 → `Current`, CNDA files → `Legacy`).
pub fn write_response(resp: &Response, dialect: Dialect) -> String {
    match resp {
        Response::Result(r) => write_result(r, dialect),
        Response::Fault(f) => write_fault(f, dialect.fault_dialect()),
    }
}

/// A string being written, with the escaping helpers.
struct W(String);

impl W {
    fn with_capacity(n: usize) -> Self {
        W(String::with_capacity(n))
    }

    fn raw(&mut self, s: &str) {
        self.0.push_str(s);
    }

    /// Text content: `&`, `<`, `>` escaped, `\r` as a character reference (a literal `\r`
    /// would be normalised away by any XML reader).
    fn text(&mut self, s: &str) {
        escape_into(&mut self.0, s, false);
    }

    /// ` name="value"`, value escaped for a double-quoted attribute.
    fn attr(&mut self, name: &str, value: &str) {
        self.0.push(' ');
        self.0.push_str(name);
        self.0.push_str("=\"");
        escape_into(&mut self.0, value, true);
        self.0.push('"');
    }

    fn open(&mut self, qname: &str) {
        self.0.push('<');
        self.0.push_str(qname);
        self.0.push('>');
    }

    fn open_ns(&mut self, qname: &str, prefix: &str, ns: &str) {
        self.0.push('<');
        self.0.push_str(qname);
        self.0.push_str(" xmlns:");
        self.0.push_str(prefix);
        self.0.push_str("=\"");
        self.0.push_str(ns);
        self.0.push_str("\">");
    }

    fn close(&mut self, qname: &str) {
        self.0.push_str("</");
        self.0.push_str(qname);
        self.0.push('>');
    }

    fn leaf(&mut self, qname: &str, value: &str) {
        self.open(qname);
        self.text(value);
        self.close(qname);
    }

    /// A leaf with its own namespace declaration, prefix taken from `qname`.
    fn leaf_ns(&mut self, qname: &str, ns: &str, value: &str) {
        let prefix = qname.split(':').next().unwrap_or_default();
        self.open_ns(qname, prefix, ns);
        self.text(value);
        self.close(qname);
    }

    fn opt(&mut self, qname: &str, value: &Option<String>) {
        if let Some(v) = value {
            self.leaf(qname, v);
        }
    }

    fn open_p(&mut self, p: &str, local: &str) {
        self.0.push('<');
        self.0.push_str(p);
        self.0.push_str(local);
        self.0.push('>');
    }

    fn close_p(&mut self, p: &str, local: &str) {
        self.0.push_str("</");
        self.0.push_str(p);
        self.0.push_str(local);
        self.0.push('>');
    }

    fn leaf_p(&mut self, p: &str, local: &str, value: &str) {
        self.open_p(p, local);
        self.text(value);
        self.close_p(p, local);
    }

    fn opt_p(&mut self, p: &str, local: &str, value: &Option<String>) {
        if let Some(v) = value {
            self.leaf_p(p, local, v);
        }
    }
}

fn escape_into(out: &mut String, s: &str, attribute: bool) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\r' => "&#13;",
            b'"' if attribute => "&quot;",
            b'\n' if attribute => "&#10;",
            b'\t' if attribute => "&#9;",
            _ => continue,
        };
        // `i` is at an ASCII byte, hence a character boundary.
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_attributes() {
        let mut s = String::new();
        escape_into(&mut s, "a&b<c>\"d\"\r\n\té", false);
        assert_eq!(s, "a&amp;b&lt;c&gt;\"d\"&#13;\n\té");
        s.clear();
        escape_into(&mut s, "a&b<c>\"d\"\r\n\té", true);
        assert_eq!(s, "a&amp;b&lt;c&gt;&quot;d&quot;&#13;&#10;&#9;é");
    }

    #[test]
    fn dialect_names_round_trip() {
        for d in Dialect::ALL {
            assert_eq!(d.to_string().parse::<Dialect>(), Ok(d));
        }
        assert!("LIVE".parse::<Dialect>().is_err());
        assert_eq!(
            content_type(Operation::TraitsSearch),
            "application/soap+xml; charset=utf-8; action=\"urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite\""
        );
    }
}
