//! The GSS-API authenticator checksum, type 0x8003 (RFC 4121 section
//! 4.1.1), and the GSS context flags it carries.

use crate::ap::ApError;

/// The checksum type number of the GSS-API authenticator checksum.
pub const GSS_CHECKSUM_TYPE: i32 = 0x8003;

/// GSS-API context flags (RFC 2744 values, as carried in the checksum).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct GssFlags(pub u32);

impl GssFlags {
    /// GSS_C_DELEG_FLAG: credentials are delegated.
    pub const DELEG: GssFlags = GssFlags(1);
    /// GSS_C_MUTUAL_FLAG: mutual authentication.
    pub const MUTUAL: GssFlags = GssFlags(2);
    /// GSS_C_REPLAY_FLAG: replay detection for per-message tokens.
    pub const REPLAY: GssFlags = GssFlags(4);
    /// GSS_C_SEQUENCE_FLAG: out-of-sequence detection.
    pub const SEQUENCE: GssFlags = GssFlags(8);
    /// GSS_C_CONF_FLAG: confidentiality (Wrap with sealing) is available.
    pub const CONF: GssFlags = GssFlags(16);
    /// GSS_C_INTEG_FLAG: integrity (MIC, Wrap) is available.
    pub const INTEG: GssFlags = GssFlags(32);

    /// Mutual authentication, replay and sequence detection, integrity and
    /// confidentiality: what an application normally asks for.
    pub const DEFAULT: GssFlags = GssFlags(2 | 4 | 8 | 16 | 32);

    /// Whether every flag of `other` is set.
    pub fn contains(self, other: GssFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl core::ops::BitOr for GssFlags {
    type Output = GssFlags;
    fn bitor(self, rhs: GssFlags) -> GssFlags {
        GssFlags(self.0 | rhs.0)
    }
}

/// The decoded 0x8003 checksum value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GssChecksum {
    /// The channel binding hash (16 zero bytes when there are none).
    pub bindings: [u8; 16],
    /// The requested context flags.
    pub flags: GssFlags,
    /// Length of the delegated KRB-CRED, when the DELEG flag carried one
    /// (delegation is not used by Tessera; the credential is not kept).
    pub delegation_len: Option<usize>,
    /// Any extension bytes after the fixed fields.
    pub extensions: Vec<u8>,
}

impl GssChecksum {
    /// A checksum with no channel bindings and `flags`.
    pub fn new(flags: GssFlags) -> Self {
        Self {
            flags,
            ..Self::default()
        }
    }

    /// The 24-byte wire value (Lgth = 16, Bnd, Flags, little-endian).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(24);
        out.extend_from_slice(&16u32.to_le_bytes());
        out.extend_from_slice(&self.bindings);
        // Never claim delegation: we send no KRB-CRED.
        out.extend_from_slice(&(self.flags.0 & !GssFlags::DELEG.0).to_le_bytes());
        out
    }

    /// Parses a checksum value received from a peer.
    pub fn decode(v: &[u8]) -> Result<Self, ApError> {
        let lgth = v
            .get(0..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_le_bytes)
            .ok_or(ApError::BadGssChecksum("shorter than 24 bytes"))?;
        if lgth != 16 {
            return Err(ApError::BadGssChecksum("binding length is not 16"));
        }
        let bindings: [u8; 16] = v
            .get(4..20)
            .and_then(|b| b.try_into().ok())
            .ok_or(ApError::BadGssChecksum("shorter than 24 bytes"))?;
        let flags = v
            .get(20..24)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_le_bytes)
            .ok_or(ApError::BadGssChecksum("shorter than 24 bytes"))?;
        let flags = GssFlags(flags);
        let mut rest = v.get(24..).unwrap_or_default();
        let mut delegation_len = None;
        if flags.contains(GssFlags::DELEG) && rest.len() >= 4 {
            let opt = u16::from_le_bytes([rest[0], rest[1]]);
            let len = usize::from(u16::from_le_bytes([rest[2], rest[3]]));
            if opt != 1 {
                return Err(ApError::BadGssChecksum("delegation option is not 1"));
            }
            rest = rest
                .get(4 + len..)
                .ok_or(ApError::BadGssChecksum("delegation runs past the end"))?;
            delegation_len = Some(len);
        }
        Ok(Self {
            bindings,
            flags,
            delegation_len,
            extensions: rest.to_vec(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncation() {
        let c = GssChecksum::new(GssFlags::DEFAULT);
        let v = c.encode();
        assert_eq!(v.len(), 24);
        assert_eq!(GssChecksum::decode(&v).unwrap(), c);
        assert!(GssChecksum::decode(&v[..23]).is_err());
        let mut d = v.clone();
        d[20] |= 1;
        d.extend_from_slice(&[1, 0, 3, 0, 9, 9, 9, 7]);
        let got = GssChecksum::decode(&d).unwrap();
        assert_eq!(got.delegation_len, Some(3));
        assert_eq!(got.extensions, vec![7]);
        d.truncate(29);
        assert!(GssChecksum::decode(&d).is_err());
    }
}
