//! RFC 6113 FAST (Flexible Authentication Secure Tunneling) structures,
//! with the RFC's explicit context tags, plus the related key usages.
//!
//! - PA-FX-FAST (136) carries [`PaFxFastRequest`] in a request and
//!   [`PaFxFastReply`] in a reply.
//! - PA-FX-COOKIE (133) is an opaque OCTET STRING (the PA-DATA value as is).
//! - PA-FX-ERROR (137) carries a DER KRB-ERROR.
//! - PA-ENCRYPTED-CHALLENGE (138) carries an `EncryptedData` whose plaintext
//!   is a PA-ENC-TS-ENC (key usages [`key_usage::ENC_CHALLENGE_CLIENT`] /
//!   [`key_usage::ENC_CHALLENGE_KDC`]).

use rasn::prelude::*;
use rasn_kerberos::{
    Checksum, EncryptedData, EncryptionKey, KdcReqBody, KerberosFlags, KerberosTime, Microseconds,
    PaData, PrincipalName, Realm,
};

/// RFC 6113 key usage numbers.
pub mod key_usage {
    /// KrbFastArmoredReq `req-checksum`.
    pub const FAST_REQ_CHKSUM: u32 = 50;
    /// KrbFastArmoredReq `enc-fast-req`.
    pub const FAST_ENC: u32 = 51;
    /// KrbFastArmoredRep `enc-fast-rep`.
    pub const FAST_REP: u32 = 52;
    /// KrbFastFinished `ticket-checksum`.
    pub const FAST_FINISHED: u32 = 53;
    /// PA-ENCRYPTED-CHALLENGE from the client.
    pub const ENC_CHALLENGE_CLIENT: u32 = 54;
    /// PA-ENCRYPTED-CHALLENGE from the KDC.
    pub const ENC_CHALLENGE_KDC: u32 = 55;
    /// AS-REQ (used in the armor key derivation for encrypted challenge).
    pub const AS_REQ: u32 = 56;
}

/// `armor-type` value for an AP-REQ armor (FX_FAST_ARMOR_AP_REQUEST).
pub const FX_FAST_ARMOR_AP_REQUEST: i32 = 1;

/// `PA-FX-FAST-REQUEST ::= CHOICE { armored-data [0] KrbFastArmoredReq, ... }`
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq, Hash)]
#[rasn(choice)]
pub enum PaFxFastRequest {
    /// The armored request.
    #[rasn(tag(explicit(0)))]
    ArmoredData(KrbFastArmoredReq),
}

/// `KrbFastArmor ::= SEQUENCE { armor-type [0] Int32, armor-value [1] OCTET STRING, ... }`
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq, Hash)]
pub struct KrbFastArmor {
    /// 1 = an AP-REQ in `armor_value`.
    #[rasn(tag(explicit(0)))]
    pub armor_type: i32,
    /// The armor (a DER AP-REQ for type 1).
    #[rasn(tag(explicit(1)))]
    pub armor_value: OctetString,
}

/// `KrbFastArmoredReq ::= SEQUENCE { armor [0] KrbFastArmor OPTIONAL,
/// req-checksum [1] Checksum, enc-fast-req [2] EncryptedData, ... }`
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq, Hash)]
pub struct KrbFastArmoredReq {
    /// Armor (absent in a TGS-REQ, where the TGT's AP-REQ is the armor).
    #[rasn(tag(explicit(0)))]
    pub armor: Option<KrbFastArmor>,
    /// Checksum over the outer KDC-REQ-BODY with the armor key.
    #[rasn(tag(explicit(1)))]
    pub req_checksum: Checksum,
    /// Encrypted [`KrbFastReq`] (key usage 51).
    #[rasn(tag(explicit(2)))]
    pub enc_fast_req: EncryptedData,
}

/// `KrbFastReq ::= SEQUENCE { fast-options [0] FastOptions,
/// padata [1] SEQUENCE OF PA-DATA, req-body [2] KDC-REQ-BODY, ... }`
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq, Hash)]
pub struct KrbFastReq {
    /// FAST options; see [`super::flags::FastOptions`].
    #[rasn(tag(explicit(0)))]
    pub fast_options: KerberosFlags,
    /// The real pre-authentication data.
    #[rasn(tag(explicit(1)))]
    pub padata: SequenceOf<PaData>,
    /// The real request body.
    #[rasn(tag(explicit(2)))]
    pub req_body: KdcReqBody,
}

/// `PA-FX-FAST-REPLY ::= CHOICE { armored-data [0] KrbFastArmoredRep, ... }`
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq, Hash)]
#[rasn(choice)]
pub enum PaFxFastReply {
    /// The armored reply.
    #[rasn(tag(explicit(0)))]
    ArmoredData(KrbFastArmoredRep),
}

/// `KrbFastArmoredRep ::= SEQUENCE { enc-fast-rep [0] EncryptedData, ... }`
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq, Hash)]
pub struct KrbFastArmoredRep {
    /// Encrypted [`KrbFastResponse`] (key usage 52).
    #[rasn(tag(explicit(0)))]
    pub enc_fast_rep: EncryptedData,
}

/// `KrbFastResponse ::= SEQUENCE { padata [0] SEQUENCE OF PA-DATA,
/// strengthen-key [1] EncryptionKey OPTIONAL, finished [2] KrbFastFinished
/// OPTIONAL, nonce [3] UInt32, ... }`
#[derive(AsnType, Clone, Decode, Encode, PartialEq, Eq, Hash)]
pub struct KrbFastResponse {
    /// The real reply pre-authentication data.
    #[rasn(tag(explicit(0)))]
    pub padata: SequenceOf<PaData>,
    /// Key combined with the reply key (key material).
    #[rasn(tag(explicit(1)))]
    pub strengthen_key: Option<EncryptionKey>,
    /// Present in a successful reply.
    #[rasn(tag(explicit(2)))]
    pub finished: Option<KrbFastFinished>,
    /// Copy of the request nonce.
    #[rasn(tag(explicit(3)))]
    pub nonce: u32,
}

impl core::fmt::Debug for KrbFastResponse {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KrbFastResponse")
            .field("padata", &self.padata)
            .field(
                "strengthen_key",
                &self
                    .strengthen_key
                    .as_ref()
                    .map(|k| (k.r#type, "<redacted>")),
            )
            .field("finished", &self.finished)
            .field("nonce", &self.nonce)
            .finish()
    }
}

/// `KrbFastFinished ::= SEQUENCE { timestamp [0] KerberosTime,
/// usec [1] Microseconds, crealm [2] Realm, cname [3] PrincipalName,
/// ticket-checksum [4] Checksum, ... }`
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq, Hash)]
pub struct KrbFastFinished {
    /// KDC time.
    #[rasn(tag(explicit(0)))]
    pub timestamp: KerberosTime,
    /// KDC time microseconds.
    #[rasn(tag(explicit(1)))]
    pub usec: Microseconds,
    /// The client's realm.
    #[rasn(tag(explicit(2)))]
    pub crealm: Realm,
    /// The client's name.
    #[rasn(tag(explicit(3)))]
    pub cname: PrincipalName,
    /// Checksum over the ticket with the armor key (key usage 53).
    #[rasn(tag(explicit(4)))]
    pub ticket_checksum: Checksum,
}
