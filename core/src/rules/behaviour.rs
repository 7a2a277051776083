//! Checks of a client's behaviour: what it sent, in which order, what it reported to its user and
//! what it stored, judged from the calls observed at the service and the outcome the client
//! reports. Pure functions over plain facts; the harness's step judges call them and turn their
//! [`Finding`]s into scenario verdicts.
//!
//! The ids keep the names the harness used before the catalogue held them (`INSI-ALG-01`): they
//! are rule ids (one check each), and each rule lists the requirements it evidences.

use serde::{Deserialize, Serialize};

use super::{Finding, Findings, RuleId, quote};
use crate::ins::Matricule;

/// First-name loop: one call per first name, in the order entered, stopping at the first `00`.
pub const FIRST_NAME_LOOP: RuleId = RuleId::Alg01;
/// After a `02`: retry with the birthplace when it is known, else report several identities.
pub const BIRTHPLACE_RETRY: RuleId = RuleId::Alg02;
/// After every single first name answered `01`: one last call with all the first names, and
/// "no identity found" only after it.
pub const ALL_NAMES_LAST_CALL: RuleId = RuleId::Alg03;
/// Traits outside the lexical profile are refused before any call.
pub const REFUSAL_WITHOUT_CALL: RuleId = RuleId::Alg04;
/// The active INS and its OID are stored exactly as returned, with a valid key.
pub const STORED_INS: RuleId = RuleId::Sto01;
/// The assigning-authority OID stored with the active INS is the one returned (NIR or NIA).
pub const STORED_OID: RuleId = RuleId::Sto05;
/// The traits are stored exactly as returned (`TIQ`), the first first name being the first of
/// the list.
pub const STORED_TRAITS: RuleId = RuleId::Sto02;
/// The INS history is stored exactly as returned (matricule, key, OID of every `INSHISTO`).
pub const STORED_HISTORY: RuleId = RuleId::Sto03;
/// The `DateDeb`/`DateFin` of every historical INS are kept exactly as returned.
pub const STORED_HISTORY_DATES: RuleId = RuleId::Sto06;
/// A `00` answer is accepted only when complete and every key (active and historical) is valid;
/// otherwise it is refused and nothing is stored.
pub const ANSWER_ACCEPTANCE: RuleId = RuleId::Sto04;
/// Calls use an organisation certificate (CN `INSI-AUTO`/`INSI-MANU`, OU present).
pub const ORGANISATION_CERTIFICATE: RuleId = RuleId::Tls01;
/// A server with a negative certificate gets no request and the user sees a technical error.
pub const SERVER_CERTIFICATE: RuleId = RuleId::Tls02;
/// Transport errors, timeouts and HTTP errors are reported as technical errors.
pub const TECHNICAL_ERROR: RuleId = RuleId::Net01;
/// An answer that cannot be read is refused.
pub const UNREADABLE_ANSWER: RuleId = RuleId::Rsp03;
/// A functional fault (`insi_…`, `desir_1020`) is shown with its code.
pub const FAULT_SHOWN: RuleId = RuleId::Flt01;
/// A service fault (`desir_550`, `DESIR_560`) is shown with its code.
pub const SERVICE_FAULT_SHOWN: RuleId = RuleId::Flt02;
/// A verification reports the INS verified exactly when the service confirmed it.
pub const VERIFICATION_OUTCOME: RuleId = RuleId::Ver01;
/// An INS received from another domain is verified once, with the received INS, OID and traits.
pub const VERIFICATION_ON_RECEIPT: RuleId = RuleId::Rcv01;
/// The received identity is qualified exactly when the verification confirmed it.
pub const RECEIPT_OUTCOME: RuleId = RuleId::Rcv02;
/// A received INS with a wrong key or a test OID in production is refused without a call.
pub const RECEIPT_REFUSAL: RuleId = RuleId::Rcv03;
/// An HL7 INS with PID-32 other than `VALI` is not stored as received.
pub const PID32_NOT_VALI: RuleId = RuleId::Rcv04;
/// An INS already held as `QUAL`/`RECUP` is not verified again.
pub const NO_REVERIFICATION: RuleId = RuleId::Rcv05;
/// The INS travels (and a Datamatrix is printed) only for a qualified identity.
pub const INS_ONLY_WHEN_QUALIFIED: RuleId = RuleId::Rcv06;
/// The identity status follows the state machine.
pub const STATUS_LIFECYCLE: RuleId = RuleId::Bus01;
/// Doubtful or fictitious: `PROV`, no INS, no INSi call.
pub const DOUBTFUL_BLOCKS_INSI: RuleId = RuleId::Bus02;
/// The attribute combination rule.
pub const ATTRIBUTE_COMBINATION: RuleId = RuleId::Bus03;
/// No silent overwrite of local traits by differing returned traits.
pub const NO_SILENT_OVERWRITE: RuleId = RuleId::Bus04;
/// Incomplete birth dates are completed and flagged.
pub const INCOMPLETE_BIRTH_DATE: RuleId = RuleId::Bus05;
/// First first name consistent with the list, or an alert.
pub const FIRST_NAME_CONSISTENCY: RuleId = RuleId::Bus06;
/// Used name / used first name never filled automatically.
pub const USED_NAMES_UNTOUCHED: RuleId = RuleId::Bus07;
/// Appli carte Vitale: `QUAL` at once, no call, method recorded.
pub const VITALE_APP: RuleId = RuleId::Bus08;
/// The identity document type is recorded.
pub const DOCUMENT_RECORDED: RuleId = RuleId::Bus09;

/// CodeCR of no identity.
const CR_NOT_FOUND: &str = "01";
/// CodeCR of several identities.
const CR_SEVERAL: &str = "02";

/// An INS as returned by the service or stored by the client: matricule, key and OID.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StoredIns {
    /// The 13-character matricule (`NumIdentifiant`).
    pub matricule: String,
    /// The 2-digit key (`Cle`).
    pub key: String,
    /// The assigning authority OID (`1.2.250.1.213.1.4.8` NIR, `.9` NIA).
    pub oid: String,
    /// `DateDeb` of a historical INS, as returned, when the answer carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_deb: Option<String>,
    /// `DateFin` of a historical INS, as returned, when the answer carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_fin: Option<String>,
}

impl StoredIns {
    /// Whether every field is present and the key is the valid key of the matricule.
    pub fn is_complete_and_valid(&self) -> bool {
        !self.oid.trim().is_empty() && key_is_valid(&self.matricule, &self.key)
    }
}

impl std::fmt::Display for StoredIns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} ({})", self.matricule, self.key, self.oid)?;
        if self.date_deb.is_some() || self.date_fin.is_some() {
            write!(
                f,
                " [{} – {}]",
                self.date_deb.as_deref().unwrap_or("…"),
                self.date_fin.as_deref().unwrap_or("…")
            )?;
        }
        Ok(())
    }
}

/// Traits as returned (`TIQ`) or as the client stored them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTraits {
    /// Birth name.
    pub birth_name: String,
    /// First first name (`TIQ/Prenom`), when the software keeps it apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// First-name list (`ListePrenom`), one string, names separated by one space.
    pub first_names_list: String,
    /// Sex.
    pub sex: String,
    /// Birth date.
    pub birth_date: String,
    /// Birthplace COG.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthplace: Option<String>,
}

impl StoredTraits {
    /// The first names of `first_names_list`, one per element (empty pieces left out).
    pub fn first_names(&self) -> Vec<String> {
        self.first_names_list
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Whether the traits a `00` answer must carry are all present.
    pub fn is_complete(&self) -> bool {
        [
            &self.birth_name,
            &self.first_names_list,
            &self.sex,
            &self.birth_date,
        ]
        .iter()
        .all(|v| !v.trim().is_empty())
    }
}

/// One call as observed at the service: the first names it carried, its birthplace and the
/// answer's CodeCR (`None` for a fault, an HTTP error or no answer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObservedCall {
    /// Every `Prenom` element, in order.
    pub first_names: Vec<String>,
    /// `LieuNaissance`, when sent.
    pub birthplace: Option<String>,
    /// CodeCR of the answer.
    pub cr: Option<String>,
}

impl ObservedCall {
    /// The first names as one string (a call with several `Prenom` is their space-joined list).
    pub fn names(&self) -> String {
        self.first_names.join(" ")
    }
}

/// What a `00` answer returned, as far as storing it goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnedIdentity {
    /// The active INS (`INSACTIF`).
    pub active: Option<StoredIns>,
    /// `INSHISTO`, in document order.
    pub history: Vec<StoredIns>,
    /// `TIQ`.
    pub traits: Option<StoredTraits>,
}

impl ReturnedIdentity {
    /// Why a client must refuse this answer (`None`: it may be stored): a missing or empty
    /// field, or an invalid key, active or historical.
    pub fn refusal_reason(&self) -> Option<String> {
        let Some(active) = &self.active else {
            return Some("the answer has no active INS".into());
        };
        if !active.is_complete_and_valid() {
            return Some(format!(
                "the active INS {active} is incomplete or its key is invalid"
            ));
        }
        if let Some(bad) = self.history.iter().find(|h| !h.is_complete_and_valid()) {
            return Some(format!(
                "the historical INS {bad} is incomplete or its key is invalid"
            ));
        }
        match &self.traits {
            None => Some("the answer has no traits (TIQ)".into()),
            Some(t) if !t.is_complete() => Some(format!(
                "the returned traits are incomplete: {} / {} / {} / {}",
                quote(&t.birth_name),
                quote(&t.first_names_list),
                quote(&t.sex),
                quote(&t.birth_date)
            )),
            Some(_) => None,
        }
    }
}

/// Whether `key` is the valid key of the 13-character `matricule` (Corsica aware).
pub fn key_is_valid(matricule: &str, key: &str) -> bool {
    Matricule::from_parts_unchecked_key(matricule, key).is_ok_and(|m| m.is_key_valid())
}

/// [`FIRST_NAME_LOOP`] and [`ALL_NAMES_LAST_CALL`]: the calls a traits search made, given the
/// first names entered. Expected: call *i* sends first name *i* alone, the loop stops at the
/// first answer that is not `01`; when every single name was answered `01` (and there are
/// several), one last call sends all of them. A single first name is one call.
pub fn check_first_name_loop(entered: &[String], calls: &[ObservedCall]) -> Vec<Finding> {
    let mut f = Findings::default();
    let mut expected: Vec<String> = Vec::new();
    for (i, name) in entered.iter().enumerate() {
        expected.push(name.clone());
        let answered = calls.get(i).and_then(|c| c.cr.as_deref());
        if answered != Some(CR_NOT_FOUND) {
            break;
        }
        if i + 1 == entered.len() && entered.len() > 1 {
            expected.push(entered.join(" "));
        }
    }
    let seen: Vec<String> = calls.iter().map(ObservedCall::names).collect();
    let loop_len = entered.len().min(expected.len());
    let (loop_expected, last_expected) = expected.split_at(loop_len);
    let loop_seen = &seen[..seen.len().min(loop_len)];
    if loop_seen != loop_expected {
        f.push(
            FIRST_NAME_LOOP,
            None,
            format!(
                "first-name loop: expected one call per first name {loop_expected:?}, saw the calls {seen:?}"
            ),
        );
        return f.0;
    }
    let rest = &seen[loop_seen.len()..];
    if rest != last_expected {
        let message = if last_expected.is_empty() {
            format!("calls after the loop ended: {rest:?} (all calls {seen:?})")
        } else if rest.is_empty() {
            format!(
                "every first name was answered 01 but the last call with all of them ({:?}) was not made",
                last_expected.join("")
            )
        } else {
            format!("expected the last call {last_expected:?}, saw {rest:?}")
        };
        let rule = if loop_seen.len() == loop_len && last_expected.is_empty() {
            FIRST_NAME_LOOP
        } else {
            ALL_NAMES_LAST_CALL
        };
        f.push(rule, None, message);
    }
    f.0
}

/// [`BIRTHPLACE_RETRY`]: after a `02` answer, when the person's birthplace is known and the
/// call did not carry it, the next call carries it; no call follows a `02` that already
/// carried it.
pub fn check_birthplace_retry(
    known_birthplace: Option<&str>,
    calls: &[ObservedCall],
) -> Vec<Finding> {
    let mut f = Findings::default();
    for (i, call) in calls.iter().enumerate() {
        if call.cr.as_deref() != Some(CR_SEVERAL) {
            continue;
        }
        let next = calls.get(i + 1);
        match (known_birthplace, call.birthplace.as_deref(), next) {
            (Some(place), None, Some(n)) if n.birthplace.as_deref() != Some(place) => f.push(
                BIRTHPLACE_RETRY,
                None,
                format!(
                    "call {} was answered 02; the retry carried LieuNaissance {:?}, expected {place:?}",
                    i + 1,
                    n.birthplace
                ),
            ),
            (Some(place), None, None) => f.push(
                BIRTHPLACE_RETRY,
                None,
                format!(
                    "call {} was answered 02 and the birthplace {place:?} is known, but no retry carried it",
                    i + 1
                ),
            ),
            _ => {}
        }
    }
    f.0
}

/// [`REFUSAL_WITHOUT_CALL`]: a client that refused the input made no call.
pub fn check_refusal_without_call(refused: bool, calls: usize) -> Vec<Finding> {
    let mut f = Findings::default();
    if !refused {
        f.push(
            REFUSAL_WITHOUT_CALL,
            None,
            "the traits are outside the INSi profile but the software did not refuse them".into(),
        );
    }
    if calls > 0 {
        f.push(
            REFUSAL_WITHOUT_CALL,
            None,
            format!(
                "the traits must be refused before calling, {calls} call(s) reached the service"
            ),
        );
    }
    f.0
}

/// [`STORED_INS`] and [`STORED_OID`]: the client stored `expected` (the returned active INS, or
/// the one a scenario names) with a valid key, and with its OID.
pub fn check_stored_ins(expected: &StoredIns, stored: Option<&StoredIns>) -> Vec<Finding> {
    let mut f = Findings::default();
    let Some(ins) = stored else {
        f.push(
            STORED_INS,
            None,
            format!("expected the INS {expected} to be stored, the software stored nothing"),
        );
        return f.0;
    };
    if !key_is_valid(&ins.matricule, &ins.key) {
        f.push(
            STORED_INS,
            None,
            format!("the software stored the INS {ins} whose key is invalid"),
        );
    } else if ins.matricule != expected.matricule || ins.key != expected.key {
        f.push(
            STORED_INS,
            None,
            format!("expected the INS {expected} to be stored, the software stored {ins}"),
        );
    } else if ins.oid != expected.oid {
        f.push(
            STORED_OID,
            None,
            format!(
                "expected the OID {} to be stored with the INS, the software stored {}",
                expected.oid, ins.oid
            ),
        );
    }
    f.0
}

/// [`STORED_TRAITS`]: the stored traits equal the returned ones character for character; the
/// first first name, when kept apart, is the first name of the list.
pub fn check_stored_traits(returned: &StoredTraits, stored: Option<&StoredTraits>) -> Vec<Finding> {
    let mut f = Findings::default();
    let Some(t) = stored else {
        f.push(
            STORED_TRAITS,
            None,
            "expected the returned traits to be stored, the software stored nothing".into(),
        );
        return f.0;
    };
    let mut diffs = Vec::new();
    let mut cmp = |field: &str, seen: &str, want: &str| {
        if seen != want {
            diffs.push(format!("{field}: returned {want:?}, stored {seen:?}"));
        }
    };
    cmp("NomNaissance", &t.birth_name, &returned.birth_name);
    cmp(
        "ListePrenom",
        &t.first_names_list,
        &returned.first_names_list,
    );
    cmp("Sexe", &t.sex, &returned.sex);
    cmp("DateNaissance", &t.birth_date, &returned.birth_date);
    if let Some(place) = &returned.birthplace {
        cmp(
            "LieuNaissance",
            t.birthplace.as_deref().unwrap_or(""),
            place,
        );
    }
    if !diffs.is_empty() {
        f.push(
            STORED_TRAITS,
            None,
            format!(
                "traits not stored exactly as returned: {}",
                diffs.join("; ")
            ),
        );
    }
    if let Some(first) = &t.first_name {
        let list_first = t.first_names_list.split(' ').next().unwrap_or("");
        if first != list_first {
            f.push(
                STORED_TRAITS,
                None,
                format!(
                    "first first name {first:?} is not the first name of the list {:?}",
                    t.first_names_list
                ),
            );
        }
    }
    f.0
}

/// [`STORED_HISTORY`]: the stored history holds the returned `INSHISTO` entries (matricule,
/// key, OID; order free); [`STORED_HISTORY_DATES`]: with their `DateDeb`/`DateFin` exactly as
/// returned. `stored` is `None` when the client stored no identity at all.
pub fn check_stored_history(returned: &[StoredIns], stored: Option<&[StoredIns]>) -> Vec<Finding> {
    let mut f = Findings::default();
    let Some(stored) = stored else {
        if !returned.is_empty() {
            f.push(
                STORED_HISTORY,
                None,
                "expected the INS history to be stored, the software stored nothing".into(),
            );
        }
        return f.0;
    };
    let show = |l: &[StoredIns]| {
        l.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let undated = |l: &[StoredIns]| {
        let mut v: Vec<StoredIns> = l
            .iter()
            .map(|i| StoredIns {
                date_deb: None,
                date_fin: None,
                ..i.clone()
            })
            .collect();
        v.sort();
        v
    };
    if undated(stored) != undated(returned) {
        f.push(
            STORED_HISTORY,
            None,
            format!(
                "INS history not kept as returned: returned [{}], stored [{}]",
                show(returned),
                show(stored)
            ),
        );
        return f.0;
    }
    let mut a = stored.to_vec();
    let mut b = returned.to_vec();
    a.sort();
    b.sort();
    if a != b {
        f.push(
            STORED_HISTORY_DATES,
            None,
            format!(
                "DateDeb/DateFin of the INS history not kept as returned: returned [{}], stored [{}]",
                show(returned),
                show(stored)
            ),
        );
    }
    f.0
}

/// [`ANSWER_ACCEPTANCE`]: given the last `00` answer and whether the client stored an identity,
/// an answer with a missing or empty field or an invalid key (active or historical) must not be
/// stored.
pub fn check_answer_acceptance(returned: &ReturnedIdentity, stored: bool) -> Vec<Finding> {
    let mut f = Findings::default();
    if stored && let Some(reason) = returned.refusal_reason() {
        f.push(
            ANSWER_ACCEPTANCE,
            None,
            format!("the software stored an identity from an answer it must refuse: {reason}"),
        );
    }
    f.0
}

/// [`ORGANISATION_CERTIFICATE`]: call `index` (from 1) came with a client certificate whose CN
/// is `INSI-AUTO` or `INSI-MANU` and whose OU (structure id) is present.
pub fn check_organisation_certificate(
    index: usize,
    cn: Option<&str>,
    ou: Option<&str>,
) -> Vec<Finding> {
    let mut f = Findings::default();
    if !matches!(cn, Some("INSI-AUTO" | "INSI-MANU")) {
        f.push(
            ORGANISATION_CERTIFICATE,
            None,
            format!(
                "call {index}: client certificate CN is {cn:?}, expected INSI-AUTO or INSI-MANU"
            ),
        );
    }
    if ou.is_none_or(|o| o.trim().is_empty()) {
        f.push(
            ORGANISATION_CERTIFICATE,
            None,
            format!("call {index}: client certificate has no OU (structure id)"),
        );
    }
    f.0
}

/// The rule an outcome check names for a fault code: [`SERVICE_FAULT_SHOWN`] for the service
/// faults (`desir_550`, `DESIR_560`), [`FAULT_SHOWN`] otherwise.
pub fn fault_rule(code: &str) -> RuleId {
    if code.eq_ignore_ascii_case("desir_550") || code.eq_ignore_ascii_case("desir_560") {
        SERVICE_FAULT_SHOWN
    } else {
        FAULT_SHOWN
    }
}

/// A finding of a behaviour rule (`rule` one of this module's ids) with `message`: for
/// expectation checks that compare what a scenario states with what the client did.
pub fn finding(rule: RuleId, message: String) -> Finding {
    Finding::new(rule, None, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(names: &str, cr: &str) -> ObservedCall {
        ObservedCall {
            first_names: vec![names.to_owned()],
            birthplace: None,
            cr: Some(cr.to_owned()),
        }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn ids(findings: &[Finding]) -> Vec<RuleId> {
        findings.iter().map(|f| f.rule_id).collect()
    }

    #[test]
    fn the_loop_stops_at_the_first_00_and_ends_with_all_names() {
        let entered = names(&["OLA", "CATARINA", "BELLA"]);
        let good = [call("OLA", "01"), call("CATARINA", "00")];
        assert!(check_first_name_loop(&entered, &good).is_empty());
        let entered = names(&["PIERRE", "PAUL", "JACQUES"]);
        let full = [
            call("PIERRE", "01"),
            call("PAUL", "01"),
            call("JACQUES", "01"),
            call("PIERRE PAUL JACQUES", "01"),
        ];
        assert!(check_first_name_loop(&entered, &full).is_empty());
        assert_eq!(
            ids(&check_first_name_loop(&entered, &full[..3])),
            [ALL_NAMES_LAST_CALL]
        );
        let all_at_once = [call("PIERRE PAUL JACQUES", "01")];
        assert_eq!(
            ids(&check_first_name_loop(&entered, &all_at_once)),
            [FIRST_NAME_LOOP]
        );
        let out_of_order = [call("PAUL", "01")];
        assert_eq!(
            ids(&check_first_name_loop(&entered, &out_of_order)),
            [FIRST_NAME_LOOP]
        );
        let too_many = [call("PIERRE", "00"), call("PAUL", "00")];
        assert_eq!(
            ids(&check_first_name_loop(&entered, &too_many)),
            [FIRST_NAME_LOOP]
        );
        assert!(check_first_name_loop(&names(&["SOLO"]), &[call("SOLO", "01")]).is_empty());
    }

    #[test]
    fn a_02_is_retried_with_the_known_birthplace() {
        let first = call("ANNE", "02");
        let mut retry = call("ANNE", "00");
        retry.birthplace = Some("63220".into());
        assert!(check_birthplace_retry(Some("63220"), &[first.clone(), retry]).is_empty());
        assert_eq!(
            ids(&check_birthplace_retry(
                Some("63220"),
                std::slice::from_ref(&first)
            )),
            [BIRTHPLACE_RETRY]
        );
        assert!(check_birthplace_retry(None, &[first]).is_empty());
    }

    #[test]
    fn refusal_means_no_call() {
        assert!(check_refusal_without_call(true, 0).is_empty());
        assert_eq!(
            ids(&check_refusal_without_call(true, 1)),
            [REFUSAL_WITHOUT_CALL]
        );
        assert_eq!(
            ids(&check_refusal_without_call(false, 0)),
            [REFUSAL_WITHOUT_CALL]
        );
    }

    fn ins(m: &str, k: &str, oid: &str) -> StoredIns {
        StoredIns {
            matricule: m.into(),
            key: k.into(),
            oid: oid.into(),
            ..StoredIns::default()
        }
    }

    const NIR: &str = "1.2.250.1.213.1.4.8";
    const NIA: &str = "1.2.250.1.213.1.4.9";

    #[test]
    fn stored_ins_must_match_with_its_oid_and_a_valid_key() {
        let returned = ins("1090763220834", "89", NIR);
        assert!(check_stored_ins(&returned, Some(&returned)).is_empty());
        assert_eq!(ids(&check_stored_ins(&returned, None)), [STORED_INS]);
        let wrong_key = ins("1090763220834", "88", NIR);
        assert_eq!(
            ids(&check_stored_ins(&returned, Some(&wrong_key))),
            [STORED_INS]
        );
        let wrong_oid = ins("1090763220834", "89", NIA);
        assert_eq!(
            ids(&check_stored_ins(&returned, Some(&wrong_oid))),
            [STORED_OID]
        );
    }

    #[test]
    fn history_is_compared_as_a_set_with_oids() {
        let h = vec![
            ins("1090763220834", "89", NIR),
            ins("1810363220456", "76", NIR),
        ];
        let mut reversed = h.clone();
        reversed.reverse();
        assert!(check_stored_history(&h, Some(&reversed)).is_empty());
        let mut no_oid = h.clone();
        no_oid[1].oid = String::new();
        assert_eq!(
            ids(&check_stored_history(&h, Some(&no_oid))),
            [STORED_HISTORY]
        );
        assert_eq!(ids(&check_stored_history(&h, None)), [STORED_HISTORY]);
        let mut dated = h.clone();
        dated[0].date_deb = Some("2019-03-01".into());
        dated[0].date_fin = Some("2019-02-28".into());
        assert!(check_stored_history(&dated, Some(&dated)).is_empty());
        assert_eq!(
            ids(&check_stored_history(&dated, Some(&h))),
            [STORED_HISTORY_DATES],
            "dates dropped"
        );
        assert!(check_stored_history(&[], None).is_empty());
    }

    fn traits() -> StoredTraits {
        StoredTraits {
            birth_name: "TCHITCHI".into(),
            first_name: None,
            first_names_list: "OLA CATARINA BELLA".into(),
            sex: "F".into(),
            birth_date: "1936-06-21".into(),
            birthplace: None,
        }
    }

    #[test]
    fn traits_are_stored_character_for_character() {
        let t = traits();
        assert!(check_stored_traits(&t, Some(&t)).is_empty());
        let mut recased = t.clone();
        recased.birth_name = "Tchitchi".into();
        assert_eq!(
            ids(&check_stored_traits(&t, Some(&recased))),
            [STORED_TRAITS]
        );
        let mut first = t.clone();
        first.first_name = Some("CATARINA".into());
        assert_eq!(ids(&check_stored_traits(&t, Some(&first))), [STORED_TRAITS]);
    }

    #[test]
    fn a_00_with_an_empty_field_or_a_bad_historical_key_must_not_be_stored() {
        let good = ReturnedIdentity {
            active: Some(ins("1090763220834", "89", NIR)),
            history: vec![ins("1810363220456", "76", NIR)],
            traits: Some(traits()),
        };
        assert!(check_answer_acceptance(&good, true).is_empty());
        let mut bad_history = good.clone();
        bad_history.history[0].key = "60".into();
        assert_eq!(
            ids(&check_answer_acceptance(&bad_history, true)),
            [ANSWER_ACCEPTANCE]
        );
        assert!(check_answer_acceptance(&bad_history, false).is_empty());
        let mut empty_field = good.clone();
        if let Some(t) = empty_field.traits.as_mut() {
            t.sex = String::new();
        }
        assert_eq!(
            ids(&check_answer_acceptance(&empty_field, true)),
            [ANSWER_ACCEPTANCE]
        );
        let mut no_oid = good;
        no_oid.history[0].oid = " ".into();
        assert!(no_oid.refusal_reason().is_some());
    }

    #[test]
    fn organisation_certificates_and_fault_rules() {
        assert!(check_organisation_certificate(1, Some("INSI-AUTO"), Some("S1")).is_empty());
        assert_eq!(
            ids(&check_organisation_certificate(1, Some("SERVER"), None)),
            [ORGANISATION_CERTIFICATE, ORGANISATION_CERTIFICATE]
        );
        assert_eq!(fault_rule("DESIR_560"), SERVICE_FAULT_SHOWN);
        assert_eq!(fault_rule("insi_102"), FAULT_SHOWN);
    }

    #[test]
    fn every_behaviour_rule_is_in_the_catalogue() {
        for id in [
            FIRST_NAME_LOOP,
            BIRTHPLACE_RETRY,
            ALL_NAMES_LAST_CALL,
            REFUSAL_WITHOUT_CALL,
            STORED_INS,
            STORED_OID,
            STORED_TRAITS,
            STORED_HISTORY,
            STORED_HISTORY_DATES,
            ANSWER_ACCEPTANCE,
            ORGANISATION_CERTIFICATE,
            SERVER_CERTIFICATE,
            TECHNICAL_ERROR,
            UNREADABLE_ANSWER,
            FAULT_SHOWN,
            SERVICE_FAULT_SHOWN,
            VERIFICATION_OUTCOME,
            VERIFICATION_ON_RECEIPT,
            RECEIPT_OUTCOME,
            RECEIPT_REFUSAL,
            PID32_NOT_VALI,
            NO_REVERIFICATION,
            INS_ONLY_WHEN_QUALIFIED,
            STATUS_LIFECYCLE,
            DOUBTFUL_BLOCKS_INSI,
            ATTRIBUTE_COMBINATION,
            NO_SILENT_OVERWRITE,
            INCOMPLETE_BIRTH_DATE,
            FIRST_NAME_CONSISTENCY,
            USED_NAMES_UNTOUCHED,
            VITALE_APP,
            DOCUMENT_RECORDED,
        ] {
            assert!(
                super::super::rule(id)
                    .applied_by
                    .contains(&super::super::Component::Harness),
                "{id} is not applied by the harness"
            );
        }
    }
}
