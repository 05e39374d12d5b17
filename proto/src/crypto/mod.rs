//! The RFC 3961 crypto framework and every enctype Tessera speaks.
//!
//! * aes128/aes256-cts-hmac-sha1-96 (RFC 3962),
//! * aes128-cts-hmac-sha256-128 and aes256-cts-hmac-sha384-192 (RFC 8009),
//! * aes256-gcm-argon2id, Tessera's native enctype (`docs/enctypes.md`).
//!
//! Everything goes through [`Key`]: build one with [`Key::from_password`],
//! [`Key::from_bytes`] or [`Key::random`], then `encrypt`/`decrypt`,
//! `checksum`/`verify_checksum` or `prf` with a [`usage`] number.
//! Primitives come from RustCrypto; nothing here does I/O.

mod cf2;
pub mod cts;
mod enctype;
mod error;
mod key;
mod native;
mod nfold;
mod password;
mod prim;
mod rfc3962;
mod rfc8009;
pub mod usage;

pub use cf2::{cf2, prf_plus};
pub use enctype::{ChecksumType, EncType};
pub use error::{CryptoError, S2kParamsError};
pub use key::{Checksum, Key};
pub use native::Argon2Params;
pub use nfold::nfold;
pub use password::Password;

/// Key usage numbers as a type alias for readability at call sites.
pub type KeyUsage = u32;
