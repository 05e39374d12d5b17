//! Our KDC, in-process, for a test: a development realm
//! ([`tessera_kdc::dev::prepare`]) in a temporary directory, served on a
//! free loopback port by a tokio runtime on a background thread.
//!
//! ```no_run
//! use tessera_tests::realm::{RealmOptions, TestRealm};
//! let realm = TestRealm::start(RealmOptions::default());
//! let r = realm.kinit_user(&[]);
//! assert!(r.ok, "{r:?}");
//! ```
// Test harness: a broken setup should stop the test loudly.
#![allow(clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use tempfile::TempDir;
use tokio_util::sync::CancellationToken;

use tessera_kdc::db::{PrincipalStore, SqliteStore, StoreOptions};
use tessera_kdc::dev::{DevOptions, DevRealm, RealmHandler, prepare, realm_handler};
use tessera_kdc::net::{EdgeError, Reply, RequestHandler, Transport};
use tessera_kdc::realm::{open_store_with, store_options};

use crate::mit::{Run, run};

/// How to set up the test realm.
#[derive(Debug, Clone, Default)]
pub struct RealmOptions {
    /// Only these enctypes (numbers): the KDC's allowed list, every
    /// principal's keys, and the krb5.conf's permitted/default enctypes.
    /// None: the dev-realm defaults and MIT's default enctypes.
    pub enctypes: Option<Vec<i32>>,
    /// krb5.conf `udp_preference_limit = 1`: MIT's clients use TCP only.
    pub tcp_only: bool,
    /// Seconds added to the KDC's clock (the client then looks skewed).
    pub clock_offset_secs: i64,
    /// Extra `[libdefaults]` lines for the krb5.conf, e.g.
    /// `("kdc_timesync", "0")`.
    pub libdefaults: Vec<(String, String)>,
    /// `database.refresh_interval` of the serving KDC (its background
    /// refresh); e.g. an hour, so that only the per-request catch-up can
    /// bring other processes' changes in.
    pub refresh_interval: Option<Duration>,
}

/// A handler whose clock is shifted by a fixed offset.
#[derive(Debug)]
pub struct ShiftedClock<H> {
    inner: Arc<H>,
    offset_secs: i64,
}

impl<H> ShiftedClock<H> {
    /// Wraps `inner`; `offset_secs` is added to every `now`.
    pub fn new(inner: Arc<H>, offset_secs: i64) -> Self {
        ShiftedClock { inner, offset_secs }
    }

    fn shift(&self, now: SystemTime) -> SystemTime {
        let d = Duration::from_secs(self.offset_secs.unsigned_abs());
        if self.offset_secs >= 0 {
            now + d
        } else {
            now - d
        }
    }
}

impl<H: RequestHandler> RequestHandler for ShiftedClock<H> {
    fn handle(
        &self,
        request: &[u8],
        peer: SocketAddr,
        transport: Transport,
        now: SystemTime,
    ) -> Option<Reply> {
        self.inner.handle(request, peer, transport, self.shift(now))
    }

    fn blocking(&self) -> bool {
        self.inner.blocking()
    }

    fn edge_error(
        &self,
        error: EdgeError,
        request: &[u8],
        peer: SocketAddr,
        now: SystemTime,
    ) -> Option<Vec<u8>> {
        self.inner.edge_error(error, request, peer, self.shift(now))
    }

    fn shutdown(&self) {
        self.inner.shutdown();
    }
}

/// A running in-process KDC serving a dev realm from a temporary directory.
/// Stopped (and the directory removed) on drop.
#[derive(Debug)]
pub struct TestRealm {
    /// Where the realm's files are.
    pub dev: DevRealm,
    /// The store the server reads (writes through it are seen at once).
    pub store: Arc<SqliteStore>,
    /// The KDC being served (e.g. to wait for its lockout writer).
    pub kdc: Arc<RealmHandler>,
    tmp: Option<TempDir>,
    /// The KDC's trace-level log, scanned for secrets on drop.
    log: PathBuf,
    /// Passwords a test used, also searched for in the log.
    passwords: std::sync::Mutex<Vec<String>>,
    shutdown: CancellationToken,
    thread: Option<JoinHandle<()>>,
}

/// Binds UDP and TCP on the same free 127.0.0.1 port.
fn bind_pair() -> (std::net::UdpSocket, std::net::TcpListener) {
    for _ in 0..100 {
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").expect("bind tcp");
        let port = tcp.local_addr().expect("addr").port();
        if let Ok(udp) = std::net::UdpSocket::bind(("127.0.0.1", port)) {
            return (udp, tcp);
        }
    }
    panic!("no free port for UDP and TCP")
}

impl TestRealm {
    /// Creates a dev realm in a new temporary directory and serves it.
    pub fn start(opts: RealmOptions) -> TestRealm {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("realm");
        let mut realm = Self::serve_dir(&dir, &opts);
        realm.tmp = Some(tmp);
        realm
    }

    /// Creates or reuses the dev realm in `dir` (like `tessera-kdc dev
    /// --dir DIR`, on a free port) and serves it. When `opts` asks for
    /// enctypes, TCP only or extra settings, the krb5.conf is rewritten to
    /// say so.
    pub fn serve_dir(dir: &Path, opts: &RealmOptions) -> TestRealm {
        let (udp, tcp) = bind_pair();
        let port = tcp.local_addr().expect("addr").port();
        let dev_opts = DevOptions {
            enctypes: opts.enctypes.clone(),
            ..DevOptions::new(dir, port)
        };
        let mut dev = prepare(&dev_opts).unwrap_or_else(|e| panic!("dev realm: {e}"));
        if let Some(every) = opts.refresh_interval {
            dev.config.database.refresh_interval = every;
        }
        if opts.enctypes.is_some() || opts.tcp_only || !opts.libdefaults.is_empty() {
            std::fs::write(dev.krb5_conf(), krb5_conf_for(&dev, opts)).expect("write krb5.conf");
        }
        let store = Arc::new(
            open_store_with(
                &dev.config,
                StoreOptions {
                    refresh_on_get: false,
                    ..store_options(&dev.config)
                },
            )
            .unwrap_or_else(|e| panic!("open store: {e}")),
        );
        let shutdown = CancellationToken::new();
        let config = dev.config.clone();
        let thread_store = Arc::clone(&store);
        let dyn_store: Arc<dyn PrincipalStore> = Arc::clone(&store) as Arc<dyn PrincipalStore>;
        let kdc = realm_handler(dyn_store, Arc::new(config.clone()));
        let inner = Arc::clone(&kdc);
        let token = shutdown.clone();
        let offset = opts.clock_offset_secs;
        // Everything the KDC logs, at trace level, goes to a file that drop
        // scans for secrets (crate::secrets).
        let log = dir.join("kdc-trace.log");
        let dispatch = crate::secrets::trace_dispatch(&log);
        let thread = std::thread::spawn(move || {
            let _default = tracing::dispatcher::set_default(&dispatch);
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .on_thread_start(move || {
                    std::mem::forget(tracing::dispatcher::set_default(&dispatch));
                })
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                udp.set_nonblocking(true).expect("nonblocking");
                tcp.set_nonblocking(true).expect("nonblocking");
                let udp = tokio::net::UdpSocket::from_std(udp).expect("udp");
                let tcp = tokio::net::TcpListener::from_std(tcp).expect("tcp");
                let handler = Arc::new(ShiftedClock::new(inner, offset));
                let r = tessera_kdc::dev::serve_on(
                    &config,
                    thread_store,
                    handler,
                    vec![udp],
                    vec![tcp],
                    token,
                )
                .await;
                if let Err(e) = r {
                    eprintln!("test KDC stopped with an error: {e}");
                }
            });
        });
        TestRealm {
            dev,
            store,
            kdc,
            tmp: None,
            log,
            passwords: std::sync::Mutex::new(Vec::new()),
            shutdown,
            thread: Some(thread),
        }
    }

    /// Stops the server and waits for it (the directory stays until drop).
    pub fn stop(&mut self) {
        self.shutdown.cancel();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// The KDC's trace-level log file.
    pub fn trace_log(&self) -> &Path {
        &self.log
    }

    /// Adds a password the test used to those the log must not contain.
    pub fn note_password(&self, pw: &str) {
        self.passwords
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(pw.to_owned());
    }

    /// Fails the test if the KDC's log holds a password, a principal key
    /// or a session key of this realm ([`crate::secrets`]); only prints
    /// when the thread is already panicking. Returns the bytes scanned.
    pub fn check_logs(&self) -> usize {
        let _ = self.store.refresh(); // other processes' writes (kadmin -l)
        let mut s = crate::secrets::Secrets::new();
        s.store_keys(self.store.as_ref());
        // The temporary directory holds the realm's; else the realm's.
        match &self.tmp {
            Some(t) => s.files_under(t.path()),
            None => s.files_under(&self.dev.dir),
        }
        for pw in self
            .passwords
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            s.password("a test", pw);
        }
        crate::secrets::check_log(&self.log, &s)
    }

    /// The realm directory.
    pub fn dir(&self) -> &Path {
        &self.dev.dir
    }

    /// Realm name.
    pub fn realm(&self) -> &str {
        &self.dev.realm
    }

    /// The credential cache MIT's tools use (`DIR/ccache`).
    pub fn ccache(&self) -> PathBuf {
        self.dev.dir.join("ccache")
    }

    /// Environment for MIT's tools against this realm.
    pub fn env(&self) -> Vec<(String, String)> {
        let d = &self.dev.dir;
        vec![
            (
                "KRB5_CONFIG".into(),
                self.dev.krb5_conf().display().to_string(),
            ),
            (
                "KRB5CCNAME".into(),
                format!("FILE:{}", self.ccache().display()),
            ),
            (
                "KRB5_KTNAME".into(),
                format!("FILE:{}", self.dev.service_keytab().display()),
            ),
            ("KRB5RCACHEDIR".into(), d.display().to_string()),
            ("KRB5_TRACE".into(), "/dev/stderr".into()),
        ]
    }

    /// The password of `user` (from `DIR/user.password`, newline removed).
    pub fn user_password(&self) -> String {
        let s = std::fs::read_to_string(self.dev.user_password()).expect("user.password");
        s.trim_end_matches('\n').to_owned()
    }

    /// Runs an MIT tool (`/usr/bin/NAME`) with this realm's environment.
    pub fn mit(&self, tool: &str, args: &[&str], stdin: Option<&str>) -> Run {
        run(&format!("/usr/bin/{tool}"), args, &self.env(), stdin)
    }

    /// MIT `kinit [extra] user` with the password on standard input.
    pub fn kinit_user(&self, extra: &[&str]) -> Run {
        let mut args: Vec<&str> = extra.to_vec();
        args.push("user");
        let pw = format!("{}\n", self.user_password());
        self.mit("kinit", &args, Some(&pw))
    }
}

impl Drop for TestRealm {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            crate::logs::print_tail(self.trace_log(), 150);
        }
        self.check_logs();
    }
}

/// A krb5.conf for `dev` as `opts` asks: enctypes, TCP only, extra
/// libdefaults.
pub fn krb5_conf_for(dev: &DevRealm, opts: &RealmOptions) -> String {
    let names: Vec<&str> = opts
        .enctypes
        .iter()
        .flatten()
        .filter_map(|&e| tessera_kdc::config::enctype_name(e))
        .collect();
    let mut s = crate::mit::krb5_conf(
        &dev.realm,
        &format!("127.0.0.1:{}", dev.port),
        &names,
        opts.tcp_only.then_some(1),
    );
    let extra: String = opts
        .libdefaults
        .iter()
        .map(|(k, v)| format!(" {k} = {v}\n"))
        .collect();
    s = s.replacen("[libdefaults]\n", &format!("[libdefaults]\n{extra}"), 1);
    s
}
