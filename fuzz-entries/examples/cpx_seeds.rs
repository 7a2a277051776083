//! Writes the seeds of the `cpx_assertion` fuzz target and the trust it judges them with:
//! `fuzz/cpx/card-ca.der`, `fuzz/cpx/card-ca.crl.der` (certificate and CRL only, no private
//! key) and `fuzz/corpus/cpx_assertion/*.xml` (the valid assertion of each test professional,
//! one in a SOAP envelope, and every case of the negative catalogue), all from the tests'
//! shared PKI, signed at [`insilab_fuzz_entries::CPX_NOW`].
//!
//! Usage: `cargo run -p insilab-fuzz-entries --example cpx_seeds -- FUZZ_DIR`

use std::path::PathBuf;
use std::process::ExitCode;

use insilab_certs::card_cases::{NEGATIVE_CASES, VALID_CASE, case_assertion};
use insilab_certs::cards::card_trust;
use insilab_certs::testing::shared_pki;
use insilab_fuzz_entries::CPX_NOW;

const ID: &str = "_6f1d2c1e-0000-4000-8000-000000000001";
const PROFESSIONALS: [&str; 3] = ["899900063480", "00B6087510", "899700870589"];

fn run(fuzz_dir: PathBuf) -> Result<(), Box<dyn std::error::Error>> {
    let pki = shared_pki()?;
    let trust = card_trust(&pki)?;
    let crl = trust
        .crl_der
        .ok_or("the shared PKI publishes no card CRL")?;
    std::fs::create_dir_all(fuzz_dir.join("cpx"))?;
    std::fs::write(fuzz_dir.join("cpx/card-ca.der"), &trust.ca_der)?;
    std::fs::write(fuzz_dir.join("cpx/card-ca.crl.der"), crl)?;
    let corpus = fuzz_dir.join("corpus/cpx_assertion");
    std::fs::create_dir_all(&corpus)?;
    for id in PROFESSIONALS {
        let xml = case_assertion(&pki, id, VALID_CASE, ID, CPX_NOW)?;
        std::fs::write(corpus.join(format!("valid-{id}.xml")), &xml)?;
    }
    let xml = case_assertion(&pki, PROFESSIONALS[0], VALID_CASE, ID, CPX_NOW)?;
    let envelope = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap:Envelope xmlns:soap=\"{}\"><soap:Header><wsse:Security xmlns:wsse=\"{}\">{xml}</wsse:Security></soap:Header><soap:Body/></soap:Envelope>",
        insilab_core::assertion::SOAP12_NS,
        insilab_core::assertion::WSSE_NS
    );
    std::fs::write(corpus.join("valid-envelope.xml"), envelope)?;
    for case in NEGATIVE_CASES {
        let xml = case_assertion(&pki, PROFESSIONALS[0], case.name, ID, CPX_NOW)?;
        std::fs::write(corpus.join(format!("{}.xml", case.name)), xml)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: cpx_seeds FUZZ_DIR");
        return ExitCode::from(2);
    };
    match run(PathBuf::from(dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
