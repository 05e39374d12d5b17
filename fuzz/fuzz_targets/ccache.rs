//! Fuzz target `ccache`: see `tessera_fuzz::targets::ccache`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera_fuzz::targets::ccache(data);
});
