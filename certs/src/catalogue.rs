//! The catalogue of the generated PKI as data: one row per CA and per end-entity identity, with
//! named fields and flags (issuer, subject, validity, key usage, trusted, revoked, expected
//! outcome). The generator (`generate.rs`) turns rows into certificates, CRLs and files and
//! never looks at a row's name to decide what to do; `docs/pki.md` describes the same table.

use insilab_core::rules::RuleId;
use rcgen::{ExtendedKeyUsagePurpose, KeyUsagePurpose};
use time::{Duration, OffsetDateTime};

use crate::ca::{self, COUNTRY};
use crate::cards::{self, CardFlaw, VirtualCard};
use crate::dn::Dn;
use crate::index::{ExpectedOutcome, Role};
use crate::{CertsError, PkiOptions};

/// `O` of the certificates that are insilab's own rather than IGC-Santé-shaped (the simulator's
/// server certificate, the CA outside the hierarchy).
pub(crate) const INSILAB_ORGANISATION: &str = "INSILAB";
/// `OU` of the simulator's server certificate.
pub(crate) const SERVER_ORGANISATIONAL_UNIT: &str = "SIMULATEUR INSI";
/// `CN` of the simulator's server certificate.
pub(crate) const SERVER_COMMON_NAME: &str = "localhost";
/// Subject alternative names every server certificate carries before the `--san` ones.
pub(crate) const SERVER_SANS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
/// CA certificates start this long before `now`.
pub(crate) const CA_BACKDATING_DAYS: i64 = 5 * 365;
/// An expired certificate's validity ended this long before `now`…
pub(crate) const EXPIRED_ENDED_DAYS_AGO: i64 = 30;
/// … and lasted this long (three years, like a valid one).
pub(crate) const EXPIRED_LIFETIME_DAYS: i64 = 3 * 365;
/// A not-yet-valid certificate starts this long after `now`.
pub(crate) const NOT_YET_VALID_STARTS_IN_DAYS: i64 = 3650;

/// One certification authority.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CaRow {
    /// Short name: key, file names (`ca/<name>.pem`) and `index.yaml`.
    pub name: &'static str,
    /// `O` of its subject.
    pub organisation: &'static str,
    /// `OU` of its subject, if any.
    pub organisational_unit: Option<&'static str>,
    /// `CN` of its subject.
    pub common_name: &'static str,
    /// The CA that signs it (a row above), or `None` when self-signed.
    pub issuer: Option<&'static str>,
    /// What `index.yaml` calls it.
    pub role: Role,
    /// Validity after `now`, in years of 365 days.
    pub years: i64,
    /// Part of the trusted hierarchy: in `ca/ca-bundle.pem` and publishes a CRL.
    pub trusted: bool,
    /// One line for `index.yaml`.
    pub description: &'static str,
}

impl CaRow {
    /// Its subject name.
    pub fn subject(&self) -> Dn {
        let dn = Dn::new().country(COUNTRY).organisation(self.organisation);
        match self.organisational_unit {
            Some(unit) => dn.organisational_unit(unit),
            None => dn,
        }
        .common_name(self.common_name)
    }
}

/// The CAs, parents before children.
pub(crate) const CAS: &[CaRow] = &[
    CaRow {
        name: "root",
        organisation: ca::CA_ORGANISATION,
        organisational_unit: Some(ca::CA_ORGANISATIONAL_UNIT),
        common_name: ca::ROOT_CN,
        issuer: None,
        role: Role::RootCa,
        years: 20,
        trusted: true,
        description: "test root (trust anchor)",
    },
    CaRow {
        name: "organisations",
        organisation: ca::CA_ORGANISATION,
        organisational_unit: Some(ca::CA_ORGANISATIONAL_UNIT),
        common_name: ca::ORGANISATIONS_CN,
        issuer: Some("root"),
        role: Role::IntermediateCa,
        years: 15,
        trusted: true,
        description: "issues the server and organisation client certificates, and the CRL",
    },
    CaRow {
        name: "personnes",
        organisation: ca::CA_ORGANISATION,
        organisational_unit: Some(ca::CA_ORGANISATIONAL_UNIT),
        common_name: ca::PERSONNES_CN,
        issuer: Some("root"),
        role: Role::IntermediateCa,
        years: 15,
        trusted: true,
        description: "issues card-holder (CPx-like) signature certificates",
    },
    CaRow {
        name: "lookalike-organisations",
        organisation: ca::CA_ORGANISATION,
        organisational_unit: Some(ca::CA_ORGANISATIONAL_UNIT),
        common_name: ca::ORGANISATIONS_CN,
        issuer: None,
        role: Role::UntrustedCa,
        years: 15,
        trusted: false,
        description: "self-signed impostor with the same name as the ORGANISATIONS intermediate, another key",
    },
    CaRow {
        name: "unknown-root",
        organisation: INSILAB_ORGANISATION,
        organisational_unit: None,
        common_name: ca::UNKNOWN_CA_CN,
        issuer: None,
        role: Role::UntrustedCa,
        years: 20,
        trusted: false,
        description: "CA outside the IGC-Santé hierarchy (issues server-untrusted)",
    },
];

/// The subject of an end-entity certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subject {
    /// The simulator's: `C=FR, O=INSILAB, OU=SIMULATEUR INSI, CN=localhost`.
    Server,
    /// An organisation certificate: `C=FR, O=<organisation>, OU=<structure id>, CN=<this>`.
    Organisation(CommonName),
    /// A card signature certificate of this test professional (see [`cards::card_subject`]).
    Card(&'static str),
}

/// The `CN` of an organisation certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CommonName {
    /// This text.
    Fixed(&'static str),
    /// The organisation name (`--organisation`).
    OrganisationName,
}

/// Validity period, relative to `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Validity {
    /// From `now`, for `validity_days`.
    Current,
    /// Ended [`EXPIRED_ENDED_DAYS_AGO`] days before `now`.
    Expired,
    /// Starts [`NOT_YET_VALID_STARTS_IN_DAYS`] days after `now`, for `validity_days`.
    NotYetValid,
}

impl Validity {
    /// `(notBefore, notAfter)`.
    pub fn period(
        self,
        now: OffsetDateTime,
        validity_days: u32,
    ) -> (OffsetDateTime, OffsetDateTime) {
        let lifetime = Duration::days(i64::from(validity_days));
        match self {
            Validity::Current => (now, now + lifetime),
            Validity::Expired => {
                let end = now - Duration::days(EXPIRED_ENDED_DAYS_AGO);
                (end - Duration::days(EXPIRED_LIFETIME_DAYS), end)
            }
            Validity::NotYetValid => {
                let start = now + Duration::days(NOT_YET_VALID_STARTS_IN_DAYS);
                (start, start + lifetime)
            }
        }
    }
}

/// Key usage of an end-entity certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyUsage {
    /// digitalSignature and keyEncipherment: a TLS peer (server or client).
    TlsPeer,
    /// nonRepudiation (contentCommitment) only: a card's signature certificate.
    NonRepudiation,
}

impl KeyUsage {
    pub fn purposes(self) -> Vec<KeyUsagePurpose> {
        match self {
            KeyUsage::TlsPeer => vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyEncipherment,
            ],
            KeyUsage::NonRepudiation => vec![KeyUsagePurpose::ContentCommitment],
        }
    }
}

/// Extended key usage of an end-entity certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExtendedKeyUsage {
    /// serverAuth only.
    ServerAuth,
    /// clientAuth only.
    ClientAuth,
    /// No extendedKeyUsage extension (card signature certificates).
    Absent,
}

impl ExtendedKeyUsage {
    pub fn purposes(self) -> Vec<ExtendedKeyUsagePurpose> {
        match self {
            ExtendedKeyUsage::ServerAuth => vec![ExtendedKeyUsagePurpose::ServerAuth],
            ExtendedKeyUsage::ClientAuth => vec![ExtendedKeyUsagePurpose::ClientAuth],
            ExtendedKeyUsage::Absent => Vec::new(),
        }
    }
}

/// What is expected when the identity is presented (see [`ExpectedOutcome`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expected {
    /// Accepted.
    Accepted,
    /// The handshake fails with this TLS alert (TLS registry name).
    TlsAlert(&'static str),
    /// Every request gets this SOAP fault.
    Fault(&'static str),
    /// A card-mode assertion signed with it is refused by this rule.
    Rule(RuleId),
}

impl Expected {
    pub fn outcome(self) -> ExpectedOutcome {
        match self {
            Expected::Accepted => ExpectedOutcome::Accepted,
            Expected::TlsAlert(alert) => ExpectedOutcome::TlsAlert(alert.to_owned()),
            Expected::Fault(code) => ExpectedOutcome::Fault(code.to_owned()),
            Expected::Rule(rule) => ExpectedOutcome::Rule(rule.as_str().to_owned()),
        }
    }
}

/// One end-entity identity.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdentityRow {
    /// Catalogue name: key, directory `identities/<name>/` and `index.yaml`.
    pub name: &'static str,
    /// What `index.yaml` calls it.
    pub role: Role,
    /// One line for `index.yaml`.
    pub description: &'static str,
    /// The CA that signs it (a row of [`CAS`]), or `None` when self-signed.
    pub issuer: Option<&'static str>,
    /// Its subject name.
    pub subject: Subject,
    /// Its validity period.
    pub validity: Validity,
    /// Its key usage.
    pub key_usage: KeyUsage,
    /// Its extended key usage.
    pub extended_key_usage: ExtendedKeyUsage,
    /// Carries the server names ([`SERVER_SANS`] and every `--san`).
    pub server_names: bool,
    /// Listed in its issuer's CRL.
    pub revoked: bool,
    /// What is expected when it is presented.
    pub expected: Expected,
}

/// The accepted organisation client certificate's CN, reused by most negatives.
const INSI_AUTO: CommonName = CommonName::Fixed("INSI-AUTO");

/// The server and organisation identities, in `index.yaml` order (the virtual cards follow,
/// see [`identities`]).
pub(crate) const TLS_IDENTITIES: &[IdentityRow] = &[
    IdentityRow {
        name: "server",
        role: Role::Server,
        description: "the simulator's server certificate (SAN localhost, 127.0.0.1, ::1 and every --san)",
        issuer: Some("organisations"),
        subject: Subject::Server,
        validity: Validity::Current,
        key_usage: KeyUsage::TlsPeer,
        extended_key_usage: ExtendedKeyUsage::ServerAuth,
        server_names: true,
        revoked: false,
        expected: Expected::Accepted,
    },
    IdentityRow {
        name: "insi-auto",
        role: Role::Client,
        description: "organisation certificate for unattended calls (CN=INSI-AUTO)",
        issuer: Some("organisations"),
        subject: Subject::Organisation(INSI_AUTO),
        validity: Validity::Current,
        key_usage: KeyUsage::TlsPeer,
        extended_key_usage: ExtendedKeyUsage::ClientAuth,
        server_names: false,
        revoked: false,
        expected: Expected::Accepted,
    },
    IdentityRow {
        name: "insi-manu",
        role: Role::Client,
        description: "organisation certificate for user-triggered calls (CN=INSI-MANU)",
        issuer: Some("organisations"),
        subject: Subject::Organisation(CommonName::Fixed("INSI-MANU")),
        validity: Validity::Current,
        key_usage: KeyUsage::TlsPeer,
        extended_key_usage: ExtendedKeyUsage::ClientAuth,
        server_names: false,
        revoked: false,
        expected: Expected::Accepted,
    },
    IdentityRow {
        name: "expired",
        role: Role::Client,
        description: "INSI-AUTO certificate whose validity ended 30 days before `now`",
        issuer: Some("organisations"),
        subject: Subject::Organisation(INSI_AUTO),
        validity: Validity::Expired,
        key_usage: KeyUsage::TlsPeer,
        extended_key_usage: ExtendedKeyUsage::ClientAuth,
        server_names: false,
        revoked: false,
        expected: Expected::TlsAlert("certificate_expired"),
    },
    IdentityRow {
        name: "not-yet-valid",
        role: Role::Client,
        description: "INSI-AUTO certificate whose validity starts 10 years after `now` (rustls reports it as certificate_expired)",
        issuer: Some("organisations"),
        subject: Subject::Organisation(INSI_AUTO),
        validity: Validity::NotYetValid,
        key_usage: KeyUsage::TlsPeer,
        extended_key_usage: ExtendedKeyUsage::ClientAuth,
        server_names: false,
        revoked: false,
        expected: Expected::TlsAlert("certificate_expired"),
    },
    IdentityRow {
        name: "revoked",
        role: Role::Client,
        description: "INSI-AUTO certificate listed in the ORGANISATIONS CRL",
        issuer: Some("organisations"),
        subject: Subject::Organisation(INSI_AUTO),
        validity: Validity::Current,
        key_usage: KeyUsage::TlsPeer,
        extended_key_usage: ExtendedKeyUsage::ClientAuth,
        server_names: false,
        revoked: true,
        expected: Expected::TlsAlert("certificate_revoked"),
    },
    IdentityRow {
        name: "cn-organisation",
        role: Role::Client,
        description: "valid certificate whose CN is the organisation name instead of INSI-AUTO/INSI-MANU",
        issuer: Some("organisations"),
        subject: Subject::Organisation(CommonName::OrganisationName),
        validity: Validity::Current,
        key_usage: KeyUsage::TlsPeer,
        extended_key_usage: ExtendedKeyUsage::ClientAuth,
        server_names: false,
        revoked: false,
        expected: Expected::Fault("DESIR_560"),
    },
    IdentityRow {
        name: "cn-lowercase",
        role: Role::Client,
        description: "valid certificate whose CN is insi-auto in lower case",
        issuer: Some("organisations"),
        subject: Subject::Organisation(CommonName::Fixed("insi-auto")),
        validity: Validity::Current,
        key_usage: KeyUsage::TlsPeer,
        extended_key_usage: ExtendedKeyUsage::ClientAuth,
        server_names: false,
        revoked: false,
        expected: Expected::Fault("DESIR_560"),
    },
    IdentityRow {
        name: "lookalike-issuer",
        role: Role::Client,
        description: "INSI-AUTO certificate issued by a CA with the same name as TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS but another key",
        issuer: Some("lookalike-organisations"),
        subject: Subject::Organisation(INSI_AUTO),
        validity: Validity::Current,
        key_usage: KeyUsage::TlsPeer,
        extended_key_usage: ExtendedKeyUsage::ClientAuth,
        server_names: false,
        revoked: false,
        expected: Expected::TlsAlert("unknown_ca"),
    },
    IdentityRow {
        name: "server-eku-only",
        role: Role::Client,
        description: "INSI-AUTO certificate whose extended key usage is serverAuth only",
        issuer: Some("organisations"),
        subject: Subject::Organisation(INSI_AUTO),
        validity: Validity::Current,
        key_usage: KeyUsage::TlsPeer,
        extended_key_usage: ExtendedKeyUsage::ServerAuth,
        server_names: false,
        revoked: false,
        expected: Expected::TlsAlert("unsupported_certificate"),
    },
    IdentityRow {
        name: "self-signed",
        role: Role::Client,
        description: "self-signed INSI-AUTO certificate",
        issuer: None,
        subject: Subject::Organisation(INSI_AUTO),
        validity: Validity::Current,
        key_usage: KeyUsage::TlsPeer,
        extended_key_usage: ExtendedKeyUsage::ClientAuth,
        server_names: false,
        revoked: false,
        expected: Expected::TlsAlert("unknown_ca"),
    },
    IdentityRow {
        name: "server-expired",
        role: Role::Server,
        description: "server certificate whose validity ended 30 days before `now` (a client must refuse it)",
        issuer: Some("organisations"),
        subject: Subject::Server,
        validity: Validity::Expired,
        key_usage: KeyUsage::TlsPeer,
        extended_key_usage: ExtendedKeyUsage::ServerAuth,
        server_names: true,
        revoked: false,
        expected: Expected::TlsAlert("certificate_expired"),
    },
    IdentityRow {
        name: "server-untrusted",
        role: Role::Server,
        description: "server certificate issued by a CA outside the IGC-Santé hierarchy (a client must refuse it)",
        issuer: Some("unknown-root"),
        subject: Subject::Server,
        validity: Validity::Current,
        key_usage: KeyUsage::TlsPeer,
        extended_key_usage: ExtendedKeyUsage::ServerAuth,
        server_names: true,
        revoked: false,
        expected: Expected::TlsAlert("unknown_ca"),
    },
];

/// The row of a virtual CPx card ([`cards::VIRTUAL_CARDS`]): its flaw decides its issuer,
/// validity and revocation.
pub(crate) fn card_row(card: &VirtualCard) -> IdentityRow {
    IdentityRow {
        name: card.name,
        role: Role::Signature,
        description: card.description,
        issuer: Some(match card.flaw {
            CardFlaw::UnknownCa => "unknown-root",
            CardFlaw::None | CardFlaw::Expired | CardFlaw::Revoked => "personnes",
        }),
        subject: Subject::Card(card.professional_id),
        validity: match card.flaw {
            CardFlaw::Expired => Validity::Expired,
            CardFlaw::None | CardFlaw::Revoked | CardFlaw::UnknownCa => Validity::Current,
        },
        key_usage: KeyUsage::NonRepudiation,
        extended_key_usage: ExtendedKeyUsage::Absent,
        server_names: false,
        revoked: card.flaw == CardFlaw::Revoked,
        expected: card.refused_by.map_or(Expected::Accepted, Expected::Rule),
    }
}

/// Every end-entity identity, in `index.yaml` order: [`TLS_IDENTITIES`], then the cards.
pub(crate) fn identities() -> impl Iterator<Item = IdentityRow> {
    TLS_IDENTITIES
        .iter()
        .copied()
        .chain(cards::VIRTUAL_CARDS.iter().map(card_row))
}

/// Every key the catalogue needs (CAs and end entities).
pub(crate) fn key_names() -> Vec<&'static str> {
    CAS.iter()
        .map(|ca| ca.name)
        .chain(identities().map(|identity| identity.name))
        .collect()
}

impl IdentityRow {
    /// Its subject name, with the options' organisation and structure id.
    pub fn subject(&self, opts: &PkiOptions) -> Result<Dn, CertsError> {
        Ok(match self.subject {
            Subject::Server => Dn::new()
                .country(COUNTRY)
                .organisation(INSILAB_ORGANISATION)
                .organisational_unit(SERVER_ORGANISATIONAL_UNIT)
                .common_name(SERVER_COMMON_NAME),
            Subject::Organisation(common_name) => ca::organisation_subject(
                match common_name {
                    CommonName::Fixed(text) => text,
                    CommonName::OrganisationName => &opts.organisation,
                },
                &opts.structure_id,
                &opts.organisation,
            ),
            Subject::Card(professional_id) => {
                let professional = insilab_core::assertion::known_professional(professional_id)
                    .ok_or_else(|| {
                        CertsError::generation(
                            self.name,
                            "the card holder is not a known professional",
                        )
                    })?;
                cards::card_subject(professional)
            }
        })
    }

    /// Its subject alternative names.
    pub fn sans(&self, opts: &PkiOptions) -> Vec<String> {
        if !self.server_names {
            return Vec::new();
        }
        SERVER_SANS
            .iter()
            .map(|san| (*san).to_owned())
            .chain(opts.extra_sans.iter().cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_cas_are_the_root_and_intermediates_and_issuers_come_first() {
        for (position, row) in CAS.iter().enumerate() {
            assert_eq!(row.trusted, row.role != Role::UntrustedCa, "{}", row.name);
            assert_eq!(
                row.issuer.is_none(),
                row.role != Role::IntermediateCa,
                "{}",
                row.name
            );
            if let Some(issuer) = row.issuer {
                assert!(
                    CAS[..position].iter().any(|ca| ca.name == issuer),
                    "{}: issuer {issuer} must come first",
                    row.name
                );
            }
        }
    }

    #[test]
    fn every_identity_has_a_known_issuer_and_a_unique_name() {
        let names = key_names();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "duplicate names in {names:?}");
        for row in identities() {
            if let Some(issuer) = row.issuer {
                assert!(CAS.iter().any(|ca| ca.name == issuer), "{}", row.name);
            }
            assert!(
                !row.revoked
                    || row
                        .issuer
                        .is_some_and(|i| CAS.iter().any(|ca| ca.name == i && ca.trusted)),
                "{}: a revoked identity needs a trusted issuer, which publishes the CRL",
                row.name
            );
        }
    }

    #[test]
    fn an_expired_certificate_ended_thirty_days_before_now_after_three_years() {
        let now = time::macros::datetime!(2026-11-27 00:00 UTC);
        let (start, end) = Validity::Expired.period(now, 10);
        assert_eq!(end, now - Duration::days(30));
        assert_eq!(end - start, Duration::days(3 * 365));
        let (start, end) = Validity::NotYetValid.period(now, 10);
        assert_eq!(start, now + Duration::days(3650));
        assert_eq!(end - start, Duration::days(10));
    }
}
