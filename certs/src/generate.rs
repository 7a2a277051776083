//! Generation of the whole PKI from [`PkiOptions`]: keys, CA and end-entity certificates, CRLs,
//! PKCS#12 bundles and `index.yaml`, written atomically by [`init`].
//!
//! Determinism: every key is drawn from a ChaCha20 RNG seeded with SHA-256(seed, name), every
//! serial number and PKCS#12 salt likewise; RSA PKCS#1 v1.5 signatures are deterministic, so the
//! same seed and `now` give byte-identical files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng as _;
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, IsCa, Issuer,
    KeyIdMethod, KeyPair, KeyUsagePurpose, RevocationReason, RevokedCertParams, SanType,
    SerialNumber,
};
use rsa::pkcs8::{EncodePrivateKey as _, LineEnding};
use rustls_pki_types::PrivatePkcs8KeyDer;
use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime};

use crate::dn::Dn;
use crate::index::{CaEntry, CrlEntry, INDEX_FILE, INDEX_FORMAT, IdentityEntry, Index};
use crate::{CertsError, DEFAULT_P12_PASSWORD, Pki, catalogue, facts, pkcs12};

/// Revision of the generator's output: bumped whenever the same options would give other
/// bytes, so that caches of generated PKIs (such as [`crate::testing::shared_pki`]) are rebuilt.
pub const GENERATOR_REVISION: u32 = 3;

/// RSA modulus size of every key, like the real IGC-Santé certificates.
pub const RSA_BITS: usize = 2048;
/// Seed used when none is given ([`PkiOptions::default`]).
pub const DEFAULT_SEED: u64 = 0;
/// Default structure identifier (the `OU` of organisation certificates).
pub const DEFAULT_STRUCTURE_ID: &str = "10B0152872";
/// Default organisation name (the `O` of organisation certificates).
pub const DEFAULT_ORGANISATION: &str = "CENTRE DE SANTE RPPS15287";
/// Validity of client, server and signature certificates: three years, like the real ones.
pub const DEFAULT_VALIDITY_DAYS: u32 = 3 * 365;
/// Longest value accepted for the structure id and the organisation (X.520 upper bound of
/// `O` and `OU`).
pub const MAX_DN_VALUE_CHARS: usize = 64;
/// Longest `--san` accepted (a DNS name's limit).
pub const MAX_SAN_CHARS: usize = 253;
/// Most `--san` values accepted.
pub const MAX_EXTRA_SANS: usize = 32;
/// Longest PKCS#12 password accepted.
pub const MAX_P12_PASSWORD_CHARS: usize = 128;

/// The card-holder id of the CPx-like signature certificate (a known test professional).
pub const CPX_PROFESSIONAL_ID: &str = "899900063480";

/// Everything `init` needs to know. Build with `..PkiOptions::default()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkiOptions {
    /// Seed of every key, serial and salt; default [`DEFAULT_SEED`] (0).
    pub seed: u64,
    /// Reference time: valid certificates start here, the expired one ended 30 days before, the
    /// not-yet-valid one starts 10 years after. Default: the current time, to the second.
    pub now: OffsetDateTime,
    /// Structure identifier (`OU` of organisation certificates); default `10B0152872`.
    pub structure_id: String,
    /// Organisation name (`O` of organisation certificates); default `CENTRE DE SANTE RPPS15287`.
    pub organisation: String,
    /// Names added to the server certificate's SAN after `localhost`, `127.0.0.1` and `::1`.
    pub extra_sans: Vec<String>,
    /// Password of the PKCS#12 bundles; default [`DEFAULT_P12_PASSWORD`].
    pub p12_password: String,
    /// Validity of valid end-entity certificates, in days; default [`DEFAULT_VALIDITY_DAYS`].
    pub validity_days: u32,
}

impl Default for PkiOptions {
    fn default() -> Self {
        let now = OffsetDateTime::now_utc();
        Self {
            seed: DEFAULT_SEED,
            now: now.replace_nanosecond(0).unwrap_or(now),
            structure_id: DEFAULT_STRUCTURE_ID.to_owned(),
            organisation: DEFAULT_ORGANISATION.to_owned(),
            extra_sans: Vec::new(),
            p12_password: DEFAULT_P12_PASSWORD.to_owned(),
            validity_days: DEFAULT_VALIDITY_DAYS,
        }
    }
}

/// A seed drawn from the operating system's random source, for `insilab pki init` without
/// `--seed`: two machines then get different keys (a test root with a well-known key must not
/// end up trusted anywhere).
pub fn random_seed() -> u64 {
    use rand_core::RngCore as _;
    rand_core::OsRng.next_u64()
}

/// A generated PKI held in memory: file contents by relative path, and the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedPki {
    /// Relative path (with `/`) → contents, `index.yaml` included.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The catalogue written to `index.yaml`.
    pub index: Index,
}

/// Longest start of an `index.yaml` read to recognise a PKI that [`init`] wrote.
pub const INDEX_HEAD_BYTES: u64 = 4096;

/// Whether `dir` holds a test PKI this crate made: an `index.yaml` whose `generator` is
/// insilab's (read from its first [`INDEX_HEAD_BYTES`] only, so that a damaged PKI of ours is
/// still recognised and can be replaced).
pub fn is_own_pki(dir: &Path) -> bool {
    let mut head = String::new();
    std::fs::File::open(dir.join(INDEX_FILE))
        .and_then(|f| {
            std::io::Read::read_to_string(&mut std::io::Read::take(f, INDEX_HEAD_BYTES), &mut head)
        })
        .is_ok()
        && head
            .lines()
            .any(|l| l.trim_start().starts_with("generator: insilab"))
}

/// Generates the PKI into `out_dir`: writes everything into a temporary directory beside it,
/// then renames it into place, so a reader never sees a half-written PKI. An existing non-empty
/// `out_dir` is replaced only when `force` is true, and only when it is a PKI this crate made
/// ([`is_own_pki`]): `force` never deletes a directory of something else
/// ([`CertsError::NotAPki`]).
pub fn init(out_dir: &Path, opts: &PkiOptions, force: bool) -> Result<Pki, CertsError> {
    let occupied = |dir: &Path| {
        std::fs::read_dir(dir)
            .map(|mut entries| entries.next().is_some())
            .unwrap_or(false)
    };
    if occupied(out_dir) {
        if !force {
            return Err(CertsError::AlreadyExists {
                dir: out_dir.to_path_buf(),
            });
        }
        if !is_own_pki(out_dir) {
            return Err(CertsError::NotAPki {
                dir: out_dir.to_path_buf(),
            });
        }
    }
    let generated = generate(opts)?;
    let parent = match out_dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| CertsError::io("create directory", &parent, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".insilab-pki-")
        .tempdir_in(&parent)
        .map_err(|e| CertsError::io("create a temporary directory in", &parent, e))?;
    for (relative, contents) in &generated.files {
        let path = staging.path().join(relative);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| CertsError::io("create directory", dir, e))?;
        }
        std::fs::write(&path, contents).map_err(|e| CertsError::io("write", &path, e))?;
        if relative.ends_with("key.pem") {
            restrict_to_owner(&path)?;
        }
    }
    if occupied(out_dir) {
        // `force`: move the old PKI aside first, so that a failure leaves either the old or
        // the new PKI in place, never a mix.
        let old = tempfile::Builder::new()
            .prefix(".insilab-pki-old-")
            .tempdir_in(&parent)
            .map_err(|e| CertsError::io("create a temporary directory in", &parent, e))?;
        let aside = old.path().join("pki");
        std::fs::rename(out_dir, &aside).map_err(|e| CertsError::io("rename", out_dir, e))?;
        if let Err(error) = std::fs::rename(staging.path(), out_dir) {
            // Put the old PKI back rather than leave nothing.
            let _ = std::fs::rename(&aside, out_dir);
            return Err(CertsError::io("rename", staging.path(), error));
        }
        // `old` is removed when dropped.
    } else {
        // Renaming over an empty directory succeeds; over a non-empty one (another process won
        // a race) it fails, which we report as "already exists".
        if let Err(error) = std::fs::rename(staging.path(), out_dir) {
            if occupied(out_dir) {
                return Err(CertsError::AlreadyExists {
                    dir: out_dir.to_path_buf(),
                });
            }
            return Err(CertsError::io("rename", staging.path(), error));
        }
    }
    // The staging directory now lives at `out_dir`; do not let its guard delete it.
    let _kept = staging.keep();
    Pki::load(out_dir)
}

/// Unencrypted private keys are readable by their owner only (test keys, but keys all the same).
#[cfg(unix)]
fn restrict_to_owner(path: &Path) -> Result<(), CertsError> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| CertsError::io("restrict the permissions of", path, e))
}

#[cfg(not(unix))]
fn restrict_to_owner(_path: &Path) -> Result<(), CertsError> {
    Ok(())
}

/// Generates the whole PKI in memory.
pub fn generate(opts: &PkiOptions) -> Result<GeneratedPki, CertsError> {
    validate(opts)?;
    // Certificates carry whole seconds in UTC; an offset given with --now is converted.
    let now = opts.now.to_offset(time::UtcOffset::UTC);
    let now = now.replace_nanosecond(0).unwrap_or(now);
    let keys = generate_keys(opts.seed)?;
    let key = |name: &str| -> Result<&Keys, CertsError> {
        keys.get(name).ok_or_else(|| {
            CertsError::generation(format!("the key of {name}"), "missing from the key set")
        })
    };
    let mut files = BTreeMap::new();
    let mut cas: BTreeMap<&'static str, CaMaterial> = BTreeMap::new();
    let mut ca_entries = Vec::new();

    let ca_start = now - Duration::days(catalogue::CA_BACKDATING_DAYS);
    for row in catalogue::CAS {
        let mut params = base_params(
            &row.subject(),
            serial(opts.seed, row.name),
            ca_start,
            now + Duration::days(row.years * 365),
        )?;
        params.is_ca = IsCa::Ca(match row.issuer {
            None => BasicConstraints::Unconstrained,
            Some(_) => BasicConstraints::Constrained(0),
        });
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let signing = key(row.name)?.rcgen()?;
        let cert = match row.issuer {
            None => params.self_signed(&signing),
            Some(issuer) => {
                let issuer = cas.get(issuer).ok_or_else(|| {
                    CertsError::generation(row.name, format!("issuer {issuer} not generated yet"))
                })?;
                params.signed_by(&signing, &issuer.issuer()?)
            }
        }
        .map_err(|e| CertsError::generation(format!("the {} ca certificate", row.name), e))?;
        let der = cert.der().to_vec();
        let pem = cert.pem();
        let cert_path = format!("ca/{}.pem", row.name);
        let der_path = format!("ca/{}.der", row.name);
        files.insert(cert_path.clone(), pem.clone().into_bytes());
        files.insert(der_path.clone(), der.clone());
        ca_entries.push(CaEntry {
            name: row.name.to_owned(),
            role: row.role,
            description: row.description.to_owned(),
            cert: cert_path,
            cert_der: der_path,
            facts: facts::cert_facts(&der, row.name)?,
        });
        let mut chain_up = vec![der.clone()];
        if let Some(issuer) = row.issuer.and_then(|issuer| cas.get(issuer)) {
            chain_up.extend(issuer.chain_up.iter().cloned());
        }
        cas.insert(
            row.name,
            CaMaterial {
                params,
                key: signing,
                pem,
                chain_up,
            },
        );
    }
    let trusted = || catalogue::CAS.iter().filter(|row| row.trusted);
    let bundle: String = trusted()
        .filter_map(|row| cas.get(row.name).map(|ca| ca.pem.clone()))
        .collect();
    files.insert("ca/ca-bundle.pem".to_owned(), bundle.into_bytes());

    let mut identities = Vec::new();
    // Revoked certificates by issuer: each trusted CA's CRL lists those it issued.
    let mut revoked: BTreeMap<&'static str, Vec<RevokedCertParams>> = BTreeMap::new();
    for row in catalogue::identities() {
        let (not_before, not_after) = row.validity.period(now, opts.validity_days);
        let mut params = base_params(
            &row.subject(opts)?,
            serial(opts.seed, row.name),
            not_before,
            not_after,
        )?;
        params.subject_alt_names = row
            .sans(opts)
            .iter()
            .map(|san| san_type(san))
            .collect::<Result<_, _>>()?;
        params.key_usages = row.key_usage.purposes();
        params.extended_key_usages = row.extended_key_usage.purposes();
        let material = key(row.name)?;
        let signing = material.rcgen()?;
        let (cert, issuer_chain) = match row.issuer {
            None => (params.self_signed(&signing), Vec::new()),
            Some(issuer_name) => {
                let issuer = cas.get(issuer_name).ok_or_else(|| {
                    CertsError::generation(row.name, format!("unknown issuer {issuer_name}"))
                })?;
                (
                    params.signed_by(&signing, &issuer.issuer()?),
                    issuer.chain_up.clone(),
                )
            }
        };
        let cert =
            cert.map_err(|e| CertsError::generation(format!("the {} certificate", row.name), e))?;
        let der = cert.der().to_vec();
        let pem = cert.pem();
        // chain.pem: the certificate and its intermediates, not the root (a peer already has it).
        let intermediates: Vec<&Vec<u8>> = issuer_chain
            .iter()
            .take(issuer_chain.len().saturating_sub(1))
            .collect();
        let mut chain_pem = pem.clone();
        for ca_der in &intermediates {
            chain_pem.push_str(&pem_encode("CERTIFICATE", ca_der));
        }
        let ca_refs: Vec<&[u8]> = issuer_chain.iter().map(Vec::as_slice).collect();
        let mut p12_rng = ChaCha20Rng::from_seed(derive(opts.seed, "p12", row.name));
        let p12 = pkcs12::write_pkcs12(
            row.name,
            &material.pkcs8_der,
            &der,
            &ca_refs,
            &opts.p12_password,
            &mut p12_rng,
        )?;
        let dir = format!("identities/{}", row.name);
        let entry = IdentityEntry {
            name: row.name.to_owned(),
            role: row.role,
            description: row.description.to_owned(),
            cert: format!("{dir}/cert.pem"),
            key: format!("{dir}/key.pem"),
            chain: format!("{dir}/chain.pem"),
            p12: Some(format!("{dir}/bundle.p12")),
            expected: row.expected.outcome(),
            facts: facts::cert_facts(&der, row.name)?,
        };
        files.insert(entry.cert.clone(), pem.into_bytes());
        files.insert(entry.key.clone(), material.pkcs8_pem.clone().into_bytes());
        files.insert(entry.chain.clone(), chain_pem.into_bytes());
        files.insert(format!("{dir}/bundle.p12"), p12);
        if let (true, Some(issuer)) = (row.revoked, row.issuer) {
            revoked.entry(issuer).or_default().push(RevokedCertParams {
                serial_number: SerialNumber::from_slice(&serial(opts.seed, row.name)),
                revocation_time: now,
                reason_code: Some(RevocationReason::KeyCompromise),
                invalidity_date: None,
            });
        }
        identities.push(entry);
    }

    // One CRL per trusted CA, listing the revoked certificates it issued; the ones without
    // are empty but published, so that a verifier checking the whole chain finds a CRL for
    // every issuer.
    let mut crls = Vec::new();
    let crl_validity = Duration::days(i64::from(opts.validity_days.max(30)));
    for row in trusted() {
        let name = row.name;
        let issuer = cas
            .get(name)
            .ok_or_else(|| CertsError::generation(format!("the {name} crl"), "ca missing"))?;
        let params = CertificateRevocationListParams {
            this_update: now,
            next_update: now + crl_validity,
            crl_number: SerialNumber::from_slice(&[1]),
            issuing_distribution_point: None,
            revoked_certs: revoked.remove(name).unwrap_or_default(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        let crl = params
            .signed_by(&issuer.issuer()?)
            .map_err(|e| CertsError::generation(format!("the {name} crl"), e))?;
        let der = crl.der().to_vec();
        let pem = crl
            .pem()
            .map_err(|e| CertsError::generation(format!("the {name} crl"), e))?;
        let entry = CrlEntry {
            name: name.to_owned(),
            issuer: String::new(),
            pem: format!("crl/{name}.crl.pem"),
            der: format!("crl/{name}.crl.der"),
            this_update: String::new(),
            next_update: String::new(),
            revoked_serials: Vec::new(),
        };
        let entry = facts::crl_facts(&der, entry)?;
        files.insert(entry.pem.clone(), pem.into_bytes());
        files.insert(entry.der.clone(), der);
        crls.push(entry);
    }
    if let Some(issuer) = revoked.keys().next() {
        return Err(CertsError::generation(
            format!("the revocation of a certificate issued by {issuer}"),
            "only a trusted ca publishes a crl",
        ));
    }

    let index = Index {
        format: INDEX_FORMAT,
        generator: generator_name(),
        seed: opts.seed,
        now: facts::rfc3339(now),
        structure_id: opts.structure_id.clone(),
        organisation: opts.organisation.clone(),
        p12_password: opts.p12_password.clone(),
        p12_encryption: pkcs12::ENCRYPTION_DESCRIPTION.to_owned(),
        cas: ca_entries,
        crls,
        identities,
    };
    // One line per value: easier to read and to grep than folded block scalars.
    let mut yaml_options = serde_saphyr::SerializerOptions::default();
    yaml_options.prefer_block_scalars = false;
    let yaml = serde_saphyr::to_string_with_options(&index, yaml_options)
        .map_err(|e| CertsError::generation(INDEX_FILE, e))?;
    files.insert(INDEX_FILE.to_owned(), yaml.into_bytes());
    Ok(GeneratedPki { files, index })
}

struct Keys {
    pkcs8_der: Vec<u8>,
    pkcs8_pem: String,
}

impl Keys {
    fn rcgen(&self) -> Result<KeyPair, CertsError> {
        KeyPair::from_pkcs8_der_and_sign_algo(
            &PrivatePkcs8KeyDer::from(self.pkcs8_der.as_slice()),
            &rcgen::PKCS_RSA_SHA256,
        )
        .map_err(|e| CertsError::generation("an rsa key pair", e))
    }
}

struct CaMaterial {
    params: CertificateParams,
    key: KeyPair,
    pem: String,
    /// This CA's certificate followed by its ancestors' (DER), root last.
    chain_up: Vec<Vec<u8>>,
}

impl CaMaterial {
    fn issuer(&self) -> Result<Issuer<'_, &KeyPair>, CertsError> {
        Ok(Issuer::from_params(&self.params, &self.key))
    }
}

/// Generates every RSA key, spread over the available cores. Each key depends only on the seed
/// and its name, so the order in which threads finish does not matter.
fn generate_keys(seed: u64) -> Result<BTreeMap<&'static str, Keys>, CertsError> {
    let names = catalogue::key_names();
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, names.len());
    let results: Vec<Result<Vec<(&'static str, Keys)>, CertsError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                let names = &names;
                scope.spawn(move || {
                    names
                        .iter()
                        .skip(worker)
                        .step_by(workers)
                        .map(|name| Ok((*name, make_key(seed, name)?)))
                        .collect::<Result<Vec<_>, CertsError>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle.join().unwrap_or_else(|_| {
                    Err(CertsError::generation(
                        "rsa keys",
                        "a key generation thread panicked",
                    ))
                })
            })
            .collect()
    });
    let mut keys = BTreeMap::new();
    for batch in results {
        keys.extend(batch?);
    }
    Ok(keys)
}

fn make_key(seed: u64, name: &str) -> Result<Keys, CertsError> {
    let what = || format!("the rsa key of {name}");
    let mut rng = ChaCha20Rng::from_seed(derive(seed, "key", name));
    let key = rsa::RsaPrivateKey::new(&mut rng, RSA_BITS)
        .map_err(|e| CertsError::generation(what(), e))?;
    let pkcs8_der = key
        .to_pkcs8_der()
        .map_err(|e| CertsError::generation(what(), e))?
        .as_bytes()
        .to_vec();
    let pkcs8_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| CertsError::generation(what(), e))?
        .to_string();
    Ok(Keys {
        pkcs8_der,
        pkcs8_pem,
    })
}

/// The `generator` field of `index.yaml`: crate version and output revision.
pub fn generator_name() -> String {
    format!(
        "insilab-certs {} revision {GENERATOR_REVISION}",
        env!("CARGO_PKG_VERSION")
    )
}

/// SHA-256 of a purpose label, the seed and a name: the seed of one RNG or serial.
fn derive(seed: u64, purpose: &str, name: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"insilab-certs/v1/");
    hasher.update(purpose.as_bytes());
    hasher.update([0]);
    hasher.update(seed.to_be_bytes());
    hasher.update(name.as_bytes());
    hasher.finalize().into()
}

/// A 16-byte positive serial number whose first byte is never zero (so its DER form keeps
/// all 16 bytes).
fn serial(seed: u64, name: &str) -> [u8; 16] {
    let digest = derive(seed, "serial", name);
    let mut serial = [0u8; 16];
    serial.copy_from_slice(&digest[..16]);
    serial[0] = (serial[0] & 0x3F) | 0x40;
    serial
}

fn base_params(
    subject: &Dn,
    serial: [u8; 16],
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<CertificateParams, CertsError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = subject.to_rcgen()?;
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    params.not_before = not_before;
    params.not_after = not_after;
    params.use_authority_key_identifier_extension = true;
    Ok(params)
}

fn san_type(san: &str) -> Result<SanType, CertsError> {
    if let Ok(ip) = san.parse::<std::net::IpAddr>() {
        return Ok(SanType::IpAddress(ip));
    }
    let name = san
        .to_owned()
        .try_into()
        .map_err(|e| CertsError::InvalidOption {
            option: "--san",
            reason: format!("{san:?}: {e}"),
        })?;
    Ok(SanType::DnsName(name))
}

fn validate(opts: &PkiOptions) -> Result<(), CertsError> {
    for (option, value) in [
        ("--structure-id", &opts.structure_id),
        ("--organisation", &opts.organisation),
    ] {
        let chars = value.chars().count();
        if value.trim().is_empty()
            || chars > MAX_DN_VALUE_CHARS
            || value.chars().any(char::is_control)
        {
            return Err(CertsError::InvalidOption {
                option,
                reason: format!("{value:?} must be 1 to {MAX_DN_VALUE_CHARS} printable characters"),
            });
        }
    }
    if opts.extra_sans.len() > MAX_EXTRA_SANS {
        return Err(CertsError::InvalidOption {
            option: "--san",
            reason: format!(
                "{} names given, at most {MAX_EXTRA_SANS} accepted",
                opts.extra_sans.len()
            ),
        });
    }
    for san in &opts.extra_sans {
        let valid_dns = !san.is_empty()
            && san.len() <= MAX_SAN_CHARS
            && san.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '*')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            });
        if !valid_dns && san.parse::<std::net::IpAddr>().is_err() {
            return Err(CertsError::InvalidOption {
                option: "--san",
                reason: format!("{san:?} is neither a dns name nor an ip address"),
            });
        }
    }
    let password_chars = opts.p12_password.chars().count();
    if password_chars == 0 || password_chars > MAX_P12_PASSWORD_CHARS {
        return Err(CertsError::InvalidOption {
            option: "--p12-password",
            reason: format!("must be 1 to {MAX_P12_PASSWORD_CHARS} characters"),
        });
    }
    if opts.validity_days == 0 || opts.validity_days > 3650 {
        return Err(CertsError::InvalidOption {
            option: "validity_days",
            reason: format!("{} is outside 1..=3650", opts.validity_days),
        });
    }
    Ok(())
}

/// PEM with 64-column lines and LF endings, as rcgen and OpenSSL write it.
pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in encoded.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> PkiOptions {
        PkiOptions::default()
    }

    #[test]
    fn organisation_and_structure_id_are_limited_to_64_characters() {
        let mut opts = options();
        opts.organisation = "O".repeat(MAX_DN_VALUE_CHARS);
        opts.structure_id = "1".repeat(MAX_DN_VALUE_CHARS);
        assert!(validate(&opts).is_ok());
        opts.organisation.push('O');
        assert!(matches!(
            validate(&opts),
            Err(CertsError::InvalidOption {
                option: "--organisation",
                ..
            })
        ));
        let mut opts = options();
        opts.structure_id = String::new();
        assert!(matches!(
            validate(&opts),
            Err(CertsError::InvalidOption {
                option: "--structure-id",
                ..
            })
        ));
    }

    #[test]
    fn sans_must_be_dns_names_or_ip_addresses_within_limits() {
        let mut opts = options();
        opts.extra_sans = vec![
            "insi.example.test".into(),
            "10.0.0.1".into(),
            "fe80::1".into(),
            "*.local".into(),
        ];
        assert!(validate(&opts).is_ok());
        for bad in [
            "",
            "a b",
            "-bad.example",
            "bad..example",
            &"a".repeat(MAX_SAN_CHARS + 1),
        ] {
            opts.extra_sans = vec![bad.to_owned()];
            assert!(validate(&opts).is_err(), "{bad:?} accepted");
        }
        opts.extra_sans = vec!["host".to_owned(); MAX_EXTRA_SANS];
        assert!(validate(&opts).is_ok());
        opts.extra_sans.push("host".to_owned());
        assert!(validate(&opts).is_err());
    }

    #[test]
    fn the_p12_password_is_between_1_and_128_characters() {
        let mut opts = options();
        opts.p12_password = "p".repeat(MAX_P12_PASSWORD_CHARS);
        assert!(validate(&opts).is_ok());
        opts.p12_password.push('p');
        assert!(validate(&opts).is_err());
        opts.p12_password = String::new();
        assert!(validate(&opts).is_err());
    }

    #[test]
    fn serials_are_positive_sixteen_byte_numbers_that_depend_on_seed_and_name() {
        let a = serial(1, "insi-auto");
        assert_eq!(a, serial(1, "insi-auto"));
        assert_ne!(a, serial(2, "insi-auto"));
        assert_ne!(a, serial(1, "insi-manu"));
        for name in catalogue::key_names() {
            let s = serial(7, name);
            assert!(s[0] & 0x80 == 0 && s[0] != 0, "{name}: {s:?}");
        }
    }
}
