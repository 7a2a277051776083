#![no_main]
//! Fuzz target `cpx_assertion`: see `insilab_fuzz_entries::cpx_assertion`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::cpx_assertion(data));
