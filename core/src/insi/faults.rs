//! The documented faults of the INSi service (insi-protocol.md §5), built from [`names`].
//!
//! [`names`]: super::names

use serde::{Deserialize, Serialize};

use super::model::{Erreur, Fault, FaultCodeValue};
use super::names;

/// Which captured form of a fault's `siram:Erreur` to answer (insi-protocol.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultVariant {
    /// `code`, `messageID` (the request's), `severite` as documented.
    #[default]
    Current,
    /// The older `insi_102` capture: `severite="fatal"` written before `code`, no `messageID`.
    /// Selectable for any fault so that clients can be tried against it.
    Older,
}

impl FaultVariant {
    /// Applies the variant to a fault built in the current form.
    pub fn apply(self, mut fault: Fault) -> Fault {
        if self == FaultVariant::Older {
            fault.erreur.severite = names::SEVERITE_FATAL_OLDER.to_owned();
            fault.erreur.severite_first = true;
            fault.erreur.message_id = None;
        }
        fault
    }
}

fn fault(
    value: FaultCodeValue,
    subcode: &str,
    reason: &str,
    code: &str,
    severite: &str,
    text: &str,
    message_id: Option<&str>,
) -> Fault {
    Fault {
        value,
        subcode: subcode.to_owned(),
        reason: reason.to_owned(),
        erreur: Erreur {
            code: code.to_owned(),
            severite: severite.to_owned(),
            message_id: message_id.map(str::to_owned),
            text: text.to_owned(),
            severite_first: false,
        },
    }
}

/// `desir_550`: unknown software authorisation number (`LPS/IDAM`). Sender / `siram_100`.
pub fn desir_550(message_id: Option<&str>) -> Fault {
    fault(
        FaultCodeValue::Sender,
        names::SUBCODE_SIRAM_100,
        names::REASON_DESIR_550,
        names::CODE_DESIR_550,
        names::SEVERITE_ERREUR,
        names::TEXT_DESIR_550,
        message_id,
    )
}

/// `DESIR_560`: client certificate CN is neither `INSI-AUTO` nor `INSI-MANU`.
///
/// **Uncertain**: only the Erreur code and text are public. We answer Sender / `siram_100`
/// (same family as the other access refusal, `desir_550`), severite `erreur`, and reuse the
/// Erreur text as Reason.
pub fn desir_560(message_id: Option<&str>) -> Fault {
    fault(
        FaultCodeValue::Sender,
        names::SUBCODE_SIRAM_100,
        names::REASON_DESIR_560,
        names::CODE_DESIR_560,
        names::SEVERITE_ERREUR,
        names::TEXT_DESIR_560,
        message_id,
    )
}

/// `insi_102`: technical error on the search. Receiver / `siram_40`, fatale.
pub fn insi_102(message_id: Option<&str>) -> Fault {
    fault(
        FaultCodeValue::Receiver,
        names::SUBCODE_SIRAM_40,
        names::REASON_UNAVAILABLE,
        names::CODE_INSI_102,
        names::SEVERITE_FATALE,
        names::TEXT_INSI_102,
        message_id,
    )
}

/// `insi_101`: reported for not-found cases on the editors' platform (insi-protocol.md §5).
///
/// **Uncertain**: only the code is public. We answer Receiver / `siram_40` (the family of the
/// other `insi_1xx` code, `insi_102`), severite `erreur`, the technical-fault Reason, and the
/// not-found `LibelleCR` as Erreur text. Injectable by code (override, dataset behaviour).
pub fn insi_101(message_id: Option<&str>) -> Fault {
    fault(
        FaultCodeValue::Receiver,
        names::SUBCODE_SIRAM_40,
        names::REASON_UNAVAILABLE,
        names::CODE_INSI_101,
        names::SEVERITE_ERREUR,
        names::CR_NOT_FOUND.1,
        message_id,
    )
}

/// `desir_1020`: service unavailable. Sender / `siram_40`, fatale (as observed).
pub fn desir_1020(message_id: Option<&str>) -> Fault {
    fault(
        FaultCodeValue::Sender,
        names::SUBCODE_SIRAM_40,
        names::REASON_UNAVAILABLE,
        names::CODE_DESIR_1020,
        names::SEVERITE_FATALE,
        names::TEXT_DESIR_1020,
        message_id,
    )
}

/// `insi_19` (code **uncertain**): the mandatory birth name is missing. Sender / `siram_10`.
///
/// No public Reason text exists: we use the Erreur text as Reason.
pub fn insi_19_missing_birth_name(message_id: Option<&str>) -> Fault {
    fault(
        FaultCodeValue::Sender,
        names::SUBCODE_SIRAM_10,
        names::TEXT_INSI_19,
        names::CODE_INSI_19,
        names::SEVERITE_ERREUR,
        names::TEXT_INSI_19,
        message_id,
    )
}

/// A Sender fault for an invalid request (traits outside the lexical profile, malformed
/// envelope, missing header), with `detail` as the Erreur text.
///
/// **Uncertain, our choice**: the real service's answer to these cases is not public. We answer
/// Sender / `siram_10` (the subcode of the one known input fault, `insi_19`), severite `erreur`,
/// Reason [`names::REASON_INVALID_REQUEST`], and the Erreur code
/// [`names::CODE_INVALID_REQUEST`], which is visibly ours so that nobody mistakes it for a
/// documented code.
pub fn invalid_request(message_id: Option<&str>, detail: &str) -> Fault {
    fault(
        FaultCodeValue::Sender,
        names::SUBCODE_SIRAM_10,
        names::REASON_INVALID_REQUEST,
        names::CODE_INVALID_REQUEST,
        names::SEVERITE_ERREUR,
        detail,
        message_id,
    )
}

/// A constructor of one documented fault.
type FaultBuilder = fn(Option<&str>) -> Fault;

/// The documented fault whose Erreur code is `code` (case-insensitive: `desir_560` and
/// `DESIR_560` both work), or `None`.
pub fn by_code(code: &str, message_id: Option<&str>) -> Option<Fault> {
    let builders: [(&str, FaultBuilder); 6] = [
        (names::CODE_DESIR_550, desir_550),
        (names::CODE_DESIR_560, desir_560),
        (names::CODE_INSI_101, insi_101),
        (names::CODE_INSI_102, insi_102),
        (names::CODE_DESIR_1020, desir_1020),
        (names::CODE_INSI_19, insi_19_missing_birth_name),
    ];
    builders
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code.trim()))
        .map(|(_, build)| build(message_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_code_finds_every_documented_fault() {
        for code in [
            "desir_550",
            "DESIR_560",
            "desir_560",
            "insi_101",
            "insi_102",
            "desir_1020",
            "insi_19",
        ] {
            let f = by_code(code, Some("uuid:1")).expect("documented code");
            assert!(f.erreur.code.eq_ignore_ascii_case(code));
            assert_eq!(f.erreur.message_id.as_deref(), Some("uuid:1"));
        }
        assert!(by_code("insi_999", None).is_none());
    }

    #[test]
    fn the_older_variant_is_the_older_capture() {
        let f = FaultVariant::Older.apply(insi_102(Some("uuid:1")));
        assert_eq!(f.erreur.severite, "fatal");
        assert!(f.erreur.severite_first);
        assert_eq!(f.erreur.message_id, None);
        assert_eq!(FaultVariant::Current.apply(insi_102(None)), insi_102(None));
    }

    #[test]
    fn documented_texts_are_byte_exact() {
        let f = desir_550(None);
        assert_eq!(f.value, FaultCodeValue::Sender);
        assert_eq!(f.subcode, "siram_100");
        assert_eq!(f.erreur.text, "Numéro d'autorisation du logiciel inconnu.");
        let f = insi_102(None);
        assert_eq!(f.value, FaultCodeValue::Receiver);
        assert_eq!(f.erreur.severite, "fatale");
    }
}
