//! Typed errors of the AS/TGS client. Every message is one line naming
//! what failed, for which principal, and what to do about it.

use tessera_proto::crypto::CryptoError;
use tessera_proto::msg::{BuildError, DecodeError, EncodeError, NameError, TimeError};

use crate::ccache::CcacheError;
use crate::config::ConfigError;
use crate::keytab::KeytabError;

use super::s2k_limits::S2kOutOfRange;

/// Why getting a ticket failed.
#[derive(Debug, thiserror::Error)]
pub enum KdcClientError {
    /// krb5.conf could not be read.
    #[error("cannot load krb5.conf: {0}")]
    Config(#[from] ConfigError),
    /// No realm was given and krb5.conf has no `default_realm`.
    #[error(
        "no realm given and no default_realm in krb5.conf: give PRINCIPAL@REALM or set default_realm"
    )]
    NoDefaultRealm,
    /// krb5.conf lists no KDC for the realm.
    #[error(
        "no KDC configured for realm {realm}: add `kdc = host:port` under [realms] {realm} in krb5.conf"
    )]
    NoKdc {
        /// The realm.
        realm: String,
    },
    /// No KDC of the realm answered.
    #[error("cannot reach any KDC for realm {realm} (tried {}): check that the KDC is running and krb5.conf's kdc entries", tried.join(", "))]
    Unreachable {
        /// The realm.
        realm: String,
        /// Every address tried, as `udp/host:port` or `tcp/host:port`.
        tried: Vec<String>,
    },
    /// The KDC rejected the password (or key) as wrong.
    #[error("password incorrect for {principal}: check the password (or the keytab's key)")]
    PasswordIncorrect {
        /// The client principal.
        principal: String,
    },
    /// The password has expired or must be changed (KDC_ERR_KEY_EXPIRED):
    /// only a `kadmin/changepw` ticket is issued until it is changed.
    #[error("password for {principal} has expired: change it (kinit with a password, or kpasswd)")]
    PasswordExpired {
        /// The client principal.
        principal: String,
    },
    /// Our clock and the KDC's differ by more than the allowed skew.
    #[error(
        "clock skew too great for {principal}: the KDC's clock is {offset_secs} s ahead of ours; fix the clock (e.g. with NTP)"
    )]
    ClockSkew {
        /// The client principal.
        principal: String,
        /// KDC time minus local time, in seconds.
        offset_secs: i64,
    },
    /// The KDC does not know the client.
    #[error(
        "client {principal} not found in the Kerberos database: check the principal name and realm"
    )]
    ClientUnknown {
        /// The client principal.
        principal: String,
    },
    /// The KDC does not know the service.
    #[error(
        "server {principal} not found in the Kerberos database: check the service name and realm"
    )]
    ServerUnknown {
        /// The service principal looked up.
        principal: String,
    },
    /// No enctype both sides support.
    #[error(
        "no common encryption type for {principal} (we offered {offered}): check permitted_enctypes and the principal's keys"
    )]
    NoCommonEnctype {
        /// The principal.
        principal: String,
        /// Enctype names we offered, comma-separated.
        offered: String,
    },
    /// Any other KRB-ERROR from the KDC.
    #[error("KDC error for {principal}: {text} ({code})")]
    Kdc {
        /// The principal the request was about.
        principal: String,
        /// The error code.
        code: i32,
        /// The error's standard text plus the KDC's e-text, if any.
        text: String,
    },
    /// The keytab has no key for the principal that we can use.
    #[error("keytab {keytab} has no key for {principal}{} with enctype {}: re-extract the key (ktadd) or choose another keytab", kvno.map(|k| format!(" kvno {k}")).unwrap_or_default(), enctypes)]
    NoKeytabKey {
        /// The keytab file.
        keytab: String,
        /// The principal.
        principal: String,
        /// The kvno wanted, if known.
        kvno: Option<u32>,
        /// The enctype(s) wanted.
        enctypes: String,
    },
    /// The reply was well-formed but fails a check (nonce, names, times).
    #[error("KDC reply for {principal} rejected: {reason}")]
    BadReply {
        /// The principal the request was about.
        principal: String,
        /// The check that failed.
        reason: &'static str,
    },
    /// The KDC (or whoever answered for it: PREAUTH_REQUIRED is not
    /// authenticated) asked for string-to-key parameters outside the
    /// configured range; no key was derived.
    #[error(
        "refusing string-to-key parameters from the KDC for {principal} ({}): {} {} is outside the accepted range {}..={} (the reply may be forged); if the realm really uses them, widen the range with tessera_s2k_min_divisor or tessera_s2k_max_factor under [libdefaults] in krb5.conf",
        refused.etype, refused.param, refused.value, refused.min, refused.max
    )]
    S2kParamsRefused {
        /// The client principal.
        principal: String,
        /// The parameter and its accepted range.
        refused: S2kOutOfRange,
    },
    /// The AS-REP is encrypted in, or carries a session key of, an enctype
    /// the AS-REQ did not offer.
    #[error(
        "KDC reply for {principal} rejected: its {what} enctype {etype} was not offered in the request (we offered {offered})"
    )]
    UnofferedEnctype {
        /// The client principal.
        principal: String,
        /// "reply" or "session key".
        what: &'static str,
        /// The enctype number in the reply.
        etype: i32,
        /// Enctype names we offered, comma-separated.
        offered: String,
    },
    /// No ticket-granting ticket is in the cache.
    #[error("no ticket-granting ticket for {realm} in credential cache {cache}: run kinit first")]
    NoTgt {
        /// The cache.
        cache: String,
        /// The realm whose TGT was looked for.
        realm: String,
    },
    /// A ticket that should be used has expired.
    #[error("ticket for {principal} expired: run kinit again")]
    Expired {
        /// The ticket's service principal.
        principal: String,
    },
    /// A renewal was asked of a ticket that cannot be renewed.
    #[error(
        "ticket for {principal} is not renewable (or its renewable life is over): run kinit again"
    )]
    NotRenewable {
        /// The ticket's service principal.
        principal: String,
    },
    /// Keytab I/O or format error.
    #[error(transparent)]
    Keytab(#[from] KeytabError),
    /// Credential cache I/O or format error.
    #[error(transparent)]
    Ccache(#[from] CcacheError),
    /// A cryptographic operation failed.
    #[error("crypto failure: {0}")]
    Crypto(#[from] CryptoError),
    /// A reply could not be decoded.
    #[error("malformed KDC message: {0}")]
    Decode(#[from] DecodeError),
    /// A request could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// A request could not be built.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// A principal name is invalid.
    #[error("invalid principal name: {0}")]
    Name(#[from] NameError),
    /// A time is out of range.
    #[error(transparent)]
    Time(#[from] TimeError),
    /// The system's random number generator failed.
    #[error("random number generator failure")]
    Random,
    /// The async runtime for the blocking client could not start.
    #[error("cannot start the I/O runtime: {0}")]
    Runtime(std::io::Error),
}
