//! Checks of an answer: what a client must verify before storing it, and what `lint` reports.

use super::request::first_name_consistent;
use super::{Finding, Findings, RuleId, quote};
use crate::ins::lexical::{self, NameKind};
use crate::ins::{BirthDate, Cog, Matricule, Oid};
use crate::insi::names;
use crate::insi::{Fault, Individu, InsEntry, Response, SearchResult};

/// Checks an answer against the catalogue; never panics.
pub fn check_response(resp: &Response) -> Vec<Finding> {
    let mut f = Findings::default();
    match resp {
        Response::Result(r) => check_result(&mut f, r),
        Response::Fault(fault) => check_fault(&mut f, fault),
    }
    f.0
}

/// Checks the `INDIVIDU` of a `00` answer (`INSI-RSP-003` when there is none, then the
/// completeness, key and OID rules): what a client must verify before storing it.
pub fn check_found(individu: Option<&Individu>) -> Vec<Finding> {
    let mut f = Findings::default();
    match individu {
        None => f.push(
            RuleId::Rsp003,
            p("Body/RESULTAT/INDIVIDU"),
            "CodeCR 00 without INDIVIDU".into(),
        ),
        Some(i) => check_individu(&mut f, i),
    }
    f.0
}

fn p(path: &str) -> Option<String> {
    Some(path.to_owned())
}

fn check_result(f: &mut Findings, r: &SearchResult) {
    const CR: &str = "Body/RESULTAT/CR";
    let expected_label = [names::CR_OK, names::CR_NOT_FOUND, names::CR_SEVERAL]
        .into_iter()
        .find(|(code, _)| *code == r.code_cr)
        .map(|(_, label)| label);
    match expected_label {
        None => f.push(
            RuleId::Rsp001,
            Some(format!("{CR}/CodeCR")),
            format!("CodeCR {} is not 00, 01 or 02", quote(&r.code_cr)),
        ),
        Some(label) if label != r.libelle_cr => f.push(
            RuleId::Rsp002,
            Some(format!("{CR}/LibelleCR")),
            format!(
                "LibelleCR {} is not {label:?}, the label of CodeCR {}",
                quote(&r.libelle_cr),
                r.code_cr
            ),
        ),
        Some(_) => {}
    }
    let ok = r.code_cr == names::CR_OK.0;
    match (&r.individu, ok) {
        (None, true) => f.push(
            RuleId::Rsp003,
            p("Body/RESULTAT/INDIVIDU"),
            "CodeCR 00 without INDIVIDU".into(),
        ),
        (Some(_), false) if expected_label.is_some() => f.push(
            RuleId::Rsp004,
            p("Body/RESULTAT/INDIVIDU"),
            format!("CodeCR {} with an INDIVIDU", r.code_cr),
        ),
        (Some(i), true) => check_individu(f, i),
        _ => {}
    }
}

fn missing(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn check_individu(f: &mut Findings, i: &Individu) {
    const I: &str = "Body/RESULTAT/INDIVIDU";
    check_entry(f, &format!("{I}/INSACTIF"), &i.ins_actif);
    for (n, h) in i.ins_histo.iter().enumerate() {
        check_entry(f, &format!("{I}/INSHISTO[{}]", n + 1), h);
    }
    let t = &i.tiq;
    let tiq = format!("{I}/TIQ");
    for (name, v) in [
        ("NomNaissance", &t.nom_naissance),
        ("ListePrenom", &t.liste_prenom),
        ("Sexe", &t.sexe),
        ("DateNaissance", &t.date_naissance),
        ("LieuNaissance", &t.lieu_naissance),
    ] {
        if missing(v) {
            f.push(
                RuleId::Rsp005,
                Some(format!("{tiq}/{name}")),
                format!("00 answer without TIQ/{name}"),
            );
        }
    }
    let mut advise = |name: &str, message: String| {
        f.push(RuleId::Rsp011, Some(format!("{tiq}/{name}")), message);
    };
    if let Some(n) = t.nom_naissance.as_deref().filter(|s| !s.is_empty()) {
        for v in lexical::validate(n, NameKind::BirthName) {
            advise(
                "NomNaissance",
                format!("TIQ/NomNaissance: {} ({})", v.message, v.rule_id),
            );
        }
    }
    for (name, value) in [("Prenom", &t.prenom), ("ListePrenom", &t.liste_prenom)] {
        if let Some(n) = value.as_deref().filter(|s| !s.is_empty()) {
            for v in lexical::validate(n, NameKind::FirstName) {
                advise(name, format!("TIQ/{name}: {} ({})", v.message, v.rule_id));
            }
        }
    }
    if let Some(s) = t.sexe.as_deref().filter(|s| !s.is_empty())
        && s != "M"
        && s != "F"
    {
        advise("Sexe", format!("TIQ/Sexe {} is not M or F", quote(s)));
    }
    if let Some(d) = t.date_naissance.as_deref().filter(|s| !s.is_empty())
        && let Err(e) = BirthDate::parse(d)
    {
        advise("DateNaissance", format!("TIQ/DateNaissance: {e}"));
    }
    if let Some(l) = t.lieu_naissance.as_deref().filter(|s| !s.is_empty())
        && let Err(e) = Cog::parse(l)
    {
        advise("LieuNaissance", format!("TIQ/LieuNaissance: {e}"));
    }
    if let (Some(pr), Some(list)) = (t.prenom.as_deref(), t.liste_prenom.as_deref())
        && !pr.is_empty()
        && !first_name_consistent(pr, list)
    {
        f.push(
            RuleId::Rsp012,
            Some(format!("{tiq}/Prenom")),
            format!(
                "TIQ/Prenom {} is not the start of ListePrenom {}",
                quote(pr),
                quote(list)
            ),
        );
    }
}

fn check_entry(f: &mut Findings, path: &str, e: &InsEntry) {
    let id = &e.id;
    let num_path = Some(format!("{path}/IdIndividu/NumIdentifiant"));
    let cle_path = Some(format!("{path}/IdIndividu/Cle"));
    if id.num_identifiant.trim().is_empty() {
        f.push(
            RuleId::Rsp005,
            num_path.clone(),
            format!("{path} has no NumIdentifiant"),
        );
    }
    match id.cle.as_deref() {
        None | Some("") => f.push(
            RuleId::Rsp005,
            cle_path.clone(),
            format!("{path} has no Cle"),
        ),
        Some(cle) if !id.num_identifiant.trim().is_empty() => {
            match Matricule::from_parts_unchecked_key(&id.num_identifiant, cle) {
                Err(err) => f.push(
                    RuleId::Rsp006,
                    num_path,
                    format!(
                        "{path} matricule {} key {}: {err}",
                        quote(&id.num_identifiant),
                        quote(cle)
                    ),
                ),
                Ok(m) if !m.is_key_valid() => f.push(
                    RuleId::Rsp007,
                    cle_path,
                    format!(
                        "{path} key {:02} of {} is wrong, expected {:02}",
                        m.key(),
                        m.body(),
                        m.expected_key()
                    ),
                ),
                Ok(_) => {}
            }
        }
        Some(_) => {}
    }
    let oid_path = Some(format!("{path}/OID"));
    if e.oid.trim().is_empty() {
        f.push(RuleId::Rsp005, oid_path, format!("{path} has no OID"));
    } else {
        match Oid::parse(&e.oid) {
            Err(err) => f.push(RuleId::Rsp008, oid_path, format!("{path}: {err}")),
            Ok(oid) => {
                if oid.is_test_or_demo() {
                    f.push(
                        RuleId::Rsp013,
                        oid_path,
                        format!("{path} oid {} is {}", oid.as_str(), oid.label()),
                    );
                }
                if let Some(t) = id.type_matricule.as_deref()
                    && ((t == "NIA") != (oid == Oid::Nia))
                {
                    f.push(
                        RuleId::Rsp009,
                        Some(format!("{path}/IdIndividu/TypeMatricule")),
                        format!(
                            "{path} TypeMatricule {} with oid {}",
                            quote(t),
                            oid.as_str()
                        ),
                    );
                }
            }
        }
    }
    if let (Some(deb), Some(fin)) = (e.date_deb.as_deref(), e.date_fin.as_deref())
        && let (Ok(BirthDate::Full(d)), Ok(BirthDate::Full(df))) =
            (BirthDate::parse(deb), BirthDate::parse(fin))
        && d > df
    {
        f.push(
            RuleId::Rsp010,
            Some(format!("{path}/DateDeb")),
            format!("{path} DateDeb {deb} is after DateFin {fin}"),
        );
    }
}

fn check_fault(f: &mut Findings, fault: &Fault) {
    const D: &str = "Body/Fault/Detail/Erreur";
    if fault
        .erreur
        .message_id
        .as_deref()
        .is_none_or(|m| m.trim().is_empty())
    {
        f.push(
            RuleId::Flt001,
            Some(format!("{D}/@messageID")),
            "fault without siram:Erreur/@messageID".into(),
        );
    }
    if fault.subcode.trim().is_empty() {
        f.push(
            RuleId::Flt002,
            p("Body/Fault/Code/Subcode"),
            "fault without Code/Subcode".into(),
        );
    }
    if fault.erreur.code.trim().is_empty() {
        f.push(
            RuleId::Flt002,
            Some(format!("{D}/@code")),
            "fault without siram:Erreur/@code".into(),
        );
    }
    if !matches!(
        fault.erreur.severite.as_str(),
        "information" | "avertissement" | "erreur" | "fatale"
    ) {
        f.push(
            RuleId::Flt003,
            Some(format!("{D}/@severite")),
            format!(
                "siram:Erreur/@severite {} is not information, avertissement, erreur or fatale",
                quote(&fault.erreur.severite)
            ),
        );
    }
}
