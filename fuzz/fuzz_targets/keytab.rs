//! Fuzz target `keytab`: see `tessera_fuzz::targets::keytab`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera_fuzz::targets::keytab(data);
});
