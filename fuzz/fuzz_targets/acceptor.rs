//! Fuzz target `acceptor`: see `tessera_fuzz::targets::acceptor`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera_fuzz::targets::acceptor(data);
});
