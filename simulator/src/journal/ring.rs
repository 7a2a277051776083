//! The journal's in-memory ring: a fixed number of slots, the oldest overwritten in place.
//!
//! Why in place: a journal entry owns about twenty small heap blocks (its texts, the parsed
//! request's values, the client certificate's names). A ring that drops the oldest entry and
//! keeps the new one frees twenty blocks that were allocated thousands of exchanges ago, often by
//! another thread: each free, and each later allocation that reuses the block, misses the cache.
//! Measured under load with a ring of 10 000 entries, that was about a tenth of the simulator's
//! CPU per request (`docs/performance.md`). Overwriting the oldest slot field by field keeps the
//! slot's blocks where they are (a text is copied into the capacity the slot already has), so the
//! new entry's own blocks are freed at once, by the thread that just allocated them.
//!
//! [`Refill`] does the field-by-field copy; every implementation destructures its type whole, so
//! a field added to a journal type does not compile until it is refilled too.
//!
//! An exchange's parsed request body is not kept at all ([`KeptBody::FromRaw`]): the slot
//! already holds the raw request, and reading it again when the journal is queried gives the
//! same body.

use insilab_core::insi::model::{
    CardSearch, InsEntry, RequestBody, TraitsSearch, Verification, VerifiedTraits, WireMatricule,
};
use insilab_core::insi::reader::Limits;
use insilab_core::rules::Finding;

use super::{ClientCertificate, JournalEntry, Outcome, RawBody};
use crate::card::CardHolder;

/// Bounded ring of entries, oldest first; when full, a new entry overwrites the oldest slot.
#[derive(Debug)]
pub(super) struct Ring {
    slots: Vec<Slot>,
    /// Index of the oldest entry (0 until the ring is full).
    head: usize,
    capacity: usize,
    /// The reader limits the slots' bodies are read again with ([`KeptBody::FromRaw`] holds
    /// an index into it): one value until the configuration changes them, at most
    /// [`MAX_READ_LIMITS`].
    read_limits: Vec<Limits>,
}

/// How many distinct reader limits the ring remembers; an exchange read with yet other limits
/// (one more configuration reload than this) keeps its parsed body in its slot.
pub(super) const MAX_READ_LIMITS: usize = 16;

impl Ring {
    /// An empty ring of `capacity` entries (at least one).
    pub(super) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Ring {
            slots: Vec::with_capacity(capacity.min(INITIAL_SLOTS)),
            head: 0,
            capacity,
            read_limits: Vec::new(),
        }
    }

    /// How a slot refers to `limits`: [`KeptBody::FromRaw`], or `None` when the ring already
    /// remembers [`MAX_READ_LIMITS`] other values.
    pub(super) fn read_with(&mut self, limits: &Limits) -> Option<KeptBody> {
        let at = match self.read_limits.iter().rposition(|l| l == limits) {
            Some(at) => at,
            None if self.read_limits.len() < MAX_READ_LIMITS => {
                self.read_limits.push(*limits);
                self.read_limits.len() - 1
            }
            None => return None,
        };
        u8::try_from(at).ok().map(KeptBody::FromRaw)
    }

    /// A copy of `slot`'s entry, and the limits its parsed body is read again with, if it is
    /// ([`with_body`] puts it back, best done without the ring's lock).
    pub(super) fn copy(&self, slot: &Slot) -> (JournalEntry, Option<Limits>) {
        let limits = match slot.body {
            KeptBody::InEntry => None,
            KeptBody::FromRaw(at) => self.read_limits.get(usize::from(at)).copied(),
        };
        (slot.entry.clone(), limits)
    }

    /// The newest entry is `entry`, its parsed request body kept in it; the oldest is
    /// overwritten when the ring is full.
    #[cfg(test)]
    pub(super) fn push(&mut self, entry: &JournalEntry) {
        let slot = self.next_slot();
        slot.entry.refill(entry);
        slot.body = KeptBody::InEntry;
    }

    /// The slot the next entry is written into, in place: a new one while the ring grows, then
    /// the oldest (which becomes the newest).
    pub(super) fn next_slot(&mut self) -> &mut Slot {
        if self.slots.len() < self.capacity {
            self.slots.push(Slot {
                entry: JournalEntry::empty(),
                body: KeptBody::InEntry,
            });
            let last = self.slots.len() - 1;
            return &mut self.slots[last];
        }
        let at = self.head;
        self.head = (self.head + 1) % self.capacity;
        &mut self.slots[at]
    }

    /// The slots, oldest first.
    pub(super) fn iter(&self) -> impl Iterator<Item = &Slot> {
        let (newer, older) = self.slots.split_at(self.head);
        older.iter().chain(newer)
    }

    pub(super) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Keeps only the entries `keep` accepts, in their order.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&JournalEntry) -> bool) {
        self.slots.rotate_left(self.head);
        self.head = 0;
        self.slots.retain(|slot| keep(&slot.entry));
    }

    pub(super) fn clear(&mut self) {
        self.slots.clear();
        self.head = 0;
    }
}

/// One entry of the ring, and where its parsed request body is.
#[derive(Debug)]
pub(super) struct Slot {
    pub(super) entry: JournalEntry,
    pub(super) body: KeptBody,
}

/// Where a slot's parsed request body (`request_body`) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeptBody {
    /// In the entry (an entry recorded whole, by [`super::Journal::record`]).
    InEntry,
    /// Not kept: the entry's raw request, read again with the ring's `read_limits[i]`, gives
    /// it back (an exchange recorded in place). The ring keeps each request once, as its
    /// bytes: the parsed body's fifteen-odd small blocks were the same information again,
    /// written into cold memory at every exchange (`docs/performance.md`, sixth step). An
    /// index rather than the limits themselves: the slot stays within its size.
    FromRaw(u8),
}

/// `entry` with its parsed request body, read again from its raw request with `limits` when
/// given. The reader is deterministic: the same bytes and limits give the body the exchange
/// read.
pub(super) fn with_body(mut entry: JournalEntry, limits: Option<Limits>) -> JournalEntry {
    if let Some(limits) = limits {
        entry.request_body =
            insilab_core::insi::reader::parse_request(entry.raw_request.as_bytes(), &limits)
                .ok()
                .map(|request| request.body);
    }
    entry
}

/// Slots allocated up front (the ring grows to its capacity as entries come).
const INITIAL_SLOTS: usize = 1024;

/// Becomes a copy of `from` (as [`Clone::clone_from`] would), writing into the heap blocks `self`
/// already owns wherever they are large enough, allocating only where they are not.
pub(crate) trait Refill {
    fn refill(&mut self, from: &Self);
}

impl Refill for String {
    fn refill(&mut self, from: &String) {
        self.clear();
        self.push_str(from);
    }
}

impl<T: Refill + Clone> Refill for Option<T> {
    fn refill(&mut self, from: &Option<T>) {
        match (self.as_mut(), from) {
            (Some(slot), Some(from)) => slot.refill(from),
            (_, from) => *self = from.clone(),
        }
    }
}

impl<T: Refill + Clone> Refill for Vec<T> {
    fn refill(&mut self, from: &Vec<T>) {
        self.truncate(from.len());
        let (reused, added) = from.split_at(self.len());
        for (slot, value) in self.iter_mut().zip(reused) {
            slot.refill(value);
        }
        self.extend_from_slice(added);
    }
}

/// `slot` becomes `from`, its text copied into the block `slot` already owns.
pub(crate) fn refill_str(slot: &mut String, from: &str) {
    slot.clear();
    slot.push_str(from);
}

/// `slot` becomes `from` (borrowed), reusing `slot`'s blocks as [`Refill`] does.
pub(crate) fn refill_opt_str(slot: &mut Option<String>, from: Option<&str>) {
    match (slot.as_mut(), from) {
        (Some(s), Some(from)) => refill_str(s, from),
        (_, from) => *slot = from.map(str::to_owned),
    }
}

/// `slot` becomes `from` (borrowed), reusing `slot`'s blocks as [`Refill`] does.
pub(crate) fn refill_opt<T: Refill + Clone>(slot: &mut Option<T>, from: Option<&T>) {
    match (slot.as_mut(), from) {
        (Some(s), Some(from)) => s.refill(from),
        (_, from) => *slot = from.cloned(),
    }
}

/// `slot` becomes the journal's text of `bytes` ([`super::raw_body`]), always a copy: into
/// `slot`'s own buffer when nobody else holds it and it is large enough, else into a new one of
/// exactly that length. Never shared with `bytes`: a request body is a slice of the connection's
/// read buffer, and a ring slot holding it would keep that whole buffer (several KB, and more
/// on a connection that once read a large request) alive for the ring's turn, 10 000 exchanges
/// (measured: 84 MiB of RSS after 10⁶ requests instead of 49 MiB).
pub(crate) fn refill_raw(slot: &mut RawBody, bytes: &bytes::Bytes) {
    let old = std::mem::take(slot).into_bytes();
    let mut buffer = match old.try_into_mut() {
        Ok(buffer) if buffer.capacity() >= bytes.len() => buffer,
        _ => bytes::BytesMut::with_capacity(bytes.len()),
    };
    buffer.clear();
    buffer.extend_from_slice(bytes);
    *slot = match RawBody::try_from(buffer.freeze()) {
        Ok(text) => text,
        Err(_) => RawBody::from(String::from_utf8_lossy(bytes).into_owned()),
    };
}

impl Refill for RawBody {
    /// A body nobody else holds is overwritten in place when large enough; one shared (with
    /// a reader of the journal, or with other entries) is replaced by a reference to `from`'s
    /// bytes, which costs no copy.
    fn refill(&mut self, from: &RawBody) {
        refill_raw(self, from.as_bytes());
    }
}

/// Values without heap blocks: a copy.
macro_rules! refill_by_copy {
    ($($t:ty),*) => {
        $(impl Refill for $t {
            fn refill(&mut self, from: &$t) {
                *self = *from;
            }
        })*
    };
}
refill_by_copy!(
    u16,
    u64,
    insilab_core::rules::RuleId,
    insilab_core::rules::Severity
);

impl Refill for JournalEntry {
    fn refill(&mut self, from: &JournalEntry) {
        let JournalEntry {
            seq,
            time,
            tenant,
            listener,
            client_certificate,
            card,
            tls_version,
            http_request,
            operation,
            message_id,
            content_type,
            request_body,
            outcome,
            person,
            override_id,
            http_status,
            duration_us,
            findings,
            raw_request,
            raw_response,
        } = from;
        self.seq.refill(seq);
        self.time.refill(time);
        self.tenant.refill(tenant);
        self.listener.refill(listener);
        self.client_certificate.refill(client_certificate);
        self.card.refill(card);
        self.tls_version.refill(tls_version);
        self.http_request.refill(http_request);
        self.operation.refill(operation);
        self.message_id.refill(message_id);
        self.content_type.refill(content_type);
        self.request_body.refill(request_body);
        self.outcome.refill(outcome);
        self.person.refill(person);
        self.override_id.refill(override_id);
        self.http_status.refill(http_status);
        self.duration_us.refill(duration_us);
        self.findings.refill(findings);
        self.raw_request.refill(raw_request);
        // Answers to dataset persons are shared by every exchange answered the same bytes:
        // a reference, never a copy.
        self.raw_response.clone_from(raw_response);
    }
}

impl Refill for ClientCertificate {
    fn refill(&mut self, from: &ClientCertificate) {
        let ClientCertificate {
            subject,
            issuer,
            serial,
            cn,
            ou,
        } = from;
        self.subject.refill(subject);
        self.issuer.refill(issuer);
        self.serial.refill(serial);
        self.cn.refill(cn);
        self.ou.refill(ou);
    }
}

impl Refill for CardHolder {
    fn refill(&mut self, from: &CardHolder) {
        let CardHolder {
            professional_id,
            certificate_subject,
            certificate_issuer,
            certificate_serial,
            refused_by,
        } = from;
        self.professional_id.refill(professional_id);
        self.certificate_subject.refill(certificate_subject);
        self.certificate_issuer.refill(certificate_issuer);
        self.certificate_serial.refill(certificate_serial);
        self.refused_by.refill(refused_by);
    }
}

impl Refill for Outcome {
    fn refill(&mut self, from: &Outcome) {
        use Outcome as O;
        match (self, from) {
            (O::Cr { code: slot }, O::Cr { code })
            | (O::Fault { code: slot }, O::Fault { code }) => {
                slot.refill(code);
            }
            (O::AnswerFile { name: slot }, O::AnswerFile { name }) => slot.refill(name),
            (O::Http { reason: slot }, O::Http { reason }) => slot.refill(reason),
            (O::Injected { what: slot }, O::Injected { what }) => slot.refill(what),
            (O::TlsFailure { error: slot }, O::TlsFailure { error })
            | (O::ChannelError { error: slot }, O::ChannelError { error }) => slot.refill(error),
            (O::Ack { code: slot }, O::Ack { code }) => slot.refill(code),
            (O::Checked { verdict: slot }, O::Checked { verdict }) => slot.refill(verdict),
            (slot, from) => *slot = from.clone(),
        }
    }
}

impl Refill for Finding {
    fn refill(&mut self, from: &Finding) {
        let Finding {
            rule_id,
            severity,
            message,
            path,
        } = from;
        self.rule_id.refill(rule_id);
        self.severity.refill(severity);
        self.message.refill(message);
        self.path.refill(path);
    }
}

impl Refill for RequestBody {
    fn refill(&mut self, from: &RequestBody) {
        use RequestBody as B;
        match (self, from) {
            (B::TraitsSearch(slot), B::TraitsSearch(from)) => slot.refill(from),
            (B::CardSearch(slot), B::CardSearch(from)) => slot.refill(from),
            (B::Verification(slot), B::Verification(from)) => slot.refill(from),
            (slot, from) => *slot = from.clone(),
        }
    }
}

impl Refill for TraitsSearch {
    fn refill(&mut self, from: &TraitsSearch) {
        let TraitsSearch {
            nom_naissance,
            prenoms,
            sexe,
            date_naissance,
            lieu_naissance,
        } = from;
        self.nom_naissance.refill(nom_naissance);
        self.prenoms.refill(prenoms);
        self.sexe.refill(sexe);
        self.date_naissance.refill(date_naissance);
        self.lieu_naissance.refill(lieu_naissance);
    }
}

impl Refill for CardSearch {
    fn refill(&mut self, from: &CardSearch) {
        let CardSearch {
            matricule_individu,
            matricule_od,
            nom_naissance,
            date_naissance,
            rang_naissance,
        } = from;
        self.matricule_individu.refill(matricule_individu);
        self.matricule_od.refill(matricule_od);
        self.nom_naissance.refill(nom_naissance);
        self.date_naissance.refill(date_naissance);
        self.rang_naissance.refill(rang_naissance);
    }
}

impl Refill for WireMatricule {
    fn refill(&mut self, from: &WireMatricule) {
        let WireMatricule {
            num_identifiant,
            cle,
            type_matricule,
        } = from;
        self.num_identifiant.refill(num_identifiant);
        self.cle.refill(cle);
        self.type_matricule.refill(type_matricule);
    }
}

impl Refill for Verification {
    fn refill(&mut self, from: &Verification) {
        let Verification { ins_fourni, traits } = from;
        self.ins_fourni.refill(ins_fourni);
        self.traits.refill(traits);
    }
}

impl Refill for InsEntry {
    fn refill(&mut self, from: &InsEntry) {
        let InsEntry {
            id,
            oid,
            date_deb,
            date_fin,
        } = from;
        self.id.refill(id);
        self.oid.refill(oid);
        self.date_deb.refill(date_deb);
        self.date_fin.refill(date_fin);
    }
}

impl Refill for VerifiedTraits {
    fn refill(&mut self, from: &VerifiedTraits) {
        let VerifiedTraits {
            nom_naissance,
            prenom,
            liste_prenom,
            sexe,
            date_naissance,
            lieu_naissance,
        } = from;
        self.nom_naissance.refill(nom_naissance);
        self.prenom.refill(prenom);
        self.liste_prenom.refill(liste_prenom);
        self.sexe.refill(sexe);
        self.date_naissance.refill(date_naissance);
        self.lieu_naissance.refill(lieu_naissance);
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;
    use crate::journal::strategies::{entry, opt_text};
    use proptest::prelude::*;
    use std::collections::VecDeque;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Whatever the entries, the ring holds exactly the last `capacity` of them, in order,
        /// equal field for field, although its slots are refilled in place.
        #[test]
        fn the_ring_keeps_the_last_entries(
            capacity in 1usize..6,
            entries in proptest::collection::vec(entry(), 0..14),
            cleared_tenant in opt_text(),
        ) {
            let mut ring = Ring::new(capacity);
            let mut model = VecDeque::new();
            for e in &entries {
                ring.push(e);
                model.push_back(e.clone());
                if model.len() > capacity {
                    model.pop_front();
                }
                prop_assert_eq!(ring.len(), model.len());
                prop_assert!(ring.iter().map(|s| &s.entry).eq(model.iter()));
            }
            ring.retain(|e| e.tenant != cleared_tenant);
            model.retain(|e| e.tenant != cleared_tenant);
            prop_assert!(ring.iter().map(|s| &s.entry).eq(model.iter()));
            // The ring still turns after a removal.
            for e in entries.iter().take(capacity + 1) {
                ring.push(e);
                model.push_back(e.clone());
                if model.len() > capacity {
                    model.pop_front();
                }
            }
            prop_assert!(ring.iter().map(|s| &s.entry).eq(model.iter()));
            ring.clear();
            prop_assert_eq!(ring.iter().count(), 0);
        }

        /// Refilling makes a value equal to its source, from any starting value.
        #[test]
        fn refill_is_a_copy(mut slot in entry(), from in entry()) {
            slot.refill(&from);
            prop_assert_eq!(slot, from);
        }
    }

    /// What the ring is for: a refilled slot keeps its blocks (the same addresses), including
    /// the raw request's buffer when nobody else holds it.
    #[test]
    fn a_refilled_slot_keeps_its_blocks() {
        let mut first = crate::journal::sample_entry(Some("T"));
        first.time = "2026-12-02T07:00:00Z".into();
        first.raw_request = RawBody::from("<x>".repeat(100));
        let mut ring = Ring::new(1);
        ring.push(&first);
        // The server drops its copy of the body once the exchange is journaled.
        let mut third = first.clone();
        third.raw_request = RawBody::from("<z>".repeat(100));
        drop(first);
        let addresses = |r: &Ring| {
            let e = &r.iter().next().unwrap().entry;
            (e.time.as_ptr(), e.raw_request.as_bytes().as_ptr())
        };
        let before = addresses(&ring);
        let mut second = third.clone();
        second.time = "2026-12-02T07:00:01Z".into();
        second.raw_request = RawBody::from("<y>".repeat(90));
        ring.push(&second);
        assert_eq!(addresses(&ring), before);
        assert_eq!(&ring.iter().next().unwrap().entry, &second);
        // A body shared with a reader is left to the reader; the slot gets a buffer of its own
        // (a copy, never a share of the body it is given).
        let held = ring.iter().next().unwrap().entry.raw_request.clone();
        ring.push(&third);
        assert_eq!(&*held, &*second.raw_request);
        assert_eq!(&ring.iter().next().unwrap().entry, &third);
        assert_ne!(
            ring.iter()
                .next()
                .unwrap()
                .entry
                .raw_request
                .as_bytes()
                .as_ptr(),
            third.raw_request.as_bytes().as_ptr()
        );
    }

    /// A request body is a slice of the connection's read buffer: a slot copies it, exactly,
    /// and keeps nothing of that buffer.
    #[test]
    fn a_slot_never_keeps_the_buffer_a_body_came_in() {
        let read_buffer = bytes::Bytes::from("x".repeat(16 * 1024));
        let body = read_buffer.slice(100..1600);
        let mut slot = RawBody::new();
        refill_raw(&mut slot, &body);
        assert_eq!(slot.as_bytes(), &body);
        let start = read_buffer.as_ptr() as usize;
        let kept = slot.as_bytes().as_ptr() as usize;
        assert!(
            !(start..start + read_buffer.len()).contains(&kept),
            "the slot points into the read buffer"
        );
        let mut owned = std::mem::take(&mut slot)
            .into_bytes()
            .try_into_mut()
            .unwrap();
        assert_eq!(owned.capacity(), body.len(), "an exact copy");
        owned.clear();
        // Non-UTF-8 bytes: their lossy text.
        refill_raw(&mut slot, &bytes::Bytes::from_static(b"a\xffb"));
        assert_eq!(&*slot, "a\u{fffd}b");
    }
}
