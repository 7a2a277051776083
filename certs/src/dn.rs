//! Subject names, typed: the four attributes the IGC-Santé certificates use (`C`, `O`, `OU`,
//! `CN`), each at most once, always encoded in the IGC-Santé order (country first, common name
//! last), whatever the order the builder's setters were called in.
//!
//! ```
//! use insilab_certs::dn::{Dn, DnAttribute};
//! let dn = Dn::new()
//!     .common_name("INSI-AUTO")
//!     .country("FR")
//!     .organisational_unit("10B0152872")
//!     .organisation("CENTRE DE SANTE RPPS15287");
//! assert_eq!(dn.to_rfc4514(), "CN=INSI-AUTO,OU=10B0152872,O=CENTRE DE SANTE RPPS15287,C=FR");
//! assert_eq!(dn.attributes().next(), Some((DnAttribute::Country, "FR")));
//! ```

use rcgen::{DistinguishedName, DnType, DnValue};

use crate::CertsError;

/// One attribute of a subject name. The declaration order is the IGC-Santé encoding order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DnAttribute {
    /// `C` (countryName, a PrintableString).
    Country,
    /// `O` (organizationName).
    Organisation,
    /// `OU` (organizationalUnitName).
    OrganisationalUnit,
    /// `CN` (commonName).
    CommonName,
}

impl DnAttribute {
    /// Every attribute, in the IGC-Santé encoding order (`C`, `O`, `OU`, `CN`).
    pub const IGC_SANTE_ORDER: [DnAttribute; 4] = [
        DnAttribute::Country,
        DnAttribute::Organisation,
        DnAttribute::OrganisationalUnit,
        DnAttribute::CommonName,
    ];

    /// The short name of RFC 4514 (`C`, `O`, `OU`, `CN`).
    pub fn short_name(self) -> &'static str {
        match self {
            DnAttribute::Country => "C",
            DnAttribute::Organisation => "O",
            DnAttribute::OrganisationalUnit => "OU",
            DnAttribute::CommonName => "CN",
        }
    }

    fn rcgen_type(self) -> DnType {
        match self {
            DnAttribute::Country => DnType::CountryName,
            DnAttribute::Organisation => DnType::OrganizationName,
            DnAttribute::OrganisationalUnit => DnType::OrganizationalUnitName,
            DnAttribute::CommonName => DnType::CommonName,
        }
    }
}

/// A subject name built attribute by attribute; absent attributes are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dn {
    country: Option<String>,
    organisation: Option<String>,
    organisational_unit: Option<String>,
    common_name: Option<String>,
}

impl Dn {
    /// An empty name.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `C`.
    #[must_use]
    pub fn country(mut self, value: impl Into<String>) -> Self {
        self.country = Some(value.into());
        self
    }

    /// Sets `O`.
    #[must_use]
    pub fn organisation(mut self, value: impl Into<String>) -> Self {
        self.organisation = Some(value.into());
        self
    }

    /// Sets `OU`.
    #[must_use]
    pub fn organisational_unit(mut self, value: impl Into<String>) -> Self {
        self.organisational_unit = Some(value.into());
        self
    }

    /// Sets `CN`.
    #[must_use]
    pub fn common_name(mut self, value: impl Into<String>) -> Self {
        self.common_name = Some(value.into());
        self
    }

    /// The value of `attribute`, if set.
    pub fn get(&self, attribute: DnAttribute) -> Option<&str> {
        match attribute {
            DnAttribute::Country => self.country.as_deref(),
            DnAttribute::Organisation => self.organisation.as_deref(),
            DnAttribute::OrganisationalUnit => self.organisational_unit.as_deref(),
            DnAttribute::CommonName => self.common_name.as_deref(),
        }
    }

    /// The attributes set, in the IGC-Santé encoding order (`C`, `O`, `OU`, `CN`).
    pub fn attributes(&self) -> impl Iterator<Item = (DnAttribute, &str)> {
        DnAttribute::IGC_SANTE_ORDER
            .into_iter()
            .filter_map(|attribute| self.get(attribute).map(|value| (attribute, value)))
    }

    /// The RFC 4514 string, most specific first (`CN=…,OU=…,O=…,C=…`), as `index.yaml` prints
    /// subjects. Values are not escaped: the catalogue's values hold no RFC 4514 special
    /// character.
    pub fn to_rfc4514(&self) -> String {
        let parts: Vec<String> = self
            .attributes()
            .map(|(attribute, value)| format!("{}={value}", attribute.short_name()))
            .collect();
        parts.into_iter().rev().collect::<Vec<_>>().join(",")
    }

    /// The name as rcgen encodes it: `C` as a PrintableString, the others as UTF8String.
    pub(crate) fn to_rcgen(&self) -> Result<DistinguishedName, CertsError> {
        let mut name = DistinguishedName::new();
        for (attribute, value) in self.attributes() {
            let value = match attribute {
                DnAttribute::Country => DnValue::PrintableString(
                    value
                        .try_into()
                        .map_err(|e| CertsError::generation(format!("country {value:?}"), e))?,
                ),
                DnAttribute::Organisation
                | DnAttribute::OrganisationalUnit
                | DnAttribute::CommonName => DnValue::Utf8String(value.to_owned()),
            };
            name.push(attribute.rcgen_type(), value);
        }
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_come_out_in_the_igc_sante_order_whatever_the_order_they_were_set_in() {
        let dn = Dn::new()
            .common_name("CN")
            .organisational_unit("OU")
            .organisation("O")
            .country("FR");
        let order: Vec<DnAttribute> = dn.attributes().map(|(a, _)| a).collect();
        assert_eq!(order, DnAttribute::IGC_SANTE_ORDER);
        assert_eq!(dn.to_rfc4514(), "CN=CN,OU=OU,O=O,C=FR");
    }

    #[test]
    fn absent_attributes_are_left_out() {
        let dn = Dn::new()
            .country("FR")
            .organisation("INSILAB")
            .common_name("X");
        assert_eq!(dn.to_rfc4514(), "CN=X,O=INSILAB,C=FR");
        assert_eq!(dn.get(DnAttribute::OrganisationalUnit), None);
    }

    #[test]
    fn a_country_that_is_not_a_printable_string_is_an_error() {
        assert!(Dn::new().country("FR").to_rcgen().is_ok());
        assert!(Dn::new().country("F_R").to_rcgen().is_err());
    }
}
