//! insilab-client: the reference INSi client (request building, mutual TLS, the first-name
//! algorithm, answer checks, full trace of every attempt).
//!
//! ```no_run
//! # async fn demo() -> Result<(), insilab_client::ClientError> {
//! use insilab_client::{ClientConfig, InsiClient, TraitsQuery, Verdict};
//! let client = InsiClient::new(ClientConfig::default())?;
//! let outcome = client
//!     .search_traits(&TraitsQuery {
//!         birth_name: "TCHITCHI".into(),
//!         first_names: vec!["OLA".into(), "CATARINA".into(), "BELLA".into()],
//!         sex: "F".into(),
//!         birth_date: "1936-06-21".into(),
//!         birthplace: None,
//!     })
//!     .await;
//! if let Verdict::Found(identity) = &outcome.verdict {
//!     println!("INS {} ({})", identity.ins, identity.oid);
//! }
//! # Ok(()) }
//! ```
//!
//! See `docs/client.md` for the behaviour, the verdicts and the JSON schema.
#![forbid(unsafe_code)]

mod card;
mod client;
mod config;
pub mod envelope;
mod error;
pub mod judge;
mod outcome;
mod query;
mod tls;
mod transport;
pub mod validate;

pub use card::CardSigner;
pub use client::InsiClient;
pub use config::{
    ClientConfig, DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDAM, DEFAULT_PKI_IDENTITY,
    DEFAULT_SOFTWARE_NAME, DEFAULT_TOTAL_TIMEOUT, DEFAULT_URL, TlsIdentity,
};
pub use error::ClientError;
pub use outcome::{
    Attempt, AttemptResult, FoundIdentity, HistoryEntry, InputViolation, NumberedAttempt,
    Operation, ReturnedTraits, SearchOutcome, Verdict,
};
pub use query::{CardQuery, TraitsQuery, VerifyQuery};
pub use tls::client_tls_config;
pub use transport::{MAX_RESPONSE_BYTES, kind};
/// Re-exported for [`ClientConfig::instance`].
pub use uuid;
