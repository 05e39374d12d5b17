//! Shared harness for integration tests: MIT tools, temporary realms.
#![forbid(unsafe_code)]
