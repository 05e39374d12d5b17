//! The Tessera client library.
//!
//! File formats shared with MIT Kerberos: [`keytab`] (FILE keytabs),
//! [`ccache`] (FILE and MEMORY credential caches) and [`config`]
//! (krb5.conf).
#![forbid(unsafe_code)]

pub mod ap;
pub mod atomic_file;
mod bytes;
pub mod ccache;
pub mod config;
pub mod convert;
pub mod gss;
pub mod kdc_client;
pub mod keytab;
pub mod kpasswd;
pub mod priv_safe;
#[cfg(unix)]
pub mod prompt;
