//! insilab-core: the pure layer every other part of insilab stands on.
//!
//! - [`ins`]: the INS domain (matricule, OID, traits, lexical profile, statuses);
//! - [`insi`]: the INSi wire format (typed messages, reader with hard limits, dialect writers);
//! - [`assertion`]: the CPx assertion of card mode (build, sign; its checks are rules);
//! - [`rules`]: the catalogue of request checks.
//!
//! No I/O, no async.
#![forbid(unsafe_code)]

pub mod assertion;
pub mod insi;

pub mod ins;
pub mod rules;
