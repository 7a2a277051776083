#![no_main]
//! Fuzz target `datamatrix_image`: see `insilab_fuzz_entries::datamatrix_image`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::datamatrix_image(data));
