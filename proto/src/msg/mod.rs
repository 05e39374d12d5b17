//! RFC 4120 wire messages and the typed API over them.
