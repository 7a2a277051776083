#![no_main]
//! Fuzz target `soap_fault`: see `insilab_fuzz_entries::soap_fault`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::soap_fault(data));
