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
        name: "pdf_datamatrix",
        run: pdf_datamatrix,
    },
    Target {
        name: "datamatrix_image",
        run: datamatrix_image,
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
    // The fast tokenizer accepts only what the full reader reads to the same value.
    if let Ok(fast) = insi::reader::parse_request_with(data, &limits, insi::reader::Mode::Fast) {
        let full = insi::reader::parse_request_with(data, &limits, insi::reader::Mode::Full);
        assert_eq!(full.as_ref(), Ok(&fast), "the request tokenizers disagree");
    }
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
    let limits = Limits::default();
    if let Ok(fast) = insi::reader::parse_response_with(data, &limits, insi::reader::Mode::Fast) {
        let full = insi::reader::parse_response_with(data, &limits, insi::reader::Mode::Full);
        assert_eq!(full.as_ref(), Ok(&fast), "the response tokenizers disagree");
    }
    let _ = insi::parse_response(data, &limits);
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

/// A PDF page carrying the INS Datamatrix (`insilab_formats::datamatrix::decode_pdf`, what the
/// drop folder and `insilab lint` call on a PDF): lopdf's object reader with our limits, then
/// our unpacking of each image XObject's samples (bits per component, colour spaces, filters)
/// and the symbol search. A payload read from a page goes through the payload reader and rules.
pub fn pdf_datamatrix(data: &[u8]) {
    if let Ok(payload) = insilab_formats::datamatrix::decode_pdf(data) {
        datamatrix_payload(payload.as_bytes());
    }
}

/// A PNG or JPEG image carrying the INS Datamatrix (`insilab_formats::datamatrix::decode_image`,
/// what `insilab datamatrix decode`, `insilab lint` and the drop folder call on an image): the
/// format guess, the header read against our file and pixel limits, the `image` crate's PNG and
/// JPEG decoders, the conversion to grey and rxing's symbol search. A PDF goes to the
/// [`pdf_datamatrix`] target instead (`decode_image` hands it to the PDF reader). A payload read
/// from an image goes through the payload reader and rules.
pub fn datamatrix_image(data: &[u8]) {
    if insilab_formats::datamatrix::pdf::is_pdf(data) {
        return;
    }
    if let Ok(payload) = insilab_formats::datamatrix::decode_image(data) {
        datamatrix_payload(payload.as_bytes());
    }
}

/// Where the [`cpx_assertion`] target finds the trust it judges with when
/// [`CPX_DIR_ENV`] is not set: `work/generated/cpx/` under the directory it runs in (`fuzz/`,
/// as `scripts/fuzz-all.sh` runs it and writes it).
pub const CPX_DEFAULT_DIR: &str = "work/generated/cpx";
/// The environment variable naming the directory of the card CA and CRL
/// ([`CPX_CARD_CA_FILE`], [`CPX_CARD_CRL_FILE`]) that the [`cpx_assertion`] target trusts.
pub const CPX_DIR_ENV: &str = "INSILAB_FUZZ_CPX_DIR";
/// The card CA certificate (DER) in the trust directory.
pub const CPX_CARD_CA_FILE: &str = "card-ca.der";
/// That CA's CRL (DER) in the trust directory.
pub const CPX_CARD_CRL_FILE: &str = "card-ca.crl.der";
/// Largest trust file read (a certificate or a CRL of the test PKI is a few KB).
pub const MAX_CPX_TRUST_FILE_BYTES: u64 = 1024 * 1024;

/// The instant the [`cpx_assertion`] target judges at: the seeds' `IssueInstant`.
pub const CPX_NOW: time::OffsetDateTime = time::macros::datetime!(2026-06-01 10:00:00 UTC);

/// The trust of the [`cpx_assertion`] target: the `TEST AC IGC-SANTE FORT PERSONNES`
/// certificate of the PKI that signed the seeds, and its CRL. Nothing of it is committed: the
/// PKI is generated on the machine, and [`write_cpx_seeds`] writes both with the seeds (run by
/// `scripts/fuzz-all.sh` before the campaign).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CpxTrust {
    /// The card CA certificate (DER).
    pub card_ca_der: Vec<u8>,
    /// Its CRL (DER).
    pub crl_der: Vec<u8>,
}

fn read_bounded(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut out = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_CPX_TRUST_FILE_BYTES + 1)
        .read_to_end(&mut out)?;
    if out.len() as u64 > MAX_CPX_TRUST_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "{} is larger than {MAX_CPX_TRUST_FILE_BYTES} bytes",
            path.display()
        )));
    }
    Ok(out)
}

impl CpxTrust {
    /// Reads [`CPX_CARD_CA_FILE`] and [`CPX_CARD_CRL_FILE`] from `dir`.
    pub fn load(dir: &std::path::Path) -> std::io::Result<Self> {
        Ok(CpxTrust {
            card_ca_der: read_bounded(&dir.join(CPX_CARD_CA_FILE))?,
            crl_der: read_bounded(&dir.join(CPX_CARD_CRL_FILE))?,
        })
    }

    /// The card-mode policy the target judges with: this CA and CRL, at [`CPX_NOW`].
    pub fn policy(&self) -> insilab_core::rules::AssertionPolicy<'_> {
        use insilab_core::rules::{DEFAULT_ASSERTION_VALIDITY, DEFAULT_CLOCK_SKEW};
        insilab_core::rules::AssertionPolicy {
            card_ca_der: &self.card_ca_der,
            crl_der: Some(&self.crl_der),
            now: CPX_NOW,
            validity: DEFAULT_ASSERTION_VALIDITY,
            clock_skew: DEFAULT_CLOCK_SKEW,
        }
    }
}

/// The trust read once from [`CPX_DIR_ENV`] (or [`CPX_DEFAULT_DIR`]). When it cannot be read,
/// the target still runs every input through the reader with no CA trusted (every signature
/// chain then fails), and says so once on stderr: a campaign without the generated trust is
/// visibly weaker, never silently.
fn cpx_trust() -> &'static CpxTrust {
    static TRUST: std::sync::OnceLock<CpxTrust> = std::sync::OnceLock::new();
    TRUST.get_or_init(|| {
        let dir = std::env::var_os(CPX_DIR_ENV)
            .map_or_else(|| std::path::PathBuf::from(CPX_DEFAULT_DIR), Into::into);
        CpxTrust::load(&dir).unwrap_or_else(|e| {
            eprintln!(
                "warning: cpx_assertion: no card CA trusted ({}: {e}); generate it with \
                 `cargo run -p insilab-fuzz-entries --example cpx_seeds -- DIR` \
                 (scripts/fuzz-all.sh does) and set {CPX_DIR_ENV}=DIR/cpx",
                dir.display()
            );
            CpxTrust::default()
        })
    })
}

/// The test professionals whose valid assertion [`write_cpx_seeds`] signs (the first one also
/// in a SOAP envelope and in every case of the negative catalogue).
pub const CPX_PROFESSIONALS: [&str; 3] = ["899900063480", "00B6087510", "899700870589"];

/// Writes, from `pki`, the trust of the [`cpx_assertion`] target (`DIR/cpx/card-ca.der`,
/// `DIR/cpx/card-ca.crl.der`: certificate and CRL only) and its signed seeds
/// (`DIR/corpus/cpx_assertion/*.xml`). Generated outputs: written under an ignored directory
/// (`fuzz/work/`), never committed.
pub fn write_cpx_seeds(
    pki: &insilab_certs::Pki,
    dir: &std::path::Path,
) -> Result<(), Box<dyn std::error::Error>> {
    use insilab_certs::card_cases::{NEGATIVE_CASES, VALID_CASE, case_assertion};
    const ID: &str = "_6f1d2c1e-0000-4000-8000-000000000001";
    let trust = insilab_certs::cards::card_trust(pki)?;
    let crl = trust.crl_der.ok_or("the PKI publishes no card CRL")?;
    std::fs::create_dir_all(dir.join("cpx"))?;
    std::fs::write(dir.join("cpx").join(CPX_CARD_CA_FILE), &trust.ca_der)?;
    std::fs::write(dir.join("cpx").join(CPX_CARD_CRL_FILE), crl)?;
    let corpus = dir.join("corpus/cpx_assertion");
    std::fs::create_dir_all(&corpus)?;
    for id in CPX_PROFESSIONALS {
        let xml = case_assertion(pki, id, VALID_CASE, ID, CPX_NOW)?;
        std::fs::write(corpus.join(format!("valid-{id}.xml")), &xml)?;
    }
    let xml = case_assertion(pki, CPX_PROFESSIONALS[0], VALID_CASE, ID, CPX_NOW)?;
    let envelope = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap:Envelope xmlns:soap=\"{}\"><soap:Header><wsse:Security xmlns:wsse=\"{}\">{xml}</wsse:Security></soap:Header><soap:Body/></soap:Envelope>",
        insilab_core::assertion::SOAP12_NS,
        insilab_core::assertion::WSSE_NS
    );
    std::fs::write(corpus.join("valid-envelope.xml"), envelope)?;
    for case in NEGATIVE_CASES {
        let xml = case_assertion(pki, CPX_PROFESSIONALS[0], case.name, ID, CPX_NOW)?;
        std::fs::write(corpus.join(format!("{}.xml", case.name)), xml)?;
    }
    Ok(())
}

/// A signed CPx assertion (a bare `saml:Assertion` or a SOAP envelope carrying one), judged by
/// the card-mode rules (`check_assertion`) with the generated trust ([`cpx_trust`]).
pub fn cpx_assertion(data: &[u8]) {
    cpx_assertion_with(data, cpx_trust());
}

/// [`cpx_assertion`] with the trust given.
pub fn cpx_assertion_with(data: &[u8], trust: &CpxTrust) {
    let report = insilab_core::rules::check_assertion(data, &trust.policy());
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
