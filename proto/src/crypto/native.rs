//! aes256-gcm-argon2id: Tessera's native enctype (number -32341).
//!
//! The full specification is in `docs/enctypes.md`; in short:
//! Argon2id string-to-key, HMAC-SHA-256 per-usage key derivation,
//! AES-256-GCM with a random 96-bit nonce, HMAC-SHA-256-128 checksums.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::prim::hmac_sha256;
use super::{CryptoError, Password, S2kParamsError};

/// Nonce length (96 bits).
pub(crate) const NONCE_LEN: usize = 12;
/// GCM tag length.
pub(crate) const TAG_LEN: usize = 16;
/// Checksum length (HMAC-SHA-256 truncated to 128 bits).
pub(crate) const CKSUM_LEN: usize = 16;
/// Base key length.
pub(crate) const KEY_LEN: usize = 32;
/// Prefix of every derivation label.
const LABEL_PREFIX: &[u8] = b"tessera";
/// Domain separator hashed with salts shorter than Argon2's minimum.
const SHORT_SALT_DOMAIN: &[u8] = b"tessera-argon2id-salt";

/// Argon2id cost parameters, as carried in s2kparams (12 bytes:
/// m_cost KiB, t_cost, parallelism, each a big-endian u32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Argon2Params {
    /// Memory cost in KiB.
    pub m_cost: u32,
    /// Number of passes.
    pub t_cost: u32,
    /// Degree of parallelism (lanes).
    pub p_cost: u32,
}

impl Argon2Params {
    /// The default: m = 65536 KiB (64 MiB), t = 3, p = 1. One guess costs
    /// an offline attacker 64 MiB and over 100 times the CPU of
    /// aes256-cts-hmac-sha1-96's PBKDF2 (`docs/security.md`, measured by
    /// `cargo bench -p tessera-proto --bench guess_cost`).
    pub const DEFAULT: Argon2Params = Argon2Params {
        m_cost: 65536,
        t_cost: 3,
        p_cost: 1,
    };
    /// Largest accepted memory cost: 1 GiB.
    pub const MAX_M_COST: u32 = 1024 * 1024;
    /// Largest accepted number of passes.
    pub const MAX_T_COST: u32 = 64;
    /// Largest accepted parallelism.
    pub const MAX_P_COST: u32 = 16;

    /// Encode as the 12-byte s2kparams.
    pub fn encode(&self) -> [u8; 12] {
        let mut out = [0u8; 12];
        out[0..4].copy_from_slice(&self.m_cost.to_be_bytes());
        out[4..8].copy_from_slice(&self.t_cost.to_be_bytes());
        out[8..12].copy_from_slice(&self.p_cost.to_be_bytes());
        out
    }

    /// Decode 12-byte s2kparams and check every bound (they may come
    /// from a peer): 1 <= p <= 16, 1 <= t <= 64, 8*p <= m <= 1 GiB.
    pub fn decode(bytes: &[u8]) -> Result<Argon2Params, S2kParamsError> {
        let b: [u8; 12] = bytes.try_into().map_err(|_| S2kParamsError::WrongLength {
            expected: 12,
            got: bytes.len(),
        })?;
        let word = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let p = Argon2Params {
            m_cost: word(0),
            t_cost: word(4),
            p_cost: word(8),
        };
        p.validate()?;
        Ok(p)
    }

    /// Check the bounds listed on [`Argon2Params::decode`].
    pub fn validate(&self) -> Result<(), S2kParamsError> {
        if self.p_cost == 0 || self.p_cost > Self::MAX_P_COST {
            return Err(S2kParamsError::Parallelism(self.p_cost));
        }
        if self.t_cost == 0 || self.t_cost > Self::MAX_T_COST {
            return Err(S2kParamsError::Time(self.t_cost));
        }
        if self.m_cost < 8 * self.p_cost || self.m_cost > Self::MAX_M_COST {
            return Err(S2kParamsError::Memory(self.m_cost));
        }
        Ok(())
    }
}

/// The salt handed to Argon2: the Kerberos salt itself when it is at least
/// 8 bytes, otherwise SHA-256("tessera-argon2id-salt" | salt).
pub(crate) fn argon2_salt(salt: &[u8]) -> Vec<u8> {
    if salt.len() >= argon2::MIN_SALT_LEN {
        return salt.to_vec();
    }
    let mut h = Sha256::new();
    h.update(SHORT_SALT_DOMAIN);
    h.update(salt);
    h.finalize().to_vec()
}

/// string-to-key: Argon2id v0x13 over the UTF-8 password.
pub(crate) fn string_to_key(
    password: &Password,
    salt: &[u8],
    params: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let p = Argon2Params::decode(params)?;
    let params = Params::new(p.m_cost, p.t_cost, p.p_cost, Some(KEY_LEN))
        .map_err(|_| CryptoError::KeyDerivation)?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = Zeroizing::new(vec![0u8; KEY_LEN]);
    argon
        .hash_password_into(password.as_bytes(), &argon2_salt(salt), &mut out)
        .map_err(|_| CryptoError::KeyDerivation)?;
    Ok(out)
}

fn usage_key(base: &[u8], usage: u32, kind: u8) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    hmac_sha256(base, &[LABEL_PREFIX, &usage.to_be_bytes(), &[kind]])
}

/// Encrypt: nonce | AES-256-GCM(Ke, nonce, plaintext, aad = empty).
pub(crate) fn encrypt(
    base: &[u8],
    usage: u32,
    nonce: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let n = Nonce::try_from(nonce).map_err(|_| CryptoError::BadConfounderLength {
        expected: NONCE_LEN,
        got: nonce.len(),
    })?;
    let ke = usage_key(base, usage, 0xAA)?;
    let cipher = Aes256Gcm::new_from_slice(&ke).map_err(|_| CryptoError::KeyDerivation)?;
    let sealed = cipher
        .encrypt(&n, plaintext)
        .map_err(|_| CryptoError::PlaintextTooLong)?;
    let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
    out.extend_from_slice(nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Decrypt and authenticate.
pub(crate) fn decrypt(base: &[u8], usage: u32, ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let min = NONCE_LEN + TAG_LEN;
    if ciphertext.len() < min {
        return Err(CryptoError::CiphertextTooShort {
            min,
            got: ciphertext.len(),
        });
    }
    let (nonce, sealed) = ciphertext.split_at(NONCE_LEN);
    let n = Nonce::try_from(nonce).map_err(|_| CryptoError::IntegrityFailure)?;
    let ke = usage_key(base, usage, 0xAA)?;
    let cipher = Aes256Gcm::new_from_slice(&ke).map_err(|_| CryptoError::KeyDerivation)?;
    cipher
        .decrypt(&n, sealed)
        .map_err(|_| CryptoError::IntegrityFailure)
}

/// Checksum: HMAC-SHA-256(Kc, data) truncated to 128 bits.
pub(crate) fn checksum(base: &[u8], usage: u32, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let kc = usage_key(base, usage, 0x99)?;
    let mac = hmac_sha256(&kc, &[data])?;
    Ok(mac[..CKSUM_LEN].to_vec())
}

/// PRF: HMAC-SHA-256(Kprf, input), Kprf = HMAC-SHA-256(base, "tessera" | "prf").
pub(crate) fn prf(base: &[u8], input: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let kp = hmac_sha256(base, &[LABEL_PREFIX, b"prf"])?;
    Ok(hmac_sha256(&kp, &[input])?.to_vec())
}
