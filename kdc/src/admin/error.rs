//! Errors of administration commands.

pub use super::password_quality::PasswordRejection;
use crate::db::DbError;
use crate::realm::RealmError;

/// An administration command that failed. Display is one line, MIT-like.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The command line could not be parsed.
    #[error("{0}")]
    Usage(String),
    /// No such principal.
    #[error("Principal does not exist: {0}")]
    NoPrincipal(String),
    /// The principal exists already.
    #[error("Principal or policy already exists: {0}")]
    PrincipalExists(String),
    /// No such policy.
    #[error("Policy does not exist: {0}")]
    NoPolicy(String),
    /// The policy exists already.
    #[error("Principal or policy already exists: {0}")]
    PolicyExists(String),
    /// A principal refers to the policy.
    #[error("Cannot delete a policy in use: {0}")]
    PolicyInUse(String),
    /// Malformed principal name.
    #[error("Malformed principal name: {name} (expected comp/comp@REALM; default realm {realm})")]
    BadName {
        /// The name given.
        name: String,
        /// The default realm.
        realm: String,
    },
    /// A password refused by the principal's policy.
    #[error("{0}")]
    Password(PasswordRejection),
    /// The caller lacks the permission.
    #[error("Operation requires ``{permission}'' privilege (caller {caller}, target {target})")]
    Denied {
        /// Who asked.
        caller: String,
        /// Permission letter needed.
        permission: char,
        /// The target principal or policy.
        target: String,
    },
    /// An enctype name this build does not know or the realm does not allow.
    #[error("Invalid or disallowed enctype: {0}")]
    BadEnctype(String),
    /// The operation is refused for this principal or mode.
    #[error("{0}")]
    Refused(String),
    /// The user answered no to a confirmation.
    #[error("Operation cancelled")]
    Cancelled,
    /// Database failure.
    #[error(transparent)]
    Db(DbError),
    /// Key derivation or principal setup failure.
    #[error(transparent)]
    Realm(RealmError),
    /// ACL file problem.
    #[error(transparent)]
    Acl(#[from] super::acl::AclError),
    /// Keytab file problem.
    #[error(transparent)]
    Keytab(#[from] tessera_client::keytab::KeytabError),
    /// Reading a prompt or the terminal failed.
    #[error("input: {0}")]
    Input(String),
    /// An error the remote admin server reported (`code` is one of the
    /// codes of [`AdminError::code`], or `network` / `auth` for transport
    /// and authentication failures of the remote client).
    #[error("{message}")]
    Remote {
        /// The error code.
        code: &'static str,
        /// The server's one-line message.
        message: String,
    },
}

impl AdminError {
    /// A short stable code for `--json` output and the remote protocol.
    pub fn code(&self) -> &'static str {
        match self {
            AdminError::Usage(_) => "usage",
            AdminError::NoPrincipal(_) => "no_principal",
            AdminError::PrincipalExists(_) => "principal_exists",
            AdminError::NoPolicy(_) => "no_policy",
            AdminError::PolicyExists(_) => "policy_exists",
            AdminError::PolicyInUse(_) => "policy_in_use",
            AdminError::BadName { .. } => "bad_name",
            AdminError::Password(r) => r.code(),
            AdminError::Denied { .. } => "denied",
            AdminError::BadEnctype(_) => "bad_enctype",
            AdminError::Refused(_) => "refused",
            AdminError::Cancelled => "cancelled",
            AdminError::Db(_) => "database",
            AdminError::Realm(_) => "internal",
            AdminError::Acl(_) => "acl",
            AdminError::Keytab(_) => "keytab",
            AdminError::Input(_) => "input",
            AdminError::Remote { code, .. } => code,
        }
    }
}

impl From<DbError> for AdminError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound(n) => AdminError::NoPrincipal(n),
            DbError::AlreadyExists(n) => AdminError::PrincipalExists(n),
            DbError::PolicyNotFound(n) => AdminError::NoPolicy(n),
            DbError::PolicyExists(n) => AdminError::PolicyExists(n),
            DbError::PolicyInUse(n) => AdminError::PolicyInUse(n),
            other => AdminError::Db(other),
        }
    }
}

impl From<RealmError> for AdminError {
    fn from(e: RealmError) -> Self {
        match e {
            RealmError::Db(d) => d.into(),
            RealmError::InvalidName(name, realm) => AdminError::BadName { name, realm },
            RealmError::UnsupportedEnctype(n) => AdminError::BadEnctype(n.to_string()),
            other => AdminError::Realm(other),
        }
    }
}

impl From<PasswordRejection> for AdminError {
    fn from(r: PasswordRejection) -> Self {
        AdminError::Password(r)
    }
}
