//! Convenience constructors for pieces every KDC and client builds:
//! EncryptedData, PA-DATA, ETYPE-INFO2, PA-ENC-TS-ENC and KRB-ERROR.

use rasn::{Decode, Encode};
use rasn_kerberos::{
    EncryptedData, EtypeInfo2, EtypeInfo2Entry, KrbError, MethodData, PaData, PaEncTsEnc,
};

use super::codec::{self, DecodeError, EncodeError};
use super::error_code::ErrorCode;
use super::name::{NameError, Principal, kerberos_string};
use super::pa_pac_request::PaPacRequest;
use super::padata_type::PaDataType;
use super::time::{self, TimeError};

/// Kerberos protocol version number (`pvno`).
pub const PVNO: i32 = 5;

/// Why a message could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// A name or string could not be put on the wire.
    #[error(transparent)]
    Name(#[from] NameError),
    /// A time was out of range.
    #[error(transparent)]
    Time(#[from] TimeError),
    /// An embedded value failed to encode.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// An `EncryptedData` from its parts.
pub fn encrypted_data(etype: i32, kvno: Option<u32>, cipher: Vec<u8>) -> EncryptedData {
    EncryptedData {
        etype,
        kvno,
        cipher: cipher.into(),
    }
}

/// A PA-DATA with a known type and raw value.
pub fn pa_data(ty: PaDataType, value: impl Into<Vec<u8>>) -> PaData {
    pa_data_raw(ty.as_i32(), value)
}

/// A PA-DATA with any type number and raw value.
pub fn pa_data_raw(ty: i32, value: impl Into<Vec<u8>>) -> PaData {
    PaData {
        r#type: ty,
        value: value.into().into(),
    }
}

/// A PA-DATA whose value is the DER encoding of `value`.
pub fn pa_data_der<T: Encode>(ty: PaDataType, value: &T) -> Result<PaData, EncodeError> {
    Ok(pa_data(ty, codec::encode(value)?))
}

/// The first PA-DATA of type `ty` in a list.
pub fn find_pa_data(list: &[PaData], ty: PaDataType) -> Option<&PaData> {
    list.iter().find(|p| p.r#type == ty.as_i32())
}

/// Decodes a PA-DATA value as `T`.
pub fn decode_pa_value<T: Decode>(pa: &PaData) -> Result<T, DecodeError> {
    codec::decode(&pa.value)
}

/// An ETYPE-INFO2 entry. `salt` is the string-to-key salt (e.g.
/// `"EXAMPLE.COMuser"`); `s2kparams` the enctype's parameters (e.g. the
/// 4-byte big-endian PBKDF2 iteration count for AES).
pub fn etype_info2_entry(
    etype: i32,
    salt: Option<&str>,
    s2kparams: Option<&[u8]>,
) -> Result<EtypeInfo2Entry, NameError> {
    Ok(EtypeInfo2Entry {
        etype,
        salt: salt.map(|s| kerberos_string(s, "salt")).transpose()?,
        s2kparams: s2kparams.map(|p| p.to_vec().into()),
    })
}

/// A PA-ETYPE-INFO2 PA-DATA holding `entries`.
pub fn pa_etype_info2(entries: Vec<EtypeInfo2Entry>) -> Result<PaData, EncodeError> {
    let info: EtypeInfo2 = entries;
    pa_data_der(PaDataType::EtypeInfo2, &info)
}

/// A PA-ENC-TS-ENC (the plaintext of PA-ENC-TIMESTAMP and
/// PA-ENCRYPTED-CHALLENGE) at `secs` with optional microseconds.
pub fn pa_enc_ts_enc(secs: i64, usec: Option<u32>) -> Result<PaEncTsEnc, TimeError> {
    Ok(PaEncTsEnc {
        patimestamp: time::kerberos_time(secs)?,
        pausec: usec.map(time::microseconds).transpose()?,
    })
}

/// A PA-PAC-REQUEST PA-DATA.
pub fn pa_pac_request(include_pac: bool) -> Result<PaData, EncodeError> {
    pa_data_der(PaDataType::PacRequest, &PaPacRequest { include_pac })
}

/// The known error code of a KRB-ERROR, if it is one.
pub fn krb_error_code(err: &KrbError) -> Option<ErrorCode> {
    ErrorCode::from_i32(err.error_code)
}

/// The METHOD-DATA in a KRB-ERROR's `e-data` (as sent with
/// KDC_ERR_PREAUTH_REQUIRED), if there is `e-data`.
pub fn krb_error_method_data(err: &KrbError) -> Result<Option<MethodData>, DecodeError> {
    err.e_data.as_ref().map(|d| codec::decode(d)).transpose()
}

/// Builds a KRB-ERROR.
///
/// ```
/// # use tessera_proto::msg::{ErrorCode, KrbErrorBuilder, Principal};
/// let server = Principal::krbtgt("EXAMPLE.COM");
/// let err = KrbErrorBuilder::new(ErrorCode::CPrincipalUnknown, &server, 1_700_000_000_123_456)
///     .client(&Principal::parse("bob@EXAMPLE.COM").unwrap())
///     .build()
///     .unwrap();
/// assert_eq!(err.error_code, 6);
/// ```
#[derive(Clone, Debug)]
pub struct KrbErrorBuilder {
    code: i32,
    server: Principal,
    stime_micros: i64,
    client: Option<Principal>,
    ctime_micros: Option<i64>,
    e_text: Option<String>,
    e_data: Option<EData>,
}

#[derive(Clone, Debug)]
enum EData {
    Raw(Vec<u8>),
    Methods(Vec<PaData>),
}

impl KrbErrorBuilder {
    /// An error `code` from `server` (its realm becomes `realm`) at the KDC
    /// time `stime_micros` (microseconds since the Unix epoch).
    pub fn new(code: ErrorCode, server: &Principal, stime_micros: i64) -> Self {
        Self::new_raw(code.as_i32(), server, stime_micros)
    }

    /// Like [`KrbErrorBuilder::new`] with any error code number.
    pub fn new_raw(code: i32, server: &Principal, stime_micros: i64) -> Self {
        Self {
            code,
            server: server.clone(),
            stime_micros,
            client: None,
            ctime_micros: None,
            e_text: None,
            e_data: None,
        }
    }

    /// Sets `crealm` and `cname`.
    #[must_use]
    pub fn client(mut self, client: &Principal) -> Self {
        self.client = Some(client.clone());
        self
    }

    /// Sets `ctime` and `cusec` (client time in microseconds since the epoch).
    #[must_use]
    pub fn client_time(mut self, ctime_micros: i64) -> Self {
        self.ctime_micros = Some(ctime_micros);
        self
    }

    /// Sets `e-text`.
    #[must_use]
    pub fn e_text(mut self, text: impl Into<String>) -> Self {
        self.e_text = Some(text.into());
        self
    }

    /// Sets raw `e-data`.
    #[must_use]
    pub fn e_data(mut self, data: Vec<u8>) -> Self {
        self.e_data = Some(EData::Raw(data));
        self
    }

    /// Sets `e-data` to the METHOD-DATA `methods` (for
    /// KDC_ERR_PREAUTH_REQUIRED and friends).
    #[must_use]
    pub fn method_data(mut self, methods: Vec<PaData>) -> Self {
        self.e_data = Some(EData::Methods(methods));
        self
    }

    /// Builds the KRB-ERROR.
    pub fn build(self) -> Result<KrbError, BuildError> {
        let (stime, susec) = time::split_unix_micros(self.stime_micros)?;
        let (ctime, cusec) = match self.ctime_micros {
            Some(m) => {
                let (t, u) = time::split_unix_micros(m)?;
                (Some(t), Some(time::microseconds(u)?))
            }
            None => (None, None),
        };
        let (cname, crealm) = match &self.client {
            Some(c) => (Some(c.to_principal_name()?), Some(c.to_realm()?)),
            None => (None, None),
        };
        let e_data = match self.e_data {
            None => None,
            Some(EData::Raw(d)) => Some(d.into()),
            Some(EData::Methods(m)) => {
                let md: MethodData = m;
                Some(codec::encode(&md)?.into())
            }
        };
        Ok(KrbError {
            pvno: PVNO.into(),
            msg_type: super::MessageType::KrbError.as_i32().into(),
            ctime,
            cusec,
            stime,
            susec: time::microseconds(susec)?,
            error_code: self.code,
            crealm,
            cname,
            realm: self.server.to_realm()?,
            sname: self.server.to_principal_name()?,
            e_text: self
                .e_text
                .as_deref()
                .map(|t| kerberos_string(t, "e-text"))
                .transpose()?,
            e_data,
        })
    }
}
