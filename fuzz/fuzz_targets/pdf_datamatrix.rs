#![no_main]
//! Fuzz target `pdf_datamatrix`: see `insilab_fuzz_entries::pdf_datamatrix`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::pdf_datamatrix(data));
