//! Shared pieces of the fault tests (`faults_*`): a dev realm served by
//! the real `tessera-kdc serve` process (KDC and remote admin service on
//! free loopback ports), killed with SIGKILL and started again; our
//! `kadmin` (local and remote); and the post-mortem check of the database
//! (it opens, SQLite's integrity check passes, every principal's every key
//! decrypts under the master key).

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tessera_kdc::config::KdcConfig;
use tessera_kdc::db::PrincipalStore;
use tessera_kdc::dev::{DevOptions, prepare};
use tessera_kdc::realm::open_store;
use tessera_tests::mit::{Run, free_port};
use tessera_tests::secrets::TRACE_ENV;

use crate::admin_remote::workspace_bin;

/// Whether the test runs under CI (`CI` set and not false/0): missing
/// facilities then fail the test instead of skipping it.
pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The binaries the fault tests run: `tessera-kdc` and `kadmin`.
#[derive(Debug, Clone)]
pub(crate) struct Bins {
    pub kdc: PathBuf,
    pub kadmin: PathBuf,
}

impl Bins {
    /// None (with a message) when they are not built, outside CI.
    pub fn find() -> Option<Bins> {
        Some(Bins {
            kdc: workspace_bin("tessera-kdc")?,
            kadmin: workspace_bin("kadmin")?,
        })
    }
}

/// A dev realm (created with [`prepare`]) whose `kdc.toml` also serves the
/// remote admin service, on ports of its own, for `tessera-kdc serve`.
#[derive(Debug)]
pub(crate) struct ServeRealm {
    /// The realm directory as this process sees it.
    pub dir: PathBuf,
    /// The same directory as the spawned processes see it (differs inside
    /// a mount namespace).
    pub proc_dir: PathBuf,
    pub realm: String,
    pub kdc_port: u16,
    pub admin_port: u16,
}

impl ServeRealm {
    /// Creates the realm in `dir` (seen as `proc_dir` by the processes)
    /// with keys of `enctypes` only.
    pub fn create(dir: &Path, proc_dir: &Path, enctypes: &[i32]) -> ServeRealm {
        std::fs::create_dir_all(dir).expect("realm dir");
        let kdc_port = free_port();
        let dev = prepare(&DevOptions {
            enctypes: Some(enctypes.to_vec()),
            ..DevOptions::new(dir, kdc_port)
        })
        .unwrap_or_else(|e| panic!("dev realm: {e}"));
        let admin_port = free_port();
        let toml = std::fs::read_to_string(dev.config_path()).expect("kdc.toml");
        let mut out = String::new();
        for line in toml.lines() {
            out.push_str(line);
            out.push('\n');
            if line == "[admin]" {
                out.push_str(&format!("listen = [\"127.0.0.1:{admin_port}\"]\n"));
            }
        }
        out.push_str("\n[kpasswd]\nlisten = []\n");
        std::fs::write(dev.config_path(), out).expect("write kdc.toml");
        let conf = std::fs::read_to_string(dev.krb5_conf()).expect("krb5.conf");
        let conf = conf.replacen(
            &format!("kdc = 127.0.0.1:{kdc_port}\n"),
            &format!("kdc = 127.0.0.1:{kdc_port}\n        admin_server = 127.0.0.1:{admin_port}\n"),
            1,
        );
        // TCP only: a client of a killed KDC then fails at once (connection
        // refused) instead of waiting for UDP retransmits.
        let conf = conf.replacen(
            "[libdefaults]\n",
            "[libdefaults]\n    udp_preference_limit = 1\n",
            1,
        );
        std::fs::write(dev.krb5_conf(), conf).expect("write krb5.conf");
        ServeRealm {
            dir: dir.to_owned(),
            proc_dir: proc_dir.to_owned(),
            realm: dev.realm.clone(),
            kdc_port,
            admin_port,
        }
    }

    /// `kdc.toml` as the processes see it.
    pub fn proc_config(&self) -> PathBuf {
        self.proc_dir.join("kdc.toml")
    }

    /// A password file's content (`user.password`, `admin.password`).
    pub fn password(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.join(file))
            .expect("password file")
            .trim_end_matches('\n')
            .to_owned()
    }

    /// Environment for MIT's tools and our remote kadmin, with the
    /// credential cache `cc`.
    pub fn env(&self, cc: &str) -> Vec<(String, String)> {
        vec![
            (
                "KRB5_CONFIG".into(),
                self.dir.join("krb5.conf").display().to_string(),
            ),
            (
                "KRB5CCNAME".into(),
                format!("FILE:{}", self.dir.join(cc).display()),
            ),
            ("TESSERA_KADMIN_HISTORY".into(), String::new()),
        ]
    }
}

/// `prefix` (e.g. `nsenter -t PID -m --`) then `program`.
pub(crate) fn command(prefix: &[String], program: &Path) -> Command {
    match prefix.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(program);
            c
        }
        None => Command::new(program),
    }
}

/// A running `tessera-kdc serve` child. Killed (SIGKILL) on drop.
#[derive(Debug)]
pub(crate) struct Serve {
    child: Child,
}

impl Serve {
    /// Starts `serve --config` for `realm`, its log (`RUST_LOG=trace`,
    /// scanned for secrets by the tests) appended to `log`, and waits (bounded) until the KDC's and the
    /// admin service's TCP ports accept.
    pub fn start(bins: &Bins, prefix: &[String], realm: &ServeRealm, log: &Path) -> Serve {
        Self::start_with_env(bins, prefix, realm, log, &[])
    }

    /// [`Serve::start`] with extra environment variables.
    pub fn start_with_env(
        bins: &Bins,
        prefix: &[String],
        realm: &ServeRealm,
        log: &Path,
        env: &[(String, String)],
    ) -> Serve {
        let log = File::options()
            .create(true)
            .append(true)
            .open(log)
            .expect("serve log");
        let child = command(prefix, &bins.kdc)
            .args(["serve", "--config"])
            .arg(realm.proc_config())
            .env(TRACE_ENV.0, TRACE_ENV.1)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start tessera-kdc serve");
        let mut s = Serve { child };
        let deadline = Instant::now() + Duration::from_secs(60);
        for port in [realm.kdc_port, realm.admin_port] {
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                if let Ok(Some(status)) = s.child.try_wait() {
                    panic!("tessera-kdc serve exited before serving: {status}");
                }
                assert!(Instant::now() < deadline, "tessera-kdc serve did not start");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        s
    }

    /// Whether the process is still running (it did not exit or panic).
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGKILL, then reap.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Our `kadmin -l --config CONFIG ARGS` (through `prefix`), waited for.
pub(crate) fn kadmin_local(bins: &Bins, prefix: &[String], config: &Path, args: &[&str]) -> Run {
    let out = command(prefix, &bins.kadmin)
        .arg("-l")
        .arg("--config")
        .arg(config)
        .args(args)
        .env("TESSERA_KADMIN_HISTORY", "")
        .stdin(Stdio::null())
        .output()
        .expect("run kadmin -l");
    Run::from(out)
}

/// Our remote `kadmin -p admin/admin -w PW ARGS` against `realm`'s admin
/// service, waited for.
pub(crate) fn kadmin_remote(bins: &Bins, realm: &ServeRealm, cc: &str, args: &[&str]) -> Run {
    let pw = realm.password("admin.password");
    let mut cmd = Command::new(&bins.kadmin);
    cmd.args(["-p", "admin/admin", "-w", &pw])
        .args(args)
        .stdin(Stdio::null());
    for (k, v) in realm.env(cc) {
        cmd.env(k, v);
    }
    Run::from(cmd.output().expect("run remote kadmin"))
}

/// What one principal looks like in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seen {
    /// Highest kvno among its keys.
    pub kvno: u32,
    /// Number of keys (all kvnos).
    pub keys: usize,
    /// Pre-authentication failures counted.
    pub fail_count: u32,
    /// Maximum ticket life, seconds.
    pub max_life: u64,
}

/// What [`check_database`] found.
#[derive(Debug)]
pub(crate) struct DbState {
    pub principals: BTreeMap<String, Seen>,
    pub policies: Vec<String>,
}

/// Opens the database of `config` (as a restarted KDC would: WAL
/// recovery included) and checks it: `PRAGMA integrity_check` says ok,
/// and every principal the `principals` table lists decrypted under the
/// master key (the store drops an entry whose key does not decrypt, so a
/// listed name that `get` cannot return is an unreadable key). Panics
/// with the reason otherwise.
pub(crate) fn check_database(config: &Path) -> DbState {
    let cfg = KdcConfig::load(config).unwrap_or_else(|e| panic!("kdc.toml: {e}"));
    let conn = rusqlite::Connection::open(cfg.database.db_path()).expect("sqlite open");
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(integrity, "ok", "PRAGMA integrity_check");
    drop(conn);
    let store = open_store(&cfg).unwrap_or_else(|e| panic!("database does not open: {e}"));
    let names = store.list("*").expect("list principals");
    let mut principals = BTreeMap::new();
    for name in names {
        let e = store
            .get(&name)
            .expect("get")
            .unwrap_or_else(|| panic!("{name}: listed but its keys do not decrypt"));
        assert!(!e.keys.is_empty(), "{name}: no keys");
        let kvno = e.keys.iter().map(|k| k.kvno).max().unwrap_or(0);
        principals.insert(
            name.clone(),
            Seen {
                kvno,
                keys: e.keys.len(),
                fail_count: e.fail_count,
                max_life: e.max_life.map_or(0, |d| d.as_secs()),
            },
        );
    }
    let policies = store.list_policies("*").expect("list policies");
    DbState {
        principals,
        policies,
    }
}

/// A small deterministic generator (xorshift64*), so that kill points
/// vary from run to run of a loop but are the same in every test run.
#[derive(Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

/// Whether every key of `name`'s newest kvno is the one string-to-key
/// gives for `password` (with the stored salt and parameters): the key
/// decrypted under the master key *and* is the acknowledged password's.
pub(crate) fn password_matches(config: &Path, name: &str, password: &str) -> bool {
    use tessera_proto::crypto::{EncType, Key, Password};
    let cfg = KdcConfig::load(config).unwrap_or_else(|e| panic!("kdc.toml: {e}"));
    let store = open_store(&cfg).unwrap_or_else(|e| panic!("database does not open: {e}"));
    let Some(e) = store.get(name).expect("get") else {
        return false;
    };
    let Some(kvno) = e.keys.iter().map(|k| k.kvno).max() else {
        return false;
    };
    let pw = Password::new(password);
    e.keys.iter().filter(|k| k.kvno == kvno).all(|k| {
        let Some(etype) = EncType::from_i32(k.enctype) else {
            return false;
        };
        let salt = k.salt.as_ref();
        let salt_bytes = salt
            .map(|s| s.salt.clone())
            .or_else(|| tessera_kdc::db::default_salt(name))
            .unwrap_or_default();
        let derived = Key::from_password(
            etype,
            &pw,
            &salt_bytes,
            salt.and_then(|s| s.s2kparams.as_deref()),
        );
        derived.is_ok_and(|d| d.as_bytes() == k.key.as_bytes())
    })
}
