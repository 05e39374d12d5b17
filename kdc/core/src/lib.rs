//! The sans-I/O heart of Tessera's KDC: what the KDC decides, with no
//! sockets, no database, no files and no clock (`now` is passed in).
//!
//! * [`entry`]: a principal as the KDC sees it (flags, keys, lockout state).
//! * [`stored_policy`]: the named password and lockout policies.
//! * [`lockout_rules`]: whether a principal is locked out now.
//! * [`store`]: the narrow, typed store interface the core reads through.
//! * [`handler`]: the [`handler::RequestHandler`] a network edge calls.
//! * [`time`]: whole-second, saturating time helpers.
//!
//! Its `Cargo.toml` is the boundary: `tessera-proto` and small pure crates
//! only (no tokio, no SQLite, no command-line or terminal crates).
#![forbid(unsafe_code)]

pub mod entry;
pub mod handler;
pub mod lockout_rules;
pub mod store;
pub mod stored_policy;
pub mod time;
