#![no_main]
//! Fuzz target `dataset_yaml`: see `insilab_fuzz_entries::dataset_yaml`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::dataset_yaml(data));
