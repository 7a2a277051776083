//! The channels the other INS carriers travel on, served next to the INSi listener and sharing
//! its journal and admin API: an MLLP listener for HL7 v2 ([`mllp`]), a FHIR REST endpoint
//! ([`fhir`]) and a drop folder for documents ([`drop_folder`]). Each has its client side for
//! the harness: [`mllp::send`] and [`fhir::post`].
//!
//! Every document received is checked by the rules of the one catalogue
//! (`insilab_formats::rules`) and journalled before it is answered.

pub mod drop_folder;
pub mod fhir;
pub mod mllp;

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::journal::{JournalEntry, Outcome, RawBody};

/// Longest raw document kept in a journal entry, bytes (the rest is cut, with a marker).
pub const MAX_JOURNAL_DOCUMENT_BYTES: usize = 1024 * 1024;

/// Where the channels listen (every one optional; `insilab serve --config` key `channels`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChannelsConfig {
    /// MLLP listener address (`127.0.0.1:0` picks a free port).
    pub mllp_listen: Option<SocketAddr>,
    /// FHIR REST endpoint address (plain HTTP).
    pub fhir_listen: Option<SocketAddr>,
    /// Drop folder scanned for documents.
    pub drop_dir: Option<PathBuf>,
    /// Tenant of the channels' journal entries not addressed to a tenant (what a tenant token
    /// of the admin API sees); `None`: entries without tenant, seen by the admin token only.
    /// Each tenant with a token also has its own: FHIR base path `/tenants/<tenant>`, MLLP
    /// messages whose MSH-4 is its name, drop subfolder `<drop_dir>/<tenant>/`.
    pub tenant: Option<String>,
}

impl ChannelsConfig {
    /// Whether any channel is configured.
    pub fn any(&self) -> bool {
        self.mllp_listen.is_some() || self.fhir_listen.is_some() || self.drop_dir.is_some()
    }
}

/// Text of a raw document for the journal: lossy UTF-8, cut at [`MAX_JOURNAL_DOCUMENT_BYTES`].
pub(crate) fn journal_text(bytes: &[u8]) -> RawBody {
    let cut = &bytes[..bytes.len().min(MAX_JOURNAL_DOCUMENT_BYTES)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if bytes.len() > cut.len() {
        text.push_str(&format!(
            "\n[… {} more bytes not journalled]",
            bytes.len() - cut.len()
        ));
    }
    RawBody::from(text)
}

/// A journal entry of a channel exchange; the caller fills in what it knows.
pub(crate) fn entry(listener: &str, tenant: Option<String>, outcome: Outcome) -> JournalEntry {
    JournalEntry {
        time: crate::rfc3339::now_rfc3339(),
        tenant,
        listener: listener.into(),
        outcome,
        ..JournalEntry::empty()
    }
}
