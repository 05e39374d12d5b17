//! aes128-cts-hmac-sha256-128 and aes256-cts-hmac-sha384-192 (RFC 8009).

use sha2::{Sha256, Sha384};
use zeroize::Zeroizing;

use super::cts::{self, BLOCK};
use super::prim::{ct_eq, hmac_sha256, hmac_sha384, parse_iterations};
use super::{CryptoError, EncType, Password};

/// Largest PBKDF2 iteration count accepted from s2kparams (2^24).
pub(crate) const MAX_ITERATIONS: u32 = 1 << 24;

/// The two RFC 8009 enctypes' parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variant {
    /// aes128-cts-hmac-sha256-128.
    Aes128Sha256,
    /// aes256-cts-hmac-sha384-192.
    Aes256Sha384,
}

impl Variant {
    pub(crate) fn of(etype: EncType) -> Option<Variant> {
        match etype {
            EncType::Aes128CtsHmacSha256128 => Some(Variant::Aes128Sha256),
            EncType::Aes256CtsHmacSha384192 => Some(Variant::Aes256Sha384),
            _ => None,
        }
    }

    fn etype(self) -> EncType {
        match self {
            Variant::Aes128Sha256 => EncType::Aes128CtsHmacSha256128,
            Variant::Aes256Sha384 => EncType::Aes256CtsHmacSha384192,
        }
    }

    /// Length of Ke (the AES key), in bytes.
    fn ke_len(self) -> usize {
        self.etype().key_len()
    }

    /// Length of Kc, Ki and the truncated HMAC, in bytes.
    pub(crate) fn mac_len(self) -> usize {
        match self {
            Variant::Aes128Sha256 => 16,
            Variant::Aes256Sha384 => 24,
        }
    }

    /// Length of the PRF output (the whole hash), in bytes.
    fn prf_len(self) -> usize {
        match self {
            Variant::Aes128Sha256 => 32,
            Variant::Aes256Sha384 => 48,
        }
    }

    fn hmac(self, key: &[u8], parts: &[&[u8]]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        match self {
            Variant::Aes128Sha256 => hmac_sha256(key, parts),
            Variant::Aes256Sha384 => hmac_sha384(key, parts),
        }
    }

    /// KDF-HMAC-SHA2(key, label, context, k) of RFC 8009 section 3:
    /// the first `out_len` bytes of HMAC(key, 00000001 | label | 00 | context | k),
    /// k being the output length in bits as a 4-byte big-endian number.
    fn kdf(
        self,
        key: &[u8],
        label: &[u8],
        context: &[u8],
        out_len: usize,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let bits = u32::try_from(out_len * 8).map_err(|_| CryptoError::KeyDerivation)?;
        let k1 = self.hmac(
            key,
            &[
                &1u32.to_be_bytes(),
                label,
                &[0u8],
                context,
                &bits.to_be_bytes(),
            ],
        )?;
        Ok(Zeroizing::new(k1[..out_len].to_vec()))
    }

    fn derive(self, base: &[u8], usage: u32, kind: u8) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let u = usage.to_be_bytes();
        let label = [u[0], u[1], u[2], u[3], kind];
        let len = if kind == 0xAA {
            self.ke_len()
        } else {
            self.mac_len()
        };
        self.kdf(base, &label, &[], len)
    }

    /// string-to-key: KDF(PBKDF2-HMAC-SHA2(password, name | 00 | salt, iter), "kerberos").
    pub(crate) fn string_to_key(
        self,
        password: &Password,
        salt: &[u8],
        params: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let iterations = parse_iterations(params, MAX_ITERATIONS)?;
        let name = self.etype().name().as_bytes();
        let mut saltp = Vec::with_capacity(name.len() + 1 + salt.len());
        saltp.extend_from_slice(name);
        saltp.push(0);
        saltp.extend_from_slice(salt);
        let key_len = self.etype().key_len();
        let mut tkey = Zeroizing::new(vec![0u8; key_len]);
        match self {
            Variant::Aes128Sha256 => {
                pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), &saltp, iterations, &mut tkey)
            }
            Variant::Aes256Sha384 => {
                pbkdf2::pbkdf2_hmac::<Sha384>(password.as_bytes(), &saltp, iterations, &mut tkey)
            }
        }
        self.kdf(&tkey, b"kerberos", &[], key_len)
    }

    /// Encrypt: C = AES-CTS(Ke, conf | plaintext), H = HMAC(Ki, IV | C), output C | H.
    pub(crate) fn encrypt(
        self,
        base: &[u8],
        usage: u32,
        confounder: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let ke = self.derive(base, usage, 0xAA)?;
        let ki = self.derive(base, usage, 0x55)?;
        let iv = [0u8; BLOCK];
        let mut buf = Zeroizing::new(Vec::with_capacity(confounder.len() + plaintext.len()));
        buf.extend_from_slice(confounder);
        buf.extend_from_slice(plaintext);
        let mut out = cts::encrypt(&ke, &iv, &buf)?;
        let mac = self.hmac(&ki, &[&iv, &out])?;
        out.extend_from_slice(&mac[..self.mac_len()]);
        Ok(out)
    }

    /// Verify the HMAC over IV | C, then decrypt and drop the confounder.
    pub(crate) fn decrypt(
        self,
        base: &[u8],
        usage: u32,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let min = BLOCK + self.mac_len();
        if ciphertext.len() < min {
            return Err(CryptoError::CiphertextTooShort {
                min,
                got: ciphertext.len(),
            });
        }
        let (body, mac) = ciphertext.split_at(ciphertext.len() - self.mac_len());
        let ke = self.derive(base, usage, 0xAA)?;
        let ki = self.derive(base, usage, 0x55)?;
        let iv = [0u8; BLOCK];
        let expected = self.hmac(&ki, &[&iv, body])?;
        if !ct_eq(&expected[..self.mac_len()], mac) {
            return Err(CryptoError::IntegrityFailure);
        }
        let plain = Zeroizing::new(cts::decrypt(&ke, &iv, body)?);
        Ok(plain[BLOCK..].to_vec())
    }

    /// Checksum: HMAC(Kc, data) truncated to the MAC length.
    pub(crate) fn checksum(
        self,
        base: &[u8],
        usage: u32,
        data: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let kc = self.derive(base, usage, 0x99)?;
        let mac = self.hmac(&kc, &[data])?;
        Ok(mac[..self.mac_len()].to_vec())
    }

    /// PRF: KDF-HMAC-SHA2(base, "prf", input, 256 or 384 bits).
    pub(crate) fn prf(self, base: &[u8], input: &[u8]) -> Result<Vec<u8>, CryptoError> {
        Ok(self.kdf(base, b"prf", input, self.prf_len())?.to_vec())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::Variant;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// RFC 8009 appendix A: Kc, Ke and Ki for key usage 2.
    #[test]
    fn rfc8009_derived_keys_usage_2() {
        let cases = [
            (
                Variant::Aes128Sha256,
                "3705d96080c17728a0e800eab6e0d23c",
                "b31a018a48f54776f403e9a396325dc3",
                "9b197dd1e8c5609d6e67c3e37c62c72e",
                "9fda0e56ab2d85e1569a688696c26a6c",
            ),
            (
                Variant::Aes256Sha384,
                "6d404d37faf79f9df0d33568d320669800eb4836472ea8a026d16b7182460c52",
                "ef5718be86cc84963d8bbb5031e9f5c4ba41f28faf69e73d",
                "56ab22bee63d82d7bc5227f6773f8ea7a5eb1c825160c38312980c442e5c7e49",
                "69b16514e3cd8e56b82010d5c73012b622c4d00ffc23ed1f",
            ),
        ];
        for (v, base, kc, ke, ki) in cases {
            let base = h(base);
            assert_eq!(
                hex::encode(&*v.derive(&base, 2, 0x99).unwrap()),
                kc,
                "{v:?} Kc"
            );
            assert_eq!(
                hex::encode(&*v.derive(&base, 2, 0xAA).unwrap()),
                ke,
                "{v:?} Ke"
            );
            assert_eq!(
                hex::encode(&*v.derive(&base, 2, 0x55).unwrap()),
                ki,
                "{v:?} Ki"
            );
        }
    }
}
