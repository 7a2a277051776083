//! HL7 v2 in ER7 form (pipes and hats), as IHE PAM France carries the INS (ins-rules.md §2.3,
//! §7.1).
//!
//! Two layers:
//! - [`er7`]: a generic message model ([`Message`] → [`Segment`] → fields → repetitions →
//!   components → sub-components, values unescaped), a reader ([`parse`]) with typed errors that
//!   name a [`Location`] and with named [`Limits`], and a writer ([`write`]);
//! - [`adt`]: the typed header and PID identity fields of ADT messages.

pub mod adt;
pub mod er7;

pub use adt::{AdtEvent, Cx, Hd, Header, Pid, Xad, Xpn};
pub use er7::{
    Component, Delimiters, Field, Hl7Error, Limits, Location, Message, Repetition, Segment, parse,
    parse_with, write, write_bytes,
};
