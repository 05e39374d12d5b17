//! Fuzz target `kpasswd_service`: see `tessera_fuzz::targets::kpasswd_service`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera_fuzz::targets::kpasswd_service(data);
});
