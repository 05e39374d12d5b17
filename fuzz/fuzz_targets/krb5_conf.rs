//! Fuzz target `krb5_conf`: see `tessera_fuzz::targets::krb5_conf`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera_fuzz::targets::krb5_conf(data);
});
