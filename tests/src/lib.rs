//! Shared harness for Tessera's integration tests: MIT Kerberos as the
//! reference peer, free loopback ports, temporary realms.
#![forbid(unsafe_code)]
// A test harness: a failed setup step must fail the test that called it.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

pub mod mit;
pub mod realm;
