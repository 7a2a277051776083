//! Facts about the certification authorities: the subject names of the generated hierarchy,
//! which mirror the IGC-Santé *test* hierarchy so that client code that checks issuer names
//! behaves here as it will against the qualification platform.

/// Country of every CA and client subject.
pub const COUNTRY: &str = "FR";
/// Organisation (`O`) of the IGC-Santé CAs.
pub const CA_ORGANISATION: &str = "ASIP-SANTE";
/// Organisational unit (`OU`) of the IGC-Santé *test* CAs.
pub const CA_ORGANISATIONAL_UNIT: &str = "IGC-SANTE TEST";
/// Common name of the test root.
pub const ROOT_CN: &str = "TEST AC RACINE IGC-SANTE ELEMENTAIRE";
/// Common name of the intermediate that issues organisation (server and client) certificates.
pub const ORGANISATIONS_CN: &str = "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS";
/// Common name of the intermediate that issues card-holder (CPx) certificates.
pub const PERSONNES_CN: &str = "TEST AC IGC-SANTE FORT PERSONNES";
/// Common name of the unrelated CA that issues the `server-untrusted` certificate.
pub const UNKNOWN_CA_CN: &str = "INSILAB AC INCONNUE";

/// The two client common names the INSi service accepts (upper case, hyphen).
pub const ACCEPTED_CLIENT_CNS: [&str; 2] = ["INSI-AUTO", "INSI-MANU"];

pub use crate::dn::Dn;

/// The subject of one of the three IGC-Santé-shaped CAs, given its common name:
/// `C=FR, O=ASIP-SANTE, OU=IGC-SANTE TEST, CN=<name>`.
pub fn ca_subject(common_name: &str) -> Dn {
    Dn::new()
        .country(COUNTRY)
        .organisation(CA_ORGANISATION)
        .organisational_unit(CA_ORGANISATIONAL_UNIT)
        .common_name(common_name)
}

/// The RFC 4514 string (CN first) of a CA subject, as `index.yaml` and the simulator print it.
pub fn ca_subject_string(common_name: &str) -> String {
    ca_subject(common_name).to_rfc4514()
}

/// The subject of an organisation certificate: `CN=<cn>, OU=<structure id>, O=<organisation>, C=FR`.
pub fn organisation_subject(common_name: &str, structure_id: &str, organisation: &str) -> Dn {
    Dn::new()
        .country(COUNTRY)
        .organisation(organisation)
        .organisational_unit(structure_id)
        .common_name(common_name)
}
