//! Shared harness for Tessera's integration tests: MIT Kerberos as the
//! reference peer, free loopback ports, temporary realms.
#![forbid(unsafe_code)]

pub mod mit;
pub mod realm;
