#![no_main]
//! Fuzz target `hl7_er7`: see `insilab_fuzz_entries::hl7_er7`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::hl7_er7(data));
