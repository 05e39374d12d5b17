//! KDC configuration: a TOML file read with serde.
//!
//! Every key, its default and its meaning is documented in
//! `docs/admin-guide.md`. Relative paths in the file are resolved against the
//! directory holding the configuration file, so a realm directory can be moved
//! as a whole.
//!
//! Errors are reported as one line naming the file, the key and the problem,
//! e.g. `kdc.toml: realm: must not be empty`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

mod duration;
mod limits;
mod raw;

use duration::DurationValue;
pub use duration::parse_duration;
pub use limits::LimitsConfig;
use raw::{DEFAULT_ADMIN_LISTEN, DEFAULT_KPASSWD_LISTEN, RawConfig};

/// The native Tessera enctype number (aes256-gcm-argon2id).
pub const ENCTYPE_NATIVE: i32 = -32341;

/// Enctype names as MIT spells them (plus Tessera's native one) and their
/// RFC 3961 numbers. Aliases MIT also accepts are listed after the main name.
const ENCTYPE_NAMES: &[(&str, i32)] = &[
    ("aes256-gcm-argon2id", ENCTYPE_NATIVE),
    ("aes256-cts-hmac-sha384-192", 20),
    ("aes256-sha2", 20),
    ("aes128-cts-hmac-sha256-128", 19),
    ("aes128-sha2", 19),
    ("aes256-cts-hmac-sha1-96", 18),
    ("aes256-cts", 18),
    ("aes128-cts-hmac-sha1-96", 17),
    ("aes128-cts", 17),
];

/// Maps an enctype name (MIT spelling) to its number.
pub fn enctype_from_name(name: &str) -> Option<i32> {
    ENCTYPE_NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|&(_, v)| v)
}

/// Maps an enctype number to its canonical name.
pub fn enctype_name(etype: i32) -> Option<&'static str> {
    ENCTYPE_NAMES
        .iter()
        .find(|&&(_, v)| v == etype)
        .map(|&(n, _)| n)
}

/// Where the realm master key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MasterKeySource {
    /// A stash file (created 0600 by `init` when absent).
    File(PathBuf),
    /// An environment variable holding 64 hex digits.
    Env(String),
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Network settings of the KDC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkConfig {
    /// UDP addresses to serve on.
    pub udp_listen: Vec<SocketAddr>,
    /// TCP addresses to serve on.
    pub tcp_listen: Vec<SocketAddr>,
    /// Largest request accepted, in bytes (UDP datagram or TCP message).
    pub max_request_size: usize,
    /// Largest reply sent over UDP; larger replies become RESPONSE_TOO_BIG.
    pub udp_max_reply_size: usize,
    /// A TCP connection idle this long is closed.
    pub tcp_idle_timeout: Duration,
    /// Cap on concurrently open TCP connections.
    pub max_tcp_connections: usize,
    /// Cap on TCP connections open at once from one address (IPv6: /64).
    pub max_tcp_connections_per_peer: usize,
}

/// Database settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseConfig {
    /// Data directory; the SQLite file is `principals.sqlite3` inside it.
    pub dir: PathBuf,
    /// Master key source.
    pub master_key: MasterKeySource,
    /// How many kvnos older than the current one are kept per principal.
    pub old_kvnos_to_keep: u32,
    /// How often the in-memory cache checks for writes by other processes.
    pub refresh_interval: Duration,
}

impl DatabaseConfig {
    /// Path of the SQLite database file.
    pub fn db_path(&self) -> PathBuf {
        self.dir.join(crate::db::sqlite::DB_FILE_NAME)
    }
}

/// Ticket and principal policy of the realm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyConfig {
    /// Longest ticket lifetime the realm grants.
    pub max_life: Duration,
    /// Longest renewable lifetime the realm grants.
    pub max_renewable_life: Duration,
    /// Allowed clock skew between clients and the KDC.
    pub clock_skew: Duration,
    /// Enctypes the KDC uses at all (numbers), in preference order.
    pub allowed_enctypes: Vec<i32>,
    /// Enctypes new principals get keys for (numbers).
    pub default_principal_enctypes: Vec<i32>,
    /// Whether new principals require pre-authentication.
    pub require_preauth: bool,
}

/// The complete, validated KDC configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KdcConfig {
    /// Realm name, e.g. `EXAMPLE.COM`.
    pub realm: String,
    /// Log format.
    pub log_format: LogFormat,
    /// Network settings.
    pub network: NetworkConfig,
    /// Database settings.
    pub database: DatabaseConfig,
    /// Ticket and principal policy.
    pub policy: PolicyConfig,
    /// Administration settings.
    pub admin: AdminConfig,
    /// The password change service (RFC 3244).
    pub kpasswd: KpasswdConfig,
    /// Bounds of the in-memory caches (`[limits]`).
    pub limits: LimitsConfig,
}

/// `[kpasswd]`: the password change service (UDP and TCP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpasswdConfig {
    /// Addresses (UDP and TCP each); empty = no kpasswd service.
    pub listen: Vec<SocketAddr>,
    /// Whether `listen` came from the file. The defaults (port 464 on the
    /// loopback addresses) are skipped with a warning when they cannot be
    /// bound; configured addresses must bind.
    pub listen_configured: bool,
}

/// `[admin]`: administration settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminConfig {
    /// The kadm5.acl-like access control file (None = remote administration
    /// denied to everyone; `kadmin -l` bypasses ACLs).
    pub acl_file: Option<PathBuf>,
    /// TCP addresses of the remote admin service (`kadmin` without `-l`);
    /// empty = no remote administration.
    pub listen: Vec<SocketAddr>,
    /// Whether `listen` came from the file (see
    /// [`KpasswdConfig::listen_configured`]).
    pub listen_configured: bool,
    /// Connection limits of the remote admin service: `preauth_timeout`,
    /// `preauth_max_frame`, `max_unauthenticated_per_peer`.
    pub limits: crate::admin_server::AdminLimits,
}

/// A configuration that could not be loaded. Display is one line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// File name.
        file: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// TOML syntax error or wrong type / unknown key.
    #[error("{file}: {message}")]
    Parse {
        /// File name.
        file: String,
        /// Parser message, naming the line and key.
        message: String,
    },
    /// A key holds a value that is not acceptable.
    #[error("{file}: {key}: {problem}")]
    Invalid {
        /// File name.
        file: String,
        /// The key (dotted path).
        key: String,
        /// What is wrong.
        problem: String,
    },
}

/// Default `network.udp_max_reply_size`: MIT's `kdc_max_dgram_reply_size`
/// default. Larger replies become KRB_ERR_RESPONSE_TOO_BIG and the client
/// retries over TCP.
pub const DEFAULT_UDP_MAX_REPLY_SIZE: usize = 4096;

/// Default listen address list (loopback only, port 88).
const DEFAULT_LISTEN: &[&str] = &["127.0.0.1:88", "[::1]:88"];

impl KdcConfig {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: file.clone(),
            source,
        })?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        Self::parse(&text, &file, base)
    }

    /// Parses and validates configuration text. `file` names the source in
    /// errors; relative paths are resolved against `base_dir`.
    pub fn parse(text: &str, file: &str, base_dir: &Path) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            file: file.to_owned(),
            message: describe_toml_error(&e, text),
        })?;
        let bad = |key: &str, problem: String| ConfigError::Invalid {
            file: file.to_owned(),
            key: key.to_owned(),
            problem,
        };

        let realm = raw.realm.trim().to_owned();
        if realm.is_empty() {
            return Err(bad("realm", "must not be empty".into()));
        }
        if realm
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | '@' | '\\'))
        {
            return Err(bad(
                "realm",
                "must not contain whitespace, '/', '@' or '\\'".into(),
            ));
        }

        let addrs = |key: &str, v: Option<Vec<String>>| -> Result<Vec<SocketAddr>, ConfigError> {
            let list =
                v.unwrap_or_else(|| DEFAULT_LISTEN.iter().map(|s| (*s).to_owned()).collect());
            list.iter()
                .map(|s| {
                    s.parse::<SocketAddr>().map_err(|_| {
                        bad(
                            key,
                            format!(
                                "{s:?} is not an address:port (e.g. \"127.0.0.1:88\", \"[::1]:88\")"
                            ),
                        )
                    })
                })
                .collect()
        };
        let service_addrs = |key: &str,
                             v: Option<Vec<String>>,
                             default: &[&str]|
         -> Result<(Vec<SocketAddr>, bool), ConfigError> {
            let configured = v.is_some();
            let list = v.unwrap_or_else(|| default.iter().map(|s| (*s).to_owned()).collect());
            let parsed = addrs(key, Some(list))?;
            Ok((parsed, configured))
        };
        let (admin_listen, admin_listen_configured) = service_addrs(
            "admin.listen",
            raw.admin.listen.clone(),
            DEFAULT_ADMIN_LISTEN,
        )?;
        let (kpasswd_listen, kpasswd_listen_configured) = service_addrs(
            "kpasswd.listen",
            raw.kpasswd.listen.clone(),
            DEFAULT_KPASSWD_LISTEN,
        )?;
        let udp_listen = addrs("network.udp_listen", raw.network.udp_listen)?;
        let tcp_listen = addrs("network.tcp_listen", raw.network.tcp_listen)?;
        if udp_listen.is_empty() && tcp_listen.is_empty() {
            return Err(bad(
                "network.tcp_listen",
                "no address to listen on (udp_listen and tcp_listen are both empty)".into(),
            ));
        }
        let int_in = |key: &str, v: Option<i64>, default: i64, min: i64, max: i64| {
            let v = v.unwrap_or(default);
            if v < min || v > max {
                Err(bad(
                    key,
                    format!("must be between {min} and {max}, got {v}"),
                ))
            } else {
                Ok(v)
            }
        };
        let max_request_size = int_in(
            "network.max_request_size",
            raw.network.max_request_size,
            65536,
            1024,
            16 * 1024 * 1024,
        )?;
        let udp_max_reply_size = int_in(
            "network.udp_max_reply_size",
            raw.network.udp_max_reply_size,
            DEFAULT_UDP_MAX_REPLY_SIZE as i64,
            512,
            crate::net::MAX_UDP_PAYLOAD as i64,
        )?;
        let max_tcp_connections = int_in(
            "network.max_tcp_connections",
            raw.network.max_tcp_connections,
            1024,
            1,
            1_000_000,
        )?;
        let max_tcp_connections_per_peer = int_in(
            "network.max_tcp_connections_per_peer",
            raw.network.max_tcp_connections_per_peer,
            crate::net::DEFAULT_MAX_TCP_CONNECTIONS_PER_PEER as i64,
            1,
            1_000_000,
        )?;
        let admin_limits = {
            use crate::admin_server::limits as l;
            let preauth_timeout = raw
                .admin
                .preauth_timeout
                .map_or(l::DEFAULT_PREAUTH_TIMEOUT, |d| d.0);
            if preauth_timeout.is_zero() {
                return Err(bad("admin.preauth_timeout", "must be positive".into()));
            }
            let frame = int_in(
                "admin.preauth_max_frame",
                raw.admin.preauth_max_frame,
                l::DEFAULT_PREAUTH_MAX_FRAME as i64,
                1024,
                crate::admin_server::MAX_FRAME as i64,
            )?;
            let per_peer = int_in(
                "admin.max_unauthenticated_per_peer",
                raw.admin.max_unauthenticated_per_peer,
                l::DEFAULT_MAX_UNAUTHENTICATED_PER_PEER as i64,
                1,
                l::MAX_CONNECTIONS as i64,
            )?;
            l::AdminLimits {
                preauth_timeout,
                preauth_max_frame: frame as usize,
                max_unauthenticated_per_peer: per_peer as usize,
                ..l::AdminLimits::default()
            }
        };
        let tcp_idle_timeout = raw
            .network
            .tcp_idle_timeout
            .map_or(Duration::from_secs(30), |d| d.0);
        if tcp_idle_timeout.is_zero() {
            return Err(bad("network.tcp_idle_timeout", "must be positive".into()));
        }

        let resolve = |p: &str| {
            let p = Path::new(p);
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base_dir.join(p)
            }
        };
        if raw.database.dir.trim().is_empty() {
            return Err(bad("database.dir", "must not be empty".into()));
        }
        let master_key = match (raw.database.master_key_file, raw.database.master_key_env) {
            (Some(_), Some(_)) => {
                return Err(bad(
                    "database.master_key_file",
                    "set either master_key_file or master_key_env, not both".into(),
                ));
            }
            (None, None) => {
                return Err(bad(
                    "database.master_key_file",
                    "missing: set master_key_file (stash file) or master_key_env".into(),
                ));
            }
            (Some(f), None) if f.trim().is_empty() => {
                return Err(bad("database.master_key_file", "must not be empty".into()));
            }
            (None, Some(v)) if v.trim().is_empty() || v.contains('=') => {
                return Err(bad(
                    "database.master_key_env",
                    "must be an environment variable name".into(),
                ));
            }
            (Some(f), None) => MasterKeySource::File(resolve(&f)),
            (None, Some(v)) => MasterKeySource::Env(v),
        };
        let old_kvnos_to_keep = int_in(
            "database.old_kvnos_to_keep",
            raw.database.old_kvnos_to_keep,
            2,
            0,
            1000,
        )? as u32;
        let refresh_interval = raw
            .database
            .refresh_interval
            .map_or(Duration::from_secs(1), |d| d.0);

        let dur = |key: &str, v: Option<DurationValue>, default: u64| {
            let d = v.map_or(Duration::from_secs(default), |d| d.0);
            if d.is_zero() {
                Err(bad(key, "must be positive".into()))
            } else {
                Ok(d)
            }
        };
        let max_life = dur("policy.max_life", raw.policy.max_life, 10 * 3600)?;
        let max_renewable_life = dur(
            "policy.max_renewable_life",
            raw.policy.max_renewable_life,
            7 * 86400,
        )?;
        let clock_skew = dur(
            "policy.clock_skew",
            raw.policy.clock_skew,
            tessera_proto::msg::time::DEFAULT_CLOCK_SKEW.as_secs(),
        )?;

        let etypes = |key: &str, v: Option<Vec<String>>, default: &[i32]| {
            let Some(list) = v else {
                return Ok(default.to_vec());
            };
            if list.is_empty() {
                return Err(bad(key, "must not be empty".into()));
            }
            let mut out = Vec::new();
            for name in &list {
                let e = enctype_from_name(name).ok_or_else(|| {
                    bad(
                        key,
                        format!(
                            "unknown enctype {name:?} (known: aes256-gcm-argon2id, \
                             aes256-cts-hmac-sha384-192, aes128-cts-hmac-sha256-128, \
                             aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96)"
                        ),
                    )
                })?;
                if !out.contains(&e) {
                    out.push(e);
                }
            }
            Ok(out)
        };
        let allowed_enctypes = etypes(
            "policy.allowed_enctypes",
            raw.policy.allowed_enctypes,
            &[ENCTYPE_NATIVE, 20, 19, 18, 17],
        )?;
        let default_principal_enctypes = match raw.policy.default_principal_enctypes {
            Some(v) => etypes("policy.default_principal_enctypes", Some(v), &[])?,
            None => [ENCTYPE_NATIVE, 20, 18]
                .into_iter()
                .filter(|e| allowed_enctypes.contains(e))
                .collect(),
        };
        if default_principal_enctypes.is_empty() {
            return Err(bad(
                "policy.default_principal_enctypes",
                "none of the defaults (aes256-gcm-argon2id, aes256-cts-hmac-sha384-192, \
                 aes256-cts-hmac-sha1-96) is in allowed_enctypes; list some explicitly"
                    .into(),
            ));
        }
        if let Some(e) = default_principal_enctypes
            .iter()
            .find(|e| !allowed_enctypes.contains(e))
        {
            return Err(bad(
                "policy.default_principal_enctypes",
                format!(
                    "{} is not in policy.allowed_enctypes",
                    enctype_name(*e).unwrap_or("?")
                ),
            ));
        }

        let limits = raw.limits.validate(file)?;
        Ok(KdcConfig {
            realm,
            log_format: raw.log_format.unwrap_or(LogFormat::Text),
            network: NetworkConfig {
                udp_listen,
                tcp_listen,
                max_request_size: max_request_size as usize,
                udp_max_reply_size: udp_max_reply_size as usize,
                tcp_idle_timeout,
                max_tcp_connections: max_tcp_connections as usize,
                max_tcp_connections_per_peer: max_tcp_connections_per_peer as usize,
            },
            database: DatabaseConfig {
                dir: resolve(raw.database.dir.trim()),
                master_key,
                old_kvnos_to_keep,
                refresh_interval,
            },
            policy: PolicyConfig {
                max_life,
                max_renewable_life,
                clock_skew,
                allowed_enctypes,
                default_principal_enctypes,
                require_preauth: raw.policy.require_preauth.unwrap_or(true),
            },
            admin: AdminConfig {
                acl_file: raw
                    .admin
                    .acl_file
                    .filter(|f| !f.trim().is_empty())
                    .map(|f| resolve(f.trim())),
                listen: admin_listen,
                listen_configured: admin_listen_configured,
                limits: admin_limits,
            },
            kpasswd: KpasswdConfig {
                listen: kpasswd_listen,
                listen_configured: kpasswd_listen_configured,
            },
            limits,
        })
    }

    /// The network edge settings derived from this configuration.
    pub fn server_config(&self) -> crate::net::ServerConfig {
        crate::net::ServerConfig {
            max_request_size: self.network.max_request_size,
            udp_max_reply_size: self.network.udp_max_reply_size,
            tcp_idle_timeout: self.network.tcp_idle_timeout,
            max_tcp_connections: self.network.max_tcp_connections,
            max_tcp_connections_per_peer: self.network.max_tcp_connections_per_peer,
            ..crate::net::ServerConfig::default()
        }
    }
}

/// Turns a toml error into one line: `line N: key: message`.
fn describe_toml_error(e: &toml::de::Error, text: &str) -> String {
    let msg = e.message().trim().replace('\n', " ");
    let Some(span) = e.span() else {
        return msg;
    };
    let start = span.start.min(text.len());
    let line_no = text[..start].matches('\n').count() + 1;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    // Name the key when the line is `key = value` and the message does not
    // already name it (unknown-field messages do).
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"'))
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    match key {
        Some(k) if !msg.contains(&format!("`{k}`")) => format!("line {line_no}: {k}: {msg}"),
        _ => format!("line {line_no}: {msg}"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const MINIMAL: &str = r#"
realm = "EXAMPLE.COM"
[database]
dir = "data"
master_key_file = "master.key"
"#;

    fn parse(s: &str) -> Result<KdcConfig, ConfigError> {
        KdcConfig::parse(s, "kdc.toml", Path::new("/etc/tessera"))
    }

    #[test]
    fn minimal_gets_defaults() {
        let c = parse(MINIMAL).unwrap();
        assert_eq!(c.realm, "EXAMPLE.COM");
        assert_eq!(c.database.dir, PathBuf::from("/etc/tessera/data"));
        assert_eq!(
            c.database.master_key,
            MasterKeySource::File(PathBuf::from("/etc/tessera/master.key"))
        );
        assert_eq!(c.policy.default_principal_enctypes, vec![-32341, 20, 18]);
        assert_eq!(c.network.udp_max_reply_size, DEFAULT_UDP_MAX_REPLY_SIZE);
        assert_eq!(c.policy.allowed_enctypes, vec![-32341, 20, 19, 18, 17]);
        assert_eq!(c.policy.clock_skew, Duration::from_secs(300));
        assert_eq!(c.policy.max_life, Duration::from_secs(36000));
        assert!(c.policy.require_preauth);
        assert_eq!(c.network.udp_listen.len(), 2);
        assert_eq!(c.log_format, LogFormat::Text);
    }

    #[test]
    fn full_config() {
        let c = parse(
            r#"
realm = "TEST.REALM"
log_format = "json"
[network]
udp_listen = ["127.0.0.1:8888"]
tcp_listen = ["[::1]:8888", "127.0.0.1:8888"]
max_request_size = 4096
udp_max_reply_size = 1400
tcp_idle_timeout = "1m"
max_tcp_connections = 10
[database]
dir = "/var/lib/tessera"
master_key_env = "TESSERA_MKEY"
old_kvnos_to_keep = 3
refresh_interval = "2s"
[policy]
max_life = "1h30m"
max_renewable_life = 86400
clock_skew = "60s"
allowed_enctypes = ["aes256-cts-hmac-sha1-96", "aes128-cts"]
default_principal_enctypes = ["aes256-cts-hmac-sha1-96"]
require_preauth = false
"#,
        )
        .unwrap();
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.network.tcp_listen.len(), 2);
        assert_eq!(c.network.tcp_idle_timeout, Duration::from_secs(60));
        assert_eq!(
            c.database.master_key,
            MasterKeySource::Env("TESSERA_MKEY".into())
        );
        assert_eq!(c.policy.max_life, Duration::from_secs(5400));
        assert_eq!(c.policy.allowed_enctypes, vec![18, 17]);
        assert_eq!(c.policy.default_principal_enctypes, vec![18]);
        assert!(!c.policy.require_preauth);
    }

    #[test]
    fn errors_are_one_line_naming_the_key() {
        let e = parse(&MINIMAL.replace("EXAMPLE.COM", "")).unwrap_err();
        assert_eq!(e.to_string(), "kdc.toml: realm: must not be empty");

        let e = parse(&format!("{MINIMAL}\n[policy]\nmax_life = \"10x\"\n")).unwrap_err();
        let s = e.to_string();
        assert!(s.contains("max_life") && s.contains("10x"), "{s}");
        assert!(!s.contains('\n'), "{s}");

        let e = parse(&format!("{MINIMAL}\nrelm = \"x\"\n")).unwrap_err();
        let s = e.to_string();
        assert!(s.contains("relm") && s.starts_with("kdc.toml: line"), "{s}");
        assert!(!s.contains('\n'), "{s}");

        let e = parse(&format!(
            "{MINIMAL}\n[policy]\nallowed_enctypes = [\"des\"]\n"
        ))
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("kdc.toml: policy.allowed_enctypes: unknown enctype")
        );

        let e = parse(&format!("{MINIMAL}\nmaster_key_env = \"X\"\n").replace("[database]\n", ""))
            .unwrap_err();
        assert!(e.to_string().contains("kdc.toml"), "{e}");

        let e = parse(&MINIMAL.replace("master_key_file", "#")).unwrap_err();
        assert!(
            e.to_string().contains("database.master_key_file: missing"),
            "{e}"
        );

        let e = parse(&format!(
            "{MINIMAL}\n[network]\nudp_listen = [\"localhost\"]\n"
        ))
        .unwrap_err();
        assert!(
            e.to_string().starts_with("kdc.toml: network.udp_listen:"),
            "{e}"
        );

        let e = parse(&format!(
            "{MINIMAL}\n[policy]\nallowed_enctypes = [\"aes128-cts\"]\ndefault_principal_enctypes = [\"aes256-cts\"]\n"
        ))
        .unwrap_err();
        assert!(
            e.to_string().contains("not in policy.allowed_enctypes"),
            "{e}"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10h"), Some(Duration::from_secs(36000)));
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(604800)));
        assert_eq!(parse_duration("300"), Some(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1h30"), None);
        assert_eq!(parse_duration("h"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("-5"), None);
    }
}
