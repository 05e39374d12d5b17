//! Kerberos V5 wire messages (RFC 4120), the RFC 3961 crypto framework, and
//! the authenticator replay cache every acceptor and the KDC share.
//!
//! No I/O, no clock, no async runtime: everything here is pure computation on
//! bytes handed in by the caller.
#![forbid(unsafe_code)]

pub mod crypto;
pub mod msg;
pub mod replay;
