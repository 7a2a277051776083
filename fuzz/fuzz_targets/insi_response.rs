#![no_main]
//! Fuzz target `insi_response`: see `insilab_fuzz_entries::insi_response`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::insi_response(data));
