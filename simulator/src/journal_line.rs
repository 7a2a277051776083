//! The JSONL line of a journal entry: the same bytes as `serde_json::to_vec(entry)` and a new
//! line, written field by field (`docs/design.md`, "The JSONL line of a journal entry"). The
//! recording thread writes everything after `{"seq":N` ([`line_tail`]); the file's writer
//! thread puts the `seq` in front ([`SEQ_KEY`]) and appends the line to its batch.

use crate::journal::{JournalEntry, Outcome, RawBody};

/// Starting capacity of the reused line buffer (a typical exchange takes about 4 KB).
pub(crate) const LINE_CAPACITY: usize = 8 * 1024;

/// How every line starts; the entry's `seq` follows, then what [`line_tail`] writes.
pub(crate) const SEQ_KEY: &[u8] = b"{\"seq\":";

/// Writes `entry` as one JSON line into `out` (see [`line_tail`]): the same bytes as
/// `serde_json::to_vec(entry)` followed by a new line, with empty raw bodies when
/// `omit_bodies`.
#[cfg(test)]
fn json_line(
    out: &mut Vec<u8>,
    entry: &JournalEntry,
    omit_bodies: bool,
    answers: &mut AnswerTexts,
) -> std::io::Result<()> {
    out.extend_from_slice(SEQ_KEY);
    out.extend_from_slice(itoa::Buffer::new().format(entry.seq).as_bytes());
    write_tail(
        out,
        entry,
        entry.request_body.as_ref(),
        omit_bodies,
        answers,
    );
    Ok(())
}

/// Writes what follows `{"seq":N` in `entry`'s JSON line: the rest of serde_json's bytes for
/// the entry and a new line. Successful exchanges (HTTP 200 with a `RESULTAT`) get empty raw
/// bodies when `omit_success_bodies`. It runs on the thread that records the exchange (the
/// journal's `seq` is assigned after, under the ring's lock) and keeps `answers` there.
/// `request_body` stands for the entry's (an exchange recorded in place lends its parsed body
/// to the line: the ring does not keep it).
pub(crate) fn line_tail(
    out: &mut Vec<u8>,
    entry: &JournalEntry,
    request_body: Option<&insilab_core::insi::model::RequestBody>,
    omit_success_bodies: bool,
    answers: &mut AnswerTexts,
) {
    let omit = omit_success_bodies && is_success(entry);
    write_tail(out, entry, request_body, omit, answers);
}

/// The line written by hand, field by field, without serde's machinery (a third of the JSONL
/// writer's time with it). Every string goes through [`push_json_str`]; the tests compare the
/// line with serde_json's on arbitrary entries.
fn write_tail(
    out: &mut Vec<u8>,
    entry: &JournalEntry,
    request_body: Option<&insilab_core::insi::model::RequestBody>,
    omit_bodies: bool,
    answers: &mut AnswerTexts,
) {
    // Destructured whole: a field added to the entry does not compile until it is written.
    let JournalEntry {
        seq: _,
        time,
        tenant,
        listener,
        client_certificate,
        card,
        tls_version,
        http_request,
        operation,
        message_id,
        content_type,
        request_body: _,
        outcome,
        person,
        override_id,
        http_status,
        duration_us,
        findings,
        raw_request,
        raw_response,
    } = entry;
    let mut w = Json(out);
    w.raw(b",\"time\":");
    w.str(time);
    w.raw(b",\"tenant\":");
    w.opt_str(tenant.as_deref());
    w.raw(b",\"listener\":");
    w.str(listener);
    w.raw(b",\"client_certificate\":");
    match client_certificate {
        Some(c) => w.certificate(c),
        None => w.null(),
    }
    // `skip_serializing_if = "Option::is_none"`.
    if let Some(card) = card {
        w.raw(b",\"card\":");
        w.card(card);
    }
    w.raw(b",\"tls_version\":");
    w.opt_str(tls_version.as_deref());
    w.raw(b",\"http_request\":");
    w.str(http_request);
    w.raw(b",\"operation\":");
    w.opt_str(operation.as_deref());
    w.raw(b",\"message_id\":");
    w.opt_str(message_id.as_deref());
    w.raw(b",\"content_type\":");
    w.opt_str(content_type.as_deref());
    w.raw(b",\"request_body\":");
    match request_body {
        Some(body) => w.request_body(body),
        None => w.null(),
    }
    w.raw(b",\"outcome\":");
    w.outcome(outcome);
    w.raw(b",\"person\":");
    w.opt_str(person.as_deref());
    w.raw(b",\"override_id\":");
    match override_id {
        Some(id) => w.u64(*id),
        None => w.null(),
    }
    w.raw(b",\"http_status\":");
    w.u64(u64::from(*http_status));
    w.raw(b",\"duration_us\":");
    w.u64(*duration_us);
    w.raw(b",\"findings\":[");
    for (i, f) in findings.iter().enumerate() {
        if i > 0 {
            w.raw(b",");
        }
        w.finding(f);
    }
    w.raw(b"]");
    w.raw(b",\"raw_request\":");
    w.str(if omit_bodies { "" } else { raw_request });
    w.raw(b",\"raw_response\":");
    if omit_bodies {
        w.str("");
    } else {
        answers.push(w.0, raw_response);
    }
    w.raw(b"}\n");
}

/// The JSON texts of the last answers written. The answer to a dataset person is one buffer
/// shared by every exchange it answers (`answer_cache`), so its escaped text is made once: an
/// answer whose buffer is one of these (the same bytes: the cache holds them) is copied from
/// here.
#[derive(Debug, Default)]
pub(crate) struct AnswerTexts {
    kept: Vec<(RawBody, Vec<u8>)>,
    /// The next one replaced once [`ANSWER_TEXTS`] are kept.
    next: usize,
}

/// Answers whose JSON text is kept.
const ANSWER_TEXTS: usize = 8;
/// Longest answer whose JSON text is kept (an `INDIVIDU` answer is about 2 KB).
const ANSWER_TEXT_MAX_BYTES: usize = 16 * 1024;

impl AnswerTexts {
    /// Appends `answer` as a JSON string ([`push_json_str`]).
    fn push(&mut self, out: &mut Vec<u8>, answer: &RawBody) {
        let same = |kept: &RawBody| {
            kept.as_bytes().as_ptr() == answer.as_bytes().as_ptr() && kept.len() == answer.len()
        };
        if let Some((_, text)) = self.kept.iter().find(|(kept, _)| same(kept)) {
            out.extend_from_slice(text);
            return;
        }
        let from = out.len();
        push_json_str(out, answer);
        if answer.is_empty() || answer.len() > ANSWER_TEXT_MAX_BYTES {
            return;
        }
        let text = out.get(from..).unwrap_or_default().to_vec();
        if self.kept.len() < ANSWER_TEXTS {
            self.kept.push((answer.clone(), text));
        } else if let Some(slot) = self.kept.get_mut(self.next) {
            *slot = (answer.clone(), text);
            self.next = (self.next + 1) % ANSWER_TEXTS;
        }
    }
}

/// Compact JSON, as serde_json writes it, of the journal's types.
struct Json<'a>(&'a mut Vec<u8>);

impl Json<'_> {
    fn raw(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn null(&mut self) {
        self.raw(b"null");
    }

    fn u64(&mut self, n: u64) {
        self.raw(itoa::Buffer::new().format(n).as_bytes());
    }

    fn str(&mut self, s: &str) {
        push_json_str(self.0, s);
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }

    /// `{"k1":v1,"k2":v2…}` for optional strings.
    fn opt_strs(&mut self, fields: &[(&[u8], Option<&str>)]) {
        for (i, (key, value)) in fields.iter().enumerate() {
            self.raw(if i == 0 { b"{\"" } else { b",\"" });
            self.raw(key);
            self.raw(b"\":");
            self.opt_str(*value);
        }
        self.raw(b"}");
    }

    fn certificate(&mut self, c: &crate::journal::ClientCertificate) {
        let crate::journal::ClientCertificate {
            subject,
            issuer,
            serial,
            cn,
            ou,
        } = c;
        self.opt_strs(&[
            (b"subject", Some(subject)),
            (b"issuer", Some(issuer)),
            (b"serial", Some(serial)),
            (b"cn", cn.as_deref()),
            (b"ou", ou.as_deref()),
        ]);
    }

    fn card(&mut self, c: &crate::card::CardHolder) {
        let crate::card::CardHolder {
            professional_id,
            certificate_subject,
            certificate_issuer,
            certificate_serial,
            refused_by,
        } = c;
        self.opt_strs(&[
            (b"professional_id", professional_id.as_deref()),
            (b"certificate_subject", certificate_subject.as_deref()),
            (b"certificate_issuer", certificate_issuer.as_deref()),
            (b"certificate_serial", certificate_serial.as_deref()),
            (b"refused_by", refused_by.map(|r| r.as_str())),
        ]);
    }

    fn matricule(&mut self, m: &insilab_core::insi::model::WireMatricule) {
        let insilab_core::insi::model::WireMatricule {
            num_identifiant,
            cle,
            type_matricule,
        } = m;
        self.opt_strs(&[
            (b"num_identifiant", Some(num_identifiant)),
            (b"cle", cle.as_deref()),
            (b"type_matricule", type_matricule.as_deref()),
        ]);
    }

    fn opt_matricule(&mut self, m: Option<&insilab_core::insi::model::WireMatricule>) {
        match m {
            Some(m) => self.matricule(m),
            None => self.null(),
        }
    }

    /// Externally tagged, snake case: `{"traits_search":{…}}`.
    fn request_body(&mut self, body: &insilab_core::insi::model::RequestBody) {
        use insilab_core::insi::model::{
            CardSearch, InsEntry, RequestBody, TraitsSearch, Verification, VerifiedTraits,
        };
        match body {
            RequestBody::TraitsSearch(t) => {
                let TraitsSearch {
                    nom_naissance,
                    prenoms,
                    sexe,
                    date_naissance,
                    lieu_naissance,
                } = t;
                self.raw(b"{\"traits_search\":{\"nom_naissance\":");
                self.opt_str(nom_naissance.as_deref());
                self.raw(b",\"prenoms\":[");
                for (i, p) in prenoms.iter().enumerate() {
                    if i > 0 {
                        self.raw(b",");
                    }
                    self.str(p);
                }
                self.raw(b"],\"sexe\":");
                self.opt_str(sexe.as_deref());
                self.raw(b",\"date_naissance\":");
                self.opt_str(date_naissance.as_deref());
                self.raw(b",\"lieu_naissance\":");
                self.opt_str(lieu_naissance.as_deref());
                self.raw(b"}}");
            }
            RequestBody::CardSearch(c) => {
                let CardSearch {
                    matricule_individu,
                    matricule_od,
                    nom_naissance,
                    date_naissance,
                    rang_naissance,
                } = c;
                self.raw(b"{\"card_search\":{\"matricule_individu\":");
                self.opt_matricule(matricule_individu.as_ref());
                self.raw(b",\"matricule_od\":");
                self.opt_matricule(matricule_od.as_ref());
                self.raw(b",\"nom_naissance\":");
                self.opt_str(nom_naissance.as_deref());
                self.raw(b",\"date_naissance\":");
                self.opt_str(date_naissance.as_deref());
                self.raw(b",\"rang_naissance\":");
                self.opt_str(rang_naissance.as_deref());
                self.raw(b"}}");
            }
            RequestBody::Verification(v) => {
                let Verification { ins_fourni, traits } = v;
                let InsEntry {
                    id,
                    oid,
                    date_deb,
                    date_fin,
                } = ins_fourni;
                self.raw(b"{\"verification\":{\"ins_fourni\":{\"id\":");
                self.matricule(id);
                self.raw(b",\"oid\":");
                self.str(oid);
                self.raw(b",\"date_deb\":");
                self.opt_str(date_deb.as_deref());
                self.raw(b",\"date_fin\":");
                self.opt_str(date_fin.as_deref());
                self.raw(b"},\"traits\":");
                let VerifiedTraits {
                    nom_naissance,
                    prenom,
                    liste_prenom,
                    sexe,
                    date_naissance,
                    lieu_naissance,
                } = traits;
                self.opt_strs(&[
                    (b"nom_naissance", nom_naissance.as_deref()),
                    (b"prenom", prenom.as_deref()),
                    (b"liste_prenom", liste_prenom.as_deref()),
                    (b"sexe", sexe.as_deref()),
                    (b"date_naissance", date_naissance.as_deref()),
                    (b"lieu_naissance", lieu_naissance.as_deref()),
                ]);
                self.raw(b"}}");
            }
        }
    }

    /// Internally tagged, snake case: `{"kind":"cr","code":"00"}`.
    fn outcome(&mut self, outcome: &Outcome) {
        let (kind, key, value): (&[u8], &[u8], &str) = match outcome {
            Outcome::Cr { code } => (b"cr", b"code", code),
            Outcome::Fault { code } => (b"fault", b"code", code),
            Outcome::AnswerFile { name } => (b"answer_file", b"name", name),
            Outcome::Http { reason } => (b"http", b"reason", reason),
            Outcome::Injected { what } => (b"injected", b"what", what),
            Outcome::TlsFailure { error } => (b"tls_failure", b"error", error),
            Outcome::Ack { code } => (b"ack", b"code", code),
            Outcome::Checked { verdict } => (b"checked", b"verdict", verdict),
            Outcome::ChannelError { error } => (b"channel_error", b"error", error),
        };
        self.raw(b"{\"kind\":\"");
        self.raw(kind);
        self.raw(b"\",\"");
        self.raw(key);
        self.raw(b"\":");
        self.str(value);
        self.raw(b"}");
    }

    fn finding(&mut self, f: &crate::journal::JournalFinding) {
        let insilab_core::rules::Finding {
            rule_id,
            severity,
            message,
            path,
        } = f;
        self.raw(b"{\"rule_id\":");
        self.str(rule_id.as_str());
        self.raw(b",\"severity\":");
        self.str(severity.as_str());
        self.raw(b",\"message\":");
        self.str(message);
        // `skip_serializing_if = "Option::is_none"`.
        if let Some(path) = path {
            self.raw(b",\"path\":");
            self.str(path);
        }
        self.raw(b"}");
    }
}

/// Appends `s` as a JSON string, escaped exactly as `serde_json` escapes it (`\\"`, `\\\\`, the
/// short escapes of `\\b \\f \\n \\r \\t`, `\\u00xx` for the other control characters).
///
/// Raw XML has many quotes and line ends but rarely another control character: when it has
/// none (one branch-free pass), the bytes to escape are found with `memchr3`, and the runs
/// between them are copied whole.
fn push_json_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let other_controls = bytes
        .iter()
        .fold(false, |acc, &b| acc | ((b < 0x20) & (b != b'\n')));
    let mut run = 0;
    if other_controls {
        for (i, &b) in bytes.iter().enumerate() {
            if b >= 0x20 && b != b'"' && b != b'\\' {
                continue;
            }
            out.extend_from_slice(&bytes[run..i]);
            run = i + 1;
            push_escape(out, b);
        }
    } else {
        for i in memchr::memchr3_iter(b'"', b'\\', b'\n', bytes) {
            out.extend_from_slice(&bytes[run..i]);
            run = i + 1;
            push_escape(out, bytes[i]);
        }
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// The JSON escape of `b` (a quote, a backslash or a control character).
fn push_escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        _ => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xf)],
        ]),
    }
}

/// A successful exchange: HTTP 200 with a `RESULTAT`.
pub(crate) fn is_success(entry: &JournalEntry) -> bool {
    entry.http_status == 200 && matches!(entry.outcome, Outcome::Cr { .. })
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::*;
    use crate::journal::sample_entry;

    #[test]
    fn a_line_is_what_serde_json_writes() {
        let mut entry = sample_entry(Some("T"));
        entry.raw_request = "<a x=\"1\">\\ \u{1} \t\r\n\u{8}\u{c} \u{1f} é \u{7f}</a>".into();
        entry.raw_response = "<b y=\"2\">\n\\ \"é\"\n</b>".into();
        entry.findings = vec![crate::journal::JournalFinding::new(
            insilab_core::rules::RuleId::Hdr004,
            Some("Header/MessageID".into()),
            "no \"MessageID\"".into(),
        )];
        for card in [false, true] {
            if card {
                entry.card = Some(crate::card::CardHolder::default());
            }
            let mut line = Vec::new();
            json_line(&mut line, &entry, false, &mut AnswerTexts::default()).unwrap();
            let mut expected = serde_json::to_vec(&entry).unwrap();
            expected.push(b'\n');
            assert_eq!(
                String::from_utf8(line).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
        let mut line = Vec::new();
        json_line(&mut line, &entry, true, &mut AnswerTexts::default()).unwrap();
        let back: JournalEntry = serde_json::from_slice(&line).unwrap();
        assert!(back.raw_request.is_empty() && back.raw_response.is_empty());
        assert_eq!(back.findings, entry.findings);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

        /// Any text, dense in what JSON escapes (quotes, backslashes, every control character)
        /// and in multi-byte characters, after any short prefix: serde_json's string, byte for
        /// byte.
        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(
            text in "[\\x00-\\x1f\"\\\\a<>é€😀 ]{0,80}",
            prefix in 0usize..8,
        ) {
            let text = format!("{}{text}", "x".repeat(prefix));
            let mut out = Vec::new();
            push_json_str(&mut out, &text);
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&text).unwrap());
        }
    }

    /// Each ASCII byte value alone, at each place of a short text.
    #[test]
    fn every_byte_at_every_place_is_escaped_as_serde_json_escapes_it() {
        for b in 0u8..0x80 {
            for place in 0..12 {
                let mut text = "y".repeat(12);
                text.replace_range(place..=place, &char::from(b).to_string());
                let mut out = Vec::new();
                push_json_str(&mut out, &text);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    serde_json::to_string(&text).unwrap(),
                    "byte {b:#04x} at {place}"
                );
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// The line written by hand is serde_json's line of the entry, byte for byte, for any
        /// entry (every outcome, request body, optional field, escape); with the bodies
        /// omitted, serde_json's line of the entry without them.
        #[test]
        fn any_line_is_what_serde_json_writes(entry in crate::journal::strategies::entry()) {
            let mut line = Vec::new();
            json_line(&mut line, &entry, false, &mut AnswerTexts::default()).unwrap();
            let mut expected = serde_json::to_vec(&entry).unwrap();
            expected.push(b'\n');
            proptest::prop_assert_eq!(String::from_utf8(line).unwrap(), String::from_utf8(expected).unwrap());

            let mut line = Vec::new();
            json_line(&mut line, &entry, true, &mut AnswerTexts::default()).unwrap();
            let mut without = entry.clone();
            without.raw_request = RawBody::new();
            without.raw_response = RawBody::new();
            let mut expected = serde_json::to_vec(&without).unwrap();
            expected.push(b'\n');
            proptest::prop_assert_eq!(line, expected);
        }

        /// Answers shared between entries (as the dataset's are) are written from the kept
        /// JSON texts; every line is still serde_json's, whatever the order, the sharing, the
        /// slices of one buffer, the number of distinct answers.
        #[test]
        fn shared_answers_are_written_as_serde_json_writes_them(
            entries in proptest::collection::vec(crate::journal::strategies::entry(), 1..6),
            picks in proptest::collection::vec(0usize..12, 1..40),
        ) {
            let pool: Vec<RawBody> = entries.iter().map(|e| e.raw_response.clone()).collect();
            let mut answers = AnswerTexts::default();
            for (n, pick) in picks.iter().enumerate() {
                let mut entry = entries[n % entries.len()].clone();
                let shared = &pool[pick % pool.len()];
                // Some answers are a prefix of a kept one: the same buffer, not the same bytes.
                entry.raw_response = if pick % 5 == 4 {
                    RawBody::try_from(shared.as_bytes().slice(..shared.len() / 2))
                        .unwrap_or_default()
                } else {
                    shared.clone()
                };
                let mut line = Vec::new();
                json_line(&mut line, &entry, false, &mut answers).unwrap();
                let mut expected = serde_json::to_vec(&entry).unwrap();
                expected.push(b'\n');
                proptest::prop_assert_eq!(String::from_utf8(line).unwrap(), String::from_utf8(expected).unwrap());
            }
        }
    }
}
