//! RFC 4120 wire messages and the typed API over them.
//!
//! - The ASN.1 message types come from `rasn-kerberos` and are re-exported
//!   here; FAST, PA-PAC-REQUEST, PA-FOR-USER and kpasswd types it lacks are
//!   defined in submodules with the RFCs' exact tags.
//! - [`decode`] / [`encode`] are the DER entry points (size-limited, typed
//!   errors, no trailing bytes).
//! - Typed helpers: [`Principal`], [`KdcOptions`] / [`TicketFlags`] /
//!   [`ApOptions`] (32-bit KerberosFlags), [`KerberosTimeExt`],
//!   [`MessageType`], [`ErrorCode`], [`PaDataType`], and builders.
//!
//! Note: the flag newtypes here shadow rasn-kerberos' `KdcOptions`,
//! `TicketFlags` and `ApOptions` (whose helpers set wrong bits); message
//! fields use the rasn types, reachable as [`asn1::KdcOptions`] etc., and
//! convert with `to_asn1` / `from_asn1`.

pub mod builders;
pub mod codec;
pub mod error_code;
pub mod fast;
pub mod flags;
pub mod kpasswd;
pub mod msg_type;
pub mod name;
pub mod pa_for_user;
pub mod pa_pac_request;
pub mod padata_type;
pub mod time;

/// The underlying rasn-kerberos crate (for its flag field types and
/// anything not re-exported here).
pub use rasn_kerberos as asn1;

pub use rasn::types::{BitString, GeneralString, Integer, OctetString};
pub use rasn_kerberos::{
    AdAndOr, AdIfRelevant, AdKdcIssued, AdMandatoryForKdc, ApRep, ApReq, AsRep, AsReq,
    Authenticator, AuthorizationData, AuthorizationDataValue, Checksum, ETypeList, EncApRepPart,
    EncAsRepPart, EncKdcRepPart, EncKrbCredPart, EncKrbPrivPart, EncTgsRepPart, EncTicketPart,
    EncryptedData, EncryptionKey, EtypeInfo, EtypeInfo2, EtypeInfo2Entry, EtypeInfoEntry,
    HostAddress, HostAddresses, KdcRep, KdcReq, KdcReqBody, KerberosFlags, KerberosString,
    KerberosTime, KrbCred, KrbCredInfo, KrbError, KrbPriv, KrbSafe, KrbSafeBody, LastReq,
    LastReqValue, MethodData, Microseconds, PaData, PaEncTimestamp, PaEncTsEnc, PrincipalName,
    Realm, TgsRep, TgsReq, Ticket, TransitedEncoding, TypedData, TypedDataItem,
};

pub use builders::{
    BuildError, KrbErrorBuilder, PVNO, decode_pa_value, encrypted_data, etype_info2_entry,
    find_pa_data, krb_error_code, krb_error_method_data, pa_data, pa_data_der, pa_data_raw,
    pa_enc_ts_enc, pa_etype_info2, pa_pac_request,
};
pub use codec::{
    DEFAULT_MAX_MESSAGE_SIZE, DecodeError, EncodeError, decode, decode_with_limit, encode,
};
pub use error_code::{ErrorCode, error_code_text};
pub use fast::{
    FX_FAST_ARMOR_AP_REQUEST, KrbFastArmor, KrbFastArmoredRep, KrbFastArmoredReq, KrbFastFinished,
    KrbFastReq, KrbFastResponse, PaFxFastReply, PaFxFastRequest,
};
pub use flags::{ApOptions, FastOptions, KdcOptions, TicketFlags};
pub use kpasswd::{
    ChangePasswdData, KpasswdError, KpasswdReply, KpasswdRequest, KpasswdResult, KpasswdResultCode,
    KpasswdVersion,
};
pub use msg_type::{MessageType, PeekError, application_tag};
pub use name::{NameError, NameType, Principal};
pub use pa_for_user::PaForUser;
pub use pa_pac_request::PaPacRequest;
pub use padata_type::PaDataType;
pub use time::{KerberosTimeExt, TimeError};
