//! Typed errors of the crypto framework.

use super::enctype::{ChecksumType, EncType};

/// Why a set of string-to-key parameters (`s2kparams`) was refused.
///
/// The parameters often come from a peer (ETYPE-INFO2 in a KDC reply), so
/// every bound is checked before any work is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum S2kParamsError {
    /// The encoded parameters have the wrong length for the enctype.
    #[error("s2kparams must be {expected} bytes, got {got}")]
    WrongLength {
        /// Length the enctype requires.
        expected: usize,
        /// Length received.
        got: usize,
    },
    /// A PBKDF2 iteration count outside the accepted range.
    #[error("PBKDF2 iteration count {0} is outside the accepted range")]
    Iterations(u32),
    /// An Argon2 memory cost (KiB) outside the accepted range.
    #[error("Argon2 memory cost {0} KiB is outside the accepted range")]
    Memory(u32),
    /// An Argon2 time cost (passes) outside the accepted range.
    #[error("Argon2 time cost {0} is outside the accepted range")]
    Time(u32),
    /// An Argon2 parallelism outside the accepted range.
    #[error("Argon2 parallelism {0} is outside the accepted range")]
    Parallelism(u32),
}

/// Every failure the crypto framework can report.
///
/// None of the variants carries key material, plaintext or passwords.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The encryption type number is not one Tessera implements.
    #[error("unsupported encryption type {0}")]
    UnsupportedEnctype(i32),
    /// The checksum type number is not one Tessera implements.
    #[error("unsupported checksum type {0}")]
    UnsupportedChecksumType(i32),
    /// Key bytes of the wrong length for the enctype.
    #[error("{etype} keys are {expected} bytes, got {got}")]
    BadKeyLength {
        /// Enctype the key was meant for.
        etype: EncType,
        /// Length that enctype needs.
        expected: usize,
        /// Length received.
        got: usize,
    },
    /// A confounder or nonce of the wrong length was supplied.
    #[error("confounder must be {expected} bytes, got {got}")]
    BadConfounderLength {
        /// Length the enctype needs.
        expected: usize,
        /// Length received.
        got: usize,
    },
    /// Decryption or checksum verification failed: wrong key, wrong key
    /// usage, or tampered data.
    #[error("integrity check failed")]
    IntegrityFailure,
    /// The ciphertext is shorter than the enctype's minimum.
    #[error("ciphertext too short: need at least {min} bytes, got {got}")]
    CiphertextTooShort {
        /// Minimum length for the enctype.
        min: usize,
        /// Length received.
        got: usize,
    },
    /// The checksum's type does not belong to the key's enctype.
    #[error("checksum type {got} cannot be verified with a key whose checksum type is {expected}")]
    ChecksumTypeMismatch {
        /// Checksum type of the key's enctype.
        expected: ChecksumType,
        /// Checksum type of the checksum presented.
        got: ChecksumType,
    },
    /// String-to-key parameters were refused.
    #[error("bad s2kparams: {0}")]
    BadS2kParams(#[from] S2kParamsError),
    /// The key derivation function failed (e.g. Argon2 could not allocate).
    #[error("key derivation failed")]
    KeyDerivation,
    /// The operating system's random number generator failed.
    #[error("random number generator failure")]
    Random,
    /// The plaintext is too long for the cipher.
    #[error("plaintext too long")]
    PlaintextTooLong,
    /// More PRF+ output was requested than the construction can give.
    #[error("PRF+ output of {0} bytes requested is too long")]
    PrfOutputTooLong(usize),
}
