#![no_main]
//! Fuzz target `pkcs12`: see `insilab_fuzz_entries::pkcs12`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::pkcs12(data));
