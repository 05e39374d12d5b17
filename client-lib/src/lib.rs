//! The Tessera client library.
#![forbid(unsafe_code)]
