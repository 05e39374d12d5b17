//! Bodies of Tessera's fuzz targets, shared by the `fuzz_targets/*.rs`
//! binaries (one per decoder) and by the corpus seeder (`src/bin/seedgen.rs`).
//!
//! Every DER target checks, for each type it covers, that
//! 1. decoding arbitrary bytes never panics,
//! 2. whatever decodes re-encodes without error, and
//! 3. decoding that encoding gives the same value (`decode(encode(x)) == x`),
//!    and encoding it again gives the same bytes (DER is canonical).
//!
//! A failed property is reported with `panic!`, which libFuzzer records as a
//! crash with the input that caused it.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

pub mod forge;
pub mod mutate;
#[cfg(feature = "kdc")]
pub mod realm;
pub mod targets;

use std::fmt::Debug;

use rasn::{Decode, Encode};
use tessera_proto::msg;

/// Decodes `data` as a `T` with Tessera's bounded decoder; if that works,
/// checks the round-trip properties. Returns whether `data` decoded.
pub fn der_roundtrip<T>(data: &[u8]) -> bool
where
    T: Decode + Encode + PartialEq + Debug,
{
    let Ok(value) = msg::decode::<T>(data) else {
        return false;
    };
    let what = std::any::type_name::<T>();
    let encoded = match msg::encode(&value) {
        Ok(e) => e,
        Err(e) => panic!("{what}: decoded but does not re-encode: {e}"),
    };
    let again: T = match msg::decode_with_limit(&encoded, usize::MAX) {
        Ok(v) => v,
        Err(e) => panic!("{what}: own encoding does not decode: {e}"),
    };
    assert_eq!(again, value, "{what}: decode(encode(x)) != x");
    let encoded2 = msg::encode(&again).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(encoded2, encoded, "{what}: encoding is not stable");
    true
}

/// Decode only (no round trip): whether `data` is a valid `T`.
pub fn der_accepts<T: Decode>(data: &[u8]) -> bool {
    msg::decode::<T>(data).is_ok()
}
