//! insilab-formats: the INS in the formats that carry it outside INSi.
//!
//! - [`hl7`]: HL7 v2 ER7 (IHE PAM France): a generic reader/writer with typed errors and named
//!   limits, and the typed PID identity fields of ADT messages;
//! - [`datamatrix`]: the INS Datamatrix payload (ins-rules.md §6), its PNG/SVG symbol and its
//!   decoding from PNG or JPEG pages;
//! - [`fhir`]: FHIR R4 Patient and Bundle (JSON and XML) as FR Core constrains them;
//! - [`cda`]: the CDA R2 header's `recordTarget/patientRole`;
//! - [`identity`]: one identity model: every carrier projected to the core INS, traits and status;
//! - [`rules`]: the checks of both formats, returning core [`Finding`](insilab_core::rules::Finding)s
//!   whose ids are entries of the one catalogue (`insilab_core::rules`).
//!
//! Parsers do no I/O and never panic on input.
#![forbid(unsafe_code)]

pub mod cda;
pub mod datamatrix;
pub mod detect;
pub mod fhir;
pub mod hl7;
pub mod identity;
pub mod mllp;
pub mod rules;
pub mod xml;
