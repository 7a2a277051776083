//! HL7 v2 ER7 reader and writer: delimiters, escapes, tolerance, limits, typed PID, round trips.

use insilab_formats::hl7::adt::build_adt;
use insilab_formats::hl7::er7::{self, Limits, write_bytes};
use insilab_formats::hl7::{AdtEvent, Cx, Hd, Header, Hl7Error, Pid, Xad, Xpn, parse, write};
use proptest::prelude::*;

const ANS_PID: &str = "PID|1||000003^^^CHU-X&000897406&N^PI~279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS^^20101207||PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F|||28 Av de Breteuil^^PARIS^^75007^FRA^H~^^^^^^BDL^^63220||||||||||||||||||||N|VALI";

fn sample() -> String {
    format!(
        "MSH|^~\\&|SENDER|FAC|RECV|FAC2|20261201101500||ADT^A28^ADT_A05|42|P|2.5|||||FRA|UNICODE UTF-8|||2.11^IHE_FR\rEVN||20261201101500\r{ANS_PID}\rPV1|1|N\r"
    )
}

#[test]
fn reads_the_ans_pid_example() {
    let msg = parse(sample().as_bytes()).expect("parses");
    let header = Header::from_message(&msg).expect("adt header");
    assert_eq!(header.event, AdtEvent::A28);
    assert_eq!(header.profile, vec!["2.11", "IHE_FR"]);
    let pid = Pid::from_message(&msg).expect("pid");
    assert_eq!(pid.identifiers.len(), 2);
    let ins = &pid.identifiers[1];
    assert_eq!(ins.id, "279035121518989");
    assert_eq!(
        ins.authority,
        Hd {
            namespace: "ASIP-SANTE-INS-NIR".into(),
            universal_id: "1.2.250.1.213.1.4.10".into(),
            universal_id_type: "ISO".into()
        }
    );
    assert_eq!(ins.type_code, "INS");
    assert_eq!(ins.effective_date, "20101207");
    assert_eq!(pid.identifiers[0].type_code, "PI");
    let l = pid.birth_name().expect("L repetition");
    assert_eq!(
        (
            l.family.as_str(),
            l.given.as_str(),
            l.further_given.as_str()
        ),
        ("PAT-TROIS", "DOMINIQUE", "DOMINIQUE")
    );
    assert_eq!(pid.birth_date, "19790328");
    assert_eq!(pid.sex, "F");
    assert_eq!(pid.birth_place().expect("BDL").county, "63220");
    assert_eq!(pid.identity_unknown, "N");
    assert_eq!(pid.reliability, vec!["VALI"]);
    assert_eq!(pid.ins_identifiers().count(), 1);
}

#[test]
fn custom_encoding_characters_from_msh2() {
    let text = "MSH#*!?%#A#B#C#D#20261201##ADT*A08#1#P#2.5\rPID#1##ID1***NS%1.2%ISO*PI!ID2#\r";
    let msg = parse(text.as_bytes()).expect("parses");
    assert_eq!(msg.delimiters.field, '#');
    assert_eq!(msg.delimiters.component, '*');
    assert_eq!(msg.delimiters.repetition, '!');
    assert_eq!(msg.delimiters.escape, '?');
    assert_eq!(msg.delimiters.subcomponent, '%');
    let pid = Pid::from_message(&msg).expect("pid");
    assert_eq!(pid.identifiers[0].authority.universal_id, "1.2");
    assert_eq!(pid.identifiers[1].id, "ID2");
    assert_eq!(
        Header::from_message(&msg).expect("header").event,
        AdtEvent::A08
    );
    assert_eq!(parse(write(&msg).as_bytes()).expect("reparses"), msg);
}

#[test]
fn escapes_are_decoded_and_written_back() {
    let text = "MSH|^~\\&|A\rNTE|1||a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f\\X0D0A\\g\\XC3A9\\\\H\\h\\\r";
    let msg = parse(text.as_bytes()).expect("parses");
    let v = msg.segments[1].value(3);
    assert_eq!(v, "a|b^c~d\\e&f\r\ng\u{e9}\\H\\h\\");
    let written = write(&msg);
    assert!(
        written.contains("a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f\\X0D\\\\X0A\\g"),
        "{written:?}"
    );
    assert_eq!(parse(written.as_bytes()).expect("reparses"), msg);
}

#[test]
fn tolerates_lf_crlf_blank_lines_and_trailing_separators() {
    let cr = sample();
    let lf = cr.replace('\r', "\n");
    let crlf = cr.replace('\r', "\r\n\r\n");
    let trailing = cr.replace("PV1|1|N", "PV1|1|N|||^^~~&&|||");
    let base = parse(cr.as_bytes()).expect("cr");
    assert_eq!(parse(lf.as_bytes()).expect("lf"), base);
    assert_eq!(parse(crlf.as_bytes()).expect("crlf"), base);
    assert_eq!(parse(trailing.as_bytes()).expect("trailing"), base);
}

#[test]
fn latin1_declared_in_msh18_is_decoded() {
    let mut bytes = b"MSH|^~\\&|A|||||||||||||||8859/1\rPID|1||||L".to_vec();
    bytes.push(0xC9); // É in ISO 8859-1
    bytes.extend_from_slice(b"ON^ZO");
    bytes.push(0xC9);
    bytes.extend_from_slice(b"\r");
    let msg = parse(&bytes).expect("latin-1");
    // Same with custom delimiters and a second MSH-18 repetition.
    let mut custom = b"MSH#*!?%#A###############8859/1!UNICODE UTF-8\rPID#1####L".to_vec();
    custom.push(0xC9);
    custom.extend_from_slice(b"ON\r");
    let c = parse(&custom).expect("latin-1, custom delimiters");
    assert_eq!(
        Pid::from_message(&c).expect("pid").names[0].family,
        "L\u{c9}ON"
    );
    assert_eq!(msg.charset(), "8859/1");
    let pid = Pid::from_message(&msg).expect("pid");
    assert_eq!(pid.names[0].family, "L\u{c9}ON");
    assert_eq!(write_bytes(&msg), bytes);
    // The same bytes without the declaration are not UTF-8: a typed error with the offset.
    let undeclared = String::from_utf8_lossy(&bytes).replace("8859/1", "");
    let mut raw = bytes.clone();
    raw.drain(22..28);
    assert!(undeclared.contains('\u{fffd}'));
    let first_high = raw.iter().position(|b| *b >= 0x80).expect("a Latin-1 byte");
    assert_eq!(parse(&raw), Err(Hl7Error::NotUtf8 { offset: first_high }));
}

#[test]
fn errors_name_where() {
    assert_eq!(parse(b""), Err(Hl7Error::Empty));
    assert!(matches!(parse(b"PID|1\r"), Err(Hl7Error::NoMsh { .. })));
    assert!(matches!(
        parse(b"MSH|^~\r"),
        Err(Hl7Error::Delimiters { .. })
    ));
    assert!(matches!(
        parse(b"MSH|^^\\&\r"),
        Err(Hl7Error::Delimiters { .. })
    ));
    match parse(b"MSH|^~\\&|A\rPID|1\rpv1|2\r") {
        Err(Hl7Error::SegmentId { at, found }) => {
            assert_eq!(at.segment_index, 3);
            assert_eq!(found, "pv1");
        }
        other => panic!("{other:?}"),
    }
    let limits = Limits {
        repetitions: 2,
        ..Limits::default()
    };
    match er7::parse_with(b"MSH|^~\\&|A\rPID|1||a~b~c\r", &limits) {
        Err(Hl7Error::TooMany { at, what, max }) => {
            assert_eq!(
                (
                    at.segment.as_str(),
                    at.segment_index,
                    at.field,
                    at.repetition
                ),
                ("PID", 2, Some(3), Some(3))
            );
            assert_eq!((what, max), ("repetitions", 2));
            assert_eq!(at.to_string(), "PID (segment #2) field 3 repetition 3");
        }
        other => panic!("{other:?}"),
    }
    let big = vec![b'A'; er7::MAX_MESSAGE_BYTES + 1];
    assert!(matches!(parse(&big), Err(Hl7Error::TooLarge { .. })));
    let many = format!("MSH|^~\\&|A\r{}", "NTE|1\r".repeat(er7::MAX_SEGMENTS));
    assert!(matches!(
        parse(many.as_bytes()),
        Err(Hl7Error::TooMany {
            what: "segments",
            ..
        })
    ));
    let fields = format!("MSH|^~\\&|A\rNTE{}\r", "|x".repeat(er7::MAX_FIELDS + 1));
    assert!(matches!(
        parse(fields.as_bytes()),
        Err(Hl7Error::TooMany { what: "fields", .. })
    ));
    let msg = parse(b"MSH|^~\\&|A||||||ORU^R01\r").expect("parses");
    assert!(matches!(
        Header::from_message(&msg),
        Err(Hl7Error::Invalid { .. })
    ));
    let msg = parse(b"MSH|^~\\&|A||||||ADT^A99\r").expect("parses");
    assert!(matches!(
        Header::from_message(&msg),
        Err(Hl7Error::Invalid { .. })
    ));
}

fn header(event: AdtEvent) -> Header {
    Header {
        sending_application: "INSILAB".into(),
        sending_facility: "LAB".into(),
        receiving_application: "SUT".into(),
        receiving_facility: "HOP".into(),
        timestamp: "20261201120000".into(),
        event,
        control_id: "C1".into(),
        processing_id: "P".into(),
        version: "2.5".into(),
        country: "FRA".into(),
        charset: "UNICODE UTF-8".into(),
        profile: vec!["2.11".into(), "IHE_FR".into()],
    }
}

#[test]
fn every_event_is_written_and_read_back() {
    let pid = Pid::from_message(&parse(sample().as_bytes()).expect("parses")).expect("pid");
    for event in AdtEvent::ALL {
        let msg = build_adt(&header(event), &pid, Vec::new());
        let text = write(&msg);
        assert!(text.starts_with(&format!("MSH|^~\\&|INSILAB|LAB|SUT|HOP|20261201120000||ADT^{}^{}|C1|P|2.5|||||FRA|UNICODE UTF-8|||2.11^IHE_FR\r", event.code(), event.structure())), "{text}");
        let back = parse(text.as_bytes()).expect("reparses");
        assert_eq!(Header::from_message(&back).expect("header"), header(event));
        assert_eq!(Pid::from_message(&back).expect("pid"), pid);
    }
}

fn value() -> impl Strategy<Value = String> {
    // Any text, delimiters, escapes, CR/LF and non-ASCII included; trailing-empty normalisation
    // means a value of the model is compared after a first read.
    "[ -~\\r\\né€\\\\|^~&]{0,12}"
}

fn cx() -> impl Strategy<Value = Cx> {
    (value(), value(), value(), value(), value(), value()).prop_map(|(id, ns, oid, t, tc, d)| Cx {
        id,
        authority: Hd {
            namespace: ns,
            universal_id: oid,
            universal_id_type: t,
        },
        type_code: tc,
        effective_date: d,
    })
}

fn xpn() -> impl Strategy<Value = Xpn> {
    (value(), value(), value(), value(), value()).prop_map(
        |(family, given, further_given, prefix, type_code)| Xpn {
            family,
            given,
            further_given,
            prefix,
            type_code,
        },
    )
}

fn xad() -> impl Strategy<Value = Xad> {
    (value(), value(), value(), value(), value(), value()).prop_map(
        |(street, city, zip, country, type_code, county)| Xad {
            street,
            city,
            zip,
            country,
            type_code,
            county,
        },
    )
}

fn pid() -> impl Strategy<Value = Pid> {
    (
        value(),
        proptest::collection::vec(cx(), 0..4),
        proptest::collection::vec(xpn(), 0..3),
        value(),
        value(),
        proptest::collection::vec(xad(), 0..3),
        value(),
        proptest::collection::vec(value(), 0..3),
    )
        .prop_map(
            |(
                set_id,
                identifiers,
                names,
                birth_date,
                sex,
                addresses,
                identity_unknown,
                reliability,
            )| Pid {
                set_id,
                identifiers,
                names,
                birth_date,
                sex,
                addresses,
                identity_unknown,
                reliability,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse(&bytes);
        let mut with_msh = b"MSH|^~\\&|".to_vec();
        with_msh.extend_from_slice(&bytes);
        if let Ok(msg) = parse(&with_msh) {
            let _ = Header::from_message(&msg);
            let _ = insilab_formats::rules::hl7::check_message(&msg);
            prop_assert_eq!(parse(&write_bytes(&msg)), Ok(msg));
        }
    }

    #[test]
    fn never_panics_on_mutations_of_a_valid_message(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12)
    ) {
        let mut bytes = sample().into_bytes();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        if let Ok(msg) = parse(&bytes) {
            let _ = insilab_formats::rules::hl7::check_message(&msg);
            // parse(write(x)) == x for every message the reader produces.
            prop_assert_eq!(parse(&write_bytes(&msg)), Ok(msg));
        }
    }

    #[test]
    fn typed_pid_round_trips(p in pid()) {
        // Normalise once (trailing empties dropped), then the round trip is exact.
        let msg = build_adt(&header(AdtEvent::A31), &p, Vec::new());
        let once = Pid::from_message(&parse(write(&msg).as_bytes()).expect("written parses")).expect("pid");
        let again = build_adt(&header(AdtEvent::A31), &once, Vec::new());
        let twice = Pid::from_message(&parse(write(&again).as_bytes()).expect("rewritten parses")).expect("pid");
        prop_assert_eq!(&twice, &once);
        // Non-empty values survive exactly.
        for (a, b) in p.identifiers.iter().zip(&once.identifiers) {
            if !a.id.is_empty() { prop_assert_eq!(&a.id, &b.id); }
        }
        prop_assert_eq!(&p.birth_date, &once.birth_date);
        prop_assert_eq!(&p.sex, &once.sex);
    }
}

#[test]
fn projects_to_the_core_identity() {
    let pid = Pid::from_message(&parse(sample().as_bytes()).expect("parses")).expect("pid");
    let ins = pid.ins().expect("ins");
    assert_eq!(ins.matricule.to_string(), "279035121518989");
    assert_eq!(ins.oid, insilab_core::ins::Oid::NirTest);
    let traits = pid.traits().expect("traits");
    assert_eq!(traits.birth_name, "PAT-TROIS");
    assert_eq!(traits.first_names, vec!["DOMINIQUE"]);
    assert_eq!(traits.birth_date.to_string(), "1979-03-28");
    assert_eq!(traits.birthplace.expect("cog").to_string(), "63220");
    // The same identity projected to the Datamatrix payload and back.
    let p =
        insilab_formats::datamatrix::InsPayload::from_identity(ins, &pid.traits().expect("traits"))
            .expect("full date");
    assert_eq!(p.traits(), pid.traits().expect("traits"));
    let mut bad = pid.clone();
    bad.birth_date = "1979".into();
    assert!(matches!(bad.traits(), Err(Hl7Error::Invalid { at, .. }) if at.field == Some(7)));
}

/// Found by the `hl7_er7` fuzz target: the reader chose ISO 8859-1 from the raw MSH-18 cut at
/// the first delimiter (`8859/1\E\` → `8859/1`) while the model's MSH-18 is the unescaped value
/// (`8859/1\`), so the writer wrote UTF-8 and the message read back different (`ÿ` → `Ã¿`). The
/// reader now decides on the model's value; delimiters must be ASCII and blank lines ASCII-blank,
/// so that both readings cut the message alike.
#[test]
fn the_character_set_is_the_one_the_model_reads_and_the_writer_writes() {
    // MSH-18 `8859/1\E\` is `8859/1\`: not ISO 8859-1, so the 0xFF byte is not UTF-8.
    let escaped =
        b"MSH|^~\\&|A|B|C|D|20260101||ADT^A28^ADT_A05|1|P|2.5|||||FRA|8859/1\\E\\\rPID|1||\xff\r";
    assert!(matches!(parse(escaped), Err(Hl7Error::NotUtf8 { .. })));
    // Declared in a later sub-component: still not the value the writer looks at.
    let later =
        b"MSH|^~\\&|A|B|C|D|20260101||ADT^A28^ADT_A05|1|P|2.5|||||FRA|X&8859/1\rPID|1||\xff\r";
    assert!(matches!(parse(later), Err(Hl7Error::NotUtf8 { .. })));
    // Declared plainly: read as ISO 8859-1, written back the same.
    let plain =
        b"MSH|^~\\&|A|B|C|D|20260101||ADT^A28^ADT_A05|1|P|2.5|||||FRA|8859/1\rPID|1||\xff\r";
    let msg = parse(plain).expect("latin-1 message");
    assert_eq!(msg.segments[1].value(3), "\u{ff}");
    assert_eq!(write_bytes(&msg), plain.to_vec());
    assert_eq!(parse(&write_bytes(&msg)), Ok(msg));
    // A blank line of Unicode spaces is not blank: it is not an MSH segment.
    let unicode_blank =
        "\u{3000}\rMSH|^~\\&|A|B|C|D|20260101||ADT^A28^ADT_A05|1|P|2.5|||||FRA|8859/1\r";
    assert!(matches!(
        parse(unicode_blank.as_bytes()),
        Err(Hl7Error::NoMsh { .. })
    ));
    // A delimiter outside ASCII is refused.
    let euro = "MSH€^~\\&€A€B€C€D€20260101€€ADT^A28^ADT_A05€1€P€2.5\rPID€1\r";
    assert!(matches!(
        parse(euro.as_bytes()),
        Err(Hl7Error::Delimiters { .. })
    ));
    // The fuzzer's input, and every regression kept for it, reads back equal once written.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions/hl7_er7");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz/regressions/hl7_er7") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("regression");
        if let Ok(msg) = parse(&bytes) {
            assert_eq!(parse(&write_bytes(&msg)), Ok(msg));
        }
        replayed += 1;
    }
    assert!(replayed >= 1);
}
