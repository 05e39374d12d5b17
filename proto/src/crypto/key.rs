//! Protocol keys and the per-enctype dispatch of every operation.

use std::fmt;

use zeroize::Zeroizing;

use super::prim::{ct_eq, fill_random};
use super::rfc8009::Variant;
use super::{ChecksumType, CryptoError, EncType, Password};
use super::{native, rfc3962};

/// A Kerberos protocol key: an enctype and its key bytes.
///
/// The bytes are zeroized on drop, `Debug` never shows them, and equality
/// is checked in constant time.
#[derive(Clone)]
pub struct Key {
    etype: EncType,
    bytes: Zeroizing<Vec<u8>>,
}

/// A keyed checksum and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksum {
    /// The checksum type.
    pub cksumtype: ChecksumType,
    /// The checksum value.
    pub value: Vec<u8>,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("etype", &self.etype)
            .field("bytes", &"<redacted>")
            .finish()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.etype == other.etype && ct_eq(&self.bytes, &other.bytes)
    }
}

impl Eq for Key {}

impl Key {
    /// A key from raw bytes, which must have the enctype's key length.
    pub fn from_bytes(etype: EncType, bytes: &[u8]) -> Result<Key, CryptoError> {
        if bytes.len() != etype.key_len() {
            return Err(CryptoError::BadKeyLength {
                etype,
                expected: etype.key_len(),
                got: bytes.len(),
            });
        }
        Ok(Key {
            etype,
            bytes: Zeroizing::new(bytes.to_vec()),
        })
    }

    /// A fresh random key from the operating system's CSPRNG.
    pub fn random(etype: EncType) -> Result<Key, CryptoError> {
        let mut bytes = Zeroizing::new(vec![0u8; etype.key_len()]);
        fill_random(&mut bytes)?;
        Ok(Key { etype, bytes })
    }

    /// string-to-key. `salt` is the Kerberos salt (by default the realm
    /// followed by the principal's name components); `s2kparams` are the
    /// parameters from ETYPE-INFO2 or the database, `None` for the
    /// enctype's default. Parameters are bounds-checked because they may
    /// come from a peer.
    pub fn from_password(
        etype: EncType,
        password: &Password,
        salt: &[u8],
        s2kparams: Option<&[u8]>,
    ) -> Result<Key, CryptoError> {
        let default;
        let params = match s2kparams {
            Some(p) => p,
            None => {
                default = etype.default_s2kparams();
                &default
            }
        };
        let bytes = match etype {
            EncType::Aes128CtsHmacSha196 | EncType::Aes256CtsHmacSha196 => {
                rfc3962::string_to_key(etype.key_len(), password, salt, params)?
            }
            EncType::Aes128CtsHmacSha256128 | EncType::Aes256CtsHmacSha384192 => {
                variant(etype)?.string_to_key(password, salt, params)?
            }
            EncType::Aes256GcmArgon2id => native::string_to_key(password, salt, params)?,
        };
        Ok(Key { etype, bytes })
    }

    /// random-to-key: the identity on `key_len` bytes for every enctype
    /// implemented here.
    pub fn random_to_key(etype: EncType, random: &[u8]) -> Result<Key, CryptoError> {
        Key::from_bytes(etype, random)
    }

    /// The key's enctype.
    pub fn etype(&self) -> EncType {
        self.etype
    }

    /// The raw key bytes (for keytabs and the database; never log them).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Encrypt `plaintext` for key usage `usage` with a fresh random
    /// confounder (or nonce, for the native enctype).
    pub fn encrypt(&self, usage: u32, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut conf = Zeroizing::new(vec![0u8; self.etype.confounder_len()]);
        fill_random(&mut conf)?;
        self.encrypt_with_confounder(usage, &conf, plaintext)
    }

    /// Encrypt with a caller-chosen confounder (16 bytes) or nonce (12
    /// bytes for the native enctype). Deterministic: for test vectors
    /// only, since reusing a nonce with the native enctype breaks it.
    pub fn encrypt_with_confounder(
        &self,
        usage: u32,
        confounder: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let expected = self.etype.confounder_len();
        if confounder.len() != expected {
            return Err(CryptoError::BadConfounderLength {
                expected,
                got: confounder.len(),
            });
        }
        match self.etype {
            EncType::Aes128CtsHmacSha196 | EncType::Aes256CtsHmacSha196 => {
                rfc3962::encrypt(&self.bytes, usage, confounder, plaintext)
            }
            EncType::Aes128CtsHmacSha256128 | EncType::Aes256CtsHmacSha384192 => {
                variant(self.etype)?.encrypt(&self.bytes, usage, confounder, plaintext)
            }
            EncType::Aes256GcmArgon2id => {
                native::encrypt(&self.bytes, usage, confounder, plaintext)
            }
        }
    }

    /// Decrypt and verify integrity. A wrong key, wrong usage or any
    /// tampering gives [`CryptoError::IntegrityFailure`]; input too short
    /// to be a ciphertext gives [`CryptoError::CiphertextTooShort`].
    pub fn decrypt(&self, usage: u32, ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match self.etype {
            EncType::Aes128CtsHmacSha196 | EncType::Aes256CtsHmacSha196 => {
                rfc3962::decrypt(&self.bytes, usage, ciphertext)
            }
            EncType::Aes128CtsHmacSha256128 | EncType::Aes256CtsHmacSha384192 => {
                variant(self.etype)?.decrypt(&self.bytes, usage, ciphertext)
            }
            EncType::Aes256GcmArgon2id => native::decrypt(&self.bytes, usage, ciphertext),
        }
    }

    /// The enctype's keyed checksum of `data` for key usage `usage`.
    pub fn checksum(&self, usage: u32, data: &[u8]) -> Result<Checksum, CryptoError> {
        let value = match self.etype {
            EncType::Aes128CtsHmacSha196 | EncType::Aes256CtsHmacSha196 => {
                rfc3962::checksum(&self.bytes, usage, data)?
            }
            EncType::Aes128CtsHmacSha256128 | EncType::Aes256CtsHmacSha384192 => {
                variant(self.etype)?.checksum(&self.bytes, usage, data)?
            }
            EncType::Aes256GcmArgon2id => native::checksum(&self.bytes, usage, data)?,
        };
        Ok(Checksum {
            cksumtype: self.etype.checksum_type(),
            value,
        })
    }

    /// Verify a checksum in constant time. The checksum's type must be the
    /// key's enctype's checksum type
    /// ([`CryptoError::ChecksumTypeMismatch`] otherwise); a wrong value is
    /// [`CryptoError::IntegrityFailure`].
    pub fn verify_checksum(
        &self,
        usage: u32,
        data: &[u8],
        cksum: &Checksum,
    ) -> Result<(), CryptoError> {
        let expected_type = self.etype.checksum_type();
        if cksum.cksumtype != expected_type {
            return Err(CryptoError::ChecksumTypeMismatch {
                expected: expected_type,
                got: cksum.cksumtype,
            });
        }
        let computed = self.checksum(usage, data)?;
        if ct_eq(&computed.value, &cksum.value) {
            Ok(())
        } else {
            Err(CryptoError::IntegrityFailure)
        }
    }

    /// The enctype's pseudo-random function (RFC 3961 section 3) of
    /// `input`; output length is [`EncType::prf_len`].
    pub fn prf(&self, input: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match self.etype {
            EncType::Aes128CtsHmacSha196 | EncType::Aes256CtsHmacSha196 => {
                rfc3962::prf(&self.bytes, input)
            }
            EncType::Aes128CtsHmacSha256128 | EncType::Aes256CtsHmacSha384192 => {
                variant(self.etype)?.prf(&self.bytes, input)
            }
            EncType::Aes256GcmArgon2id => native::prf(&self.bytes, input),
        }
    }
}

fn variant(etype: EncType) -> Result<Variant, CryptoError> {
    Variant::of(etype).ok_or(CryptoError::UnsupportedEnctype(etype.as_i32()))
}
