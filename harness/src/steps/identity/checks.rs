//! The checks of the receiving and business suites (`Then` steps): what the software reported,
//! the INSi calls it made and what it emitted, judged by rules of the catalogue.

use super::*;

pub(super) fn fire(rule: RuleId, message: String) -> Vec<Problem> {
    vec![b::finding(rule, message).into()]
}

pub(super) fn describe(o: &ActionOutcome) -> String {
    let mut text = o.outcome.as_str().to_owned();
    if !o.alerts.is_empty() {
        text.push_str(&format!(" (alerts: {})", o.alerts.join("; ")));
    }
    if let Some(i) = &o.identity {
        text.push_str(&format!(
            ", identity {} {}{}",
            i.local_id,
            i.status,
            i.ins
                .as_ref()
                .map(|x| format!(" INS {x}"))
                .unwrap_or_default()
        ));
    }
    text
}

/// The INS a verification request carried: `(matricule, key, oid)`.
pub(super) fn verified_ins(xml: &str) -> Option<(String, Option<String>, String)> {
    let request =
        insilab_core::insi::parse_request(xml.as_bytes(), &insilab_core::insi::Limits::default())
            .ok()?;
    match request.body {
        insilab_core::insi::RequestBody::Verification(v) => Some((
            v.ins_fourni.id.num_identifiant.clone(),
            v.ins_fourni.id.cle.clone(),
            v.ins_fourni.oid.clone(),
        )),
        _ => None,
    }
}

pub(super) async fn verified_once(w: &mut World) -> Result<(), StepError> {
    let delivery = w
        .identity
        .delivery
        .clone()
        .ok_or_else(|| broken("no delivery before this check"))?;
    let calls = calls_of_last(w);
    let mut problems = Vec::new();
    let verifications: Vec<_> = calls
        .iter()
        .filter(|e| verified_ins(&e.request_xml).is_some())
        .collect();
    if calls.len() != 1 || verifications.len() != 1 {
        problems.extend(fire(
            VERIFICATION_ON_RECEIPT,
            format!(
                "the delivery by {:?} of the INS {} made {} call(s), {} verification(s): expected exactly one verification",
                delivery.carrier,
                delivery.ins,
                calls.len(),
                verifications.len()
            ),
        ));
    }
    if let Some(call) = verifications.first() {
        match verified_ins(&call.request_xml) {
            Some((m, k, o))
                if m == delivery.ins.matricule
                    && k.as_deref().is_none_or(|k| k == delivery.ins.key)
                    && o == delivery.ins.oid => {}
            other => problems.extend(fire(
                VERIFICATION_ON_RECEIPT,
                format!(
                    "the verification carried {other:?}, not the received INS {}",
                    delivery.ins
                ),
            )),
        }
        let sent = &call.sent;
        let received = &delivery.traits;
        for (what, sent, received) in [
            (
                "birth name",
                sent.birth_name.as_deref(),
                received.birth_name.as_str(),
            ),
            ("sex", sent.sex.as_deref(), received.sex.as_str()),
            (
                "birth date",
                sent.birth_date.as_deref(),
                received.birth_date.as_str(),
            ),
        ] {
            if sent.map(str::trim) != Some(received) {
                problems.extend(fire(
                    VERIFICATION_ON_RECEIPT,
                    format!(
                        "the verification carried the {what} {sent:?}, not the received {received:?}"
                    ),
                ));
            }
        }
        if let Some(first) = received.first_names.first()
            && !sent
                .first_names
                .iter()
                .any(|n| n.split(' ').any(|w| w == first))
        {
            problems.extend(fire(
                VERIFICATION_ON_RECEIPT,
                format!(
                    "the verification carried the first names {:?}, not the received {first:?}",
                    sent.first_names
                ),
            ));
        }
    }
    w.verdict(&[VERIFICATION_ON_RECEIPT], problems)
}

pub(super) async fn received_qualified(w: &mut World, expect: bool) -> Result<(), StepError> {
    let delivery = w
        .identity
        .delivery
        .clone()
        .ok_or_else(|| broken("no delivery before this check"))?;
    let last = w.identity.last()?.clone();
    let identity = match &w.identity.received_id {
        Some(id) => Some(read_id(w, &id.clone()).await?),
        None => None,
    };
    let qualified = identity.as_ref().is_some_and(|i| {
        i.status == IdentityStatus::Qual
            && i.ins.as_ref().is_some_and(|x| {
                x.matricule == delivery.ins.matricule
                    && x.key == delivery.ins.key
                    && x.oid == delivery.ins.oid
            })
    });
    let problems = if expect && !qualified {
        fire(
            RECEIPT_OUTCOME,
            format!(
                "expected the received identity qualified with the INS {}; the software reported {}",
                delivery.ins,
                describe(&last)
            ),
        )
    } else if !expect
        && (qualified
            || identity
                .as_ref()
                .is_some_and(|i| i.ins.is_some() || i.status == IdentityStatus::Qual)
            || last.alerts.is_empty())
    {
        fire(
            RECEIPT_OUTCOME,
            format!(
                "expected the received identity not qualified, without INS, and the user alerted; the software reported {}",
                describe(&last)
            ),
        )
    } else {
        Vec::new()
    };
    w.verdict(&[RECEIPT_OUTCOME], problems)
}

pub(super) async fn receipt_refused(w: &mut World) -> Result<(), StepError> {
    let last = w.identity.last()?.clone();
    let calls = calls_of_last(w).len();
    let problems = if last.outcome != OutcomeKind::Refused
        || last.alerts.is_empty()
        || last.identity.is_some()
        || calls > 0
    {
        fire(
            RECEIPT_REFUSAL,
            format!(
                "expected the delivery refused with an alert, nothing stored and no call; the software reported {} and made {calls} call(s)",
                describe(&last)
            ),
        )
    } else {
        Vec::new()
    };
    w.verdict(&[RECEIPT_REFUSAL], problems)
}

pub(super) async fn received_not_stored(w: &mut World) -> Result<(), StepError> {
    let last = w.identity.last()?.clone();
    let identity = match &w.identity.received_id {
        Some(id) => Some(read_id(w, &id.clone()).await?),
        None => None,
    };
    let problems = match identity {
        Some(i) if i.ins.is_some() || i.status == IdentityStatus::Qual => fire(
            PID32_NOT_VALI,
            format!(
                "the INS received with PID-32 other than VALI was stored: identity {} {} INS {:?} ({})",
                i.local_id,
                i.status,
                i.ins.map(|x| x.to_string()),
                describe(&last)
            ),
        ),
        _ => Vec::new(),
    };
    w.verdict(&[PID32_NOT_VALI], problems)
}

pub(super) async fn not_reverified(w: &mut World) -> Result<(), StepError> {
    let last = w.identity.last()?.clone();
    let calls = calls_of_last(w).len();
    let status = last.identity.as_ref().map(|i| i.status);
    let problems = if calls > 0
        || !matches!(status, Some(IdentityStatus::Qual | IdentityStatus::Recup))
    {
        fire(
            NO_REVERIFICATION,
            format!(
                "an INS held as QUAL or RECUP was received again: expected no call and the identity kept; {calls} call(s), the software reported {}",
                describe(&last)
            ),
        )
    } else {
        Vec::new()
    };
    w.verdict(&[NO_REVERIFICATION], problems)
}

/// What was emitted, decoded: the bytes and the carrier.
pub(super) fn emitted(w: &World) -> Result<Option<(Carrier, Vec<u8>)>, StepError> {
    let last = w.identity.last()?;
    let Some(e) = &last.emitted else {
        return Ok(None);
    };
    let bytes = match e.carrier {
        Carrier::Datamatrix => {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(e.payload.trim())
                .map_err(|err| broken(format!("the emitted page is not base64: {err}")))?
        }
        _ => e.payload.clone().into_bytes(),
    };
    Ok(Some((e.carrier, bytes)))
}

pub(super) fn format_rules(carrier: Carrier) -> Vec<RuleId> {
    let prefix = match carrier {
        Carrier::Hl7v2 => "INS-HL7-",
        Carrier::Fhir => "INS-FHIR-",
        Carrier::Cda => "INS-CDA-",
        Carrier::Datamatrix => "INS-DM-",
    };
    RuleId::ALL
        .iter()
        .copied()
        .filter(|r| r.as_str().starts_with(prefix))
        .collect()
}

pub(super) async fn emitted_passes(w: &mut World) -> Result<(), StepError> {
    let Some((carrier, bytes)) = emitted(w)? else {
        let last = w.identity.last()?.clone();
        let problems = fire(
            INS_ONLY_WHEN_QUALIFIED,
            format!("the software emitted nothing: {}", describe(&last)),
        );
        return w.verdict(&[INS_ONLY_WHEN_QUALIFIED], problems);
    };
    let kind = match carrier {
        Carrier::Hl7v2 => insilab_formats::detect::Carrier::Hl7,
        Carrier::Fhir => insilab_formats::detect::Carrier::FhirJson,
        Carrier::Cda => insilab_formats::detect::Carrier::Cda,
        Carrier::Datamatrix => insilab_formats::detect::Carrier::DatamatrixImage,
    };
    let checked = insilab_formats::detect::check(kind, &bytes)
        .map_err(|e| broken(format!("what the software emitted cannot be read: {e}")))?;
    let mut findings: Vec<Finding> = checked.findings;
    if let (Some(payload), Some(id)) = (&checked.payload, w.identity.emitted_id.clone()) {
        let held = read_id(w, &id).await?.ins;
        if let (Ok(raw), Some(held)) = (datamatrix::payload::parse_raw(payload), held)
            && let Ok(m) = Matricule::from_parts(&held.matricule, &held.key)
            && let Ok(o) = Oid::parse(&held.oid)
        {
            findings.extend(insilab_formats::rules::datamatrix::check_against(
                &raw,
                &Ins::new(m, o),
            ));
        }
    }
    let problems = findings
        .into_iter()
        .filter(|f| f.severity != Severity::Advice)
        .map(Problem::from)
        .collect();
    w.verdict(&format_rules(carrier), problems)
}

pub(super) async fn ins_only_when_qualified(w: &mut World) -> Result<(), StepError> {
    let emitted = emitted(w)?;
    let id = w
        .identity
        .emitted_id
        .clone()
        .ok_or_else(|| broken("no identity was emitted"))?;
    let identity = read_id(w, &id).await?;
    let carries_ins = match &emitted {
        None => false,
        Some((Carrier::Datamatrix, _)) => true,
        Some((Carrier::Hl7v2, bytes)) => hl7::parse(bytes)
            .ok()
            .and_then(|m| hl7::Pid::from_message(&m).ok())
            .is_some_and(|p| p.ins_identifiers().next().is_some()),
        Some((Carrier::Fhir, bytes)) => match fhir::read(bytes) {
            Ok(fhir::Resource::Patient(p)) => p.identifiers.iter().any(|i| i.claims_ins()),
            Ok(fhir::Resource::Bundle(bundle)) => bundle
                .patients()
                .any(|(_, p)| p.identifiers.iter().any(|i| i.claims_ins())),
            Err(_) => false,
        },
        Some((Carrier::Cda, bytes)) => cda::read(bytes).is_ok_and(|h| {
            h.record_targets
                .iter()
                .any(|r| r.ins_ids().next().is_some())
        }),
    };
    let problems = if carries_ins && identity.status != IdentityStatus::Qual {
        fire(
            INS_ONLY_WHEN_QUALIFIED,
            format!(
                "the software emitted {} carrying an INS for an identity whose status is {}",
                match emitted.as_ref().map(|e| e.0) {
                    Some(Carrier::Datamatrix) => "a page with the INS Datamatrix",
                    _ => "a message",
                },
                identity.status
            ),
        )
    } else {
        Vec::new()
    };
    w.verdict(&[INS_ONLY_WHEN_QUALIFIED], problems)
}

pub(super) async fn status_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let identity = read(w, &a.captures[0]).await?;
    let expected = IdentityStatus::from_code(&a.captures[1])
        .ok_or_else(|| broken(format!("unknown status {:?}", a.captures[1])))?;
    let problems = if identity.status == expected {
        Vec::new()
    } else {
        fire(
            STATUS_LIFECYCLE,
            format!(
                "expected the identity of {:?} {expected}, the software reports it {}",
                a.captures[0], identity.status
            ),
        )
    };
    w.verdict(&[STATUS_LIFECYCLE], problems)
}

pub(super) async fn holds_ins_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let identity = read(w, &a.captures[0]).await?;
    let expected = StoredIns {
        matricule: a.captures[1].clone(),
        key: a.captures[2].clone(),
        oid: a.captures[3].clone(),
        ..StoredIns::default()
    };
    let problems = b::check_stored_ins(&expected, identity.ins.as_ref())
        .into_iter()
        .map(Problem::from)
        .collect();
    w.verdict(&[b::STORED_INS], problems)
}

pub(super) async fn holds_no_ins_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let identity = read(w, &a.captures[0]).await?;
    let rule = if identity.attributes.blocks_qualification() {
        DOUBTFUL_BLOCKS_INSI
    } else {
        STATUS_LIFECYCLE
    };
    let problems = match &identity.ins {
        Some(ins) => fire(
            rule,
            format!(
                "the identity of {:?} ({}) holds the INS {ins}",
                a.captures[0], identity.status
            ),
        ),
        None => Vec::new(),
    };
    w.verdict(&[rule], problems)
}

pub(super) async fn history_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let identity = read(w, &a.captures[0]).await?;
    let kept = identity
        .history
        .iter()
        .any(|h| h.matricule == a.captures[1] && h.key == a.captures[2] && h.oid == a.captures[3]);
    let problems = if kept {
        Vec::new()
    } else {
        fire(
            b::STORED_HISTORY,
            format!(
                "the history of {:?} lacks {} {} ({}): {:?}",
                a.captures[0],
                a.captures[1],
                a.captures[2],
                a.captures[3],
                identity
                    .history
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            ),
        )
    };
    w.verdict(&[b::STORED_HISTORY], problems)
}

pub(super) async fn attributes_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let identity = read(w, &a.captures[0]).await?;
    let mut expected: Vec<&str> = a.captures[1]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    expected.sort_unstable();
    let at = identity.attributes;
    let mut actual = Vec::new();
    if at.douteuse {
        actual.push("doubtful");
    }
    if at.fictive {
        actual.push("fictitious");
    }
    if at.homonyme {
        actual.push("homonym");
    }
    actual.sort_unstable();
    let problems = if expected == actual {
        Vec::new()
    } else {
        fire(
            ATTRIBUTE_COMBINATION,
            format!(
                "expected the attributes {expected:?} for {:?}, the software reports {actual:?}",
                a.captures[0]
            ),
        )
    };
    w.verdict(&[ATTRIBUTE_COMBINATION], problems)
}

pub(super) async fn refused_step(
    w: &mut World,
    rule: RuleId,
    no_call: bool,
) -> Result<(), StepError> {
    let last = w.identity.last()?.clone();
    let calls = calls_of_last(w).len();
    let problems = if last.outcome != OutcomeKind::Refused
        || last.alerts.is_empty()
        || (no_call && calls > 0)
    {
        fire(
            rule,
            format!(
                "expected a refusal with an alert{}; the software reported {} and made {calls} call(s)",
                if no_call { " and no call" } else { "" },
                describe(&last)
            ),
        )
    } else {
        Vec::new()
    };
    w.verdict(&[rule], problems)
}

pub(super) async fn kept_traits_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let last = w.identity.last()?.clone();
    let entered = w
        .identity
        .created
        .iter()
        .rev()
        .find(|(p, _)| *p == a.captures[0])
        .map(|(_, t)| t.clone())
        .ok_or_else(|| broken(format!("no identity of {:?} was created", a.captures[0])))?;
    let identity = read(w, &a.captures[0]).await?;
    let mut wrong = Vec::new();
    if identity.traits != entered {
        wrong.push(format!(
            "the traits were changed from {entered:?} to {:?}",
            identity.traits
        ));
    }
    if identity.ins.is_some() || identity.status != IdentityStatus::Prov {
        wrong.push(format!(
            "the identity became {} with INS {:?}",
            identity.status,
            identity.ins.as_ref().map(ToString::to_string)
        ));
    }
    if last.alerts.is_empty() {
        wrong.push("the user was not alerted".to_owned());
    }
    let problems = if wrong.is_empty() {
        Vec::new()
    } else {
        fire(NO_SILENT_OVERWRITE, wrong.join("; "))
    };
    w.verdict(&[NO_SILENT_OVERWRITE], problems)
}

pub(super) async fn completed_date_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let identity = read(w, &a.captures[0]).await?;
    let problems = if identity.traits.birth_date == a.captures[1] && identity.birth_date_completed {
        Vec::new()
    } else {
        fire(
            INCOMPLETE_BIRTH_DATE,
            format!(
                "expected the birth date {} flagged as completed; the software stored {} ({})",
                a.captures[1],
                identity.traits.birth_date,
                if identity.birth_date_completed {
                    "flagged"
                } else {
                    "not flagged"
                }
            ),
        )
    };
    w.verdict(&[INCOMPLETE_BIRTH_DATE], problems)
}

pub(super) async fn first_name_alert_step(w: &mut World) -> Result<(), StepError> {
    let last = w.identity.last()?.clone();
    let problems = if last.alerts.is_empty() {
        fire(
            FIRST_NAME_CONSISTENCY,
            format!(
                "a first first name inconsistent with the list raised no alert: {}",
                describe(&last)
            ),
        )
    } else {
        Vec::new()
    };
    w.verdict(&[FIRST_NAME_CONSISTENCY], problems)
}

pub(super) async fn used_names_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let identity = read(w, &a.captures[0]).await?;
    let problems = if identity.used_name.is_none() && identity.used_first_name.is_none() {
        Vec::new()
    } else {
        fire(
            USED_NAMES_UNTOUCHED,
            format!(
                "used name {:?} and used first name {:?} were filled without a user action",
                identity.used_name, identity.used_first_name
            ),
        )
    };
    w.verdict(&[USED_NAMES_UNTOUCHED], problems)
}

pub(super) async fn vitale_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let identity = read(w, &a.captures[0]).await?;
    let calls = w.exchanges.len();
    let mut wrong = Vec::new();
    if identity.status != IdentityStatus::Qual || identity.ins.is_none() {
        wrong.push(format!(
            "the identity is {} with INS {:?}",
            identity.status,
            identity.ins.as_ref().map(ToString::to_string)
        ));
    }
    if identity.collection != Some(CollectionMethod::VitaleApp) {
        wrong.push(format!("collected by {:?}", identity.collection));
    }
    if calls > 0 {
        wrong.push(format!("{calls} INSi call(s) were made"));
    }
    let problems = if wrong.is_empty() {
        Vec::new()
    } else {
        fire(VITALE_APP, wrong.join("; "))
    };
    w.verdict(&[VITALE_APP], problems)
}

pub(super) async fn document_recorded_step(w: &mut World, a: &StepArgs) -> Result<(), StepError> {
    let identity = read(w, &a.captures[0]).await?;
    let problems = if identity.document.as_ref().map(|d| d.kind.as_str()) == Some(&a.captures[1]) {
        Vec::new()
    } else {
        fire(
            DOCUMENT_RECORDED,
            format!(
                "expected the document {:?} recorded, the software reports {:?}",
                a.captures[1], identity.document
            ),
        )
    };
    w.verdict(&[DOCUMENT_RECORDED], problems)
}
