//! The INSi wire format: typed messages ([`model`]), every contract name in one place
//! ([`names`]), the documented faults ([`faults`]), a namespace-aware reader with hard limits
//! ([`reader`]) and a writer for each response dialect ([`writer`]).

pub mod faults;
pub mod model;
pub mod names;

pub use model::*;
pub use names::Operation;
