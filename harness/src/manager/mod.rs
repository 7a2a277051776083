//! The reference identity manager: a small, real identity store that carries out the
//! identity-management actions of the driver protocol ([`crate::actions`]) the way the ANS rules
//! ask (ins-rules.md §2, §3.6, §5.2): statuses and attributes by the core state machine,
//! traits stored as INSi returns them, the INS history, used names never filled automatically,
//! incomplete birth dates completed and flagged, the Règle 52 verification of an INS received
//! from another identification domain, and emission (HL7 v2, FHIR, CDA, a printed page with the
//! INS Datamatrix) carrying the INS only for a qualified identity.
//!
//! The `reference` driver runs it in process (one store per scenario), `insilab example-sut`
//! runs it behind the command and http drivers (its store persisted as JSON between calls). The
//! faulty drivers run it with one [`Defect`]: a defect the suites must catch.

mod carriers;
pub mod sut;

use std::collections::BTreeMap;

use insilab_client::{InsiClient, SearchOutcome};
use insilab_core::ins::status::{Attributes, Event, IdentityState, IdentityStatus};
use insilab_core::ins::{BirthDate, Oid};
use serde::{Deserialize, Serialize};

use crate::HarnessError;
use crate::actions::{
    ActionOutcome, Attribute, Carrier, CollectionMethod, Emitted, IdentityAction, IdentityDocument,
    IdentityView, Transport,
};
use crate::driver::reference::{split_ins, to_outcome, to_query, to_verify_query};
use crate::outcome::{OutcomeKind, StoredIns, StoredTraits, SutOutcome, TraitsInput};

pub use carriers::{Emission, IPP_NAMESPACE, IPP_OID, Received, emit_payload, read_carrier};

/// Most identities one store holds (a state file is bounded too).
pub const MAX_IDENTITIES: usize = 10_000;

/// A deliberate defect of the manager (the faulty drivers' identity-management bugs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Defect {
    /// Trusts a received INS without calling the INSi verification.
    SkipVerificationOnReceipt,
    /// Takes an HL7 INS received with PID-32 `PROV` as if it were `VALI`.
    TrustsPid32Prov,
    /// Prints the INS Datamatrix for an identity that is not qualified.
    DatamatrixForUnqualified,
    /// Puts the INS in PID-3 under a wrong assigning authority namespace.
    WrongPid3Authority,
    /// Stores the traits INSi returned over differing local traits, silently.
    OverwritesTraitsSilently,
    /// Keeps calling INSi for a doubtful or fictitious identity.
    InsiForDoubtful,
}

/// One stored identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Status and attributes.
    pub state: IdentityState,
    /// The active INS, when held.
    #[serde(default)]
    pub ins: Option<StoredIns>,
    /// The INS history as INSi returned it.
    #[serde(default)]
    pub history: Vec<StoredIns>,
    /// The strict traits.
    pub traits: StoredTraits,
    /// Used first name, only as entered.
    #[serde(default)]
    pub used_first_name: Option<String>,
    /// Used name, only as entered.
    #[serde(default)]
    pub used_name: Option<String>,
    /// How the traits were collected.
    #[serde(default)]
    pub collection: Option<CollectionMethod>,
    /// The identity document checked.
    #[serde(default)]
    pub document: Option<IdentityDocument>,
    /// The birth date was completed from an incomplete entry.
    #[serde(default)]
    pub birth_date_completed: bool,
}

impl Record {
    fn view(&self, local_id: &str) -> IdentityView {
        IdentityView {
            local_id: local_id.to_owned(),
            status: self.state.status,
            attributes: self.state.attributes,
            ins: self.ins.clone(),
            history: self.history.clone(),
            traits: self.traits.clone(),
            used_first_name: self.used_first_name.clone(),
            used_name: self.used_name.clone(),
            collection: self.collection,
            document: self.document.clone(),
            birth_date_completed: self.birth_date_completed,
        }
    }
}

/// The identity store (serialisable: `insilab example-sut` keeps it in a JSON file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Store {
    /// Last local id given.
    pub next_id: u64,
    /// Identities by local id.
    pub identities: BTreeMap<String, Record>,
}

/// How the manager reaches INSi: a fresh client per call (the reference driver builds it from
/// the scenario's endpoint, `example-sut` from its options).
pub type InsiFactory<'a> = &'a (dyn Fn() -> Result<InsiClient, HarnessError> + Sync);

/// The reference identity manager.
#[derive(Debug, Clone, Default)]
pub struct Manager {
    /// The store.
    pub store: Store,
    defect: Option<Defect>,
}

fn refused(alert: impl Into<String>) -> ActionOutcome {
    let mut o = ActionOutcome::bare(OutcomeKind::Refused);
    o.alerts.push(alert.into());
    o.calls = Some(0);
    o
}

fn calls_of(search: &SearchOutcome, out: &SutOutcome) -> Option<u32> {
    out.calls
        .or_else(|| u32::try_from(search.attempts.len()).ok())
}

/// Whether two traits values are the same person's (exact, after trimming).
fn same(a: &str, b: &str) -> bool {
    a.trim() == b.trim()
}

/// The first names of a list, hyphen, apostrophe and space being equivalent separators when
/// comparing a first first name with the list (EXI ID 10).
fn name_words(text: &str) -> Vec<String> {
    text.split([' ', '-', '\''])
        .filter(|w| !w.is_empty())
        .map(str::to_uppercase)
        .collect()
}

/// Whether `first` is the beginning of `list` (separators equivalent).
pub fn first_name_consistent(first: &str, list: &str) -> bool {
    let first = name_words(first);
    let list = name_words(list);
    !first.is_empty() && list.starts_with(&first)
}

/// The differences between local traits and the traits INSi returned, for the alert.
fn differences(local: &StoredTraits, returned: &StoredTraits) -> Vec<String> {
    let mut out = Vec::new();
    let mut cmp = |what: &str, a: &str, b: &str| {
        if !same(a, b) {
            out.push(format!("{what}: local {a:?}, INSi {b:?}"));
        }
    };
    cmp("birth name", &local.birth_name, &returned.birth_name);
    cmp(
        "first names",
        &local.first_names_list,
        &returned.first_names_list,
    );
    cmp("sex", &local.sex, &returned.sex);
    cmp("birth date", &local.birth_date, &returned.birth_date);
    if let (Some(a), Some(b)) = (&local.birthplace, &returned.birthplace)
        && !b.trim().is_empty()
    {
        cmp("birthplace", a, b);
    }
    out
}

/// The traits of a record as the query of an INSi call.
fn query_input(t: &StoredTraits) -> TraitsInput {
    TraitsInput {
        birth_name: t.birth_name.clone(),
        first_names: t.first_names(),
        sex: t.sex.clone(),
        birth_date: t.birth_date.clone(),
        birthplace: t.birthplace.clone(),
    }
}

impl Manager {
    /// An empty manager (no defect).
    pub fn new() -> Self {
        Manager::default()
    }

    /// An empty manager with one deliberate defect.
    pub fn with_defect(defect: Option<Defect>) -> Self {
        Manager {
            store: Store::default(),
            defect,
        }
    }

    /// A manager over an existing store.
    pub fn from_store(store: Store, defect: Option<Defect>) -> Self {
        Manager { store, defect }
    }

    fn has(&self, d: Defect) -> bool {
        self.defect == Some(d)
    }

    fn insert(&mut self, record: Record) -> Result<String, Box<ActionOutcome>> {
        if self.store.identities.len() >= MAX_IDENTITIES {
            return Err(Box::new(refused(format!(
                "the store is full ({MAX_IDENTITIES} identities)"
            ))));
        }
        self.store.next_id += 1;
        let id = format!("id-{}", self.store.next_id);
        self.store.identities.insert(id.clone(), record);
        Ok(id)
    }

    fn done(&self, local_id: &str) -> ActionOutcome {
        let mut o = ActionOutcome::bare(OutcomeKind::Done);
        o.identity = self
            .store
            .identities
            .get(local_id)
            .map(|r| r.view(local_id));
        o.calls = Some(0);
        o
    }

    /// Carries out one action.
    pub async fn act(&mut self, action: &IdentityAction, insi: InsiFactory<'_>) -> ActionOutcome {
        match action {
            IdentityAction::Create {
                traits,
                method,
                document,
                ins,
                used_first_name,
                used_name,
                first_name,
            } => self.create(
                traits,
                *method,
                document.as_ref(),
                ins.as_ref(),
                (used_first_name.clone(), used_name.clone()),
                first_name.as_deref(),
            ),
            IdentityAction::Deliver {
                carrier,
                payload,
                production,
                ..
            } => self.deliver(*carrier, payload, *production, insi).await,
            IdentityAction::Search { local_id } => self.search(local_id, insi).await,
            IdentityAction::Verify { local_id } => self.verify(local_id, insi).await,
            IdentityAction::SetAttribute {
                local_id,
                attribute,
                value,
            } => self.set_attribute(local_id, *attribute, *value),
            IdentityAction::RecordIdentityDocument { local_id, document } => {
                self.record_document(local_id, document)
            }
            IdentityAction::ReadIdentity { local_id } => {
                match self.store.identities.get(local_id) {
                    Some(_) => self.done(local_id),
                    None => refused(format!("no identity {local_id:?}")),
                }
            }
            IdentityAction::Emit {
                local_id,
                carrier,
                destination,
            } => self.emit(local_id, *carrier, destination).await,
        }
    }

    fn create(
        &mut self,
        input: &TraitsInput,
        method: CollectionMethod,
        document: Option<&IdentityDocument>,
        ins: Option<&StoredIns>,
        (used_first_name, used_name): (Option<String>, Option<String>),
        first_name: Option<&str>,
    ) -> ActionOutcome {
        let mut alerts = Vec::new();
        // Incomplete birth dates: completed by the EXI ID 11 rule and flagged (EXI ID 12).
        let (birth_date, completed) = match BirthDate::parse(input.birth_date.trim()) {
            Ok(d) => match d.complete() {
                Ok(c) => (
                    format!(
                        "{:04}-{:02}-{:02}",
                        c.date.year(),
                        u8::from(c.date.month()),
                        c.date.day()
                    ),
                    c.fictive,
                ),
                Err(e) => return refused(format!("birth date: {e}")),
            },
            Err(e) => return refused(format!("birth date: {e}")),
        };
        if completed {
            alerts.push(format!(
                "the birth date {} was completed to {birth_date} and flagged as completed",
                input.birth_date
            ));
        }
        if let Some(place) = &input.birthplace
            && let Err(e) = insilab_core::ins::Cog::parse(place)
        {
            return refused(format!("birthplace: {e}"));
        }
        let list = input.first_names.join(" ");
        if let Some(first) = first_name
            && !first_name_consistent(first, &list)
        {
            alerts.push(format!(
                "the first first name {first:?} is not the beginning of the first-names list {list:?}"
            ));
        }
        let high_trust = document.is_some_and(|d| d.high_trust);
        let event = match method {
            CollectionMethod::VitaleApp => {
                if ins.is_none() {
                    return refused("the Appli carte Vitale gives an INS: none was read");
                }
                Event::AppliCarteVitale
            }
            CollectionMethod::Document if high_trust => Event::DocumentCheck,
            _ => Event::ManualCreation,
        };
        if method == CollectionMethod::Document && !high_trust {
            alerts.push("the document is not of high trust: the identity stays PROV".to_owned());
        }
        let state = match IdentityState::create(event) {
            Ok(s) => s,
            Err(e) => return refused(e.to_string()),
        };
        if let Some(ins) = ins
            && !ins.is_complete_and_valid()
        {
            return refused(format!("the INS {ins} read is invalid"));
        }
        let record = Record {
            state,
            // Only the Appli carte Vitale gives an INS at creation.
            ins: if method == CollectionMethod::VitaleApp {
                ins.cloned()
            } else {
                None
            },
            history: Vec::new(),
            traits: StoredTraits {
                birth_name: input.birth_name.clone(),
                first_name: first_name.map(str::to_owned),
                first_names_list: list,
                sex: input.sex.clone(),
                birth_date,
                birthplace: input.birthplace.clone(),
            },
            used_first_name,
            used_name,
            collection: Some(method),
            document: document.cloned(),
            birth_date_completed: completed,
        };
        match self.insert(record) {
            Ok(id) => {
                let mut o = self.done(&id);
                o.alerts = alerts;
                o
            }
            Err(o) => *o,
        }
    }

    /// The identity `local_id`, when INSi may be called for it; otherwise the refusal (no such
    /// identity, or one marked doubtful or fictitious: EXI ID 26, RNIV EXI SI 09).
    fn callable(&self, local_id: &str) -> Result<Record, Box<ActionOutcome>> {
        let Some(record) = self.store.identities.get(local_id).cloned() else {
            return Err(Box::new(refused(format!("no identity {local_id:?}"))));
        };
        if !record.state.may_call_insi() && !self.has(Defect::InsiForDoubtful) {
            let mut o = refused(
                "INSi may not be called for an identity marked doubtful or fictitious".to_owned(),
            );
            o.identity = Some(record.view(local_id));
            return Err(Box::new(o));
        }
        Ok(record)
    }

    async fn search(&mut self, local_id: &str, insi: InsiFactory<'_>) -> ActionOutcome {
        let record = match self.callable(local_id) {
            Ok(record) => record,
            Err(refusal) => return *refusal,
        };
        let client = match insi() {
            Ok(c) => c,
            Err(e) => return technical(e),
        };
        let search = client
            .search_traits(&to_query(&query_input(&record.traits)))
            .await;
        let out = to_outcome(&search);
        let calls = calls_of(&search, &out);
        let mut o = ActionOutcome::bare(out.outcome);
        o.calls = calls;
        o.message = out.error_shown.clone().or(out.message.clone());
        if let Some(stored) = out.stored.filter(|_| out.outcome == OutcomeKind::Found) {
            let diffs = differences(&record.traits, &stored.traits);
            let overwrite = self.has(Defect::OverwritesTraitsSilently);
            let mut updated = record.clone();
            if diffs.is_empty() || overwrite {
                let event = Event::InsiRetrieval { traits_match: true };
                let next = if overwrite {
                    record.state.apply(event).unwrap_or(record.state)
                } else {
                    match record.state.apply(event) {
                        Ok(s) => s,
                        Err(e) => {
                            o.alerts.push(e.to_string());
                            record.state
                        }
                    }
                };
                updated.state = next;
                updated.ins = Some(stored.ins.clone());
                updated.history = stored.history.clone();
                // Traits exactly as returned (EXI REC 07); the birthplace only when returned.
                let mut traits = stored.traits.clone();
                if traits
                    .birthplace
                    .as_deref()
                    .is_none_or(|b| b.trim().is_empty())
                {
                    traits.birthplace = record.traits.birthplace.clone();
                }
                updated.traits = traits;
                if updated.collection.is_none()
                    || updated.collection == Some(CollectionMethod::Manual)
                {
                    updated.collection = Some(CollectionMethod::Insi);
                }
            } else {
                o.alerts.push(format!(
                    "the traits INSi returned differ from the local traits; nothing was changed, the user decides: {}",
                    diffs.join("; ")
                ));
            }
            self.store.identities.insert(local_id.to_owned(), updated);
        }
        o.identity = self
            .store
            .identities
            .get(local_id)
            .map(|r| r.view(local_id));
        o
    }

    async fn verify(&mut self, local_id: &str, insi: InsiFactory<'_>) -> ActionOutcome {
        let record = match self.callable(local_id) {
            Ok(record) => record,
            Err(refusal) => return *refusal,
        };
        let Some(ins) = record.ins.clone() else {
            return refused("the identity holds no INS to verify");
        };
        let client = match insi() {
            Ok(c) => c,
            Err(e) => return technical(e),
        };
        let search = client
            .verify(&to_verify_query(&ins, &query_input(&record.traits)))
            .await;
        let out = crate::driver::reference::to_verify_outcome(&search);
        let mut o = ActionOutcome::bare(out.outcome);
        o.calls = calls_of(&search, &out);
        o.message = out.error_shown.clone().or(out.message.clone());
        match out.outcome {
            OutcomeKind::Verified => {
                if let Ok(s) = record
                    .state
                    .apply(Event::InsiRetrieval { traits_match: true })
                    && let Some(r) = self.store.identities.get_mut(local_id)
                {
                    r.state = s;
                }
            }
            OutcomeKind::NotVerified => {
                o.alerts
                    .push("INSi did not confirm the INS for these traits".to_owned());
            }
            _ => o.alerts.push(format!(
                "the verification failed: {}",
                o.message.clone().unwrap_or_default()
            )),
        }
        o.identity = self
            .store
            .identities
            .get(local_id)
            .map(|r| r.view(local_id));
        o
    }

    fn set_attribute(
        &mut self,
        local_id: &str,
        attribute: Attribute,
        value: bool,
    ) -> ActionOutcome {
        let Some(record) = self.store.identities.get_mut(local_id) else {
            return refused(format!("no identity {local_id:?}"));
        };
        let event = match (attribute, value) {
            (Attribute::Doubtful, true) => Event::SetDouteuse,
            (Attribute::Doubtful, false) => Event::ClearDouteuse,
            (Attribute::Fictitious, true) => Event::SetFictive,
            (Attribute::Fictitious, false) => Event::ClearFictive,
            (Attribute::Homonym, true) => Event::SetHomonyme,
            (Attribute::Homonym, false) => Event::ClearHomonyme,
        };
        match record.state.apply(event) {
            Ok(state) => {
                record.state = state;
                if state.attributes.blocks_qualification() {
                    // EXI ID 26: the INS of a doubtful or fictitious identity is invalidated.
                    record.ins = None;
                }
                self.done(local_id)
            }
            Err(e) => {
                let mut o = refused(e.to_string());
                o.identity = Some(record.view(local_id));
                o
            }
        }
    }

    fn record_document(&mut self, local_id: &str, document: &IdentityDocument) -> ActionOutcome {
        let Some(record) = self.store.identities.get_mut(local_id) else {
            return refused(format!("no identity {local_id:?}"));
        };
        if !document.high_trust {
            record.document = Some(document.clone());
            let mut o = self.done(local_id);
            o.alerts.push(format!(
                "{} is not a high-trust document: the status does not change",
                document.kind
            ));
            return o;
        }
        match record.state.apply(Event::DocumentCheck) {
            Ok(state) => {
                record.state = state;
                record.document = Some(document.clone());
                self.done(local_id)
            }
            Err(e) => {
                let mut o = refused(e.to_string());
                o.identity = Some(record.view(local_id));
                o
            }
        }
    }

    async fn deliver(
        &mut self,
        carrier: Carrier,
        payload: &str,
        production: bool,
        insi: InsiFactory<'_>,
    ) -> ActionOutcome {
        let received = match read_carrier(carrier, payload) {
            Ok(r) => r,
            Err(e) => return refused(format!("the received {carrier:?} cannot be read: {e}")),
        };
        let traits = received.traits.clone();
        let base = Record {
            state: IdentityState {
                status: IdentityStatus::Prov,
                attributes: Attributes::default(),
            },
            ins: None,
            history: Vec::new(),
            traits: traits.clone(),
            used_first_name: None,
            used_name: None,
            collection: Some(CollectionMethod::Received),
            document: None,
            birth_date_completed: false,
        };
        let Some((matricule, oid)) = received.claimed.clone() else {
            // No INS: a provisional identity with the received traits.
            return self.store_received(base, Vec::new());
        };
        // The key and the OID, without any call.
        let (body, key) = split_ins(&matricule);
        let claimed = StoredIns {
            matricule: body,
            key,
            oid: oid.clone(),
            ..StoredIns::default()
        };
        if !claimed.is_complete_and_valid() {
            return refused(format!(
                "the received INS {claimed} has a wrong key or is malformed: refused"
            ));
        }
        match Oid::parse(&oid) {
            Ok(o) if production && o.is_test_or_demo() => {
                return refused(format!(
                    "the received INS is under the {} OID {oid}: refused in production",
                    o.label()
                ));
            }
            Ok(_) => {}
            Err(e) => return refused(format!("the received OID {oid:?} is not an INS OID: {e}")),
        }
        // HL7: only PID-32 VALI says the sender qualified the identity (§2.3).
        if carrier == Carrier::Hl7v2
            && received.pid32.as_deref() != Some("VALI")
            && !(self.has(Defect::TrustsPid32Prov) && received.pid32.as_deref() == Some("PROV"))
        {
            return self.store_received(
                base,
                vec![format!(
                    "PID-32 is {:?}, not VALI: the received INS is not stored",
                    received.pid32.as_deref().unwrap_or("")
                )],
            );
        }
        // Already held as QUAL or RECUP: not verified again (Règle 52).
        if let Some((id, _)) = self.store.identities.iter().find(|(_, r)| {
            r.ins
                .as_ref()
                .is_some_and(|i| i.matricule == claimed.matricule && i.oid == claimed.oid)
                && matches!(r.state.status, IdentityStatus::Qual | IdentityStatus::Recup)
        }) {
            let id = id.clone();
            let mut o = self.done(&id);
            o.message = Some("already held as qualified or recovered: not verified again".into());
            return o;
        }
        if self.has(Defect::SkipVerificationOnReceipt) {
            let mut record = base;
            record.ins = Some(claimed);
            record.state.status = IdentityStatus::Qual;
            return self.store_received(record, Vec::new());
        }
        let client = match insi() {
            Ok(c) => c,
            Err(e) => return technical(e),
        };
        let search = client
            .verify(&to_verify_query(&claimed, &query_input(&traits)))
            .await;
        let out = crate::driver::reference::to_verify_outcome(&search);
        let calls = calls_of(&search, &out);
        let mut record = base;
        let alerts = match out.outcome {
            OutcomeKind::Verified => {
                record.ins = Some(claimed);
                record.state.status = if received.status == Some(IdentityStatus::Qual) {
                    IdentityStatus::Qual
                } else {
                    IdentityStatus::Recup
                };
                Vec::new()
            }
            OutcomeKind::NotVerified => vec![format!(
                "INSi did not confirm the received INS {claimed} for these traits: the identity stays PROV without INS"
            )],
            _ => vec![format!(
                "the verification of the received INS failed ({}): the identity stays PROV without INS",
                out.error_shown
                    .clone()
                    .or(out.message.clone())
                    .unwrap_or_else(|| out.outcome.as_str().to_owned())
            )],
        };
        let mut o = self.store_received(record, alerts);
        o.outcome = out.outcome;
        o.calls = calls;
        o.message = out.error_shown.or(out.message);
        o
    }

    fn store_received(&mut self, record: Record, alerts: Vec<String>) -> ActionOutcome {
        match self.insert(record) {
            Ok(id) => {
                let mut o = self.done(&id);
                o.alerts = alerts;
                o
            }
            Err(o) => *o,
        }
    }

    async fn emit(
        &mut self,
        local_id: &str,
        carrier: Carrier,
        destination: &Transport,
    ) -> ActionOutcome {
        let Some(record) = self.store.identities.get(local_id).cloned() else {
            return refused(format!("no identity {local_id:?}"));
        };
        let qualified = record.state.may_transmit_ins() && record.ins.is_some();
        if carrier == Carrier::Datamatrix
            && !qualified
            && !self.has(Defect::DatamatrixForUnqualified)
        {
            let mut o = refused(format!(
                "no INS Datamatrix: the identity is {} (only a qualified identity is printed with its INS)",
                record.state.status
            ));
            o.identity = Some(record.view(local_id));
            return o;
        }
        let payload = match emit_payload(local_id, &record, carrier, self.defect) {
            Ok(p) => p,
            Err(e) => return refused(format!("cannot emit: {e}")),
        };
        let mut o = self.done(local_id);
        match carriers::send(&payload, destination, local_id).await {
            Ok(None) => {
                o.emitted = Some(Emitted {
                    carrier,
                    payload: payload.text(),
                })
            }
            Ok(Some(note)) => o.message = Some(note),
            Err(e) => {
                o.outcome = OutcomeKind::TechnicalError;
                o.alerts.push(e);
            }
        }
        o
    }
}

fn technical(e: HarnessError) -> ActionOutcome {
    let mut o = ActionOutcome::bare(OutcomeKind::TechnicalError);
    o.alerts.push(e.to_string());
    o.calls = Some(0);
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_names_compare_with_equivalent_separators() {
        assert!(first_name_consistent("JEAN", "JEAN CHRISTOPHE PIERRE"));
        assert!(first_name_consistent(
            "JEAN-CHRISTOPHE",
            "JEAN CHRISTOPHE PIERRE"
        ));
        assert!(first_name_consistent(
            "JEAN CHRISTOPHE",
            "JEAN CHRISTOPHE PIERRE"
        ));
        assert!(!first_name_consistent("MARIE", "ANNE MARIE"));
        assert!(!first_name_consistent("", "ANNE"));
    }
}
