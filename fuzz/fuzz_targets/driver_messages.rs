#![no_main]
//! Fuzz target `driver_messages`: see `insilab_fuzz_entries::driver_messages`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| insilab_fuzz_entries::driver_messages(data));
