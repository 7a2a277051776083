#![no_main]
//! Fuzz target `insi_request`: see `insilab_fuzz_entries::insi_request`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::insi_request(data));
