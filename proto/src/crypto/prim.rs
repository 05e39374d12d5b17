//! Small wrappers over RustCrypto primitives shared by the profiles.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha384};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::CryptoError;

macro_rules! hmac_fn {
    ($name:ident, $hash:ty, $doc:literal) => {
        #[doc = $doc]
        pub(crate) fn $name(
            key: &[u8],
            parts: &[&[u8]],
        ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
            let mut mac = <Hmac<$hash> as KeyInit>::new_from_slice(key)
                .map_err(|_| CryptoError::KeyDerivation)?;
            for p in parts {
                mac.update(p);
            }
            Ok(Zeroizing::new(mac.finalize().into_bytes().to_vec()))
        }
    };
}

hmac_fn!(
    hmac_sha1,
    Sha1,
    "HMAC-SHA-1 over the concatenation of `parts`."
);
hmac_fn!(
    hmac_sha256,
    Sha256,
    "HMAC-SHA-256 over the concatenation of `parts`."
);
hmac_fn!(
    hmac_sha384,
    Sha384,
    "HMAC-SHA-384 over the concatenation of `parts`."
);

/// Constant-time equality of two byte strings (lengths are not secret).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Fill `buf` from the operating system's CSPRNG.
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buf).map_err(|_| CryptoError::Random)
}

/// Parse a 4-byte big-endian PBKDF2 iteration count, refusing counts that
/// are zero or above `max` (the parameters may come from a peer).
pub(crate) fn parse_iterations(params: &[u8], max: u32) -> Result<u32, CryptoError> {
    let bytes: [u8; 4] = params
        .try_into()
        .map_err(|_| super::S2kParamsError::WrongLength {
            expected: 4,
            got: params.len(),
        })?;
    let n = u32::from_be_bytes(bytes);
    if n == 0 || n > max {
        return Err(super::S2kParamsError::Iterations(n).into());
    }
    Ok(n)
}
