//! Fuzz target `priv_safe`: see `tessera_fuzz::targets::priv_safe`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera_fuzz::targets::priv_safe(data);
});
