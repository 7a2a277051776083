//! insilab-certs: the generated test PKI shaped like the IGC-Santé test hierarchy
//! (root, organisation and personal intermediates, server and client identities, the
//! negative catalogue, CRL, PKCS#12 bundles, `index.yaml`), and rustls configurations built from it.
//!
//! ```no_run
//! # fn main() -> Result<(), insilab_certs::CertsError> {
//! use insilab_certs::{ClientAuth, Pki};
//! let pki = Pki::load(std::path::Path::new(insilab_certs::DEFAULT_DIR))?;
//! let server = pki.server_config("server", ClientAuth::Required)?;
//! let client = pki.client_config("insi-auto")?;
//! # let _ = (server, client);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod ca;
pub mod card_cases;
pub mod cards;
mod catalogue;
pub mod dn;
mod error;
pub mod facts;
mod generate;
pub mod index;
pub mod pkcs12;
mod pki;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::CertsError;
pub use generate::{
    CPX_PROFESSIONAL_ID, DEFAULT_ORGANISATION, DEFAULT_SEED, DEFAULT_STRUCTURE_ID,
    DEFAULT_VALIDITY_DAYS, GENERATOR_REVISION, GeneratedPki, INDEX_HEAD_BYTES, MAX_DN_VALUE_CHARS,
    MAX_EXTRA_SANS, MAX_P12_PASSWORD_CHARS, MAX_SAN_CHARS, PkiOptions, RSA_BITS, generate,
    generator_name, init, is_own_pki, random_seed,
};
pub use index::{
    CaEntry, CertFacts, CrlEntry, ExpectedOutcome, INDEX_FILE, IdentityEntry, Index, Role,
};
pub use pki::{
    ClientAuth, Identity, MAX_PKI_FILE_BYTES, Pki, alert_name, client_identity_from_p12,
    client_identity_from_pem, tls_alert_of,
};

/// Where `insilab pki init` writes by default (git-ignored).
pub const DEFAULT_DIR: &str = "certs/generated";
/// Password of the PKCS#12 bundles unless `--p12-password` says otherwise.
pub const DEFAULT_P12_PASSWORD: &str = "insilab";
