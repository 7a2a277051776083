//! The one wrapper around the XML-signature library (`bergshamra`): signing a template and
//! verifying one given `ds:Signature` of a parsed document. Canonicalisation, digests and RSA
//! are the library's; this module only chooses its hardened settings and maps its answers.

use bergshamra::dsig::verify::verify_all_document;
use bergshamra::{DsigContext, KeysManager, VerifyResult};
use uppsala::{Document, NodeId};

use super::{AssertionError, DSIG_NS};

/// Minimum HMAC output length in bits (CVE-2009-0217); HMAC is refused earlier anyway.
const HMAC_MIN_OUT_BITS: usize = 160;

/// The hardened verification context: signature-wrapping defence on (a reference must designate
/// the signature's parent, an ancestor or a sibling), every reference digest computed locally,
/// the key taken from `KeyInfo` (its certificate is then checked by the caller against the
/// "personnes" CA, the CRL and the clock). SHA-1 is not even compiled in (no
/// `legacy-algorithms` feature).
fn verification_context() -> DsigContext {
    let mut ctx = DsigContext::new_permissive(KeysManager::new());
    ctx.strict_verification = true;
    ctx.require_reference_digests = true;
    ctx.hmac_min_out_len = HMAC_MIN_OUT_BITS;
    ctx.insecure = false;
    ctx
}

/// Signs `template` (an XML document holding one `ds:Signature` with empty `DigestValue` and
/// `SignatureValue`) with the RSA key `key_pkcs8_pem`; returns the signed document.
pub fn sign_template(template: &str, key_pkcs8_pem: &str) -> Result<String, AssertionError> {
    let key = bergshamra::keys::loader::load_rsa_private_pem(key_pkcs8_pem.as_bytes())
        .map_err(|e| AssertionError::Key(e.to_string()))?;
    let mut keys = KeysManager::new();
    keys.add_key(key);
    let ctx = DsigContext::new_permissive(keys);
    bergshamra::sign(&ctx, template).map_err(|e| AssertionError::Sign(e.to_string()))
}

/// What the library said of one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureVerdict {
    /// The signature value and every reference digest verify; the references designate these
    /// nodes (in `Reference` order).
    Valid {
        /// Nodes the references resolved to.
        targets: Vec<Option<NodeId>>,
    },
    /// The library refused the signature, with its reason.
    Invalid(String),
}

/// Verifies the `ds:Signature` element `signature` of `doc`.
pub fn verify_signature(doc: &Document<'_>, signature: NodeId) -> SignatureVerdict {
    let ctx = verification_context();
    let results = match verify_all_document(&ctx, doc) {
        Ok(r) => r,
        Err(e) => return SignatureVerdict::Invalid(e.to_string()),
    };
    // The library answers one result per ds:Signature in document order.
    let position = signatures_in_order(doc)
        .iter()
        .position(|n| *n == signature);
    let Some(result) = position.and_then(|i| results.get(i)) else {
        return SignatureVerdict::Invalid("the signature was not processed".to_owned());
    };
    match result {
        VerifyResult::Valid {
            signature_node,
            references,
            ..
        } if *signature_node == signature => SignatureVerdict::Valid {
            targets: references.iter().map(|r| r.resolved_node).collect(),
        },
        VerifyResult::Valid { .. } => {
            SignatureVerdict::Invalid("another signature was verified".to_owned())
        }
        VerifyResult::Invalid { reason } => SignatureVerdict::Invalid(reason.clone()),
    }
}

/// Every `ds:Signature` element of `doc`, in document order.
fn signatures_in_order(doc: &Document<'_>) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut stack = vec![doc.root()];
    while let Some(node) = stack.pop() {
        if doc
            .element(node)
            .is_some_and(|e| e.name.matches(Some(DSIG_NS), "Signature"))
        {
            out.push(node);
        }
        let mut children = doc.children(node);
        children.reverse();
        stack.extend(children);
    }
    out
}
