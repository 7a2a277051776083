//! What a caller asks: the inputs of the three operations.

use serde::{Deserialize, Serialize};

/// A search by identity traits (`rechercherInsAvecTraitsIdentite`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraitsQuery {
    /// Birth name (`NomNaissance`), already in the INSi lexical profile.
    pub birth_name: String,
    /// Birth first names, in order, one element per first name (`PIERRE-ALAIN` is one name).
    pub first_names: Vec<String>,
    /// `M` or `F`.
    pub sex: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// Birthplace COG code (5 characters); sent only to resolve a `02` answer.
    pub birthplace: Option<String>,
}

/// A search with the Vitale card data (`rechercherInsAvecCarteVitale`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardQuery {
    /// Insured person's number as read on the card (13 characters, or 15 with the key);
    /// sent as `MatriculeOD` and in `COUVERTURE/ASSURE/Id/Num`.
    pub insured_nir: String,
    /// Beneficiary's own NIR when the card carries one (13 or 15 characters); sent as
    /// `MatriculeIndividu` and `COUVERTURE/BENEFICIAIRE/Nir/Num`.
    pub beneficiary_nir: Option<String>,
    /// Beneficiary's birth name.
    pub birth_name: String,
    /// Beneficiary's birth date as on the card (`YYYY-MM-DD`, or the lunar `YYYYMMDD` form).
    pub birth_date: String,
    /// Beneficiary's rank of birth (`RangNaissance`, usually `1`).
    pub birth_rank: String,
}

/// A verification of an INS against traits (`verifierInsAvecTraitsIdentite`, reconstructed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyQuery {
    /// The INS to check: 15 characters (matricule and key).
    pub ins: String,
    /// Its OID.
    pub oid: String,
    /// Birth name.
    pub birth_name: String,
    /// Birth first names in order; sent as `Prenom` (the first) and `ListePrenom` (all).
    pub first_names: Vec<String>,
    /// `M` or `F`.
    pub sex: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// Birthplace COG code.
    pub birthplace: Option<String>,
}
