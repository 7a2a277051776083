//! The steps of the receiving and business suites: make the software manage local identities
//! through the identity-management actions of the driver protocol ([`crate::actions`]), deliver
//! INS-referenced data built from a test person of the simulator's dataset, ask it to emit, and
//! judge what it reports, the calls it made and what it emitted by rules of the catalogue.

use insilab_core::ins::status::IdentityStatus;
use insilab_core::ins::{BirthDate, Cog, Ins, Matricule, Oid, Sex, Traits};
use insilab_core::rules::behaviour::{
    self as b, ATTRIBUTE_COMBINATION, DOCUMENT_RECORDED, DOUBTFUL_BLOCKS_INSI,
    FIRST_NAME_CONSISTENCY, INCOMPLETE_BIRTH_DATE, INS_ONLY_WHEN_QUALIFIED, NO_REVERIFICATION,
    NO_SILENT_OVERWRITE, PID32_NOT_VALI, RECEIPT_OUTCOME, RECEIPT_REFUSAL, STATUS_LIFECYCLE,
    USED_NAMES_UNTOUCHED, VERIFICATION_ON_RECEIPT, VITALE_APP,
};
use insilab_core::rules::{Finding, RuleId, Severity};
use insilab_formats::identity as fid;
use insilab_formats::{cda, datamatrix, fhir, hl7};

use super::{
    JOURNAL_SETTLE, JOURNAL_WAIT, Problem, StepArgs, StepDef, StepError, World, step_error,
};
use crate::actions::{
    ActionOutcome, Attribute, Carrier, CollectionMethod, IdentityAction, IdentityDocument,
    IdentityView, Transport,
};
use crate::outcome::{OutcomeKind, StoredIns, StoredTraits, TraitsInput};

mod checks;
use checks::*;

/// The sender's local-id authority in delivered messages (a private arc, not an INS OID).
const SENDER_OID: &str = "1.2.250.1.999.2.1";
/// The sender's namespace in delivered HL7 messages.
const SENDER_NAMESPACE: &str = "INSILAB-SENDER";
/// Pixels per module of a delivered Datamatrix page.
const PAGE_MODULE_PX: u32 = 6;
/// Document kinds of high trust (RNIV; ins-rules.md §2.1).
const HIGH_TRUST_DOCUMENTS: &[&str] = &[
    "passport",
    "national_id_card",
    "residence_permit",
    "birth_certificate",
    "family_booklet",
];

/// What the scenario delivered, to judge what the software did with it.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The carrier.
    pub carrier: Carrier,
    /// The INS delivered (matricule, key, OID as sent).
    pub ins: StoredIns,
    /// The traits delivered.
    pub traits: TraitsInput,
}

/// The identity-management state of one scenario (in [`World`]).
#[derive(Debug, Clone, Default)]
pub struct IdentityWorld {
    /// Person name → the software's local id.
    pub local_ids: Vec<(String, String)>,
    /// Person name → the traits the software was given at creation.
    pub created: Vec<(String, StoredTraits)>,
    /// The last delivery.
    pub delivery: Option<Delivery>,
    /// The local id of the delivered identity, when the software stored one.
    pub received_id: Option<String>,
    /// The local id of the identity the software was last asked to emit.
    pub emitted_id: Option<String>,
    /// The last action's outcome.
    pub last: Option<ActionOutcome>,
    /// Calls already observed when the last action started.
    pub calls_before: usize,
}

impl IdentityWorld {
    fn local_id(&self, person: &str) -> Result<String, StepError> {
        self.local_ids
            .iter()
            .rev()
            .find(|(p, _)| p == person)
            .map(|(_, id)| id.clone())
            .ok_or_else(|| {
                StepError::Broken(format!(
                    "the software holds no identity of {person:?} yet (missing creation step)"
                ))
            })
    }

    fn last(&self) -> Result<&ActionOutcome, StepError> {
        self.last
            .as_ref()
            .ok_or_else(|| StepError::Broken("no identity action was run before this check".into()))
    }
}

pub(super) static STEPS: &[StepDef] = &[
    step!(
        "When",
        r#"the software receives by (HL7 v2|FHIR|CDA|Datamatrix) the INS of "([^"]+)"(?: with)?:?"#,
        r#"the software receives by HL7 v2 the INS of "qualif-adrun-zoe""#,
        "Delivers INS-referenced data built from this person of the simulator's dataset (its INS, OID and traits, status qualified: HL7 PID-32 `VALI`) by this carrier, handed over in the driver call (`deliver`). An optional table changes what is sent: `PID-32`, `nom de naissance`, `matricule` (13 characters, key computed), `clé` (a wrong key on purpose), `OID`, `mode` (`production`).",
        |w, a| Box::pin(deliver_step(w, a))
    ),
    step!(
        "When",
        r#"the software creates the identity of "([^"]+)" (by manual entry|from the Appli carte Vitale|with the identity document "([a-z_]+)")(?: with)?:?"#,
        r#"the software creates the identity of "qualif-adrun-zoe" with the identity document "passport""#,
        "Makes the software create an identity with the traits of this person of the dataset (`create`): typed by a user, read from the Appli carte Vitale (with its INS), or checked against an identity document (`passport`, `national_id_card`, `residence_permit`, `birth_certificate`, `family_booklet` are of high trust; anything else is not). An optional table changes the traits entered: `nom de naissance`, `prénoms`, `date de naissance` (`00` for an unknown part), `lieu de naissance`, `premier prénom`, `nom utilisé`, `prénom utilisé`.",
        |w, a| Box::pin(create_step(w, a))
    ),
    step!(
        "When",
        r#"the software (searches|verifies) the INS of the identity of "([^"]+)""#,
        r#"the software searches the INS of the identity of "qualif-adrun-zoe""#,
        "Makes the software search (INSi traits search) or verify (INSi verification) the INS of its identity of this person (`search`, `verify-identity`), then collects the calls.",
        |w, a| Box::pin(search_step(w, a))
    ),
    step!(
        "When",
        r#"the user (sets|clears) the attribute "(doubtful|fictitious|homonym)" of the identity of "([^"]+)""#,
        r#"the user sets the attribute "doubtful" of the identity of "qualif-adrun-zoe""#,
        "Makes the software set or clear an identity attribute (`set-attribute`).",
        |w, a| Box::pin(attribute_step(w, a))
    ),
    step!(
        "When",
        r#"the user records the identity document "([a-z_]+)" for the identity of "([^"]+)""#,
        r#"the user records the identity document "passport" for the identity of "qualif-adrun-zoe""#,
        "Makes the software record that this identity document was checked (`record-identity-document`; high trust as for creation).",
        |w, a| Box::pin(document_step(w, a))
    ),
    step!(
        "When",
        r#"the software emits (?:the received identity|the identity of "([^"]+)") by (HL7 v2|FHIR|CDA|Datamatrix)"#,
        r#"the software emits the identity of "qualif-adrun-zoe" by Datamatrix"#,
        "Asks the software to send (HL7 v2, FHIR, CDA) or print (a page with the INS Datamatrix, PNG) the identity (`emit`), answered in the driver call.",
        |w, a| Box::pin(emit_step(w, a))
    ),
    step!(
        "Then",
        r#"the software verified the received INS exactly once"#,
        "the software verified the received INS exactly once",
        "`INSI-RCV-01`: the delivery made exactly one INSi verification call, carrying the delivered INS, OID and birth name.",
        |w, _| Box::pin(verified_once(w))
    ),
    step!(
        "Then",
        r#"the software qualified the received identity"#,
        "the software qualified the received identity",
        "`INSI-RCV-02`: the software stored the received identity as `QUAL` with the delivered INS and OID.",
        |w, _| Box::pin(received_qualified(w, true))
    ),
    step!(
        "Then",
        r#"the software did not qualify the received identity and alerted its user"#,
        "the software did not qualify the received identity and alerted its user",
        "`INSI-RCV-02`: the received identity is not `QUAL`, holds no INS, and the software alerted its user.",
        |w, _| Box::pin(received_qualified(w, false))
    ),
    step!(
        "Then",
        r#"the software refused the received INS without calling INSi"#,
        "the software refused the received INS without calling INSi",
        "`INSI-RCV-03`: the software refused the delivery (`refused`, with an alert), stored nothing and made no call.",
        |w, _| Box::pin(receipt_refused(w))
    ),
    step!(
        "Then",
        r#"the software did not store the received INS"#,
        "the software did not store the received INS",
        "`INSI-RCV-04`: whatever the software stored of the delivery holds no INS and is not `QUAL`.",
        |w, _| Box::pin(received_not_stored(w))
    ),
    step!(
        "Then",
        r#"the software did not verify the INS again"#,
        "the software did not verify the INS again",
        "`INSI-RCV-05`: the delivery of an INS the software holds as `QUAL` or `RECUP` made no call and the identity keeps its status.",
        |w, _| Box::pin(not_reverified(w))
    ),
    step!(
        "Then",
        r#"what the software emitted passes the format rules"#,
        "what the software emitted passes the format rules",
        "The emitted message or page passes the format rules of its carrier (`INS-HL7-…`, `INS-FHIR-…`, `INS-CDA-…`, `INS-DM-…`; advice aside); a Datamatrix also carries the INS the software holds (`INS-DM-011`).",
        |w, _| Box::pin(emitted_passes(w))
    ),
    step!(
        "Then",
        r#"what the software emitted carries the INS only if the identity is qualified"#,
        "what the software emitted carries the INS only if the identity is qualified",
        "`INSI-RCV-06`: the emitted message or printed page carries an INS (a Datamatrix is an INS) only when the identity is `QUAL`.",
        |w, _| Box::pin(ins_only_when_qualified(w))
    ),
    step!(
        "Then",
        r#"the identity of "([^"]+)" has the status "(PROV|RECUP|VALI|QUAL)""#,
        r#"the identity of "qualif-adrun-zoe" has the status "QUAL""#,
        "`INSI-BUS-01`: the identity as the software reports it (`read-identity`) has this status.",
        |w, a| Box::pin(status_step(w, a))
    ),
    step!(
        "Then",
        r#"the identity of "([^"]+)" holds the INS "(\w{13})" key "(\d{2})" with OID "([0-9.]+)""#,
        r#"the identity of "qualif-adrun-zoe" holds the INS "2751263220749" key "74" with OID "1.2.250.1.213.1.4.8""#,
        "`INSI-STO-01`: the identity holds this active INS and OID.",
        |w, a| Box::pin(holds_ins_step(w, a))
    ),
    step!(
        "Then",
        r#"the identity of "([^"]+)" holds no INS"#,
        r#"the identity of "qualif-adrun-zoe" holds no INS"#,
        "`INSI-BUS-01` (`INSI-BUS-02` for a doubtful or fictitious identity): the identity holds no INS.",
        |w, a| Box::pin(holds_no_ins_step(w, a))
    ),
    step!(
        "Then",
        r#"the identity of "([^"]+)" keeps the INS "(\w{13})" key "(\d{2})" with OID "([0-9.]+)" in its history"#,
        r#"the identity of "cnda-2.04" keeps the INS "1090763220888" key "35" with OID "1.2.250.1.213.1.4.9" in its history"#,
        "`INSI-STO-03`: the identity's INS history holds this INS (a NIA replaced by a NIR is kept).",
        |w, a| Box::pin(history_step(w, a))
    ),
    step!(
        "Then",
        r#"the identity of "([^"]+)" has the attributes "([a-z, ]*)""#,
        r#"the identity of "qualif-adrun-zoe" has the attributes "doubtful, homonym""#,
        "`INSI-BUS-03`: the identity's attributes are exactly these (comma-separated; empty: none).",
        |w, a| Box::pin(attributes_step(w, a))
    ),
    step!(
        "Then",
        r#"the software refused to combine the attributes"#,
        "the software refused to combine the attributes",
        "`INSI-BUS-03`: the last attribute change was refused with an alert.",
        |w, _| Box::pin(refused_step(w, ATTRIBUTE_COMBINATION, false))
    ),
    step!(
        "Then",
        r#"the software refused to call INSi for the identity"#,
        "the software refused to call INSi for the identity",
        "`INSI-BUS-02`: the last search or verification was refused with an alert and made no call.",
        |w, _| Box::pin(refused_step(w, DOUBTFUL_BLOCKS_INSI, true))
    ),
    step!(
        "Then",
        r#"the software kept the local traits of "([^"]+)" and alerted its user"#,
        r#"the software kept the local traits of "qualif-adrun-zoe" and alerted its user"#,
        "`INSI-BUS-04`: after INSi returned differing traits, the identity keeps the traits entered, its status and no INS, and the user was alerted.",
        |w, a| Box::pin(kept_traits_step(w, a))
    ),
    step!(
        "Then",
        r#"the identity of "([^"]+)" has the birth date "(\d{4}-\d{2}-\d{2})" flagged as completed"#,
        r#"the identity of "qualif-adrun-zoe" has the birth date "1975-12-31" flagged as completed"#,
        "`INSI-BUS-05`: the incomplete birth date was completed to this date and flagged.",
        |w, a| Box::pin(completed_date_step(w, a))
    ),
    step!(
        "Then",
        r#"the software alerted its user about the first name"#,
        "the software alerted its user about the first name",
        "`INSI-BUS-06`: the creation with an inconsistent first first name raised an alert.",
        |w, _| Box::pin(first_name_alert_step(w))
    ),
    step!(
        "Then",
        r#"the identity of "([^"]+)" has no used name and no used first name"#,
        r#"the identity of "qualif-adrun-zoe" has no used name and no used first name"#,
        "`INSI-BUS-07`: used name and used first name were not filled automatically.",
        |w, a| Box::pin(used_names_step(w, a))
    ),
    step!(
        "Then",
        r#"the identity of "([^"]+)" is qualified from the Appli carte Vitale without INSi call"#,
        r#"the identity of "qualif-adrun-zoe" is qualified from the Appli carte Vitale without INSi call"#,
        "`INSI-BUS-08`: the identity is `QUAL` with its INS, collected by `vitale_app`, and no call reached the simulator.",
        |w, a| Box::pin(vitale_step(w, a))
    ),
    step!(
        "Then",
        r#"the identity of "([^"]+)" records the identity document "([a-z_]+)""#,
        r#"the identity of "qualif-adrun-zoe" records the identity document "passport""#,
        "`INSI-BUS-09`: the identity records the type of document checked.",
        |w, a| Box::pin(document_recorded_step(w, a))
    ),
];

// ------------------------------------------------------------------ persons and carriers

/// A person of the simulator's dataset as the steps use it.
struct Person {
    traits: TraitsInput,
    ins: Option<StoredIns>,
}

fn dataset(w: &World) -> Result<insilab_simulator::dataset::Dataset, StepError> {
    match w.sim.dataset_yaml() {
        Some(text) => insilab_simulator::dataset::Dataset::from_yaml(&text, "simulator"),
        None => insilab_simulator::dataset::Dataset::embedded_default(),
    }
    .map_err(|e| StepError::Broken(format!("cannot read the simulator's dataset: {e}")))
}

fn person(w: &World, id: &str) -> Result<Person, StepError> {
    let d = dataset(w)?;
    let p =
        d.persons.iter().find(|p| p.id == id).ok_or_else(|| {
            StepError::Broken(format!("no person {id:?} in the simulator's dataset"))
        })?;
    Ok(Person {
        traits: TraitsInput {
            birth_name: p.birth_name.clone(),
            first_names: p.first_names.clone(),
            sex: p.sex.clone(),
            birth_date: p.birth_date.clone(),
            birthplace: p.birthplace.clone(),
        },
        ins: p.ins.as_ref().map(|i| StoredIns {
            matricule: i.matricule.clone(),
            key: i.effective_key(),
            oid: i.oid.clone(),
            ..StoredIns::default()
        }),
    })
}

fn table_value<'a>(a: &'a StepArgs, key: &str) -> Option<&'a str> {
    a.table
        .as_ref()?
        .iter()
        .find_map(|row| match row.as_slice() {
            [k, v, ..] if k.trim() == key => Some(v.trim()),
            _ => None,
        })
}

fn broken(e: impl std::fmt::Display) -> StepError {
    StepError::Broken(e.to_string())
}

fn carrier_of(word: &str) -> Carrier {
    match word {
        "FHIR" => Carrier::Fhir,
        "CDA" => Carrier::Cda,
        "Datamatrix" => Carrier::Datamatrix,
        _ => Carrier::Hl7v2,
    }
}

/// Builds the delivered carrier: the message text, or the PNG page in base64.
fn build_carrier(
    carrier: Carrier,
    ins: &StoredIns,
    traits: &TraitsInput,
    pid32: Option<&str>,
    message_id: &str,
) -> Result<String, StepError> {
    let matricule =
        Matricule::from_parts_unchecked_key(&ins.matricule, &ins.key).map_err(broken)?;
    let oid = Oid::parse(&ins.oid).map_err(broken)?;
    let id = fid::Identity {
        ins: Some(Ins::new(matricule, oid)),
        traits: Traits {
            birth_name: traits.birth_name.clone(),
            first_names: traits.first_names.clone(),
            sex: Sex::parse(&traits.sex).map_err(broken)?,
            birth_date: BirthDate::parse(&traits.birth_date).map_err(broken)?,
            birthplace: traits
                .birthplace
                .as_deref()
                .map(Cog::parse)
                .transpose()
                .map_err(broken)?,
        },
        status: Some(IdentityStatus::Qual),
    };
    match carrier {
        Carrier::Hl7v2 => {
            let mut pid = fid::to_pid(&id, Some((message_id, SENDER_NAMESPACE, SENDER_OID)));
            if let Some(code) = pid32 {
                pid.reliability = vec![code.to_owned()];
            }
            let header = hl7::Header {
                sending_application: "INSILAB".into(),
                sending_facility: "SENDER".into(),
                receiving_application: "SUT".into(),
                receiving_facility: "SUT".into(),
                timestamp: "20260101120000".into(),
                event: hl7::AdtEvent::A28,
                control_id: message_id.to_owned(),
                processing_id: "P".into(),
                version: "2.5".into(),
                country: "FRA".into(),
                charset: "UNICODE UTF-8".into(),
                profile: vec!["2.11".into(), "IHE_FR".into()],
            };
            Ok(hl7::write(&hl7::adt::build_adt(&header, &pid, Vec::new())))
        }
        Carrier::Fhir => {
            let mut p = fid::to_patient(&id);
            p.id = Some(message_id.to_owned());
            Ok(fhir::write_json(&fhir::Resource::Patient(Box::new(p))))
        }
        Carrier::Cda => {
            let role = fid::to_patient_role(&id, Some((SENDER_OID, message_id)))
                .ok_or_else(|| broken("no CDA patient role for this identity"))?;
            Ok(cda::write(&cda::CdaHeader {
                record_targets: vec![role],
            }))
        }
        Carrier::Datamatrix => {
            use base64::Engine as _;
            let payload = fid::to_payload(&id)
                .ok_or_else(|| broken("no Datamatrix payload for this identity"))?;
            let png = datamatrix::encode_png(&datamatrix::payload::build(&payload), PAGE_MODULE_PX)
                .map_err(broken)?;
            Ok(base64::engine::general_purpose::STANDARD.encode(png))
        }
    }
}

// ------------------------------------------------------------------ acting

/// Runs one identity action and collects the calls it made.
async fn act(w: &mut World, action: IdentityAction) -> Result<ActionOutcome, StepError> {
    let before = w.exchanges.len();
    let outcome = w.driver.act(&w.ctx, &action).await.map_err(step_error)?;
    let exchanges = match outcome.calls.and_then(|n| usize::try_from(n).ok()) {
        Some(n) => w.sim.wait_for(w.ctx.mark, before + n, JOURNAL_WAIT).await,
        None => settle(w).await,
    }
    .map_err(step_error)?;
    w.exchanges = exchanges;
    w.identity.calls_before = before;
    w.identity.last = Some(outcome.clone());
    Ok(outcome)
}

async fn settle(w: &World) -> Result<Vec<crate::exchange::Exchange>, crate::HarnessError> {
    let mut last = w.sim.exchanges_since(w.ctx.mark).await?;
    loop {
        tokio::time::sleep(JOURNAL_SETTLE).await;
        let now = w.sim.exchanges_since(w.ctx.mark).await?;
        if now.len() == last.len() {
            return Ok(now);
        }
        last = now;
    }
}

/// The identity as the software reports it now (`read-identity`), without touching the last
/// action's outcome.
async fn read(w: &mut World, person: &str) -> Result<IdentityView, StepError> {
    let local_id = w.identity.local_id(person)?;
    read_id(w, &local_id).await
}

async fn read_id(w: &mut World, local_id: &str) -> Result<IdentityView, StepError> {
    let action = IdentityAction::ReadIdentity {
        local_id: local_id.to_owned(),
    };
    let outcome = w.driver.act(&w.ctx, &action).await.map_err(step_error)?;
    outcome.identity.ok_or_else(|| {
        StepError::Broken(format!(
            "the software reported no identity for {local_id:?}: {}",
            outcome.alerts.join("; ")
        ))
    })
}

fn calls_of_last(w: &World) -> &[crate::exchange::Exchange] {
    w.exchanges.get(w.identity.calls_before..).unwrap_or(&[])
}

async fn deliver_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let carrier = carrier_of(&a.captures[0]);
    let p = person(w, &a.captures[1])?;
    let mut ins = p
        .ins
        .ok_or_else(|| broken(format!("{:?} has no INS in the dataset", a.captures[1])))?;
    let mut traits = p.traits;
    if let Some(name) = table_value(a, "nom de naissance") {
        traits.birth_name = name.to_owned();
    }
    if let Some(m) = table_value(a, "matricule") {
        ins.matricule = m.to_owned();
        ins.key = format!("{:02}", insilab_core::ins::compute_key(m).map_err(broken)?);
    }
    if let Some(k) = table_value(a, "clé") {
        ins.key = k.to_owned();
    }
    if let Some(o) = table_value(a, "OID") {
        ins.oid = o.to_owned();
    }
    let production = table_value(a, "mode") == Some("production");
    let message_id = format!("MSG-{}", w.exchanges.len() + 1);
    let payload = build_carrier(
        carrier,
        &ins,
        &traits,
        table_value(a, "PID-32"),
        &message_id,
    )?;
    // Over the channel the driver configuration declares (MLLP, FHIR, drop folder), else
    // inline; the channel's receipt goes into the evidence with the outcome.
    let (transport, receipt) =
        crate::delivery::send(&w.driver.channels(), carrier, &payload, &message_id)
            .await
            .map_err(step_error)?;
    let outcome = act(
        w,
        IdentityAction::Deliver {
            carrier,
            transport,
            payload,
            message_id,
            production,
        },
    )
    .await?;
    // A channel that refused the message says so in every failure of the scenario.
    if let (Some(receipt), Some(last)) = (receipt, w.identity.last.as_mut())
        && !receipt.accepted
    {
        let note = format!("the channel refused the delivery: {}", receipt.detail);
        last.message = Some(match last.message.take() {
            Some(m) => format!("{m}; {note}"),
            None => note,
        });
    }
    w.identity.delivery = Some(Delivery {
        carrier,
        ins,
        traits,
    });
    w.identity.received_id = outcome.identity.map(|i| i.local_id);
    Ok(())
}

async fn create_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let name = a.captures[0].clone();
    let p = person(w, &name)?;
    let mut traits = p.traits;
    if let Some(v) = table_value(a, "nom de naissance") {
        traits.birth_name = v.to_owned();
    }
    if let Some(v) = table_value(a, "prénoms") {
        traits.first_names = v
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
    }
    if let Some(v) = table_value(a, "date de naissance") {
        traits.birth_date = v.to_owned();
    }
    if let Some(v) = table_value(a, "lieu de naissance") {
        // An empty cell: the birthplace is not entered.
        traits.birthplace = Some(v.to_owned()).filter(|v| !v.is_empty());
    }
    let (method, document, ins) = match a.captures[1].as_str() {
        "by manual entry" => (CollectionMethod::Manual, None, None),
        "from the Appli carte Vitale" => (CollectionMethod::VitaleApp, None, p.ins.clone()),
        _ => {
            let kind = a.captures[2].clone();
            let high_trust = HIGH_TRUST_DOCUMENTS.contains(&kind.as_str());
            (
                CollectionMethod::Document,
                Some(IdentityDocument { kind, high_trust }),
                None,
            )
        }
    };
    let first_name = table_value(a, "premier prénom").map(str::to_owned);
    let action = IdentityAction::Create {
        traits: traits.clone(),
        method,
        document,
        ins,
        used_first_name: table_value(a, "prénom utilisé").map(str::to_owned),
        used_name: table_value(a, "nom utilisé").map(str::to_owned),
        first_name,
    };
    let outcome = act(w, action).await?;
    let Some(identity) = outcome.identity else {
        return Err(StepError::Broken(format!(
            "the software created no identity of {name:?}: {} {}",
            outcome.outcome.as_str(),
            outcome.alerts.join("; ")
        )));
    };
    w.identity
        .created
        .push((name.clone(), identity.traits.clone()));
    w.identity.local_ids.push((name, identity.local_id));
    Ok(())
}

async fn search_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let local_id = w.identity.local_id(&a.captures[1])?;
    let action = if a.captures[0] == "searches" {
        IdentityAction::Search { local_id }
    } else {
        IdentityAction::Verify { local_id }
    };
    act(w, action).await.map(|_| ())
}

async fn attribute_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let local_id = w.identity.local_id(&a.captures[2])?;
    let attribute = match a.captures[1].as_str() {
        "doubtful" => Attribute::Doubtful,
        "fictitious" => Attribute::Fictitious,
        _ => Attribute::Homonym,
    };
    let action = IdentityAction::SetAttribute {
        local_id,
        attribute,
        value: a.captures[0] == "sets",
    };
    act(w, action).await.map(|_| ())
}

async fn document_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let local_id = w.identity.local_id(&a.captures[1])?;
    let kind = a.captures[0].clone();
    let high_trust = HIGH_TRUST_DOCUMENTS.contains(&kind.as_str());
    let action = IdentityAction::RecordIdentityDocument {
        local_id,
        document: IdentityDocument { kind, high_trust },
    };
    act(w, action).await.map(|_| ())
}

async fn emit_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let local_id = match a.captures.first().filter(|c| !c.is_empty()) {
        Some(person) => w.identity.local_id(person)?,
        None => w.identity.received_id.clone().ok_or_else(|| {
            StepError::Broken("the software stored no received identity to emit".into())
        })?,
    };
    let carrier = carrier_of(&a.captures[1]);
    let destination = w
        .emission
        .as_ref()
        .map_or(Transport::Inline, |inbox| inbox.destination(carrier));
    let action = IdentityAction::Emit {
        local_id: local_id.clone(),
        carrier,
        destination,
    };
    let outcome = act(w, action).await?;
    w.identity.emitted_id = Some(local_id);
    // Sent over the wire: what insilab received stands for the emission (a software that
    // refused to emit is not waited for).
    if outcome.emitted.is_none()
        && outcome.outcome != OutcomeKind::Refused
        && let Some(inbox) = w.emission.clone()
    {
        let received = inbox.take(&w.ctx.scenario_id, carrier).await;
        if let (Some(first), Some(last)) = (received.into_iter().next(), w.identity.last.as_mut()) {
            last.emitted = Some(crate::actions::Emitted {
                carrier: first.carrier,
                payload: first.document,
            });
        }
    }
    Ok(())
}
