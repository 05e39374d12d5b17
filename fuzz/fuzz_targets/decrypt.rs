//! Fuzz target `decrypt`: see `tessera_fuzz::targets::decrypt`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera_fuzz::targets::decrypt(data);
});
