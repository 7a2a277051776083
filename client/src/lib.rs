//! insilab-client: the reference INSi client (request building, mutual TLS, the first-name
//! algorithm, answer checks, full trace of every attempt).
#![forbid(unsafe_code)]

