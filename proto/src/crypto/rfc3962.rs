//! aes128-cts-hmac-sha1-96 and aes256-cts-hmac-sha1-96: RFC 3961's
//! simplified profile with AES-CTS (RFC 3962).

use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

use super::cts::{self, BLOCK};
use super::nfold::nfold;
use super::prim::{ct_eq, hmac_sha1, parse_iterations};
use super::{CryptoError, Password};

/// Truncated HMAC-SHA-1 length (96 bits).
pub(crate) const MAC_LEN: usize = 12;
/// Largest PBKDF2 iteration count accepted from s2kparams (2^24, as MIT).
pub(crate) const MAX_ITERATIONS: u32 = 1 << 24;

/// DK(base, constant) of RFC 3961 section 5.1: random-to-key (identity for
/// AES) of DR, which encrypts n-fold(constant) repeatedly with the base key.
pub(crate) fn dk(base: &[u8], constant: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let folded = nfold(constant, BLOCK);
    let mut block = [0u8; BLOCK];
    block.copy_from_slice(&folded);
    let mut out = Zeroizing::new(Vec::with_capacity(base.len() + BLOCK));
    while out.len() < base.len() {
        block = cts::encrypt_block(base, &block)?;
        out.extend_from_slice(&block);
    }
    out.truncate(base.len());
    Ok(out)
}

fn usage_constant(usage: u32, kind: u8) -> [u8; 5] {
    let u = usage.to_be_bytes();
    [u[0], u[1], u[2], u[3], kind]
}

/// string-to-key: DK(random-to-key(PBKDF2-HMAC-SHA1(password, salt, iter)), "kerberos").
pub(crate) fn string_to_key(
    key_len: usize,
    password: &Password,
    salt: &[u8],
    params: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let iterations = parse_iterations(params, MAX_ITERATIONS)?;
    let mut tkey = Zeroizing::new(vec![0u8; key_len]);
    pbkdf2::pbkdf2_hmac::<Sha1>(password.as_bytes(), salt, iterations, &mut tkey);
    dk(&tkey, b"kerberos")
}

/// Encrypt `confounder || plaintext` under usage `usage`.
pub(crate) fn encrypt(
    base: &[u8],
    usage: u32,
    confounder: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let ke = dk(base, &usage_constant(usage, 0xAA))?;
    let ki = dk(base, &usage_constant(usage, 0x55))?;
    let mut buf = Zeroizing::new(Vec::with_capacity(confounder.len() + plaintext.len()));
    buf.extend_from_slice(confounder);
    buf.extend_from_slice(plaintext);
    let mut out = cts::encrypt(&ke, &[0u8; BLOCK], &buf)?;
    let mac = hmac_sha1(&ki, &[&buf])?;
    out.extend_from_slice(&mac[..MAC_LEN]);
    Ok(out)
}

/// Decrypt and verify; returns the plaintext without the confounder.
pub(crate) fn decrypt(base: &[u8], usage: u32, ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let min = BLOCK + MAC_LEN;
    if ciphertext.len() < min {
        return Err(CryptoError::CiphertextTooShort {
            min,
            got: ciphertext.len(),
        });
    }
    let (body, mac) = ciphertext.split_at(ciphertext.len() - MAC_LEN);
    let ke = dk(base, &usage_constant(usage, 0xAA))?;
    let ki = dk(base, &usage_constant(usage, 0x55))?;
    let plain = Zeroizing::new(cts::decrypt(&ke, &[0u8; BLOCK], body)?);
    let expected = hmac_sha1(&ki, &[&plain])?;
    if !ct_eq(&expected[..MAC_LEN], mac) {
        return Err(CryptoError::IntegrityFailure);
    }
    Ok(plain[BLOCK..].to_vec())
}

/// hmac-sha1-96-aes: HMAC-SHA-1(Kc, data) truncated to 96 bits.
pub(crate) fn checksum(base: &[u8], usage: u32, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let kc = dk(base, &usage_constant(usage, 0x99))?;
    let mac = hmac_sha1(&kc, &[data])?;
    Ok(mac[..MAC_LEN].to_vec())
}

/// RFC 3962 PRF: AES(DK(key, "prf"), first 16 bytes of SHA-1(input)).
pub(crate) fn prf(base: &[u8], input: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let digest = Sha1::digest(input);
    let mut block = [0u8; BLOCK];
    block.copy_from_slice(&digest[..BLOCK]);
    let kp = dk(base, b"prf")?;
    Ok(cts::encrypt_block(&kp, &block)?.to_vec())
}
