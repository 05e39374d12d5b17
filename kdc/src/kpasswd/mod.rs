//! The password change service (RFC 3244 and MIT's "version 1"
//! protocol), run inside the KDC process on `[kpasswd] listen` (UDP and
//! TCP, port 464 by default).
//!
//! A request carries an AP-REQ for `kadmin/changepw@REALM` and a KRB-PRIV
//! holding the new password (version 1) or a `ChangePasswdData` (version
//! 0xff80, which may name another principal: "set password", allowed by
//! the ACL's `c` permission). The service's keys come straight from the
//! database. A change of one's own password needs an INITIAL ticket
//! (result code 7 otherwise) and passes the principal's password policy
//! (result code 4 with MIT's text otherwise). The reply is an AP-REP plus
//! a KRB-PRIV with the result code and text, or a KRB-ERROR whose e-data
//! is the result when the AP-REQ could not be accepted.
//!
//! [`KpasswdService`] is sans-I/O and implements
//! [`crate::net::RequestHandler`], so the KDC's network edge serves it.

mod exchange;

pub use exchange::{KpasswdService, KpasswdStats};
