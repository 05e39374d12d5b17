//! KRB-ERROR error codes (RFC 4120 section 7.5.9, RFC 4556, RFC 6113,
//! RFC 8636, IAKERB) with MIT's message texts.

/// A Kerberos protocol error code as carried in KRB-ERROR `error-code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(i32)]
#[non_exhaustive]
pub enum ErrorCode {
    /// KDC_ERR_NONE (0): "No error".
    None = 0,
    /// KDC_ERR_NAME_EXP (1): "Client's entry in database has expired".
    NameExp = 1,
    /// KDC_ERR_SERVICE_EXP (2): "Server's entry in database has expired".
    ServiceExp = 2,
    /// KDC_ERR_BAD_PVNO (3): "Requested protocol version not supported".
    BadPvno = 3,
    /// KDC_ERR_C_OLD_MAST_KVNO (4): "Client's key is encrypted in an old master key".
    COldMastKvno = 4,
    /// KDC_ERR_S_OLD_MAST_KVNO (5): "Server's key is encrypted in an old master key".
    SOldMastKvno = 5,
    /// KDC_ERR_C_PRINCIPAL_UNKNOWN (6): "Client not found in Kerberos database".
    CPrincipalUnknown = 6,
    /// KDC_ERR_S_PRINCIPAL_UNKNOWN (7): "Server not found in Kerberos database".
    SPrincipalUnknown = 7,
    /// KDC_ERR_PRINCIPAL_NOT_UNIQUE (8): "Principal has multiple entries in Kerberos database".
    PrincipalNotUnique = 8,
    /// KDC_ERR_NULL_KEY (9): "Client or server has a null key".
    NullKey = 9,
    /// KDC_ERR_CANNOT_POSTDATE (10): "Ticket is ineligible for postdating".
    CannotPostdate = 10,
    /// KDC_ERR_NEVER_VALID (11): "Requested effective lifetime is negative or too short".
    NeverValid = 11,
    /// KDC_ERR_POLICY (12): "KDC policy rejects request".
    Policy = 12,
    /// KDC_ERR_BADOPTION (13): "KDC can't fulfill requested option".
    BadOption = 13,
    /// KDC_ERR_ETYPE_NOSUPP (14): "KDC has no support for encryption type".
    EtypeNosupp = 14,
    /// KDC_ERR_SUMTYPE_NOSUPP (15): "KDC has no support for checksum type".
    SumtypeNosupp = 15,
    /// KDC_ERR_PADATA_TYPE_NOSUPP (16): "KDC has no support for padata type".
    PadataTypeNosupp = 16,
    /// KDC_ERR_TRTYPE_NOSUPP (17): "KDC has no support for transited type".
    TrtypeNosupp = 17,
    /// KDC_ERR_CLIENT_REVOKED (18): "Client's credentials have been revoked".
    ClientRevoked = 18,
    /// KDC_ERR_SERVICE_REVOKED (19): "Credentials for server have been revoked".
    ServiceRevoked = 19,
    /// KDC_ERR_TGT_REVOKED (20): "TGT has been revoked".
    TgtRevoked = 20,
    /// KDC_ERR_CLIENT_NOTYET (21): "Client not yet valid - try again later".
    ClientNotyet = 21,
    /// KDC_ERR_SERVICE_NOTYET (22): "Server not yet valid - try again later".
    ServiceNotyet = 22,
    /// KDC_ERR_KEY_EXPIRED (23): "Password has expired".
    KeyExpired = 23,
    /// KDC_ERR_PREAUTH_FAILED (24): "Preauthentication failed".
    PreauthFailed = 24,
    /// KDC_ERR_PREAUTH_REQUIRED (25): "Additional pre-authentication required".
    PreauthRequired = 25,
    /// KDC_ERR_SERVER_NOMATCH (26): "Requested server and ticket don't match".
    ServerNomatch = 26,
    /// KDC_ERR_MUST_USE_USER2USER (27): "Server principal valid for user2user only".
    MustUseUser2User = 27,
    /// KDC_ERR_PATH_NOT_ACCEPTED (28): "KDC policy rejects transited path".
    PathNotAccepted = 28,
    /// KDC_ERR_SVC_UNAVAILABLE (29): "A service is not available that is required to process the request".
    SvcUnavailable = 29,
    /// KRB_AP_ERR_BAD_INTEGRITY (31): "Decrypt integrity check failed".
    ApErrBadIntegrity = 31,
    /// KRB_AP_ERR_TKT_EXPIRED (32): "Ticket expired".
    ApErrTktExpired = 32,
    /// KRB_AP_ERR_TKT_NYV (33): "Ticket not yet valid".
    ApErrTktNyv = 33,
    /// KRB_AP_ERR_REPEAT (34): "Request is a replay".
    ApErrRepeat = 34,
    /// KRB_AP_ERR_NOT_US (35): "The ticket isn't for us".
    ApErrNotUs = 35,
    /// KRB_AP_ERR_BADMATCH (36): "Ticket/authenticator don't match".
    ApErrBadmatch = 36,
    /// KRB_AP_ERR_SKEW (37): "Clock skew too great".
    ApErrSkew = 37,
    /// KRB_AP_ERR_BADADDR (38): "Incorrect net address".
    ApErrBadaddr = 38,
    /// KRB_AP_ERR_BADVERSION (39): "Protocol version mismatch".
    ApErrBadversion = 39,
    /// KRB_AP_ERR_MSG_TYPE (40): "Invalid message type".
    ApErrMsgType = 40,
    /// KRB_AP_ERR_MODIFIED (41): "Message stream modified".
    ApErrModified = 41,
    /// KRB_AP_ERR_BADORDER (42): "Message out of order".
    ApErrBadorder = 42,
    /// KRB_AP_ERR_ILL_CR_TKT (43): "Illegal cross-realm ticket".
    ApErrIllCrTkt = 43,
    /// KRB_AP_ERR_BADKEYVER (44): "Key version is not available".
    ApErrBadkeyver = 44,
    /// KRB_AP_ERR_NOKEY (45): "Service key not available".
    ApErrNokey = 45,
    /// KRB_AP_ERR_MUT_FAIL (46): "Mutual authentication failed".
    ApErrMutFail = 46,
    /// KRB_AP_ERR_BADDIRECTION (47): "Incorrect message direction".
    ApErrBaddirection = 47,
    /// KRB_AP_ERR_METHOD (48): "Alternative authentication method required".
    ApErrMethod = 48,
    /// KRB_AP_ERR_BADSEQ (49): "Incorrect sequence number in message".
    ApErrBadseq = 49,
    /// KRB_AP_ERR_INAPP_CKSUM (50): "Inappropriate type of checksum in message".
    ApErrInappCksum = 50,
    /// KRB_AP_PATH_NOT_ACCEPTED (51): "Policy rejects transited path".
    ApPathNotAccepted = 51,
    /// KRB_ERR_RESPONSE_TOO_BIG (52): "Response too big for UDP, retry with TCP".
    ResponseTooBig = 52,
    /// KRB_ERR_GENERIC (60): "Generic error (see e-text)".
    Generic = 60,
    /// KRB_ERR_FIELD_TOOLONG (61): "Field is too long for this implementation".
    FieldToolong = 61,
    /// KDC_ERROR_CLIENT_NOT_TRUSTED (62): "Client not trusted".
    ClientNotTrusted = 62,
    /// KDC_ERROR_KDC_NOT_TRUSTED (63): "KDC not trusted".
    KdcNotTrusted = 63,
    /// KDC_ERROR_INVALID_SIG (64): "Invalid signature".
    InvalidSig = 64,
    /// KDC_ERR_KEY_TOO_WEAK (65): "Key parameters not accepted".
    KeyTooWeak = 65,
    /// KDC_ERR_CERTIFICATE_MISMATCH (66): "Certificate mismatch".
    CertificateMismatch = 66,
    /// KRB_AP_ERR_NO_TGT (67): "No ticket granting ticket".
    ApErrNoTgt = 67,
    /// KDC_ERR_WRONG_REALM (68): "Realm not local to KDC".
    WrongRealm = 68,
    /// KRB_AP_ERR_USER_TO_USER_REQUIRED (69): "User to user required".
    ApErrUserToUserRequired = 69,
    /// KDC_ERR_CANT_VERIFY_CERTIFICATE (70): "Can't verify certificate".
    CantVerifyCertificate = 70,
    /// KDC_ERR_INVALID_CERTIFICATE (71): "Invalid certificate".
    InvalidCertificate = 71,
    /// KDC_ERR_REVOKED_CERTIFICATE (72): "Revoked certificate".
    RevokedCertificate = 72,
    /// KDC_ERR_REVOCATION_STATUS_UNKNOWN (73): "Revocation status unknown".
    RevocationStatusUnknown = 73,
    /// KDC_ERR_REVOCATION_STATUS_UNAVAILABLE (74): "Revocation status unavailable".
    RevocationStatusUnavailable = 74,
    /// KDC_ERR_CLIENT_NAME_MISMATCH (75): "Client name mismatch".
    ClientNameMismatch = 75,
    /// KDC_ERR_KDC_NAME_MISMATCH (76): "KDC name mismatch".
    KdcNameMismatch = 76,
    /// KDC_ERR_INCONSISTENT_KEY_PURPOSE (77): "Inconsistent key purpose".
    InconsistentKeyPurpose = 77,
    /// KDC_ERR_DIGEST_IN_CERT_NOT_ACCEPTED (78): "Digest in certificate not accepted".
    DigestInCertNotAccepted = 78,
    /// KDC_ERR_PA_CHECKSUM_MUST_BE_INCLUDED (79): "Checksum must be included".
    PaChecksumMustBeIncluded = 79,
    /// KDC_ERR_DIGEST_IN_SIGNED_DATA_NOT_ACCEPTED (80): "Digest in signed-data not accepted".
    DigestInSignedDataNotAccepted = 80,
    /// KDC_ERR_PUBLIC_KEY_ENCRYPTION_NOT_SUPPORTED (81): "Public key encryption not supported".
    PublicKeyEncryptionNotSupported = 81,
    /// KRB_AP_ERR_IAKERB_KDC_NOT_FOUND (85): "The IAKERB proxy could not find a KDC".
    IakerbKdcNotFound = 85,
    /// KRB_AP_ERR_IAKERB_KDC_NO_RESPONSE (86): "The KDC did not respond to the IAKERB proxy".
    IakerbKdcNoResponse = 86,
    /// KDC_ERR_PREAUTH_EXPIRED (90): "Preauthentication expired".
    PreauthExpired = 90,
    /// KDC_ERR_MORE_PREAUTH_DATA_REQUIRED (91): "More preauthentication data is required".
    MorePreauthDataRequired = 91,
    /// KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET (92): "Bad authentication set".
    PreauthBadAuthenticationSet = 92,
    /// KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS (93): "An unsupported critical FAST option was requested".
    UnknownCriticalFastOptions = 93,
    /// KDC_ERR_NO_ACCEPTABLE_KDF (100): "No acceptable KDF offered".
    NoAcceptableKdf = 100,
}

impl ErrorCode {
    /// Every defined code, in numeric order.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::None,
        ErrorCode::NameExp,
        ErrorCode::ServiceExp,
        ErrorCode::BadPvno,
        ErrorCode::COldMastKvno,
        ErrorCode::SOldMastKvno,
        ErrorCode::CPrincipalUnknown,
        ErrorCode::SPrincipalUnknown,
        ErrorCode::PrincipalNotUnique,
        ErrorCode::NullKey,
        ErrorCode::CannotPostdate,
        ErrorCode::NeverValid,
        ErrorCode::Policy,
        ErrorCode::BadOption,
        ErrorCode::EtypeNosupp,
        ErrorCode::SumtypeNosupp,
        ErrorCode::PadataTypeNosupp,
        ErrorCode::TrtypeNosupp,
        ErrorCode::ClientRevoked,
        ErrorCode::ServiceRevoked,
        ErrorCode::TgtRevoked,
        ErrorCode::ClientNotyet,
        ErrorCode::ServiceNotyet,
        ErrorCode::KeyExpired,
        ErrorCode::PreauthFailed,
        ErrorCode::PreauthRequired,
        ErrorCode::ServerNomatch,
        ErrorCode::MustUseUser2User,
        ErrorCode::PathNotAccepted,
        ErrorCode::SvcUnavailable,
        ErrorCode::ApErrBadIntegrity,
        ErrorCode::ApErrTktExpired,
        ErrorCode::ApErrTktNyv,
        ErrorCode::ApErrRepeat,
        ErrorCode::ApErrNotUs,
        ErrorCode::ApErrBadmatch,
        ErrorCode::ApErrSkew,
        ErrorCode::ApErrBadaddr,
        ErrorCode::ApErrBadversion,
        ErrorCode::ApErrMsgType,
        ErrorCode::ApErrModified,
        ErrorCode::ApErrBadorder,
        ErrorCode::ApErrIllCrTkt,
        ErrorCode::ApErrBadkeyver,
        ErrorCode::ApErrNokey,
        ErrorCode::ApErrMutFail,
        ErrorCode::ApErrBaddirection,
        ErrorCode::ApErrMethod,
        ErrorCode::ApErrBadseq,
        ErrorCode::ApErrInappCksum,
        ErrorCode::ApPathNotAccepted,
        ErrorCode::ResponseTooBig,
        ErrorCode::Generic,
        ErrorCode::FieldToolong,
        ErrorCode::ClientNotTrusted,
        ErrorCode::KdcNotTrusted,
        ErrorCode::InvalidSig,
        ErrorCode::KeyTooWeak,
        ErrorCode::CertificateMismatch,
        ErrorCode::ApErrNoTgt,
        ErrorCode::WrongRealm,
        ErrorCode::ApErrUserToUserRequired,
        ErrorCode::CantVerifyCertificate,
        ErrorCode::InvalidCertificate,
        ErrorCode::RevokedCertificate,
        ErrorCode::RevocationStatusUnknown,
        ErrorCode::RevocationStatusUnavailable,
        ErrorCode::ClientNameMismatch,
        ErrorCode::KdcNameMismatch,
        ErrorCode::InconsistentKeyPurpose,
        ErrorCode::DigestInCertNotAccepted,
        ErrorCode::PaChecksumMustBeIncluded,
        ErrorCode::DigestInSignedDataNotAccepted,
        ErrorCode::PublicKeyEncryptionNotSupported,
        ErrorCode::IakerbKdcNotFound,
        ErrorCode::IakerbKdcNoResponse,
        ErrorCode::PreauthExpired,
        ErrorCode::MorePreauthDataRequired,
        ErrorCode::PreauthBadAuthenticationSet,
        ErrorCode::UnknownCriticalFastOptions,
        ErrorCode::NoAcceptableKdf,
    ];

    /// The wire value.
    pub const fn as_i32(self) -> i32 {
        self as i32
    }

    /// The code for a wire value, if it is one this enum knows.
    pub const fn from_i32(v: i32) -> Option<Self> {
        Some(match v {
            0 => Self::None,
            1 => Self::NameExp,
            2 => Self::ServiceExp,
            3 => Self::BadPvno,
            4 => Self::COldMastKvno,
            5 => Self::SOldMastKvno,
            6 => Self::CPrincipalUnknown,
            7 => Self::SPrincipalUnknown,
            8 => Self::PrincipalNotUnique,
            9 => Self::NullKey,
            10 => Self::CannotPostdate,
            11 => Self::NeverValid,
            12 => Self::Policy,
            13 => Self::BadOption,
            14 => Self::EtypeNosupp,
            15 => Self::SumtypeNosupp,
            16 => Self::PadataTypeNosupp,
            17 => Self::TrtypeNosupp,
            18 => Self::ClientRevoked,
            19 => Self::ServiceRevoked,
            20 => Self::TgtRevoked,
            21 => Self::ClientNotyet,
            22 => Self::ServiceNotyet,
            23 => Self::KeyExpired,
            24 => Self::PreauthFailed,
            25 => Self::PreauthRequired,
            26 => Self::ServerNomatch,
            27 => Self::MustUseUser2User,
            28 => Self::PathNotAccepted,
            29 => Self::SvcUnavailable,
            31 => Self::ApErrBadIntegrity,
            32 => Self::ApErrTktExpired,
            33 => Self::ApErrTktNyv,
            34 => Self::ApErrRepeat,
            35 => Self::ApErrNotUs,
            36 => Self::ApErrBadmatch,
            37 => Self::ApErrSkew,
            38 => Self::ApErrBadaddr,
            39 => Self::ApErrBadversion,
            40 => Self::ApErrMsgType,
            41 => Self::ApErrModified,
            42 => Self::ApErrBadorder,
            43 => Self::ApErrIllCrTkt,
            44 => Self::ApErrBadkeyver,
            45 => Self::ApErrNokey,
            46 => Self::ApErrMutFail,
            47 => Self::ApErrBaddirection,
            48 => Self::ApErrMethod,
            49 => Self::ApErrBadseq,
            50 => Self::ApErrInappCksum,
            51 => Self::ApPathNotAccepted,
            52 => Self::ResponseTooBig,
            60 => Self::Generic,
            61 => Self::FieldToolong,
            62 => Self::ClientNotTrusted,
            63 => Self::KdcNotTrusted,
            64 => Self::InvalidSig,
            65 => Self::KeyTooWeak,
            66 => Self::CertificateMismatch,
            67 => Self::ApErrNoTgt,
            68 => Self::WrongRealm,
            69 => Self::ApErrUserToUserRequired,
            70 => Self::CantVerifyCertificate,
            71 => Self::InvalidCertificate,
            72 => Self::RevokedCertificate,
            73 => Self::RevocationStatusUnknown,
            74 => Self::RevocationStatusUnavailable,
            75 => Self::ClientNameMismatch,
            76 => Self::KdcNameMismatch,
            77 => Self::InconsistentKeyPurpose,
            78 => Self::DigestInCertNotAccepted,
            79 => Self::PaChecksumMustBeIncluded,
            80 => Self::DigestInSignedDataNotAccepted,
            81 => Self::PublicKeyEncryptionNotSupported,
            85 => Self::IakerbKdcNotFound,
            86 => Self::IakerbKdcNoResponse,
            90 => Self::PreauthExpired,
            91 => Self::MorePreauthDataRequired,
            92 => Self::PreauthBadAuthenticationSet,
            93 => Self::UnknownCriticalFastOptions,
            100 => Self::NoAcceptableKdf,
            _ => return None,
        })
    }

    /// The RFC's symbolic name, e.g. `"KDC_ERR_PREAUTH_REQUIRED"`.
    pub const fn rfc_name(self) -> &'static str {
        match self {
            Self::None => "KDC_ERR_NONE",
            Self::NameExp => "KDC_ERR_NAME_EXP",
            Self::ServiceExp => "KDC_ERR_SERVICE_EXP",
            Self::BadPvno => "KDC_ERR_BAD_PVNO",
            Self::COldMastKvno => "KDC_ERR_C_OLD_MAST_KVNO",
            Self::SOldMastKvno => "KDC_ERR_S_OLD_MAST_KVNO",
            Self::CPrincipalUnknown => "KDC_ERR_C_PRINCIPAL_UNKNOWN",
            Self::SPrincipalUnknown => "KDC_ERR_S_PRINCIPAL_UNKNOWN",
            Self::PrincipalNotUnique => "KDC_ERR_PRINCIPAL_NOT_UNIQUE",
            Self::NullKey => "KDC_ERR_NULL_KEY",
            Self::CannotPostdate => "KDC_ERR_CANNOT_POSTDATE",
            Self::NeverValid => "KDC_ERR_NEVER_VALID",
            Self::Policy => "KDC_ERR_POLICY",
            Self::BadOption => "KDC_ERR_BADOPTION",
            Self::EtypeNosupp => "KDC_ERR_ETYPE_NOSUPP",
            Self::SumtypeNosupp => "KDC_ERR_SUMTYPE_NOSUPP",
            Self::PadataTypeNosupp => "KDC_ERR_PADATA_TYPE_NOSUPP",
            Self::TrtypeNosupp => "KDC_ERR_TRTYPE_NOSUPP",
            Self::ClientRevoked => "KDC_ERR_CLIENT_REVOKED",
            Self::ServiceRevoked => "KDC_ERR_SERVICE_REVOKED",
            Self::TgtRevoked => "KDC_ERR_TGT_REVOKED",
            Self::ClientNotyet => "KDC_ERR_CLIENT_NOTYET",
            Self::ServiceNotyet => "KDC_ERR_SERVICE_NOTYET",
            Self::KeyExpired => "KDC_ERR_KEY_EXPIRED",
            Self::PreauthFailed => "KDC_ERR_PREAUTH_FAILED",
            Self::PreauthRequired => "KDC_ERR_PREAUTH_REQUIRED",
            Self::ServerNomatch => "KDC_ERR_SERVER_NOMATCH",
            Self::MustUseUser2User => "KDC_ERR_MUST_USE_USER2USER",
            Self::PathNotAccepted => "KDC_ERR_PATH_NOT_ACCEPTED",
            Self::SvcUnavailable => "KDC_ERR_SVC_UNAVAILABLE",
            Self::ApErrBadIntegrity => "KRB_AP_ERR_BAD_INTEGRITY",
            Self::ApErrTktExpired => "KRB_AP_ERR_TKT_EXPIRED",
            Self::ApErrTktNyv => "KRB_AP_ERR_TKT_NYV",
            Self::ApErrRepeat => "KRB_AP_ERR_REPEAT",
            Self::ApErrNotUs => "KRB_AP_ERR_NOT_US",
            Self::ApErrBadmatch => "KRB_AP_ERR_BADMATCH",
            Self::ApErrSkew => "KRB_AP_ERR_SKEW",
            Self::ApErrBadaddr => "KRB_AP_ERR_BADADDR",
            Self::ApErrBadversion => "KRB_AP_ERR_BADVERSION",
            Self::ApErrMsgType => "KRB_AP_ERR_MSG_TYPE",
            Self::ApErrModified => "KRB_AP_ERR_MODIFIED",
            Self::ApErrBadorder => "KRB_AP_ERR_BADORDER",
            Self::ApErrIllCrTkt => "KRB_AP_ERR_ILL_CR_TKT",
            Self::ApErrBadkeyver => "KRB_AP_ERR_BADKEYVER",
            Self::ApErrNokey => "KRB_AP_ERR_NOKEY",
            Self::ApErrMutFail => "KRB_AP_ERR_MUT_FAIL",
            Self::ApErrBaddirection => "KRB_AP_ERR_BADDIRECTION",
            Self::ApErrMethod => "KRB_AP_ERR_METHOD",
            Self::ApErrBadseq => "KRB_AP_ERR_BADSEQ",
            Self::ApErrInappCksum => "KRB_AP_ERR_INAPP_CKSUM",
            Self::ApPathNotAccepted => "KRB_AP_PATH_NOT_ACCEPTED",
            Self::ResponseTooBig => "KRB_ERR_RESPONSE_TOO_BIG",
            Self::Generic => "KRB_ERR_GENERIC",
            Self::FieldToolong => "KRB_ERR_FIELD_TOOLONG",
            Self::ClientNotTrusted => "KDC_ERROR_CLIENT_NOT_TRUSTED",
            Self::KdcNotTrusted => "KDC_ERROR_KDC_NOT_TRUSTED",
            Self::InvalidSig => "KDC_ERROR_INVALID_SIG",
            Self::KeyTooWeak => "KDC_ERR_KEY_TOO_WEAK",
            Self::CertificateMismatch => "KDC_ERR_CERTIFICATE_MISMATCH",
            Self::ApErrNoTgt => "KRB_AP_ERR_NO_TGT",
            Self::WrongRealm => "KDC_ERR_WRONG_REALM",
            Self::ApErrUserToUserRequired => "KRB_AP_ERR_USER_TO_USER_REQUIRED",
            Self::CantVerifyCertificate => "KDC_ERR_CANT_VERIFY_CERTIFICATE",
            Self::InvalidCertificate => "KDC_ERR_INVALID_CERTIFICATE",
            Self::RevokedCertificate => "KDC_ERR_REVOKED_CERTIFICATE",
            Self::RevocationStatusUnknown => "KDC_ERR_REVOCATION_STATUS_UNKNOWN",
            Self::RevocationStatusUnavailable => "KDC_ERR_REVOCATION_STATUS_UNAVAILABLE",
            Self::ClientNameMismatch => "KDC_ERR_CLIENT_NAME_MISMATCH",
            Self::KdcNameMismatch => "KDC_ERR_KDC_NAME_MISMATCH",
            Self::InconsistentKeyPurpose => "KDC_ERR_INCONSISTENT_KEY_PURPOSE",
            Self::DigestInCertNotAccepted => "KDC_ERR_DIGEST_IN_CERT_NOT_ACCEPTED",
            Self::PaChecksumMustBeIncluded => "KDC_ERR_PA_CHECKSUM_MUST_BE_INCLUDED",
            Self::DigestInSignedDataNotAccepted => "KDC_ERR_DIGEST_IN_SIGNED_DATA_NOT_ACCEPTED",
            Self::PublicKeyEncryptionNotSupported => "KDC_ERR_PUBLIC_KEY_ENCRYPTION_NOT_SUPPORTED",
            Self::IakerbKdcNotFound => "KRB_AP_ERR_IAKERB_KDC_NOT_FOUND",
            Self::IakerbKdcNoResponse => "KRB_AP_ERR_IAKERB_KDC_NO_RESPONSE",
            Self::PreauthExpired => "KDC_ERR_PREAUTH_EXPIRED",
            Self::MorePreauthDataRequired => "KDC_ERR_MORE_PREAUTH_DATA_REQUIRED",
            Self::PreauthBadAuthenticationSet => "KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET",
            Self::UnknownCriticalFastOptions => "KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS",
            Self::NoAcceptableKdf => "KDC_ERR_NO_ACCEPTABLE_KDF",
        }
    }

    /// MIT's message text, e.g. `"Additional pre-authentication required"`.
    pub const fn message(self) -> &'static str {
        match self {
            Self::None => "No error",
            Self::NameExp => "Client's entry in database has expired",
            Self::ServiceExp => "Server's entry in database has expired",
            Self::BadPvno => "Requested protocol version not supported",
            Self::COldMastKvno => "Client's key is encrypted in an old master key",
            Self::SOldMastKvno => "Server's key is encrypted in an old master key",
            Self::CPrincipalUnknown => "Client not found in Kerberos database",
            Self::SPrincipalUnknown => "Server not found in Kerberos database",
            Self::PrincipalNotUnique => "Principal has multiple entries in Kerberos database",
            Self::NullKey => "Client or server has a null key",
            Self::CannotPostdate => "Ticket is ineligible for postdating",
            Self::NeverValid => "Requested effective lifetime is negative or too short",
            Self::Policy => "KDC policy rejects request",
            Self::BadOption => "KDC can't fulfill requested option",
            Self::EtypeNosupp => "KDC has no support for encryption type",
            Self::SumtypeNosupp => "KDC has no support for checksum type",
            Self::PadataTypeNosupp => "KDC has no support for padata type",
            Self::TrtypeNosupp => "KDC has no support for transited type",
            Self::ClientRevoked => "Client's credentials have been revoked",
            Self::ServiceRevoked => "Credentials for server have been revoked",
            Self::TgtRevoked => "TGT has been revoked",
            Self::ClientNotyet => "Client not yet valid - try again later",
            Self::ServiceNotyet => "Server not yet valid - try again later",
            Self::KeyExpired => "Password has expired",
            Self::PreauthFailed => "Preauthentication failed",
            Self::PreauthRequired => "Additional pre-authentication required",
            Self::ServerNomatch => "Requested server and ticket don't match",
            Self::MustUseUser2User => "Server principal valid for user2user only",
            Self::PathNotAccepted => "KDC policy rejects transited path",
            Self::SvcUnavailable => {
                "A service is not available that is required to process the request"
            }
            Self::ApErrBadIntegrity => "Decrypt integrity check failed",
            Self::ApErrTktExpired => "Ticket expired",
            Self::ApErrTktNyv => "Ticket not yet valid",
            Self::ApErrRepeat => "Request is a replay",
            Self::ApErrNotUs => "The ticket isn't for us",
            Self::ApErrBadmatch => "Ticket/authenticator don't match",
            Self::ApErrSkew => "Clock skew too great",
            Self::ApErrBadaddr => "Incorrect net address",
            Self::ApErrBadversion => "Protocol version mismatch",
            Self::ApErrMsgType => "Invalid message type",
            Self::ApErrModified => "Message stream modified",
            Self::ApErrBadorder => "Message out of order",
            Self::ApErrIllCrTkt => "Illegal cross-realm ticket",
            Self::ApErrBadkeyver => "Key version is not available",
            Self::ApErrNokey => "Service key not available",
            Self::ApErrMutFail => "Mutual authentication failed",
            Self::ApErrBaddirection => "Incorrect message direction",
            Self::ApErrMethod => "Alternative authentication method required",
            Self::ApErrBadseq => "Incorrect sequence number in message",
            Self::ApErrInappCksum => "Inappropriate type of checksum in message",
            Self::ApPathNotAccepted => "Policy rejects transited path",
            Self::ResponseTooBig => "Response too big for UDP, retry with TCP",
            Self::Generic => "Generic error (see e-text)",
            Self::FieldToolong => "Field is too long for this implementation",
            Self::ClientNotTrusted => "Client not trusted",
            Self::KdcNotTrusted => "KDC not trusted",
            Self::InvalidSig => "Invalid signature",
            Self::KeyTooWeak => "Key parameters not accepted",
            Self::CertificateMismatch => "Certificate mismatch",
            Self::ApErrNoTgt => "No ticket granting ticket",
            Self::WrongRealm => "Realm not local to KDC",
            Self::ApErrUserToUserRequired => "User to user required",
            Self::CantVerifyCertificate => "Can't verify certificate",
            Self::InvalidCertificate => "Invalid certificate",
            Self::RevokedCertificate => "Revoked certificate",
            Self::RevocationStatusUnknown => "Revocation status unknown",
            Self::RevocationStatusUnavailable => "Revocation status unavailable",
            Self::ClientNameMismatch => "Client name mismatch",
            Self::KdcNameMismatch => "KDC name mismatch",
            Self::InconsistentKeyPurpose => "Inconsistent key purpose",
            Self::DigestInCertNotAccepted => "Digest in certificate not accepted",
            Self::PaChecksumMustBeIncluded => "Checksum must be included",
            Self::DigestInSignedDataNotAccepted => "Digest in signed-data not accepted",
            Self::PublicKeyEncryptionNotSupported => "Public key encryption not supported",
            Self::IakerbKdcNotFound => "The IAKERB proxy could not find a KDC",
            Self::IakerbKdcNoResponse => "The KDC did not respond to the IAKERB proxy",
            Self::PreauthExpired => "Preauthentication expired",
            Self::MorePreauthDataRequired => "More preauthentication data is required",
            Self::PreauthBadAuthenticationSet => "Bad authentication set",
            Self::UnknownCriticalFastOptions => "An unsupported critical FAST option was requested",
            Self::NoAcceptableKdf => "No acceptable KDF offered",
        }
    }
}

impl core::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.message())
    }
}

/// Text for any wire error code: MIT's message for a known code, otherwise
/// `"KRB5 error code N"` (as MIT prints it).
pub fn error_code_text(code: i32) -> String {
    match ErrorCode::from_i32(code) {
        Some(c) => c.message().to_string(),
        None => format!("KRB5 error code {code}"),
    }
}
