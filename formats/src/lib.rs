//! insilab-formats: the INS in the formats that carry it outside INSi.
//!
//! - [`hl7`]: HL7 v2 ER7 (IHE PAM France): a generic reader/writer with typed errors and named
//!   limits, and the typed PID identity fields of ADT messages;
//! - [`datamatrix`]: the INS Datamatrix payload (ins-rules.md §6), its PNG/SVG symbol and its
//!   decoding from PNG or JPEG pages;
//! - [`rules`]: the checks of both formats, returning core [`Finding`](insilab_core::rules::Finding)s
//!   whose ids are defined in `insilab_core::rules::formats`.
//!
//! Parsers do no I/O and never panic on input.
#![forbid(unsafe_code)]

pub mod datamatrix;
pub mod hl7;
pub mod rules;
