//! Kerberos message types (RFC 4120 section 7.5.7) and classification of a
//! DER blob by its outer APPLICATION tag.

/// The `msg-type` of a Kerberos message; equal to its APPLICATION tag number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(i32)]
pub enum MessageType {
    /// KRB_AS_REQ (10).
    AsReq = 10,
    /// KRB_AS_REP (11).
    AsRep = 11,
    /// KRB_TGS_REQ (12).
    TgsReq = 12,
    /// KRB_TGS_REP (13).
    TgsRep = 13,
    /// KRB_AP_REQ (14).
    ApReq = 14,
    /// KRB_AP_REP (15).
    ApRep = 15,
    /// KRB_SAFE (20).
    KrbSafe = 20,
    /// KRB_PRIV (21).
    KrbPriv = 21,
    /// KRB_CRED (22).
    KrbCred = 22,
    /// KRB_ERROR (30).
    KrbError = 30,
}

impl MessageType {
    /// The wire value (also the APPLICATION tag number).
    pub const fn as_i32(self) -> i32 {
        self as i32
    }

    /// The message type for a wire value.
    pub const fn from_i32(v: i32) -> Option<Self> {
        Some(match v {
            10 => Self::AsReq,
            11 => Self::AsRep,
            12 => Self::TgsReq,
            13 => Self::TgsRep,
            14 => Self::ApReq,
            15 => Self::ApRep,
            20 => Self::KrbSafe,
            21 => Self::KrbPriv,
            22 => Self::KrbCred,
            30 => Self::KrbError,
            _ => return None,
        })
    }

    /// The RFC name, e.g. `"KRB_AS_REQ"`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::AsReq => "KRB_AS_REQ",
            Self::AsRep => "KRB_AS_REP",
            Self::TgsReq => "KRB_TGS_REQ",
            Self::TgsRep => "KRB_TGS_REP",
            Self::ApReq => "KRB_AP_REQ",
            Self::ApRep => "KRB_AP_REP",
            Self::KrbSafe => "KRB_SAFE",
            Self::KrbPriv => "KRB_PRIV",
            Self::KrbCred => "KRB_CRED",
            Self::KrbError => "KRB_ERROR",
        }
    }

    /// Classifies a DER blob by its outer tag without decoding the rest.
    pub fn peek(bytes: &[u8]) -> Result<Self, PeekError> {
        let n = application_tag(bytes)?;
        i32::try_from(n)
            .ok()
            .and_then(Self::from_i32)
            .ok_or(PeekError::NotAMessage(n))
    }
}

impl core::fmt::Display for MessageType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a blob could not be classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeekError {
    /// No bytes at all.
    #[error("empty input")]
    Empty,
    /// The first identifier is not a constructed APPLICATION tag.
    #[error("outer tag {0:#04x} is not a constructed APPLICATION tag")]
    NotApplication(u8),
    /// A multi-byte tag number was cut off or is too large.
    #[error("malformed tag number")]
    BadTagNumber,
    /// An APPLICATION tag that is not a Kerberos message (e.g. 1 = Ticket).
    #[error("APPLICATION {0} is not a Kerberos message type")]
    NotAMessage(u32),
}

/// The number of the outer constructed APPLICATION tag of a DER blob
/// (e.g. 10 for AS-REQ, 1 for Ticket, 25 for EncASRepPart).
pub fn application_tag(bytes: &[u8]) -> Result<u32, PeekError> {
    let first = *bytes.first().ok_or(PeekError::Empty)?;
    if first & 0xe0 != 0x60 {
        return Err(PeekError::NotApplication(first));
    }
    let low = first & 0x1f;
    if low != 0x1f {
        return Ok(u32::from(low));
    }
    // High tag number form: base-128 digits, last one has the top bit clear.
    let mut n: u32 = 0;
    for (i, b) in bytes.iter().skip(1).enumerate() {
        if i >= 4 {
            return Err(PeekError::BadTagNumber);
        }
        n = (n << 7) | u32::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Ok(n);
        }
    }
    Err(PeekError::BadTagNumber)
}
