#![no_main]
//! Fuzz target `fhir`: see `insilab_fuzz_entries::fhir`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::fhir(data));
