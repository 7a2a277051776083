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

/// An error and its causes for people, each cause once: sources whose text the message
/// already contains are left out (`Address already in use (os error 98)` is not repeated).
pub fn describe_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let part = cause.to_string();
        if !part.is_empty() && !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    text
}
