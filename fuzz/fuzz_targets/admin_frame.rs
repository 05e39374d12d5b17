//! Fuzz target `admin_frame`: see `tessera_fuzz::targets::admin_frame`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera_fuzz::targets::admin_frame(data);
});
