//! [`ApError`]: every way an AP exchange can fail, each mapped to the
//! RFC 4120 error code a peer should see in a KRB-ERROR.

use tessera_proto::crypto::{CryptoError, EncType};
use tessera_proto::msg::{
    BuildError, DecodeError, EncodeError, ErrorCode, KrbErrorBuilder, Principal, TimeError,
};

/// Why an AP-REQ was refused (acceptor side) or an AP-REP was not trusted
/// (initiator side).
///
/// None of the variants carries key material or decrypted data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApError {
    /// The message did not decode as the expected Kerberos message.
    #[error("malformed message: {0}")]
    Decode(#[from] DecodeError),
    /// A message could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// A message could not be built (names, times).
    #[error(transparent)]
    Build(#[from] BuildError),
    /// A time field was out of range.
    #[error(transparent)]
    Time(#[from] TimeError),
    /// `pvno` was not 5.
    #[error("protocol version {0} is not 5")]
    BadVersion(i64),
    /// The message type field is not the one expected.
    #[error("message type {got} where {expected} was expected")]
    WrongMessageType {
        /// The expected message type number.
        expected: i32,
        /// The message type received.
        got: i64,
    },
    /// The ticket names a service other than the one this acceptor is.
    #[error("the ticket is for {ticket_server}, not for {expected}")]
    NotUs {
        /// Server named in the ticket.
        ticket_server: String,
        /// The server the acceptor expected.
        expected: String,
    },
    /// The keytab has no key at all for the ticket's server.
    #[error("keytab has no key for {principal} (ticket kvno {kvno_text} enctype {enctype})")]
    NoKeyForPrincipal {
        /// The ticket's server principal.
        principal: String,
        /// The ticket's kvno rendered for the message (`"?"` if absent).
        kvno_text: String,
        /// The ticket's enctype name (or number).
        enctype: String,
    },
    /// The keytab has keys for the server, but not of the ticket's kvno.
    #[error(
        "keytab has no key for {principal} kvno {kvno} enctype {enctype} (keytab holds kvno {held})"
    )]
    NoKeyVersion {
        /// The ticket's server principal.
        principal: String,
        /// The kvno the ticket was encrypted with.
        kvno: u32,
        /// The ticket's enctype name (or number).
        enctype: String,
        /// The kvnos the keytab holds for the principal, e.g. `"2"` or `"2, 3"`.
        held: String,
    },
    /// The keytab has the kvno but not the ticket's enctype.
    #[error(
        "keytab has no key for {principal} kvno {kvno} enctype {enctype} (keytab holds enctypes {held} for that kvno)"
    )]
    NoKeyEnctype {
        /// The ticket's server principal.
        principal: String,
        /// The kvno.
        kvno: u32,
        /// The ticket's enctype name (or number).
        enctype: String,
        /// Enctypes the keytab holds for that kvno.
        held: String,
    },
    /// An enctype Tessera does not implement.
    #[error("unsupported enctype {0}")]
    UnsupportedEnctype(i32),
    /// Decryption failed its integrity check (wrong key or tampering).
    #[error("decrypt integrity check failed on the {what}")]
    BadIntegrity {
        /// What was being decrypted: "ticket", "authenticator", "AP-REP".
        what: &'static str,
    },
    /// The ticket's start time is in the future (beyond the skew).
    #[error("ticket not yet valid: starts at {starttime}, now is {now}")]
    TicketNotYetValid {
        /// Ticket start time (Unix seconds).
        starttime: i64,
        /// Acceptor time (Unix seconds).
        now: i64,
    },
    /// The ticket's end time has passed (beyond the skew).
    #[error("ticket expired at {endtime}, now is {now}")]
    TicketExpired {
        /// Ticket end time (Unix seconds).
        endtime: i64,
        /// Acceptor time (Unix seconds).
        now: i64,
    },
    /// The authenticator's client is not the ticket's client.
    #[error("authenticator client {authenticator} does not match ticket client {ticket}")]
    BadMatch {
        /// Client named in the authenticator.
        authenticator: String,
        /// Client named in the ticket.
        ticket: String,
    },
    /// The authenticator's time is too far from the acceptor's clock.
    #[error("clock skew too great: client time {ctime}, server time {now}, allowed {skew}s")]
    Skew {
        /// Client time (Unix seconds).
        ctime: i64,
        /// Acceptor time (Unix seconds).
        now: i64,
        /// Allowed skew in seconds.
        skew: i64,
    },
    /// The authenticator was seen before.
    #[error("request is a replay")]
    Repeat,
    /// The client holds its whole share of the replay cache (too many
    /// fresh authenticators within the skew window); only this client is
    /// refused, until some of its entries expire.
    #[error("too many authenticators from this client within the clock skew; retry later")]
    ReplayCacheFull,
    /// A checksum did not verify.
    #[error("checksum in the {what} does not verify")]
    Modified {
        /// What carried the checksum.
        what: &'static str,
    },
    /// A checksum of a type that cannot be used here.
    #[error("inappropriate checksum type {0}")]
    InappropriateChecksum(i32),
    /// A GSS-API 0x8003 checksum was malformed.
    #[error("malformed GSS-API authenticator checksum: {0}")]
    BadGssChecksum(&'static str),
    /// User-to-user tickets (`use-session-key`) are not supported.
    #[error("user-to-user authentication is not supported")]
    UserToUserUnsupported,
    /// The AP-REP's ctime/cusec do not echo the authenticator's.
    #[error("mutual authentication failed: the AP-REP does not echo our authenticator time")]
    MutualFailed,
    /// The peer answered with a KRB-ERROR.
    #[error("peer returned error {code}: {text}")]
    PeerError {
        /// The error code number.
        code: i32,
        /// The error's name and any e-text.
        text: String,
    },
    /// A credential's session key or ticket could not be used.
    #[error("unusable credential: {0}")]
    BadCredential(&'static str),
    /// A crypto operation failed for a reason other than integrity.
    #[error("crypto failure: {0}")]
    Crypto(CryptoError),
}

impl ApError {
    /// The RFC 4120 error code to report to the peer.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApError::Decode(_) | ApError::WrongMessageType { .. } => ErrorCode::ApErrMsgType,
            ApError::BadVersion(_) => ErrorCode::ApErrBadversion,
            ApError::NotUs { .. } => ErrorCode::ApErrNotUs,
            ApError::NoKeyForPrincipal { .. } | ApError::NoKeyEnctype { .. } => {
                ErrorCode::ApErrNokey
            }
            ApError::NoKeyVersion { .. } => ErrorCode::ApErrBadkeyver,
            ApError::UnsupportedEnctype(_) => ErrorCode::EtypeNosupp,
            ApError::BadIntegrity { .. } => ErrorCode::ApErrBadIntegrity,
            ApError::TicketNotYetValid { .. } => ErrorCode::ApErrTktNyv,
            ApError::TicketExpired { .. } => ErrorCode::ApErrTktExpired,
            ApError::BadMatch { .. } => ErrorCode::ApErrBadmatch,
            ApError::Skew { .. } => ErrorCode::ApErrSkew,
            ApError::Repeat => ErrorCode::ApErrRepeat,
            ApError::Modified { .. } | ApError::BadGssChecksum(_) => ErrorCode::ApErrModified,
            ApError::InappropriateChecksum(_) => ErrorCode::ApErrInappCksum,
            ApError::UserToUserUnsupported => ErrorCode::ApErrMethod,
            ApError::MutualFailed => ErrorCode::ApErrMutFail,
            ApError::PeerError { code, .. } => {
                ErrorCode::from_i32(*code).unwrap_or(ErrorCode::Generic)
            }
            ApError::Encode(_)
            | ApError::Build(_)
            | ApError::Time(_)
            | ApError::ReplayCacheFull
            | ApError::BadCredential(_)
            | ApError::Crypto(_) => ErrorCode::Generic,
        }
    }

    /// A DER-encoded KRB-ERROR telling the peer why its AP-REQ was refused.
    ///
    /// `server` is the acceptor's principal and `now_micros` its clock
    /// (microseconds since the Unix epoch; a skew error then tells the
    /// client the server time). The e-text is the error's message, which
    /// names principals and key versions but never keys.
    pub fn to_krb_error(&self, server: &Principal, now_micros: i64) -> Result<Vec<u8>, ApError> {
        let err = KrbErrorBuilder::new(self.code(), server, now_micros)
            .e_text(self.to_string())
            .build()?;
        Ok(tessera_proto::msg::encode(&err)?)
    }

    /// Maps a decryption failure to [`ApError::BadIntegrity`] (for `what`)
    /// and other crypto failures to [`ApError::Crypto`].
    pub(crate) fn decrypt(what: &'static str) -> impl FnOnce(CryptoError) -> ApError {
        move |e| match e {
            CryptoError::IntegrityFailure | CryptoError::CiphertextTooShort { .. } => {
                ApError::BadIntegrity { what }
            }
            CryptoError::UnsupportedEnctype(n) => ApError::UnsupportedEnctype(n),
            other => ApError::Crypto(other),
        }
    }
}

impl From<CryptoError> for ApError {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::UnsupportedEnctype(n) => ApError::UnsupportedEnctype(n),
            other => ApError::Crypto(other),
        }
    }
}

/// An enctype number as its MIT name, or the number if unknown.
pub(crate) fn enctype_text(n: i32) -> String {
    EncType::from_i32(n).map_or_else(|| n.to_string(), |e| e.name().to_string())
}

impl From<tessera_proto::replay::ReplayRefusal> for ApError {
    fn from(r: tessera_proto::replay::ReplayRefusal) -> Self {
        match r {
            tessera_proto::replay::ReplayRefusal::Replay { .. } => ApError::Repeat,
            tessera_proto::replay::ReplayRefusal::ClientOverQuota => ApError::ReplayCacheFull,
        }
    }
}
