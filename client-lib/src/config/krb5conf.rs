//! The typed view of krb5.conf that Tessera's client code uses.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::ConfigError;
use super::profile::{Profile, Relation};
use super::values::{
    ServerAddress, Transport, parse_bool, parse_duration, parse_enctype_list, parse_server,
};

/// The KDC port when none is written.
pub const DEFAULT_KDC_PORT: u16 = 88;
/// The kpasswd port when none is written.
pub const DEFAULT_KPASSWD_PORT: u16 = 464;
/// The kadmin port when none is written.
pub const DEFAULT_ADMIN_PORT: u16 = 749;
/// MIT's default `udp_preference_limit`.
pub const DEFAULT_UDP_PREFERENCE_LIMIT: usize = 1465;
/// MIT's default `clockskew`.
pub use tessera_proto::msg::time::DEFAULT_CLOCK_SKEW as DEFAULT_CLOCKSKEW;

/// One realm's `[realms]` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RealmConf {
    /// `kdc` values as written (`host[:port]`, `tcp/...`, `udp/...`).
    pub kdc: Vec<String>,
    /// `primary_kdc` (or the older `master_kdc`) values.
    pub primary_kdc: Vec<String>,
    /// `admin_server` values.
    pub admin_server: Vec<String>,
    /// `kpasswd_server` values.
    pub kpasswd_server: Vec<String>,
    /// `default_domain`.
    pub default_domain: Option<String>,
}

/// krb5.conf, typed. Settings not listed here stay reachable through
/// [`Krb5Conf::profile`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Krb5Conf {
    /// `[libdefaults] default_realm`.
    pub default_realm: Option<String>,
    /// `ticket_lifetime`.
    pub ticket_lifetime: Option<Duration>,
    /// `renew_lifetime`.
    pub renew_lifetime: Option<Duration>,
    /// `forwardable` (default false).
    pub forwardable: bool,
    /// `proxiable` (default false).
    pub proxiable: bool,
    /// `udp_preference_limit` (default 1465): larger requests go over TCP.
    pub udp_preference_limit: usize,
    /// `permitted_enctypes`.
    pub permitted_enctypes: Option<Vec<String>>,
    /// `default_tkt_enctypes`.
    pub default_tkt_enctypes: Option<Vec<String>>,
    /// `default_tgs_enctypes`.
    pub default_tgs_enctypes: Option<Vec<String>>,
    /// `clockskew` (default 300 s).
    pub clockskew: Duration,
    /// `default_ccache_name`, unexpanded (`%{uid}` etc. left as written).
    pub default_ccache_name: Option<String>,
    /// `default_keytab_name`, unexpanded.
    pub default_keytab_name: Option<String>,
    /// `default_client_keytab_name`, unexpanded.
    pub default_client_keytab_name: Option<String>,
    /// `tessera_s2k_min_divisor` (an integer >= 1): string-to-key
    /// parameters from the KDC may be as low as the enctype's default
    /// divided by this (default 1: no lower than the default).
    pub s2k_min_divisor: Option<u32>,
    /// `tessera_s2k_max_factor` (an integer >= 1): string-to-key parameters
    /// from the KDC may be up to the enctype's default times this
    /// (default 4).
    pub s2k_max_factor: Option<u32>,
    /// `[realms]`.
    pub realms: HashMap<String, RealmConf>,
    /// `[domain_realm]` mappings in file order.
    pub domain_realm: Vec<(String, String)>,
    /// The full parsed profile, for anything not typed above.
    pub profile: Profile,
}

impl Default for Krb5Conf {
    fn default() -> Self {
        Self {
            default_realm: None,
            ticket_lifetime: None,
            renew_lifetime: None,
            forwardable: false,
            proxiable: false,
            udp_preference_limit: DEFAULT_UDP_PREFERENCE_LIMIT,
            permitted_enctypes: None,
            default_tkt_enctypes: None,
            default_tgs_enctypes: None,
            clockskew: DEFAULT_CLOCKSKEW,
            default_ccache_name: None,
            default_keytab_name: None,
            default_client_keytab_name: None,
            s2k_min_divisor: None,
            s2k_max_factor: None,
            realms: HashMap::new(),
            domain_realm: Vec::new(),
            profile: Profile::default(),
        }
    }
}

fn invalid(rel: &Relation, expected: &'static str) -> ConfigError {
    ConfigError::InvalidValue {
        file: rel.origin.file.to_string(),
        line: rel.origin.line,
        tag: rel.tag.clone(),
        value: rel.as_str().unwrap_or("{...}").to_owned(),
        expected,
    }
}

/// The first string relation `tag` in `rels`.
fn first<'a>(rels: &'a [Relation], tag: &str) -> Option<&'a Relation> {
    rels.iter().find(|r| r.tag == tag && r.as_str().is_some())
}

fn all_strs(rels: &[Relation], tag: &str) -> Vec<String> {
    rels.iter()
        .filter(|r| r.tag == tag)
        .filter_map(Relation::as_str)
        .map(str::to_owned)
        .collect()
}

/// An integer of at least 1.
fn positive(s: &str) -> Option<u32> {
    s.trim().parse().ok().filter(|n| *n >= 1)
}

fn typed<T>(
    rels: &[Relation],
    tag: &str,
    expected: &'static str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, ConfigError> {
    match first(rels, tag) {
        None => Ok(None),
        Some(r) => parse(r.as_str().unwrap_or(""))
            .map(Some)
            .ok_or_else(|| invalid(r, expected)),
    }
}

fn check_servers(rels: &[Relation], tag: &str, default_port: u16) -> Result<(), ConfigError> {
    for r in rels.iter().filter(|r| r.tag == tag) {
        if let Some(v) = r.as_str()
            && parse_server(v, default_port).is_none()
        {
            return Err(invalid(r, "host, host:port or [address]:port"));
        }
    }
    Ok(())
}

impl Krb5Conf {
    /// Builds the typed view of a parsed profile, checking typed values
    /// (errors name the file and line).
    pub fn from_profile(profile: Profile) -> Result<Self, ConfigError> {
        let lib = profile.section("libdefaults");
        let enctypes = |tag| typed(lib, tag, "enctype list", |s| Some(parse_enctype_list(s)));
        let string = |tag| {
            first(lib, tag)
                .and_then(Relation::as_str)
                .map(str::to_owned)
        };
        let mut conf = Self {
            default_realm: string("default_realm"),
            ticket_lifetime: typed(lib, "ticket_lifetime", "duration", parse_duration)?,
            renew_lifetime: typed(lib, "renew_lifetime", "duration", parse_duration)?,
            forwardable: typed(lib, "forwardable", "boolean", parse_bool)?.unwrap_or(false),
            proxiable: typed(lib, "proxiable", "boolean", parse_bool)?.unwrap_or(false),
            udp_preference_limit: typed(lib, "udp_preference_limit", "byte count", |s| {
                s.trim().parse().ok()
            })?
            .unwrap_or(DEFAULT_UDP_PREFERENCE_LIMIT),
            permitted_enctypes: enctypes("permitted_enctypes")?,
            default_tkt_enctypes: enctypes("default_tkt_enctypes")?,
            default_tgs_enctypes: enctypes("default_tgs_enctypes")?,
            clockskew: typed(lib, "clockskew", "duration", parse_duration)?
                .unwrap_or(DEFAULT_CLOCKSKEW),
            default_ccache_name: string("default_ccache_name"),
            default_keytab_name: string("default_keytab_name"),
            default_client_keytab_name: string("default_client_keytab_name"),
            s2k_min_divisor: typed(lib, "tessera_s2k_min_divisor", "integer >= 1", positive)?,
            s2k_max_factor: typed(lib, "tessera_s2k_max_factor", "integer >= 1", positive)?,
            realms: HashMap::new(),
            domain_realm: Vec::new(),
            profile: Profile::default(),
        };
        for r in profile.section("realms") {
            let Some(g) = r.as_group() else { continue };
            check_servers(g, "kdc", DEFAULT_KDC_PORT)?;
            check_servers(g, "primary_kdc", DEFAULT_KDC_PORT)?;
            check_servers(g, "master_kdc", DEFAULT_KDC_PORT)?;
            check_servers(g, "admin_server", DEFAULT_ADMIN_PORT)?;
            check_servers(g, "kpasswd_server", DEFAULT_KPASSWD_PORT)?;
            let entry = conf.realms.entry(r.tag.clone()).or_default();
            entry.kdc.extend(all_strs(g, "kdc"));
            entry.primary_kdc.extend(all_strs(g, "primary_kdc"));
            entry.primary_kdc.extend(all_strs(g, "master_kdc"));
            entry.admin_server.extend(all_strs(g, "admin_server"));
            entry.kpasswd_server.extend(all_strs(g, "kpasswd_server"));
            if entry.default_domain.is_none() {
                entry.default_domain = first(g, "default_domain")
                    .and_then(Relation::as_str)
                    .map(str::to_owned);
            }
        }
        conf.domain_realm = profile
            .section("domain_realm")
            .iter()
            .filter_map(|r| Some((r.tag.to_ascii_lowercase(), r.as_str()?.to_owned())))
            .collect();
        conf.profile = profile;
        Ok(conf)
    }

    /// Parses krb5.conf text; `origin` names it in errors.
    pub fn parse_str(text: &str, origin: &str) -> Result<Self, ConfigError> {
        Self::from_profile(Profile::parse_str(text, origin)?)
    }

    /// Reads one file (which must exist).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let mut p = Profile::default();
        p.add_file(path.as_ref())?;
        Self::from_profile(p)
    }

    /// Reads a colon-separated list of files and directories as MIT does
    /// for `KRB5_CONFIG`: missing entries are skipped, directories
    /// contribute their files, and nothing found at all gives an empty
    /// configuration.
    pub fn load_path_list(list: &str) -> Result<Self, ConfigError> {
        let mut p = Profile::default();
        for part in list.split(':').filter(|s| !s.is_empty()) {
            let path = PathBuf::from(part);
            if path.is_dir() {
                p.add_dir(&path)?;
            } else if path.exists() {
                p.add_file(&path)?;
            }
        }
        Self::from_profile(p)
    }

    /// `KRB5_CONFIG` if set, else `/etc/krb5.conf` (see
    /// [`Krb5Conf::load_path_list`]).
    pub fn load_default() -> Result<Self, ConfigError> {
        match std::env::var("KRB5_CONFIG") {
            Ok(v) if !v.is_empty() => Self::load_path_list(&v),
            _ => Self::load_path_list("/etc/krb5.conf"),
        }
    }

    /// Every KDC endpoint of `realm` with its transport restriction.
    pub fn kdc_endpoints(&self, realm: &str) -> Vec<ServerAddress> {
        self.realms
            .get(realm)
            .map(|r| {
                r.kdc
                    .iter()
                    .filter_map(|k| parse_server(k, DEFAULT_KDC_PORT))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The (host, port) of every KDC of `realm` reachable over UDP or TCP
    /// (`https://` proxies left out), in file order; port 88 by default.
    pub fn kdc_addresses(&self, realm: &str) -> Vec<(String, u16)> {
        self.kdc_endpoints(realm)
            .into_iter()
            .filter(|a| a.transport != Transport::Https)
            .map(|a| (a.host, a.port))
            .collect()
    }

    /// kpasswd servers of `realm`: `kpasswd_server` (port 464 by
    /// default), else the `admin_server` hosts on port 464 (as MIT does),
    /// else the KDC hosts on port 464.
    pub fn kpasswd_addresses(&self, realm: &str) -> Vec<(String, u16)> {
        let Some(r) = self.realms.get(realm) else {
            return Vec::new();
        };
        if !r.kpasswd_server.is_empty() {
            return r
                .kpasswd_server
                .iter()
                .filter_map(|s| parse_server(s, DEFAULT_KPASSWD_PORT))
                .map(|a| (a.host, a.port))
                .collect();
        }
        if !r.admin_server.is_empty() {
            return r
                .admin_server
                .iter()
                .filter_map(|s| parse_server(s, DEFAULT_ADMIN_PORT))
                .map(|a| (a.host, DEFAULT_KPASSWD_PORT))
                .collect();
        }
        let mut hosts: Vec<(String, u16)> = Vec::new();
        for (h, _) in self.kdc_addresses(realm) {
            if !hosts.iter().any(|(known, _)| *known == h) {
                hosts.push((h, DEFAULT_KPASSWD_PORT));
            }
        }
        hosts
    }

    /// admin (kadmin) servers of `realm`, port 749 by default.
    pub fn admin_addresses(&self, realm: &str) -> Vec<(String, u16)> {
        self.realms
            .get(realm)
            .map(|r| {
                r.admin_server
                    .iter()
                    .filter_map(|s| parse_server(s, DEFAULT_ADMIN_PORT))
                    .map(|a| (a.host, a.port))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The realm `[domain_realm]` maps `host` to: an exact host entry wins,
    /// then the longest matching `.domain` suffix entry (MIT's order).
    pub fn realm_for_host(&self, host: &str) -> Option<&str> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let lookup = |key: &str| {
            self.domain_realm
                .iter()
                .find(|(d, _)| d == key)
                .map(|(_, r)| r.as_str())
        };
        if let Some(r) = lookup(&host) {
            return Some(r);
        }
        let mut rest = host.as_str();
        while let Some(i) = rest.find('.') {
            let suffix = &rest[i..];
            if let Some(r) = lookup(suffix) {
                return Some(r);
            }
            rest = &rest[i + 1..];
        }
        None
    }
}
