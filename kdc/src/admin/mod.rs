//! Realm administration: the command layer behind `kadmin -l` (and, later,
//! the remote admin service).
//!
//! * [`request`]: commands as data ([`AdminRequest`] → [`AdminResponse`]),
//!   serde-serializable for a remote protocol.
//! * [`service`]: [`AdminService`] runs requests against a
//!   [`crate::db::PrincipalStore`], checking the ACL for remote callers and
//!   auditing every command ([`audit`]).
//! * [`parse`]: MIT-style command lines to requests; [`cli`]: a session
//!   with prompts, keytab editing and text/JSON output; [`format`]: text.
//! * [`password_quality`]: password quality and history checks, and the
//!   lockout state; [`acl`]: the kadm5.acl-like ACL file.
//! * [`timefmt`]: time and duration syntax.

pub mod acl;
pub mod audit;
pub mod caller;
pub mod cli;
pub mod error;
pub mod format;
pub mod parse;
pub mod password_quality;
pub mod request;
pub mod service;
pub mod timefmt;

pub use acl::{Acl, AclError, AclFile};
pub use error::{AdminError, PasswordRejection};
pub use password_quality::{LockoutState, policy_lockout_state};
pub use request::{AdminRequest, AdminResponse, KeySpec, PolicyMods, PrincipalMods, Secret};
pub use service::{AdminService, AdminSettings, Caller, Origin};
