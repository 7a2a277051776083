//! Helpers shared by the command-line tests.

use std::path::PathBuf;

/// The test PKI generated once per test binary (`insilab_certs::testing::shared_pki`).
pub fn pki() -> PathBuf {
    match insilab_certs::testing::shared_pki() {
        Ok(pki) => pki.dir().to_owned(),
        Err(e) => panic!("cannot generate the test pki: {e}"),
    }
}
