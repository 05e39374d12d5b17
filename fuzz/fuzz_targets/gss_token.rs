//! Fuzz target `gss_token`: see `tessera_fuzz::targets::gss_token`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera_fuzz::targets::gss_token(data);
});
