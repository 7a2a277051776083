//! Checks of a request: headers, Content-Type, body traits.

use time::PrimitiveDateTime;
use time::macros::format_description;

use super::{Finding, Findings, RuleId, quote};
use crate::ins::lexical::{self, NameKind};
use crate::ins::{BirthDate, Cog, CogKind, Matricule, Oid};
use crate::insi::names::{self, Operation};
use crate::insi::{
    CardSearch, ContexteBam, ContexteLps, Request, RequestBody, Security, TraitsSearch,
    Verification, WireMatricule,
};

/// Longest trait value checked, in characters (far above real names; keeps requests bounded).
pub const MAX_TRAIT_CHARS: usize = 200;
/// Most first names in one search.
pub const MAX_FIRST_NAMES: usize = 20;

/// What the transport knew about the request, when the caller has it.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckContext<'a> {
    /// The HTTP `Content-Type` header value.
    pub content_type: Option<&'a str>,
    /// The action parameter, when the caller already extracted it (otherwise it is read from
    /// `content_type`).
    pub http_action: Option<&'a str>,
}

/// Checks a request against the catalogue; never panics.
pub fn check_request(req: &Request, ctx: &CheckContext) -> Vec<Finding> {
    let mut f = Findings::default();
    let op = req.operation();
    check_addressing(&mut f, req, op);
    match &req.headers.bam {
        None => f.push(
            RuleId::Hdr006,
            p("Header/ContexteBAM"),
            "ContexteBAM header is missing".into(),
        ),
        Some(bam) => check_bam(&mut f, bam, op),
    }
    match &req.headers.lps {
        None => f.push(
            RuleId::Hdr013,
            p("Header/ContexteLPS"),
            "ContexteLPS header is missing".into(),
        ),
        Some(lps) => check_lps(&mut f, lps),
    }
    if let Some(sec) = &req.headers.security {
        check_security(&mut f, sec);
    }
    check_content_type(&mut f, req, ctx);
    match &req.body {
        RequestBody::TraitsSearch(t) => check_traits_search(&mut f, t),
        RequestBody::CardSearch(c) => check_card_search(&mut f, c),
        RequestBody::Verification(v) => check_verification(&mut f, v),
    }
    f.0
}

fn p(path: &str) -> Option<String> {
    Some(path.to_owned())
}

fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn check_addressing(f: &mut Findings, req: &Request, op: Operation) {
    match req.headers.action.as_deref().map(str::trim) {
        None | Some("") => f.push(
            RuleId::Hdr001,
            p("Header/Action"),
            "wsa:Action is missing or empty".into(),
        ),
        Some(action) => match Operation::from_action(action) {
            None => f.push(
                RuleId::Hdr002,
                p("Header/Action"),
                format!(
                    "wsa:Action {} is not the action of an insi operation",
                    quote(action)
                ),
            ),
            Some(a) if a != op => f.push(
                RuleId::Hdr003,
                p("Header/Action"),
                format!(
                    "wsa:Action is {} but the body is {} ({})",
                    a.name(),
                    op.body_element(),
                    op.name()
                ),
            ),
            Some(_) => {}
        },
    }
    match req.headers.message_id.as_deref().map(str::trim) {
        None | Some("") => f.push(
            RuleId::Hdr004,
            p("Header/MessageID"),
            "wsa:MessageID is missing or empty".into(),
        ),
        Some(id) => {
            if !id.strip_prefix("uuid:").is_some_and(is_uuid) {
                f.push(
                    RuleId::Hdr005,
                    p("Header/MessageID"),
                    format!("wsa:MessageID {} is not of the form uuid:<UUID>", quote(id)),
                );
            }
        }
    }
}

/// 8-4-4-4-12 hexadecimal digits.
fn is_uuid(s: &str) -> bool {
    // Hyphens at offsets 8, 13, 18 and 23, hexadecimal digits everywhere else: each byte
    // compared with what its offset wants, in one pass without branches.
    const HYPHEN: [bool; 36] = {
        let mut at = [false; 36];
        at[8] = true;
        at[13] = true;
        at[18] = true;
        at[23] = true;
        at
    };
    s.len() == 36
        && s.bytes().zip(HYPHEN).fold(true, |ok, (b, hyphen)| {
            ok & if hyphen {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, a real calendar time.
fn is_utc_millis(s: &str) -> bool {
    // The common case, decided without the format machinery: exactly that shape in ASCII
    // digits, then the calendar. Anything else goes to the `time` parser, the reference.
    if let Some(fast) = utc_millis_fast(s.as_bytes()) {
        return fast;
    }
    let fmt =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    PrimitiveDateTime::parse(s, &fmt).is_ok()
}

/// `Some(valid)` when `b` is `DDDD-DD-DDTDD:DD:DD.DDDZ` (D an ASCII digit), `None` otherwise.
fn utc_millis_fast(b: &[u8]) -> Option<bool> {
    const SHAPE: &[u8; 24] = b"0000-00-00T00:00:00.000Z";
    if b.len() != SHAPE.len() {
        return None;
    }
    for (c, want) in b.iter().zip(SHAPE) {
        let ok = if *want == b'0' {
            c.is_ascii_digit()
        } else {
            c == want
        };
        if !ok {
            return None;
        }
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let (year, month, day) = (num(0..4), num(5..7), num(8..10));
    let (hour, minute, second, milli) = (num(11..13), num(14..16), num(17..19), num(20..23));
    let date = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .zip(u8::try_from(day).ok())
        .and_then(|(m, d)| time::Date::from_calendar_date(year as i32, m, d).ok());
    let clock = u8::try_from(hour)
        .ok()
        .zip(u8::try_from(minute).ok())
        .zip(u8::try_from(second).ok())
        .zip(u16::try_from(milli).ok())
        .and_then(|(((h, mi), s), ms)| time::Time::from_hms_milli(h, mi, s, ms).ok());
    Some(date.is_some() && clock.is_some())
}

fn check_version(
    f: &mut Findings,
    rule_id: RuleId,
    header: &str,
    found: &Option<String>,
    expected: &str,
) {
    if found.as_deref() != Some(expected) {
        let what = found.as_deref().map_or("missing".to_owned(), quote);
        f.push(
            rule_id,
            Some(format!("Header/{header}/@Version")),
            format!("{header}/@Version is {what}, expected {expected:?}"),
        );
    }
}

fn check_nature(
    f: &mut Findings,
    rule_id: RuleId,
    header: &str,
    found: &Option<String>,
    expected: &str,
) {
    if let Some(n) = found.as_deref()
        && n != expected
    {
        f.push(
            rule_id,
            Some(format!("Header/{header}/@Nature")),
            format!("{header}/@Nature is {}, expected {expected:?}", quote(n)),
        );
    }
}

fn check_temps(f: &mut Findings, rule_id: RuleId, header: &str, temps: &Option<String>) {
    let path = || Some(format!("Header/{header}/Temps"));
    match temps.as_deref() {
        None => f.push(rule_id, path(), format!("{header}/Temps is missing")),
        Some(t) if !is_utc_millis(t) => f.push(
            rule_id,
            path(),
            format!(
                "{header}/Temps {} is not of the form YYYY-MM-DDTHH:MM:SS.mmmZ",
                quote(t)
            ),
        ),
        Some(_) => {}
    }
}

fn check_bam(f: &mut Findings, bam: &ContexteBam, op: Operation) {
    const H: &str = "ContexteBAM";
    check_version(f, RuleId::Hdr007, H, &bam.version, names::CTXBAM_VERSION);
    check_nature(f, RuleId::Hdr008, H, &bam.nature, names::CTXBAM_NATURE);
    match bam.id.as_deref().map(str::trim) {
        Some(id) if is_uuid(id) => {}
        other => f.push(
            RuleId::Hdr009,
            p("Header/ContexteBAM/Id"),
            match other {
                None | Some("") => "ContexteBAM/Id is missing or empty".into(),
                Some(id) => format!("ContexteBAM/Id {} is not a uuid", quote(id)),
            },
        ),
    }
    check_temps(f, RuleId::Hdr010, H, &bam.temps);
    match &bam.couverture {
        None => f.push(
            RuleId::Hdr011,
            p("Header/ContexteBAM/COUVERTURE"),
            "ContexteBAM/COUVERTURE is missing (it is required, empty for a traits search)".into(),
        ),
        Some(c) => {
            let empty = !c.has_assure() && !c.has_beneficiaire();
            match op {
                Operation::CardSearch if empty => f.push(
                    RuleId::Vit003,
                    p("Header/ContexteBAM/COUVERTURE"),
                    "ContexteBAM/COUVERTURE is empty in a vitale search".into(),
                ),
                Operation::TraitsSearch if !empty => f.push(
                    RuleId::Hdr012,
                    p("Header/ContexteBAM/COUVERTURE"),
                    "ContexteBAM/COUVERTURE must be empty in a traits search".into(),
                ),
                _ => {}
            }
        }
    }
}

fn check_lps(f: &mut Findings, lps: &ContexteLps) {
    const H: &str = "ContexteLPS";
    check_version(f, RuleId::Hdr014, H, &lps.version, names::CTXLPS_VERSION);
    check_nature(f, RuleId::Hdr015, H, &lps.nature, names::CTXLPS_NATURE);
    if blank(&lps.id) {
        f.push(
            RuleId::Hdr016,
            p("Header/ContexteLPS/Id"),
            "ContexteLPS/Id is missing or empty".into(),
        );
    }
    check_temps(f, RuleId::Hdr017, H, &lps.temps);
    if blank(&lps.idam) {
        f.push(
            RuleId::Hdr018,
            p("Header/ContexteLPS/LPS/IDAM"),
            "ContexteLPS/LPS/IDAM is missing or empty: the service answers desir_550".into(),
        );
    }
    if lps.idam_r.as_deref() != Some(names::IDAM_R) {
        let what = lps.idam_r.as_deref().map_or("missing".to_owned(), quote);
        f.push(
            RuleId::Hdr019,
            p("Header/ContexteLPS/LPS/IDAM/@R"),
            format!("ContexteLPS/LPS/IDAM/@R is {what}, expected \"4\""),
        );
    }
    let missing: Vec<&str> = [
        ("Version", &lps.lps_version),
        ("Instance", &lps.instance),
        ("Nom", &lps.nom),
    ]
    .into_iter()
    .filter(|(_, v)| blank(v))
    .map(|(n, _)| n)
    .collect();
    if !missing.is_empty() {
        f.push(
            RuleId::Hdr020,
            p("Header/ContexteLPS/LPS"),
            format!("ContexteLPS/LPS lacks {}", missing.join(", ")),
        );
    }
}

fn check_security(f: &mut Findings, sec: &Security) {
    for (i, a) in sec.assertions.iter().enumerate() {
        let path = Some(format!("Header/Security/Assertion[{}]", i + 1));
        if !a.has_signature {
            f.push(
                RuleId::Sec001,
                path.clone(),
                "saml assertion carries no ds:Signature".into(),
            );
        }
        if !matches!(a.name_qualifier.as_deref(), Some("CPS" | "PSC")) {
            let what = a
                .name_qualifier
                .as_deref()
                .map_or("missing".to_owned(), quote);
            f.push(
                RuleId::Sec002,
                path,
                format!("saml NameID/@NameQualifier is {what}, expected \"CPS\" or \"PSC\""),
            );
        }
    }
}

fn check_content_type(f: &mut Findings, req: &Request, ctx: &CheckContext) {
    let path = p("HTTP/Content-Type");
    if let Some(ct) = ctx.content_type {
        let media = ct.split(';').next().unwrap_or("").trim();
        if !media.eq_ignore_ascii_case("application/soap+xml") {
            f.push(
                RuleId::Hdr023,
                path.clone(),
                format!(
                    "Content-Type {} is not application/soap+xml (soap 1.2)",
                    quote(media)
                ),
            );
        }
    }
    let action = ctx.http_action.or_else(|| {
        ctx.content_type
            .and_then(crate::insi::content_type::action_parameter)
    });
    match (action, ctx.content_type) {
        (Some(a), _) => {
            let wsa = req.headers.action.as_deref().map(str::trim);
            let expected = wsa
                .filter(|w| !w.is_empty())
                .unwrap_or(req.operation().action());
            if a.trim() != expected {
                f.push(
                    RuleId::Hdr022,
                    path,
                    format!(
                        "Content-Type action {} differs from wsa:Action {}",
                        quote(a),
                        quote(expected)
                    ),
                );
            }
        }
        (None, Some(_)) => f.push(
            RuleId::Hdr021,
            path,
            "Content-Type has no action parameter".into(),
        ),
        (None, None) => {}
    }
}

/// One finding per lexical rule a value breaks (a lower-case name is one finding, not one per
/// letter): the first violation's message, then the other characters and positions.
fn lexical_findings(f: &mut Findings, rule_id: RuleId, path: &str, value: &str, kind: NameKind) {
    let violations = lexical::validate(value, kind);
    let mut seen_rules: Vec<_> = Vec::new();
    for v in &violations {
        if seen_rules.contains(&v.rule_id) {
            continue;
        }
        seen_rules.push(v.rule_id);
        let others: Vec<String> = violations
            .iter()
            .filter(|o| o.rule_id == v.rule_id && o.position != v.position)
            .map(|o| match o.found {
                Some(c) => format!("{c:?} at {}", o.position),
                None => format!("at {}", o.position),
            })
            .collect();
        let more = if others.is_empty() {
            String::new()
        } else {
            format!(
                "; {} more in {value:?}: {}",
                others.len(),
                others.join(", ")
            )
        };
        f.push(
            rule_id,
            Some(path.to_owned()),
            format!("{path}: {}{more} ({})", v.message, v.rule_id),
        );
    }
}

pub(super) fn check_birth_name(f: &mut Findings, base: &str, nom: &Option<String>) {
    let path = [base, "/NomNaissance"].concat();
    match nom.as_deref() {
        None | Some("") => f.push(
            RuleId::Trt001,
            Some(path),
            "NomNaissance is missing or empty: the service answers insi_19".into(),
        ),
        Some(n) => {
            if !too_long(f, &path, n) {
                lexical_findings(f, RuleId::Trt002, &path, n, NameKind::BirthName);
            }
        }
    }
}

/// Pushes `INSI-TRT-014` when `value` is longer than [`MAX_TRAIT_CHARS`].
fn too_long(f: &mut Findings, path: &str, value: &str) -> bool {
    let long = value.chars().count() > MAX_TRAIT_CHARS;
    if long {
        f.push(
            RuleId::Trt014,
            Some(path.to_owned()),
            format!("{path} is longer than {MAX_TRAIT_CHARS} characters"),
        );
    }
    long
}

/// First names of one search, each checked (count, length, lexical profile), at
/// `{base}/Prenom` (or `{base}/Prenom[i]` when there are several).
pub(super) fn check_first_names(f: &mut Findings, base: &str, prenoms: &[String]) {
    if prenoms.iter().all(|p| p.is_empty()) {
        f.push(
            RuleId::Trt003,
            Some(format!("{base}/Prenom")),
            "no first name is sent".into(),
        );
        return;
    }
    if prenoms.len() > MAX_FIRST_NAMES {
        f.push(
            RuleId::Trt014,
            Some(format!("{base}/Prenom")),
            format!("more than {MAX_FIRST_NAMES} first names"),
        );
        return;
    }
    for (i, prenom) in prenoms.iter().enumerate() {
        let path = if prenoms.len() > 1 {
            format!("{base}/Prenom[{}]", i + 1)
        } else {
            [base, "/Prenom"].concat()
        };
        if !too_long(f, &path, prenom) {
            lexical_findings(f, RuleId::Trt004, &path, prenom, NameKind::FirstName);
        }
    }
}

pub(super) fn check_sex(f: &mut Findings, base: &str, sexe: &Option<String>) {
    let path = || Some([base, "/Sexe"].concat());
    match sexe.as_deref() {
        None => f.push(RuleId::Trt006, path(), "Sexe is missing".into()),
        Some("M" | "F") => {}
        Some(s) => f.push(
            RuleId::Trt007,
            path(),
            format!("Sexe {} is not M or F", quote(s)),
        ),
    }
}

/// Rule id of a birth date with an unknown year (`0000-…`): the simulator faults on it and the
/// reference client refuses to send it.
pub const UNKNOWN_YEAR: RuleId = RuleId::Trt013;

pub(super) fn check_date(f: &mut Findings, base: &str, date: &Option<String>) {
    let path = || Some([base, "/DateNaissance"].concat());
    match date.as_deref() {
        None => f.push(RuleId::Trt008, path(), "DateNaissance is missing".into()),
        Some(d) => match BirthDate::parse(d) {
            Ok(BirthDate::Incomplete { year: None, .. }) => f.push(
                UNKNOWN_YEAR,
                path(),
                format!(
                    "DateNaissance {} has an unknown year: it must not reach the service",
                    quote(d)
                ),
            ),
            Ok(b) if b.is_incomplete() => f.push(
                RuleId::Trt010,
                path(),
                format!("DateNaissance {} has unknown parts", quote(d)),
            ),
            Ok(_) => {}
            Err(e) => f.push(RuleId::Trt009, path(), format!("DateNaissance: {e}")),
        },
    }
}

pub(super) fn check_birthplace(f: &mut Findings, base: &str, lieu: &Option<String>) {
    let Some(l) = lieu.as_deref() else { return };
    let path = || Some([base, "/LieuNaissance"].concat());
    match Cog::parse(l) {
        Ok(c) if c.kind() == CogKind::CorsicaLegacy => f.push(
            RuleId::Trt012,
            path(),
            format!("LieuNaissance {} is a pre-1976 corsica code", quote(l)),
        ),
        Ok(_) => {}
        Err(e) => f.push(RuleId::Trt011, path(), format!("LieuNaissance: {e}")),
    }
}

fn check_traits_search(f: &mut Findings, t: &TraitsSearch) {
    const B: &str = "Body/RECSANSVITALE";
    check_birth_name(f, B, &t.nom_naissance);
    if t.prenoms.len() > 1 && t.prenoms.iter().any(|p| !p.is_empty()) {
        f.push(
            RuleId::Trt005,
            p("Body/RECSANSVITALE/Prenom"),
            format!("{} Prenom elements: send one per call", t.prenoms.len()),
        );
    }
    check_first_names(f, B, &t.prenoms);
    check_sex(f, B, &t.sexe);
    check_date(f, B, &t.date_naissance);
    check_birthplace(f, B, &t.lieu_naissance);
}

pub(super) fn matricule_problem(m: &WireMatricule) -> Option<String> {
    let Some(cle) = m.cle.as_deref() else {
        return Some(format!(
            "matricule {} has no Cle",
            quote(&m.num_identifiant)
        ));
    };
    Matricule::from_parts(&m.num_identifiant, cle)
        .err()
        .map(|e| {
            format!(
                "matricule {} key {}: {e}",
                quote(&m.num_identifiant),
                quote(cle)
            )
        })
}

fn check_card_search(f: &mut Findings, c: &CardSearch) {
    const B: &str = "Body/RECVITALE";
    if c.matricule_individu.is_none() && c.matricule_od.is_none() {
        f.push(
            RuleId::Vit001,
            p(B),
            "RECVITALE has neither MatriculeIndividu nor MatriculeOD".into(),
        );
    }
    for (name, m) in [
        ("MatriculeIndividu", &c.matricule_individu),
        ("MatriculeOD", &c.matricule_od),
    ] {
        if let Some(problem) = m.as_ref().and_then(matricule_problem) {
            f.push(RuleId::Vit002, Some(format!("{B}/{name}")), problem);
        }
    }
    if let Some(n) = c.nom_naissance.as_deref() {
        let path = format!("{B}/NomNaissance");
        if !too_long(f, &path, n) {
            lexical_findings(f, RuleId::Trt002, &path, n, NameKind::BirthName);
        }
    }
    check_rank(
        f,
        &format!("{B}/RangNaissance"),
        c.rang_naissance.as_deref(),
    );
}

/// Pushes `INSI-VIT-004` when a `RangNaissance` is sent and is not 1 to 9.
pub(super) fn check_rank(f: &mut Findings, path: &str, rank: Option<&str>) {
    if let Some(r) = rank
        && !matches!(r.parse::<u8>(), Ok(1..=9))
    {
        f.push(
            RuleId::Vit004,
            Some(path.to_owned()),
            format!("RangNaissance {} is not a number from 1 to 9", quote(r)),
        );
    }
}

fn check_verification(f: &mut Findings, v: &Verification) {
    const B: &str = "Body/VERIFINS/IndividuVerifie";
    if let Some(problem) = matricule_problem(&v.ins_fourni.id) {
        f.push(
            RuleId::Ver001,
            p("Body/VERIFINS/IndividuVerifie/INSFourni/IdIndividu"),
            problem,
        );
    }
    if let Err(e) = Oid::parse(&v.ins_fourni.oid) {
        f.push(
            RuleId::Ver002,
            p("Body/VERIFINS/IndividuVerifie/INSFourni/OID"),
            format!("INSFourni/OID: {e}"),
        );
    }
    let t = &v.traits;
    let tb = format!("{B}/TraitsIdentiteIndividu");
    check_birth_name(f, &tb, &t.nom_naissance);
    if t.prenom.as_deref().is_none_or(str::is_empty)
        && t.liste_prenom.as_deref().is_none_or(str::is_empty)
    {
        f.push(
            RuleId::Trt003,
            Some(format!("{tb}/Prenom")),
            "neither Prenom nor ListePrenom is sent".into(),
        );
    }
    if let Some(pr) = t.prenom.as_deref() {
        lexical_findings(
            f,
            RuleId::Trt004,
            &format!("{tb}/Prenom"),
            pr,
            NameKind::FirstName,
        );
    }
    if let Some(list) = t.liste_prenom.as_deref() {
        lexical_findings(
            f,
            RuleId::Trt004,
            &format!("{tb}/ListePrenom"),
            list,
            NameKind::FirstName,
        );
    }
    if let (Some(pr), Some(list)) = (t.prenom.as_deref(), t.liste_prenom.as_deref())
        && !first_name_consistent(pr, list)
    {
        f.push(
            RuleId::Ver003,
            Some(format!("{tb}/Prenom")),
            format!(
                "Prenom {} is not the start of ListePrenom {}",
                quote(pr),
                quote(list)
            ),
        );
    }
    check_sex(f, &tb, &t.sexe);
    check_date(f, &tb, &t.date_naissance);
    check_birthplace(f, &tb, &t.lieu_naissance);
}

/// EXI ID 10: the first first name starts the list, hyphen, apostrophe and space being
/// equivalent separators (`JEAN-CHRISTOPHE` is consistent with `JEAN CHRISTOPHE PIERRE`).
pub(super) fn first_name_consistent(prenom: &str, list: &str) -> bool {
    let norm = |s: &str| -> Vec<String> {
        s.split([' ', '-', '\''])
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let (p, l) = (norm(prenom), norm(list));
    !p.is_empty() && l.starts_with(&p)
}

#[cfg(test)]
mod tests {
    use super::is_uuid;
    use proptest::prelude::*;

    /// The definition: five groups of 8, 4, 4, 4 and 12 hexadecimal digits, joined by hyphens.
    fn by_the_definition(s: &str) -> bool {
        let groups: Vec<&str> = s.split('-').collect();
        groups.len() == 5
            && groups
                .iter()
                .zip([8, 4, 4, 4, 12])
                .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
    }

    #[test]
    fn uuids_and_near_misses() {
        assert!(is_uuid("9c1f7a34-0000-4000-8000-000000000001"));
        assert!(is_uuid("9C1F7A34-ABCD-4000-8000-00000000000F"));
        assert!(!is_uuid("9c1f7a34-0000-4000-8000-00000000000g"));
        assert!(!is_uuid("9c1f7a340-000-4000-8000-000000000001"));
        assert!(!is_uuid("9c1f7a34-0000-4000-8000-0000000000011"));
        assert!(!is_uuid(""));
    }

    proptest! {
        #[test]
        fn agrees_with_the_definition(s in "[0-9a-fA-Fg-]{34,38}") {
            prop_assert_eq!(is_uuid(&s), by_the_definition(&s));
        }

        #[test]
        fn agrees_on_uuid_shapes(s in "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-Fx]{4}-[0-9a-f-]{4}-[0-9a-f]{12}") {
            prop_assert_eq!(is_uuid(&s), by_the_definition(&s));
        }
    }
}
