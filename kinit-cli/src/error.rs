//! Errors of the command-line tools (one line each).

use tessera_client::ccache::CcacheError;
use tessera_client::kdc_client::KdcClientError;
use tessera_client::keytab::KeytabError;
use tessera_client::kpasswd::KpasswdError;

/// What went wrong in a tool.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Getting or using tickets failed.
    #[error(transparent)]
    Client(#[from] KdcClientError),
    /// Credential cache error.
    #[error(transparent)]
    Ccache(#[from] CcacheError),
    /// Keytab error.
    #[error(transparent)]
    Keytab(#[from] KeytabError),
    /// A principal name did not parse.
    #[error("invalid principal name: {0}")]
    Name(#[from] tessera_proto::msg::NameError),
    /// A lifetime argument did not parse.
    #[error("bad lifetime value {0:?}: use seconds or units such as 10h, 7d, 1h30m")]
    BadDuration(String),
    /// An enctype argument did not parse.
    #[error("unknown encryption type {0:?}: use a name such as aes256-cts-hmac-sha1-96")]
    BadEnctype(String),
    /// The password could not be read.
    #[error("cannot read password for {principal}: {source}")]
    Password {
        /// Whose password.
        principal: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Changing a password (RFC 3244) failed or was refused.
    #[error(transparent)]
    PasswordChange(#[from] KpasswdError),
    /// The new password and its repetition differed (every try).
    #[error("Password mismatch while getting initial credentials")]
    NewPasswordMismatch,
    /// Standard input ended before a new password was read.
    #[error("cannot read the new password for {principal}: end of input")]
    NewPasswordEof {
        /// Whose password.
        principal: String,
    },
    /// `kinit -k`: the principal's password (key) has expired, which a
    /// keytab cannot change.
    #[error(
        "password of {principal} has expired and kinit -k cannot change it: change it with kpasswd (or kadmin cpw), then re-extract the keytab {keytab}"
    )]
    KeytabPasswordExpired {
        /// The principal.
        principal: String,
        /// The keytab used.
        keytab: String,
    },
    /// No principal was given and none could be guessed.
    #[error("no principal given and none found in the cache, keytab or USER: give PRINCIPAL")]
    NoPrincipal,
    /// The keytab has no key to check the ticket with.
    #[error(
        "keytab {keytab} has no key for {principal} kvno {kvno} enctype {enctype}: the KDC's key is newer than the keytab's; re-extract it (ktadd)"
    )]
    KeytabMissingKey {
        /// The keytab.
        keytab: String,
        /// The service principal.
        principal: String,
        /// The ticket's kvno.
        kvno: u32,
        /// The ticket's enctype name.
        enctype: String,
    },
    /// The keytab's key does not decrypt the ticket.
    #[error(
        "keytab {keytab} key for {principal} kvno {kvno} enctype {enctype} does not decrypt the ticket: the keytab is stale; re-extract the key (ktadd)"
    )]
    KeytabWrongKey {
        /// The keytab.
        keytab: String,
        /// The service principal.
        principal: String,
        /// The ticket's kvno.
        kvno: u32,
        /// The ticket's enctype name.
        enctype: String,
    },
}
