//! Fuzz target `krb_priv`: the DER decoders listed for it in `src/targets.rs`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera_fuzz::targets::der_target("krb_priv", data);
});
