//! Writes the trust of the `cpx_assertion` fuzz target and its signed seeds from the tests'
//! shared PKI (generated on this machine): `DIR/cpx/card-ca.der`, `DIR/cpx/card-ca.crl.der`
//! (certificate and CRL only, no private key) and `DIR/corpus/cpx_assertion/*.xml` (the valid
//! assertion of each test professional, one in a SOAP envelope, and every case of the negative
//! catalogue), signed at [`insilab_fuzz_entries::CPX_NOW`]. Generated outputs:
//! `scripts/fuzz-all.sh` writes them under `fuzz/work/` (ignored), never into git.
//!
//! Usage: `cargo run -p insilab-fuzz-entries --example cpx_seeds -- DIR`

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: cpx_seeds DIR");
        return ExitCode::from(2);
    };
    let written = insilab_certs::testing::shared_pki()
        .map_err(|e| e.to_string())
        .and_then(|pki| {
            insilab_fuzz_entries::write_cpx_seeds(&pki, &PathBuf::from(dir))
                .map_err(|e| e.to_string())
        });
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
