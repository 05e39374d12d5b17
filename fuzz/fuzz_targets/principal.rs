//! Fuzz target `principal`: see `tessera_fuzz::targets::principal`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera_fuzz::targets::principal(data);
});
