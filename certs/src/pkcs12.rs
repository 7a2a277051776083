//! PKCS#12 bundles: a small deterministic writer (PBES2 AES-256-CBC with PBKDF2-HMAC-SHA256 for
//! the key and the certificates, HMAC-SHA256 integrity MAC, as OpenSSL 3 writes by default) and
//! a reader for bundles made by us or by other tools.
//!
//! Why a writer of our own: the maintained PKCS#12 writer on crates.io (`p12-keystore`) draws
//! its salts and IVs from the operating system's random source, which would make two runs with
//! the same seed differ. The structure is small (RFC 7292), so it is written here with a few DER
//! helpers; the encryption itself is RustCrypto's `pkcs5` and the output is checked in the tests
//! by OpenSSL and by `p12-keystore`'s reader.

use hmac::{Hmac, Mac};
use pkcs5::der::Encode as _;
use rand_core::RngCore;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};

use crate::CertsError;

/// PBKDF2 iterations of the key and certificate encryption (OpenSSL 3's default).
pub const PBKDF2_ITERATIONS: u32 = 2048;
/// Iterations of the PKCS#12 KDF that derives the MAC key (OpenSSL 3's default).
pub const MAC_ITERATIONS: u32 = 2048;
/// Largest PKCS#12 file [`read_pkcs12`] accepts, in bytes (a bundle holds a few certificates).
pub const MAX_PKCS12_BYTES: usize = 1 << 20;
/// What the bundles use, as recorded in `index.yaml`.
pub const ENCRYPTION_DESCRIPTION: &str =
    "PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), MAC HMAC-SHA256, 2048 iterations";

// Object identifiers, DER content octets.
const OID_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01];
const OID_ENCRYPTED_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x06];
const OID_SHROUDED_KEY_BAG: &[u8] = &[
    0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x02,
];
const OID_CERT_BAG: &[u8] = &[
    0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x03,
];
const OID_X509_CERTIFICATE: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x16, 0x01];
const OID_FRIENDLY_NAME: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x14];
const OID_LOCAL_KEY_ID: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x15];
// 2.16.840.1.113894.746875.1.1, Oracle's "trusted key usage" bag attribute.
const OID_ORACLE_TRUSTED_KEY_USAGE: &[u8] = &[
    0x60, 0x86, 0x48, 0x01, 0x86, 0xF9, 0x66, 0xAD, 0xCA, 0x7B, 0x01, 0x01,
];
// 2.5.29.37.0, anyExtendedKeyUsage.
const OID_ANY_EXTENDED_KEY_USAGE: &[u8] = &[0x55, 0x1D, 0x25, 0x00];
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];

/// Writes a PKCS#12 bundle holding `key` (PKCS#8 DER) with `cert` (DER) under `friendly_name`,
/// followed by the `ca_certs` (intermediates, then root). Salts and IVs come from `rng`, so the
/// same RNG state gives the same bytes.
pub fn write_pkcs12(
    friendly_name: &str,
    key_pkcs8: &[u8],
    cert: &[u8],
    ca_certs: &[&[u8]],
    password: &str,
    rng: &mut impl RngCore,
) -> Result<Vec<u8>, CertsError> {
    let what = || format!("pkcs#12 bundle of {friendly_name}");
    // The local key id ties the key bag to its certificate bag; readers (Java's keystore in
    // particular) match them on it.
    let local_key_id = Sha256::digest(cert).to_vec();
    let attributes = set(&[
        &seq(&[&oid(OID_FRIENDLY_NAME), &set(&[&bmp_string(friendly_name)])]),
        &seq(&[
            &oid(OID_LOCAL_KEY_ID),
            &set(&[&octet_string(&local_key_id)]),
        ]),
    ]);

    let mut cert_bags = vec![cert_bag(cert, Some(&attributes))];
    cert_bags.extend(ca_certs.iter().map(|ca| cert_bag(ca, None)));
    let cert_safe_contents = seq_vec(&cert_bags);
    let (cert_alg, cert_ciphertext) = pbes2_encrypt(password, &cert_safe_contents, rng)
        .map_err(|e| CertsError::generation(what(), e))?;
    let encrypted_certs = seq(&[
        &oid(OID_ENCRYPTED_DATA),
        &explicit0(&seq(&[
            &integer(0),
            &seq(&[&oid(OID_DATA), &cert_alg, &tlv(0x80, &cert_ciphertext)]),
        ])),
    ]);

    let (key_alg, key_ciphertext) =
        pbes2_encrypt(password, key_pkcs8, rng).map_err(|e| CertsError::generation(what(), e))?;
    let key_bag = seq(&[
        &oid(OID_SHROUDED_KEY_BAG),
        &explicit0(&seq(&[&key_alg, &octet_string(&key_ciphertext)])),
        &attributes,
    ]);
    let key_data = seq(&[&oid(OID_DATA), &explicit0(&octet_string(&seq(&[&key_bag])))]);

    let auth_safe = seq(&[&encrypted_certs, &key_data]);
    seal(&auth_safe, password, rng).map_err(|e| CertsError::generation(what(), e))
}

/// Writes a PKCS#12 trust store: the `(alias, DER)` certificates, without any key, each marked
/// as trusted for any purpose the way Java's keystore expects (Oracle's `trustedKeyUsage`
/// attribute), so that `keytool` and the JDK list them as trusted certificate entries.
pub fn write_pkcs12_truststore(
    certs: &[(&str, &[u8])],
    password: &str,
    rng: &mut impl RngCore,
) -> Result<Vec<u8>, CertsError> {
    let what = || "pkcs#12 trust store".to_owned();
    let bags: Vec<Vec<u8>> = certs
        .iter()
        .map(|(alias, der)| {
            let attributes = set(&[
                &seq(&[&oid(OID_FRIENDLY_NAME), &set(&[&bmp_string(alias)])]),
                &seq(&[
                    &oid(OID_ORACLE_TRUSTED_KEY_USAGE),
                    &set(&[&oid(OID_ANY_EXTENDED_KEY_USAGE)]),
                ]),
            ]);
            cert_bag(der, Some(&attributes))
        })
        .collect();
    let (alg, ciphertext) = pbes2_encrypt(password, &seq_vec(&bags), rng)
        .map_err(|e| CertsError::generation(what(), e))?;
    let encrypted_certs = seq(&[
        &oid(OID_ENCRYPTED_DATA),
        &explicit0(&seq(&[
            &integer(0),
            &seq(&[&oid(OID_DATA), &alg, &tlv(0x80, &ciphertext)]),
        ])),
    ]);
    seal(&seq(&[&encrypted_certs]), password, rng).map_err(|e| CertsError::generation(what(), e))
}

/// Wraps an AuthenticatedSafe into a PFX with its HMAC-SHA256 integrity MAC.
fn seal(auth_safe: &[u8], password: &str, rng: &mut impl RngCore) -> Result<Vec<u8>, String> {
    let mut mac_salt = [0u8; 16];
    rng.fill_bytes(&mut mac_salt);
    let mac_key = pkcs12_kdf(password, &mac_salt, 3, MAC_ITERATIONS, 32);
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&mac_key).map_err(|e| e.to_string())?;
    mac.update(auth_safe);
    let digest = mac.finalize().into_bytes();
    let mac_data = seq(&[
        &seq(&[
            &seq(&[&oid(OID_SHA256), &[0x05, 0x00]]),
            &octet_string(&digest),
        ]),
        &octet_string(&mac_salt),
        &integer(MAC_ITERATIONS),
    ]);
    Ok(seq(&[
        &integer(3),
        &seq(&[&oid(OID_DATA), &explicit0(&octet_string(auth_safe))]),
        &mac_data,
    ]))
}

/// Reads a PKCS#12 bundle (ours, or one written by OpenSSL, Java, .NET…) and returns the
/// certificate chain (end entity first, no self-signed root) and the private key, ready for
/// rustls. `what` names the source in errors.
pub fn read_pkcs12(
    data: &[u8],
    password: &str,
    what: &str,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), CertsError> {
    if data.len() > MAX_PKCS12_BYTES {
        return Err(CertsError::decode(
            what,
            format!(
                "{} bytes is over the limit of {MAX_PKCS12_BYTES}",
                data.len()
            ),
        ));
    }
    let store = p12_keystore::KeyStore::from_pkcs12(
        data,
        password,
        p12_keystore::Pkcs12ImportPolicy::Strict,
    )
    .map_err(|e| CertsError::decode(what, e))?;
    let (_alias, chain) = store
        .private_key_chain()
        .ok_or_else(|| CertsError::decode(what, "no private key with a matching certificate"))?;
    let certs = chain
        .certs()
        .iter()
        .enumerate()
        .filter(|(position, cert)| *position == 0 || cert.subject() != cert.issuer())
        .map(|(_, cert)| CertificateDer::from(cert.as_der().to_vec()))
        .collect::<Vec<_>>();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(chain.key().as_der().to_vec()));
    Ok((certs, key))
}

fn cert_bag(cert: &[u8], attributes: Option<&[u8]>) -> Vec<u8> {
    let value = explicit0(&seq(&[
        &oid(OID_X509_CERTIFICATE),
        &explicit0(&octet_string(cert)),
    ]));
    match attributes {
        Some(attributes) => seq(&[&oid(OID_CERT_BAG), &value, attributes]),
        None => seq(&[&oid(OID_CERT_BAG), &value]),
    }
}

/// Encrypts with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC); returns the DER AlgorithmIdentifier
/// and the ciphertext. PBES2 takes the password as its UTF-8 bytes (RFC 7292 appendix B.1 only
/// applies to the PKCS#12 KDF used for the MAC).
fn pbes2_encrypt(
    password: &str,
    plaintext: &[u8],
    rng: &mut impl RngCore,
) -> Result<(Vec<u8>, Vec<u8>), String> {
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    let mut iv = [0u8; 16];
    rng.fill_bytes(&mut iv);
    let params = pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(PBKDF2_ITERATIONS, &salt, &iv)
        .map_err(|e| e.to_string())?;
    let ciphertext = params
        .encrypt(password.as_bytes(), plaintext)
        .map_err(|e| e.to_string())?;
    let algorithm = pkcs5::EncryptionScheme::Pbes2(params)
        .to_der()
        .map_err(|e| e.to_string())?;
    Ok((algorithm, ciphertext))
}

/// The PKCS#12 key derivation function of RFC 7292 appendix B.2, with SHA-256 (u = 32, v = 64).
/// `id` is 1 (key), 2 (IV) or 3 (MAC key).
fn pkcs12_kdf(password: &str, salt: &[u8], id: u8, iterations: u32, out_len: usize) -> Vec<u8> {
    const U: usize = 32;
    const V: usize = 64;
    // BMPString with a trailing NUL, as the RFC (and every implementation) formats passwords.
    let mut password_bytes: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
    password_bytes.extend_from_slice(&[0, 0]);
    let stretch = |input: &[u8]| -> Vec<u8> {
        if input.is_empty() {
            return Vec::new();
        }
        let len = V * input.len().div_ceil(V);
        input.iter().copied().cycle().take(len).collect()
    };
    let mut i_block = stretch(salt);
    i_block.extend(stretch(&password_bytes));

    let mut out = Vec::with_capacity(out_len + U);
    while out.len() < out_len {
        let mut hasher = Sha256::new();
        hasher.update([id; V]);
        hasher.update(&i_block);
        let mut a = hasher.finalize();
        for _ in 1..iterations {
            a = Sha256::digest(a);
        }
        out.extend_from_slice(&a);
        let b: Vec<u8> = a.iter().copied().cycle().take(V).collect();
        // I_j = (I_j + B + 1) mod 2^(8v), for each v-byte block of I.
        for chunk in i_block.chunks_mut(V) {
            let mut carry: u16 = 1;
            for (x, y) in chunk.iter_mut().rev().zip(b.iter().rev()) {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = (sum & 0xFF) as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(out_len);
    out
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn seq_vec(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn set(parts: &[&[u8]]) -> Vec<u8> {
    // DER sorts SET OF members by their encoding.
    let mut sorted: Vec<&[u8]> = parts.to_vec();
    sorted.sort();
    tlv(0x31, &sorted.concat())
}

fn oid(content: &[u8]) -> Vec<u8> {
    tlv(0x06, content)
}

fn octet_string(content: &[u8]) -> Vec<u8> {
    tlv(0x04, content)
}

fn explicit0(content: &[u8]) -> Vec<u8> {
    tlv(0xA0, content)
}

fn bmp_string(text: &str) -> Vec<u8> {
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    tlv(0x1E, &bytes)
}

fn integer(value: u32) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(3);
    let mut content = bytes[skip..].to_vec();
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    tlv(0x02, &content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths_use_the_long_form_from_128_bytes() {
        assert_eq!(tlv(0x04, &[0; 127])[..2], [0x04, 0x7F]);
        assert_eq!(tlv(0x04, &[0; 128])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(tlv(0x04, &[0; 256])[..4], [0x04, 0x82, 0x01, 0x00]);
    }

    #[test]
    fn integers_are_minimal_and_positive() {
        assert_eq!(integer(0), [0x02, 0x01, 0x00]);
        assert_eq!(integer(3), [0x02, 0x01, 0x03]);
        assert_eq!(integer(128), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(integer(2048), [0x02, 0x02, 0x08, 0x00]);
    }

    #[test]
    fn pkcs12_kdf_spans_several_hash_blocks() {
        let short = pkcs12_kdf("insilab", b"salt", 3, 2, 32);
        let long = pkcs12_kdf("insilab", b"salt", 3, 2, 80);
        assert_eq!(long.len(), 80);
        assert_eq!(&long[..32], &short[..]);
        assert_ne!(pkcs12_kdf("insilab", b"salt", 1, 2, 32), short);
    }
}
