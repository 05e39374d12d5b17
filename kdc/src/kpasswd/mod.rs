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
//! Nothing that does not decode as a request is answered (the UDP
//! "ping-pong" of MIT's CVE-2002-2443): garbage, a wrong version, a frame
//! whose AP-REQ slot is empty or holds no AP-REQ (every reply, ours or
//! another server's, is such a frame), or a KRB-PRIV that is no KRB-PRIV is
//! dropped with a debug-level log line and counted
//! ([`KpasswdStats::dropped`]). As from MIT's kadmind, a well-framed request
//! whose AP-REQ is refused still gets a KRB-ERROR (no e-text; the result
//! string is MIT's fixed "Failed reading application request") so the user
//! learns why; that reply is itself never a request, so two servers cannot
//! be set answering each other.
//!
//! [`KpasswdService`] is sans-I/O and implements
//! [`crate::net::RequestHandler`], so the KDC's network edge serves it; it
//! says it blocks (Argon2id for the native enctype, SQLite commits), so the
//! edge runs it on tokio's blocking pool within
//! [`crate::net::ServerConfig::max_blocking`].

mod exchange;

pub use exchange::{KpasswdService, KpasswdStats};
