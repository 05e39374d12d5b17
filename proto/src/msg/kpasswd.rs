//! Password change protocol (RFC 3244, and the original "version 1"
//! protocol MIT also speaks): ChangePasswdData and the request / reply
//! framing that wraps an AP-REQ / AP-REP and a KRB-PRIV / KRB-ERROR.
//!
//! Request: `msg-len u16 | version u16 | ap-req-len u16 | AP-REQ | KRB-PRIV`.
//! Reply:   `msg-len u16 | version u16 (1) | ap-rep-len u16 | AP-REP | KRB-PRIV`,
//! or with `ap-rep-len = 0` and a KRB-ERROR instead of the KRB-PRIV.
//! All integers are big-endian; `msg-len` counts the whole message.
//! Over TCP the message is additionally prefixed by the usual 4-byte length.

use rasn::prelude::*;
use rasn_kerberos::{ApRep, ApReq, KrbError, KrbPriv, PrincipalName, Realm};

use super::codec::{self, DecodeError, EncodeError};

/// `ChangePasswdData ::= SEQUENCE { newpasswd [0] OCTET STRING,
/// targname [1] PrincipalName OPTIONAL, targrealm [2] Realm OPTIONAL }`
///
/// Debug output redacts the password.
#[derive(AsnType, Clone, Decode, Encode, PartialEq, Eq)]
pub struct ChangePasswdData {
    /// The new password (secret).
    #[rasn(tag(explicit(0)))]
    pub newpasswd: OctetString,
    /// Whose password to set (absent: the authenticated client's).
    #[rasn(tag(explicit(1)))]
    pub targname: Option<PrincipalName>,
    /// The target's realm.
    #[rasn(tag(explicit(2)))]
    pub targrealm: Option<Realm>,
}

impl core::fmt::Debug for ChangePasswdData {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChangePasswdData")
            .field("newpasswd", &"<redacted>")
            .field("targname", &self.targname)
            .field("targrealm", &self.targrealm)
            .finish()
    }
}

/// The kpasswd protocol version in a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KpasswdVersion {
    /// 0x0001: change password; the KRB-PRIV user data is the new password.
    Change,
    /// 0xff80: RFC 3244 set/change; the KRB-PRIV user data is a DER
    /// [`ChangePasswdData`].
    SetPassword,
}

impl KpasswdVersion {
    /// The wire value.
    pub const fn as_u16(self) -> u16 {
        match self {
            Self::Change => 0x0001,
            Self::SetPassword => 0xff80,
        }
    }

    /// The version for a wire value.
    pub const fn from_u16(v: u16) -> Option<Self> {
        match v {
            0x0001 => Some(Self::Change),
            0xff80 => Some(Self::SetPassword),
            _ => None,
        }
    }
}

/// Version number of every kpasswd reply.
pub const KPASSWD_REPLY_VERSION: u16 = 0x0001;

/// Result codes carried in the reply's result data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum KpasswdResultCode {
    /// KRB5_KPASSWD_SUCCESS (0).
    Success = 0,
    /// KRB5_KPASSWD_MALFORMED (1): request fails basic integrity checks.
    Malformed = 1,
    /// KRB5_KPASSWD_HARDERROR (2): server error.
    HardError = 2,
    /// KRB5_KPASSWD_AUTHERROR (3): authentication failed.
    AuthError = 3,
    /// KRB5_KPASSWD_SOFTERROR (4): password change rejected (policy).
    SoftError = 4,
    /// KRB5_KPASSWD_ACCESSDENIED (5): not authorized.
    AccessDenied = 5,
    /// KRB5_KPASSWD_BAD_VERSION (6): unknown protocol version.
    BadVersion = 6,
    /// KRB5_KPASSWD_INITIAL_FLAG_NEEDED (7): ticket must come from the AS.
    InitialFlagNeeded = 7,
}

impl KpasswdResultCode {
    /// The wire value.
    pub const fn as_u16(self) -> u16 {
        self as u16
    }

    /// The result code for a wire value.
    pub const fn from_u16(v: u16) -> Option<Self> {
        Some(match v {
            0 => Self::Success,
            1 => Self::Malformed,
            2 => Self::HardError,
            3 => Self::AuthError,
            4 => Self::SoftError,
            5 => Self::AccessDenied,
            6 => Self::BadVersion,
            7 => Self::InitialFlagNeeded,
            _ => return None,
        })
    }

    /// A short English description (MIT's wording).
    pub const fn message(self) -> &'static str {
        match self {
            Self::Success => "Success",
            Self::Malformed => "Malformed request error",
            Self::HardError => "Server error",
            Self::AuthError => "Authentication error",
            Self::SoftError => "Password change rejected",
            Self::AccessDenied => "Access denied",
            Self::BadVersion => "Wrong protocol version",
            Self::InitialFlagNeeded => "Initial password required",
        }
    }
}

/// Why kpasswd framing could not be parsed or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KpasswdError {
    /// Fewer bytes than the header or a declared length needs.
    #[error("kpasswd message truncated: need {need} bytes, have {have}")]
    Truncated {
        /// Bytes needed.
        need: usize,
        /// Bytes present.
        have: usize,
    },
    /// The message-length field does not match the input length.
    #[error("kpasswd message length field says {declared}, message is {actual} bytes")]
    LengthMismatch {
        /// The declared length.
        declared: usize,
        /// The actual length.
        actual: usize,
    },
    /// Unknown protocol version in a request, or a reply version other than 1.
    #[error("unsupported kpasswd protocol version {0:#06x}")]
    BadVersion(u16),
    /// A reply with no AP-REP and no KRB-ERROR.
    #[error("kpasswd reply without AP-REP must carry a KRB-ERROR")]
    MissingError,
    /// A part does not fit the 16-bit length fields.
    #[error("kpasswd message too long for 16-bit length fields")]
    TooLong,
    /// Result data shorter than the 2-byte result code.
    #[error("kpasswd result data shorter than 2 bytes")]
    ShortResult,
    /// An embedded message failed to decode.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// An embedded message failed to encode.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

fn read_u16(b: &[u8], at: usize) -> Result<u16, KpasswdError> {
    match b.get(at..at + 2) {
        Some(&[hi, lo]) => Ok(u16::from_be_bytes([hi, lo])),
        _ => Err(KpasswdError::Truncated {
            need: at + 2,
            have: b.len(),
        }),
    }
}

fn len16(n: usize) -> Result<u16, KpasswdError> {
    u16::try_from(n).map_err(|_| KpasswdError::TooLong)
}

/// A parsed kpasswd request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KpasswdRequest {
    /// Protocol version.
    pub version: KpasswdVersion,
    /// The AP-REQ (ticket for `kadmin/changepw`).
    pub ap_req: ApReq,
    /// The KRB-PRIV whose user data is the password or [`ChangePasswdData`].
    pub krb_priv: KrbPriv,
}

impl KpasswdRequest {
    /// Parses the framed request (without any TCP length prefix).
    pub fn decode(bytes: &[u8]) -> Result<Self, KpasswdError> {
        let (raw_version, ap_bytes, priv_bytes) = unframe(bytes)?;
        let version =
            KpasswdVersion::from_u16(raw_version).ok_or(KpasswdError::BadVersion(raw_version))?;
        Ok(Self {
            version,
            ap_req: codec::decode(ap_bytes)?,
            krb_priv: codec::decode(priv_bytes)?,
        })
    }

    /// Builds the framed request.
    pub fn encode(&self) -> Result<Vec<u8>, KpasswdError> {
        frame(
            self.version.as_u16(),
            &codec::encode(&self.ap_req)?,
            &codec::encode(&self.krb_priv)?,
        )
    }
}

/// Splits a framed message (what [`frame`] writes) into its version, the
/// AP-REQ/AP-REP bytes and the rest, checking the declared lengths.
fn unframe(bytes: &[u8]) -> Result<(u16, &[u8], &[u8]), KpasswdError> {
    let declared = usize::from(read_u16(bytes, 0)?);
    if declared != bytes.len() {
        return Err(KpasswdError::LengthMismatch {
            declared,
            actual: bytes.len(),
        });
    }
    let version = read_u16(bytes, 2)?;
    let ap_end = 6 + usize::from(read_u16(bytes, 4)?);
    let ap = bytes.get(6..ap_end).ok_or(KpasswdError::Truncated {
        need: ap_end,
        have: bytes.len(),
    })?;
    Ok((version, ap, bytes.get(ap_end..).unwrap_or_default()))
}

fn frame(version: u16, ap: &[u8], tail: &[u8]) -> Result<Vec<u8>, KpasswdError> {
    let total = len16(6 + ap.len() + tail.len())?;
    let mut out = Vec::with_capacity(usize::from(total));
    out.extend_from_slice(&total.to_be_bytes());
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&len16(ap.len())?.to_be_bytes());
    out.extend_from_slice(ap);
    out.extend_from_slice(tail);
    Ok(out)
}

/// The body of a kpasswd reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KpasswdReply {
    /// AP-REP plus KRB-PRIV whose user data is the result data.
    Priv {
        /// Mutual authentication reply.
        ap_rep: ApRep,
        /// Encrypted result.
        krb_priv: KrbPriv,
    },
    /// KRB-ERROR whose `e-data` is the result data (no AP-REP).
    Error(KrbError),
}

impl KpasswdReply {
    /// Parses the framed reply (without any TCP length prefix).
    pub fn decode(bytes: &[u8]) -> Result<Self, KpasswdError> {
        let (version, ap_bytes, tail) = unframe(bytes)?;
        if version != KPASSWD_REPLY_VERSION {
            return Err(KpasswdError::BadVersion(version));
        }
        if ap_bytes.is_empty() {
            if tail.is_empty() {
                return Err(KpasswdError::MissingError);
            }
            return Ok(Self::Error(codec::decode(tail)?));
        }
        Ok(Self::Priv {
            ap_rep: codec::decode(ap_bytes)?,
            krb_priv: codec::decode(tail)?,
        })
    }

    /// Builds the framed reply.
    pub fn encode(&self) -> Result<Vec<u8>, KpasswdError> {
        match self {
            Self::Priv { ap_rep, krb_priv } => frame(
                KPASSWD_REPLY_VERSION,
                &codec::encode(ap_rep)?,
                &codec::encode(krb_priv)?,
            ),
            Self::Error(err) => frame(KPASSWD_REPLY_VERSION, &[], &codec::encode(err)?),
        }
    }
}

/// Result data: a 2-byte result code and a result string (UTF-8 text for
/// MIT; Active Directory may put a binary policy blob here).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KpasswdResult {
    /// The raw result code (see [`KpasswdResultCode::from_u16`]).
    pub code: u16,
    /// The result string bytes.
    pub string: Vec<u8>,
}

impl KpasswdResult {
    /// A result with a code and a text.
    pub fn new(code: KpasswdResultCode, text: &str) -> Self {
        Self {
            code: code.as_u16(),
            string: text.as_bytes().to_vec(),
        }
    }

    /// The known result code, if it is one.
    pub fn result_code(&self) -> Option<KpasswdResultCode> {
        KpasswdResultCode::from_u16(self.code)
    }

    /// The result string if it is UTF-8 text.
    pub fn text(&self) -> Option<&str> {
        core::str::from_utf8(&self.string).ok()
    }

    /// Serializes the result data.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + self.string.len());
        out.extend_from_slice(&self.code.to_be_bytes());
        out.extend_from_slice(&self.string);
        out
    }

    /// Parses result data.
    pub fn decode(bytes: &[u8]) -> Result<Self, KpasswdError> {
        let code = read_u16(bytes, 0).map_err(|_| KpasswdError::ShortResult)?;
        Ok(Self {
            code,
            string: bytes.get(2..).unwrap_or_default().to_vec(),
        })
    }
}
