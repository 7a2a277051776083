//! The entry points the fuzzer drives: one function per reader of untrusted input, taking raw
//! bytes. The cargo-fuzz targets in `fuzz/` call them under libFuzzer (nightly), and
//! `tests/replay.rs` calls the very same functions on stable for every committed corpus entry
//! and crash regression (`fuzz/corpus/<target>/`, `fuzz/regressions/<target>/`), so that
//! `cargo test` keeps every finding fixed.
//!
//! An entry point must never panic: a panic (or an abort, a timeout, an out-of-memory) is what
//! the fuzzer reports as a crash. Where a cheap property holds for every input, it is asserted
//! here too, so the fuzzer also finds wrong answers, not only crashes.

use insilab_core::insi::{self, Limits, Response};

/// A fuzz target: its name (the directory of its corpus) and its entry point.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The name, as in `cargo +nightly fuzz run NAME` and `fuzz/corpus/NAME/`.
    pub name: &'static str,
    /// The entry point.
    pub run: fn(&[u8]),
}

/// Every target, in the order `scripts/fuzz-all.sh` runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "insi_request",
        run: insi_request,
    },
    Target {
        name: "insi_response",
        run: insi_response,
    },
    Target {
        name: "soap_fault",
        run: soap_fault,
    },
    Target {
        name: "driver_messages",
        run: driver_messages,
    },
    Target {
        name: "dataset_yaml",
        run: dataset_yaml,
    },
    Target {
        name: "config_yaml",
        run: config_yaml,
    },
    Target {
        name: "overrides",
        run: overrides,
    },
    Target {
        name: "pkcs12",
        run: pkcs12,
    },
    Target {
        name: "pem",
        run: pem,
    },
    Target {
        name: "lint",
        run: lint,
    },
    Target {
        name: "hl7_er7",
        run: hl7_er7,
    },
    Target {
        name: "datamatrix_payload",
        run: datamatrix_payload,
    },
    Target {
        name: "fhir",
        run: fhir,
    },
    Target {
        name: "cda",
        run: cda,
    },
    Target {
        name: "mllp",
        run: mllp,
    },
    Target {
        name: "cpx_assertion",
        run: cpx_assertion,
    },
];

/// The password tried on fuzzed PKCS#12 bundles (the seed corpus's bundles use it).
pub const PKCS12_PASSWORD: &str = "insilab";

/// An INSi request (SOAP 1.2 envelope) as the simulator reads it. A request that parses is
/// written back and must parse again (the writer's output is always readable).
pub fn insi_request(data: &[u8]) {
    let limits = Limits::default();
    if let Ok(request) = insi::parse_request(data, &limits) {
        let written = insi::writer::write_request(&request);
        let again = insi::parse_request(written.as_bytes(), &limits);
        assert!(
            again.is_ok(),
            "the writer's request does not parse: {again:?}\n{written}"
        );
    }
}

/// An INSi answer (result or fault) as the client reads it.
pub fn insi_response(data: &[u8]) {
    let _ = insi::parse_response(data, &Limits::default());
}

/// The inside of a SOAP 1.2 `Fault` element (code, reason, detail with `siram:Erreur`), wrapped
/// in a well-formed envelope so that the fuzzer spends its time in the fault reader.
pub fn soap_fault(data: &[u8]) {
    const HEAD: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:siram=\"urn:siram\"><soap:Body><soap:Fault>";
    const TAIL: &[u8] = b"</soap:Fault></soap:Body></soap:Envelope>";
    let mut doc = Vec::with_capacity(HEAD.len() + data.len() + TAIL.len());
    doc.extend_from_slice(HEAD);
    doc.extend_from_slice(data);
    doc.extend_from_slice(TAIL);
    if let Ok(Response::Fault(fault)) = insi::parse_response(&doc, &Limits::default()) {
        let _ = fault.erreur.code.len();
    }
}

/// The driver protocol: a command or http driver's JSON outcome, the http hook's JSON action,
/// and a manual driver's answer line.
pub fn driver_messages(data: &[u8]) {
    let _ = insilab_harness::outcome::parse_outcome(data, "fuzz");
    let _ = serde_json::from_slice::<insilab_harness::driver::http::HookAction>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        for line in text.lines() {
            let _ = insilab_harness::driver::manual::parse_answer(line);
        }
    }
}

/// A dataset file (YAML).
pub fn dataset_yaml(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = insilab_simulator::dataset::Dataset::from_yaml(text, "fuzz");
    }
}

/// A simulator configuration file (YAML).
pub fn config_yaml(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = insilab_simulator::FileConfig::from_yaml(text, "fuzz");
    }
}

/// Overrides: the admin API's JSON body (one or a list) and the same shape in YAML, then the
/// values' validation.
pub fn overrides(data: &[u8]) {
    use insilab_simulator::OverrideSpec;
    let mut specs = Vec::new();
    if let Ok(list) = serde_json::from_slice::<Vec<OverrideSpec>>(data) {
        specs.extend(list);
    } else if let Ok(one) = serde_json::from_slice::<OverrideSpec>(data) {
        specs.push(one);
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(list) = serde_saphyr::from_str::<Vec<OverrideSpec>>(text)
    {
        specs.extend(list);
    }
    for spec in &specs {
        let _ = spec.validate();
    }
}

/// A PKCS#12 bundle, opened with [`PKCS12_PASSWORD`].
pub fn pkcs12(data: &[u8]) {
    let _ = insilab_certs::pkcs12::read_pkcs12(data, PKCS12_PASSWORD, "fuzz");
}

/// A PEM certificate chain and a PEM private key, split at the first NUL byte (the whole input
/// is tried as both when there is none).
pub fn pem(data: &[u8]) {
    let (chain, key) = match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, data),
    };
    let chain = String::from_utf8_lossy(chain);
    let key = String::from_utf8_lossy(key);
    let _ = insilab_certs::client_identity_from_pem(&chain, &key);
}

/// `insilab lint` on a file's bytes (INSi XML of any kind).
pub fn lint(data: &[u8]) {
    let _ = insilab_harness::lint::lint_bytes(std::path::Path::new("fuzz.xml"), data);
}

/// An HL7 v2 message in ER7 form (`insilab_formats::hl7`): the reader, the typed header and PID,
/// the format rules. A message that parses is written back and must read back equal (the
/// property the crate promises: `parse(write_bytes(m)) == m`).
pub fn hl7_er7(data: &[u8]) {
    use insilab_formats::hl7::{Header, Pid, parse, write_bytes};
    let Ok(msg) = parse(data) else {
        return;
    };
    let _ = Header::from_message(&msg);
    if let Ok(pid) = Pid::from_message(&msg) {
        let _ = pid.ins();
        let _ = pid.traits();
        let _ = insilab_formats::rules::hl7::check_pid(&pid);
    }
    let _ = insilab_formats::rules::hl7::check_message(&msg);
    let written = write_bytes(&msg);
    let again = parse(&written);
    assert!(
        again.as_ref() == Ok(&msg),
        "the written message does not read back equal: {again:?}\n{msg:?}\n{:?}",
        String::from_utf8_lossy(&written)
    );
}

/// The text of an INS Datamatrix (`insilab_formats::datamatrix`): the block reader, the
/// payload rules, the typed payload. A payload that parses is built again and must parse back
/// equal.
pub fn datamatrix_payload(data: &[u8]) {
    use insilab_formats::datamatrix::{build, parse_payload, parse_raw};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(raw) = parse_raw(text) {
        let _ = insilab_formats::rules::datamatrix::check_raw(&raw);
    }
    let _ = insilab_formats::rules::datamatrix::check_payload(text);
    if let Ok(payload) = parse_payload(text) {
        let built = build(&payload);
        let again = parse_payload(&built);
        assert!(
            again.as_ref() == Ok(&payload),
            "the built payload does not read back equal: {again:?}\n{payload:?}\n{built:?}"
        );
    }
}

/// The card CA (DER) the [`cpx_assertion`] target trusts: the `TEST AC IGC-SANTE FORT
/// PERSONNES` certificate of the PKI that signed the seeds in `fuzz/corpus/cpx_assertion/`
/// (a certificate only; written by `cargo run -p insilab-fuzz-entries --example cpx_seeds`).
pub const CPX_CARD_CA_DER: &[u8] = include_bytes!("../../fuzz/cpx/card-ca.der");
/// That CA's CRL (DER).
pub const CPX_CARD_CRL_DER: &[u8] = include_bytes!("../../fuzz/cpx/card-ca.crl.der");

/// The instant the [`cpx_assertion`] target judges at: the seeds' `IssueInstant`.
pub const CPX_NOW: time::OffsetDateTime = time::macros::datetime!(2026-06-01 10:00:00 UTC);

/// A signed CPx assertion (a bare `saml:Assertion` or a SOAP envelope carrying one), judged by
/// the card-mode rules (`check_assertion`) with [`CPX_CARD_CA_DER`] and its CRL trusted.
pub fn cpx_assertion(data: &[u8]) {
    use insilab_core::rules::{
        AssertionPolicy, DEFAULT_ASSERTION_VALIDITY, DEFAULT_CLOCK_SKEW, check_assertion,
    };
    let policy = AssertionPolicy {
        card_ca_der: CPX_CARD_CA_DER,
        crl_der: Some(CPX_CARD_CRL_DER),
        now: CPX_NOW,
        validity: DEFAULT_ASSERTION_VALIDITY,
        clock_skew: DEFAULT_CLOCK_SKEW,
    };
    let report = check_assertion(data, &policy);
    let _ = report.refusal();
}

/// FHIR Patient/Bundle reader (JSON or XML by the first byte) and `INS-FHIR-*` rules; what is
/// read is written in both syntaxes and read back equal.
pub fn fhir(data: &[u8]) {
    use insilab_formats::fhir;
    if let Ok(r) = fhir::read(data) {
        let _ = insilab_formats::rules::fhir::check_resource(&r);
        for syntax in [fhir::Syntax::Json, fhir::Syntax::Xml] {
            let again = fhir::read(fhir::write(&r, syntax).as_bytes());
            assert_eq!(again.as_ref(), Ok(&r), "FHIR round trip {syntax:?}");
        }
    }
}

/// CDA header reader and `INS-CDA-*` rules; what is read is written and read back equal.
pub fn cda(data: &[u8]) {
    use insilab_formats::cda;
    if let Ok(h) = cda::read(data) {
        let _ = insilab_formats::rules::cda::check_header(&h);
        let again = cda::read(cda::write(&h).as_bytes());
        assert_eq!(again.as_ref(), Ok(&h), "CDA round trip");
    }
}

/// MLLP deframer fed in two chunks, then the listener's answer to each frame: the ACK it would
/// send reads back as an ACK with the same code.
pub fn mllp(data: &[u8]) {
    use insilab_formats::mllp::{Deframer, read_ack};
    let mut d = Deframer::new(64 * 1024);
    let (a, b) = data.split_at(data.len() / 2);
    let mut frames = Vec::new();
    for chunk in [a, b] {
        match d.push(chunk) {
            Ok(f) => frames.extend(f),
            Err(_) => break,
        }
    }
    for body in frames {
        let answer = insilab_simulator::channels::mllp::answer(&body);
        let text = insilab_formats::hl7::write(&answer.ack);
        let ack = insilab_formats::hl7::parse(text.as_bytes()).expect("the ACK reads back");
        let summary = read_ack(&ack).expect("the ACK has an MSA");
        assert_eq!(summary.code, answer.code);
    }
}
