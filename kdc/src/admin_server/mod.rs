//! Remote administration: the admin service `kadmin` (without `-l`) talks
//! to, run inside the KDC process on `[admin] listen` (TCP, port 749 by
//! default), and the client side `kadmin` uses.
//!
//! Protocol (Tessera's own; MIT's kadmin speaks RPCSEC_GSS instead):
//!
//! 1. The client sends an AP-REQ for `kadmin/admin@REALM` asking for
//!    mutual authentication; the server answers with the AP-REP (which the
//!    client checks) or a KRB-ERROR, after which it closes.
//! 2. Each command is a KRB-PRIV (session subkey, sequence numbers, see
//!    [`tessera_client::priv_safe`]) whose data is the JSON of an
//!    [`crate::admin::AdminRequest`]; the answer is a KRB-PRIV holding a
//!    [`protocol::WireReply`] (JSON).
//!
//! Every message travels in a 4-byte big-endian length frame. MIT's
//! `kadmin` pointed at this port is recognised by its ONC RPC record mark,
//! logged at info level and refused so that it prints an error
//! ([`onc_rpc`]). The caller's principal is checked against the ACL by
//! [`crate::admin::AdminService`] (default deny) and every command is
//! audited with the peer's address.
//! `ktadd` returns keys (which also needs the `e` permission remotely) and
//! the client writes its keytab locally; `-norandkey` is refused remotely.

pub mod client;
pub mod limits;
pub mod onc_rpc;
pub mod principals;
pub mod protocol;
pub mod server;
pub mod services;

pub use client::{RemoteAdmin, service_creds};
pub use limits::AdminLimits;
pub use principals::{
    ADMIN_SERVICE, CHANGEPW_SERVICE, ensure_service_principals, keytab_from_store,
    service_principal,
};
pub use protocol::{MAX_FRAME, WireReply};
pub use server::AdminServer;
pub use services::{
    ServiceSockets, bind_loopback_free, bind_services, run_services, set_krb5_conf_servers,
};
