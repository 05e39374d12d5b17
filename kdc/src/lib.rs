//! The Tessera KDC: configuration, principal database, network edge, and
//! realm setup.
//!
//! * [`config::KdcConfig`]: the TOML configuration.
//! * [`db`]: the [`db::PrincipalStore`] trait and its SQLite backend.
//! * [`net`]: the tokio network edge over a sans-I/O [`net::RequestHandler`].
//! * [`realm`]: `init_realm` and `create_principal`.
//! * [`core`]: the sans-I/O AS/TGS exchanges ([`core::Kdc`]).
//! * [`handler`]: the request handler `serve` runs.
//! * [`dev`]: `tessera-kdc dev`, the development realm.
//! * [`kpasswd`]: the password change service (RFC 3244).
//! * [`admin_server`]: remote administration (server and client).
#![forbid(unsafe_code)]

pub mod admin;
pub mod admin_server;
pub mod config;
pub mod core;
pub mod db;
pub mod dev;
pub mod handler;
pub mod kpasswd;
pub mod net;
pub mod realm;
pub mod shutdown;
pub mod telemetry;
