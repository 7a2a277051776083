#![no_main]
//! Fuzz target `lint`: see `insilab_fuzz_entries::lint`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::lint(data));
