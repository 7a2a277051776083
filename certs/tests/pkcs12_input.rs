//! The PKCS#12 reader takes files from users (their real IGC-Santé bundles): damaged or hostile
//! input must give an error, never a panic, and oversized input is refused before parsing.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on any unexpected error"
)]

use insilab_certs::pkcs12::{MAX_PKCS12_BYTES, read_pkcs12};
use insilab_certs::testing::shared_pki;
use proptest::prelude::*;

fn bundle() -> Vec<u8> {
    let pki = shared_pki().unwrap();
    std::fs::read(pki.identity("insi-auto").unwrap().p12_path.unwrap()).unwrap()
}

#[test]
fn input_over_the_limit_is_refused_before_parsing() {
    let mut data = bundle();
    data.resize(MAX_PKCS12_BYTES, 0);
    // At the limit the bytes are parsed (and the trailing zeros make it invalid DER)…
    let at_limit = read_pkcs12(&data, "insilab", "at-limit.p12")
        .unwrap_err()
        .to_string();
    assert!(!at_limit.contains("over the limit"), "{at_limit}");
    // …one byte more and it is refused for its size.
    data.push(0);
    let over = read_pkcs12(&data, "insilab", "over-limit.p12")
        .unwrap_err()
        .to_string();
    assert!(
        over.contains("over the limit") && over.contains("over-limit.p12"),
        "{over}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn damaged_bundles_give_errors_not_panics(flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4)) {
        let mut data = bundle();
        for (index, mask) in flips {
            let position = index.index(data.len());
            data[position] ^= mask;
        }
        // Most flips break the MAC or the DER; any result is fine as long as it returns.
        let _ = read_pkcs12(&data, "insilab", "damaged.p12");
    }

    #[test]
    fn random_bytes_give_errors_not_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(read_pkcs12(&data, "insilab", "random.p12").is_err());
    }
}
