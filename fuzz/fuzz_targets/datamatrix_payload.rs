#![no_main]
//! Fuzz target `datamatrix_payload`: see `insilab_fuzz_entries::datamatrix_payload`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::datamatrix_payload(data));
