//! Every name of the INSi wire contract in one place: namespace URIs, actions, element names,
//! compte-rendu codes and labels, fault codes and texts.
//!
//! The verification operation is a **reconstructed contract** (its official definition is in a
//! gated integration package): its namespace, body element, action and element names are the
//! constants marked "reconstructed" below. A publisher holding the official package aligns them
//! here, and only here.

use serde::{Deserialize, Serialize};

/// SOAP 1.2 envelope namespace.
pub const NS_SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
/// SOAP 1.1 envelope namespace: declared (as `ns4`, unused) on the legacy fault dialect's
/// `S:Fault`.
pub const NS_SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// WS-Addressing 1.0 namespace (`wsa:Action`, `wsa:MessageID`).
pub const NS_WSA: &str = "http://www.w3.org/2005/08/addressing";
/// BAM context header namespace (`ContexteBAM`).
pub const NS_CTXBAM: &str = "urn:siram:bam:ctxbam";
/// LPS context header namespace (`ContexteLPS`).
pub const NS_CTXLPS: &str = "urn:siram:lps:ctxlps";
/// WS-Security 1.0 namespace (`wsse:Security`).
pub const NS_WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/// WS-Security utility namespace (`wsu:Id`, sometimes put on `Body`).
pub const NS_WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
/// SAML 2.0 assertion namespace (the CPx "assertion PS").
pub const NS_SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// XML digital signature namespace.
pub const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The `xml:` namespace (`xml:lang`), bound by definition.
pub const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";
/// Traits search body namespace (`RECSANSVITALE`).
pub const NS_RECSANS: &str = "http://www.cnamts.fr/INSiRecSans";
/// Vitale search body namespace (`RECVITALE`).
pub const NS_RECVIT: &str = "http://www.cnamts.fr/INSiRecVit";
/// Answer body namespace (`RESULTAT`).
pub const NS_RESULTAT: &str = "http://www.cnamts.fr/INSiResultat";
/// Verification body namespace (`VERIFINS`). **Reconstructed contract.**
pub const NS_VERIF: &str = "http://www.cnamts.fr/INSiVerif";
/// Fault detail namespace (`siram:Erreur`).
pub const NS_SIRAM: &str = "urn:siram";

/// Action URN of the traits search.
pub const ACTION_TRAITS_SEARCH: &str =
    "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite";
/// Action URN of the Vitale card search.
pub const ACTION_CARD_SEARCH: &str =
    "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale";
/// Action URN of the verification. **Reconstructed contract.**
pub const ACTION_VERIFICATION: &str =
    "urn:ServiceIdentiteCertifiee:1.0.0:verifierInsAvecTraitsIdentite";
/// Suffix a response action adds to its request action.
pub const RESPONSE_ACTION_SUFFIX: &str = "Response";

// SOAP envelope element names.
/// `Envelope` (SOAP 1.2).
pub const EL_ENVELOPE: &str = "Envelope";
/// `Header` (SOAP 1.2).
pub const EL_HEADER: &str = "Header";
/// `Body` (SOAP 1.2).
pub const EL_BODY: &str = "Body";
/// `Fault` (SOAP 1.2).
pub const EL_FAULT: &str = "Fault";
/// `Code` (SOAP 1.2 fault).
pub const EL_CODE: &str = "Code";
/// `Value` (SOAP 1.2 fault code).
pub const EL_VALUE: &str = "Value";
/// `Subcode` (SOAP 1.2 fault).
pub const EL_SUBCODE: &str = "Subcode";
/// `Reason` (SOAP 1.2 fault).
pub const EL_REASON: &str = "Reason";
/// `Text` (SOAP 1.2 fault reason).
pub const EL_TEXT: &str = "Text";
/// `Detail` (SOAP 1.2 fault).
pub const EL_DETAIL: &str = "Detail";
/// `Erreur` (siram fault detail).
pub const EL_ERREUR: &str = "Erreur";
/// `Sender` fault code local name.
pub const FAULT_SENDER: &str = "Sender";
/// `Receiver` fault code local name.
pub const FAULT_RECEIVER: &str = "Receiver";

// Header element and attribute names.
/// `wsa:Action`.
pub const EL_ACTION: &str = "Action";
/// `wsa:MessageID`.
pub const EL_MESSAGE_ID: &str = "MessageID";
/// `ctxbam:ContexteBAM`.
pub const EL_CONTEXTE_BAM: &str = "ContexteBAM";
/// `ctxlps:ContexteLPS`.
pub const EL_CONTEXTE_LPS: &str = "ContexteLPS";
/// `wsse:Security`.
pub const EL_SECURITY: &str = "Security";
/// Context `Id`.
pub const EL_ID: &str = "Id";
/// Context `Temps`.
pub const EL_TEMPS: &str = "Temps";
/// Context `Emetteur`.
pub const EL_EMETTEUR: &str = "Emetteur";
/// BAM `DateRef`.
pub const EL_DATE_REF: &str = "DateRef";
/// BAM `COUVERTURE`.
pub const EL_COUVERTURE: &str = "COUVERTURE";
/// BAM `ASSURE`.
pub const EL_ASSURE: &str = "ASSURE";
/// BAM `BENEFICIAIRE`.
pub const EL_BENEFICIAIRE: &str = "BENEFICIAIRE";
/// BAM `Num` (in `ASSURE/Id` and `BENEFICIAIRE/Nir`).
pub const EL_NUM: &str = "Num";
/// BAM `Nir`.
pub const EL_NIR: &str = "Nir";
/// BAM `DateNai`.
pub const EL_DATE_NAI: &str = "DateNai";
/// BAM `Rang`.
pub const EL_RANG: &str = "Rang";
/// LPS `LPS`.
pub const EL_LPS: &str = "LPS";
/// LPS `IDAM`.
pub const EL_IDAM: &str = "IDAM";
/// LPS `Version` (element: software version).
pub const EL_VERSION: &str = "Version";
/// LPS `Instance`.
pub const EL_INSTANCE: &str = "Instance";
/// LPS `Nom`.
pub const EL_NOM: &str = "Nom";
/// `Version` attribute of the context headers.
pub const ATTR_VERSION: &str = "Version";
/// `Nature` attribute of the context headers.
pub const ATTR_NATURE: &str = "Nature";
/// `R` attribute of `IDAM`.
pub const ATTR_R: &str = "R";
/// `Id` attribute on `Body` (any namespace).
pub const ATTR_ID: &str = "Id";
/// `ContexteBAM/@Version` the service expects.
pub const CTXBAM_VERSION: &str = "01_02";
/// `ContexteBAM/@Nature`.
pub const CTXBAM_NATURE: &str = "CTXBAM";
/// `ContexteLPS/@Version` the service expects.
pub const CTXLPS_VERSION: &str = "01_00";
/// `ContexteLPS/@Nature`.
pub const CTXLPS_NATURE: &str = "CTXLPS";
/// `IDAM/@R` value clients send.
pub const IDAM_R: &str = "4";

// SAML assertion names.
/// `saml:Assertion`.
pub const EL_ASSERTION: &str = "Assertion";
/// `saml:Issuer`.
pub const EL_ISSUER: &str = "Issuer";
/// `saml:Subject`.
pub const EL_SUBJECT: &str = "Subject";
/// `saml:NameID`.
pub const EL_NAME_ID: &str = "NameID";
/// `saml:Attribute`.
pub const EL_ATTRIBUTE: &str = "Attribute";
/// `saml:AttributeValue`.
pub const EL_ATTRIBUTE_VALUE: &str = "AttributeValue";
/// `ds:Signature`.
pub const EL_SIGNATURE: &str = "Signature";
/// Assertion `ID` attribute.
pub const ATTR_SAML_ID: &str = "ID";
/// Assertion `IssueInstant` attribute.
pub const ATTR_ISSUE_INSTANT: &str = "IssueInstant";
/// NameID `NameQualifier` attribute.
pub const ATTR_NAME_QUALIFIER: &str = "NameQualifier";
/// Attribute `Name` attribute.
pub const ATTR_NAME: &str = "Name";

// Body element names.
/// Traits search body root.
pub const EL_RECSANSVITALE: &str = "RECSANSVITALE";
/// Vitale search body root.
pub const EL_RECVITALE: &str = "RECVITALE";
/// Verification body root. **Reconstructed contract.**
pub const EL_VERIFINS: &str = "VERIFINS";
/// Verification: the checked individual. **Reconstructed contract.**
pub const EL_INDIVIDU_VERIFIE: &str = "IndividuVerifie";
/// Verification: the supplied INS. **Reconstructed contract.**
pub const EL_INS_FOURNI: &str = "INSFourni";
/// Verification: the supplied traits. **Reconstructed contract.**
pub const EL_TRAITS_IDENTITE_INDIVIDU: &str = "TraitsIdentiteIndividu";
/// `NomNaissance`.
pub const EL_NOM_NAISSANCE: &str = "NomNaissance";
/// `Prenom`.
pub const EL_PRENOM: &str = "Prenom";
/// `ListePrenom`.
pub const EL_LISTE_PRENOM: &str = "ListePrenom";
/// `Sexe`.
pub const EL_SEXE: &str = "Sexe";
/// `DateNaissance`.
pub const EL_DATE_NAISSANCE: &str = "DateNaissance";
/// `LieuNaissance`.
pub const EL_LIEU_NAISSANCE: &str = "LieuNaissance";
/// `MatriculeIndividu` (Vitale search).
pub const EL_MATRICULE_INDIVIDU: &str = "MatriculeIndividu";
/// `MatriculeOD` (Vitale search).
pub const EL_MATRICULE_OD: &str = "MatriculeOD";
/// `RangNaissance` (Vitale search).
pub const EL_RANG_NAISSANCE: &str = "RangNaissance";
/// `NumIdentifiant`.
pub const EL_NUM_IDENTIFIANT: &str = "NumIdentifiant";
/// `Cle`.
pub const EL_CLE: &str = "Cle";
/// `TypeMatricule`.
pub const EL_TYPE_MATRICULE: &str = "TypeMatricule";

// Answer element names.
/// Answer root.
pub const EL_RESULTAT: &str = "RESULTAT";
/// Compte rendu.
pub const EL_CR: &str = "CR";
/// `CodeCR`.
pub const EL_CODE_CR: &str = "CodeCR";
/// `LibelleCR`.
pub const EL_LIBELLE_CR: &str = "LibelleCR";
/// `INDIVIDU`.
pub const EL_INDIVIDU: &str = "INDIVIDU";
/// `INSACTIF`.
pub const EL_INSACTIF: &str = "INSACTIF";
/// `INSHISTO`.
pub const EL_INSHISTO: &str = "INSHISTO";
/// `TIQ`.
pub const EL_TIQ: &str = "TIQ";
/// `IdIndividu`.
pub const EL_ID_INDIVIDU: &str = "IdIndividu";
/// `OID`.
pub const EL_OID: &str = "OID";
/// `DateDeb`.
pub const EL_DATE_DEB: &str = "DateDeb";
/// `DateFin`.
pub const EL_DATE_FIN: &str = "DateFin";

/// CR of an answer with exactly one person.
pub const CR_OK: (&str, &str) = ("00", "OK");
/// CR of an answer with no person (no accents, as on the wire).
pub const CR_NOT_FOUND: (&str, &str) = ("01", "Aucune identite trouvee");
/// CR of an answer with several persons (no accents, as on the wire).
pub const CR_SEVERAL: (&str, &str) = ("02", "Plusieurs identites trouvees");

// Fault codes and texts (insi-protocol.md §5), byte-exact.
/// Subcode of the unknown-IDAM fault.
pub const SUBCODE_SIRAM_100: &str = "siram_100";
/// Subcode of the technical / unavailable faults.
pub const SUBCODE_SIRAM_40: &str = "siram_40";
/// Subcode of the invalid-input faults.
pub const SUBCODE_SIRAM_10: &str = "siram_10";
/// Erreur code: unknown software authorisation number.
pub const CODE_DESIR_550: &str = "desir_550";
/// Erreur code: insufficient access level (certificate CN).
pub const CODE_DESIR_560: &str = "DESIR_560";
/// Erreur code: technical error on the search.
pub const CODE_INSI_102: &str = "insi_102";
/// Erreur code: service unavailable.
pub const CODE_DESIR_1020: &str = "desir_1020";
/// Erreur code reported for not-found cases on the editors' platform (insi-protocol.md §5; its
/// subcode, severite and texts are not public).
pub const CODE_INSI_101: &str = "insi_101";
/// `severite="fatal"`: the value (not the schema's `fatale`) of the older `insi_102` capture.
pub const SEVERITE_FATAL_OLDER: &str = "fatal";
/// Erreur code: missing mandatory trait (**uncertain**).
pub const CODE_INSI_19: &str = "insi_19";
/// Erreur code of [`invalid_request`](super::faults::invalid_request) faults: insilab's own
/// (**uncertain**: the real code for invalid input is not public).
pub const CODE_INVALID_REQUEST: &str = "insilab_requete_invalide";
/// `severite="erreur"`.
pub const SEVERITE_ERREUR: &str = "erreur";
/// `severite="fatale"`.
pub const SEVERITE_FATALE: &str = "fatale";
/// Reason text of `desir_550`.
pub const REASON_DESIR_550: &str = "L'accès par ce progiciel au service n'est pas autorisé. Contactez l'éditeur du progiciel ou votre responsable informatique.";
/// Erreur text of `desir_550`.
pub const TEXT_DESIR_550: &str = "Numéro d'autorisation du logiciel inconnu.";
/// Reason text of `DESIR_560` (**uncertain**: the public record gives only the Erreur text,
/// reused here).
pub const REASON_DESIR_560: &str =
    "Vous ne disposez pas des droits suffisants pour accéder à ce service";
/// Erreur text of `DESIR_560`.
pub const TEXT_DESIR_560: &str =
    "Vous ne disposez pas des droits suffisants pour accéder à ce service";
/// Reason text of the technical faults (`insi_102`, `desir_1020`).
pub const REASON_UNAVAILABLE: &str = "Le service est temporairement inaccessible. Veuillez renouveler votre demande ultérieurement. Si le problème persiste, contactez l'éditeur du progiciel ou votre responsable informatique.";
/// Erreur text of `insi_102`.
pub const TEXT_INSI_102: &str =
    "L'appel au service de recherche avec les traits d'identité renvoie une erreur technique.";
/// Erreur text of `desir_1020`.
pub const TEXT_DESIR_1020: &str = "Le service appelé est temporairement indisponible";
/// Erreur text of `insi_19`.
pub const TEXT_INSI_19: &str = "Le champ nom de naissance est obligatoire";
/// Reason text of the invalid-input faults (**uncertain**: no public Reason text; ours).
pub const REASON_INVALID_REQUEST: &str = "La requête est invalide.";
/// `xml:lang` of the current fault dialect.
pub const LANG_CURRENT: &str = "fr";
/// `xml:lang` of the legacy fault dialect (French text nonetheless).
pub const LANG_LEGACY: &str = "en";

/// One INSi operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// `rechercherInsAvecTraitsIdentite`: search by identity traits (`RECSANSVITALE`).
    TraitsSearch,
    /// `rechercherInsAvecCarteVitale`: search with the Vitale card (`RECVITALE`).
    CardSearch,
    /// `verifierInsAvecTraitsIdentite`: check an INS against traits (`VERIFINS`).
    /// **Reconstructed contract.**
    Verification,
}

impl Operation {
    /// Every operation, in a stable order.
    pub const ALL: [Operation; 3] = [
        Operation::TraitsSearch,
        Operation::CardSearch,
        Operation::Verification,
    ];

    /// The request action URN (`wsa:Action`, Content-Type `action`).
    pub fn action(self) -> &'static str {
        match self {
            Operation::TraitsSearch => ACTION_TRAITS_SEARCH,
            Operation::CardSearch => ACTION_CARD_SEARCH,
            Operation::Verification => ACTION_VERIFICATION,
        }
    }

    /// The response action URN (request action + `Response`).
    pub fn response_action(self) -> &'static str {
        match self {
            Operation::TraitsSearch => {
                "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentiteResponse"
            }
            Operation::CardSearch => {
                "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitaleResponse"
            }
            Operation::Verification => {
                "urn:ServiceIdentiteCertifiee:1.0.0:verifierInsAvecTraitsIdentiteResponse"
            }
        }
    }

    /// The local name of the request body root element.
    pub fn body_element(self) -> &'static str {
        match self {
            Operation::TraitsSearch => EL_RECSANSVITALE,
            Operation::CardSearch => EL_RECVITALE,
            Operation::Verification => EL_VERIFINS,
        }
    }

    /// The namespace of the request body root element.
    pub fn body_namespace(self) -> &'static str {
        match self {
            Operation::TraitsSearch => NS_RECSANS,
            Operation::CardSearch => NS_RECVIT,
            Operation::Verification => NS_VERIF,
        }
    }

    /// The operation whose request action is exactly `action` (surrounding whitespace ignored).
    pub fn from_action(action: &str) -> Option<Self> {
        let action = action.trim();
        Self::ALL.into_iter().find(|op| op.action() == action)
    }

    /// The operation whose body root is `{namespace}local`.
    pub fn from_body(namespace: &str, local: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|op| op.body_namespace() == namespace && op.body_element() == local)
    }

    /// The WSDL operation name (`rechercherInsAvecTraitsIdentite`, …).
    pub fn name(self) -> &'static str {
        match self {
            Operation::TraitsSearch => "rechercherInsAvecTraitsIdentite",
            Operation::CardSearch => "rechercherInsAvecCarteVitale",
            Operation::Verification => "verifierInsAvecTraitsIdentite",
        }
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_action_is_action_plus_suffix() {
        for op in Operation::ALL {
            assert_eq!(
                op.response_action(),
                format!("{}{RESPONSE_ACTION_SUFFIX}", op.action())
            );
            assert_eq!(Operation::from_action(op.action()), Some(op));
            assert!(op.action().ends_with(op.name()));
            assert_eq!(
                Operation::from_body(op.body_namespace(), op.body_element()),
                Some(op)
            );
        }
        assert_eq!(Operation::from_action("urn:other"), None);
    }
}
