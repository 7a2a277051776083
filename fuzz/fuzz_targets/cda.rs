#![no_main]
//! Fuzz target `cda`: see `insilab_fuzz_entries::cda`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::cda(data));
