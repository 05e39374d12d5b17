//! The shape of `kdc.toml` as serde reads it, before validation turns it
//! into [`super::KdcConfig`].

use serde::Deserialize;

use super::LogFormat;
use super::duration::DurationValue;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub(super) realm: String,
    #[serde(default)]
    pub(super) log_format: Option<LogFormat>,
    #[serde(default)]
    pub(super) network: RawNetwork,
    pub(super) database: RawDatabase,
    #[serde(default)]
    pub(super) policy: RawPolicy,
    #[serde(default)]
    pub(super) admin: RawAdmin,
    #[serde(default)]
    pub(super) kpasswd: RawKpasswd,
    #[serde(default)]
    pub(super) limits: super::limits::RawLimits,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAdmin {
    pub(super) acl_file: Option<String>,
    pub(super) listen: Option<Vec<String>>,
    pub(super) preauth_timeout: Option<DurationValue>,
    pub(super) preauth_max_frame: Option<i64>,
    pub(super) max_unauthenticated_per_peer: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawKpasswd {
    pub(super) listen: Option<Vec<String>>,
}

/// Default `[admin] listen` (loopback only, MIT's kadmin port 749).
pub(super) const DEFAULT_ADMIN_LISTEN: &[&str] = &["127.0.0.1:749", "[::1]:749"];
/// Default `[kpasswd] listen` (loopback only, port 464).
pub(super) const DEFAULT_KPASSWD_LISTEN: &[&str] = &["127.0.0.1:464", "[::1]:464"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNetwork {
    pub(super) udp_listen: Option<Vec<String>>,
    pub(super) tcp_listen: Option<Vec<String>>,
    pub(super) max_request_size: Option<i64>,
    pub(super) udp_max_reply_size: Option<i64>,
    pub(super) tcp_idle_timeout: Option<DurationValue>,
    pub(super) max_tcp_connections: Option<i64>,
    pub(super) max_tcp_connections_per_peer: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDatabase {
    pub(super) dir: String,
    pub(super) master_key_file: Option<String>,
    pub(super) master_key_env: Option<String>,
    pub(super) old_kvnos_to_keep: Option<i64>,
    pub(super) refresh_interval: Option<DurationValue>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {
    pub(super) max_life: Option<DurationValue>,
    pub(super) max_renewable_life: Option<DurationValue>,
    pub(super) clock_skew: Option<DurationValue>,
    pub(super) allowed_enctypes: Option<Vec<String>>,
    pub(super) default_principal_enctypes: Option<Vec<String>>,
    pub(super) require_preauth: Option<bool>,
}
