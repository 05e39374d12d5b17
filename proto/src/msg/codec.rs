//! DER encoding and decoding with size limits and typed errors.
//!
//! Every message from a peer should go through [`decode`] (or
//! [`decode_with_limit`]): it bounds the input size, rejects trailing bytes
//! after the top-level value, and reports which type failed to decode.

use rasn::{Decode, Encode};

/// Largest message [`decode`] accepts: 64 KiB.
///
/// Kerberos messages with a PAC or many tickets stay far below this; MIT's
/// KDC refuses TCP requests above 1 MiB by default, so callers that need more
/// can use [`decode_with_limit`].
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 64 * 1024;

/// Why bytes could not be decoded into a Kerberos type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input was empty.
    #[error("cannot decode {what}: empty input")]
    Empty {
        /// The Rust type that was expected.
        what: &'static str,
    },
    /// The input was larger than the configured limit.
    #[error("cannot decode {what}: {len} bytes exceeds the {max}-byte limit")]
    TooLarge {
        /// The Rust type that was expected.
        what: &'static str,
        /// Input length in bytes.
        len: usize,
        /// The limit in force.
        max: usize,
    },
    /// The DER decoder rejected the input (bad tag, length, structure,
    /// trailing bytes, ...).
    #[error("cannot decode {what}: {detail}")]
    Asn1 {
        /// The Rust type that was expected.
        what: &'static str,
        /// The ASN.1 decoder's description of the failure.
        detail: String,
    },
    /// A field decoded but holds a value this API cannot represent.
    #[error("invalid {field} in {what}: {reason}")]
    InvalidField {
        /// The message or structure.
        what: &'static str,
        /// The field name.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// Why a value could not be DER-encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode {what}: {detail}")]
pub struct EncodeError {
    /// The Rust type being encoded.
    pub what: &'static str,
    /// The ASN.1 encoder's description of the failure.
    pub detail: String,
}

/// Short name of a Rust type for error messages (`tessera::x::AsReq` -> `AsReq`).
pub(crate) fn short_type_name<T: ?Sized>() -> &'static str {
    let full = std::any::type_name::<T>();
    // Strip generic arguments before taking the last path segment.
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base)
}

/// Decodes one DER value of type `T` from `bytes`, which must hold exactly
/// that value and be at most [`DEFAULT_MAX_MESSAGE_SIZE`] bytes long.
pub fn decode<T: Decode>(bytes: &[u8]) -> Result<T, DecodeError> {
    decode_with_limit(bytes, DEFAULT_MAX_MESSAGE_SIZE)
}

/// Like [`decode`] with a caller-chosen size limit in bytes.
pub fn decode_with_limit<T: Decode>(bytes: &[u8], max_len: usize) -> Result<T, DecodeError> {
    let what = short_type_name::<T>();
    if bytes.is_empty() {
        return Err(DecodeError::Empty { what });
    }
    if bytes.len() > max_len {
        return Err(DecodeError::TooLarge {
            what,
            len: bytes.len(),
            max: max_len,
        });
    }
    rasn::der::decode::<T>(bytes).map_err(|e| DecodeError::Asn1 {
        what,
        detail: e.to_string(),
    })
}

/// DER-encodes `value`.
pub fn encode<T: Encode>(value: &T) -> Result<Vec<u8>, EncodeError> {
    rasn::der::encode(value).map_err(|e| EncodeError {
        what: short_type_name::<T>(),
        detail: e.to_string(),
    })
}
