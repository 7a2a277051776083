#![no_main]
//! Fuzz target `overrides`: see `insilab_fuzz_entries::overrides`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::overrides(data));
