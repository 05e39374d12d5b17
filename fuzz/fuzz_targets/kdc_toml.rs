//! Fuzz target `kdc_toml`: see `tessera_fuzz::targets::kdc_toml`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera_fuzz::targets::kdc_toml(data);
});
