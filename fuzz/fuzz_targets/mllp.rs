#![no_main]
//! Fuzz target `mllp`: see `insilab_fuzz_entries::mllp`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::mllp(data));
