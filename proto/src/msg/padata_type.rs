//! PA-DATA type numbers (RFC 4120 section 7.5.2 and later RFCs / MS specs).

/// A `padata-type` value this implementation knows by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(i32)]
#[non_exhaustive]
pub enum PaDataType {
    /// PA-TGS-REQ (1): AP-REQ carrying the TGT in a TGS-REQ.
    TgsReq = 1,
    /// PA-ENC-TIMESTAMP (2): encrypted PA-ENC-TS-ENC (RFC 4120).
    EncTimestamp = 2,
    /// PA-PW-SALT (3): salt string (RFC 4120).
    PwSalt = 3,
    /// PA-ETYPE-INFO (11): ETYPE-INFO (RFC 4120).
    EtypeInfo = 11,
    /// PA-PK-AS-REP_OLD (15): PKINIT draft-19 reply.
    PkAsRep19 = 15,
    /// PA-PK-AS-REQ (16): PKINIT request (RFC 4556).
    PkAsReq = 16,
    /// PA-PK-AS-REP (17): PKINIT reply (RFC 4556).
    PkAsRep = 17,
    /// PA-ETYPE-INFO2 (19): ETYPE-INFO2 (RFC 4120).
    EtypeInfo2 = 19,
    /// PA-SVR-REFERRAL-INFO (20): server referral (RFC 6806); also PA-USE-SPECIFIED-KVNO.
    SvrReferralInfo = 20,
    /// PA-PAC-REQUEST (128): KERB-PA-PAC-REQUEST (MS-KILE).
    PacRequest = 128,
    /// PA-FOR-USER (129): S4U2Self PA-FOR-USER (MS-SFU).
    ForUser = 129,
    /// PA-S4U-X509-USER (130): S4U2Self with certificate (MS-SFU).
    S4uX509User = 130,
    /// PA-AS-CHECKSUM (132): AS checksum.
    AsChecksum = 132,
    /// PA-FX-COOKIE (133): opaque KDC state (RFC 6113).
    FxCookie = 133,
    /// PA-FX-FAST (136): FAST armored request or reply (RFC 6113).
    FxFast = 136,
    /// PA-FX-ERROR (137): KRB-ERROR inside a FAST reply (RFC 6113).
    FxError = 137,
    /// PA-ENCRYPTED-CHALLENGE (138): encrypted challenge (RFC 6113).
    EncryptedChallenge = 138,
    /// PA-OTP-CHALLENGE (141): OTP challenge (RFC 6560).
    OtpChallenge = 141,
    /// PA-OTP-REQUEST (142): OTP request (RFC 6560).
    OtpRequest = 142,
    /// PA-OTP-PIN-CHANGE (144): OTP PIN change (RFC 6560).
    OtpPinChange = 144,
    /// PA-PKINIT-KX (147): anonymous PKINIT key exchange (RFC 8062).
    PkinitKx = 147,
    /// PA-REQ-ENC-PA-REP (149): request/confirm encrypted reply padata (RFC 6806).
    ReqEncPaRep = 149,
    /// PA-AS-FRESHNESS (150): PKINIT freshness token (RFC 8070).
    AsFreshness = 150,
    /// PA-SPAKE (151): SPAKE preauth (draft-ietf-kitten-krb-spake-preauth).
    Spake = 151,
    /// PA-SUPPORTED-ENCTYPES (165): supported enctypes bitmask (MS-KILE).
    SupportedEnctypes = 165,
    /// PA-PAC-OPTIONS (167): PAC options (MS-KILE).
    PacOptions = 167,
}

impl PaDataType {
    /// The wire value.
    pub const fn as_i32(self) -> i32 {
        self as i32
    }

    /// The PA-DATA type for a wire value, if known.
    pub const fn from_i32(v: i32) -> Option<Self> {
        Some(match v {
            1 => Self::TgsReq,
            2 => Self::EncTimestamp,
            3 => Self::PwSalt,
            11 => Self::EtypeInfo,
            15 => Self::PkAsRep19,
            16 => Self::PkAsReq,
            17 => Self::PkAsRep,
            19 => Self::EtypeInfo2,
            20 => Self::SvrReferralInfo,
            128 => Self::PacRequest,
            129 => Self::ForUser,
            130 => Self::S4uX509User,
            132 => Self::AsChecksum,
            133 => Self::FxCookie,
            136 => Self::FxFast,
            137 => Self::FxError,
            138 => Self::EncryptedChallenge,
            141 => Self::OtpChallenge,
            142 => Self::OtpRequest,
            144 => Self::OtpPinChange,
            147 => Self::PkinitKx,
            149 => Self::ReqEncPaRep,
            150 => Self::AsFreshness,
            151 => Self::Spake,
            165 => Self::SupportedEnctypes,
            167 => Self::PacOptions,
            _ => return None,
        })
    }

    /// The specification's name, e.g. `"PA-ENC-TIMESTAMP"`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::TgsReq => "PA-TGS-REQ",
            Self::EncTimestamp => "PA-ENC-TIMESTAMP",
            Self::PwSalt => "PA-PW-SALT",
            Self::EtypeInfo => "PA-ETYPE-INFO",
            Self::PkAsRep19 => "PA-PK-AS-REP_OLD",
            Self::PkAsReq => "PA-PK-AS-REQ",
            Self::PkAsRep => "PA-PK-AS-REP",
            Self::EtypeInfo2 => "PA-ETYPE-INFO2",
            Self::SvrReferralInfo => "PA-SVR-REFERRAL-INFO",
            Self::PacRequest => "PA-PAC-REQUEST",
            Self::ForUser => "PA-FOR-USER",
            Self::S4uX509User => "PA-S4U-X509-USER",
            Self::AsChecksum => "PA-AS-CHECKSUM",
            Self::FxCookie => "PA-FX-COOKIE",
            Self::FxFast => "PA-FX-FAST",
            Self::FxError => "PA-FX-ERROR",
            Self::EncryptedChallenge => "PA-ENCRYPTED-CHALLENGE",
            Self::OtpChallenge => "PA-OTP-CHALLENGE",
            Self::OtpRequest => "PA-OTP-REQUEST",
            Self::OtpPinChange => "PA-OTP-PIN-CHANGE",
            Self::PkinitKx => "PA-PKINIT-KX",
            Self::ReqEncPaRep => "PA-REQ-ENC-PA-REP",
            Self::AsFreshness => "PA-AS-FRESHNESS",
            Self::Spake => "PA-SPAKE",
            Self::SupportedEnctypes => "PA-SUPPORTED-ENCTYPES",
            Self::PacOptions => "PA-PAC-OPTIONS",
        }
    }
}

impl core::fmt::Display for PaDataType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}
