//! insilab-harness: runs the Gherkin suites against a software under test through a driver,
//! judges the calls and the outcome, writes the evidence bundle; also `lint`.
//!
//! The runner is our own small Gherkin runner on the `gherkin` crate (cucumber's parser) with a
//! step registry ([`steps`]): it gives us one results model written incrementally, a step
//! library we can list into `docs/steps.md`, scenario-level skip for drivers that lack a
//! capability, and a library entry ([`run_suites`]) the demo and the self-test call directly.
#![forbid(unsafe_code)]

pub mod actions;
mod api;
pub mod delivery;
pub mod driver;
pub mod emission;
mod error;
pub mod evidence;
pub mod exchange;
pub mod facts;
pub mod journal;
pub mod lexical;
pub mod lint;
pub mod manager;
pub mod outcome;
pub mod runner;
pub mod sim;
pub mod sim_local;
pub mod sim_remote;
pub mod steps;
pub mod suite;
pub mod tamper;

pub use api::{
    DriverSpec, EMISSION_SUBDIR, RunOptions, RunSummary, SelfTestResult, SimulatorSpec,
    run_self_test, run_suites,
};
pub use driver::faulty::FaultyBug;
pub use error::{HarnessError, describe_chain};
pub use evidence::Existing;
pub use runner::Progress;
