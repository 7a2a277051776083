//! Property tests: `parse(write(x)) == x` for every message type and every dialect that keeps
//! all fields; hostile input (arbitrary bytes, mutated valid envelopes) never panics, and a
//! truncated document is never a success. The reader's two tokenizers (the fast path and the
//! full quick-xml reader) are compared on all of it: wherever the fast one accepts a document,
//! both give the same value.

use insilab_core::insi::*;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

/// Wire text: letters, accents, XML specials, whitespace (including `\r`), apostrophes.
fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 '\\-&<>\"éÀŒæ’\t\n\r;#]{0,12}"
}

fn opt() -> impl Strategy<Value = Option<String>> {
    option::of(text())
}

fn matricule() -> impl Strategy<Value = WireMatricule> {
    (text(), opt(), opt()).prop_map(|(num_identifiant, cle, type_matricule)| WireMatricule {
        num_identifiant,
        cle,
        type_matricule,
    })
}

fn ins_entry() -> impl Strategy<Value = InsEntry> {
    (matricule(), text(), opt(), opt()).prop_map(|(id, oid, date_deb, date_fin)| InsEntry {
        id,
        oid,
        date_deb,
        date_fin,
    })
}

fn tiq() -> impl Strategy<Value = Tiq> {
    (opt(), opt(), opt(), opt(), opt(), opt()).prop_map(|(a, b, c, d, e, f)| Tiq {
        nom_naissance: a,
        prenom: b,
        liste_prenom: c,
        sexe: d,
        date_naissance: e,
        lieu_naissance: f,
    })
}

fn search_result() -> impl Strategy<Value = SearchResult> {
    let individu =
        (ins_entry(), vec(ins_entry(), 0..4), tiq()).prop_map(|(ins_actif, ins_histo, tiq)| {
            Individu {
                ins_actif,
                ins_histo,
                tiq,
            }
        });
    (text(), text(), option::of(individu)).prop_map(|(code_cr, libelle_cr, individu)| {
        SearchResult {
            code_cr,
            libelle_cr,
            individu,
        }
    })
}

fn fault() -> impl Strategy<Value = Fault> {
    (
        any::<bool>(),
        text(),
        text(),
        text(),
        text(),
        opt(),
        text(),
        any::<bool>(),
    )
        .prop_map(
            |(sender, subcode, reason, code, severite, message_id, t, severite_first)| Fault {
                value: if sender {
                    FaultCodeValue::Sender
                } else {
                    FaultCodeValue::Receiver
                },
                // A subcode is a QName local part: no colon, no surrounding whitespace.
                subcode: subcode.replace(':', "").trim().to_owned(),
                reason,
                erreur: Erreur {
                    code,
                    severite,
                    message_id,
                    text: t,
                    severite_first,
                },
            },
        )
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\r', "&#13;")
        .replace('\n', "&#10;")
        .replace('\t', "&#9;")
}

/// An assertion whose raw XML says what its fields say (prefixes `saml:`/`ds:` are declared by
/// the writer on `wsse:Security`).
fn assertion() -> impl Strategy<Value = Assertion> {
    (
        text(),
        text(),
        text(),
        text(),
        text(),
        vec((text(), text()), 0..3),
        any::<bool>(),
    )
        .prop_map(|(id, instant, issuer, name_id, nq, attributes, signed)| {
            let mut raw = format!(
                "<saml:Assertion ID=\"{}\" IssueInstant=\"{}\" Version=\"2.0\"><saml:Issuer>{}</saml:Issuer>",
                esc(&id),
                esc(&instant),
                esc(&issuer)
            );
            if signed {
                raw.push_str("<ds:Signature><ds:SignatureValue>AA==</ds:SignatureValue></ds:Signature>");
            }
            raw.push_str(&format!(
                "<saml:Subject><saml:NameID NameQualifier=\"{}\">{}</saml:NameID></saml:Subject><saml:AttributeStatement>",
                esc(&nq),
                esc(&name_id)
            ));
            for (k, v) in &attributes {
                raw.push_str(&format!(
                    "<saml:Attribute Name=\"{}\"><saml:AttributeValue>{}</saml:AttributeValue></saml:Attribute>",
                    esc(k),
                    esc(v)
                ));
            }
            raw.push_str("</saml:AttributeStatement></saml:Assertion>");
            Assertion {
                raw_xml: raw,
                id: Some(id),
                issue_instant: Some(instant),
                issuer: Some(issuer),
                name_id: Some(name_id),
                name_qualifier: Some(nq),
                attributes,
                has_signature: signed,
            }
        })
}

fn headers() -> impl Strategy<Value = Headers> {
    let couverture = (opt(), opt(), opt(), opt()).prop_map(|(a, b, c, d)| Couverture {
        assure_id_num: a,
        beneficiaire_nir_num: b,
        beneficiaire_date_nai: c,
        beneficiaire_rang: d,
    });
    let bam = (
        opt(),
        opt(),
        opt(),
        opt(),
        opt(),
        opt(),
        option::of(couverture),
    )
        .prop_map(
            |(version, nature, id, temps, emetteur, date_ref, couverture)| ContexteBam {
                version,
                nature,
                id,
                temps,
                emetteur,
                date_ref,
                couverture,
            },
        );
    // IDAM/@R is only representable with an IDAM element: R without IDAM reads back as an
    // empty IDAM, so the strategy ties them.
    let idam = option::of((text(), opt()));
    let lps = (
        (opt(), opt(), opt(), opt(), opt()),
        idam,
        (opt(), opt(), opt()),
    )
        .prop_map(
            |((version, nature, id, temps, emetteur), idam, (lps_version, instance, nom))| {
                let (idam, idam_r) = match idam {
                    Some((i, r)) => (Some(i), r),
                    None => (None, None),
                };
                ContexteLps {
                    version,
                    nature,
                    id,
                    temps,
                    emetteur,
                    idam,
                    idam_r,
                    lps_version,
                    instance,
                    nom,
                }
            },
        );
    let security = vec(assertion(), 0..3).prop_map(|assertions| Security { assertions });
    (
        opt(),
        opt(),
        option::of(bam),
        option::of(lps),
        option::of(security),
    )
        .prop_map(|(action, message_id, bam, lps, security)| Headers {
            action,
            message_id,
            bam,
            lps,
            security,
        })
}

fn body() -> impl Strategy<Value = RequestBody> {
    let traits = (opt(), vec(text(), 0..4), opt(), opt(), opt()).prop_map(|(a, b, c, d, e)| {
        RequestBody::TraitsSearch(TraitsSearch {
            nom_naissance: a,
            prenoms: b,
            sexe: c,
            date_naissance: d,
            lieu_naissance: e,
        })
    });
    let card = (
        option::of(matricule()),
        option::of(matricule()),
        opt(),
        opt(),
        opt(),
    )
        .prop_map(|(a, b, c, d, e)| {
            RequestBody::CardSearch(CardSearch {
                matricule_individu: a,
                matricule_od: b,
                nom_naissance: c,
                date_naissance: d,
                rang_naissance: e,
            })
        });
    let verif = (ins_entry(), tiq()).prop_map(|(ins_fourni, t)| {
        RequestBody::Verification(Verification {
            ins_fourni,
            traits: VerifiedTraits {
                nom_naissance: t.nom_naissance,
                prenom: t.prenom,
                liste_prenom: t.liste_prenom,
                sexe: t.sexe,
                date_naissance: t.date_naissance,
                lieu_naissance: t.lieu_naissance,
            },
        })
    });
    prop_oneof![traits, card, verif]
}

fn request() -> impl Strategy<Value = Request> {
    (headers(), body(), opt()).prop_map(|(headers, body, body_id)| Request {
        headers,
        body,
        body_id,
    })
}

/// What the live dialect keeps of a result.
fn live_view(mut r: SearchResult) -> SearchResult {
    if let Some(ind) = r.individu.as_mut() {
        ind.tiq.prenom = None;
        for e in std::iter::once(&mut ind.ins_actif).chain(ind.ins_histo.iter_mut()) {
            e.id.type_matricule = None;
        }
    }
    r
}

/// Splits a document into markup and text tokens, for mutations.
fn tokens(xml: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = xml;
    while !rest.is_empty() {
        let end = if rest.starts_with('<') {
            rest.find('>').map_or(rest.len(), |i| i + 1)
        } else {
            rest.find('<').unwrap_or(rest.len())
        };
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

fn valid_documents() -> Vec<String> {
    let mut docs = vec![
        write_request(&samples::traits_search_request()),
        write_result(&samples::found_two_histories(), Dialect::Live),
        write_result(&samples::found_two_histories(), Dialect::Y2022),
        write_result(&samples::found_two_histories(), Dialect::CndaFiles),
        write_fault(&faults::desir_550(Some("uuid:1")), FaultDialect::Current),
        write_fault(&faults::insi_102(None), FaultDialect::Legacy),
    ];
    for f in [
        "request_traits_typical.xml",
        "request_traits_shuffled.xml",
        "request_traits_cpx.xml",
        "request_vitale.xml",
        "request_verification.xml",
    ] {
        let path = format!("{}/fixtures/insi/{f}", env!("CARGO_MANIFEST_DIR"));
        docs.push(std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")));
    }
    docs
}

#[derive(Debug, Clone)]
enum Mutation {
    Drop(usize),
    Duplicate(usize),
    Swap(usize, usize),
    RenamePrefix(usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Drop),
        any::<usize>().prop_map(Mutation::Duplicate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        any::<usize>().prop_map(Mutation::RenamePrefix),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn parse_both(bytes: &[u8]) -> (bool, bool) {
    let limits = Limits::default();
    let request = parse_request(bytes, &limits);
    let response = parse_response(bytes, &limits);
    tokenizers_agree(bytes, &limits);
    (request.is_ok(), response.is_ok())
}

/// Wherever the fast tokenizer accepts `bytes`, the full reader gives the same value; what the
/// full reader refuses, the fast one refuses too.
fn tokenizers_agree(bytes: &[u8], limits: &Limits) {
    use insilab_core::insi::reader::{Mode, parse_request_with, parse_response_with};
    let shown = || String::from_utf8_lossy(bytes).into_owned();
    if let Ok(fast) = parse_request_with(bytes, limits, Mode::Fast) {
        let full = parse_request_with(bytes, limits, Mode::Full);
        assert_eq!(
            full.as_ref(),
            Ok(&fast),
            "request tokenizers disagree on\n{}",
            shown()
        );
    }
    if let Ok(fast) = parse_response_with(bytes, limits, Mode::Fast) {
        let full = parse_response_with(bytes, limits, Mode::Full);
        assert_eq!(
            full.as_ref(),
            Ok(&fast),
            "response tokenizers disagree on\n{}",
            shown()
        );
    }
}

/// `value` with every string stripped of what makes the fast tokenizer give up (references,
/// carriage returns, `]`, and the white space attribute values normalise), so that generated
/// messages exercise it.
fn plain<T: serde::Serialize + serde::de::DeserializeOwned>(value: &T) -> T {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => s.retain(|c| !"&<>\"'\r\n\t]".contains(c)),
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            serde_json::Value::Object(map) => map.values_mut().for_each(strip),
            _ => {}
        }
    }
    let mut json = serde_json::to_value(value).expect("serialisable");
    strip(&mut json);
    serde_json::from_value(json).expect("the same shape")
}

#[test]
fn the_fast_tokenizer_reads_every_plain_fixture_and_the_writers_output() {
    use insilab_core::insi::reader::{Mode, parse_request_with, parse_response_with};
    let limits = Limits::default();
    let mut fast_read = Vec::new();
    for doc in valid_documents() {
        let bytes = doc.as_bytes();
        let request = parse_request_with(bytes, &limits, Mode::Full);
        let response = parse_response_with(bytes, &limits, Mode::Full);
        assert!(
            request.is_ok() || response.is_ok(),
            "a valid document refused:\n{doc}"
        );
        let fast = (
            parse_request_with(bytes, &limits, Mode::Fast),
            parse_response_with(bytes, &limits, Mode::Fast),
        );
        // References and carriage returns are outside the subset; the rest must be read fast.
        if ["&", "\r"].iter().any(|c| doc.contains(c)) {
            assert!(fast.0.is_err() && fast.1.is_err(), "{doc}");
            continue;
        }
        if request.is_ok() {
            assert_eq!(fast.0, request, "{doc}");
        }
        if response.is_ok() {
            assert_eq!(fast.1, response, "{doc}");
        }
        fast_read.push(doc.chars().take(80).collect::<String>());
    }
    // The writer's request and five answers, the typical, CPx, card and verification fixtures
    // (the shuffled fixture has carriage returns and a reference).
    assert_eq!(fast_read.len(), 10, "{fast_read:#?}");
}

#[test]
fn the_fast_tokenizer_leaves_the_rarer_constructs_to_the_full_reader() {
    use insilab_core::insi::reader::{Mode, parse_request_with};
    let limits = Limits::default();
    let doc = write_request(&samples::traits_search_request());
    let name = "<rs:NomNaissance>";
    assert!(doc.contains(name), "{doc}");
    let variants = [
        doc.replacen(name, &format!("{name}<![CDATA[]]>"), 1),
        doc.replacen(name, &format!("{name}&#65;"), 1),
        doc.replacen(name, &format!("{name}&amp;"), 1),
        doc.replacen(name, &format!("\r\n{name}"), 1),
        doc.replacen("\"?>", "\" ?>", 1)
            .replacen("<?xml", "<?xml   ", 1),
        doc.replacen(name, "<rs:NomNaissance >", 1),
        doc.replacen(name, &format!("<!-- a comment -->{name}"), 1),
    ];
    for variant in &variants {
        let full = parse_request_with(variant.as_bytes(), &limits, Mode::Full);
        let fast = parse_request_with(variant.as_bytes(), &limits, Mode::Fast);
        assert!(full.is_ok(), "the full reader refused\n{variant}\n{full:?}");
        if let Ok(fast) = fast {
            assert_eq!(full, Ok(fast), "{variant}");
        }
        // Whatever the tokenizer, the public reader's answer is the full reader's.
        assert_eq!(parse_request(variant.as_bytes(), &limits), full);
    }
    // CDATA, references and carriage returns are outside the subset; comments are in it.
    for variant in &variants[..4] {
        assert!(
            parse_request_with(variant.as_bytes(), &limits, Mode::Fast).is_err(),
            "the fast tokenizer took\n{variant}"
        );
    }
    assert!(parse_request_with(variants[6].as_bytes(), &limits, Mode::Fast).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn request_round_trips(req in request()) {
        let xml = write_request(&req);
        prop_assert_eq!(parse_request(xml.as_bytes(), &Limits::default()), Ok(req.clone()));
        tokenizers_agree(xml.as_bytes(), &Limits::default());
        // The same message without references: the fast tokenizer reads it, to the same value.
        // (Assertions are kept as raw XML, which stripping characters would break.)
        let mut req = plain(&req);
        if let Some(security) = req.headers.security.as_mut() {
            security.assertions.clear();
        }
        let xml = write_request(&req);
        let fast = insilab_core::insi::reader::parse_request_with(
            xml.as_bytes(),
            &Limits::default(),
            insilab_core::insi::reader::Mode::Fast,
        );
        prop_assert_eq!(fast, Ok(req));
    }

    #[test]
    fn result_round_trips_in_full_dialects(result in search_result()) {
        for dialect in [Dialect::Y2022, Dialect::CndaFiles] {
            let xml = write_result(&result, dialect);
            prop_assert_eq!(
                parse_response(xml.as_bytes(), &Limits::default()),
                Ok(Response::Result(result.clone()))
            );
            tokenizers_agree(xml.as_bytes(), &Limits::default());
            let plain_result = plain(&result);
            let xml = write_result(&plain_result, dialect);
            let fast = insilab_core::insi::reader::parse_response_with(
                xml.as_bytes(),
                &Limits::default(),
                insilab_core::insi::reader::Mode::Fast,
            );
            prop_assert_eq!(fast, Ok(Response::Result(plain_result)));
        }
    }

    #[test]
    fn result_round_trips_in_live_minus_what_live_strips(result in search_result()) {
        let xml = write_result(&result, Dialect::Live);
        prop_assert_eq!(
            parse_response(xml.as_bytes(), &Limits::default()),
            Ok(Response::Result(live_view(result)))
        );
    }

    #[test]
    fn fault_round_trips_in_both_dialects(fault in fault()) {
        for dialect in [FaultDialect::Current, FaultDialect::Legacy] {
            let xml = write_fault(&fault, dialect);
            prop_assert_eq!(
                parse_response(xml.as_bytes(), &Limits::default()),
                Ok(Response::Fault(fault.clone()))
            );
            tokenizers_agree(xml.as_bytes(), &Limits::default());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..512)) {
        let _ = parse_both(&bytes);
    }

    #[test]
    fn xml_like_noise_never_panics(parts in vec(prop_oneof![
        Just("<"), Just(">"), Just("</"), Just("/>"), Just("<?"), Just("?>"), Just("<!--"),
        Just("-->"), Just("<!DOCTYPE"), Just("&"), Just(";"), Just("&#"), Just("x"), Just(":"),
        Just("="), Just("\""), Just("'"), Just(" "), Just("<![CDATA["), Just("]]>"),
        Just("<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\">"),
        Just("</s:Envelope>"), Just("<s:Body>"), Just("</s:Body>"), Just("xmlns:a=\"urn:a\""),
    ], 0..64)) {
        let doc: String = parts.concat();
        let _ = parse_both(doc.as_bytes());
    }

    #[test]
    fn mutated_envelopes_never_panic(doc in 0..10usize, muts in vec(mutation(), 1..4)) {
        let docs = valid_documents();
        let original = &docs[doc % docs.len()];
        let mut toks: Vec<String> = tokens(original).into_iter().map(str::to_owned).collect();
        let mut truncate_at = None;
        for m in &muts {
            let n = toks.len();
            match *m {
                Mutation::Drop(i) => { toks.remove(i % n); }
                Mutation::Duplicate(i) => { let t = toks[i % n].clone(); toks.insert(i % n, t); }
                Mutation::Swap(a, b) => toks.swap(a % n, b % n),
                Mutation::RenamePrefix(i) => {
                    let t = &mut toks[i % n];
                    *t = t.replacen(':', "x:", 1);
                }
                Mutation::Truncate(i) => truncate_at = Some(i),
            }
            if toks.is_empty() { break; }
        }
        let doc: String = toks.concat();
        let _ = parse_both(doc.as_bytes());
        if let Some(i) = truncate_at {
            let cut = i % doc.len().max(1);
            let _ = parse_both(&doc.as_bytes()[..cut]);
        }
    }

    #[test]
    fn byte_edits_of_valid_envelopes_read_alike(
        doc in 0..11usize,
        edits in vec((any::<usize>(), 0..3u8, prop_oneof![
            Just("<"), Just(">"), Just("/"), Just("/>"), Just("?"), Just("!"), Just("-"),
            Just("--"), Just("&"), Just("&amp;"), Just("&#x41;"), Just(";"), Just(":"), Just("="),
            Just("\""), Just("'"), Just(" "), Just("\t"), Just("\n"), Just("\r"), Just("]"),
            Just("]]>"), Just("\u{1}"), Just("é"), Just("x"), Just("1"), Just("xmlns"),
            Just("xmlns:a=\"urn:a\" "), Just("xmlns=\"\" "), Just("xml:"), Just("a:b:c"),
        ]), 1..4),
    ) {
        // Each edit inserts, replaces or deletes at a character boundary; the tokenizers must
        // agree on the result, whatever it is.
        let docs = valid_documents();
        let mut text = docs[doc % docs.len()].clone();
        for (at, op, piece) in &edits {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let next = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            match op {
                0 => text.insert_str(at, piece),
                1 => text.replace_range(at..next, piece),
                _ => text.replace_range(at..next, ""),
            }
        }
        tokenizers_agree(text.as_bytes(), &Limits::default());
    }

    #[test]
    fn truncated_documents_are_never_accepted(doc in 0..10usize, cut in any::<usize>()) {
        let docs = valid_documents();
        let original = docs[doc % docs.len()].trim_end();
        // Cut strictly before the end of the root's end tag.
        let cut = cut % original.len();
        let (req_ok, resp_ok) = parse_both(&original.as_bytes()[..cut]);
        prop_assert!(!req_ok && !resp_ok, "accepted a document cut at {cut}");
    }
}
