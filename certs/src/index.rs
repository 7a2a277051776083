//! `index.yaml`: the catalogue of a generated PKI (every file, its role, the facts read back
//! from the certificate, and the outcome expected when it is presented to the simulator), so
//! that tests and docs read the catalogue instead of hard-coding it.

use serde::{Deserialize, Serialize};

/// Version of the `index.yaml` layout; bumped when a field changes meaning.
pub const INDEX_FORMAT: u32 = 1;

/// Name of the catalogue file inside a PKI directory.
pub const INDEX_FILE: &str = "index.yaml";

/// The whole catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// Layout version ([`INDEX_FORMAT`]).
    pub format: u32,
    /// Tool and version that wrote it.
    pub generator: String,
    /// Seed the keys, serials and PKCS#12 salts were derived from.
    pub seed: u64,
    /// Reference time (RFC 3339) every validity period was computed from.
    pub now: String,
    /// Structure identifier put in the organisation certificates' `OU`.
    pub structure_id: String,
    /// Organisation name put in the organisation certificates' `O`.
    pub organisation: String,
    /// Password of every PKCS#12 bundle.
    pub p12_password: String,
    /// Encryption used in the PKCS#12 bundles (for the docs; informative).
    pub p12_encryption: String,
    /// Certification authorities, root first.
    pub cas: Vec<CaEntry>,
    /// Certificate revocation lists.
    pub crls: Vec<CrlEntry>,
    /// End-entity identities (valid and negative).
    pub identities: Vec<IdentityEntry>,
}

/// What a certificate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Role {
    /// A self-signed trust anchor.
    RootCa,
    /// A CA certificate signed by another CA.
    IntermediateCa,
    /// A CA that belongs to no trusted hierarchy (used to make negative certificates).
    UntrustedCa,
    /// A TLS server certificate the simulator presents.
    Server,
    /// A TLS client (organisation, "AUTH_CLI") certificate a client presents.
    Client,
    /// A card-holder signature certificate (CPx-like, non-repudiation).
    Signature,
}

impl Role {
    /// The kebab-case name used in `index.yaml` and `pki show`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::RootCa => "root-ca",
            Role::IntermediateCa => "intermediate-ca",
            Role::UntrustedCa => "untrusted-ca",
            Role::Server => "server",
            Role::Client => "client",
            Role::Signature => "signature",
        }
    }
}

/// What the simulator (or, for server identities, a client) is expected to do with an identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExpectedOutcome {
    /// The handshake succeeds and requests are served.
    Accepted,
    /// The handshake fails with this TLS alert, named as in the TLS registry
    /// (`certificate_expired`, `certificate_revoked`, `unknown_ca`, `unsupported_certificate`);
    /// [`crate::alert_name`] turns a rustls alert into this form.
    TlsAlert(String),
    /// The handshake succeeds but every request gets this SOAP fault code (`DESIR_560`).
    Fault(String),
    /// A card-mode assertion signed with this card certificate is refused by this rule of the
    /// catalogue (`INSI-CPX-012`).
    Rule(String),
}

impl std::fmt::Display for ExpectedOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpectedOutcome::Accepted => f.write_str("accepted"),
            ExpectedOutcome::TlsAlert(alert) => write!(f, "tls alert {alert}"),
            ExpectedOutcome::Fault(code) => write!(f, "fault {code}"),
            ExpectedOutcome::Rule(rule) => write!(f, "assertion refused by {rule}"),
        }
    }
}

/// Facts read back from one certificate with x509-parser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertFacts {
    /// Subject, RFC 4514 order (CN first).
    pub subject: String,
    /// Issuer, RFC 4514 order (CN first).
    pub issuer: String,
    /// Serial number, upper-case hex without separators (as `openssl x509 -serial`).
    pub serial: String,
    /// Start of validity, RFC 3339.
    pub not_before: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// SHA-256 of the DER certificate, upper-case hex pairs joined by `:`
    /// (as `openssl x509 -fingerprint -sha256`).
    pub sha256: String,
}

/// One CA certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaEntry {
    /// Short name (`root`, `organisations`, `personnes`, `lookalike-organisations`, `unknown-root`).
    pub name: String,
    /// Trusted root, intermediate, or untrusted helper CA.
    pub role: Role,
    /// What it stands for.
    pub description: String,
    /// Certificate (PEM), relative to the PKI directory.
    pub cert: String,
    /// Certificate (DER), relative to the PKI directory.
    pub cert_der: String,
    /// Facts read back from the certificate.
    pub facts: CertFacts,
}

/// One certificate revocation list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrlEntry {
    /// Name of the CA that signs it.
    pub name: String,
    /// Issuer, RFC 4514 order.
    pub issuer: String,
    /// CRL in PEM, relative to the PKI directory.
    pub pem: String,
    /// CRL in DER, relative to the PKI directory.
    pub der: String,
    /// `thisUpdate`, RFC 3339.
    pub this_update: String,
    /// `nextUpdate`, RFC 3339.
    pub next_update: String,
    /// Serial numbers listed (upper-case hex), in CRL order.
    pub revoked_serials: Vec<String>,
}

/// One end-entity identity: certificate, key, chain and PKCS#12 bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityEntry {
    /// Catalogue name (`insi-auto`, `expired`, …).
    pub name: String,
    /// Server, client or signature certificate.
    pub role: Role,
    /// What it stands for and why it is in the catalogue.
    pub description: String,
    /// Certificate (PEM), relative to the PKI directory.
    pub cert: String,
    /// Private key (PKCS#8 PEM, unencrypted), relative to the PKI directory.
    pub key: String,
    /// Certificate followed by its issuing intermediate(s), without the root (PEM).
    pub chain: String,
    /// PKCS#12 bundle (key, certificate, intermediates and root).
    pub p12: Option<String>,
    /// Outcome expected when this identity is presented to the simulator (client and
    /// signature identities) or by the simulator to a client (server identities).
    pub expected: ExpectedOutcome,
    /// Facts read back from the certificate.
    pub facts: CertFacts,
}

impl Index {
    /// The identity entry of that name, if any.
    pub fn identity(&self, name: &str) -> Option<&IdentityEntry> {
        self.identities.iter().find(|entry| entry.name == name)
    }

    /// The CA entry of that name, if any.
    pub fn ca(&self, name: &str) -> Option<&CaEntry> {
        self.cas.iter().find(|entry| entry.name == name)
    }
}
