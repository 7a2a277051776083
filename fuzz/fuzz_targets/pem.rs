#![no_main]
//! Fuzz target `pem`: see `insilab_fuzz_entries::pem`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::pem(data));
