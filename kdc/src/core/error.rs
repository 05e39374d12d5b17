//! [`KdcError`]: every reason the KDC refuses a request, each mapped to one
//! RFC 4120 error code by [`KdcError::error_code`].
//!
//! Variants carry no key material, passwords or ticket contents; their
//! Display text is for logs and the audit trail (and, for a few variants,
//! the KRB-ERROR `e-text`).

use tessera_proto::msg::{ErrorCode, PaData};

/// Why the KDC refused a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KdcError {
    /// `pvno` is not 5.
    #[error("unsupported protocol version")]
    BadPvno,
    /// `msg-type` does not match the message (or an AP-REQ inside PA-TGS-REQ
    /// is not one).
    #[error("wrong message type")]
    WrongMessageType,
    /// The request decoded only partly or carries a field we cannot use.
    #[error("malformed request: {0}")]
    Malformed(&'static str),
    /// An invalid combination of KDC options (e.g. RENEW in an AS-REQ).
    #[error("bad option: {0}")]
    BadOption(&'static str),
    /// A postdated ticket was asked for and may not be issued.
    #[error("postdating not allowed: {0}")]
    CannotPostdate(&'static str),
    /// The requested end time is before the start time.
    #[error("requested ticket would never be valid")]
    NeverValid,
    /// Refused by policy.
    #[error("refused by policy: {0}")]
    Policy(&'static str),
    /// The client is not in the database.
    #[error("client not found in database")]
    ClientUnknown,
    /// The server is not in the database (or outside our realm).
    #[error("server not found in database")]
    ServerUnknown,
    /// The server is disabled (allow_tix off); answered like an unknown
    /// server, as MIT does.
    #[error("server is disabled")]
    ServerDisabled,
    /// The server may not receive service tickets (allow_svr off).
    #[error("server may not receive tickets (user-to-user only)")]
    ServerNotAllowed,
    /// The client is disabled (allow_tix off).
    #[error("client is disabled")]
    ClientRevoked,
    /// The client is locked out (too many failed pre-authentications, or
    /// locked by an administrator); answered before pre-authentication, as
    /// MIT does.
    #[error("client is locked out")]
    LockedOut,
    /// The client principal has expired.
    #[error("client principal has expired")]
    ClientExpired,
    /// The server principal has expired.
    #[error("server principal has expired")]
    ServerExpired,
    /// The client's password has expired (only the password-change service
    /// is reachable).
    #[error("client password has expired")]
    PasswordExpired,
    /// The client must change its password first (`needchange`): only the
    /// password-change service is reachable.
    #[error("client must change its password (needchange)")]
    PasswordChangeRequired,
    /// Pre-authentication is required; the METHOD-DATA to send as e-data.
    #[error("pre-authentication required")]
    PreauthRequired(Vec<PaData>),
    /// The encrypted timestamp did not decrypt with any key we hold.
    #[error("pre-authentication failed")]
    PreauthFailed,
    /// A time from the client is outside the allowed clock skew.
    #[error("clock skew too great")]
    Skew,
    /// No enctype both sides (and the realm) accept.
    #[error("no acceptable encryption type")]
    EtypeNosupp,
    /// A TGS-REQ without PA-TGS-REQ.
    #[error("TGS-REQ without PA-TGS-REQ")]
    NoTgsPadata,
    /// The presented ticket has expired.
    #[error("ticket expired")]
    TicketExpired,
    /// The presented ticket is not yet valid (postdated, or INVALID).
    #[error("ticket not yet valid")]
    TicketNotYetValid,
    /// The authenticator was seen before.
    #[error("request is a replay")]
    Replay,
    /// The ticket is not for a service this KDC may accept in a TGS-REQ.
    #[error("ticket is not for this KDC")]
    NotUs,
    /// The authenticator's client differs from the ticket's.
    #[error("authenticator client does not match the ticket")]
    BadMatch,
    /// A ticket or authenticator failed its integrity check.
    #[error("integrity check failed: {0}")]
    BadIntegrity(&'static str),
    /// We hold no key of the ticket's kvno and enctype.
    #[error("no key for the ticket's kvno {kvno} and enctype {etype}")]
    BadKeyVersion {
        /// kvno named by the ticket (0 when absent).
        kvno: u32,
        /// Enctype of the ticket.
        etype: i32,
    },
    /// The request body checksum does not verify.
    #[error("request body checksum does not match")]
    Modified,
    /// The request body checksum is missing or of an unacceptable type.
    #[error("request body checksum missing or of an unacceptable type")]
    InappropriateChecksum,
    /// The reply is too large for UDP; the client should retry over TCP.
    #[error("reply too big for UDP")]
    ResponseTooBig,
    /// An internal failure (database, random generator, encoding).
    #[error("internal error: {0}")]
    Internal(&'static str),
}

impl KdcError {
    /// The RFC 4120 error code sent in the KRB-ERROR for this refusal.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            KdcError::BadPvno => ErrorCode::BadPvno,
            KdcError::WrongMessageType => ErrorCode::ApErrMsgType,
            KdcError::Malformed(_) => ErrorCode::Generic,
            KdcError::BadOption(_) => ErrorCode::BadOption,
            KdcError::CannotPostdate(_) => ErrorCode::CannotPostdate,
            KdcError::NeverValid => ErrorCode::NeverValid,
            KdcError::Policy(_) => ErrorCode::Policy,
            KdcError::ClientUnknown => ErrorCode::CPrincipalUnknown,
            KdcError::ServerUnknown | KdcError::ServerDisabled => ErrorCode::SPrincipalUnknown,
            KdcError::ServerNotAllowed => ErrorCode::MustUseUser2User,
            KdcError::ClientRevoked | KdcError::LockedOut => ErrorCode::ClientRevoked,
            KdcError::ClientExpired => ErrorCode::NameExp,
            KdcError::ServerExpired => ErrorCode::ServiceExp,
            KdcError::PasswordExpired | KdcError::PasswordChangeRequired => ErrorCode::KeyExpired,
            KdcError::PreauthRequired(_) => ErrorCode::PreauthRequired,
            KdcError::PreauthFailed => ErrorCode::PreauthFailed,
            KdcError::Skew => ErrorCode::ApErrSkew,
            KdcError::EtypeNosupp => ErrorCode::EtypeNosupp,
            KdcError::NoTgsPadata => ErrorCode::PadataTypeNosupp,
            KdcError::TicketExpired => ErrorCode::ApErrTktExpired,
            KdcError::TicketNotYetValid => ErrorCode::ApErrTktNyv,
            KdcError::Replay => ErrorCode::ApErrRepeat,
            KdcError::NotUs => ErrorCode::ApErrNotUs,
            KdcError::BadMatch => ErrorCode::ApErrBadmatch,
            KdcError::BadIntegrity(_) => ErrorCode::ApErrBadIntegrity,
            KdcError::BadKeyVersion { .. } => ErrorCode::ApErrBadkeyver,
            KdcError::Modified => ErrorCode::ApErrModified,
            KdcError::InappropriateChecksum => ErrorCode::ApErrInappCksum,
            KdcError::ResponseTooBig => ErrorCode::ResponseTooBig,
            KdcError::Internal(_) => ErrorCode::Generic,
        }
    }

    /// The KRB-ERROR `e-text`, sent only where it helps the client and
    /// reveals nothing the error code does not.
    pub fn e_text(&self) -> Option<String> {
        match self {
            KdcError::Malformed(_)
            | KdcError::BadOption(_)
            | KdcError::CannotPostdate(_)
            | KdcError::Policy(_)
            | KdcError::BadKeyVersion { .. } => Some(self.to_string()),
            KdcError::PreauthRequired(_) => Some("NEEDED_PREAUTH".to_owned()),
            _ => None,
        }
    }

    /// The METHOD-DATA to send as e-data, when the error carries one.
    pub fn method_data(&self) -> Option<&[PaData]> {
        match self {
            KdcError::PreauthRequired(m) => Some(m),
            _ => None,
        }
    }
}
