//! Answers written once and shared: the `RESULTAT` of a dataset person in each dialect, and the
//! `01` and `02` answers in each dialect.
//!
//! One job: the answer to a search that designates a person depends only on that person and the
//! dialect (the writer takes no request data), so it is written by `insilab_core`'s writer the
//! first time it is needed and kept as [`Bytes`]: every later exchange, and every journal entry
//! of it, shares the same buffer. A dataset is never changed in place (the admin API replaces it
//! whole), so a kept answer cannot go stale; a new dataset starts with an empty cache.

use std::sync::OnceLock;

use bytes::Bytes;
use insilab_core::insi::model::SearchResult;
use insilab_core::insi::writer::{self, Dialect};

const DIALECTS: usize = Dialect::ALL.len();

fn slot(dialect: Dialect) -> usize {
    match dialect {
        Dialect::Live => 0,
        Dialect::Y2022 => 1,
        Dialect::CndaFiles => 2,
    }
}

/// One answer per dialect, each written on first use.
#[derive(Clone, Default)]
pub struct PerDialect([OnceLock<Bytes>; DIALECTS]);

impl PerDialect {
    /// The answer in `dialect`, written by `write` the first time.
    pub fn get(&self, dialect: Dialect, write: impl FnOnce() -> SearchResult) -> Bytes {
        self.0[slot(dialect)]
            .get_or_init(|| Bytes::from(writer::write_result(&write(), dialect)))
            .clone()
    }
}

impl std::fmt::Debug for PerDialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let written = self.0.iter().filter(|s| s.get().is_some()).count();
        write!(f, "PerDialect({written} written)")
    }
}

/// A cache holds derived data only: two caches of equal persons are equal.
impl PartialEq for PerDialect {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for PerDialect {}

/// The `01` answer (`Aucune identite trouvee`) in `dialect`.
pub fn not_found(dialect: Dialect) -> Bytes {
    static CACHE: OnceLock<PerDialect> = OnceLock::new();
    CACHE
        .get_or_init(PerDialect::default)
        .get(dialect, SearchResult::not_found)
}

/// The `02` answer (`Plusieurs identites trouvees`) in `dialect`.
pub fn several(dialect: Dialect) -> Bytes {
    static CACHE: OnceLock<PerDialect> = OnceLock::new();
    CACHE
        .get_or_init(PerDialect::default)
        .get(dialect, SearchResult::several)
}
