//! The GSS-API Kerberos V5 mechanism (RFC 4121) over the AP exchange.
//!
//! * [`GssContext::initiate`] / [`GssInitiator::step`] on the client,
//!   [`GssContext::accept`] on the service: context tokens framed per
//!   RFC 2743 section 3.1 ([`framing`]).
//! * [`GssContext::wrap`] / [`GssContext::unwrap`] (with or without
//!   confidentiality) and [`GssContext::get_mic`] /
//!   [`GssContext::verify_mic`]: RFC 4121 per-message tokens
//!   ([`per_msg`]), with sequence numbers checked in order.
//! * [`stream`]: 4-byte length-prefixed tokens over a byte stream, and the
//!   echo service/client the examples run.
//!
//! Channel bindings are not supported: the initiator sends 16 zero bytes,
//! the acceptor ignores the binding hash. Credential delegation is not
//! supported.

mod checksum;
mod context;
pub mod framing;
pub mod per_msg;
pub mod stream;

pub use checksum::{GSS_CHECKSUM_TYPE, GssChecksum, GssFlags};
pub use context::{GssContext, GssInitiator, error_token};

use tessera_proto::crypto::CryptoError;

use crate::ap::ApError;

/// Why a GSS-API token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GssError {
    /// The AP exchange inside the context token failed.
    #[error(transparent)]
    Ap(#[from] ApError),
    /// A token is structurally invalid (GSS_S_DEFECTIVE_TOKEN).
    #[error("defective token: {0}")]
    DefectiveToken(&'static str),
    /// A context token for a mechanism other than Kerberos V5.
    #[error("context token is not for the Kerberos V5 mechanism")]
    BadMech,
    /// A per-message token's checksum or decryption failed (GSS_S_BAD_SIG).
    #[error("per-message token integrity check failed")]
    BadSig,
    /// A token with a sequence number already seen (GSS_S_DUPLICATE_TOKEN
    /// or GSS_S_OLD_TOKEN).
    #[error("duplicate or old token: sequence number {got}, expected {expected}")]
    Duplicate {
        /// Next sequence number expected.
        expected: u64,
        /// Sequence number received.
        got: u64,
    },
    /// A token arrived ahead of its turn (GSS_S_GAP_TOKEN).
    #[error("out-of-sequence token: sequence number {got}, expected {expected}")]
    Gap {
        /// Next sequence number expected.
        expected: u64,
        /// Sequence number received.
        got: u64,
    },
    /// A token that claims to come from our own side of the context.
    #[error("token was sent in the wrong direction (reflected?)")]
    WrongDirection,
    /// A token protected by an acceptor subkey the context does not have.
    #[error("token uses an acceptor subkey this context does not have")]
    NoAcceptorSubkey,
    /// A crypto operation failed for a reason other than integrity.
    #[error("crypto failure: {0}")]
    Crypto(CryptoError),
}

impl From<CryptoError> for GssError {
    fn from(e: CryptoError) -> Self {
        GssError::Crypto(e)
    }
}
