//! The Tessera KDC.
#![forbid(unsafe_code)]
