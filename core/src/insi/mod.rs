//! The INSi wire format: typed messages ([`model`]), every contract name in one place
//! ([`names`]), the documented faults ([`faults`]), a namespace-aware reader with hard limits
//! ([`reader`]) and a writer for each response dialect ([`writer`]).

pub mod content_type;
pub mod faults;
pub mod model;
pub mod names;
pub mod reader;
pub mod samples;
pub mod sent;
pub mod writer;

pub use model::*;
pub use names::Operation;
pub use reader::{Limits, ParseError, ParseErrorKind, parse_request, parse_response};
pub use sent::SentTraits;
pub use writer::{
    CONTENT_TYPE_PREFIX, Dialect, FaultDialect, content_type, write_fault, write_request,
    write_response, write_result,
};
