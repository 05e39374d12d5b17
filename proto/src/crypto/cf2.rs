//! PRF+ and KRB-FX-CF2 (RFC 6113 section 5.1), used to build FAST armor
//! keys and to combine keys in encrypted challenge.

use zeroize::Zeroizing;

use super::{CryptoError, Key};

/// PRF+(key, input) = PRF(key, 1 | input) | PRF(key, 2 | input) | ...,
/// truncated to `len` bytes. The counter is one octet, so at most 255
/// PRF outputs can be produced.
pub fn prf_plus(key: &Key, input: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let block = key.etype().prf_len();
    let blocks = len.div_ceil(block);
    if blocks > 255 {
        return Err(CryptoError::PrfOutputTooLong(len));
    }
    let mut out = Zeroizing::new(Vec::with_capacity(blocks * block));
    let mut buf = Vec::with_capacity(1 + input.len());
    for counter in 1..=blocks {
        buf.clear();
        buf.push(u8::try_from(counter).map_err(|_| CryptoError::PrfOutputTooLong(len))?);
        buf.extend_from_slice(input);
        let part = Zeroizing::new(key.prf(&buf)?);
        out.extend_from_slice(&part);
    }
    out.truncate(len);
    Ok(out)
}

/// KRB-FX-CF2(k1, k2, pepper1, pepper2) =
/// random-to-key(PRF+(k1, pepper1) XOR PRF+(k2, pepper2)), a key of
/// `k1`'s enctype.
pub fn cf2(k1: &Key, k2: &Key, pepper1: &[u8], pepper2: &[u8]) -> Result<Key, CryptoError> {
    let n = k1.etype().key_len();
    let a = prf_plus(k1, pepper1, n)?;
    let b = prf_plus(k2, pepper2, n)?;
    let mixed: Zeroizing<Vec<u8>> =
        Zeroizing::new(a.iter().zip(b.iter()).map(|(x, y)| x ^ y).collect());
    Key::random_to_key(k1.etype(), &mixed)
}
