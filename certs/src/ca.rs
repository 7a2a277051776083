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

/// A subject name as an ordered list of (attribute short name, value), most significant first
/// as encoded in the certificate (C, O, OU, CN).
pub type Dn = Vec<(&'static str, String)>;

/// The subject of one of the three IGC-Santé-shaped CAs, given its common name.
pub fn ca_subject(common_name: &str) -> Dn {
    vec![
        ("C", COUNTRY.to_owned()),
        ("O", CA_ORGANISATION.to_owned()),
        ("OU", CA_ORGANISATIONAL_UNIT.to_owned()),
        ("CN", common_name.to_owned()),
    ]
}

/// The RFC 4514 string (CN first) of a CA subject, as `index.yaml` and the simulator print it.
pub fn ca_subject_string(common_name: &str) -> String {
    format!("CN={common_name},OU={CA_ORGANISATIONAL_UNIT},O={CA_ORGANISATION},C={COUNTRY}")
}

/// The subject of an organisation certificate: `CN=<cn>, OU=<structure id>, O=<organisation>, C=FR`.
pub fn organisation_subject(common_name: &str, structure_id: &str, organisation: &str) -> Dn {
    vec![
        ("C", COUNTRY.to_owned()),
        ("O", organisation.to_owned()),
        ("OU", structure_id.to_owned()),
        ("CN", common_name.to_owned()),
    ]
}
