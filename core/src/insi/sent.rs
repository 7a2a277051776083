//! The one projection "the traits this request sent", used by the simulator (matching) and the
//! harness (judging what a client sent) alike.

use serde::{Deserialize, Serialize};

use super::model::{Request, RequestBody};

/// Traits as they travelled in a request, values as found (no trimming, no re-casing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentTraits {
    /// `NomNaissance`.
    pub birth_name: Option<String>,
    /// The first-name elements in document order: every `Prenom` of a traits search; `Prenom`
    /// then `ListePrenom` (those present) of a verification; none for a Vitale search.
    pub first_names: Vec<String>,
    /// `Sexe`.
    pub sex: Option<String>,
    /// `DateNaissance`.
    pub birth_date: Option<String>,
    /// `LieuNaissance`.
    pub birthplace: Option<String>,
}

impl SentTraits {
    /// The traits `body` sent.
    pub fn of_body(body: &RequestBody) -> Self {
        match body {
            RequestBody::TraitsSearch(t) => SentTraits {
                birth_name: t.nom_naissance.clone(),
                first_names: t.prenoms.clone(),
                sex: t.sexe.clone(),
                birth_date: t.date_naissance.clone(),
                birthplace: t.lieu_naissance.clone(),
            },
            RequestBody::Verification(v) => {
                let t = &v.traits;
                SentTraits {
                    birth_name: t.nom_naissance.clone(),
                    first_names: t.prenom.iter().chain(&t.liste_prenom).cloned().collect(),
                    sex: t.sexe.clone(),
                    birth_date: t.date_naissance.clone(),
                    birthplace: t.lieu_naissance.clone(),
                }
            }
            RequestBody::CardSearch(c) => SentTraits {
                birth_name: c.nom_naissance.clone(),
                birth_date: c.date_naissance.clone(),
                ..SentTraits::default()
            },
        }
    }
}

impl Request {
    /// The traits this request sent (see [`SentTraits`]).
    pub fn sent_traits(&self) -> SentTraits {
        SentTraits::of_body(&self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insi::samples;

    #[test]
    fn a_traits_search_sends_its_prenoms_in_order() {
        let r = samples::traits_search_request();
        let RequestBody::TraitsSearch(t) = &r.body else {
            panic!("sample is a traits search")
        };
        let sent = r.sent_traits();
        assert_eq!(sent.first_names, t.prenoms);
        assert_eq!(sent.birth_name, t.nom_naissance);
    }
}
