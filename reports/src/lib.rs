//! insilab-reports: the results model (independent of cucumber), the requirement catalogue,
//! the DSR mapping, the evidence directory and its manifest, and the report writers.
//!
//! The harness fills a [`model::RunResults`], stores it in an evidence directory with
//! [`evidence::write_results`] and seals the directory with [`evidence::write_manifest`];
//! `insilab report` checks the seal with [`evidence::verify_manifest`] and renders the reports.
#![forbid(unsafe_code)]

pub mod catalogue;
mod error;
pub mod evidence;
pub mod model;
pub mod writers;

pub use catalogue::{Catalogue, CheckMode, DsrItem, DsrMapping, Family, Requirement, Source};
pub use error::ReportError;
pub use model::{
    Attestation, CallFacts, Counts, ExchangeRef, FactPair, Failure, RuleCheck, RuleMessage,
    RunResults, SCHEMA_VERSION, ScenarioFacts, ScenarioResult, Status, StepResult, Verdict,
};
pub use writers::{
    Format, ReportInput, write_all, write_html, write_json, write_junit, write_markdown,
};
