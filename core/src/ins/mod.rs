//! The INS domain: what an INS is and what the ANS rules say about identities, independent of any
//! wire format.
//!
//! - [`Matricule`]: the 13-character body + 2-digit control key (NIR or NIA), Corsica aware;
//! - [`Oid`]: the four INS assigning authorities; [`Ins`] = matricule + OID;
//! - [`Traits`]: the strict traits (birth name, first-name list, sex, birth date, COG birthplace);
//! - [`lexical`]: the INSi lexical profile (`validate`) and the explicit transliteration
//!   (`normalise`);
//! - [`status`]: identity statuses (PROV, RECUP, VALI, QUAL) and attributes as a state machine.
//!
//! Sources: `ins-rules.md` §1–§3 and `insi-protocol.md` §3 of the shared documentation.

pub mod lexical;
mod matricule;
mod oid;
pub mod status;
mod traits;

pub use matricule::{Matricule, MatriculeError, compute_key};
pub use oid::{INS_OID_ROOT, Ins, OID_NIA, OID_NIR, Oid, OidError};
pub use traits::{BirthDate, Cog, CogKind, CompletedDate, Sex, TraitError, Traits};
