//! insilab-harness: runs the Gherkin suites against a software under test through a driver,
//! judges the calls and the outcome, writes the evidence bundle; also `lint`.
#![forbid(unsafe_code)]

