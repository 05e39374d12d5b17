//! Command-line tools.
#![forbid(unsafe_code)]
