//! AES in CBC mode with ciphertext stealing, as Kerberos uses it
//! (RFC 3962 section 5: CBC-CS3, the last two blocks always swapped).
//!
//! Exactly one block is plain CBC of that block: the `cts` crate's CbcCs3
//! treats a 16-byte input differently, so that case is handled here with
//! the block cipher directly. Inputs shorter than a block are refused;
//! Kerberos never produces them because a 16-byte confounder always
//! precedes the plaintext.

use aes::cipher::{self, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit, KeyIvInit};
use aes::{Aes128, Aes256};
use cts::{Decrypt, Encrypt};

use super::CryptoError;

/// The AES block size.
pub const BLOCK: usize = 16;

/// Encrypt `data` (at least 16 bytes) with AES-CTS under `key` (16 or 32
/// bytes) and initial vector `iv`.
pub fn encrypt(key: &[u8], iv: &[u8; BLOCK], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    match key.len() {
        16 => enc::<Aes128>(key, iv, data),
        32 => enc::<Aes256>(key, iv, data),
        n => Err(bad_key(n)),
    }
}

/// Decrypt `data` (at least 16 bytes) with AES-CTS under `key` (16 or 32
/// bytes) and initial vector `iv`.
pub fn decrypt(key: &[u8], iv: &[u8; BLOCK], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    match key.len() {
        16 => dec::<Aes128>(key, iv, data),
        32 => dec::<Aes256>(key, iv, data),
        n => Err(bad_key(n)),
    }
}

/// Encrypt exactly one block with plain AES (no chaining), as RFC 3961's
/// DR function and RFC 3962's PRF use it.
pub fn encrypt_block(key: &[u8], block: &[u8; BLOCK]) -> Result<[u8; BLOCK], CryptoError> {
    encrypt(key, &[0u8; BLOCK], block).map(|v| {
        let mut out = [0u8; BLOCK];
        out.copy_from_slice(&v);
        out
    })
}

fn bad_key(got: usize) -> CryptoError {
    // Only reachable through a bug in this module's callers: keys are
    // length-checked when a `Key` is built.
    CryptoError::BadKeyLength {
        etype: super::EncType::Aes256CtsHmacSha196,
        expected: 32,
        got,
    }
}

fn too_short(got: usize) -> CryptoError {
    CryptoError::CiphertextTooShort { min: BLOCK, got }
}

fn enc<C>(key: &[u8], iv: &[u8; BLOCK], data: &[u8]) -> Result<Vec<u8>, CryptoError>
where
    C: BlockCipherEncrypt + KeyInit,
{
    if data.len() < BLOCK {
        return Err(too_short(data.len()));
    }
    if data.len() == BLOCK {
        let cipher = C::new_from_slice(key).map_err(|_| bad_key(key.len()))?;
        let mut block = cipher::Block::<C>::default();
        for ((b, d), v) in block.iter_mut().zip(data).zip(iv) {
            *b = d ^ v;
        }
        cipher.encrypt_block(&mut block);
        return Ok(block.to_vec());
    }
    let mode = cts::CbcCs3::<C>::new_from_slices(key, iv).map_err(|_| bad_key(key.len()))?;
    let mut out = data.to_vec();
    mode.encrypt(&mut out).map_err(|_| too_short(data.len()))?;
    Ok(out)
}

fn dec<C>(key: &[u8], iv: &[u8; BLOCK], data: &[u8]) -> Result<Vec<u8>, CryptoError>
where
    C: BlockCipherEncrypt + BlockCipherDecrypt + KeyInit,
{
    if data.len() < BLOCK {
        return Err(too_short(data.len()));
    }
    if data.len() == BLOCK {
        let cipher = C::new_from_slice(key).map_err(|_| bad_key(key.len()))?;
        let mut block = cipher::Block::<C>::default();
        block.copy_from_slice(data);
        cipher.decrypt_block(&mut block);
        let mut out = block.to_vec();
        for (o, v) in out.iter_mut().zip(iv) {
            *o ^= v;
        }
        return Ok(out);
    }
    let mode = cts::CbcCs3::<C>::new_from_slices(key, iv).map_err(|_| bad_key(key.len()))?;
    let mut out = data.to_vec();
    mode.decrypt(&mut out).map_err(|_| too_short(data.len()))?;
    Ok(out)
}
