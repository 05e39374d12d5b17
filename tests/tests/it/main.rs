//! Tessera's one integration-test binary: real sockets, real MIT peers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod mit_asrep;
mod mit_crypto;
mod mit_harness;
