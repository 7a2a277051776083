//! A PKI shared by the tests of every crate: generated once per machine (RSA key generation is
//! slow) into the system temporary directory, then reused.
//!
//! Its reference time is fixed at 2026-01-01 and its valid certificates last ten years, so
//! they stay valid against the real clock until 2036, while the expired certificate ended in
//! December 2025 and the not-yet-valid one starts in 2036.

use std::path::PathBuf;
use std::sync::Mutex;

use crate::{CertsError, Pki, PkiOptions};

/// Seed of the shared test PKI.
pub const SHARED_SEED: u64 = 20_260_101;
/// Reference time of the shared test PKI.
pub const SHARED_NOW: time::OffsetDateTime = time::macros::datetime!(2026-01-01 00:00:00 UTC);
/// Validity of its valid end-entity certificates (ten years: they must outlive the test suite).
pub const SHARED_VALIDITY_DAYS: u32 = 3650;

/// The options the shared PKI is generated with.
pub fn shared_options() -> PkiOptions {
    PkiOptions {
        seed: SHARED_SEED,
        now: SHARED_NOW,
        validity_days: SHARED_VALIDITY_DAYS,
        ..PkiOptions::default()
    }
}

/// Where the shared PKI lives:
/// `<temp dir>/insilab-test-pki-<crate version>-r<generator revision>-<seed>-20260101T000000Z`.
pub fn shared_dir() -> PathBuf {
    std::env::temp_dir().join(format!(
        "insilab-test-pki-{}-r{}-{SHARED_SEED}-20260101T000000Z",
        env!("CARGO_PKG_VERSION"),
        crate::GENERATOR_REVISION
    ))
}

/// Loads the shared test PKI, generating it first if no loadable one exists. Safe to call from
/// concurrent test threads and processes: generation goes to a temporary directory renamed into
/// place, and a process that loses the race loads the winner's.
pub fn shared_pki() -> Result<Pki, CertsError> {
    static GENERATION: Mutex<()> = Mutex::new(());
    // A poisoned lock only means another test panicked while holding it; the directory is
    // still consistent thanks to the atomic rename.
    let _guard = GENERATION
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = shared_dir();
    match Pki::load(&dir) {
        Ok(pki) if pki.index().generator == crate::generator_name() => Ok(pki),
        // Written by another generator revision (a development build): replace it.
        Ok(_) => crate::init(&dir, &shared_options(), true),
        Err(CertsError::Missing { .. }) => match crate::init(&dir, &shared_options(), false) {
            Err(CertsError::AlreadyExists { .. }) => Pki::load(&dir),
            other => other,
        },
        // Present but unreadable (an older layout with the same version): replace it.
        Err(_) => crate::init(&dir, &shared_options(), true),
    }
}
