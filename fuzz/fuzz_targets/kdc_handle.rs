//! Fuzz target `kdc_handle`: see `tessera_fuzz::targets::kdc_handle`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera_fuzz::targets::kdc_handle(data);
});
