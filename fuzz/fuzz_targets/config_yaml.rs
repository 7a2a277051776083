#![no_main]
//! Fuzz target `config_yaml`: see `insilab_fuzz_entries::config_yaml`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::config_yaml(data));
