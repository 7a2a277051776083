//! Property tests: `parse(write(x)) == x` for every message type and every dialect that keeps
//! all fields; hostile input (arbitrary bytes, mutated valid envelopes) never panics, and a
//! truncated document is never a success.

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
    (
        parse_request(bytes, &limits).is_ok(),
        parse_response(bytes, &limits).is_ok(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn request_round_trips(req in request()) {
        let xml = write_request(&req);
        prop_assert_eq!(parse_request(xml.as_bytes(), &Limits::default()), Ok(req));
    }

    #[test]
    fn result_round_trips_in_full_dialects(result in search_result()) {
        for dialect in [Dialect::Y2022, Dialect::CndaFiles] {
            let xml = write_result(&result, dialect);
            prop_assert_eq!(
                parse_response(xml.as_bytes(), &Limits::default()),
                Ok(Response::Result(result.clone()))
            );
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
    fn truncated_documents_are_never_accepted(doc in 0..10usize, cut in any::<usize>()) {
        let docs = valid_documents();
        let original = docs[doc % docs.len()].trim_end();
        // Cut strictly before the end of the root's end tag.
        let cut = cut % original.len();
        let (req_ok, resp_ok) = parse_both(&original.as_bytes()[..cut]);
        prop_assert!(!req_ok && !resp_ok, "accepted a document cut at {cut}");
    }
}
