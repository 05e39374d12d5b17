//! Key usage numbers (RFC 4120 section 7.5.1, RFC 4121, RFC 6113).
//!
//! Every encryption and keyed checksum in Kerberos is bound to a key usage
//! number; a ciphertext made for one usage does not decrypt under another.

/// AS-REQ PA-ENC-TIMESTAMP padata timestamp, encrypted with the client key.
pub const AS_REQ_PA_ENC_TIMESTAMP: u32 = 1;
/// AS-REP / TGS-REP Ticket (including TGS-REQ's tgt), encrypted with the service key.
pub const KDC_REP_TICKET: u32 = 2;
/// AS-REP encrypted part, encrypted with the client key.
pub const AS_REP_ENC_PART: u32 = 3;
/// TGS-REQ KDC-REQ-BODY AuthorizationData, encrypted with the TGS session key.
pub const TGS_REQ_AD_SESSION_KEY: u32 = 4;
/// TGS-REQ KDC-REQ-BODY AuthorizationData, encrypted with the TGS authenticator subkey.
pub const TGS_REQ_AD_SUBKEY: u32 = 5;
/// TGS-REQ PA-TGS-REQ padata AP-REQ Authenticator checksum, keyed with the TGS session key.
pub const TGS_REQ_AUTH_CKSUM: u32 = 6;
/// TGS-REQ PA-TGS-REQ padata AP-REQ Authenticator, encrypted with the TGS session key.
pub const TGS_REQ_AUTH: u32 = 7;
/// TGS-REP encrypted part, encrypted with the TGS session key.
pub const TGS_REP_ENC_PART_SESSION_KEY: u32 = 8;
/// TGS-REP encrypted part, encrypted with the TGS authenticator subkey.
pub const TGS_REP_ENC_PART_SUBKEY: u32 = 9;
/// AP-REQ Authenticator checksum, keyed with the application session key.
pub const AP_REQ_AUTH_CKSUM: u32 = 10;
/// AP-REQ Authenticator (includes application authenticator subkey), encrypted with the application session key.
pub const AP_REQ_AUTH: u32 = 11;
/// AP-REP encrypted part, encrypted with the application session key.
pub const AP_REP_ENC_PART: u32 = 12;
/// KRB-PRIV encrypted part, encrypted with a key chosen by the application.
pub const KRB_PRIV_ENC_PART: u32 = 13;
/// KRB-CRED encrypted part, encrypted with a key chosen by the application.
pub const KRB_CRED_ENC_PART: u32 = 14;
/// KRB-SAFE checksum, keyed with a key chosen by the application.
pub const KRB_SAFE_CKSUM: u32 = 15;
/// AD-KDC-ISSUED checksum (RFC 4120 section 7.5.1).
pub const AD_KDC_ISSUED_CKSUM: u32 = 19;
/// GSS-API acceptor seal (RFC 4121).
pub const GSS_ACCEPTOR_SEAL: u32 = 22;
/// GSS-API acceptor sign (RFC 4121).
pub const GSS_ACCEPTOR_SIGN: u32 = 23;
/// GSS-API initiator seal (RFC 4121).
pub const GSS_INITIATOR_SEAL: u32 = 24;
/// GSS-API initiator sign (RFC 4121).
pub const GSS_INITIATOR_SIGN: u32 = 25;
/// RFC 6113 KrbFastArmoredReq request checksum (KEY_USAGE_FAST_REQ_CHKSUM).
pub const FAST_REQ_CHKSUM: u32 = 50;
/// KrbFastArmoredReq encrypted KrbFastReq (KEY_USAGE_FAST_ENC).
pub const FAST_ENC: u32 = 51;
/// KrbFastArmoredRep encrypted KrbFastResponse (KEY_USAGE_FAST_REP).
pub const FAST_REP: u32 = 52;
/// KrbFastFinished ticket checksum (KEY_USAGE_FAST_FINISHED).
pub const FAST_FINISHED: u32 = 53;
/// PA-ENCRYPTED-CHALLENGE from the client (KEY_USAGE_ENC_CHALLENGE_CLIENT).
pub const ENC_CHALLENGE_CLIENT: u32 = 54;
/// PA-ENCRYPTED-CHALLENGE from the KDC (KEY_USAGE_ENC_CHALLENGE_KDC).
pub const ENC_CHALLENGE_KDC: u32 = 55;
