//! Fuzz target `crypto_diff`: see `tessera_fuzz::targets::crypto_diff`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera_fuzz::targets::crypto_diff(data);
});
