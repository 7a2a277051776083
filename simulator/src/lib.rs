//! insilab-simulator: the mock INSi teleservice (mutual TLS, SOAP 1.2, dataset, overrides,
//! journal, admin API, metrics).
#![forbid(unsafe_code)]

