//! `tessera-kdc dev`: a development realm in one directory, created the
//! first time and reused afterwards.
//!
//! [`prepare`] creates (or reuses) the realm in a directory:
//!
//! * `kdc.toml`: the configuration (`tessera-kdc serve --config DIR/kdc.toml`
//!   serves the same realm), with the database and the master key stash
//!   (`master.stash`, 0600) in the same directory;
//! * `krb5.conf`: for MIT's tools and ours (`KRB5_CONFIG`);
//! * `user.password` and `admin.password` (0600): the random passwords of
//!   `user` and `admin/admin`, each followed by a newline;
//! * `service.keytab` (0600): every key of `host/localhost`.
//!
//! [`serve_on`] runs the network edge with the realm's handler on pre-bound
//! sockets (tests use it in-process); [`serve_blocking`] binds the configured
//! addresses and serves until cancelled.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::net::{TcpListener, UdpSocket};
use tokio_util::sync::CancellationToken;
use zeroize::Zeroizing;

use tessera_client::keytab::{Keytab, KeytabEntry, KtPrincipal, principal::NT_PRINCIPAL};
use tessera_proto::crypto::Password;

use crate::config::{ConfigError, KdcConfig, enctype_name};
use crate::db::{DbError, PrincipalEntry, PrincipalStore, SqliteStore, StoreOptions, refresh_loop};
use crate::net::{NetError, RequestHandler, Server, bind_all};
use crate::realm::{
    KeySource, PrincipalAttrs, RealmError, create_principal, enctypes_from_numbers, init_realm,
    open_store_with, service_enctypes, store_options,
};
pub use crate::shutdown::cancel_on_signal;

/// Default directory of the development realm.
pub const DEFAULT_DEV_DIR: &str = "./tessera-dev";
/// Default port (UDP and TCP on 127.0.0.1) of the development realm.
pub const DEFAULT_DEV_PORT: u16 = 8888;
/// Default realm name of the development realm.
pub const DEFAULT_DEV_REALM: &str = "TESSERA.TEST";
/// The user principal (without realm).
pub const USER: &str = "user";
/// The administrator principal (without realm).
pub const ADMIN: &str = "admin/admin";
/// The service principal (without realm).
pub const SERVICE: &str = "host/localhost";

/// File names inside the realm directory.
pub const KDC_TOML: &str = "kdc.toml";
/// The krb5.conf for clients.
pub const KRB5_CONF: &str = "krb5.conf";
/// The master key stash.
pub const MASTER_STASH: &str = "master.stash";
/// Password of [`USER`].
pub const USER_PASSWORD: &str = "user.password";
/// Password of [`ADMIN`].
pub const ADMIN_PASSWORD: &str = "admin.password";
/// Keys of [`SERVICE`].
pub const SERVICE_KEYTAB: &str = "service.keytab";
/// The ACL file of the remote admin service.
pub const DEV_ACL: &str = "kadm5.acl";

/// The request handler the realm is served with.
pub type RealmHandler = crate::core::Kdc;

/// Errors of the development realm. Display is one line.
#[derive(Debug, thiserror::Error)]
pub enum DevError {
    /// Realm creation or principal error.
    #[error(transparent)]
    Realm(#[from] RealmError),
    /// Database error.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The configuration in the directory is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Network error.
    #[error(transparent)]
    Net(#[from] NetError),
    /// Keytab writing failed.
    #[error("cannot write the service keytab: {0}")]
    Keytab(#[from] tessera_client::keytab::KeytabError),
    /// The directory holds another realm than the one asked for.
    #[error("{dir} holds realm {found}, not {asked}; drop --realm or use another --dir")]
    RealmMismatch {
        /// Directory.
        dir: String,
        /// Realm in the directory.
        found: String,
        /// Realm asked for.
        asked: String,
    },
    /// The stored configuration has no 127.0.0.1 listener to move.
    #[error("{0}: no 127.0.0.1 listen address to change the port of; edit it by hand")]
    NoLoopbackListener(String),
    /// Port 0 cannot be written into a krb5.conf.
    #[error("--port must not be 0")]
    PortZero,
    /// No random bytes.
    #[error("the system random number generator failed: {0}")]
    Random(String),
    /// Filesystem error.
    #[error("{path}: {source}")]
    Io {
        /// Path involved.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The tokio runtime could not start.
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DevError + use<> {
    let path = path.display().to_string();
    move |source| DevError::Io { path, source }
}

/// What to create or reuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevOptions {
    /// The realm directory.
    pub dir: PathBuf,
    /// Port on 127.0.0.1 (UDP and TCP).
    pub port: u16,
    /// Realm name for a new realm (None: the stored one, or
    /// [`DEFAULT_DEV_REALM`]); must match the stored one on reuse.
    pub realm: Option<String>,
    /// Enctype numbers for a new realm: `policy.allowed_enctypes` and the
    /// keys every principal gets. None: the KDC defaults (principals get
    /// aes256-gcm-argon2id, aes256-cts-hmac-sha384-192 and
    /// aes256-cts-hmac-sha1-96; `host/localhost` only the RFC ones, so MIT
    /// services can read its tickets).
    pub enctypes: Option<Vec<i32>>,
}

impl DevOptions {
    /// Options for `dir` and `port`, default realm and enctypes.
    pub fn new(dir: impl Into<PathBuf>, port: u16) -> Self {
        DevOptions {
            dir: dir.into(),
            port,
            realm: None,
            enctypes: None,
        }
    }
}

/// A prepared development realm: where everything is.
#[derive(Debug, Clone)]
pub struct DevRealm {
    /// The realm directory (absolute).
    pub dir: PathBuf,
    /// Realm name.
    pub realm: String,
    /// Port on 127.0.0.1.
    pub port: u16,
    /// The loaded configuration.
    pub config: KdcConfig,
    /// Whether this call created the realm (false: reused).
    pub created: bool,
    /// Whether this call moved a reused realm to a new port.
    pub port_changed: bool,
}

impl DevRealm {
    /// `DIR/kdc.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.dir.join(KDC_TOML)
    }
    /// `DIR/krb5.conf`.
    pub fn krb5_conf(&self) -> PathBuf {
        self.dir.join(KRB5_CONF)
    }
    /// `DIR/user.password`.
    pub fn user_password(&self) -> PathBuf {
        self.dir.join(USER_PASSWORD)
    }
    /// `DIR/admin.password`.
    pub fn admin_password(&self) -> PathBuf {
        self.dir.join(ADMIN_PASSWORD)
    }
    /// `DIR/service.keytab`.
    pub fn service_keytab(&self) -> PathBuf {
        self.dir.join(SERVICE_KEYTAB)
    }
    /// `name@REALM`.
    pub fn principal(&self, name: &str) -> String {
        format!("{name}@{}", self.realm)
    }

    /// The lines `tessera-kdc dev` prints: the export line and how to try
    /// the realm with MIT's tools.
    pub fn howto(&self) -> String {
        let d = self.dir.display();
        let state = if self.created {
            "created"
        } else if self.port_changed {
            "reused (port updated)"
        } else {
            "reused"
        };
        format!(
            "Tessera development realm {realm} ({state}) in {d}\n\
             Serving on 127.0.0.1:{port} (UDP and TCP) until Ctrl-C.\n\
             \n\
             export KRB5_CONFIG={d}/{KRB5_CONF}\n\
             \n\
             Then, with MIT's tools (or Tessera's):\n\
             \x20 kinit {USER} < {d}/{USER_PASSWORD}\n\
             \x20 klist\n\
             \x20 kvno {SERVICE}\n\
             \x20 kvno -k {d}/{SERVICE_KEYTAB} {SERVICE}\n\
             \x20 kinit -k -t {d}/{SERVICE_KEYTAB} {SERVICE}\n\
             Principals: {USER} and {ADMIN} (passwords in {USER_PASSWORD}, {ADMIN_PASSWORD}), \
             {SERVICE} (keys in {SERVICE_KEYTAB}).\n\
             The same realm is served by: tessera-kdc serve --config {d}/{KDC_TOML}\n",
            realm = self.realm,
            port = self.port,
        )
    }
}

/// Creates the development realm in `opts.dir`, or reuses the one there.
///
/// Every step is skipped when its result exists already, so an interrupted
/// creation completes on the next call. A reused realm whose stored port
/// differs from `opts.port` gets its `kdc.toml` and `krb5.conf` updated;
/// nothing else is overwritten.
pub fn prepare(opts: &DevOptions) -> Result<DevRealm, DevError> {
    if opts.port == 0 {
        return Err(DevError::PortZero);
    }
    std::fs::create_dir_all(&opts.dir).map_err(io_err(&opts.dir))?;
    set_mode(&opts.dir, 0o700)?;
    let dir = std::fs::canonicalize(&opts.dir).map_err(io_err(&opts.dir))?;
    let config_path = dir.join(KDC_TOML);

    let mut created = false;
    let mut port_changed = false;
    if !config_path.exists() {
        let realm = opts.realm.as_deref().unwrap_or(DEFAULT_DEV_REALM);
        let text = render_kdc_toml(realm, opts.port, opts.enctypes.as_deref());
        write_private(&config_path, text.as_bytes())?;
        created = true;
    }
    let mut config = KdcConfig::load(&config_path)?;
    if let Some(asked) = opts.realm.as_ref().filter(|r| **r != config.realm) {
        return Err(DevError::RealmMismatch {
            dir: dir.display().to_string(),
            found: config.realm,
            asked: asked.clone(),
        });
    }
    let stored_port = loopback_port(&config);
    if stored_port != Some(opts.port) {
        let old = stored_port
            .ok_or_else(|| DevError::NoLoopbackListener(config_path.display().to_string()))?;
        let text = std::fs::read_to_string(&config_path).map_err(io_err(&config_path))?;
        let text = text.replace(
            &format!("\"127.0.0.1:{old}\""),
            &format!("\"127.0.0.1:{}\"", opts.port),
        );
        write_private(&config_path, text.as_bytes())?;
        config = KdcConfig::load(&config_path)?;
        port_changed = true;
    }

    if !config.database.db_path().exists() {
        init_realm(&config)?;
        created = true;
    }
    let store = open_store_with(
        &config,
        StoreOptions {
            refresh_on_get: false,
            ..store_options(&config)
        },
    )?;
    let now = SystemTime::now();
    let attrs = PrincipalAttrs {
        modified_by: Some("tessera-kdc dev".to_owned()),
        ..PrincipalAttrs::from_policy(&config.policy)
    };
    let user_enctypes = enctypes_from_numbers(&config.policy.default_principal_enctypes)?;
    for (name, file) in [(USER, USER_PASSWORD), (ADMIN, ADMIN_PASSWORD)] {
        let full = format!("{name}@{}", config.realm);
        if store.get(&full)?.is_some() {
            continue;
        }
        // Password file first: a crash before the principal exists makes
        // the next run start over with a new password.
        let password = random_password()?;
        let path = dir.join(file);
        let mut line = Zeroizing::new(String::with_capacity(password.len() + 1));
        line.push_str(&password);
        line.push('\n');
        write_private(&path, line.as_bytes())?;
        let pw = Password::new(password.as_str());
        create_principal(
            &store,
            &full,
            KeySource::Password(&pw),
            &user_enctypes,
            &attrs,
            now,
        )?;
    }

    let service = format!("{SERVICE}@{}", config.realm);
    let keytab = dir.join(SERVICE_KEYTAB);
    let entry = match store.get(&service)? {
        Some(e) => e,
        None => {
            // The realm's enctypes without the native one (MIT services
            // cannot decrypt tickets in it), unless that leaves none.
            let enctypes = service_enctypes(&[&config.policy.allowed_enctypes]);
            let e = create_principal(&store, &service, KeySource::Random, &enctypes, &attrs, now)?;
            // A keytab left by an earlier, interrupted run is stale.
            let _ = std::fs::remove_file(&keytab);
            e
        }
    };
    if !keytab.exists() {
        write_keytab(&keytab, &entry, &config.realm, now)?;
    }

    // Remote administration: kadmin/admin, kadmin/changepw and an ACL
    // giving admin/admin every right.
    crate::admin_server::ensure_service_principals(&store, &config, now)?;
    if config.admin.acl_file.is_none() {
        let text = std::fs::read_to_string(&config_path).map_err(io_err(&config_path))?;
        if !text.contains("[admin]") {
            let text = format!("{text}\n[admin]\nacl_file = \"{DEV_ACL}\"\n");
            write_private(&config_path, text.as_bytes())?;
            config = KdcConfig::load(&config_path)?;
        }
    }
    if let Some(acl) = &config.admin.acl_file
        && !acl.exists()
    {
        let rule = format!(
            "# Written by tessera-kdc dev: {ADMIN} may do everything.\n{ADMIN}@{} *\n",
            config.realm
        );
        write_private(acl, rule.as_bytes())?;
    }

    let krb5 = dir.join(KRB5_CONF);
    if port_changed || !krb5.exists() {
        write_private(&krb5, render_krb5_conf(&config.realm, opts.port).as_bytes())?;
        set_mode(&krb5, 0o644)?;
    }

    Ok(DevRealm {
        dir,
        realm: config.realm.clone(),
        port: opts.port,
        config,
        created,
        port_changed,
    })
}

/// The port of the first 127.0.0.1 listener in the configuration.
fn loopback_port(config: &KdcConfig) -> Option<u16> {
    config
        .network
        .udp_listen
        .iter()
        .chain(&config.network.tcp_listen)
        .find(|a| a.ip() == std::net::Ipv4Addr::LOCALHOST)
        .map(|a| a.port())
}

/// The `kdc.toml` of a new development realm.
pub fn render_kdc_toml(realm: &str, port: u16, enctypes: Option<&[i32]>) -> String {
    let mut s = format!(
        "# Tessera development realm, written by `tessera-kdc dev`.\n\
         # Serve it with: tessera-kdc serve --config kdc.toml\n\
         realm = \"{realm}\"\n\
         \n\
         [network]\n\
         udp_listen = [\"127.0.0.1:{port}\"]\n\
         tcp_listen = [\"127.0.0.1:{port}\"]\n\
         \n\
         [database]\n\
         # Paths are relative to this file's directory.\n\
         dir = \".\"\n\
         master_key_file = \"{MASTER_STASH}\"\n"
    );
    if let Some(list) = enctypes {
        let names: Vec<String> = list
            .iter()
            .filter_map(|&e| enctype_name(e))
            .map(|n| format!("\"{n}\""))
            .collect();
        let names = names.join(", ");
        s.push_str(&format!(
            "\n[policy]\nallowed_enctypes = [{names}]\ndefault_principal_enctypes = [{names}]\n"
        ));
    }
    s
}

/// The `krb5.conf` of the development realm: the realm's KDC on
/// 127.0.0.1:`port`, no DNS, no reverse DNS, no host name
/// canonicalization (so `kvno host/localhost` asks for exactly that).
pub fn render_krb5_conf(realm: &str, port: u16) -> String {
    format!(
        "# Tessera development realm, written by `tessera-kdc dev`.\n\
         [libdefaults]\n\
         \x20   default_realm = {realm}\n\
         \x20   dns_lookup_kdc = false\n\
         \x20   dns_lookup_realm = false\n\
         \x20   rdns = false\n\
         \x20   dns_canonicalize_hostname = false\n\
         \n\
         [realms]\n\
         \x20   {realm} = {{\n\
         \x20       kdc = 127.0.0.1:{port}\n\
         \x20   }}\n\
         \n\
         [domain_realm]\n\
         \x20   localhost = {realm}\n"
    )
}

/// Writes every key of `entry` (all kvnos) to a new MIT keytab at `path`
/// (0600, atomically).
pub fn write_keytab(
    path: &Path,
    entry: &PrincipalEntry,
    realm: &str,
    now: SystemTime,
) -> Result<(), DevError> {
    let comps: Vec<String> = match crate::db::split_principal(&entry.name) {
        Some((comps, _)) => comps,
        None => return Err(DbError::InvalidName(entry.name.clone()).into()),
    };
    let principal = KtPrincipal::new(NT_PRINCIPAL, comps, realm);
    let timestamp = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX));
    let keytab = Keytab {
        entries: entry
            .keys
            .iter()
            .map(|k| KeytabEntry {
                principal: principal.clone(),
                timestamp,
                kvno: k.kvno,
                enctype: k.enctype,
                key: Zeroizing::new(k.key.as_bytes().to_vec()),
            })
            .collect(),
    };
    keytab.save(path)?;
    Ok(())
}

/// A random password of 20 letters and digits (about 119 bits).
fn random_password() -> Result<Zeroizing<String>, DevError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    // Largest multiple of the alphabet size that fits a byte: rejection
    // sampling keeps the choice uniform.
    let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
    let mut out = Zeroizing::new(String::with_capacity(20));
    let mut buf = Zeroizing::new([0u8; 64]);
    while out.len() < 20 {
        getrandom::fill(&mut buf[..]).map_err(|e| DevError::Random(e.to_string()))?;
        for &b in buf.iter() {
            if b < limit && out.len() < 20 {
                out.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
            }
        }
    }
    Ok(out)
}

/// Writes `data` to `path` with mode 0600, atomically.
fn write_private(path: &Path, data: &[u8]) -> Result<(), DevError> {
    tessera_client::atomic_file::write_atomic(path, data).map_err(io_err(path))
}

fn set_mode(path: &Path, mode: u32) -> Result<(), DevError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(io_err(path))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// The request handler for a realm's store and configuration.
pub fn realm_handler(store: Arc<dyn PrincipalStore>, config: Arc<KdcConfig>) -> Arc<RealmHandler> {
    Arc::new(crate::core::Kdc::new(store, &config))
}

/// Serves `handler` on pre-bound sockets until `shutdown` is cancelled,
/// refreshing `store` from other processes' writes in the background.
pub async fn serve_on<H: RequestHandler>(
    config: &KdcConfig,
    store: Arc<SqliteStore>,
    handler: Arc<H>,
    udp: Vec<UdpSocket>,
    tcp: Vec<TcpListener>,
    shutdown: CancellationToken,
) -> Result<(), DevError> {
    let refresher = tokio::spawn(refresh_loop(
        store,
        config.database.refresh_interval,
        shutdown.clone(),
    ));
    let result = Server::new(handler, config.server_config())
        .run(udp, tcp, shutdown.clone())
        .await;
    shutdown.cancel();
    let _ = refresher.await;
    Ok(result?)
}

/// Opens the realm's store, binds the configured addresses, calls `ready`,
/// and serves until `shutdown` is cancelled or SIGINT/SIGTERM arrives.
pub fn serve_blocking(
    config: Arc<KdcConfig>,
    shutdown: CancellationToken,
    ready: impl FnOnce(),
) -> Result<(), DevError> {
    serve_blocking_with(config, shutdown, ready, None)
}

/// [`serve_blocking`], also serving the kpasswd and admin services on
/// `services` when given.
pub fn serve_blocking_with(
    config: Arc<KdcConfig>,
    shutdown: CancellationToken,
    ready: impl FnOnce(),
    services: Option<crate::admin_server::ServiceSockets>,
) -> Result<(), DevError> {
    let opts = StoreOptions {
        refresh_on_get: false,
        ..store_options(&config)
    };
    let store = Arc::new(open_store_with(&config, opts)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(DevError::Runtime)?;
    runtime.block_on(async move {
        let (udp, tcp) = bind_all(&config.network.udp_listen, &config.network.tcp_listen).await?;
        // Watch the signals before announcing readiness, so that a SIGTERM
        // sent right after the announcement is not lost.
        cancel_on_signal(shutdown.clone());
        ready();
        let dyn_store: Arc<dyn PrincipalStore> = Arc::clone(&store) as Arc<dyn PrincipalStore>;
        let extra = services.map(|sockets| {
            tokio::spawn(crate::admin_server::run_services(
                Arc::clone(&dyn_store),
                Arc::clone(&config),
                sockets,
                shutdown.clone(),
            ))
        });
        let handler = realm_handler(dyn_store, Arc::clone(&config));
        let r = serve_on(&config, store, handler, udp, tcp, shutdown).await;
        if let Some(t) = extra {
            let _ = t.await;
        }
        r
    })
}

/// `tessera-kdc dev`: prepares the realm, prints [`DevRealm::howto`] once
/// the sockets are bound, and serves until SIGINT/SIGTERM.
pub fn run(opts: &DevOptions) -> Result<(), DevError> {
    let realm = prepare(opts)?;
    crate::telemetry::init_tracing(realm.config.log_format);
    // kpasswd and the admin service on free loopback ports, written into
    // the krb5.conf (kpasswd_server, admin_server).
    let sockets = crate::admin_server::bind_loopback_free()?;
    let (kp, ad) = (
        sockets.kpasswd_port().unwrap_or(0),
        sockets.admin_port().unwrap_or(0),
    );
    let krb5 = realm.krb5_conf();
    crate::admin_server::set_krb5_conf_servers(&krb5, kp, ad).map_err(io_err(&krb5))?;
    let mut text = realm.howto();
    text.push_str(&format!(
        "kpasswd (RFC 3244) on 127.0.0.1:{kp} (UDP and TCP); remote kadmin on 127.0.0.1:{ad}:\n\
         \x20 kadmin -p {ADMIN} -q listprincs < {d}/{ADMIN_PASSWORD}\n",
        d = realm.dir.display()
    ));
    serve_blocking_with(
        Arc::new(realm.config.clone()),
        CancellationToken::new(),
        move || {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        },
        Some(sockets),
    )
}
