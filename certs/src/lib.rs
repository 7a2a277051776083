//! insilab-certs: the generated test PKI shaped like the IGC-Santé test hierarchy
//! (root, organisation and personal intermediates, server and client identities, the
//! negative catalogue, CRL, PKCS#12 bundles, `index.yaml`), and rustls configurations built from it.
#![forbid(unsafe_code)]

