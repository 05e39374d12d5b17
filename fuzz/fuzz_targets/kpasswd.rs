//! Fuzz target `kpasswd`: see `tessera_fuzz::targets::kpasswd`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera_fuzz::targets::kpasswd(data);
});
