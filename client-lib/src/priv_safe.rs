//! KRB-PRIV (RFC 4120 section 5.7) and KRB-SAFE (section 5.6) messages
//! over an authenticated AP session, with sequence numbers.
//!
//! Both sides use [`ApSession::shared_key`] (acceptor subkey, else
//! initiator subkey, else session key); KRB-PRIV encrypts with key usage
//! 13, KRB-SAFE checksums with key usage 15. Each direction counts from
//! its initial sequence number (initiator: the authenticator's; acceptor:
//! the AP-REP's) and a receiver accepts only the next number in order:
//! replays and reordering are refused with KRB_AP_ERR_BADORDER.
//!
//! Addresses: RFC 4120 makes the sender address mandatory. By default a
//! *directional address* (type 3; 4 bytes, 0 when the initiator sends, 1
//! when the acceptor sends) is used, and a receiver refuses a message
//! whose directional address names its own direction (a reflection).
//! Applications that want real network addresses, as older MIT peers
//! require when configured with them, set them with
//! [`PrivSafe::with_addresses`]; then the peer's sender address must
//! match the configured remote address.

use tessera_proto::crypto::{CryptoError, Key, usage};
use tessera_proto::msg::time::{microseconds, split_unix_micros};
use tessera_proto::msg::{
    self, DecodeError, EncKrbPrivPart, EncodeError, ErrorCode, HostAddress, KrbPriv, KrbSafe,
    KrbSafeBody, MessageType, PVNO, TimeError, encrypted_data,
};
use zeroize::Zeroizing;

use crate::ap::{ApSession, Role};

/// Address type of a directional address (RFC 4120 section 8.1).
pub const ADDRTYPE_DIRECTIONAL: i32 = 3;

/// Why a KRB-PRIV or KRB-SAFE message could not be made or was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrivSafeError {
    /// The message did not decode.
    #[error("malformed message: {0}")]
    Decode(#[from] DecodeError),
    /// A message could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// A time was out of range.
    #[error(transparent)]
    Time(#[from] TimeError),
    /// Wrong `pvno` or `msg-type`.
    #[error("not a {0} message")]
    WrongMessage(&'static str),
    /// KRB-PRIV decryption failed (wrong key or tampering).
    #[error("decrypt integrity check failed")]
    BadIntegrity,
    /// KRB-SAFE checksum did not verify.
    #[error("message checksum does not verify")]
    Modified,
    /// The checksum type does not belong to the session key.
    #[error("inappropriate checksum type {0}")]
    InappropriateChecksum(i32),
    /// The message carries no sequence number.
    #[error("message has no sequence number")]
    MissingSequence,
    /// A sequence number other than the next one expected (a replay, a
    /// lost message or reordering).
    #[error("message out of order: sequence number {got}, expected {expected}")]
    BadOrder {
        /// The next sequence number expected.
        expected: u32,
        /// The sequence number received.
        got: u32,
    },
    /// A directional address naming our own direction (reflected message).
    #[error("message was sent in the wrong direction")]
    BadDirection,
    /// The sender address is not the configured peer address.
    #[error("sender address does not match the peer's address")]
    BadAddress,
    /// Another crypto failure.
    #[error("crypto failure: {0}")]
    Crypto(CryptoError),
}

impl PrivSafeError {
    /// The RFC 4120 error code for this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            PrivSafeError::Decode(_) | PrivSafeError::WrongMessage(_) => ErrorCode::ApErrMsgType,
            PrivSafeError::BadIntegrity => ErrorCode::ApErrBadIntegrity,
            PrivSafeError::Modified => ErrorCode::ApErrModified,
            PrivSafeError::InappropriateChecksum(_) => ErrorCode::ApErrInappCksum,
            PrivSafeError::MissingSequence | PrivSafeError::BadOrder { .. } => {
                ErrorCode::ApErrBadorder
            }
            PrivSafeError::BadDirection => ErrorCode::ApErrBaddirection,
            PrivSafeError::BadAddress => ErrorCode::ApErrBadaddr,
            PrivSafeError::Encode(_) | PrivSafeError::Time(_) | PrivSafeError::Crypto(_) => {
                ErrorCode::Generic
            }
        }
    }
}

/// A network address as it travels in Kerberos messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetAddress {
    /// Address type (2 = IPv4, 24 = IPv6, 3 = directional).
    pub addr_type: i32,
    /// Address bytes.
    pub address: Vec<u8>,
}

impl NetAddress {
    fn to_asn1(&self) -> HostAddress {
        HostAddress {
            addr_type: self.addr_type,
            address: self.address.clone().into(),
        }
    }

    fn directional(sender: Role) -> Self {
        let v: u32 = match sender {
            Role::Initiator => 0,
            Role::Acceptor => 1,
        };
        NetAddress {
            addr_type: ADDRTYPE_DIRECTIONAL,
            address: v.to_be_bytes().to_vec(),
        }
    }
}

/// One side of a KRB-PRIV/KRB-SAFE conversation.
#[derive(Debug)]
pub struct PrivSafe {
    key: Key,
    role: Role,
    send_seq: u32,
    recv_seq: u32,
    local: Option<NetAddress>,
    remote: Option<NetAddress>,
}

impl PrivSafe {
    /// A conversation over an established AP session (either side).
    pub fn new(session: &ApSession) -> Self {
        Self {
            key: session.shared_key().clone(),
            role: session.role,
            send_seq: session.send_seq(),
            recv_seq: session.recv_seq(),
            local: None,
            remote: None,
        }
    }

    /// Uses real addresses instead of directional ones: `local` is sent as
    /// the sender address; when `remote` is given it is sent as the
    /// recipient address and required as the peer's sender address.
    #[must_use]
    pub fn with_addresses(mut self, local: NetAddress, remote: Option<NetAddress>) -> Self {
        self.local = Some(local);
        self.remote = remote;
        self
    }

    fn sender_address(&self) -> NetAddress {
        self.local
            .clone()
            .unwrap_or_else(|| NetAddress::directional(self.role))
    }

    fn check_sender(&self, s: &HostAddress) -> Result<(), PrivSafeError> {
        if let Some(r) = &self.remote {
            if s.addr_type != r.addr_type || s.address[..] != r.address[..] {
                return Err(PrivSafeError::BadAddress);
            }
            return Ok(());
        }
        if s.addr_type == ADDRTYPE_DIRECTIONAL {
            let ours = NetAddress::directional(self.role);
            if s.address[..] == ours.address[..] {
                return Err(PrivSafeError::BadDirection);
            }
        }
        Ok(())
    }

    fn check_seq(&mut self, seq: Option<u32>) -> Result<(), PrivSafeError> {
        let got = seq.ok_or(PrivSafeError::MissingSequence)?;
        if got != self.recv_seq {
            return Err(PrivSafeError::BadOrder {
                expected: self.recv_seq,
                got,
            });
        }
        self.recv_seq = self.recv_seq.wrapping_add(1);
        Ok(())
    }

    /// A KRB-PRIV carrying `data`, stamped with `now_micros`.
    pub fn mk_priv(&mut self, data: &[u8], now_micros: i64) -> Result<Vec<u8>, PrivSafeError> {
        let (ts, usec) = split_unix_micros(now_micros)?;
        let part = EncKrbPrivPart {
            user_data: data.to_vec().into(),
            timestamp: Some(ts),
            usec: Some(microseconds(usec)?),
            seq_number: Some(self.send_seq),
            sender_address: self.sender_address().to_asn1(),
            recipient_address: self.remote.as_ref().map(NetAddress::to_asn1),
        };
        let plain = Zeroizing::new(msg::encode(&part)?);
        let cipher = self
            .key
            .encrypt(usage::KRB_PRIV_ENC_PART, &plain)
            .map_err(PrivSafeError::Crypto)?;
        let m = KrbPriv {
            pvno: PVNO.into(),
            msg_type: MessageType::KrbPriv.as_i32().into(),
            enc_part: encrypted_data(self.key.etype().as_i32(), None, cipher),
        };
        let out = msg::encode(&m)?;
        self.send_seq = self.send_seq.wrapping_add(1);
        Ok(out)
    }

    /// Opens a peer's KRB-PRIV and returns its data.
    pub fn rd_priv(&mut self, bytes: &[u8]) -> Result<Vec<u8>, PrivSafeError> {
        let m: KrbPriv = msg::decode(bytes)?;
        check_header(&m.pvno, &m.msg_type, MessageType::KrbPriv, "KRB-PRIV")?;
        let plain = Zeroizing::new(
            self.key
                .decrypt(usage::KRB_PRIV_ENC_PART, &m.enc_part.cipher)
                .map_err(|e| match e {
                    CryptoError::IntegrityFailure | CryptoError::CiphertextTooShort { .. } => {
                        PrivSafeError::BadIntegrity
                    }
                    other => PrivSafeError::Crypto(other),
                })?,
        );
        let part: EncKrbPrivPart = msg::decode(&plain)?;
        self.check_sender(&part.sender_address)?;
        self.check_seq(part.seq_number)?;
        Ok(part.user_data.to_vec())
    }

    /// A KRB-SAFE carrying `data` in clear with a keyed checksum.
    pub fn mk_safe(&mut self, data: &[u8], now_micros: i64) -> Result<Vec<u8>, PrivSafeError> {
        let (ts, usec) = split_unix_micros(now_micros)?;
        let body = KrbSafeBody {
            user_data: data.to_vec().into(),
            timestamp: Some(ts),
            usec: Some(microseconds(usec)?),
            seq_number: Some(self.send_seq),
            s_address: self.sender_address().to_asn1(),
            r_address: self.remote.as_ref().map(NetAddress::to_asn1),
        };
        let ck = self
            .key
            .checksum(usage::KRB_SAFE_CKSUM, &msg::encode(&body)?)
            .map_err(PrivSafeError::Crypto)?;
        let m = KrbSafe {
            pvno: PVNO.into(),
            msg_type: MessageType::KrbSafe.as_i32().into(),
            body,
            cksum: msg::Checksum {
                r#type: ck.cksumtype.as_i32(),
                checksum: ck.value.into(),
            },
        };
        let out = msg::encode(&m)?;
        self.send_seq = self.send_seq.wrapping_add(1);
        Ok(out)
    }

    /// Checks a peer's KRB-SAFE and returns its data.
    pub fn rd_safe(&mut self, bytes: &[u8]) -> Result<Vec<u8>, PrivSafeError> {
        let m: KrbSafe = msg::decode(bytes)?;
        check_header(&m.pvno, &m.msg_type, MessageType::KrbSafe, "KRB-SAFE")?;
        let want = self.key.etype().checksum_type();
        if m.cksum.r#type != want.as_i32() {
            return Err(PrivSafeError::InappropriateChecksum(m.cksum.r#type));
        }
        let c = tessera_proto::crypto::Checksum {
            cksumtype: want,
            value: m.cksum.checksum.to_vec(),
        };
        self.key
            .verify_checksum(usage::KRB_SAFE_CKSUM, &msg::encode(&m.body)?, &c)
            .map_err(|_| PrivSafeError::Modified)?;
        self.check_sender(&m.body.s_address)?;
        self.check_seq(m.body.seq_number)?;
        Ok(m.body.user_data.to_vec())
    }
}

fn check_header(
    pvno: &msg::Integer,
    msg_type: &msg::Integer,
    want: MessageType,
    name: &'static str,
) -> Result<(), PrivSafeError> {
    let ok = i64::try_from(pvno).ok() == Some(i64::from(PVNO))
        && i64::try_from(msg_type).ok() == Some(i64::from(want.as_i32()));
    if ok {
        Ok(())
    } else {
        Err(PrivSafeError::WrongMessage(name))
    }
}
