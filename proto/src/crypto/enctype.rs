//! Encryption and checksum type numbers, names and sizes.

use std::fmt;

use super::native::Argon2Params;

/// The encryption types Tessera implements.
///
/// Numbers are the IANA Kerberos "Encryption Type Numbers" except
/// [`EncType::Aes256GcmArgon2id`], which lives in the negative range
/// reserved for local use (see `docs/enctypes.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(i32)]
pub enum EncType {
    /// aes128-cts-hmac-sha1-96 (RFC 3962).
    Aes128CtsHmacSha196 = 17,
    /// aes256-cts-hmac-sha1-96 (RFC 3962).
    Aes256CtsHmacSha196 = 18,
    /// aes128-cts-hmac-sha256-128 (RFC 8009).
    Aes128CtsHmacSha256128 = 19,
    /// aes256-cts-hmac-sha384-192 (RFC 8009).
    Aes256CtsHmacSha384192 = 20,
    /// aes256-gcm-argon2id, Tessera's native enctype (local-use number).
    Aes256GcmArgon2id = -32341,
}

impl EncType {
    /// Every implemented enctype, strongest standard ones first.
    pub const ALL: [EncType; 5] = [
        EncType::Aes256CtsHmacSha384192,
        EncType::Aes128CtsHmacSha256128,
        EncType::Aes256CtsHmacSha196,
        EncType::Aes128CtsHmacSha196,
        EncType::Aes256GcmArgon2id,
    ];

    /// The enctype with this number, if implemented.
    pub fn from_i32(v: i32) -> Option<EncType> {
        match v {
            17 => Some(EncType::Aes128CtsHmacSha196),
            18 => Some(EncType::Aes256CtsHmacSha196),
            19 => Some(EncType::Aes128CtsHmacSha256128),
            20 => Some(EncType::Aes256CtsHmacSha384192),
            -32341 => Some(EncType::Aes256GcmArgon2id),
            _ => None,
        }
    }

    /// The enctype number as it appears on the wire.
    pub fn as_i32(self) -> i32 {
        self as i32
    }

    /// The canonical (MIT krb5) name.
    pub fn name(self) -> &'static str {
        match self {
            EncType::Aes128CtsHmacSha196 => "aes128-cts-hmac-sha1-96",
            EncType::Aes256CtsHmacSha196 => "aes256-cts-hmac-sha1-96",
            EncType::Aes128CtsHmacSha256128 => "aes128-cts-hmac-sha256-128",
            EncType::Aes256CtsHmacSha384192 => "aes256-cts-hmac-sha384-192",
            EncType::Aes256GcmArgon2id => "aes256-gcm-argon2id",
        }
    }

    /// Parse a name: canonical MIT names, MIT aliases (`aes128-cts`,
    /// `aes256-cts`, `aes128-sha1`, `aes256-sha1`, `aes128-sha2`,
    /// `aes256-sha2`), the family name `aes` (its first member,
    /// aes256-cts-hmac-sha1-96, as MIT lists it), or a decimal number.
    /// Case-insensitive.
    pub fn from_name(s: &str) -> Option<EncType> {
        let s = s.trim();
        if let Ok(n) = s.parse::<i32>() {
            return EncType::from_i32(n);
        }
        let lower = s.to_ascii_lowercase();
        match lower.as_str() {
            "aes128-cts-hmac-sha1-96" | "aes128-cts" | "aes128-sha1" => {
                Some(EncType::Aes128CtsHmacSha196)
            }
            "aes256-cts-hmac-sha1-96" | "aes256-cts" | "aes256-sha1" | "aes" => {
                Some(EncType::Aes256CtsHmacSha196)
            }
            "aes128-cts-hmac-sha256-128" | "aes128-sha2" => Some(EncType::Aes128CtsHmacSha256128),
            "aes256-cts-hmac-sha384-192" | "aes256-sha2" => Some(EncType::Aes256CtsHmacSha384192),
            "aes256-gcm-argon2id" => Some(EncType::Aes256GcmArgon2id),
            _ => None,
        }
    }

    /// Expand a name that may denote a family, in MIT's order: `aes` gives
    /// the four AES enctypes, `aes-sha1` and `aes-sha2` give two each; any
    /// name [`EncType::from_name`] accepts gives that one enctype.
    pub fn from_name_family(s: &str) -> Option<Vec<EncType>> {
        match s.trim().to_ascii_lowercase().as_str() {
            "aes" => Some(vec![
                EncType::Aes256CtsHmacSha196,
                EncType::Aes128CtsHmacSha196,
                EncType::Aes256CtsHmacSha384192,
                EncType::Aes128CtsHmacSha256128,
            ]),
            "aes-sha1" => Some(vec![
                EncType::Aes256CtsHmacSha196,
                EncType::Aes128CtsHmacSha196,
            ]),
            "aes-sha2" => Some(vec![
                EncType::Aes256CtsHmacSha384192,
                EncType::Aes128CtsHmacSha256128,
            ]),
            _ => EncType::from_name(s).map(|e| vec![e]),
        }
    }

    /// Length in bytes of a key of this enctype (and of random-to-key input).
    pub fn key_len(self) -> usize {
        match self {
            EncType::Aes128CtsHmacSha196 | EncType::Aes128CtsHmacSha256128 => 16,
            EncType::Aes256CtsHmacSha196
            | EncType::Aes256CtsHmacSha384192
            | EncType::Aes256GcmArgon2id => 32,
        }
    }

    /// The keyed checksum type that goes with this enctype.
    pub fn checksum_type(self) -> ChecksumType {
        match self {
            EncType::Aes128CtsHmacSha196 => ChecksumType::HmacSha196Aes128,
            EncType::Aes256CtsHmacSha196 => ChecksumType::HmacSha196Aes256,
            EncType::Aes128CtsHmacSha256128 => ChecksumType::HmacSha256128Aes128,
            EncType::Aes256CtsHmacSha384192 => ChecksumType::HmacSha384192Aes256,
            EncType::Aes256GcmArgon2id => ChecksumType::HmacSha256Argon,
        }
    }

    /// Bytes the ciphertext is longer than the plaintext (confounder or
    /// nonce plus integrity tag).
    pub fn ciphertext_overhead(self) -> usize {
        match self {
            EncType::Aes128CtsHmacSha196 | EncType::Aes256CtsHmacSha196 => 16 + 12,
            EncType::Aes128CtsHmacSha256128 => 16 + 16,
            EncType::Aes256CtsHmacSha384192 => 16 + 24,
            EncType::Aes256GcmArgon2id => 12 + 16,
        }
    }

    /// Length of the confounder (CTS enctypes) or nonce (native enctype)
    /// that [`crate::crypto::Key::encrypt_with_confounder`] expects.
    pub fn confounder_len(self) -> usize {
        match self {
            EncType::Aes256GcmArgon2id => 12,
            _ => 16,
        }
    }

    /// Length of the enctype's pseudo-random function output.
    pub fn prf_len(self) -> usize {
        match self {
            EncType::Aes128CtsHmacSha196 | EncType::Aes256CtsHmacSha196 => 16,
            EncType::Aes128CtsHmacSha256128 | EncType::Aes256GcmArgon2id => 32,
            EncType::Aes256CtsHmacSha384192 => 48,
        }
    }

    /// The default string-to-key parameters: a 4-byte big-endian PBKDF2
    /// iteration count for the AES enctypes (4096 for RFC 3962, 32768 for
    /// RFC 8009), or 12 bytes of Argon2 parameters for the native enctype.
    pub fn default_s2kparams(self) -> Vec<u8> {
        match self {
            EncType::Aes128CtsHmacSha196 | EncType::Aes256CtsHmacSha196 => {
                4096u32.to_be_bytes().to_vec()
            }
            EncType::Aes128CtsHmacSha256128 | EncType::Aes256CtsHmacSha384192 => {
                32768u32.to_be_bytes().to_vec()
            }
            EncType::Aes256GcmArgon2id => Argon2Params::DEFAULT.encode().to_vec(),
        }
    }
}

impl fmt::Display for EncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TryFrom<i32> for EncType {
    type Error = super::CryptoError;
    fn try_from(v: i32) -> Result<EncType, Self::Error> {
        EncType::from_i32(v).ok_or(super::CryptoError::UnsupportedEnctype(v))
    }
}

/// The keyed checksum types Tessera implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(i32)]
pub enum ChecksumType {
    /// hmac-sha1-96-aes128 (RFC 3962).
    HmacSha196Aes128 = 15,
    /// hmac-sha1-96-aes256 (RFC 3962).
    HmacSha196Aes256 = 16,
    /// hmac-sha256-128-aes128 (RFC 8009).
    HmacSha256128Aes128 = 19,
    /// hmac-sha384-192-aes256 (RFC 8009).
    HmacSha384192Aes256 = 20,
    /// hmac-sha256-128-argon, the native enctype's checksum (local-use number).
    HmacSha256Argon = -32341,
}

impl ChecksumType {
    /// Every implemented checksum type.
    pub const ALL: [ChecksumType; 5] = [
        ChecksumType::HmacSha196Aes128,
        ChecksumType::HmacSha196Aes256,
        ChecksumType::HmacSha256128Aes128,
        ChecksumType::HmacSha384192Aes256,
        ChecksumType::HmacSha256Argon,
    ];

    /// The checksum type with this number, if implemented.
    pub fn from_i32(v: i32) -> Option<ChecksumType> {
        match v {
            15 => Some(ChecksumType::HmacSha196Aes128),
            16 => Some(ChecksumType::HmacSha196Aes256),
            19 => Some(ChecksumType::HmacSha256128Aes128),
            20 => Some(ChecksumType::HmacSha384192Aes256),
            -32341 => Some(ChecksumType::HmacSha256Argon),
            _ => None,
        }
    }

    /// The checksum type number as it appears on the wire.
    pub fn as_i32(self) -> i32 {
        self as i32
    }

    /// The MIT-style name.
    pub fn name(self) -> &'static str {
        match self {
            ChecksumType::HmacSha196Aes128 => "hmac-sha1-96-aes128",
            ChecksumType::HmacSha196Aes256 => "hmac-sha1-96-aes256",
            ChecksumType::HmacSha256128Aes128 => "hmac-sha256-128-aes128",
            ChecksumType::HmacSha384192Aes256 => "hmac-sha384-192-aes256",
            ChecksumType::HmacSha256Argon => "hmac-sha256-128-argon",
        }
    }

    /// The enctype whose keys make this checksum.
    pub fn enctype(self) -> EncType {
        match self {
            ChecksumType::HmacSha196Aes128 => EncType::Aes128CtsHmacSha196,
            ChecksumType::HmacSha196Aes256 => EncType::Aes256CtsHmacSha196,
            ChecksumType::HmacSha256128Aes128 => EncType::Aes128CtsHmacSha256128,
            ChecksumType::HmacSha384192Aes256 => EncType::Aes256CtsHmacSha384192,
            ChecksumType::HmacSha256Argon => EncType::Aes256GcmArgon2id,
        }
    }

    /// Length in bytes of a checksum value of this type.
    pub fn value_len(self) -> usize {
        match self {
            ChecksumType::HmacSha196Aes128 | ChecksumType::HmacSha196Aes256 => 12,
            ChecksumType::HmacSha256128Aes128 | ChecksumType::HmacSha256Argon => 16,
            ChecksumType::HmacSha384192Aes256 => 24,
        }
    }
}

impl fmt::Display for ChecksumType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TryFrom<i32> for ChecksumType {
    type Error = super::CryptoError;
    fn try_from(v: i32) -> Result<ChecksumType, Self::Error> {
        ChecksumType::from_i32(v).ok_or(super::CryptoError::UnsupportedChecksumType(v))
    }
}
