//! Kerberos V5 wire messages (RFC 4120) and the RFC 3961 crypto framework.
//!
//! No I/O, no clock, no async runtime: everything here is pure computation on
//! bytes handed in by the caller.
#![forbid(unsafe_code)]

pub mod crypto;
pub mod msg;
