//! Shared harness for Tessera's integration tests: MIT Kerberos and Heimdal as
//! reference peers, free loopback ports, temporary realms.
#![forbid(unsafe_code)]
// A test harness: a failed setup step must fail the test that called it.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

pub mod heimdal;
pub mod logs;
pub mod mit;
#[cfg(unix)]
pub mod pty;
pub mod realm;
pub mod secrets;
