//! Getting tickets from a KDC: the AS exchange (password or keytab, with
//! PA-ENC-TIMESTAMP pre-authentication), the TGS exchange (service
//! tickets, renewal), UDP/TCP transport with failover, and credential
//! cache bookkeeping.
//!
//! ```no_run
//! # use tessera_client::kdc_client::{blocking, InitialSecret};
//! # use tessera_client::ccache::CcacheName;
//! let client = blocking::Client::from_default_config()?;
//! let me = client.inner().parse_principal("alice")?;
//! let opts = client.inner().as_options();
//! let secret = InitialSecret::Password("s3cret".into());
//! client.kinit(&CcacheName::default_name()?, &me, None, &secret, &opts)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod as_client;
pub mod blocking;
mod client;
mod creds;
mod error;
mod reply;
pub mod s2k_limits;
pub mod tgs_client;
pub mod transport;

#[cfg(test)]
mod s2k_tests;
#[cfg(test)]
mod tests;

pub use as_client::{InitialSecret, default_salt, get_initial_creds};
pub use client::{Client, DEFAULT_TICKET_LIFETIME, cache_principal};
pub use creds::{Creds, TicketOptions, default_enctypes, parse_enctypes};
pub use error::KdcClientError;
pub use s2k_limits::{S2kLimits, S2kOutOfRange};
pub use tgs_client::{TgsKind, get_service_creds, renew_creds, tgs_exchange};
pub use transport::KdcTransport;
